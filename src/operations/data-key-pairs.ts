/**
 * GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (API reference): a fresh key pair
 * for use outside KMS — the public key as DER SubjectPublicKeyInfo, the private key as DER
 * PKCS#8 PrivateKeyInfo (RFC 5958), and that private key encrypted under a symmetric
 * encryption KMS key as an ordinary symmetric ciphertext, so Decrypt and ReEncrypt take it
 * (with the same encryption context). The key pairs themselves come from
 * src/algorithms/data-key-pair.ts; this file holds what the API pages say of the request.
 */
import type { RequestFacts } from '../auth/evaluate.js';
import { dataKeyPairSpecInRegion, generateDataKeyPair as newKeyPair } from '../algorithms/data-key-pair.js';
import { InvalidKeyUsageException, UnsupportedOperationException } from '../errors.js';
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { wipe } from '../util/bytes.js';
import { contextFor, dryRun } from './checks.js';
import type { OpContext } from './context.js';
import { algorithmFor, checkUsage, keySpecRow } from './spec.js';

type PairOp = 'GenerateDataKeyPair' | 'GenerateDataKeyPairWithoutPlaintext';

/**
 * The condition keys of the request: kms:DataKeyPairSpec, the encryption context
 * (kms:EncryptionContext:*, kms:EncryptionContextKeys, grant constraints) and
 * kms:EncryptionAlgorithm, which is SYMMETRIC_DEFAULT for every operation that encrypts under a
 * symmetric key (Developer Guide, "AWS KMS condition keys").
 */
export function dataKeyPairFacts(input: Validated<PairOp>): RequestFacts {
  return { dataKeyPairSpec: input.KeyPairSpec, encryptionContext: input.EncryptionContext, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}

interface Made {
  publicKey: Uint8Array;
  /** kms-core's own PKCS#8 buffer: the caller copies what it returns and wipes this. */
  privateKey: Uint8Array;
  sealed: { CiphertextBlob: Uint8Array; KeyMaterialId?: string };
}

async function makePair(ctx: OpContext, input: Validated<PairOp>, rec: KeyRecord, op: PairOp): Promise<Made> {
  // API_GenerateDataKeyPair: KeyId "Specifies the symmetric encryption KMS key that encrypts
  // the private key … You cannot specify an asymmetric KMS key or a KMS key in a custom key store."
  checkUsage(rec, 'ENCRYPT_DECRYPT', op);
  /* Precondition: the key wraps data key pairs (symmetric encryption keys). */
  if (!keySpecRow(rec).wrapsDataKeys) throw new InvalidKeyUsageException(`${rec.arn} key usage is ${rec.keyUsage} with key spec ${rec.keySpec}, which is not valid for ${op}.`);
  /* Precondition: AWS offers the key pair spec in this Region (SM2: China Regions only; ML-KEM: not there). */
  // API_GenerateDataKeyPair: KeyPairSpec. AWS's answer elsewhere is not documented; kms-core
  // answers as CreateKey does for SM2 outside China (floci-io/floci issue 3026, measured).
  if (!dataKeyPairSpecInRegion(input.KeyPairSpec, ctx.region)) throw new UnsupportedOperationException(`KeyPairSpec ${input.KeyPairSpec} is not supported in this Region`);
  const row = algorithmFor(rec, 'SYMMETRIC_DEFAULT');
  const aad = contextFor(row, input.EncryptionContext, 'encryptionContext');
  dryRun(input);
  const { publicKey, privateKey } = await newKeyPair(ctx.env, input.KeyPairSpec);
  try {
    return { publicKey, privateKey, sealed: await row.encrypt(ctx.env, rec, privateKey, aad) };
  } catch (e) {
    wipe(privateKey);
    throw e;
  }
}

export async function generateDataKeyPair(ctx: OpContext, input: Validated<'GenerateDataKeyPair'>, rec: KeyRecord): Promise<T.GenerateDataKeyPairResponse> {
  const { publicKey, privateKey, sealed } = await makePair(ctx, input, rec, 'GenerateDataKeyPair');
  try {
    // The response owns its own copy; kms-core's buffer is zeroed once the response is built.
    return {
      PrivateKeyCiphertextBlob: sealed.CiphertextBlob,
      PrivateKeyPlaintext: privateKey.slice(),
      PublicKey: publicKey,
      KeyId: rec.arn,
      KeyPairSpec: input.KeyPairSpec,
      KeyMaterialId: sealed.KeyMaterialId as string,
    };
  } finally {
    wipe(privateKey);
  }
}

export async function generateDataKeyPairWithoutPlaintext(
  ctx: OpContext,
  input: Validated<'GenerateDataKeyPairWithoutPlaintext'>,
  rec: KeyRecord,
): Promise<T.GenerateDataKeyPairWithoutPlaintextResponse> {
  const { publicKey, privateKey, sealed } = await makePair(ctx, input, rec, 'GenerateDataKeyPairWithoutPlaintext');
  wipe(privateKey);
  return { PrivateKeyCiphertextBlob: sealed.CiphertextBlob, PublicKey: publicKey, KeyId: rec.arn, KeyPairSpec: input.KeyPairSpec, KeyMaterialId: sealed.KeyMaterialId as string };
}
