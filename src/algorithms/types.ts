/**
 * The algorithm registry's row type. One row per EncryptionAlgorithmSpec; `Kms` never branches
 * on an algorithm name, it asks the row.
 */
import type { Backend, BackendKey } from '../backend/types.js';
import type { BackingKey, KeyRecord, KeySpec, KeyUsage } from '../keys/record.js';
import type { Random } from '../random.js';
import type { SigningAlgorithmSpec } from '../model/api.js';
import type { MaybePromise } from '../util/maybe.js';

export type EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE';
/** AWS MacAlgorithmSpec (API model enum). */
export type MacAlgorithmSpec = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';
/** AWS KeyAgreementAlgorithmSpec (API model enum). */
export type KeyAgreementAlgorithmSpec = 'ECDH';
/** AWS EncapsulationAlgorithmSpec (@aws-sdk/client-kms ≥ 3.1160). */
export type EncapsulationAlgorithmSpec = 'ML_KEM';

/** What an algorithm may use: the platform seam, the caller's randomness, and key caches. */
export interface CryptoEnv {
  readonly backend: Backend;
  readonly random: Random;
  /**
   * A backend key object made from a material version by `make`, cached per (version, kind)
   * so that hot paths import each key once (HMAC keys of HBKs, RSA key objects, SM2 scalars).
   * Once an import has settled it may answer the object itself, not a promise (issue 14).
   */
  keyObject<K = BackendKey>(bk: BackingKey, kind: string, make: (bk: BackingKey) => Promise<K> | K): MaybePromise<K>;
  /** A value computed synchronously from a material version, cached like `keyObject`. */
  memo<T>(bk: BackingKey, kind: string, make: (bk: BackingKey) => T): T;
  /** Drops what the caches derived from material version `id` (its material was deleted). */
  forget?(id: string): void;
}

export interface Sealed {
  CiphertextBlob: Uint8Array;
  /** The backing-key version used (symmetric keys only). */
  KeyMaterialId?: string;
}

export interface Opened {
  Plaintext: Uint8Array;
  KeyMaterialId?: string;
}

export interface EncryptionAlgorithm {
  readonly name: EncryptionAlgorithmSpec;
  /** Symmetric ciphertext names its key; asymmetric ciphertext is raw and needs KeyId. */
  readonly selfDescribing: boolean;
  /** Whether an encryption context can be bound (symmetric only, as in AWS). */
  readonly acceptsContext: boolean;
  /** Largest plaintext in bytes for a key spec (AWS limits). */
  maxPlaintext(keySpec: KeySpec): number;
  encrypt(env: CryptoEnv, key: KeyRecord, plaintext: Uint8Array, context: Uint8Array): MaybePromise<Sealed>;
  /** undefined for every failure: the caller raises the one InvalidCiphertextException. */
  decrypt(env: CryptoEnv, key: KeyRecord, blob: Uint8Array, context: Uint8Array): MaybePromise<Opened | undefined>;
}

/**
 * A row of the key-spec table: which algorithms a spec supports, how its material is made, and
 * what KMS lets a key of the spec do. Operations ask these flags; none branches on a spec name.
 */
export interface KeySpecInfo {
  readonly keySpec: KeySpec;
  /** AWS's key type: UpdateAlias moves an alias only between keys of one type and usage. */
  readonly keyType: 'symmetric' | 'asymmetric' | 'hmac';
  /** The KeyUsage values kms-core offers for the spec, the default first. */
  readonly keyUsages: readonly KeyUsage[];
  readonly encryptionAlgorithms: readonly EncryptionAlgorithmSpec[];
  /** Automatic and on-demand rotation (EnableKeyRotation, RotateKeyOnDemand, ListKeyRotations). */
  readonly rotatable: boolean;
  /** GetPublicKey returns a SubjectPublicKeyInfo. */
  readonly hasPublicKey: boolean;
  /** The key may encrypt data keys and data key pairs (GenerateDataKey*, GenerateDataKeyPair*). */
  readonly wrapsDataKeys: boolean;
  /** Ciphertext binds an encryption context, so grant constraints apply to the key. */
  readonly bindsContext: boolean;
  /** Its material versions are named (CurrentKeyMaterialId, KeyMaterialId in responses). */
  readonly namesMaterial: boolean;
  /** Signing algorithms of the spec's SIGN_VERIFY keys (DescribeKey / GetPublicKey SigningAlgorithms). */
  readonly signingAlgorithms?: readonly SigningAlgorithmSpec[];
  /** DescribeKey MacAlgorithms (present when KeyUsage is GENERATE_VERIFY_MAC). */
  readonly macAlgorithms?: readonly MacAlgorithmSpec[];
  /** DescribeKey KeyAgreementAlgorithms (present when KeyUsage is KEY_AGREEMENT). */
  readonly keyAgreementAlgorithms?: readonly KeyAgreementAlgorithmSpec[];
  /** DescribeKey EncapsulationAlgorithms (present when KeyUsage is ENCAPSULATE_DECAPSULATE). */
  readonly encapsulationAlgorithms?: readonly EncapsulationAlgorithmSpec[];
  /** Regions where AWS offers the spec; undefined: everywhere. */
  readonly regions?: (region: string) => boolean;
  /**
   * A new material version (id, material, publicKey). `region` is the Region the key is created
   * in, for specs whose material depends on it (SYMMETRIC_DEFAULT is SM4 in the China Regions).
   */
  generate(env: CryptoEnv, createdAt: number, region?: string): Promise<BackingKey>;
  /**
   * For rotatable specs: the next material version of `rec`, made synchronously so that a
   * rotation can be applied inside KeyStore.updateKey's atomic mutation.
   */
  readonly rotate?: (env: Pick<CryptoEnv, 'random'>, createdAt: number, rec: KeyRecord) => BackingKey;
}
