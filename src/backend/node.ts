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
  publicEncrypt,
  type KeyObject,
} from 'node:crypto';
import type { Backend, BackendKey, HmacHash, RsaHash } from './types.js';

const TAG = 16;

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

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

export const nodeBackend: Backend = {
  name: 'node',

  async hmacKey(raw) {
    return createSecretKey(raw);
  },

  async hmacSha256(key, data) {
    return asBytes(createHmac('sha256', key as KeyObject).update(data).digest());
  },

  async aesGcmEncrypt(key, iv, plaintext, aad, into) {
    const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG });
    c.setAAD(aad);
    const out = into ?? new Uint8Array(plaintext.length + TAG);
    out.set(c.update(plaintext));
    c.final();
    out.set(c.getAuthTag(), plaintext.length);
    return out;
  },

  async aesGcmDecrypt(key, iv, ciphertextAndTag, aad) {
    if (ciphertextAndTag.length < TAG) return undefined;
    const n = ciphertextAndTag.length - TAG;
    try {
      const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG });
      d.setAuthTag(ciphertextAndTag.subarray(n));
      d.setAAD(aad);
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
