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
import { andThen, type MaybePromise } from '../util/maybe.js';

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
  return andThen(peer(), (reEncryptPeer) => ({ ...facts, reEncryptPeer }));
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
  return andThen(lookup(ctx, id, op.keyIdForms[member]), (rec) =>
    andThen(withPeer(ctx, rec, withAlias(id, facts), peer), (f) => {
      authorize(ctx, action, rec, f, op.crossAccount);
      return rec;
    }),
  );
}

/** Why the caller may not perform `action` on `rec`, if it may not (no error: the blob-named source of Decrypt). */
export function denialOf<Op extends OperationName>(ctx: OpContext, op: OperationRow<Op>, action: string, rec: KeyRecord, facts: RequestFacts | undefined, peer?: Peer): MaybePromise<Denial | undefined> {
  return andThen(withPeer(ctx, rec, facts, peer), (f) => denial(ctx, action, rec, f, op.crossAccount));
}
