/**
 * ReEncrypt: decrypts under the source key and encrypts under the destination key in one call
 * (API reference, ReEncrypt). kms:ReEncryptFrom on the source and kms:ReEncryptTo on the
 * destination are both checked, with both keys' states and algorithms, before anything is
 * decrypted; the plaintext lives only inside this call and is wiped before it returns or throws.
 */
import type { EncryptionAlgorithm, Opened } from '../algorithms/types.js';
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { wipe } from '../util/bytes.js';
import { lastly, andThen, type MaybePromise } from '../util/maybe.js';
import { resolveKey } from './access.js';
import { checkPlaintextLimit, contextFor, dryRun } from './checks.js';
import { ciphertextSource, ignoresCiphertext, open, type CiphertextSource } from './ciphertext-source.js';
import type { OpContext } from './context.js';
import { checkKeyState } from './key-states.js';
import { arnIfAny } from './resolve.js';
import { algorithmFor, checkUsage } from './spec.js';
import type { OperationRow } from './types.js';

export function reEncrypt(ctx: OpContext, input: Validated<'ReEncrypt'>, op: OperationRow<'ReEncrypt'>): MaybePromise<T.ReEncryptResponse> {
  const ignore = ignoresCiphertext(input);
  const destinationId = input.DestinationKeyId;
  const source = ciphertextSource(ctx, op, {
    blob: input.CiphertextBlob,
    keyId: input.SourceKeyId,
    algorithm: input.SourceEncryptionAlgorithm,
    context: input.SourceEncryptionContext,
    ignoreCiphertext: ignore,
    action: 'ReEncryptFrom',
    names: { blob: 'ciphertextBlob', keyId: 'SourceKeyId', keyMember: 'SourceKeyId', context: 'sourceEncryptionContext' },
    // kms:ReEncryptOnSameKey: is the source ARN the destination ARN?
    peer: () => arnIfAny(ctx, destinationId),
  });
  return andThen(source, (src) =>
    andThen(
      resolveKey(ctx, op, 'DestinationKeyId', destinationId, 'ReEncryptTo', {
        encryptionContext: input.DestinationEncryptionContext,
        encryptionAlgorithm: input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
        reEncryptPeer: src.rec.arn,
      }),
      (dst) => {
        checkKeyState(op.keyStates as NonNullable<typeof op.keyStates>, dst);
        checkUsage(dst, 'ENCRYPT_DECRYPT', 'ReEncrypt');
        const dstRow = algorithmFor(dst, input.DestinationEncryptionAlgorithm);
        const dstAad = contextFor(dstRow, input.DestinationEncryptionContext, 'destinationEncryptionContext');
        if (ignore) dryRun(input);
        return andThen(open(ctx, src, input.CiphertextBlob as Uint8Array), (opened) => reEncryptOpened(ctx, input, src, dst, dstRow, dstAad, opened));
      },
    ),
  );
}

/** The second half: the plaintext, sealed under the destination key, then wiped whatever happens. */
function reEncryptOpened(ctx: OpContext, input: Validated<'ReEncrypt'>, src: CiphertextSource, dst: KeyRecord, dstRow: EncryptionAlgorithm, dstAad: Uint8Array, opened: Opened): MaybePromise<T.ReEncryptResponse> {
  const pt = opened.Plaintext;
  return lastly(
    () => {
      checkPlaintextLimit(dstRow, dst, pt.length);
      dryRun(input);
      return andThen(dstRow.encrypt(ctx.env, dst, pt, dstAad), (sealed) => {
        const out: T.ReEncryptResponse = {
          CiphertextBlob: sealed.CiphertextBlob,
          SourceKeyId: src.rec.arn,
          KeyId: dst.arn,
          SourceEncryptionAlgorithm: src.row.name,
          DestinationEncryptionAlgorithm: dstRow.name,
        };
        if (opened.KeyMaterialId !== undefined) out.SourceKeyMaterialId = opened.KeyMaterialId;
        if (sealed.KeyMaterialId !== undefined) out.DestinationKeyMaterialId = sealed.KeyMaterialId;
        return out;
      });
    },
    () => wipe(pt),
  );
}
