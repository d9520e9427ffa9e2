/**
 * Who may do what: the key policy, the key's grants and the caller's IAM (the identity hook),
 * decided as KMS decides (src/auth/evaluate.ts), with AWS's AccessDeniedException wording.
 * Refusals happen before any state change or decryption.
 */
import { accessDeniedMessage, allowVerdict, decide, evaluatePolicy, requestContext, type AuthRequest, type Denial, type KeyFacts, type RequestFacts } from '../auth/evaluate.js';
import { decodeGrantToken, grantIssued } from '../auth/grants.js';
import { LOCKOUT, cachedKeyPolicy, checkKeyPolicyConditionKeys, parseKeyPolicy, readsReEncryptPeer } from '../auth/policy.js';
import { AccessDeniedException, InvalidGrantTokenException, MalformedPolicyDocumentException } from '../errors.js';
import { partitionOf } from '../keys/arn.js';
import type { KeyRecord } from '../keys/record.js';
import type { OpContext } from './context.js';
import { INVALID_GRANT_TOKEN } from './messages.js';
import { getKey } from './resolve.js';
import { keySpecRow } from './spec.js';

const NO_FACTS: RequestFacts = Object.freeze({});
/** The key facts of an action that is not about a key (CreateKey without a request, ListKeys…). */
const NO_KEY: KeyFacts = Object.freeze({ arn: '*', accountId: '', keySpec: '', keyUsage: '', origin: '', multiRegion: false });

/**
 * Why `action` on `rec` is refused for the caller, or undefined when it is allowed. An
 * operation AWS does not allow across accounts (`crossAccount` false) is refused on another
 * account's key whatever its key policy says. `identity` answers for the identity hook
 * (default: asks it; denialWithoutPeer's stand-in only notes that the decision needed it).
 */
export function denial(ctx: OpContext, action: string, rec: KeyRecord, facts: RequestFacts | undefined, crossAccount: boolean, identity: Identity = identityAllows): Denial | undefined {
  const caller = ctx.caller;
  const sameAccount = rec.accountId === caller.accountId;
  if (!sameAccount && !crossAccount) return 'no-resource-policy';
  // Fast path: the default key policy allows the account's root user everything.
  if (rec.policy === undefined && sameAccount && caller.kind === 'root') return undefined;
  const req: AuthRequest = { caller, action, key: rec, facts: facts ?? NO_FACTS };
  const verdict =
    rec.policy === undefined
      ? // The default key policy: kms:* for the key account's principal, nothing else.
        allowVerdict(sameAccount ? (caller.kind === 'root' ? 'name' : 'account') : false)
      : evaluatePolicy(cachedKeyPolicy(rec.policy, partitionOf(rec.region)), req);
  return decide(verdict, req, rec.grants, () => identity(ctx, req, rec.arn), keySpecRow(rec).bindsContext).denial;
}

/** How denial() learns what the identity hook says about a request. */
export type Identity = (ctx: OpContext, req: AuthRequest, resource: string) => boolean;

/** Set by `noteIdentityNeeded`: denial() ran synchronously since it was cleared. */
let identityNeeded = false;

/** An Identity that never asks the hook, only notes that the decision needed it. */
function noteIdentityNeeded(): boolean {
  identityNeeded = true;
  return false;
}

/**
 * ReEncrypt's kms:ReEncryptOnSameKey compares this key with the other side's, whose ARN takes a
 * lookup (an alias may need the store). Only two things read it: a key policy condition on that
 * key, and the identity hook (its request context holds every condition key). The answer of
 * denial() without the peer stands when neither did: this tells, with that answer (issue 14: the
 * lookup and a copy of the facts were ~2 µs of every ReEncrypt under an identity hook or a
 * custom key policy, also where nothing reads them).
 */
export function denialWithoutPeer(ctx: OpContext, action: string, rec: KeyRecord, facts: RequestFacts | undefined, crossAccount: boolean): Denial | undefined | typeof NEEDS_PEER {
  if (rec.policy !== undefined && readsReEncryptPeer(cachedKeyPolicy(rec.policy, partitionOf(rec.region)))) return NEEDS_PEER;
  if (ctx.identityPolicy === undefined) return denial(ctx, action, rec, facts, crossAccount);
  identityNeeded = false;
  const d = denial(ctx, action, rec, facts, crossAccount, noteIdentityNeeded);
  return identityNeeded ? NEEDS_PEER : d;
}

