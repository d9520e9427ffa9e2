/**
 * The authorization decision, as KMS makes it (Developer Guide, "Determining access to a KMS
 * key"; IAM User Guide, "Policy evaluation logic"):
 *
 *   1. an explicit Deny in the key policy refuses (it also overrides every grant);
 *   2. the key policy allows the caller by name (its ARN, its role, or "*")          → allowed
 *      (a caller of another account also needs its own IAM permission: the identity hook);
 *   3. the key policy allows the caller's account principal (`arn:…:iam::ACCT:root` or
 *      `ACCT`): the account delegates to IAM, so the identity hook decides;
 *   4. a grant for the caller (same rules: named or through its account) with the operation
 *      and a satisfied constraint allows;
 *   5. otherwise the implicit deny.
 *
 * The account's root user is named by its account principal and holds every IAM permission
 * of its own account, so the identity hook is never asked about it. Conditions: the request's
 * condition keys are auth/condition-keys.ts, the operators auth/conditions.ts. Pure code (no node:*).
 */
import type { GrantRecord } from '../keys/record.js';
import type { AuthRequest } from './types.js';
import { grantCovers } from './grants.js';
import type { Condition, KeyPolicy, Statement } from './policy.js';
import { principalMatch, type Principal, type PrincipalMatch } from './principals.js';
import { conditionHolds } from './conditions.js';

export type { AuthRequest, GrantRequest, KeyFacts, RequestFacts } from './types.js';
// The condition keys and operators live in their own files; their names stay importable here.
export { contextValues, requestContext } from './condition-keys.js';
export { conditionHolds } from './conditions.js';

function statementPrincipal(s: Statement, caller: Principal): PrincipalMatch {
  let best: PrincipalMatch = false;
  for (const p of s.principals) {
    if (p.kind === 'any') return 'name';
    if (p.kind !== 'principal') continue;
    const m = principalMatch(p.principal, caller);
    if (m === 'name') return 'name';
    if (m === 'account') best = 'account';
  }
  return best;
}

export interface PolicyVerdict {
  /** An applicable Deny statement. */
  readonly deny: boolean;
  /** The strongest applicable Allow: by name, through the account principal, or none. */
  readonly allow: PrincipalMatch;
}

/**
 * The statements of a parsed policy whose Action (or NotAction) covers `action`, in document
 * order, worked out once per policy and action: actions are kms-core's own names (the operation
 * table's), never request data, so a policy holds at most one entry per operation. An
 * authorization then runs no wildcard match and builds no `kms:` string (issue 14: an IAM role
 * under a custom policy stays as fast as the root user).
 */
const byAction = new WeakMap<KeyPolicy, Map<string, readonly Statement[]>>();
/** More distinct actions than KMS has operations is not kms-core calling: stop memoizing. */
const MAX_ACTIONS = 128;

function statementsFor(policy: KeyPolicy, action: string): readonly Statement[] {
  let m = byAction.get(policy);
  const hit = m?.get(action);
  if (hit !== undefined) return hit;
  const name = `kms:${action}`;
  const out = policy.statements.filter((s) => s.actions.test(name) !== s.notAction);
  if (m === undefined) byAction.set(policy, (m = new Map()));
  if (m.size < MAX_ACTIONS) m.set(action, out);
  return out;
}

/** Every condition of a statement holds (they are ANDed; IAM User Guide, "Condition"). */
function conditionsHold(s: Statement, req: AuthRequest): boolean {
  const cs = s.conditions;
  for (let i = 0; i < cs.length; i++) if (!conditionHolds(cs[i] as Condition, req)) return false;
  return true;
}

/** The six verdicts, made once: an authorization allocates none (issue 14). */
const verdict = (deny: boolean, allow: PrincipalMatch): PolicyVerdict => Object.freeze({ deny, allow });
const DENY = verdict(true, false);
const ALLOW_BY_NAME = verdict(false, 'name');
const ALLOW_BY_ACCOUNT = verdict(false, 'account');
const NO_ALLOW = verdict(false, false);
/** The verdict of a policy with no Deny that applies: how its strongest Allow reaches the caller. */
export function allowVerdict(allow: PrincipalMatch): PolicyVerdict {
  return allow === 'name' ? ALLOW_BY_NAME : allow === 'account' ? ALLOW_BY_ACCOUNT : NO_ALLOW;
}

/** Evaluates the key policy alone. */
export function evaluatePolicy(policy: KeyPolicy, req: AuthRequest): PolicyVerdict {
  let allow: PrincipalMatch = false;
  for (const s of statementsFor(policy, req.action)) {
    const who = statementPrincipal(s, req.caller);
    if (who === false) continue;
    if (s.effect === 'Allow' && (allow === 'name' || (allow === 'account' && who === 'account'))) continue;
    if (!conditionsHold(s, req)) continue;
    // A Deny to an account applies to all its principals, with or without IAM.
    if (s.effect === 'Deny') return DENY;
    allow = who;
  }
  return allowVerdict(allow);
}

/** Why a request is refused (the three AccessDeniedException wordings). */
export type Denial = 'explicit-deny' | 'no-resource-policy' | 'no-identity-policy';

