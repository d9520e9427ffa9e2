/// <reference types="node" />
/**
 * node:crypto backend (OpenSSL underneath): the fast path on Node. Selected by the `node`
 * condition of package.json "imports" (#default-backend); never reachable from a browser build.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  generateKeyPair,
  privateDecrypt,
  privateEncrypt,
  publicEncrypt,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { HmacSha256Key } from '../primitives/hmac-sha256.js';
import type { Backend, BackendKey, EcCurveName, HmacHash, RsaHash, ShaName } from './types.js';

const TAG = 16;

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** OpenSSL's names of the ECDSA curves (node:crypto `namedCurve`). */
const NODE_CURVE: Record<EcCurveName, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1', secp256k1: 'secp256k1' };

/** Imports PKCS#8 or SPKI DER; undefined when OpenSSL cannot read it or it is another key type. */
function importKey(der: Uint8Array, format: 'pkcs8' | 'spki', type: string, curve?: string): KeyObject | undefined {
  try {
    const key = format === 'pkcs8' ? createPrivateKey({ key: asBuffer(der), format: 'der', type: 'pkcs8' }) : createPublicKey({ key: asBuffer(der), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== type) return undefined;
    if (curve && key.asymmetricKeyDetails?.namedCurve !== curve) return undefined;
    return key;
  } catch {
    return undefined;
  }
}

const NODE_HASH: Readonly<Record<HmacHash, string>> = { 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

interface NodeHmacKey {
  key: KeyObject;
  hash: string;
}

const der = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

interface RsaPrivate {
  key: KeyObject;
  oaepHash: 'sha1' | 'sha256';
}

/**
 * The AAD's two parts (envelope header ‖ canonical context) joined for one setAAD: each setAAD
 * is a native call of its own, ~0.2 µs per cipher (a /tmp micro-benchmark, issue 14). Both
 * parts are non-secret (the header is in the blob; AWS logs contexts), and OpenSSL absorbs AAD
 * into GHASH during the call, so one module scratch serves every call. Longer AADs than it holds
 * take two calls, which authenticate the same string (SP 800-38D: A = A1 ‖ A2).
 */
const AAD_SCRATCH = new Uint8Array(1024);

function setAad(c: { setAAD(b: Uint8Array): unknown }, aad: Uint8Array, tail: Uint8Array | undefined): void {
  const n = aad.length + (tail === undefined ? 0 : tail.length);
  if (tail === undefined || tail.length === 0) c.setAAD(aad);
  else if (n > AAD_SCRATCH.length) {
    c.setAAD(aad);
    c.setAAD(tail);
  } else {
    AAD_SCRATCH.set(aad, 0);
    AAD_SCRATCH.set(tail, aad.length);
    c.setAAD(AAD_SCRATCH.subarray(0, n));
  }
}

export const nodeBackend: Backend = {
  name: 'node',

  // Synchronous, and no native object per derivation: the KDF's HMAC-SHA256 runs over the
  // key's precomputed padded-key states (primitives/hmac-sha256.ts says why and what it measured; issue 14).
  // The key object keeps no copy of `raw`, so a store that zeroes its record's buffer after a
  // call leaves the cached key intact.
  hmacKey(raw) {
    return new HmacSha256Key(raw);
  },

  hmacSha256(key, data) {
    return (key as HmacSha256Key).mac(data);
  },

  aesGcmEncrypt(key, iv, plaintext, aad, into, aadTail) {
    const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG });
    setAad(c, aad, aadTail);
    const out = into ?? new Uint8Array(plaintext.length + TAG);
    out.set(c.update(plaintext));
    c.final();
    out.set(c.getAuthTag(), plaintext.length);
    return out;
  },

  aesGcmDecrypt(key, iv, ciphertextAndTag, aad, aadTail) {
    if (ciphertextAndTag.length < TAG) return undefined;
    const n = ciphertextAndTag.length - TAG;
    try {
      const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG });
      d.setAuthTag(ciphertextAndTag.subarray(n));
      setAad(d, aad, aadTail);
      const out = d.update(ciphertextAndTag.subarray(0, n));
      try {
        d.final();
      } catch {
        out.fill(0);
        return undefined;
      }
      return asBytes(out);
    } catch {
      return undefined;
    }
  },

  rsaGenerateKeyPair(modulusBits) {
    return new Promise((resolve, reject) => {
      generateKeyPair(
        'rsa',
        { modulusLength: modulusBits, publicExponent: 0x10001, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } },
        (err, publicKey, privateKey) => (err ? reject(err) : resolve({ privateKey: asBytes(privateKey), publicKey: asBytes(publicKey) })),
      );
    });
  },

  async rsaPublicKey(spki) {
    try {
      const key = createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'rsa') return undefined;
      return { key, modulusBytes: (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8 };
    } catch {
      return undefined;
    }
  },

  async rsaPublicRaw(key, em) {
    // RSA_NO_PADDING: the raw RSAEP of RFC 8017 §5.1.1; OAEP encoding was done by the caller.
    return asBytes(publicEncrypt({ key: key as KeyObject, padding: constants.RSA_NO_PADDING }, em));
  },

  async rsaPrivateKey(pkcs8, hash: RsaHash): Promise<BackendKey> {
    const key = createPrivateKey({ key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength), format: 'der', type: 'pkcs8' });
    return { key, oaepHash: hash === 'SHA-1' ? 'sha1' : 'sha256' } satisfies RsaPrivate;
  },

  async rsaOaepDecrypt(handle, ciphertext) {
    const { key, oaepHash } = handle as RsaPrivate;
    try {
      return asBytes(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, ciphertext));
    } catch {
      return undefined;
    }
  },

  async rsaSigningKey(pkcs8) {
    return createPrivateKey({ key: asBuffer(pkcs8), format: 'der', type: 'pkcs8' });
  },

  async rsaPrivateRaw(key, em) {
    // RSA_NO_PADDING: the bare RSASP1; OpenSSL blinds it and checks the CRT result itself.
    return asBytes(privateEncrypt({ key: key as KeyObject, padding: constants.RSA_NO_PADDING }, em));
  },

  async ecdsaKey(curve, der, format) {
    return importKey(der, format, 'ec', NODE_CURVE[curve]);
  },

  async ecdsaSign(key, hash, message) {
    return asBytes(nodeSign(NODE_HASH[hash], message, { key: key as KeyObject, dsaEncoding: 'der' }));
  },

  async ecdsaVerify(key, hash, message, der) {
    try {
      return nodeVerify(NODE_HASH[hash], message, { key: key as KeyObject, dsaEncoding: 'der' }, der);
    } catch {
      return false;
    }
  },

  async ed25519Key(der, format) {
    return importKey(der, format, 'ed25519');
  },

  async ed25519Sign(key, message) {
    return asBytes(nodeSign(null, message, key as KeyObject));
  },

  async ed25519Verify(key, message, signature) {
    try {
      return nodeVerify(null, message, key as KeyObject, signature);
    } catch {
      return false;
    }
  },

  async hmacKeyWith(hash, raw) {
    return { key: createSecretKey(raw), hash: NODE_HASH[hash] } satisfies NodeHmacKey;
  },

  async hmac(handle, data) {
    const { key, hash } = handle as NodeHmacKey;
    return asBytes(createHmac(hash, key).update(data).digest());
  },

  async ecdhPrivateKey(_curve, pkcs8) {
    return createPrivateKey({ key: der(pkcs8), format: 'der', type: 'pkcs8' });
  },

  async ecdhDerive(key, peerSpki) {
    // OpenSSL's ECDH derive returns the x-coordinate left-padded to the field size.
    const publicKey = createPublicKey({ key: der(peerSpki), format: 'der', type: 'spki' });
    return asBytes(diffieHellman({ privateKey: key as KeyObject, publicKey }));
  },
};
