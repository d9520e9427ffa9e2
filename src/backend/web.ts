/** WebCrypto backend (W3C Web Cryptography API): runs in browsers, workers, Node ≥ 20, Deno, Bun. */
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha224 } from '@noble/hashes/sha2.js';
import { EC_CURVES, ecdsaCompactToDer, ecdsaDerDecode, ecdsaToCompact } from '../primitives/ec-keys.js';
import { rsaPkcs8Decode, rsaPrivateRawBigInt, type RsaPrivateParts } from '../primitives/rsassa.js';
import { bytesToBigInt, bigIntToBytes, modPow } from '../util/bigint.js';
import { fromBase64Url } from '../util/bytes.js';
import type { Backend, BackendKey, EcCurveName, EcdhCurve, RsaSignatureScheme, ShaName } from './types.js';

const subtle = (): SubtleCrypto => {
  const s = globalThis.crypto?.subtle;
  /* Precondition: the runtime offers WebCrypto (secure context in browsers). */
  if (!s) throw new Error('kms-core: WebCrypto (crypto.subtle) is not available in this runtime');
  return s;
};

// TS 5.9's DOM typings want ArrayBuffer-backed views; ours always are.
type Bytes = Uint8Array<ArrayBuffer>;
const ab = (b: Uint8Array) => b as Bytes;

/** An RSA signing key: the parsed CRT parts (for digests) and WebCrypto keys per (scheme, hash). */
interface WebRsaSigner {
  pkcs8: Uint8Array;
  parts: RsaPrivateParts;
  k: number;
  imported: Map<string, Promise<CryptoKey>>;
}

/** WebCrypto's ECDSA curves (W3C Web Cryptography API §23); secp256k1 is not one of them. */
const WEB_CURVES: Partial<Record<EcCurveName, string>> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521' };

interface WebEcKey {
  key: CryptoKey;
  curve: EcCurveName;
}

const webSigning = {
  async rsaSigningKey(pkcs8: Uint8Array): Promise<BackendKey> {
    const parts = rsaPkcs8Decode(pkcs8);
    return { pkcs8, parts, k: Math.ceil(parts.n.toString(2).length / 8), imported: new Map() } satisfies WebRsaSigner;
  },

  // WebCrypto has no raw RSA private operation and signs only messages it hashes itself, so a
  // caller's digest (MessageType DIGEST) is signed in BigInt, blinded (primitives/rsassa.ts).
  async rsaPrivateRaw(key: BackendKey, em: Uint8Array, random: (n: number) => Uint8Array): Promise<Uint8Array> {
    const s = key as WebRsaSigner;
    return rsaPrivateRawBigInt(s.parts, em, random, s.k);
  },

  async rsaSignMessage(key: BackendKey, scheme: RsaSignatureScheme, hash: ShaName, message: Uint8Array): Promise<Uint8Array> {
    const s = key as WebRsaSigner;
    const name = scheme === 'PSS' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
    const id = `${name}/${hash}`;
    let k = s.imported.get(id);
    if (!k) {
      k = subtle().importKey('pkcs8', ab(s.pkcs8), { name, hash }, false, ['sign']);
      s.imported.set(id, k);
    }
    // AWS: PSS salt length = hash length (Developer Guide, RSA key specs for signing).
    const params = scheme === 'PSS' ? { name, saltLength: hash === 'SHA-256' ? 32 : hash === 'SHA-384' ? 48 : 64 } : { name };
    return new Uint8Array(await subtle().sign(params, await k, ab(message)));
  },

  async ecdsaKey(curve: EcCurveName, der: Uint8Array, format: 'pkcs8' | 'spki'): Promise<BackendKey | undefined> {
    const namedCurve = WEB_CURVES[curve];
    if (!namedCurve) return undefined;
    try {
      const key = await subtle().importKey(format, ab(der), { name: 'ECDSA', namedCurve }, false, [format === 'pkcs8' ? 'sign' : 'verify']);
      return { key, curve } satisfies WebEcKey;
    } catch {
      return undefined;
    }
  },

  async ecdsaSign(key: BackendKey, hash: ShaName, message: Uint8Array): Promise<Uint8Array> {
    const k = key as WebEcKey;
    // WebCrypto returns IEEE P1363 r‖s; AWS returns DER (API_Sign: Signature).
    const p1363 = new Uint8Array(await subtle().sign({ name: 'ECDSA', hash }, k.key, ab(message)));
    return ecdsaCompactToDer(EC_CURVES[k.curve], p1363);
  },

  async ecdsaVerify(key: BackendKey, hash: ShaName, message: Uint8Array, der: Uint8Array): Promise<boolean> {
    const k = key as WebEcKey;
    const c = EC_CURVES[k.curve];
    const rs = ecdsaDerDecode(c, der);
    if (!rs) return false;
    try {
      return await subtle().verify({ name: 'ECDSA', hash }, k.key, ab(ecdsaToCompact(c, rs.r, rs.s)), ab(message));
    } catch {
      return false;
    }
  },

  async ed25519Key(der: Uint8Array, format: 'pkcs8' | 'spki'): Promise<BackendKey | undefined> {
    // Ed25519 is in WebCrypto since the Secure Curves additions (Chrome 137, Firefox 129,
    // Safari 17, Node 18.4); older runtimes answer NotSupportedError and noble signs instead.
    try {
      return await subtle().importKey(format, ab(der), { name: 'Ed25519' }, false, [format === 'pkcs8' ? 'sign' : 'verify']);
    } catch {
      return undefined;
    }
  },

  async ed25519Sign(key: BackendKey, message: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await subtle().sign({ name: 'Ed25519' }, key as CryptoKey, ab(message)));
  },

  async ed25519Verify(key: BackendKey, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    try {
      return await subtle().verify({ name: 'Ed25519' }, key as CryptoKey, ab(signature), ab(message));
    } catch {
      return false;
    }
  },
} satisfies Pick<Backend, 'rsaSigningKey' | 'rsaPrivateRaw' | 'rsaSignMessage' | 'ecdsaKey' | 'ecdsaSign' | 'ecdsaVerify' | 'ed25519Key' | 'ed25519Sign' | 'ed25519Verify'>;

/** `a ‖ b` (WebCrypto and @noble/ciphers take the additional data in one piece). */
function joined(a: Uint8Array, b: Uint8Array | undefined): Uint8Array {
  if (!b || b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export const webBackend: Backend = {
  name: 'webcrypto',

  hmacKey(raw: Uint8Array): Promise<BackendKey> {
    return subtle().importKey('raw', ab(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  },

  async hmacSha256(key: BackendKey, data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await subtle().sign('HMAC', key as CryptoKey, ab(data)));
  },

  async aesGcmEncrypt(key, iv, plaintext, aadHead, into, aadTail) {
    const aad = joined(aadHead, aadTail);
    const k = await subtle().importKey('raw', ab(key), 'AES-GCM', false, ['encrypt']);
    const out = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: ab(iv), additionalData: ab(aad), tagLength: 128 }, k, ab(plaintext)));
    if (!into) return out;
    into.set(out);
    return into;
  },

  async aesGcmDecrypt(key, iv, ciphertextAndTag, aadHead, aadTail) {
    const aad = joined(aadHead, aadTail);
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

  ...webSigning,

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