export interface Decision {
  readonly denial: Denial | undefined;
  /** What allowed it, for diagnostics and tests. */
  readonly via?: 'key-policy' | 'grant';
}

/**
 * Combines the key policy verdict, the grants and the identity hook. `identity()` asks the
 * identity hook (IAM of the caller's account); it is not called for the root user.
 */
export function decide(
  verdict: PolicyVerdict,
  req: AuthRequest,
  grants: readonly GrantRecord[] | undefined,
  identity: () => boolean,
  symmetric: boolean,
): Decision {
  if (verdict.deny) return EXPLICIT_DENY;
  // The key policy, then the grants: a grant still allows when the key policy reaches the caller
  // only through an account principal that IAM does not back.
  let denial: Denial = 'no-resource-policy';
  if (verdict.allow !== false) {
    const d = viaIam(verdict.allow, 'key-policy', req, identity);
    if (d.denial === undefined) return d;
    denial = d.denial;
  }
  if (grants && grants.length) {
    let how: PrincipalMatch = false;
    for (const g of grants) {
      const m = grantCovers(g, req, symmetric);
      if (m === 'name') {
        how = 'name';
        break;
      }
      if (m === 'account') how = 'account';
    }
    // A grant is read like a key policy statement: a grantee of another account, or one reached
    // through its account principal, also needs its IAM permission.
    if (how !== false) {
      const d = viaIam(how, 'grant', req, identity);
      if (d.denial === undefined) return d;
      denial = d.denial;
    }
  }
  return denial === 'no-resource-policy' ? NO_RESOURCE_POLICY : NO_IDENTITY_POLICY;
}

// Decisions, made once (issue 14: no allocation per authorization).
const decision = (denial: Denial | undefined, via?: Decision['via']): Decision => Object.freeze(via ? { denial, via } : { denial });
const EXPLICIT_DENY = decision('explicit-deny');
const NO_RESOURCE_POLICY = decision('no-resource-policy');
const NO_IDENTITY_POLICY = decision('no-identity-policy');
const ALLOWED: Readonly<Record<NonNullable<Decision['via']>, Decision>> = { 'key-policy': decision(undefined, 'key-policy'), grant: decision(undefined, 'grant') };

/** A key policy statement or grant reached the caller `how`: is that enough, or must IAM allow too? */
function viaIam(how: PrincipalMatch, via: 'key-policy' | 'grant', req: AuthRequest, identity: () => boolean): Decision {
  // Named in the key's own account: the resource policy suffices. Named from another
  // account, or reached through an account principal: the caller's IAM must allow too.
  if (req.caller.kind === 'root') return ALLOWED[via];
  if (how === 'name' && sameAccount(req)) return ALLOWED[via];
  return identity() ? ALLOWED[via] : NO_IDENTITY_POLICY;
}

function sameAccount(req: AuthRequest): boolean {
  const arn = req.key.arn;
  // The partition is the key ARN's second field ("arn:<partition>:kms:…"), compared in place.
  const p = req.caller.partition;
  return req.caller.accountId === req.key.accountId && arn.startsWith(p, 4) && arn.charCodeAt(4 + p.length) === 58 /* : */;
}

/** The AccessDeniedException message AWS gives (notes/aws-behaviour.md §12). */
export function accessDeniedMessage(principal: string, action: string, resource: string, denial: Denial): string {
  const head = `User: ${principal} is not authorized to perform: kms:${action} on resource: ${resource}`;
  switch (denial) {
    case 'explicit-deny':
      return `${head} with an explicit deny in a resource-based policy`;
    case 'no-identity-policy':
      return `${head} because no identity-based policy allows the kms:${action} action`;
    case 'no-resource-policy':
      return `${head} because no resource-based policy allows the kms:${action} action`;
  }
}

/**
 * The AccessDeniedException message when IAM refuses a Decrypt (or ReEncrypt, kms:ReEncryptFrom)
 * whose request names no key: AWS names no resource ("IAM Identity Center User Guide,
 * Troubleshoot customer managed keys"; the same text in aws-cdk's aws-s3-deployment README).
 */
export function ciphertextAccessDeniedMessage(principal: string, action: string): string {
  return `User: ${principal} is not authorized to perform: kms:${action} on the resource associated with this ciphertext because no identity-based policy allows the kms:${action} action`;
}

/** What the identity hook (the embedder's model of IAM) is asked. */
export interface IdentityRequest {
  /** The caller's ARN. */
  readonly principal: string;
  /** `kms:<Action>`, e.g. `kms:ReEncryptFrom`, `kms:CreateKey`, `kms:ListAliases`. */
  readonly action: string;
  /** The key ARN; the alias ARN for alias operations; `*` for CreateKey, ListKeys, ListAliases. */
  readonly resource: string;
  /** The condition keys of the request (AWS spelling), e.g. `kms:EncryptionContext:tenant`. */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

/** The identity hook: true when the caller's IAM policies allow the request. */
export type IdentityPolicy = (request: IdentityRequest) => boolean;
