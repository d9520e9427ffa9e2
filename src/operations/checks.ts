/**
 * The checks operations share after a key is resolved, authorized and its state checked:
 * encryption context, plaintext limits, DryRun. Each is a labelled precondition. And the one
 * step Encrypt and ReEncrypt share once they hold a plaintext: seal it, then wipe it.
 */
import type { CryptoEnv, EncryptionAlgorithm, Sealed } from '../algorithms/types.js';
import { canonicalContext, hasContext, sameContext, type EncryptionContext } from '../envelope/context.js';
import { DryRunOperationException, ValidationException } from '../errors.js';
import type { KeyRecord } from '../keys/record.js';
import { releaseSensitive } from '../util/sensitive-copy.js';
import { lastlyWith, type MaybePromise } from '../util/maybe.js';
import { validationError } from '../validate.js';
import { DRY_RUN } from './messages.js';

/**
 * The canonical context bytes; an algorithm that binds none takes none. `knownBytes`, the bytes
 * already built for context `known` (ReEncrypt: its source's), are answered again when `ctx`
 * holds the same pairs (envelope/context.ts sameContext): they are transient views no caller
 * writes to, and the precondition is checked first either way.
 */
export function contextFor(row: EncryptionAlgorithm, ctx: EncryptionContext | undefined, path: string, known?: EncryptionContext, knownBytes?: Uint8Array): Uint8Array {
  /* Precondition: an encryption context only with an algorithm that binds one. */
  if (!row.acceptsContext && hasContext(ctx)) throw new ValidationException(`EncryptionContext is not supported with asymmetric algorithm ${row.name}.`);
  return knownBytes !== undefined && sameContext(ctx, known) ? knownBytes : canonicalContext(ctx, path);
}

/* Precondition: the plaintext fits the algorithm and key spec (AWS limits). */
export function checkPlaintextLimit(row: EncryptionAlgorithm, rec: KeyRecord, length: number): void {
  const max = row.maxPlaintext(rec.keySpec);
  if (length <= max) return;
  if (row.selfDescribing) throw validationError([`Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to ${max}`]);
  throw new ValidationException(`Algorithm ${row.name} and key spec ${rec.keySpec} cannot encrypt data larger than ${max} bytes.`);
}

/* Precondition: a DryRun request stops here, once every check has passed. */
export function dryRun(input: { readonly DryRun?: boolean | undefined }): void {
  if (input.DryRun === true) throw new DryRunOperationException(DRY_RUN);
}

/**
 * Encrypts a plaintext the operation owns (validation's copy for Encrypt, the decrypted bytes
 * for ReEncrypt) under `rec`, after its size check and DryRun, and wipes it once the cipher has
 * settled, whatever happens: releaseSensitive wipes the decrypted bytes, and releases
 * validation's lent copy (the runner's later release of it is then a no-op;
 * util/sensitive-copy.ts). Written without closures (util/maybe.ts lastlyWith): a synchronous
 * backend allocates none for it (issue 14).
 */
export function sealOwned(env: CryptoEnv, row: EncryptionAlgorithm, rec: KeyRecord, pt: Uint8Array, aad: Uint8Array, input: { readonly DryRun?: boolean | undefined }): MaybePromise<Sealed> {
  return lastlyWith(releaseSensitive, pt, sealChecked, env, row, rec, pt, aad, input);
}

function sealChecked(env: CryptoEnv, row: EncryptionAlgorithm, rec: KeyRecord, pt: Uint8Array, aad: Uint8Array, input: { readonly DryRun?: boolean | undefined }): MaybePromise<Sealed> {
  checkPlaintextLimit(row, rec, pt.length);
  dryRun(input);
  return row.encrypt(env, rec, pt, aad);
}
