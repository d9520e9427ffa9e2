/**
 * SYMMETRIC_DEFAULT: a data key derived from the key's backing key seals each blob.
 * - AES-256-GCM, kms-core envelope v1 (envelope/v1.ts), under a 32-byte backing key: every
 *   Region, and every key made before China Regions got SM4.
 * - SM4-GCM, envelope v2 (envelope/v2.ts), under a 16-byte backing key: keys created in the China
 *   Regions, where AWS's SYMMETRIC_DEFAULT "creates a 128-bit symmetric key that uses SM4
 *   encryption" (API_CreateKey: KeySpec).
 * The suite follows the BACKING KEY (its length), never the Region alone: a key keeps the suite
 * of its first material through every rotation, and a blob's version byte picks the suite to
 * open it with, so v1 blobs decrypt forever and ReEncrypt moves ciphertext between the two.
 * Plaintext 1..4096 bytes (API model PlaintextType).
 */
import { MAGIC, OFF_MATERIAL_ID, OVERHEAD, VERSION_1, VERSION_2, hasPrefix, keyHeaderPrefix } from '../envelope/format.js';
import { hmacSm3Key } from '../envelope/kdf-v2.js';
import { openV1, sealV1 } from '../envelope/v1.js';
import { openV2, sealV2 } from '../envelope/v2.js';
import type { BackingKey, KeyRecord } from '../keys/record.js';
import { currentMaterial } from '../keys/record.js';
import { isHexOf, toHex } from '../util/bytes.js';
import { SM2_REGIONS } from './sm2pke.js';
import type { CryptoEnv, EncryptionAlgorithm, KeySpecInfo, Opened, Sealed } from './types.js';
import { andThenWith, type MaybePromise } from '../util/maybe.js';
import type { BackendKey } from '../backend/types.js';

/**
 * The two symmetric suites, named by backing-key length: 32 bytes → AES-256-GCM (envelope v1),
 * 16 bytes → SM4-GCM (envelope v2).
 */
export type SymmetricSuite = 'AES_256_GCM' | 'SM4_GCM';

export const SUITE_KEY_BYTES: Readonly<Record<SymmetricSuite, number>> = { AES_256_GCM: 32, SM4_GCM: 16 };
const SUITE_VERSION: Readonly<Record<SymmetricSuite, number>> = { AES_256_GCM: VERSION_1, SM4_GCM: VERSION_2 };

/** The China Regions, where SYMMETRIC_DEFAULT is SM4 (the Regions that offer SM2, too). */
export const SM4_REGIONS: readonly string[] = SM2_REGIONS;

/** The suite of a symmetric backing key; undefined for a length neither suite uses. */
export function symmetricSuite(bk: BackingKey): SymmetricSuite | undefined {
  const n = bk.material.length;
  return n === 32 ? 'AES_256_GCM' : n === 16 ? 'SM4_GCM' : undefined;
}

/** The suite of a key's current material (AES for a key without any). */
export function currentSuite(rec: KeyRecord): SymmetricSuite {
  const bk = currentMaterial(rec);
  return (bk && symmetricSuite(bk)) || 'AES_256_GCM';
}

/** The suite new symmetric keys get in `region`. */
export function suiteForRegion(region: string | undefined): SymmetricSuite {
  return region !== undefined && SM4_REGIONS.includes(region) ? 'SM4_GCM' : 'AES_256_GCM';
}

export const symmetricDefault: EncryptionAlgorithm = {
  name: 'SYMMETRIC_DEFAULT',
  selfDescribing: true,
  acceptsContext: true,
  maxPlaintext: () => 4096,

  // Never throws synchronously (a refusal is a rejected promise, as from an async function),
  // but answers synchronously when the backend does (node:crypto): no microtask (issue 14).
  encrypt(env, key, plaintext, context) {
    try {
      return encryptSymmetric(env, key, plaintext, context);
    } catch (e) {
      return Promise.reject(e);
    }
  },

  decrypt(env, key, blob, context) {
    try {
      return decryptSymmetric(env, key, blob, context);
    } catch (e) {
      return Promise.reject(e);
    }
  },
};

