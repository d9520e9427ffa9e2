/**
 * SYMMETRIC_DEFAULT: the kms-core envelope v1 (envelope/), AES-256-GCM under a data key derived
 * from the key's backing key. Plaintext 1..4096 bytes (API model PlaintextType).
 */
import { MAGIC, OVERHEAD, VERSION_1, hasPrefix, keyHeaderPrefix } from '../envelope/format.js';
import { openV1, sealV1 } from '../envelope/v1.js';
import type { BackingKey, KeyRecord } from '../keys/record.js';
import { currentMaterial } from '../keys/record.js';
import { toHex } from '../util/bytes.js';
import type { CryptoEnv, EncryptionAlgorithm, KeySpecInfo } from './types.js';

export const symmetricDefault: EncryptionAlgorithm = {
  name: 'SYMMETRIC_DEFAULT',
  selfDescribing: true,
  acceptsContext: true,
  maxPlaintext: () => 4096,

  async encrypt(env, key, plaintext, context) {
    const bk = currentMaterial(key);
    /* Precondition: an Enabled symmetric key has material (PendingImport was refused earlier). */
    if (!bk) throw new Error('kms-core: symmetric key without backing key');
    const blob = await sealV1(env.backend, await hmacKey(env, bk), headerPrefix(env, key, bk), plaintext, context, env.random);
    return { CiphertextBlob: blob, KeyMaterialId: bk.id };
  },

  async decrypt(env, key, blob, context) {
    if (blob.length < OVERHEAD || blob[0] !== MAGIC || blob[1] !== VERSION_1) return undefined;
    // The backing key whose header prefix (key reference + KeyMaterialId) the blob carries;
    // newest first, since most blobs are recent.
    for (let i = key.material.length - 1; i >= 0; i--) {
      const bk = key.material[i] as BackingKey;
      if (!hasPrefix(blob, headerPrefix(env, key, bk))) continue;
      const pt = await openV1(env.backend, await hmacKey(env, bk), blob, context);
      return pt && { Plaintext: pt, KeyMaterialId: bk.id };
    }
    return undefined;
  },
};

/** Header bytes 0..56 for a backing key of `key`, built once per version. */
function headerPrefix(env: CryptoEnv, key: KeyRecord, bk: BackingKey): Uint8Array {
  return env.memo(bk, 'v1-prefix/', (b) => keyHeaderPrefix({ accountId: key.accountId, keyId: key.keyId, keyMaterialId: b.id }));
}

/** The backend HMAC key of a backing key, imported once per version. */
export function hmacKey(env: CryptoEnv, bk: BackingKey) {
  return env.keyObject(bk, 'hmac/', (b) => env.backend.hmacKey(b.material));
}

/** A new backing key: 32 random bytes and a random 64-hex KeyMaterialId. */
export function newBackingKey(env: Pick<CryptoEnv, 'random'>, createdAt: number): BackingKey {
  const material = env.random(32);
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
  generate: async (env, createdAt) => newBackingKey(env, createdAt),
  rotate: (env, createdAt) => newBackingKey(env, createdAt),
};
