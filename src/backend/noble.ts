/**
 * Pure-JS backend on @noble/ciphers and @noble/hashes, for runtimes without WebCrypto (a page
 * served over plain http has no `crypto.subtle`; some embedded JS engines have none at all).
 * Symmetric keys (AES-256-GCM, HMAC-SHA256), SM2 and the signing keys other than RSA (ECDSA,
 * Ed25519, ML-DSA: @noble/curves and @noble/post-quantum in the algorithms) work everywhere; RSA needs
 * a platform implementation (WebCrypto or node:crypto): here it is UnsupportedOperationException.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { UnsupportedOperationException } from '../errors.js';
import type { Backend } from './types.js';

const noRsa = async (): Promise<never> => {
  throw new UnsupportedOperationException('RSA keys need WebCrypto or node:crypto; this runtime offers neither.');
};

export const nobleBackend: Backend = {
  name: 'noble',

  // noble's HMAC keeps no imported state worth caching beyond the raw key bytes.
  async hmacKey(raw) {
    return raw;
  },

  async hmacSha256(key, data) {
    return hmac(sha256, key as Uint8Array, data);
  },

  async aesGcmEncrypt(key, iv, plaintext, aad, into) {
    const out = gcm(key, iv, aad).encrypt(plaintext);
    if (!into) return out;
    into.set(out);
    return into;
  },

  async aesGcmDecrypt(key, iv, ciphertextAndTag, aad) {
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
};
