/**
 * Resolve, then authorize: the key a request member names, as the operation's row says (which
 * identifier forms it accepts, whether it works across accounts).
 */
import type { Denial, RequestFacts } from '../auth/evaluate.js';
import { parseKeyRef } from '../keys/arn.js';
import type { KeyRecord } from '../keys/record.js';
import type { OperationName } from '../model/api.js';
import { NEEDS_PEER, denial, denialWithoutPeer, refuseIfDenied } from './authorize.js';
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

/** The facts with the peer's ARN. */
function withPeer(facts: RequestFacts | undefined, peer: Peer): MaybePromise<RequestFacts> {
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
  return andThenWith(denialOf(ctx, op, action, rec, withAlias(id, facts), peer), allowedOrThrow, ctx, rec, action);
}

function allowedOrThrow(d: Denial | undefined, ctx: OpContext, rec: KeyRecord, action: string): KeyRecord {
  refuseIfDenied(ctx, action, rec, d);
  return rec;
}

/**
 * Why the caller may not perform `action` on `rec`, if it may not (no error: the blob-named
 * source of Decrypt). The peer's ARN (kms:ReEncryptOnSameKey) is looked up only when a key
 * policy condition or the identity hook reads it (authorize.ts denialWithoutPeer).
 */
export function denialOf<Op extends OperationName>(ctx: OpContext, op: OperationRow<Op>, action: string, rec: KeyRecord, facts: RequestFacts | undefined, peer?: Peer): MaybePromise<Denial | undefined> {
  if (peer === undefined) return denial(ctx, action, rec, facts, op.crossAccount);
  const first = denialWithoutPeer(ctx, action, rec, facts, op.crossAccount);
  if (first !== NEEDS_PEER) return first;
  return andThenWith(withPeer(facts, peer), denialWith, ctx, op, action, rec);
}

function denialWith<Op extends OperationName>(facts: RequestFacts, ctx: OpContext, op: OperationRow<Op>, action: string, rec: KeyRecord): Denial | undefined {
  return denial(ctx, action, rec, facts, op.crossAccount);
}
