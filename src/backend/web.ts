/** WebCrypto backend (W3C Web Cryptography API): runs in browsers, workers, Node ≥ 20, Deno, Bun. */
import type { Backend, BackendKey } from './types.js';

const subtle = (): SubtleCrypto => {
  const s = globalThis.crypto?.subtle;
  /* Precondition: the runtime offers WebCrypto (secure context in browsers). */
  if (!s) throw new Error('kms-core: WebCrypto (crypto.subtle) is not available in this runtime');
  return s;
};

// TS 5.9's DOM typings want ArrayBuffer-backed views; ours always are.
type Bytes = Uint8Array<ArrayBuffer>;
const ab = (b: Uint8Array) => b as Bytes;

export const webBackend: Backend = {
  name: 'webcrypto',

  hmacKey(raw: Uint8Array): Promise<BackendKey> {
    return subtle().importKey('raw', ab(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  },

  async hmacSha256(key: BackendKey, data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await subtle().sign('HMAC', key as CryptoKey, ab(data)));
  },

  async aesGcmEncrypt(key, iv, plaintext, aad) {
    const k = await subtle().importKey('raw', ab(key), 'AES-GCM', false, ['encrypt']);
    const out = await subtle().encrypt({ name: 'AES-GCM', iv: ab(iv), additionalData: ab(aad), tagLength: 128 }, k, ab(plaintext));
    return new Uint8Array(out);
  },

  async aesGcmDecrypt(key, iv, ciphertextAndTag, aad) {
    const k = await subtle().importKey('raw', ab(key), 'AES-GCM', false, ['decrypt']);
    try {
      const out = await subtle().decrypt({ name: 'AES-GCM', iv: ab(iv), additionalData: ab(aad), tagLength: 128 }, k, ab(ciphertextAndTag));
      return new Uint8Array(out);
    } catch {
      // OperationError: the tag did not verify. One answer for every cause.
      return undefined;
    }
  },
};
