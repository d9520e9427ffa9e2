/**
 * The key record: everything kms-core knows about one KMS key. Records are plain data so that a
 * KeyStore can persist them (see keys/snapshot.ts for the JSON form). Dates are epoch
 * milliseconds; binary material is Uint8Array.
 */

/** AWS KeyState (API model enum). */
export type KeyState =
  | 'Creating'
  | 'Enabled'
  | 'Disabled'
  | 'PendingDeletion'
  | 'PendingImport'
  | 'PendingReplicaDeletion'
  | 'Unavailable'
  | 'Updating';

export const KEY_STATES: readonly KeyState[] = [
  'Creating',
  'Enabled',
  'Disabled',
  'PendingDeletion',
  'PendingImport',
  'PendingReplicaDeletion',
  'Unavailable',
  'Updating',
];

import type { KeySpec, KeyUsageType } from '../model/api.js';
import type { KeyUsageRecord } from './usage.js';
import type { ImportParameters } from './import-token.js';

/** Every KeySpec of the API model: one type for records, requests and the registry. */
export type { KeySpec };
export type KeyUsage = KeyUsageType;
export type Origin = 'AWS_KMS' | 'EXTERNAL';
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';

/**
 * One version of a key's material. For symmetric keys this is a backing key (HBK): 32 random
 * bytes from which every data key is derived. For asymmetric keys it is the private key
 * (PKCS#8 DER) with its public key (SubjectPublicKeyInfo DER).
 */
export interface BackingKey {
  /** KeyMaterialId: 64 lowercase hex characters, random, naming this version. */
  id: string;
  /**
   * Symmetric: the 32-byte HBK. HMAC: the raw HMAC key (28/32/48/64 bytes, or the imported
   * length). Asymmetric: the private key, PKCS#8 DER (ML-KEM: the seed form, 86 bytes).
   */
  material: Uint8Array;
  /** Asymmetric only: SubjectPublicKeyInfo DER. */
  publicKey?: Uint8Array;
  /** When this version was created (epoch ms). */
  createdAt: number;
  /** How this version came to be: absent for the key's original material. */
  rotationType?: RotationType;
  /**
   * Imported key material (Origin EXTERNAL) only; absent means IMPORTED (src/keys/imported.ts).
   * PENDING_IMPORT: the material was deleted (DeleteImportedKeyMaterial) or expired (ValidTo);
   * `material` is then empty and `id` still names it, so the same material can come back.
   */
  importState?: ImportState;
  /** Imported material: KEY_MATERIAL_EXPIRES (with `validTo`) or KEY_MATERIAL_DOES_NOT_EXPIRE (absent: does not expire). */
  expirationModel?: ExpirationModel;
  /** Imported material with KEY_MATERIAL_EXPIRES: when it expires (epoch ms). */
  validTo?: number;
  /** Imported symmetric material: its KeyMaterialDescription (API_ImportKeyMaterial). */
  description?: string;
}

/** API model ImportState of one imported material version (RotationsListEntry). */
export type ImportState = 'IMPORTED' | 'PENDING_IMPORT';
/** API model ExpirationModelType. */
export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';

export interface KeyRecord {
  keyId: string;
  arn: string;
  accountId: string;
  region: string;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  origin: Origin;
  description: string;
  multiRegion: boolean;
  creationDate: number;
  keyState: KeyState;
  /** Set while PendingDeletion. */
  deletionDate?: number;
  pendingWindowInDays?: number;
  /** Automatic rotation (symmetric keys only). */
  rotationEnabled: boolean;
  rotationPeriodInDays?: number;
  nextRotationDate?: number;
  /** When the latest on-demand rotation started. */
  onDemandRotationStartDate?: number;
  /** Backing-key versions, oldest first; the last one is CURRENT. Never shrinks. */
  material: BackingKey[];
  /**
   * The key policy document as it was given (CreateKey, PutKeyPolicy). Absent: the default
   * key policy (src/auth/policy.ts `defaultKeyPolicy`), which GetKeyPolicy spells out.
   */
  policy?: string;
  /** Live grants, oldest first (src/auth/grants.ts). Absent or empty: none. */
  grants?: GrantRecord[];
  /** Tags in the order they were first added (src/keys/tags.ts). Absent or empty: none. */
  tags?: TagRecord[];
  /**
   * The last usage persisted (src/keys/usage.ts): written lazily, never on the hot path; the
   * store's in-memory usage log may hold a newer one.
   */
  lastUsage?: KeyUsageRecord;
  /** When usage tracking began for this key (epoch ms); absent: a record of a kms-core before it. */
  usageTrackedSince?: number;
  /**
   * Multi-Region keys (src/keys/multi-region.ts): the Region of the set's primary key and the
   * Regions of its replica keys (sorted), the same on every key of the set ("the primary and
   * replica designations" are a shared property). Both absent on a multi-Region key that was
   * never replicated: it is the primary, with no replicas.
   */
  primaryRegion?: string;
  replicaRegions?: string[];
  /**
   * Origin EXTERNAL: the outstanding GetParametersForImport results (wrapping key pairs and
   * their tokens, src/keys/import-token.ts), oldest first. Absent or empty: none.
   */
  importParameters?: ImportParameters[];
  /**
   * Origin EXTERNAL symmetric keys: material imported with ImportType NEW_KEY_MATERIAL and not
   * yet rotated to (KeyMaterialState PENDING_ROTATION, API_RotationsListEntry). Not part of
   * `material` (whose last entry is CURRENT) and never used to encrypt or decrypt until
   * RotateKeyOnDemand makes it CURRENT.
   */
  pendingRotation?: BackingKey;
}

/** One tag on a key (API Tag: TagKey, TagValue). Replaced, never mutated in place. */
export interface TagRecord {
  key: string;
  value: string;
}

/** Grant constraints (API reference, GrantConstraints). */
export interface GrantConstraintsRecord {
  encryptionContextEquals?: Record<string, string>;
  encryptionContextSubset?: Record<string, string>;
}

/**
 * One grant on a key. Records are replaced, never mutated in place (a store may share arrays
 * between copies of a record).
 */
export interface GrantRecord {
  /** 64 lowercase hex characters. */
  grantId: string;
  /** The CreateGrant Name, if any (it makes retries idempotent). */
  name?: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  /** The account principal (`arn:<partition>:iam::<account>:root`) of the grant's creator. */
  issuingAccount: string;
  operations: string[];
  constraints?: GrantConstraintsRecord;
  /** Epoch ms. */
  creationDate: number;
  /**
   * The per-token random parts (32 lowercase hex each) of the grant tokens issued for this
   * grant: CreateGrant issues a new token on every call, retries included.
   */
  tokens: string[];
}

export interface AliasRecord {
  aliasName: string;
  aliasArn: string;
  accountId: string;
  region: string;
  targetKeyId: string;
  creationDate: number;
  lastUpdatedDate: number;
}

export function currentMaterial(record: KeyRecord): BackingKey | undefined {
  return record.material[record.material.length - 1];
}


