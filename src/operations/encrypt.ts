/** Encrypt: plaintext 1..4096 bytes (less for RSA and SM2) under a key (API reference, Encrypt). */
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { wipe } from '../util/bytes.js';
import { lastly, andThen, type MaybePromise } from '../util/maybe.js';
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
  return lastly(
    () => {
      checkPlaintextLimit(row, rec, pt.length);
      dryRun(input);
      return andThen(row.encrypt(ctx.env, rec, pt, aad), (sealed) => ({ CiphertextBlob: sealed.CiphertextBlob, KeyId: rec.arn, EncryptionAlgorithm: row.name }));
    },
    () => wipe(pt),
  );
}
