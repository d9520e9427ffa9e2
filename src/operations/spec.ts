/**
 * What a key can do, read from its row of the key-spec registry (src/algorithms/registry.ts)
 * and its key usage. Operations ask these instead of branching on a key spec's name.
 */
import { algorithm, keySpecInfo } from '../algorithms/registry.js';
import type { EncryptionAlgorithm, EncryptionAlgorithmSpec, KeySpecInfo } from '../algorithms/types.js';
import { InvalidKeyUsageException, UnsupportedOperationException, type KmsError } from '../errors.js';
import { currentMaterial, type BackingKey, type KeyRecord } from '../keys/record.js';
import { stateError } from '../keys/state.js';

/** Key specs kms-core knows in the model but does not implement (yet). */
export function unsupportedSpec(spec: string): KmsError {
  return new UnsupportedOperationException(`KeySpec ${spec} is not supported by kms-core.`);
}

/** The registry row of a key's spec. */
export function keySpecRow(rec: KeyRecord): KeySpecInfo {
  const info = keySpecInfo(rec.keySpec);
  if (!info) throw unsupportedSpec(rec.keySpec);
  return info;
}

/* Precondition: the key's usage is the one the operation needs (InvalidKeyUsageException). */
export function checkUsage(rec: KeyRecord, usage: KeyRecord['keyUsage'], operation: string): void {
  if (rec.keyUsage !== usage) throw new InvalidKeyUsageException(`${rec.arn} key usage is ${rec.keyUsage} which is not valid for ${operation}.`);
}

/**
 * The algorithm lists DescribeKey and GetPublicKey show for a key: the ones of its usage
 * (API_KeyMetadata: EncryptionAlgorithms, SigningAlgorithms, MacAlgorithms,
 * KeyAgreementAlgorithms; EncapsulationAlgorithms for ML-KEM).
 */
export function algorithmLists(rec: KeyRecord): {
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  SigningAlgorithms?: NonNullable<KeySpecInfo['signingAlgorithms']>[number][];
  MacAlgorithms?: NonNullable<KeySpecInfo['macAlgorithms']>[number][];
  KeyAgreementAlgorithms?: NonNullable<KeySpecInfo['keyAgreementAlgorithms']>[number][];
  EncapsulationAlgorithms?: NonNullable<KeySpecInfo['encapsulationAlgorithms']>[number][];
} {
  const spec = keySpecInfo(rec.keySpec);
  if (!spec) return {};
  switch (rec.keyUsage) {
    case 'ENCRYPT_DECRYPT':
      return { EncryptionAlgorithms: [...spec.encryptionAlgorithms] };
    case 'SIGN_VERIFY':
      return { SigningAlgorithms: [...(spec.signingAlgorithms ?? [])] };
    case 'GENERATE_VERIFY_MAC':
      return { MacAlgorithms: [...(spec.macAlgorithms ?? [])] };
    case 'KEY_AGREEMENT':
      return { KeyAgreementAlgorithms: [...(spec.keyAgreementAlgorithms ?? [])] };
    case 'ENCAPSULATE_DECAPSULATE':
      return { EncapsulationAlgorithms: [...(spec.encapsulationAlgorithms ?? [])] };
  }
}

/** The registry row for `name` (default SYMMETRIC_DEFAULT), checked against the key's spec. */
export function algorithmFor(rec: KeyRecord, name: EncryptionAlgorithmSpec | undefined): EncryptionAlgorithm {
  const alg = name ?? 'SYMMETRIC_DEFAULT';
  const row = algorithm(alg);
  /* Precondition: the encryption algorithm is one the key's spec supports. */
  if (!row || !keySpecRow(rec).encryptionAlgorithms.includes(alg)) throw new InvalidKeyUsageException(`Algorithm ${alg} is incompatible with key spec ${rec.keySpec}.`);
  return row;
}

const COMMON = ['CreateGrant', 'RetireGrant', 'DescribeKey'];
const ENCRYPTION = ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo'];
const DATA_KEYS = ['GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'];
const BY_USAGE: Readonly<Record<string, readonly string[]>> = {
  ENCRYPT_DECRYPT: ENCRYPTION,
  SIGN_VERIFY: ['Sign', 'Verify'],
  GENERATE_VERIFY_MAC: ['GenerateMac', 'VerifyMac'],
  KEY_AGREEMENT: ['DeriveSharedSecret'],
  ENCAPSULATE_DECAPSULATE: ['Encapsulate', 'Decapsulate'],
};

/**
 * The grant operations a key supports (CreateGrant: "if the grant allows an operation that the
 * KMS key does not support, CreateGrant fails with a ValidationException").
 */
export function grantOperationSupported(rec: KeyRecord, op: string): boolean {
  const spec = keySpecRow(rec);
  if (COMMON.includes(op) || (BY_USAGE[rec.keyUsage] ?? []).includes(op)) return true;
  if (op === 'GetPublicKey') return spec.hasPublicKey;
  return spec.wrapsDataKeys && DATA_KEYS.includes(op);
}

/* Precondition: the algorithm is one the key's spec lists for its usage (InvalidKeyUsageException). */
export function checkListedAlgorithm<A extends string>(rec: KeyRecord, listed: readonly A[] | undefined, name: string): asserts name is A {
  if (!(listed ?? []).includes(name as A)) throw new InvalidKeyUsageException(`Algorithm ${name} is incompatible with key spec ${rec.keySpec}.`);
}

/** The material version an asymmetric or HMAC key uses (its one version); none: the key's state error. */
export function keyMaterial(rec: KeyRecord): BackingKey {
  const bk = currentMaterial(rec);
  /* Invariant: the key holds key material (the callers' key-state rule refuses PendingImport; a snapshot's usable key holds material). */
  if (!bk) throw stateError(rec);
  return bk;
}
