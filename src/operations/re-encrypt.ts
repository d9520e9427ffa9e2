/**
 * ReEncrypt: decrypts under the source key and encrypts under the destination key in one call
 * (API reference, ReEncrypt). kms:ReEncryptFrom on the source and kms:ReEncryptTo on the
 * destination are both checked, with both keys' states and algorithms, before anything is
 * decrypted; the plaintext lives only inside this call and is wiped before it returns or throws.
 */
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { wipe } from '../util/bytes.js';
import { resolveKey } from './access.js';
import { checkPlaintextLimit, contextFor, dryRun } from './checks.js';
import { ciphertextSource, ignoresCiphertext, open } from './ciphertext-source.js';
import type { OpContext } from './context.js';
import { checkKeyState } from './key-states.js';
import { arnIfAny } from './resolve.js';
import { algorithmFor, checkUsage } from './spec.js';
import type { OperationRow } from './types.js';

export async function reEncrypt(ctx: OpContext, input: Validated<'ReEncrypt'>, op: OperationRow<'ReEncrypt'>): Promise<T.ReEncryptResponse> {
  const ignore = ignoresCiphertext(input);
  const destinationId = input.DestinationKeyId;
  const src = await ciphertextSource(ctx, op, {
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
  const dst = await resolveKey(ctx, op, 'DestinationKeyId', destinationId, 'ReEncryptTo', {
    encryptionContext: input.DestinationEncryptionContext,
    encryptionAlgorithm: input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
    reEncryptPeer: src.rec.arn,
  });
  checkKeyState(op.keyStates as NonNullable<typeof op.keyStates>, dst);
  checkUsage(dst, 'ENCRYPT_DECRYPT', 'ReEncrypt');
  const dstRow = algorithmFor(dst, input.DestinationEncryptionAlgorithm);
  const dstAad = contextFor(dstRow, input.DestinationEncryptionContext, 'destinationEncryptionContext');
  if (ignore) dryRun(input);
  const opened = await open(ctx, src, input.CiphertextBlob as Uint8Array);
  const pt = opened.Plaintext;
  try {
    checkPlaintextLimit(dstRow, dst, pt.length);
    dryRun(input);
    const sealed = await dstRow.encrypt(ctx.env, dst, pt, dstAad);
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
  } finally {
    wipe(pt);
  }
}
