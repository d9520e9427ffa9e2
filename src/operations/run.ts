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
import type { OperationName, OperationOutput } from '../model/api.js';
import { validateInput } from '../validate.js';
import { notImplementedMessage } from './implemented.js';
import { resolveKey } from './access.js';
import { checkGrantTokens } from './authorize.js';
import type { OpContext } from './context.js';
import { checkKeyState } from './key-states.js';
import { noteUsage } from './last-usage.js';
import type { OperationRow } from './types.js';

export async function runOperation<Op extends OperationName>(ctx: OpContext, row: OperationRow<Op>, raw: unknown, requestId?: string): Promise<OperationOutput<Op>> {
  try {
    /* Precondition: kms-core implements the operation. */
    if (row.handler === undefined) throw new UnsupportedOperationException(notImplementedMessage(row.name));
    const input = validateInput(row.name, raw);
    row.precheck?.(input);
    if (row.grantTokens) {
      const tokens = (input as { GrantTokens?: readonly string[] | undefined }).GrantTokens;
      if (tokens !== undefined && tokens.length > 0) await checkGrantTokens(ctx, tokens);
    }
    let out: OperationOutput<Op>;
    if (row.key === undefined) out = await row.handler(ctx, input, row);
    else {
      const { member, facts } = row.key;
      const permission = row.permissions[0] as { action: string };
      const rec = await resolveKey(ctx, row, member, input[member] as string, permission.action, facts?.(input));
      checkKeyState(row.keyStates as NonNullable<typeof row.keyStates>, rec);
      out = await row.handler(ctx, input, rec, row);
    }
    noteUsage(ctx, row.name, out, requestId);
    return out;
  } catch (e) {
    throw asKmsError(e);
  }
}
