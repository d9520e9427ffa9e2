/**
 * The condition operators of a key policy statement (IAM User Guide, "IAM JSON policy elements:
 * Condition operators", "...IfExists", the Null operator, and "Single-valued vs. multivalued
 * context keys" for ForAllValues / ForAnyValue), evaluated against the request's condition keys
 * (auth/condition-keys.ts). Pure code (no node:*); wildcards never become a RegExp.
 */
import type { AuthRequest } from './types.js';
import type { Condition } from './policy.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { compileGlob, type Glob } from './glob.js';
import { contextValues } from './condition-keys.js';

/** Compiled patterns: two generations of 512 (the 1,024 the clear-all memo held), no cliff. */
const likeCache = new BoundedCache<string, Glob>(512);

/** StringLike / ArnLike: a linear-time wildcard match (src/auth/glob.ts), never a RegExp. */
function like(value: string, pattern: string): boolean {
  let r = likeCache.get(pattern);
  if (!r) {
    r = compileGlob(pattern);
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

/** The negated operators (their names hold "Not"), by switch rather than a substring search per call. */
function negated(op: Condition['operator']): boolean {
  switch (op) {
    case 'StringNotEquals':
    case 'StringNotEqualsIgnoreCase':
    case 'StringNotLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return true;
    default:
      return false;
  }
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
  // Loops, not every/some with a closure: this runs for every condition on every call (issue 14).
  if (c.set === 'all') {
    for (let i = 0; i < got.length; i++) if (positive(c.operator, got[i] as string, c.values) === neg) return false;
    return true;
  }
  if (c.set === 'any') {
    for (let i = 0; i < got.length; i++) if (positive(c.operator, got[i] as string, c.values) !== neg) return true;
    return false;
  }
  // A single-valued operator: positive if any value matches; negated if none does.
  for (let i = 0; i < got.length; i++) if (positive(c.operator, got[i] as string, c.values)) return !neg;
  return neg;
}
