/** WebCrypto backend (W3C Web Cryptography API): runs in browsers, workers, Node ≥ 20, Deno, Bun. */
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha224 } from '@noble/hashes/sha2.js';
import { bytesToBigInt, bigIntToBytes, modPow } from '../util/bigint.js';
import { fromBase64Url } from '../util/bytes.js';
import type { Backend, BackendKey, EcdhCurve } from './types.js';

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

  async aesGcmEncrypt(key, iv, plaintext, aad, into) {
    const k = await subtle().importKey('raw', ab(key), 'AES-GCM', false, ['encrypt']);
    const out = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: ab(iv), additionalData: ab(aad), tagLength: 128 }, k, ab(plaintext)));
    if (!into) return out;
    into.set(out);
    return into;
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

  async rsaGenerateKeyPair(modulusBits) {
    const pair = (await subtle().generateKey(
      { name: 'RSA-OAEP', modulusLength: modulusBits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['encrypt', 'decrypt'],
    )) as CryptoKeyPair;
    const [privateKey, publicKey] = await Promise.all([subtle().exportKey('pkcs8', pair.privateKey), subtle().exportKey('spki', pair.publicKey)]);
    return { privateKey: new Uint8Array(privateKey), publicKey: new Uint8Array(publicKey) };
  },

  async rsaPublicKey(spki) {
    try {
      const k = await subtle().importKey('spki', ab(spki), { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['encrypt']);
      const jwk = await subtle().exportKey('jwk', k);
      // JWK integers are minimal unpadded base64url (RFC 7518 §6.3.1).
      const n = fromBase64Url(jwk.n as string);
      const e = fromBase64Url(jwk.e as string);
      if (!n || !e) return undefined;
      return { key: { n: bytesToBigInt(n), e: bytesToBigInt(e), k: n.length } satisfies RawRsaPublic, modulusBytes: n.length };
    } catch {
      return undefined;
    }
  },

  async rsaPublicRaw(key, em) {
    // WebCrypto has no raw RSA: m^e mod n with BigInt (e = 65537: 17 modular products).
    const { n, e, k } = key as RawRsaPublic;
    return bigIntToBytes(modPow(bytesToBigInt(em), e, n), k);
  },

  rsaPrivateKey(pkcs8, hash) {
    return subtle().importKey('pkcs8', ab(pkcs8), { name: 'RSA-OAEP', hash }, false, ['decrypt']);
  },

  async rsaOaepDecrypt(key, ciphertext) {
    try {
      return new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP' }, key as CryptoKey, ab(ciphertext)));
    } catch {
      return undefined;
    }
  },

  async hmacKeyWith(hash, raw) {
    if (hash === 'SHA-224') return { noble: true, raw: Uint8Array.from(raw) } satisfies NobleHmacKey;
    return subtle().importKey('raw', ab(raw), { name: 'HMAC', hash }, false, ['sign']);
  },

  async hmac(key, data) {
    const k = key as NobleHmacKey | CryptoKey;
    if ('noble' in k) return nobleHmac(sha224, k.raw, data);
    return new Uint8Array(await subtle().sign('HMAC', k, ab(data)));
  },

  async ecdhPrivateKey(curve, pkcs8) {
    const key = await subtle().importKey('pkcs8', ab(pkcs8), { name: 'ECDH', namedCurve: curve }, false, ['deriveBits']);
    return { key, curve } satisfies WebEcdhKey;
  },

  async ecdhDerive(handle, peerSpki) {
    const { key, curve } = handle as WebEcdhKey;
    const pub = await subtle().importKey('spki', ab(peerSpki), { name: 'ECDH', namedCurve: curve }, false, []);
    // deriveBits of the full field size: the x-coordinate, left-padded (WebCrypto §23.5).
    return new Uint8Array(await subtle().deriveBits({ name: 'ECDH', public: pub }, key, FIELD_BITS[curve]));
  },
};

/**
 * WebCrypto has no SHA-224 (WebCrypto §30: SHA-1/256/384/512 only), so HMAC_SHA_224 keys are
 * computed with @noble/hashes here; the key object says which path it takes.
 */
interface NobleHmacKey {
  readonly noble: true;
  readonly raw: Uint8Array;
}

/** Field size in bits of each curve (the ECDH output length, P-521: 66 bytes). */
const FIELD_BITS: Readonly<Record<EcdhCurve, number>> = { 'P-256': 256, 'P-384': 384, 'P-521': 528 };

interface WebEcdhKey {
  readonly key: CryptoKey;
  readonly curve: EcdhCurve;
}

interface RawRsaPublic {
  n: bigint;
  e: bigint;
  k: number;
}
