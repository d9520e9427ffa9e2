/**
 * The source side of Decrypt and ReEncrypt: which key a ciphertext belongs to (the blob names
 * it when symmetric; KeyId / SourceKeyId must name it when asymmetric), whether the caller may
 * use it, its state and algorithm, and the one decryption failure.
 */
import { algorithm } from '../algorithms/registry.js';
import type { EncryptionAlgorithm, EncryptionAlgorithmSpec, Opened } from '../algorithms/types.js';
import { ciphertextAccessDeniedMessage, type Denial, type RequestFacts } from '../auth/evaluate.js';
import type { EncryptionContext } from '../envelope/context.js';
import { AccessDeniedException, IncorrectKeyException, ValidationException, invalidCiphertext } from '../errors.js';
import type { KeyRecord } from '../keys/record.js';
import type { OperationName } from '../model/api.js';
import { validationError } from '../validate.js';
import { denialOf, resolveKey, type Peer } from './access.js';
import { contextFor } from './checks.js';
import type { OpContext } from './context.js';
import { checkKeyState } from './key-states.js';
import { CIPHERTEXT_KEY_INACCESSIBLE, INCORRECT_KEY } from './messages.js';
import { blobKeyArn, getKey } from './resolve.js';
import { algorithmFor, checkUsage } from './spec.js';
import type { OperationRow } from './types.js';
import { orUndefined, andThenWith, type MaybePromise } from '../util/maybe.js';

export interface CiphertextSource {
  readonly rec: KeyRecord;
  readonly row: EncryptionAlgorithm;
  /** The canonical encryption context bytes the ciphertext must have been bound to. */
  readonly aad: Uint8Array;
}

export interface SourceRequest {
  readonly blob: Uint8Array | undefined;
  readonly keyId: string | undefined;
  readonly algorithm: EncryptionAlgorithmSpec | undefined;
  readonly context: EncryptionContext | undefined;
  /** DryRun with DryRunModifiers IGNORE_CIPHERTEXT: the blob is not read. */
  readonly ignoreCiphertext: boolean;
  /** Decrypt or ReEncryptFrom. */
  readonly action: string;
  /** The request members, as AWS names them in messages. */
  readonly names: { readonly blob: string; readonly keyId: string; readonly keyMember: string; readonly context: string };
  readonly peer?: Peer;
}

/**
 * Finds and checks the key of a ciphertext before anything is decrypted: the given key must be
 * the blob's key (IncorrectKeyException); without one, the blob's key must exist and allow the
 * caller, or the answer is the one "ciphertext refers to a customer master key" denial.
 */
export function ciphertextSource<Op extends OperationName>(ctx: OpContext, op: OperationRow<Op>, q: SourceRequest): MaybePromise<CiphertextSource> {
  /* Precondition: a ciphertext is given, unless DryRun ignores it. */
  if (q.blob === undefined && !q.ignoreCiphertext) throw validationError([`Value null at '${q.names.blob}' failed to satisfy constraint: Member must not be null`]);
  const alg = q.algorithm ?? 'SYMMETRIC_DEFAULT';
  const facts: RequestFacts = { encryptionContext: q.context, encryptionAlgorithm: alg };
  if (q.keyId !== undefined) {
    return andThenWith(resolveKey(ctx, op, q.names.keyMember, q.keyId, q.action, facts, q.peer), namedSource, ctx, op, alg, q);
  }
  /* Precondition: asymmetric ciphertext (no header) comes with its key. */
  if (!algorithm(alg)?.selfDescribing) throw new ValidationException(`${q.names.keyId} is required when the ciphertext was encrypted under an asymmetric KMS key (${alg}).`);
  if (q.ignoreCiphertext) throw new ValidationException(`${q.names.keyId} is required when DryRunModifiers includes IGNORE_CIPHERTEXT.`);
  const arn = blobKeyArn(ctx, q.blob as Uint8Array);
  if (arn === undefined) throw invalidCiphertext();
  return andThenWith(getKey(ctx, arn), blobSource, ctx, op, alg, facts, q);
}

