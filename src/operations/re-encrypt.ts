/**
 * ReEncrypt: decrypts under the source key and encrypts under the destination key in one call
 * (API reference, ReEncrypt). kms:ReEncryptFrom on the source and kms:ReEncryptTo on the
 * destination are both checked, with both keys' states and algorithms, before anything is
 * decrypted; the plaintext lives only inside this call and is wiped before it returns or throws.
 */
import type { EncryptionAlgorithm, Opened, Sealed } from '../algorithms/types.js';
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { andThenWith, type MaybePromise } from '../util/maybe.js';
import { resolveKey } from './access.js';
import { contextFor, dryRun, sealOwned } from './checks.js';
import { ciphertextSource, ignoresCiphertext, open, type CiphertextSource } from './ciphertext-source.js';
import type { OpContext } from './context.js';
import { checkKeyState } from './key-states.js';
import { arnIfAny } from './resolve.js';
import { algorithmFor, checkUsage } from './spec.js';
import type { OperationRow } from './types.js';

/** The source's member names, as AWS names them in messages. */
const SOURCE_NAMES = { blob: 'ciphertextBlob', keyId: 'SourceKeyId', keyMember: 'SourceKeyId', context: 'sourceEncryptionContext' } as const;

export function reEncrypt(ctx: OpContext, input: Validated<'ReEncrypt'>, op: OperationRow<'ReEncrypt'>): MaybePromise<T.ReEncryptResponse> {
  const ignore = ignoresCiphertext(input);
  const source = ciphertextSource(ctx, op, {
    blob: input.CiphertextBlob,
    keyId: input.SourceKeyId,
    algorithm: input.SourceEncryptionAlgorithm,
    context: input.SourceEncryptionContext,
    ignoreCiphertext: ignore,
    action: 'ReEncryptFrom',
    names: SOURCE_NAMES,
    // kms:ReEncryptOnSameKey: is the source ARN the destination ARN?
    peer: peerOf(ctx, input.DestinationKeyId),
  });
  return andThenWith(source, withSource, ctx, input, op, ignore);
}

// The steps below are plain functions chained by util/maybe.ts andThenWith, not closures: on a
// synchronous store and backend a ReEncrypt allocates no closure context per step (issue 14).

/** The destination's ARN, read only when a policy condition asks (kms:ReEncryptOnSameKey). */
function peerOf(ctx: OpContext, destinationId: string | undefined): () => MaybePromise<string | undefined> {
  return () => arnIfAny(ctx, destinationId);
}

function withSource(src: CiphertextSource, ctx: OpContext, input: Validated<'ReEncrypt'>, op: OperationRow<'ReEncrypt'>, ignore: boolean): MaybePromise<T.ReEncryptResponse> {
  const dst = resolveKey(ctx, op, 'DestinationKeyId', input.DestinationKeyId, 'ReEncryptTo', {
    encryptionContext: input.DestinationEncryptionContext,
    encryptionAlgorithm: input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
    reEncryptPeer: src.rec.arn,
  });
  return andThenWith(dst, withDestination, ctx, input, op, src, ignore);
}

function withDestination(dst: KeyRecord, ctx: OpContext, input: Validated<'ReEncrypt'>, op: OperationRow<'ReEncrypt'>, src: CiphertextSource, ignore: boolean): MaybePromise<T.ReEncryptResponse> {
  checkKeyState(op.keyStates as NonNullable<typeof op.keyStates>, dst);
  checkUsage(dst, 'ENCRYPT_DECRYPT', 'ReEncrypt');
  const dstRow = algorithmFor(dst, input.DestinationEncryptionAlgorithm);
  // The source's bytes again when both contexts hold the same pairs (built once per request).
  const dstAad = contextFor(dstRow, input.DestinationEncryptionContext, 'destinationEncryptionContext', input.SourceEncryptionContext, src.aad);
  if (ignore) dryRun(input);
  return andThenWith(open(ctx, src, input.CiphertextBlob as Uint8Array), reEncryptOpened, ctx, input, src, dst, dstRow, dstAad);
}

/** The second half: the plaintext, sealed under the destination key, then wiped whatever happens. */
function reEncryptOpened(opened: Opened, ctx: OpContext, input: Validated<'ReEncrypt'>, src: CiphertextSource, dst: KeyRecord, dstRow: EncryptionAlgorithm, dstAad: Uint8Array): MaybePromise<T.ReEncryptResponse> {
  return andThenWith(sealOwned(ctx.env, dstRow, dst, opened.Plaintext, dstAad, input), response, src, dst, dstRow, opened);
}

function response(sealed: Sealed, src: CiphertextSource, dst: KeyRecord, dstRow: EncryptionAlgorithm, opened: Opened): T.ReEncryptResponse {
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
}
