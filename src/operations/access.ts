/**
 * Resolve, then authorize: the key a request member names, as the operation's row says (which
 * identifier forms it accepts, whether it works across accounts).
 */
import type { Denial, RequestFacts } from '../auth/evaluate.js';
import { parseKeyRef } from '../keys/arn.js';
import type { KeyRecord } from '../keys/record.js';
import type { OperationName } from '../model/api.js';
import { authorize, denial } from './authorize.js';
import type { OpContext } from './context.js';
import { lookup } from './resolve.js';
import type { OperationRow } from './types.js';
import { andThenWith, type MaybePromise } from '../util/maybe.js';

/** ReEncrypt's kms:ReEncryptOnSameKey needs the other key's ARN, looked up only when read. */
export type Peer = () => MaybePromise<string | undefined>;

/** The facts with the alias the caller named the key by (condition key kms:RequestAlias). */
function withAlias(id: string, facts: RequestFacts | undefined): RequestFacts | undefined {
  const ref = parseKeyRef(id);
  return ref && (ref.kind === 'aliasName' || ref.kind === 'aliasArn') ? { ...facts, requestAlias: ref.aliasName } : facts;
}

/** The facts with the peer's ARN, when a key policy or the identity hook may read it. */
export function withPeer(ctx: OpContext, rec: KeyRecord, facts: RequestFacts | undefined, peer: Peer | undefined): MaybePromise<RequestFacts | undefined> {
  if (peer === undefined || (rec.policy === undefined && ctx.identityPolicy === undefined)) return facts;
  return andThenWith(peer(), factsWithPeer, facts);
}

function factsWithPeer(reEncryptPeer: string | undefined, facts: RequestFacts | undefined): RequestFacts {
  return { ...facts, reEncryptPeer };
}

/**
 * The live key `id` names (member `member` of operation `op`), authorized for `action`:
 * NotFoundException for an identifier the operation does not take or that names nothing,
 * AccessDeniedException when the caller may not.
 */
export function resolveKey<Op extends OperationName>(
  ctx: OpContext,
  op: OperationRow<Op>,
  member: string,
  id: string,
  action: string,
  facts?: RequestFacts,
  peer?: Peer,
): MaybePromise<KeyRecord> {
  return andThenWith(lookup(ctx, id, op.keyIdForms[member]), authorized, ctx, op, id, action, facts, peer);
}

// Continuations as plain functions (util/maybe.ts andThenWith): no closure per call (issue 14).
function authorized<Op extends OperationName>(rec: KeyRecord, ctx: OpContext, op: OperationRow<Op>, id: string, action: string, facts: RequestFacts | undefined, peer: Peer | undefined): MaybePromise<KeyRecord> {
  return andThenWith(withPeer(ctx, rec, withAlias(id, facts), peer), authorizedWith, ctx, op, rec, action);
}

function authorizedWith<Op extends OperationName>(facts: RequestFacts | undefined, ctx: OpContext, op: OperationRow<Op>, rec: KeyRecord, action: string): KeyRecord {
  authorize(ctx, action, rec, facts, op.crossAccount);
  return rec;
}

/** Why the caller may not perform `action` on `rec`, if it may not (no error: the blob-named source of Decrypt). */
export function denialOf<Op extends OperationName>(ctx: OpContext, op: OperationRow<Op>, action: string, rec: KeyRecord, facts: RequestFacts | undefined, peer?: Peer): MaybePromise<Denial | undefined> {
  return andThenWith(withPeer(ctx, rec, facts, peer), denialWith, ctx, op, action, rec);
}

function denialWith<Op extends OperationName>(facts: RequestFacts | undefined, ctx: OpContext, op: OperationRow<Op>, action: string, rec: KeyRecord): MaybePromise<Denial | undefined> {
  return denial(ctx, action, rec, facts, op.crossAccount);
}