function encryptSymmetric(env: CryptoEnv, key: KeyRecord, plaintext: Uint8Array, context: Uint8Array): MaybePromise<Sealed> {
  const bk = currentMaterial(key);
  /* Precondition: an Enabled symmetric key has material (PendingImport was refused earlier). */
  if (!bk) throw new Error('kms-core: symmetric key without backing key');
  const prefix = headerPrefix(env, key, bk);
  /* Precondition: a symmetric backing key is 32 (AES) or 16 (SM4) bytes (the snapshot reader checks it). */
  if (!prefix) throw new Error('kms-core: symmetric backing key of unknown length');
  if (prefix[1] === VERSION_2) return sealedBy(sealV2(sm3Key(env, bk), prefix, plaintext, context, env.random), bk);
  return andThenWith(hmacKey(env, bk), sealWith, env, bk, prefix, plaintext, context);
}

// Continuations as plain functions, not closures (util/maybe.ts andThenWith): a synchronous
// import and backend allocate no closure context for them (issue 14).
function sealWith(hbk: BackendKey, env: CryptoEnv, bk: BackingKey, prefix: Uint8Array, plaintext: Uint8Array, context: Uint8Array): MaybePromise<Sealed> {
  return andThenWith(sealV1(env.backend, hbk, prefix, plaintext, context, env.random), sealedBy, bk);
}

function sealedBy(blob: Uint8Array, bk: BackingKey): Sealed {
  return { CiphertextBlob: blob, KeyMaterialId: bk.id };
}

function openWith(hbk: BackendKey, env: CryptoEnv, bk: BackingKey, blob: Uint8Array, context: Uint8Array): MaybePromise<Opened | undefined> {
  return andThenWith(openV1(env.backend, hbk, blob, context), openedBy, bk);
}

function openedBy(pt: Uint8Array | undefined, bk: BackingKey): Opened | undefined {
  return pt && { Plaintext: pt, KeyMaterialId: bk.id };
}

function decryptSymmetric(env: CryptoEnv, key: KeyRecord, blob: Uint8Array, context: Uint8Array): MaybePromise<Opened | undefined> {
  if (blob.length < OVERHEAD || blob[0] !== MAGIC) return undefined;
  const version = blob[1];
  if (version !== VERSION_1 && version !== VERSION_2) return undefined;
  // The backing key whose header prefix (version, key reference, KeyMaterialId) the blob
  // carries, found by the KeyMaterialId in the header. The prefix's version byte is its
  // material's suite, so a blob of the other suite never matches.
  const bk = versionOf(key, blob);
  const prefix = bk && headerPrefix(env, key, bk);
  if (!bk || !prefix || !hasPrefix(blob, prefix)) return undefined;
  if (version === VERSION_2) return openedBy(openV2(sm3Key(env, bk), blob, context), bk);
  return andThenWith(hmacKey(env, bk), openWith, env, bk, blob, context);
}

/** Short histories are scanned (newest first: most blobs are recent); longer ones are indexed. */
const SCAN_LIMIT = 8;
/** KeyMaterialId → index in the material list, per list (lists only grow; entries are checked on use). */
const indexes = new WeakMap<readonly BackingKey[], { n: number; map: Map<string, number> }>();

/**
 * The version of `key` a blob names (header bytes 24..56, its KeyMaterialId), in O(1) whatever
 * the length of the key's rotation history: the oldest of 1,000 backing keys is found as fast as
 * the newest. Only a candidate: decryptSymmetric then compares the blob's whole header prefix,
 * KeyMaterialId included, with the version's own.
 */
