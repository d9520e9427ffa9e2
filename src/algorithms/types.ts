/**
 * The algorithm registry's row type. One row per EncryptionAlgorithmSpec; `Kms` never branches
 * on an algorithm name, it asks the row.
 */
import type { Backend, BackendKey } from '../backend/types.js';
import type { BackingKey, KeyRecord, KeySpec, KeyUsage } from '../keys/record.js';
import type { Random } from '../random.js';

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
   */
  keyObject<K = BackendKey>(bk: BackingKey, kind: string, make: (bk: BackingKey) => Promise<K> | K): Promise<K>;
  /** A value computed synchronously from a material version, cached like `keyObject`. */
  memo<T>(bk: BackingKey, kind: string, make: (bk: BackingKey) => T): T;
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
  encrypt(env: CryptoEnv, key: KeyRecord, plaintext: Uint8Array, context: Uint8Array): Promise<Sealed>;
  /** undefined for every failure: the caller raises the one InvalidCiphertextException. */
  decrypt(env: CryptoEnv, key: KeyRecord, blob: Uint8Array, context: Uint8Array): Promise<Opened | undefined>;
}

/** A row of the key-spec table: which algorithms a spec supports and how its material is made. */
export interface KeySpecInfo {
  readonly keySpec: KeySpec;
  readonly encryptionAlgorithms: readonly EncryptionAlgorithmSpec[];
  /**
   * The KeyUsage values CreateKey accepts for the spec (CreateKey: KeyUsage); undefined:
   * ENCRYPT_DECRYPT only. The first is not a default: only SYMMETRIC_DEFAULT may omit KeyUsage.
   */
  readonly keyUsages?: readonly KeyUsage[];
  /** DescribeKey MacAlgorithms (present when KeyUsage is GENERATE_VERIFY_MAC). */
  readonly macAlgorithms?: readonly MacAlgorithmSpec[];
  /** DescribeKey KeyAgreementAlgorithms (present when KeyUsage is KEY_AGREEMENT). */
  readonly keyAgreementAlgorithms?: readonly KeyAgreementAlgorithmSpec[];
  /** DescribeKey EncapsulationAlgorithms (present when KeyUsage is ENCAPSULATE_DECAPSULATE). */
  readonly encapsulationAlgorithms?: readonly EncapsulationAlgorithmSpec[];
  /** Regions where AWS offers the spec; undefined: everywhere. */
  readonly regions?: (region: string) => boolean;
  /** A new material version (id, material, publicKey). */
  generate(env: CryptoEnv, createdAt: number): Promise<BackingKey>;
}
