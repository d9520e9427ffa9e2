/**
 * GenerateDataKey, GenerateDataKeyWithoutPlaintext (API reference): a random data key, returned
 * encrypted under a key that wraps data keys (and in plaintext for GenerateDataKey).
 */
import { InvalidKeyUsageException, ValidationException } from '../errors.js';
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import type { Sealed } from '../algorithms/types.js';
import { wipe } from '../util/bytes.js';
import { andThen, isPending, type MaybePromise } from '../util/maybe.js';
import { contextFor, dryRun } from './checks.js';
import type { OpContext } from './context.js';
import { checkNoRecipient } from './decrypt.js';
import { algorithmFor, checkUsage, keySpecRow } from './spec.js';

type DataKeyOp = 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext';

/* Precondition: exactly one of KeySpec (AES_128, AES_256) and NumberOfBytes (1..1024). */
export function checkDataKeySize(input: Validated<DataKeyOp>): void {
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) throw new ValidationException('Please specify either number of bytes or key spec.');
  if ('Recipient' in input) checkNoRecipient(input);
}

/** The data key and its sealed form; synchronous when the backend is (issue 14). The key is wiped if sealing fails. */
function dataKey(ctx: OpContext, input: Validated<DataKeyOp>, rec: KeyRecord, op: DataKeyOp): MaybePromise<{ plaintext: Uint8Array; sealed: Sealed }> {
  checkUsage(rec, 'ENCRYPT_DECRYPT', op);
  /* Precondition: the key wraps data keys (symmetric encryption keys). */
  if (!keySpecRow(rec).wrapsDataKeys) throw new InvalidKeyUsageException(`${rec.arn} key usage is ${rec.keyUsage} with key spec ${rec.keySpec}, which is not valid for ${op}.`);
  const row = algorithmFor(rec, 'SYMMETRIC_DEFAULT');
  const aad = contextFor(row, input.EncryptionContext, 'encryptionContext');
  dryRun(input);
  const n = input.NumberOfBytes ?? (input.KeySpec === 'AES_128' ? 16 : 32);
  const plaintext = ctx.env.random(n);
  let sealed: MaybePromise<Sealed>;
  try {
    sealed = row.encrypt(ctx.env, rec, plaintext, aad);
  } catch (e) {
    wipe(plaintext);
    throw e;
  }
  if (!isPending(sealed)) return { plaintext, sealed };
  return Promise.resolve(sealed).then(
    (s) => ({ plaintext, sealed: s }),
    (e: unknown) => {
      wipe(plaintext);
      throw e;
    },
  );
}

export function generateDataKey(ctx: OpContext, input: Validated<'GenerateDataKey'>, rec: KeyRecord): MaybePromise<T.GenerateDataKeyResponse> {
  return andThen(dataKey(ctx, input, rec, 'GenerateDataKey'), ({ plaintext, sealed }) => ({ CiphertextBlob: sealed.CiphertextBlob, Plaintext: plaintext, KeyId: rec.arn, KeyMaterialId: sealed.KeyMaterialId as string }));
}

export function generateDataKeyWithoutPlaintext(ctx: OpContext, input: Validated<'GenerateDataKeyWithoutPlaintext'>, rec: KeyRecord): MaybePromise<T.GenerateDataKeyWithoutPlaintextResponse> {
  return andThen(dataKey(ctx, input, rec, 'GenerateDataKeyWithoutPlaintext'), ({ plaintext, sealed }) => {
    wipe(plaintext);
    return { CiphertextBlob: sealed.CiphertextBlob, KeyId: rec.arn, KeyMaterialId: sealed.KeyMaterialId as string };
  });
}
