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
 * of its own account, so the identity hook is never asked about it. Pure code (no node:*).
 */
import { contextPairs } from '../envelope/context.js';
import type { GrantRecord } from '../keys/record.js';
import type { AuthRequest } from './types.js';
import { grantCovers } from './grants.js';
import type { Condition, KeyPolicy, Statement } from './policy.js';
import { compileGlob, type Glob } from './glob.js';
import { principalMatch, type Principal, type PrincipalMatch } from './principals.js';

export type { AuthRequest, GrantRequest, KeyFacts, RequestFacts } from './types.js';

const EC_PREFIX = 'kms:encryptioncontext:';
const RESOURCE_TAG_PREFIX = 'aws:resourcetag/';
const REQUEST_TAG_PREFIX = 'aws:requesttag/';
const EC_ACTIONS = new Set(['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'CreateGrant']);
const GRANT_ADMIN_ACTIONS = new Set(['CreateGrant', 'ListGrants', 'RevokeGrant']);

/**
 * The request context: the values of a (lowercase) condition key, or undefined when the
 * request has none (an absent key).
 */
export function contextValues(req: AuthRequest, key: string): readonly string[] | undefined {
  const f = req.facts;
  if (key.startsWith(EC_PREFIX)) {
    if (!EC_ACTIONS.has(req.action) || !f.encryptionContext) return undefined;
    // The condition key, context key included, is not case sensitive (Developer Guide,
    // "Case sensitivity of the encryption context condition").
    const want = key.slice(EC_PREFIX.length);
    const out: string[] = [];
    // Own pairs, each read once (issue 12.1).
    for (const [k, v] of contextPairs(f.encryptionContext)) if (typeof v === 'string' && k.toLowerCase() === want) out.push(v);
    return out.length ? out : undefined;
  }
  // ABAC (Developer Guide, "ABAC for AWS KMS"; IAM User Guide, aws:ResourceTag and
  // aws:RequestTag): the tag-key part of the condition key is not case sensitive (the key is
  // lowercase here), the value is; one value per tag key (single-valued keys).
  if (key.startsWith(RESOURCE_TAG_PREFIX)) {
    // Only a request on an existing key has resource tags (not CreateKey, ListKeys, ListAliases).
    const want = key.slice(RESOURCE_TAG_PREFIX.length);
    const t = req.key.tags?.find((x) => x.key.toLowerCase() === want);
    return t === undefined ? undefined : [t.value];
  }
  if (key.startsWith(REQUEST_TAG_PREFIX)) {
    const want = key.slice(REQUEST_TAG_PREFIX.length);
    const t = f.requestTags?.find((x) => x.TagKey.toLowerCase() === want);
    return t === undefined ? undefined : [t.TagValue];
  }
  switch (key) {
    case 'aws:tagkeys': {
      // The tag keys in the request (multivalued): Tags of CreateKey/ReplicateKey/TagResource, TagKeys of UntagResource.
      const keys = f.requestTags ? f.requestTags.map((t) => t.TagKey) : f.tagKeys;
      return keys && keys.length ? keys : undefined;
    }
    case 'kms:calleraccount':
    case 'aws:principalaccount':
      return [req.caller.accountId];
    case 'aws:principalarn':
      // For a role session, the role's ARN (IAM User Guide, aws:PrincipalArn); the session ARN
      // does not carry the role's path, so kms-core writes the role without one.
      return req.caller.kind === 'assumed-role'
        ? [`arn:${req.caller.partition}:iam::${req.caller.accountId}:role/${req.caller.roleName as string}`]
        : [req.caller.arn];
    case 'kms:encryptioncontextkeys': {
      if (!EC_ACTIONS.has(req.action) || !f.encryptionContext) return undefined;
      const keys = Object.keys(f.encryptionContext);
      return keys.length ? keys : undefined;
    }
    case 'kms:encryptionalgorithm':
      return f.encryptionAlgorithm === undefined ? undefined : [f.encryptionAlgorithm];
    case 'kms:reencryptonsamekey':
      if (req.action !== 'ReEncryptFrom' && req.action !== 'ReEncryptTo') return undefined;
      return [String(f.reEncryptPeer === req.key.arn)];
    case 'kms:grantoperations':
      return f.grant && f.grant.operations.length ? f.grant.operations : undefined;
    case 'kms:granteeprincipal':
      return f.grant ? [f.grant.granteePrincipal] : undefined;
    case 'kms:retiringprincipal':
      return f.grant?.retiringPrincipal === undefined ? undefined : [f.grant.retiringPrincipal];
    case 'kms:grantconstrainttype': {
      const c = f.grant?.constraints;
      if (!c) return undefined;
      const types = [];
      if (c.encryptionContextEquals) types.push('EncryptionContextEquals');
      if (c.encryptionContextSubset) types.push('EncryptionContextSubset');
      return types.length ? types : undefined;
    }
    case 'kms:grantisforawsresource':
      // kms-core callers are never AWS services acting for a resource.
      return GRANT_ADMIN_ACTIONS.has(req.action) ? ['false'] : undefined;
    case 'kms:keyspec':
    case 'kms:customermasterkeyspec':
      return req.key.keySpec ? [req.key.keySpec] : undefined;
    case 'kms:keyusage':
    case 'kms:customermasterkeyusage':
      return req.key.keyUsage ? [req.key.keyUsage] : undefined;
    case 'kms:keyorigin':
      return req.key.origin ? [req.key.origin] : undefined;
    case 'kms:multiregion':
      return req.key.keySpec ? [String(req.key.multiRegion)] : undefined;
    case 'kms:multiregionkeytype':
      // A replica's set has its primary in another Region (src/keys/multi-region.ts).
      return req.key.multiRegion ? [req.key.primaryRegion !== undefined && req.key.primaryRegion !== req.key.region ? 'REPLICA' : 'PRIMARY'] : undefined;
    case 'kms:replicaregion':
      return f.replicaRegion === undefined ? undefined : [f.replicaRegion];
    case 'kms:primaryregion':
      return f.primaryRegion === undefined ? undefined : [f.primaryRegion];
    case 'kms:requestalias':
      return f.requestAlias === undefined ? undefined : [f.requestAlias];
    case 'kms:signingalgorithm':
      return f.signingAlgorithm === undefined ? undefined : [f.signingAlgorithm];
    case 'kms:messagetype':
      return f.messageType === undefined ? undefined : [f.messageType];
    case 'kms:datakeypairspec':
      return f.dataKeyPairSpec === undefined ? undefined : [f.dataKeyPairSpec];
    case 'kms:macalgorithm':
      return f.macAlgorithm === undefined ? undefined : [f.macAlgorithm];
    case 'kms:keyagreementalgorithm':
      return f.keyAgreementAlgorithm === undefined ? undefined : [f.keyAgreementAlgorithm];
    case 'kms:wrappingalgorithm':
      return f.wrappingAlgorithm === undefined ? undefined : [f.wrappingAlgorithm];
    case 'kms:wrappingkeyspec':
      return f.wrappingKeySpec === undefined ? undefined : [f.wrappingKeySpec];
    case 'kms:expirationmodel':
      return f.expirationModel === undefined ? undefined : [f.expirationModel];
    case 'kms:validto':
      return f.validTo === undefined ? undefined : [f.validTo];
    case 'kms:bypasspolicylockoutsafetycheck':
      return f.bypassPolicyLockoutSafetyCheck === undefined ? undefined : [String(f.bypassPolicyLockoutSafetyCheck)];
    default:
      return undefined;
  }
}

const likeCache = new Map<string, Glob>();

/** StringLike / ArnLike: a linear-time wildcard match (src/auth/glob.ts), never a RegExp. */
function like(value: string, pattern: string): boolean {
  let r = likeCache.get(pattern);
  if (!r) {
    r = compileGlob(pattern);
    if (likeCache.size >= 1024) likeCache.clear();
    likeCache.set(pattern, r);
  }
  return r.test(value);
}

/** The positive base comparison of one request value with the policy's values (OR). */
function positive(op: Condition['operator'], v: string, values: readonly string[]): boolean {
  switch (op) {
    case 'StringEquals':
    case 'StringNotEquals':
    case 'ArnEquals':
    case 'ArnNotEquals':
      return values.includes(v);
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase': {
      const lv = v.toLowerCase();
      return values.some((x) => x.toLowerCase() === lv);
    }
    case 'StringLike':
    case 'StringNotLike':
    case 'ArnLike':
    case 'ArnNotLike':
      return values.some((x) => like(v, x));
    case 'Bool': {
      const lv = v.toLowerCase();
      return values.some((x) => x.toLowerCase() === lv);
    }
    case 'Null':
      return false;
  }
}

function negated(op: Condition['operator']): boolean {
  return op.includes('Not');
}

/** One condition (IAM User Guide, "Condition operators" and "multivalued context keys"). */
export function conditionHolds(c: Condition, req: AuthRequest): boolean {
  const got = contextValues(req, c.key);
  if (c.operator === 'Null') {
    const absent = got === undefined || got.length === 0;
    return c.values.some((x) => (x.toLowerCase() === 'true') === absent);
  }
  if (got === undefined || got.length === 0) {
    if (c.ifExists) return true;
    if (c.set === 'all') return true;
    if (c.set === 'any') return false;
    return negated(c.operator);
  }
  const neg = negated(c.operator);
  const match = (v: string) => positive(c.operator, v, c.values) !== neg;
  if (c.set === 'all') return got.every(match);
  if (c.set === 'any') return got.some(match);
  // A single-valued operator: positive if any value matches; negated if none does.
  return neg ? !got.some((v) => positive(c.operator, v, c.values)) : got.some(match);
}

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

/** Evaluates the key policy alone. */
export function evaluatePolicy(policy: KeyPolicy, req: AuthRequest): PolicyVerdict {
  const action = `kms:${req.action}`;
  let allow: PrincipalMatch = false;
  let deny = false;
  for (const s of policy.statements) {
    if (s.actions.test(action) === s.notAction) continue;
    const who = statementPrincipal(s, req.caller);
    if (who === false) continue;
    if (s.effect === 'Allow' && (allow === 'name' || (allow === 'account' && who === 'account'))) continue;
    if (!s.conditions.every((c) => conditionHolds(c, req))) continue;
    if (s.effect === 'Deny') {
      // A Deny to an account applies to all its principals, with or without IAM.
      deny = true;
      break;
    }
    allow = who;
  }
  return { deny, allow };
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
  if (verdict.deny) return { denial: 'explicit-deny' };
  const sameAccount = req.caller.accountId === req.key.accountId && req.caller.partition === partitionOfArn(req.key.arn);
  const viaIam = (how: PrincipalMatch, via: 'key-policy' | 'grant'): Decision => {
    // Named in the key's own account: the resource policy suffices. Named from another
    // account, or reached through an account principal: the caller's IAM must allow too.
    if (how === 'name' && (sameAccount || req.caller.kind === 'root')) return { denial: undefined, via };
    if (req.caller.kind === 'root') return { denial: undefined, via };
    return identity() ? { denial: undefined, via } : { denial: 'no-identity-policy' };
  };
  // The key policy, then the grants: a grant still allows when the key policy reaches the caller
  // only through an account principal that IAM does not back.
  let denial: Denial = 'no-resource-policy';
  if (verdict.allow !== false) {
    const d = viaIam(verdict.allow, 'key-policy');
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
      const d = viaIam(how, 'grant');
      if (d.denial === undefined) return d;
      denial = d.denial;
    }
  }
  return { denial };
}

