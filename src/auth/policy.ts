/**
 * Key policy documents: parsing, validation, and the default key policy.
 *
 * kms-core reads the subset of the IAM policy language that KMS key policies use (README.md,
 * "Permission model"):
 *
 *   { "Version": "2012-10-17", "Id"?: string,
 *     "Statement": [ { "Sid"?: string, "Effect": "Allow" | "Deny",
 *                      "Principal": "*" | { "AWS": <principal> | [<principal>, …], "Service"?: … },
 *                      "Action" | "NotAction": <action> | [<action>, …],
 *                      "Resource": "*",
 *                      "Condition"?: { <operator>: { <condition key>: <value> | [<value>, …] } } } ] }
 *
 * Anything else is refused with MalformedPolicyDocumentException, so a policy kms-core accepts
 * means what it says: NotPrincipal and NotResource are refused as unsupported, as are condition
 * operators outside the table below. A key policy holds at most 32768 bytes (Developer Guide,
 * "Key policy format"; LimitExceededException) of printable Latin-1 plus tab, LF and CR.
 *
 * Pure code (no node:*): runs in browsers.
 */
import { LimitExceededException, MalformedPolicyDocumentException } from '../errors.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { compileGlobs, type Glob } from './glob.js';
import { parsePrincipal, rootArn, type Principal } from './principals.js';

/** Key policy size limit in bytes (Developer Guide, "Key policy format"). */
export const POLICY_MAX_BYTES = 32768;

/** The only PolicyName KMS accepts (PutKeyPolicy, GetKeyPolicy). */
export const DEFAULT_POLICY_NAME = 'default';

/** Recorded AWS message for principals that are malformed (or do not exist). */
export const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';
/** Recorded AWS message of the lockout safety check. */
export const LOCKOUT = 'The new key policy will not allow you to update the key policy in the future.';
/** AWS's message for ForAllValues with kms:EncryptionContext:<key> (Developer Guide, condition keys). */
export const OVERLY_PERMISSIVE_EC =
  'OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified encryption context or with an unspecified encryption context. To fix, remove ForAllValues.';

/**
 * AWS's refusal of a key policy (CreateKey, PutKeyPolicy) that conditions on the key's own tags
 * or aliases, recorded from a PutKeyPolicy (awsdocs/aws-kms-developer-guide pull request #47):
 * aws:ResourceTag/<key> and kms:ResourceAliases are for IAM policies only (Developer Guide,
 * "Use tags to control access to KMS keys", "Use aliases to control access to KMS keys").
 */
export const NOT_IN_KEY_POLICY = 'These condition keys are not permitted in a key policy: aws:ResourceTag, kms:ResourceTag, kms:ResourceAliases';

const IAM_ONLY_KEY = (k: string) => k === 'kms:resourcealiases' || k === 'aws:resourcetag' || k === 'kms:resourcetag' || k.startsWith('aws:resourcetag/') || k.startsWith('kms:resourcetag/');

/* Precondition: a key policy conditions on no IAM-only key (aws:ResourceTag, kms:ResourceAliases). */
export function checkKeyPolicyConditionKeys(policy: KeyPolicy): void {
  if (policy.statements.some((s) => s.conditions.some((c) => IAM_ONLY_KEY(c.key)))) malformed(NOT_IN_KEY_POLICY);
}

/**
 * The default key policy, exactly as AWS writes it for keys created through the API
 * (Developer Guide, "Default key policy"; `aws kms get-key-policy` output).
 */
