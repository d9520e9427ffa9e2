/**
 * Grants (Developer Guide, "Grants in AWS KMS"; API reference CreateGrant, GrantConstraints,
 * RetireGrant, RevokeGrant): who a grant covers, what its constraints allow, the limits on a
 * grant created from a grant, and grant tokens.
 *
 * Grant tokens are kms-core's own opaque format: base64url (no padding) of
 *
 *   0x01 ‖ grant ID (32 bytes) ‖ token nonce (16 random bytes) ‖ key ARN (UTF-8)
 *
 * A token is valid while its grant lives and the nonce is one the grant issued (each
 * CreateGrant call, retries included, issues a new one: "the returned grant token is unique
 * with every CreateGrant request ... All grant tokens for the same grant ID can be used
 * interchangeably", CreateGrant `Name`). Anything else is InvalidGrantTokenException.
 *
 * Pure code (no node:*).
 */
import { contextPairs } from '../envelope/context.js';
import type { GrantConstraintsRecord, GrantRecord } from '../keys/record.js';
import type { Random } from '../random.js';
import { fromBase64Url, fromHex, fromUtf8, toBase64Url, toHex, utf8 } from '../util/bytes.js';
import type { AuthRequest } from './types.js';
import { parsePrincipal, principalMatch, type PrincipalMatch } from './principals.js';

/** Every GrantOperation of the API model. */
export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
] as const;

/** Operations to which encryption-context constraints apply (those with an EncryptionContext). */
const CONSTRAINED_OPS = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
]);

/** Each constraint holds at most 8 pairs; values at most 384 characters (Developer Guide). */
export const CONSTRAINT_MAX_PAIRS = 8;
export const CONSTRAINT_MAX_VALUE = 384;

function lowerKeys(ctx: Readonly<Record<string, string>>): Map<string, string> {
  const m = new Map<string, string>();
  // Own pairs, each read once (issue 12.1): an inherited key is no pair.
  for (const [k, v] of contextPairs(ctx)) if (typeof v === 'string') m.set(k.toLowerCase(), v);
  return m;
}

/**
 * Whether `ctx` satisfies the constraints. In a grant constraint "the key in each key-value
 * pair is not case sensitive, but the value is case sensitive" (API reference, GrantConstraints).
 */
export function constraintsAllow(c: GrantConstraintsRecord | undefined, ctx: Readonly<Record<string, string>> | undefined): boolean {
  if (!c) return true;
  const got = lowerKeys(ctx ?? {});
  if (c.encryptionContextEquals) {
    const want = lowerKeys(c.encryptionContextEquals);
    if (want.size !== got.size) return false;
    for (const [k, v] of want) if (got.get(k) !== v) return false;
  }
  if (c.encryptionContextSubset) {
    for (const [k, v] of lowerKeys(c.encryptionContextSubset)) if (got.get(k) !== v) return false;
  }
  return true;
}

function hasConstraint(c: GrantConstraintsRecord | undefined): boolean {
  return !!c && (c.encryptionContextEquals !== undefined || c.encryptionContextSubset !== undefined);
}

/**
 * A grant created with CreateGrant permission from a grant must be "at least as strict" as its
 * parent (Developer Guide, "Granting CreateGrant permission"): every encryption context the
 * child's constraints allow, the parent's allow too. A child may add pairs to a Subset, or turn
 * a Subset into an Equals; not the reverse.
 */
export function atLeastAsStrict(parent: GrantConstraintsRecord | undefined, child: GrantConstraintsRecord | undefined): boolean {
  if (!hasConstraint(parent)) return true;
  if (!hasConstraint(child)) return false;
  const c = child as GrantConstraintsRecord;
  const p = parent as GrantConstraintsRecord;
  if (c.encryptionContextEquals) {
    // The child allows exactly this context (or nothing, if its own Subset contradicts it).
    if (!constraintsAllow({ encryptionContextSubset: c.encryptionContextSubset ?? {} }, c.encryptionContextEquals)) return true;
    return constraintsAllow(p, c.encryptionContextEquals);
  }
  // A Subset-only child allows every superset of its pairs: never within an Equals parent.
  if (p.encryptionContextEquals) return false;
  return constraintsAllow({ encryptionContextSubset: p.encryptionContextSubset ?? {} }, c.encryptionContextSubset ?? {});
}

/**
 * Whether grant `g` covers the request: its grantee is (or, through its account, may be) the
 * caller, it lists the operation, and its constraints hold (for operations with an encryption
 * context on symmetric keys). For CreateGrant, the requested grant must ask for a subset of
 * `g`'s operations with constraints at least as strict.
 */
