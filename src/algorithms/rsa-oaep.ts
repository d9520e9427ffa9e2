/**
 * RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256 (RFC 8017 §7.1), as AWS KMS uses them: the same hash
 * for OAEP and MGF1, an empty label, and ciphertext that is the raw k-byte RSA output with no
 * header (AWS keeps no metadata in asymmetric ciphertext), so any OAEP implementation can
 * produce ciphertext for a key's public half.
 *
 * Encryption encodes EME-OAEP here (the seed comes from the Kms `random`, so every backend
 * gives the same bytes from the same randomness) and asks the backend for the raw public
 * operation. Decryption is the backend's RSAES-OAEP-DECRYPT; every failure is `undefined`,
 * turned by Kms into the one InvalidCiphertextException (no padding oracle in our code: the
 * platform's decryption reports one error for every padding failure).
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { RsaHash } from '../backend/types.js';
import type { BackingKey, KeySpec } from '../keys/record.js';
import { currentMaterial } from '../keys/record.js';
import { toHex, wipe } from '../util/bytes.js';
import { RSA_SIGNING_ALGORITHMS } from './signing/rsassa.js';
import type { CryptoEnv, EncryptionAlgorithm, EncryptionAlgorithmSpec, KeySpecInfo } from './types.js';

interface Hash {
  readonly name: RsaHash;
  readonly hLen: number;
  readonly digest: (m: Uint8Array) => Uint8Array;
}

const SHA1: Hash = { name: 'SHA-1', hLen: 20, digest: sha1 };
const SHA256: Hash = { name: 'SHA-256', hLen: 32, digest: sha256 };

/** Modulus size in bytes (k) per key spec. */
export const RSA_MODULUS_BYTES: Readonly<Partial<Record<KeySpec, number>>> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };

/** MGF1 (RFC 8017 §B.2.1). */
function mgf1(hash: Hash, seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let counter = 0, o = 0; o < len; counter++, o += hash.hLen) {
    new DataView(input.buffer).setUint32(seed.length, counter);
    const h = hash.digest(input);
    out.set(h.subarray(0, Math.min(hash.hLen, len - o)), o);
  }
  return out;
}

/** EME-OAEP encoding (RFC 8017 §7.1.1 step 2) with an empty label L. */
export function oaepEncode(hash: Hash, k: number, msg: Uint8Array, seed: Uint8Array): Uint8Array {
  const { hLen } = hash;
  const lHash = hash.digest(new Uint8Array(0));
  // DB = lHash ‖ PS ‖ 0x01 ‖ M, of length k − hLen − 1.
  const db = new Uint8Array(k - hLen - 1);
  db.set(lHash);
  db[db.length - msg.length - 1] = 0x01;
  db.set(msg, db.length - msg.length);
  const dbMask = mgf1(hash, seed, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= dbMask[i] as number;
  const seedMask = mgf1(hash, db, hLen);
  const em = new Uint8Array(k);
  for (let i = 0; i < hLen; i++) em[1 + i] = (seed[i] as number) ^ (seedMask[i] as number);
  em.set(db, 1 + hLen);
  wipe(db, dbMask);
  return em;
}

function publicKey(env: CryptoEnv, bk: BackingKey) {
  return env.keyObject(bk, 'rsa-public/', async (b) => {
    const pub = await env.backend.rsaPublicKey(b.publicKey as Uint8Array);
    /* Precondition: an RSA key record holds an RSA public key. */
    if (!pub) throw new Error('kms-core: RSA key record holds no RSA public key');
    return pub;
  });
}

function oaep(name: EncryptionAlgorithmSpec, hash: Hash): EncryptionAlgorithm {
  return {
    name,
    selfDescribing: false,
    acceptsContext: false,
    // k − 2·hLen − 2 (RFC 8017 §7.1.1 step 1.b): 2048: 214/190, 3072: 342/318, 4096: 470/446.
    maxPlaintext: (spec) => (RSA_MODULUS_BYTES[spec] ?? 0) - 2 * hash.hLen - 2,

    async encrypt(env, key, plaintext) {
      const bk = currentMaterial(key) as BackingKey;
      const pub = await publicKey(env, bk);
      const em = oaepEncode(hash, pub.modulusBytes, plaintext, env.random(hash.hLen));
      try {
        return { CiphertextBlob: await env.backend.rsaPublicRaw(pub.key, em) };
      } finally {
        wipe(em);
      }
    },

    async decrypt(env, key, blob) {
      const bk = currentMaterial(key) as BackingKey;
      if (blob.length !== RSA_MODULUS_BYTES[key.keySpec]) return undefined;
      const priv = await env.keyObject(bk, `rsa-private/${hash.name}/`, (b) => env.backend.rsaPrivateKey(b.material, hash.name));
      const pt = await env.backend.rsaOaepDecrypt(priv, blob);
      return pt && { Plaintext: pt };
    },
  };
}

export const rsaesOaepSha1 = oaep('RSAES_OAEP_SHA_1', SHA1);
export const rsaesOaepSha256 = oaep('RSAES_OAEP_SHA_256', SHA256);

function rsaSpec(keySpec: 'RSA_2048' | 'RSA_3072' | 'RSA_4096'): KeySpecInfo {
  const bytes = RSA_MODULUS_BYTES[keySpec] as number;
  return {
    keySpec,
    keyType: 'asymmetric',
    encryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    rotatable: false,
    hasPublicKey: true,
    wrapsDataKeys: false,
    bindsContext: false,
    namesMaterial: false,
    // Developer Guide, "RSA key specs for signing and verification" (algorithms/signing/rsassa.ts).
    signingAlgorithms: RSA_SIGNING_ALGORITHMS,
    keyUsages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
    async generate(env, createdAt) {
      const { privateKey, publicKey } = await env.backend.rsaGenerateKeyPair(bytes * 8);
      return { id: toHex(env.random(32)), material: privateKey, publicKey, createdAt };
    },
  };
}

export const rsa2048 = rsaSpec('RSA_2048');
export const rsa3072 = rsaSpec('RSA_3072');
export const rsa4096 = rsaSpec('RSA_4096');