/** denialWithoutPeer's answer when the decision must be made again with the peer's ARN. */
export const NEEDS_PEER: unique symbol = Symbol('needs the peer');

/* Precondition: the caller may perform `action` on the key (key policy, grants, IAM). */
export function authorize(ctx: OpContext, action: string, rec: KeyRecord, facts: RequestFacts | undefined, crossAccount: boolean): void {
  refuseIfDenied(ctx, action, rec, denial(ctx, action, rec, facts, crossAccount));
}

/** AWS's AccessDeniedException for a denial of `action` on `rec`; nothing when `d` is undefined. */
export function refuseIfDenied(ctx: OpContext, action: string, rec: KeyRecord, d: Denial | undefined): void {
  if (d !== undefined) throw new AccessDeniedException(accessDeniedMessage(ctx.caller.arn, action, rec.arn, d));
}

/** Asks the identity hook (IAM of the caller's account); without one, IAM allows. */
export function identityAllows(ctx: OpContext, req: AuthRequest, resource: string): boolean {
  const hook = ctx.identityPolicy;
  if (!hook) return true;
  return hook({ principal: req.caller.arn, action: `kms:${req.action}`, resource, context: requestContext(req) }) === true;
}

/**
 * Authorizes an action IAM alone controls (kms:CreateKey, kms:ListKeys, kms:ListAliases,
 * kms:ListRetirableGrants, kms:CreateAlias on the alias, …): the root user may; anyone else
 * when the identity hook allows.
 */
export function authorizeIam(ctx: OpContext, action: string, resource: string, facts?: RequestFacts, key: KeyFacts = NO_KEY): void {
  if (ctx.caller.kind === 'root') return;
  const req: AuthRequest = { caller: ctx.caller, action, key, facts: facts ?? NO_FACTS };
  if (!identityAllows(ctx, req, resource)) {
    throw new AccessDeniedException(accessDeniedMessage(ctx.caller.arn, action, resource, 'no-identity-policy'));
  }
}

/**
 * Parses a key policy (MalformedPolicyDocumentException, LimitExceededException) and runs the
 * lockout safety check: unless bypassed, the policy must let the caller call PutKeyPolicy
 * again (API reference, PutKeyPolicy and CreateKey `Policy`).
 */
export function checkPolicy(ctx: OpContext, text: string, bypass: boolean, key: KeyFacts): void {
  const policy = parseKeyPolicy(text, ctx.partition);
  checkKeyPolicyConditionKeys(policy);
  if (bypass) return;
  // The later PutKeyPolicy is one without the parameter: kms:BypassPolicyLockoutSafetyCheck absent.
  const verdict = evaluatePolicy(policy, { caller: ctx.caller, action: 'PutKeyPolicy', key, facts: NO_FACTS });
  if (verdict.deny || verdict.allow === false) throw new MalformedPolicyDocumentException(LOCKOUT);
}

/**
 * The grant a grant token stands for, or undefined when the token is not one kms-core issued
 * for a grant that still exists.
 */
export async function grantOfToken(ctx: OpContext, token: string) {
  const d = decodeGrantToken(token);
  const rec = d && (await getKey(ctx, d.keyArn));
  const grant = d && rec?.grants?.find((x) => x.grantId === d.grantId);
  if (!d || !rec || !grant || !grantIssued(grant, d.nonce)) return undefined;
  return { rec, grant };
}

/**
 * Every grant token of a request must be one kms-core issued, for a grant that still exists
 * (API reference: InvalidGrantTokenException). Grants are effective at once in kms-core, so a
 * valid token adds nothing more.
 */
export async function checkGrantTokens(ctx: OpContext, tokens: readonly string[]): Promise<void> {
  /* Precondition: every grant token names a live grant. */
  for (const t of tokens) if (!(await grantOfToken(ctx, t))) throw new InvalidGrantTokenException(INVALID_GRANT_TOKEN);
}
