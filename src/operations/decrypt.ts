/** Decrypt: symmetric ciphertext names its key; asymmetric needs KeyId and EncryptionAlgorithm (API reference, Decrypt). */
import { UnsupportedOperationException } from '../errors.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { wipe } from '../util/bytes.js';
import { andThen, type MaybePromise } from '../util/maybe.js';
import { dryRun } from './checks.js';
import { ciphertextSource, ignoresCiphertext, open } from './ciphertext-source.js';
import type { OpContext } from './context.js';
import { RECIPIENT_UNSUPPORTED } from './messages.js';
import type { OperationRow } from './types.js';

/* Precondition: no Recipient (Nitro Enclaves attestation is not modelled). */
export function checkNoRecipient(input: { readonly Recipient?: unknown }): void {
  if (input.Recipient !== undefined) throw new UnsupportedOperationException(RECIPIENT_UNSUPPORTED);
}

export function decrypt(ctx: OpContext, input: Validated<'Decrypt'>, op: OperationRow<'Decrypt'>): MaybePromise<T.DecryptResponse> {
  const ignore = ignoresCiphertext(input);
  const source = ciphertextSource(ctx, op, {
    blob: input.CiphertextBlob,
    keyId: input.KeyId,
    algorithm: input.EncryptionAlgorithm,
    context: input.EncryptionContext,
    ignoreCiphertext: ignore,
    action: 'Decrypt',
    names: { blob: 'ciphertextBlob', keyId: 'KeyId', keyMember: 'KeyId', context: 'encryptionContext' },
  });
  return andThen(source, (src) => {
    if (ignore) dryRun(input);
    return andThen(open(ctx, src, input.CiphertextBlob as Uint8Array), (opened) => {
      if (input.DryRun === true) {
        wipe(opened.Plaintext);
        dryRun(input);
      }
      const out: T.DecryptResponse = { KeyId: src.rec.arn, Plaintext: opened.Plaintext, EncryptionAlgorithm: src.row.name };
      if (opened.KeyMaterialId !== undefined) out.KeyMaterialId = opened.KeyMaterialId;
      return out;
    });
  });
}
