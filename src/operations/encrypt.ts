/** Encrypt: plaintext 1..4096 bytes (less for RSA and SM2) under a key (API reference, Encrypt). */
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { andThenWith, type MaybePromise } from '../util/maybe.js';
import type { EncryptionAlgorithm, Sealed } from '../algorithms/types.js';
import { contextFor, sealOwned } from './checks.js';
import type { OpContext } from './context.js';
import { algorithmFor, checkUsage } from './spec.js';

export function encrypt(ctx: OpContext, input: Validated<'Encrypt'>, rec: KeyRecord): MaybePromise<T.EncryptResponse> {
  checkUsage(rec, 'ENCRYPT_DECRYPT', 'Encrypt');
  const row = algorithmFor(rec, input.EncryptionAlgorithm);
  const aad = contextFor(row, input.EncryptionContext, 'encryptionContext');
  // Validation's own copy of the caller's plaintext: sealOwned wipes it, whatever happens (once
  // the cipher is done, synchronous or not). No closure per call (util/maybe.ts andThenWith).
  return andThenWith(sealOwned(ctx.env, row, rec, input.Plaintext, aad, input), response, rec, row);
}

function response(sealed: Sealed, rec: KeyRecord, row: EncryptionAlgorithm): T.EncryptResponse {
  return { CiphertextBlob: sealed.CiphertextBlob, KeyId: rec.arn, EncryptionAlgorithm: row.name };
}
