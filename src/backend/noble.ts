/**
 * Pure-JS backend on @noble/ciphers and @noble/hashes, for runtimes without WebCrypto (a page
 * served over plain http has no `crypto.subtle`; some embedded JS engines have none at all).
 * Symmetric keys (AES-256-GCM, HMAC-SHA256), SM2 and the signing keys other than RSA (ECDSA,
 * Ed25519, ML-DSA: @noble/curves and @noble/post-quantum in the algorithms) work everywhere; RSA needs
 * a platform implementation (WebCrypto or node:crypto): here it is UnsupportedOperationException.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { UnsupportedOperationException } from '../errors.js';
import { EC_CURVES, ecPkcs8Decode, ecSpkiDecode } from '../primitives/ec-keys.js';
import { joined, wipe } from '../util/bytes.js';
import type { Backend, EcdhCurve, HmacHash } from './types.js';

const NOBLE_HASH = { 'SHA-224': sha224, 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 } as const;

interface NobleHmacKey {
  readonly hash: HmacHash;
  readonly raw: Uint8Array;
}

interface NobleEcdhKey {
  readonly curve: EcdhCurve;
  readonly d: Uint8Array;
}

const noRsa = async (): Promise<never> => {
  throw new UnsupportedOperationException('RSA keys need WebCrypto or node:crypto; this runtime offers neither.');
};

export const nobleBackend: Backend = {
  name: 'noble',

  // noble's HMAC keeps no imported state worth caching beyond the key bytes: a copy of them, as
  // an imported CryptoKey or KeyObject is, so a store that zeroes its record's buffer after a
  // call leaves the cached key intact.
  async hmacKey(raw) {
    return Uint8Array.from(raw);
  },

  async hmacSha256(key, data) {
    return hmac(sha256, key as Uint8Array, data);
  },

  async aesGcmEncrypt(key, iv, plaintext, aadHead, into, aadTail) {
    const aad = joined(aadHead, aadTail);
    const out = gcm(key, iv, aad).encrypt(plaintext);
    if (!into) return out;
    into.set(out);
    return into;
  },

  async aesGcmDecrypt(key, iv, ciphertextAndTag, aadHead, aadTail) {
    const aad = joined(aadHead, aadTail);
    try {
      return gcm(key, iv, aad).decrypt(ciphertextAndTag);
    } catch {
      return undefined;
    }
  },

  rsaGenerateKeyPair: noRsa,
  rsaPublicKey: noRsa,
  rsaPublicRaw: noRsa,
  rsaPrivateKey: noRsa,
  rsaOaepDecrypt: noRsa,
  rsaSigningKey: noRsa,
  rsaPrivateRaw: noRsa,
  // ECDSA, Ed25519, SM2DSA and ML-DSA: no platform members; algorithms/signing/ uses noble.

  async hmacKeyWith(hash, raw) {
    return { hash, raw: Uint8Array.from(raw) } satisfies NobleHmacKey;
  },

  async hmac(key, data) {
    const { hash, raw } = key as NobleHmacKey;
    return hmac(NOBLE_HASH[hash], raw, data);
  },

  // Key agreement on the NIST curves is pure JS here (@noble/curves), like SM2 everywhere.
  async ecdhPrivateKey(curve, pkcs8) {
    return { curve, d: ecPkcs8Decode(EC_CURVES[curve], pkcs8) } satisfies NobleEcdhKey;
  },

  async ecdhDerive(key, peerSpki) {
    const { curve, d } = key as NobleEcdhKey;
    const c = EC_CURVES[curve];
    const point = ecSpkiDecode(c, peerSpki);
    const shared = c.noble.getSharedSecret(d, point, true);
    try {
      // The compressed encoding is 02/03 ‖ x: the x-coordinate is the raw secret (SEC 1 §3.3.1).
      return shared.slice(1);
    } finally {
      wipe(shared);
    }
  },
};
