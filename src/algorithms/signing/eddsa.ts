/**
 * ED25519_SHA_512 and ED25519_PH_SHA_512 on ECC_NIST_EDWARDS25519 keys (RFC 8032 §5.1; FIPS
 * 186-5 §7.6, §7.8). API_Sign: MessageType — "ED25519_SHA_512 signing algorithm requires KMS
 * MessageType:RAW", "ED25519_PH_SHA_512 signing algorithm requires KMS MessageType:DIGEST", and
 * with DIGEST "KMS still performs the SHA-512 prehash … the input is hashed twice": the 64
 * caller bytes are the message M of HashEdDSA, whose PH(M) = SHA-512(M). So an offline
 * Ed25519ph verifier checks a KMS signature against the digest the caller sent.
 *
 * Both are deterministic. PureEdDSA uses the platform where it has Ed25519 (node:crypto,
 * WebCrypto's Secure Curves); Ed25519ph is @noble/curves everywhere (no platform has it).
 * Verification is RFC 8032 strict (no ZIP-215 leniency: non-canonical encodings refused).
 */
import { ed25519, ed25519ph } from '@noble/curves/ed25519.js';
import { checkSigningMessage } from './message.js';
import { ed25519Public, ed25519Seed } from './keys.js';
import type { SigningAlgorithm } from './types.js';

const SIGNATURE_BYTES = 64;

export const ed25519Sha512: SigningAlgorithm = {
  name: 'ED25519_SHA_512',
  keySpecs: ['ECC_NIST_EDWARDS25519'],
  messageTypes: ['RAW'],
  digestLength: 0,
  externalMuLength: 0,

  async sign(env, bk, message, messageType) {
    checkSigningMessage(ed25519Sha512, message, messageType);
    const { backend } = env;
    if (backend.ed25519Key && backend.ed25519Sign) {
      const key = await env.keyObject(bk, 'ed25519-sign/', (b) => backend.ed25519Key!(b.material, 'pkcs8'));
      if (key !== undefined) return backend.ed25519Sign(key, message);
    }
    return ed25519.sign(message, ed25519Seed(env, bk));
  },

  async verify(env, bk, message, messageType, signature) {
    checkSigningMessage(ed25519Sha512, message, messageType);
    if (signature.length !== SIGNATURE_BYTES) return false;
    const { backend } = env;
    if (backend.ed25519Key && backend.ed25519Verify) {
      const key = await env.keyObject(bk, 'ed25519-verify/', (b) => backend.ed25519Key!(b.publicKey as Uint8Array, 'spki'));
      if (key !== undefined) return backend.ed25519Verify(key, message, signature);
    }
    try {
      return ed25519.verify(signature, message, ed25519Public(env, bk), { zip215: false });
    } catch {
      return false;
    }
  },
};

export const ed25519PhSha512: SigningAlgorithm = {
  name: 'ED25519_PH_SHA_512',
  keySpecs: ['ECC_NIST_EDWARDS25519'],
  messageTypes: ['DIGEST'],
  digestLength: 64,
  externalMuLength: 0,

  async sign(env, bk, message, messageType) {
    checkSigningMessage(ed25519PhSha512, message, messageType);
    return ed25519ph.sign(message, ed25519Seed(env, bk));
  },

  async verify(env, bk, message, messageType, signature) {
    checkSigningMessage(ed25519PhSha512, message, messageType);
    if (signature.length !== SIGNATURE_BYTES) return false;
    try {
      return ed25519ph.verify(signature, message, ed25519Public(env, bk), { zip215: false });
    } catch {
      return false;
    }
  },
};
