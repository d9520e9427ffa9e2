/**
 * The one runner every operation goes through, applying its row of the operation table in
 * AWS's order:
 *
 *   1. validation against the model (ValidationException), then the row's service-level checks;
 *   2. grant tokens (InvalidGrantTokenException);
 *   3. for a keyed row: the key (NotFoundException: unknown, malformed, or a form the
 *      operation does not take), its authorization (AccessDeniedException), its state (the
 *      key-state table: DisabledException, KMSInvalidStateException, …);
 *   4. the handler: key spec, usage and algorithm checks, DryRun, the action;
 *   5. on success, the key last usage of the keys the response names (last-usage.ts: in memory).
 *
 * `requestId` is the x-amzn-RequestId of a call through the protocol adapter (GetKeyLastUsage
 * reports it as KmsRequestId); library calls have none.
 *
 * Nothing but a KmsError leaves it.
 */
import { UnsupportedOperationException, asKmsError } from '../errors.js';
import type { OperationName, OperationOutput, Validated } from '../model/api.js';
import { sensitiveCopyIn, validateInput } from '../validate.js';
import { notImplementedMessage } from './implemented.js';
import { resolveKey } from './access.js';
import { checkGrantTokens } from './authorize.js';
import type { OpContext } from './context.js';
import { checkKeyState } from './key-states.js';
import { noteUsage } from './last-usage.js';
import type { FreeRow, KeyedRow, OperationRow } from './types.js';
import type { KeyRecord } from '../keys/record.js';
import { isPending, andThenWith, lastlyWith, type MaybePromise } from '../util/maybe.js';
import { releaseSensitive } from '../util/sensitive-copy.js';

export function runOperation<Op extends OperationName>(ctx: OpContext, row: OperationRow<Op>, raw: unknown, requestId?: string): Promise<OperationOutput<Op>> {
  try {
    const out = steps(ctx, row, raw, requestId);
    // One async API: a synchronous answer (in-memory store, node:crypto) is a resolved promise;
    // whatever a step throws or rejects with leaves as a KmsError.
    return isPending(out) ? Promise.resolve(out).then(undefined, fail) : Promise.resolve(out);
  } catch (e) {
    return Promise.reject(asKmsError(e));
  }
}

function fail(e: unknown): never {
  throw asKmsError(e);
}

/** The steps in order, synchronous as long as the store and backend answer synchronously (issue 14). */
function steps<Op extends OperationName>(ctx: OpContext, row: OperationRow<Op>, raw: unknown, requestId: string | undefined): MaybePromise<OperationOutput<Op>> {
  /* Precondition: kms-core implements the operation. */
  if (row.handler === undefined) throw new UnsupportedOperationException(notImplementedMessage(row.name));
  const input = validateInput(row.name, raw);
  // Validation's copy of a plaintext or message is lent to this request: released (wiped, then
  // reusable) once the operation has settled, whatever its outcome (util/sensitive-copy.ts).
  const secret = sensitiveCopyIn(row.name, input);
  return secret === undefined ? validated(ctx, row, input, requestId) : lastlyWith(releaseSensitive, secret, validated, ctx, row, input, requestId);
}

function validated<Op extends OperationName>(ctx: OpContext, row: KeyedRow<Op> | FreeRow<Op>, input: Validated<Op>, requestId: string | undefined): MaybePromise<OperationOutput<Op>> {
  row.precheck?.(input);
  const tokens = row.grantTokens ? (input as { GrantTokens?: readonly string[] | undefined }).GrantTokens : undefined;
  const granted = tokens !== undefined && tokens.length > 0 ? checkGrantTokens(ctx, tokens) : undefined;
  return andThenWith(granted, afterGrants, ctx, row, input, requestId);
}

// The steps after validation, as plain functions chained by util/maybe.ts andThenWith rather
// than closures: a synchronous call allocates no closure context per step (issue 14).
function afterGrants<Op extends OperationName>(_: unknown, ctx: OpContext, row: KeyedRow<Op> | FreeRow<Op>, input: Validated<Op>, requestId: string | undefined): MaybePromise<OperationOutput<Op>> {
  if (row.key === undefined) return andThenWith(row.handler(ctx, input, row), noted, ctx, row, requestId);
  const { member, facts } = row.key;
  const permission = row.permissions[0] as { action: string };
  return andThenWith(resolveKey(ctx, row, member, input[member] as string, permission.action, facts?.(input)), keyed, ctx, row, input, requestId);
}

function keyed<Op extends OperationName>(rec: KeyRecord, ctx: OpContext, row: KeyedRow<Op>, input: Validated<Op>, requestId: string | undefined): MaybePromise<OperationOutput<Op>> {
  checkKeyState(row.keyStates as NonNullable<typeof row.keyStates>, rec);
  return andThenWith(row.handler(ctx, input, rec, row), noted, ctx, row, requestId);
}

/** Step 5: the key last usage of the keys the response names. */
function noted<Op extends OperationName>(out: OperationOutput<Op>, ctx: OpContext, row: OperationRow<Op>, requestId: string | undefined): OperationOutput<Op> {
  noteUsage(ctx, row.name, out, requestId);
  return out;
}
