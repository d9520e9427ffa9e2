/**
 * The condition keys of a request (IAM User Guide, "Condition keys"; Developer Guide, "AWS KMS
 * condition keys" and "ABAC for AWS KMS"): the values a key policy condition (auth/conditions.ts)
 * is evaluated against, and the same keys, spelled as AWS spells them, for the identity hook
 * (auth/evaluate.ts). Pure code (no node:*).
 */
import { contextPairs } from '../envelope/context.js';

const hasOwn = Object.prototype.hasOwnProperty;
import type { AuthRequest } from './types.js';

const EC_PREFIX = 'kms:encryptioncontext:';
const RESOURCE_TAG_PREFIX = 'aws:resourcetag/';
const REQUEST_TAG_PREFIX = 'aws:requesttag/';
const EC_ACTIONS = new Set(['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'CreateGrant']);
const GRANT_ADMIN_ACTIONS = new Set(['CreateGrant', 'ListGrants', 'RevokeGrant']);

/**
 * `s.toLowerCase()` equals `key` from `at` on (`key` is lowercase), without building the
 * lowercase string while `s` is ASCII: an ASCII character lowercases on its own, whatever
 * follows it, so a mismatch there decides. The first non-ASCII character hands over to
 * toLowerCase and its full Unicode rules (a character may lowercase to two, İ → i̇).
 */
export function lowercaseIs(s: string, key: string, at: number): boolean {
  const n = key.length - at;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0x80) return s.toLowerCase() === (at === 0 ? key : key.slice(at));
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (i >= n || key.charCodeAt(at + i) !== c) return false;
  }
  return s.length === n;
}

/**
 * The request context: the values of a (lowercase) condition key, or undefined when the
 * request has none (an absent key).
 */
export function contextValues(req: AuthRequest, key: string): readonly string[] | undefined {
  // The encryption-context keys in a function of their own: the commonest condition of a key
  // policy, small enough for V8 to inline, where the whole switch below is not (~200 → ~90 ns
  // a condition; issue 14).
  return key.startsWith(EC_PREFIX) ? encryptionContextValues(req, key) : otherValues(req, key);
}

/** kms:EncryptionContext:<key>: the values of the context keys whose lowercase is <key>. */
function encryptionContextValues(req: AuthRequest, key: string): readonly string[] | undefined {
  const ec = req.facts.encryptionContext;
  if (!ec || !EC_ACTIONS.has(req.action)) return undefined;
  // The condition key, context key included, is not case sensitive (Developer Guide,
  // "Case sensitivity of the encryption context condition").
  let out: string[] | undefined;
  // Own keys, each value read once (issue 12.1); no pair list and no lowercased copy is built
  // (issue 14: this runs for every condition on every call).
  // for-in with an own-key check: V8 walks its enum cache, where Object.keys builds an array.
  for (const k in ec) {
    if (!hasOwn.call(ec, k) || !lowercaseIs(k, key, EC_PREFIX.length)) continue;
    const v: unknown = ec[k];
    if (typeof v === 'string') (out ??= []).push(v);
  }
  return out;
}

function otherValues(req: AuthRequest, key: string): readonly string[] | undefined {
  const f = req.facts;
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
