/** Encrypt: plaintext 1..4096 bytes (less for RSA and SM2) under a key (API reference, Encrypt). */
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { wipe } from '../util/bytes.js';
import { andThenWith, settledThen, type MaybePromise } from '../util/maybe.js';
import type { EncryptionAlgorithm, Sealed } from '../algorithms/types.js';
import { checkPlaintextLimit, contextFor, dryRun } from './checks.js';
import type { OpContext } from './context.js';
import { algorithmFor, checkUsage } from './spec.js';

export function encrypt(ctx: OpContext, input: Validated<'Encrypt'>, rec: KeyRecord): MaybePromise<T.EncryptResponse> {
  checkUsage(rec, 'ENCRYPT_DECRYPT', 'Encrypt');
  const row = algorithmFor(rec, input.EncryptionAlgorithm);
  const aad = contextFor(row, input.EncryptionContext, 'encryptionContext');
  // Validation's own copy of the caller's plaintext: wiped here, whatever happens (once the
  // cipher is done, synchronous or not).
  const pt = input.Plaintext;
  let sealed: MaybePromise<Sealed>;
  try {
    checkPlaintextLimit(row, rec, pt.length);
    dryRun(input);
    sealed = row.encrypt(ctx.env, rec, pt, aad);
  } catch (e) {
    wipe(pt);
    throw e;
  }
  // No closure per call (util/maybe.ts andThenWith; issue 14).
  return andThenWith(settledThen(sealed, wipe, pt), response, rec, row);
}

function response(sealed: Sealed, rec: KeyRecord, row: EncryptionAlgorithm): T.EncryptResponse {
  return { CiphertextBlob: sealed.CiphertextBlob, KeyId: rec.arn, EncryptionAlgorithm: row.name };
}