export function grantCovers(g: GrantRecord, req: AuthRequest, symmetric: boolean): PrincipalMatch {
  if (!g.operations.includes(req.action)) return false;
  const grantee = parsePrincipal(g.granteePrincipal, req.caller.partition);
  if (!grantee) return false;
  const m = principalMatch(grantee, req.caller);
  if (m === false) return false;
  if (req.action === 'CreateGrant') {
    const child = req.facts.grant;
    if (!child || !child.operations.every((op) => g.operations.includes(op))) return false;
    if (!atLeastAsStrict(g.constraints, child.constraints)) return false;
  } else if (symmetric && CONSTRAINED_OPS.has(req.action) && !constraintsAllow(g.constraints, req.facts.encryptionContext)) {
    return false;
  }
  return m;
}

/**
 * The constraints of a CreateGrant request as a record (the one place they are copied): absent
 * when the request sets neither member. The copy is null-prototype, so a key such as
 * "__proto__" is an ordinary context key.
 */
export function constraintsOf(c: { readonly EncryptionContextEquals?: Readonly<Record<string, string>> | undefined; readonly EncryptionContextSubset?: Readonly<Record<string, string>> | undefined } | undefined): GrantConstraintsRecord | undefined {
  if (!c || (c.EncryptionContextEquals === undefined && c.EncryptionContextSubset === undefined)) return undefined;
  const out: GrantConstraintsRecord = {};
  if (c.EncryptionContextEquals !== undefined) out.encryptionContextEquals = copyPairs(c.EncryptionContextEquals);
  if (c.EncryptionContextSubset !== undefined) out.encryptionContextSubset = copyPairs(c.EncryptionContextSubset);
  return out;
}

function copyPairs(m: Readonly<Record<string, string>>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const k of Object.keys(m)) out[k] = m[k] as string;
  return out;
}

/** Two constraint sets are the same (CreateGrant retry detection). */
export function sameConstraints(a: GrantConstraintsRecord | undefined, b: GrantConstraintsRecord | undefined): boolean {
  const eq = (x: Record<string, string> | undefined, y: Record<string, string> | undefined) => {
    if (x === undefined || y === undefined) return x === y;
    const kx = Object.keys(x);
    return kx.length === Object.keys(y).length && kx.every((k) => Object.prototype.hasOwnProperty.call(y, k) && y[k] === x[k]);
  };
  return eq(a?.encryptionContextEquals, b?.encryptionContextEquals) && eq(a?.encryptionContextSubset, b?.encryptionContextSubset);
}

/** Same operations, as sets. */
export function sameOperations(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** A new GrantId: 64 lowercase hex characters, as AWS's look. */
export function newGrantId(random: Random): string {
  return toHex(Uint8Array.from(random(32)));
}

export const GRANT_ID = /^[0-9a-f]{64}$/;

// ───────────────────────────── tokens ─────────────────────────────

const TOKEN_VERSION = 1;

export interface DecodedToken {
  keyArn: string;
  grantId: string;
  /** 32 lowercase hex characters. */
  nonce: string;
}

export function encodeGrantToken(keyArn: string, grantId: string, nonce: string): string {
  const id = fromHex(grantId) as Uint8Array;
  const n = fromHex(nonce) as Uint8Array;
  const arn = utf8(keyArn);
  const b = new Uint8Array(1 + 32 + 16 + arn.length);
  b[0] = TOKEN_VERSION;
  b.set(id, 1);
  b.set(n, 33);
  b.set(arn, 49);
  return toBase64Url(b);
}

/** Parses a token of kms-core's format; undefined for anything else. */
export function decodeGrantToken(token: string): DecodedToken | undefined {
  if (typeof token !== 'string' || token.length > 8192) return undefined;
  const b = fromBase64Url(token);
  if (!b || b.length < 50 || b[0] !== TOKEN_VERSION) return undefined;
  let keyArn: string;
  try {
    keyArn = fromUtf8(b.subarray(49));
  } catch {
    return undefined;
  }
  if (!keyArn.startsWith('arn:')) return undefined;
  return { keyArn, grantId: toHex(b.subarray(1, 33)), nonce: toHex(b.subarray(33, 49)) };
}

/** Whether `token` is one `g` issued. */
export function grantIssued(g: GrantRecord, nonce: string): boolean {
  return g.tokens.includes(nonce);
}