export function defaultKeyPolicy(partition: string, accountId: string): string {
  return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "${rootArn(partition, accountId)}"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`;
}

/** Who a statement names. `service` principals never match a kms-core caller. */
export type PolicyPrincipal = { kind: 'any' } | { kind: 'principal'; principal: Principal } | { kind: 'service'; name: string };

/** Condition operators kms-core evaluates (without the ForAnyValue:/ForAllValues: prefix and IfExists suffix). */
export type ConditionOperator =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'ArnEquals'
  | 'ArnNotEquals'
  | 'ArnLike'
  | 'ArnNotLike'
  | 'Bool'
  | 'Null';

const OPERATORS: ReadonlySet<string> = new Set<ConditionOperator>([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnNotEquals',
  'ArnLike',
  'ArnNotLike',
  'Bool',
  'Null',
]);

export interface Condition {
  readonly operator: ConditionOperator;
  /** ForAnyValue: / ForAllValues: */
  readonly set?: 'any' | 'all';
  readonly ifExists: boolean;
  /** Condition keys are case-insensitive: stored in lowercase. */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principals: readonly PolicyPrincipal[];
  /** Matches `kms:<Action>` (case-insensitive wildcards, src/auth/glob.ts); `not` for NotAction. */
  readonly actions: Glob;
  readonly notAction: boolean;
  readonly conditions: readonly Condition[];
}

export interface KeyPolicy {
  readonly statements: readonly Statement[];
}

function malformed(message: string): never {
  throw new MalformedPolicyDocumentException(message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, what: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x): x is string => typeof x === 'string' && x.length > 0)) {
    malformed(`Policy contains a statement with an invalid ${what} element: it must be a non-empty string or a non-empty list of strings.`);
  }
  return list;
}

const ACTION = /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$/;

function parseActions(v: unknown): Glob {
  const actions = stringList(v, 'Action');
  for (const a of actions) if (a !== '*' && !ACTION.test(a)) malformed(`Policy contains an invalid action: ${a}`);
  // IAM matches action names case-insensitively; wildcards without RegExp (issue 12.2).
  return compileGlobs(actions, { ignoreCase: true });
}

function parsePrincipals(v: unknown, partition: string): PolicyPrincipal[] {
  if (v === '*') return [{ kind: 'any' }];
  if (!isObject(v)) malformed(INVALID_PRINCIPALS);
  const out: PolicyPrincipal[] = [];
  for (const [type, value] of Object.entries(v)) {
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) malformed(INVALID_PRINCIPALS);
    for (const p of list) {
      if (typeof p !== 'string') malformed(INVALID_PRINCIPALS);
      if (type === 'AWS') {
        if (p === '*') {
          out.push({ kind: 'any' });
          continue;
        }
        const principal = parsePrincipal(p, partition);
        if (!principal) malformed(INVALID_PRINCIPALS);
        out.push({ kind: 'principal', principal });
      } else if (type === 'Service') {
        if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(p)) malformed(INVALID_PRINCIPALS);
        out.push({ kind: 'service', name: p });
      } else {
        malformed(INVALID_PRINCIPALS);
      }
    }
  }
  if (out.length === 0) malformed(INVALID_PRINCIPALS);
  return out;
}

function conditionValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  return malformed('Policy contains a condition with an invalid value: values must be strings, numbers or booleans.');
}

function parseConditions(v: unknown): Condition[] {
  if (v === undefined) return [];
  if (!isObject(v)) malformed('Policy contains an invalid Condition element: it must be an object.');
  const out: Condition[] = [];
  for (const [rawOp, block] of Object.entries(v)) {
    let op = rawOp;
    let set: 'any' | 'all' | undefined;
    if (op.startsWith('ForAnyValue:')) {
      set = 'any';
      op = op.slice('ForAnyValue:'.length);
    } else if (op.startsWith('ForAllValues:')) {
      set = 'all';
      op = op.slice('ForAllValues:'.length);
    }
    let ifExists = false;
    if (op.endsWith('IfExists') && op !== 'IfExists') {
      ifExists = true;
      op = op.slice(0, -'IfExists'.length);
    }
    if (!OPERATORS.has(op) || (op === 'Null' && (set !== undefined || ifExists))) {
      malformed(`Policy contains the condition operator ${rawOp}, which kms-core does not support.`);
    }
    if (!isObject(block)) malformed(`Policy contains an invalid condition block for ${rawOp}: it must be an object.`);
    for (const [key, value] of Object.entries(block)) {
      const k = key.toLowerCase();
      if (!/^[a-z0-9-]+:\S+$/.test(k)) malformed(`Policy contains an invalid condition key: ${key}`);
      if (set === 'all' && k.startsWith('kms:encryptioncontext:')) malformed(OVERLY_PERMISSIVE_EC);
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0) malformed(`Policy contains an empty value list for the condition key ${key}.`);
      const values = list.map(conditionValue);
      if ((op === 'Bool' || op === 'Null') && !values.every((x) => x.toLowerCase() === 'true' || x.toLowerCase() === 'false')) {
        malformed(`Policy contains a ${op} condition whose value is not true or false: ${key}`);
      }
      const c: Condition = set ? { operator: op as ConditionOperator, set, ifExists, key: k, values } : { operator: op as ConditionOperator, ifExists, key: k, values };
      out.push(c);
    }
  }
  return out;
}

const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function parseStatement(s: unknown, partition: string): Statement {
  if (!isObject(s)) malformed('Policy contains a statement that is not an object.');
  for (const f of Object.keys(s)) if (!STATEMENT_FIELDS.has(f)) malformed(`Policy contains a statement with the unknown element ${f}.`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') malformed('Policy contains a statement whose Sid is not a string.');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') malformed('Policy contains a statement whose Effect is neither Allow nor Deny.');
  if (s.NotPrincipal !== undefined) malformed('kms-core does not support NotPrincipal in key policies.');
  if (s.NotResource !== undefined) malformed('kms-core does not support NotResource in key policies.');
  if (s.Principal === undefined) malformed(INVALID_PRINCIPALS);
  if ((s.Action === undefined) === (s.NotAction === undefined)) {
    malformed('Policy contains a statement that must have exactly one of the Action and NotAction elements.');
  }
  // AWS refuses statements without Resource (since August 2025) and accepts only "*": a key
  // policy applies to its own key.
  if (s.Resource === undefined) malformed('Policy contains a statement without a Resource element.');
  const resources = stringList(s.Resource, 'Resource');
  if (!resources.every((r) => r === '*')) malformed('Policy contains a statement whose Resource is not "*": the only Resource a key policy accepts is "*".');
  const stmt: Statement = {
    effect: s.Effect,
    principals: parsePrincipals(s.Principal, partition),
    actions: parseActions(s.Action ?? s.NotAction),
    notAction: s.Action === undefined,
    conditions: parseConditions(s.Condition),
  };
  return typeof s.Sid === 'string' ? { sid: s.Sid, ...stmt } : stmt;
}

/** Printable Latin-1 plus tab, LF and CR (Developer Guide, "Key policy format"). */
const POLICY_CHARS = /^[\u0009\u000A\u000D\u0020-\u007E\u00A0-\u00FF]*$/;

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return n;
}

/**
 * Parses and checks a key policy document. `partition` reads bare account IDs in Principal.
 * Throws LimitExceededException (over 32768 bytes) or MalformedPolicyDocumentException.
 */
export function parseKeyPolicy(text: string, partition = 'aws'): KeyPolicy {
  if (utf8Length(text) > POLICY_MAX_BYTES) {
    throw new LimitExceededException(`The key policy is ${utf8Length(text)} bytes; a key policy holds at most ${POLICY_MAX_BYTES} bytes.`);
  }
  if (!POLICY_CHARS.test(text)) malformed('The key policy contains characters other than printable Basic Latin and Latin-1 characters, tab, line feed and carriage return.');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    malformed('Syntax errors in policy.');
  }
  if (!isObject(doc)) malformed('Syntax errors in policy.');
  for (const f of Object.keys(doc)) {
    if (f !== 'Version' && f !== 'Id' && f !== 'Statement') malformed(`Policy document contains the unknown element ${f}.`);
  }
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    malformed('The policy document Version must be 2012-10-17 (or 2008-10-17).');
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') malformed('The policy document Id must be a string.');
  const raw = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  if (raw.length === 0) malformed('The policy document must contain at least one statement.');
  return { statements: raw.map((s) => parseStatement(s, partition)) };
}

const peerReaders = new WeakMap<KeyPolicy, boolean>();

/** A condition of the policy reads kms:ReEncryptOnSameKey (condition keys are lowercase once parsed). */
export function readsReEncryptPeer(policy: KeyPolicy): boolean {
  let r = peerReaders.get(policy);
  if (r === undefined) peerReaders.set(policy, (r = policy.statements.some((s) => s.conditions.some((c) => c.key === 'kms:reencryptonsamekey'))));
  return r;
}

/**
 * Policy text per generation of the memo, in UTF-16 code units: ~2,000 policies of 500
 * characters, or 32 of the largest a key may hold (POLICY_MAX_BYTES), so the memo's memory is
 * bounded by what it holds, not by how many entries (a parsed policy takes ~10× its text).
 */
const POLICY_TEXT_PER_GENERATION = 1 << 20;
const caches = new Map<string, BoundedCache<string, KeyPolicy>>();
const textLength = (text: string) => text.length;

/**
 * parseKeyPolicy with a bounded memo per partition (policies are re-read on every
 * authorization; the record's own string is the key, so its hash is computed once). Two
 * generations, not a clear-all at a count: with more keys of distinct policies than one
 * generation holds, the policies in use stay parsed (issue 14: at 256 distinct policies the
 * memo emptied itself and every authorization parsed its policy again, ~3× the call's cost).
 */
export function cachedKeyPolicy(text: string, partition: string): KeyPolicy {
  let cache = caches.get(partition);
  if (!cache) caches.set(partition, (cache = new BoundedCache(POLICY_TEXT_PER_GENERATION, textLength)));
  let p = cache.get(text);
  if (!p) {
    p = parseKeyPolicy(text, partition);
    cache.set(text, p);
  }
  return p;
}
