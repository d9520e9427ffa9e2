/** Decrypt: symmetric ciphertext names its key; asymmetric needs KeyId and EncryptionAlgorithm (API reference, Decrypt). */
import { UnsupportedOperationException } from '../errors.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { wipe } from '../util/bytes.js';
import { andThenWith, type MaybePromise } from '../util/maybe.js';
import { dryRun } from './checks.js';
import { ciphertextSource, ignoresCiphertext, open, type CiphertextSource } from './ciphertext-source.js';
import type { Opened } from '../algorithms/types.js';
import type { OpContext } from './context.js';
import { RECIPIENT_UNSUPPORTED } from './messages.js';
import type { OperationRow } from './types.js';

/* Precondition: no Recipient (Nitro Enclaves attestation is not modelled). */
export function checkNoRecipient(input: { readonly Recipient?: unknown }): void {
  if (input.Recipient !== undefined) throw new UnsupportedOperationException(RECIPIENT_UNSUPPORTED);
}

/** The source's member names, as AWS names them in messages. */
const SOURCE_NAMES = { blob: 'ciphertextBlob', keyId: 'KeyId', keyMember: 'KeyId', context: 'encryptionContext' } as const;

export function decrypt(ctx: OpContext, input: Validated<'Decrypt'>, op: OperationRow<'Decrypt'>): MaybePromise<T.DecryptResponse> {
  const ignore = ignoresCiphertext(input);
  const source = ciphertextSource(ctx, op, {
    blob: input.CiphertextBlob,
    keyId: input.KeyId,
    algorithm: input.EncryptionAlgorithm,
    context: input.EncryptionContext,
    ignoreCiphertext: ignore,
    action: 'Decrypt',
    names: SOURCE_NAMES,
  });
  return andThenWith(source, withSource, ctx, input, ignore);
}

// Plain functions chained by util/maybe.ts andThenWith, not closures: a synchronous Decrypt
// allocates no closure context per step (issue 14).
function withSource(src: CiphertextSource, ctx: OpContext, input: Validated<'Decrypt'>, ignore: boolean): MaybePromise<T.DecryptResponse> {
  if (ignore) dryRun(input);
  return andThenWith(open(ctx, src, input.CiphertextBlob as Uint8Array), response, src, input);
}

function response(opened: Opened, src: CiphertextSource, input: Validated<'Decrypt'>): T.DecryptResponse {
  if (input.DryRun === true) {
    wipe(opened.Plaintext);
    dryRun(input);
  }
  const out: T.DecryptResponse = { KeyId: src.rec.arn, Plaintext: opened.Plaintext, EncryptionAlgorithm: src.row.name };
  if (opened.KeyMaterialId !== undefined) out.KeyMaterialId = opened.KeyMaterialId;
  return out;
}
