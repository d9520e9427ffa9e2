/**
 * Encapsulate, Decapsulate (API reference; @aws-sdk/client-kms ≥ 3.1160 EncapsulateCommand,
 * DecapsulateCommand): ML-KEM (FIPS 203) with an ML_KEM_512/768/1024 key of KeyUsage
 * ENCAPSULATE_DECAPSULATE. Encapsulate returns a 32-byte SharedSecret and its
 * SharedSecretCiphertextBlob (768 / 1088 / 1568 bytes); Decapsulate "returns an
 * InvalidCiphertextException when the length of the SharedSecretCiphertextBlob is inconsistent
 * with the ML-KEM key spec. In all other cases, Decapsulate returns a 32-byte pseudo-random
 * value" — implicit rejection (FIPS 203 Algorithm 18), never an error for a wrong key or an
 * altered blob.
 *
 * After the runner (key, kms:Encapsulate / kms:Decapsulate, key state; AWS documents no
 * condition key for the encapsulation algorithm), in order: key usage
 * (InvalidKeyUsageException), the algorithm against the key spec (InvalidKeyUsageException),
 * for Decapsulate the blob's length (InvalidCiphertextException), DryRun, then the operation.
 *
 * Ownership of the secret, as for DeriveSharedSecret: algorithms/ml-kem.ts returns K in a fresh
 * buffer (noble's intermediates wiped there) that becomes SharedSecret; a library caller owns
 * it, the protocol adapter zeroes it once the JSON is built.
 */
import { ML_KEM_KEY_SPEC_SETS, encapsulationAlgorithm, type EncapsulationAlgorithm, type MlKemKeySpec } from '../algorithms/ml-kem.js';
import { InvalidCiphertextException, InvalidKeyUsageException } from '../errors.js';
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { dryRun } from './checks.js';
import type { OpContext } from './context.js';
import { checkListedAlgorithm, checkUsage, keyMaterial, keySpecRow } from './spec.js';

type KemOp = 'Encapsulate' | 'Decapsulate';

function kemFor(rec: KeyRecord, name: string, op: KemOp): { kem: EncapsulationAlgorithm; spec: MlKemKeySpec } {
  checkUsage(rec, 'ENCAPSULATE_DECAPSULATE', op);
  checkListedAlgorithm(rec, keySpecRow(rec).encapsulationAlgorithms, name);
  const spec = rec.keySpec;
  // A registry row listing ML_KEM is an ML-KEM spec; this only narrows the type.
  if (!Object.prototype.hasOwnProperty.call(ML_KEM_KEY_SPEC_SETS, spec)) throw new InvalidKeyUsageException(`Algorithm ${name} is incompatible with key spec ${spec}.`);
  return { kem: encapsulationAlgorithm(name) as EncapsulationAlgorithm, spec: spec as MlKemKeySpec };
}

export async function encapsulate(ctx: OpContext, input: Validated<'Encapsulate'>, rec: KeyRecord): Promise<T.EncapsulateResponse> {
  const { kem, spec } = kemFor(rec, input.EncapsulationAlgorithm, 'Encapsulate');
  const bk = keyMaterial(rec);
  dryRun(input);
  const { sharedSecret, ciphertext } = await kem.encapsulate(ctx.env, spec, bk);
  return { KeyId: rec.arn, SharedSecret: sharedSecret, SharedSecretCiphertextBlob: ciphertext, EncapsulationAlgorithm: kem.name };
}

export async function decapsulate(ctx: OpContext, input: Validated<'Decapsulate'>, rec: KeyRecord): Promise<T.DecapsulateResponse> {
  const { kem, spec } = kemFor(rec, input.EncapsulationAlgorithm, 'Decapsulate');
  const blob = input.SharedSecretCiphertextBlob;
  /* Precondition: the SharedSecretCiphertextBlob has the key spec's ciphertext length (InvalidCiphertextException). */
  if (blob.length !== ML_KEM_KEY_SPEC_SETS[spec].ciphertextBytes) throw new InvalidCiphertextException('');
  const bk = keyMaterial(rec);
  dryRun(input);
  const secret = await kem.decapsulate(ctx.env, spec, bk, blob);
  // Only a wrong length gives undefined, and that was refused above.
  if (!secret) throw new InvalidCiphertextException('');
  return { KeyId: rec.arn, SharedSecret: secret, EncapsulationAlgorithm: kem.name };
}