function partitionOfArn(arn: string): string {
  const end = arn.indexOf(':', 4);
  return arn.slice(4, end);
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

const CONTEXT_KEYS = [
  'kms:CallerAccount',
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'kms:EncryptionContextKeys',
  'kms:EncryptionAlgorithm',
  'kms:ReEncryptOnSameKey',
  'kms:GrantOperations',
  'kms:GranteePrincipal',
  'kms:RetiringPrincipal',
  'kms:GrantConstraintType',
  'kms:GrantIsForAWSResource',
  'kms:KeySpec',
  'kms:KeyUsage',
  'kms:KeyOrigin',
  'kms:MultiRegion',
  'kms:MultiRegionKeyType',
  'kms:RequestAlias',
  'kms:BypassPolicyLockoutSafetyCheck',
  'kms:SigningAlgorithm',
  'kms:MessageType',
  'kms:DataKeyPairSpec',
  'kms:MacAlgorithm',
  'kms:KeyAgreementAlgorithm',
  'aws:TagKeys',
  'kms:ReplicaRegion',
  'kms:PrimaryRegion',
  'kms:WrappingAlgorithm',
  'kms:WrappingKeySpec',
  'kms:ExpirationModel',
  'kms:ValidTo',
];
const MULTI_VALUED = new Set(['kms:EncryptionContextKeys', 'kms:GrantOperations', 'kms:GrantConstraintType', 'aws:TagKeys']);

/** The request's condition keys as a plain object, for the identity hook. */
export function requestContext(req: AuthRequest): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {};
  for (const k of CONTEXT_KEYS) {
    const v = contextValues(req, k.toLowerCase());
    if (v !== undefined) out[k] = MULTI_VALUED.has(k) ? [...v] : (v[0] as string);
  }
  const ec = req.facts.encryptionContext;
  if (ec && EC_ACTIONS.has(req.action)) for (const [k, v] of contextPairs(ec)) if (typeof v === 'string') out[`kms:EncryptionContext:${k}`] = v;
  // ABAC: the key's tags and the request's, spelled as they were given.
  for (const t of req.key.tags ?? []) out[`aws:ResourceTag/${t.key}`] = t.value;
  for (const t of req.facts.requestTags ?? []) out[`aws:RequestTag/${t.TagKey}`] = t.TagValue;
  return out;
}
