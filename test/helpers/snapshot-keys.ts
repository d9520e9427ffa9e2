/**
 * Keys with given material, loaded the way an emulator loads its keys: through a key-store
 * snapshot (README "Key-store snapshot"), so vector keys (Wycheproof, RFC 4231) reach the Kms
 * operations exactly as persisted keys do.
 */
import { createHash } from 'node:crypto';
import { InMemoryKeyStore, type KeySpec, type KeyStoreSnapshot, type KeyUsageType } from '../../src/index.js';

export interface SnapshotKey {
  keySpec: KeySpec;
  keyUsage: KeyUsageType;
  /** Raw HMAC key, or the PKCS#8 private key of an asymmetric key. */
  material: Uint8Array;
  /** SPKI of an asymmetric key. */
  publicKey?: Uint8Array;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** The n-th key ID of a snapshot made here (a valid UUID v4 form). */
export const snapshotKeyId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** A snapshot document of `keys` (Enabled, AWS_KMS, account 111122223333) in `region`. */
export function snapshotOf(keys: readonly SnapshotKey[], region = 'us-east-1', account = '111122223333'): KeyStoreSnapshot {
  const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws';
  const at = '2026-01-01T00:00:00.000Z';
  return {
    format: 'kms-core/key-store',
    version: 1,
    aliases: [],
    keys: keys.map((k, i) => {
      const keyId = snapshotKeyId(i + 1);
      const m: Record<string, unknown> = { KeyMaterialId: createHash('sha256').update(`${i}:`).update(k.material).digest('hex'), Material: b64(k.material), CreatedAt: at };
      if (k.publicKey) m.PublicKey = b64(k.publicKey);
      return {
        KeyId: keyId,
        Arn: `arn:${partition}:kms:${region}:${account}:key/${keyId}`,
        AccountId: account,
        Region: region,
        KeySpec: k.keySpec,
        KeyUsage: k.keyUsage,
        Origin: 'AWS_KMS',
        Description: `vector key ${i + 1}`,
        MultiRegion: false,
        CreationDate: at,
        KeyState: 'Enabled',
        RotationEnabled: false,
        KeyMaterial: [m],
      };
    }),
  };
}

/** A store loaded from the snapshot of `keys` (as JSON text, as a file would hold it); key IDs in order. */
export function storeWith(keys: readonly SnapshotKey[], region?: string): { store: InMemoryKeyStore; keyIds: string[] } {
  const store = InMemoryKeyStore.fromSnapshot(JSON.stringify(snapshotOf(keys, region)));
  return { store, keyIds: keys.map((_, i) => snapshotKeyId(i + 1)) };
}
