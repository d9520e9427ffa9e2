/**
 * RSASSA_PSS_SHA_256/384/512 and RSASSA_PKCS1_V1_5_SHA_256/384/512 (RFC 8017 §8.1, §8.2) on
 * RSA_2048/3072/4096 SIGN_VERIFY keys, as AWS KMS defines them (Developer Guide, "RSA key specs
 * for signing and verification"): PSS with MGF1 over the same hash and a salt of hash length.
 *
 * Signing: the encoded message (EMSA-PSS with a salt from the Kms `random`, or EMSA-PKCS1-v1_5)
 * is built here and the backend does RSASP1, so node:crypto gives the same bytes for the same
 * randomness and a DIGEST takes the same path as a RAW message. A backend with a whole-message
 * fast path (WebCrypto's sign, which hashes and draws the PSS salt itself) signs RAW messages.
 * Verification: RSAVP1 through the backend's public operation, then encode-and-compare
 * (PKCS#1 v1.5) or EMSA-PSS-VERIFY with sLen = hLen — PSS signatures with another salt length
 * or MGF1 hash are refused, as KMS refuses them.
 */
import type { RsaSignatureScheme } from '../../backend/types.js';
import type { BackingKey, KeySpec } from '../../keys/record.js';
import { emsaPkcs1v15Encode, emsaPssEncode, emsaPssVerify, rsaSpkiDecode, SHA, type Sha, type ShaName } from '../../primitives/rsassa.js';
import { bytesToBigInt } from '../../util/bigint.js';
import { equalBytes, wipe } from '../../util/bytes.js';
import type { CryptoEnv } from '../types.js';
import { checkSigningMessage } from './message.js';
import type { SigningAlgorithm, SigningAlgorithmSpec } from './types.js';

export const RSA_SIGNING_KEY_SPECS: readonly KeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];

function publicParts(env: CryptoEnv, bk: BackingKey) {
  return env.memo(bk, 'rsa-spki/', (b) => {
    const { n, e, modulusBits } = rsaSpkiDecode(b.publicKey as Uint8Array);
    return { n, e, modulusBits, k: Math.ceil(modulusBits / 8) };
  });
}

function rsassa(name: SigningAlgorithmSpec, scheme: RsaSignatureScheme, shaName: ShaName): SigningAlgorithm {
  const h: Sha = SHA[shaName];
  const row: SigningAlgorithm = {
    name,
    keySpecs: RSA_SIGNING_KEY_SPECS,
    messageTypes: ['RAW', 'DIGEST'],
    digestLength: h.hLen,
    externalMuLength: 0,

    async sign(env, bk, message, messageType) {
      checkSigningMessage(row, message, messageType);
      const { modulusBits, k } = publicParts(env, bk);
      const key = await env.keyObject(bk, 'rsa-sign/', (b) => env.backend.rsaSigningKey(b.material));
      if (messageType === 'RAW' && env.backend.rsaSignMessage) return env.backend.rsaSignMessage(key, scheme, shaName, message);
      const mHash = messageType === 'RAW' ? h.digest(message) : message;
      const encoded = scheme === 'PSS' ? emsaPssEncode(h, mHash, modulusBits - 1, env.random(h.hLen)) : emsaPkcs1v15Encode(h, mHash, k);
      // EMSA-PSS is ceil((modBits − 1)/8) bytes: one short of k when modBits ≡ 1 (mod 8).
      const em = new Uint8Array(k);
      em.set(encoded, k - encoded.length);
      try {
        return await env.backend.rsaPrivateRaw(key, em, env.random);
      } finally {
        wipe(em, encoded);
      }
    },

    async verify(env, bk, message, messageType, signature) {
      checkSigningMessage(row, message, messageType);
      const { n, modulusBits, k } = publicParts(env, bk);
      // RSASSA-*-VERIFY step 1 (length k) and RSAVP1 step 1 (s < n).
      if (signature.length !== k || bytesToBigInt(signature) >= n) return false;
      const pub = await env.keyObject(bk, 'rsa-verify/', async (b) => {
        const p = await env.backend.rsaPublicKey(b.publicKey as Uint8Array);
        /* Precondition: an RSA key record holds an RSA public key. */
        if (!p) throw new Error('kms-core: RSA key record holds no RSA public key');
        return p;
      });
      let em: Uint8Array;
      try {
        em = await env.backend.rsaPublicRaw(pub.key, signature);
      } catch {
        return false;
      }
      const mHash = messageType === 'RAW' ? h.digest(message) : message;
      if (scheme === 'PKCS1_V1_5') return equalBytes(em, emsaPkcs1v15Encode(h, mHash, k));
      const emLen = Math.ceil((modulusBits - 1) / 8);
      if (emLen < k && em[0] !== 0) return false;
      return emsaPssVerify(h, mHash, em.subarray(k - emLen), modulusBits - 1, h.hLen);
    },
  };
  return row;
}

export const rsassaPssSha256 = rsassa('RSASSA_PSS_SHA_256', 'PSS', 'SHA-256');
export const rsassaPssSha384 = rsassa('RSASSA_PSS_SHA_384', 'PSS', 'SHA-384');
export const rsassaPssSha512 = rsassa('RSASSA_PSS_SHA_512', 'PSS', 'SHA-512');
export const rsassaPkcs1Sha256 = rsassa('RSASSA_PKCS1_V1_5_SHA_256', 'PKCS1_V1_5', 'SHA-256');
export const rsassaPkcs1Sha384 = rsassa('RSASSA_PKCS1_V1_5_SHA_384', 'PKCS1_V1_5', 'SHA-384');
export const rsassaPkcs1Sha512 = rsassa('RSASSA_PKCS1_V1_5_SHA_512', 'PKCS1_V1_5', 'SHA-512');

export const RSA_SIGNING_ALGORITHMS: readonly SigningAlgorithmSpec[] = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
];