// Continuations as plain functions (util/maybe.ts andThenWith): no closure per call (issue 14).
function namedSource<Op extends OperationName>(rec: KeyRecord, ctx: OpContext, op: OperationRow<Op>, alg: EncryptionAlgorithmSpec, q: SourceRequest): CiphertextSource {
  checkUsage(rec, 'ENCRYPT_DECRYPT', op.name);
  const row = algorithmFor(rec, alg);
  if (row.selfDescribing && !q.ignoreCiphertext) {
    const arn = blobKeyArn(ctx, q.blob as Uint8Array);
    if (arn === undefined) throw invalidCiphertext();
    /* Precondition: the key named in the request is the ciphertext's key. */
    if (arn !== rec.arn) throw new IncorrectKeyException(INCORRECT_KEY);
    ctx.blobArns.keep(rec.arn);
  }
  return sourceOf(op, rec, alg, q);
}

function blobSource<Op extends OperationName>(found: KeyRecord | undefined, ctx: OpContext, op: OperationRow<Op>, alg: EncryptionAlgorithmSpec, facts: RequestFacts, q: SourceRequest): MaybePromise<CiphertextSource> {
  /* Precondition: the ciphertext's key exists and allows the caller. */
  if (!found) throw new AccessDeniedException(CIPHERTEXT_KEY_INACCESSIBLE);
  // The record's own ARN string for the next blob of this key (keys/arn-memo.ts).
  ctx.blobArns.keep(found.arn);
  return andThenWith(denialOf(ctx, op, q.action, found, facts, q.peer), allowedSource, ctx, op, found, alg, q);
}

function allowedSource<Op extends OperationName>(d: Denial | undefined, ctx: OpContext, op: OperationRow<Op>, found: KeyRecord, alg: EncryptionAlgorithmSpec, q: SourceRequest): CiphertextSource {
  // IAM's refusal has its own documented wording; a key policy's keeps "The ciphertext refers to …".
  if (d === 'no-identity-policy') throw new AccessDeniedException(ciphertextAccessDeniedMessage(ctx.caller.arn, q.action));
  if (d !== undefined) throw new AccessDeniedException(CIPHERTEXT_KEY_INACCESSIBLE);
  return sourceOf(op, found, alg, q);
}

/** The source once its key is known and the caller may use it: state, usage, algorithm, the AAD. */
function sourceOf<Op extends OperationName>(op: OperationRow<Op>, rec: KeyRecord, alg: EncryptionAlgorithmSpec, q: SourceRequest): CiphertextSource {
  checkKeyState(op.keyStates as NonNullable<typeof op.keyStates>, rec);
  checkUsage(rec, 'ENCRYPT_DECRYPT', op.name);
  const row = algorithmFor(rec, alg);
  return { rec, row, aad: contextFor(row, q.context, q.names.context) };
}

/** The plaintext, or undefined for every failure (a throw, a rejection, a wrong tag). */
function tryDecrypt(ctx: OpContext, src: CiphertextSource, rec: KeyRecord, blob: Uint8Array): MaybePromise<Opened | undefined> {
  try {
    return orUndefined(src.row.decrypt(ctx.env, rec, blob, src.aad));
  } catch {
    return undefined;
  }
}

/**
 * Decrypts; every failure is the one InvalidCiphertextException. A store shared by several
 * servers may hand out a record older than a rotation made elsewhere (KeyStore.refreshKey): on
 * failure the record is read again once, and the ciphertext retried if it gained versions.
 */
export function open(ctx: OpContext, src: CiphertextSource, blob: Uint8Array): MaybePromise<Opened> {
  return andThenWith(tryDecrypt(ctx, src, src.rec, blob), openedOrRetry, ctx, src, blob);
}

function openedOrRetry(opened: Opened | undefined, ctx: OpContext, src: CiphertextSource, blob: Uint8Array): MaybePromise<Opened> {
  return opened ?? retry(ctx, src, blob);
}

/** The one retry after a failed decryption, with the record read again from the shared store. */
async function retry(ctx: OpContext, src: CiphertextSource, blob: Uint8Array): Promise<Opened> {
  let opened: Opened | undefined;
  if (ctx.keyStore.refreshKey) {
    const fresh = await ctx.keyStore.refreshKey(src.rec.arn);
    if (fresh && fresh.material.length > src.rec.material.length) opened = await tryDecrypt(ctx, src, fresh, blob);
  }
  if (!opened) throw invalidCiphertext();
  return opened;
}

/** DryRun with DryRunModifiers IGNORE_CIPHERTEXT (Decrypt, ReEncrypt). */
export function ignoresCiphertext(input: { readonly DryRun?: boolean | undefined; readonly DryRunModifiers?: readonly string[] | undefined }): boolean {
  return input.DryRun === true && (input.DryRunModifiers ?? []).includes('IGNORE_CIPHERTEXT');
}