function versionOf(key: KeyRecord, blob: Uint8Array): BackingKey | undefined {
  const list = key.material;
  // A key that never rotated has one candidate, and the prefix comparison decides: its ID, a
  // 64-character string that is two more cache misses per call over 10^5 keys, is not read (issue 14).
  if (list.length === 1) return list[0];
  if (list.length <= SCAN_LIMIT) {
    // Compared as hex against the header bytes in place: no string is built for a blob.
    for (let i = list.length - 1; i >= 0; i--) if (isHexOf((list[i] as BackingKey).id, blob, OFF_MATERIAL_ID, 32)) return list[i];
    return undefined;
  }
  const id = toHex(blob.subarray(OFF_MATERIAL_ID, OFF_MATERIAL_ID + 32));
  let index = indexes.get(list);
  if (index === undefined || index.n !== list.length) {
    // Versions added since the index was built (or none built yet): build it once.
    index = { n: list.length, map: new Map(list.map((b, j) => [b.id, j])) };
    indexes.set(list, index);
  }
  const i = index.map.get(id);
  if (i === undefined) return undefined;
  const bk = list[i];
  // An entry replaced in place (a store that rewrites its list) is looked up by scanning.
  return bk !== undefined && bk.id === id ? bk : list.find((b) => b.id === id);
}

/**
 * Header bytes 0..56 for a backing key of `key`, in the envelope version of its material's suite
 * (byte 1: 1 for AES-256-GCM, 2 for SM4-GCM); undefined for material of neither length. Built
 * once per version, so the hot path learns the suite from the prefix it reads anyway and never
 * reads the material's length again: one cache miss less per key and call over 10^5 keys
 * (issue 14).
 */
function headerPrefix(env: CryptoEnv, key: KeyRecord, bk: BackingKey): Uint8Array | undefined {
  return env.memo(bk, 'prefix/', (b) => {
    const suite = symmetricSuite(b);
    return suite && keyHeaderPrefix({ accountId: key.accountId, keyId: key.keyId, keyMaterialId: b.id }, SUITE_VERSION[suite]);
  });
}

/** The backend HMAC key of a backing key, imported once per version. */
export function hmacKey(env: CryptoEnv, bk: BackingKey) {
  return env.keyObject(bk, 'hmac/', (b) => env.backend.hmacKey(b.material));
}

/** The keyed HMAC-SM3 state of an SM4 backing key, made once per version. */
function sm3Key(env: CryptoEnv, bk: BackingKey) {
  return env.memo(bk, 'hmac-sm3/', (b) => hmacSm3Key(b.material));
}

/**
 * A new backing key: random key bytes (32 for AES-256-GCM, 16 for SM4-GCM) and a random 64-hex
 * KeyMaterialId. Rotation passes the suite of the key's current material, so a key never
 * changes suite.
 */
export function newBackingKey(env: Pick<CryptoEnv, 'random'>, createdAt: number, suite: SymmetricSuite = 'AES_256_GCM'): BackingKey {
  const material = env.random(SUITE_KEY_BYTES[suite]);
  const id = toHex(env.random(32));
  return { id, material, createdAt };
}

export const symmetricSpec: KeySpecInfo = {
  keySpec: 'SYMMETRIC_DEFAULT',
  keyType: 'symmetric',
  keyUsages: ['ENCRYPT_DECRYPT'],
  encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
  rotatable: true,
  hasPublicKey: false,
  wrapsDataKeys: true,
  bindsContext: true,
  namesMaterial: true,
  // API_CreateKey (KeySpec): "a 256-bit AES-GCM key ..., except in China Regions, where it
  // creates a 128-bit symmetric key that uses SM4 encryption". The caller passes its Region.
  generate: async (env, createdAt, region) => newBackingKey(env, createdAt, suiteForRegion(region)),
  // A rotation keeps the key's suite: an AES key rotates to AES material, an SM4 key to SM4.
  rotate: (env, createdAt, rec) => newBackingKey(env, createdAt, currentSuite(rec)),
};
