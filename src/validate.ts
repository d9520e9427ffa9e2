/**
 * Input validation against the KMS API model (src/model/shapes.ts, generated from
 * model/kms-service-2.json): required members, types, lengths, ranges, enums and patterns, in
 * one place. Violations are collected and reported as AWS JSON services do:
 *
 *   1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must
 *   have length less than or equal to 4096
 *
 * Member paths use AWS's lower-camel names ('keyId', 'grantTokens.1.member'). Values are echoed
 * only for non-sensitive strings and numbers; blobs and `sensitive` shapes never are, so no
 * message can hold plaintext.
 */
import { KmsError, ValidationException } from './errors.js';
import { OPERATIONS, SHAPES } from './model/shapes.js';
import type { OperationName, Validated } from './model/api.js';
import type { Shape } from './model/types.js';
import { lowerFirst } from './util/bytes.js';
import { releaseSensitive, sensitiveCopy } from './util/sensitive-copy.js';
import { transientCopy } from './util/transient.js';

const patternCache = new Map<string, RegExp>();

function regex(pattern: string): RegExp {
  let r = patternCache.get(pattern);
  if (!r) {
    // Smithy patterns are not implicitly anchored: the ones that need anchoring carry ^…$.
    r = new RegExp(pattern);
    patternCache.set(pattern, r);
  }
  return r;
}

function shape(name: string): Shape {
  const s = SHAPES[name];
  /* Invariant: the generated model holds every shape it references (names come from the model, never from a request). */
  if (!s) throw new Error(`kms-core: model shape ${name} missing`);
  return s;
}

/*
 * The validated copy (issue 12). validateInput returns a fresh copy of the request, and nothing
 * after validation reads the caller's objects again: authorization, grants, the AAD and the
 * response all read the copy, so what is authorized is exactly what is bound. The copy holds
 * own data only:
 *   - structures: the model's members, each read once from an own property (an inherited
 *     member, e.g. from a polluted Object.prototype, is absent), into a null-prototype object;
 *     null and undefined members are absent, so "null is absent" is one rule, here;
 *   - maps: own enumerable string keys, each value read once, into a null-prototype object
 *     (a "__proto__" key stays an ordinary key);
 *   - lists: fresh arrays of own elements (a hole is a null element);
 *   - blobs: fresh Uint8Arrays, so a caller changing its buffer mid-call changes nothing;
 *   - timestamps: fresh Dates.
 * A getter or Proxy trap that throws is a ValidationException naming the member.
 */

/** Captured once: a caller replacing Object.prototype.hasOwnProperty later changes nothing here. */
const hasOwn = Object.prototype.hasOwnProperty;
const objectKeys = Object.keys;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const getTime = Date.prototype.getTime;
const defineProperty = Object.defineProperty;
const setPrototypeOf = Object.setPrototypeOf;
const objectPrototype = Object.prototype;
/** The internal [[ArrayLength]] of a typed array (an own `length` property cannot fake it). */
const typedLength = (Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'length') as PropertyDescriptor).get as (this: unknown) => unknown;

/** The longest value (rendered) a message echoes; longer ones are "Value at …" (issue 12.6). */
const ECHO_MAX = 4096;
/** Lists of more elements are not echoed. */
const ECHO_ITEMS = 16;
/** Map keys in member paths are cut after this many characters. */
const PATH_KEY_MAX = 128;
/**
 * Lists the model leaves unbounded (Operations, Tags, DryRunModifiers) hold at most this many
 * elements in kms-core. A list is read up to one element past its maximum: a longer one is
 * refused for its length without reading (or echoing) the rest, since a sparse list's length
 * costs nothing to send and walking it would be work the input did not pay for.
 */
const LIST_SCAN = 256;

interface Member {
  readonly member: string;
  readonly memberShape: string;
  /** AWS's lower-camel name in member paths. */
  readonly wire: string;
  readonly required: boolean;
}

const memberTables = new Map<string, readonly Member[]>();

/** A structure's members from the model's own names (for…in would also walk a polluted Object.prototype). */
function membersOf(name: string, s: Shape): readonly Member[] {
  let t = memberTables.get(name);
  if (!t) {
    const members = s.members ?? {};
    t = objectKeys(members).map((member) => ({ member, memberShape: members[member] as string, wire: lowerFirst(member), required: s.required?.includes(member) === true }));
    memberTables.set(name, t);
  }
  return t;
}

/** True for a string shape with no enum, length or pattern (EncryptionContextKey, EncryptionContextValue). */
function unconstrainedString(name: string): boolean {
  const s = shape(name);
  return s.type === 'string' && s.enum === undefined && s.min === undefined && s.max === undefined && s.pattern === undefined;
}

/** The value of own property `k` of `o`, read once; undefined when `o` has no such own property. */
function own(o: object, k: string | number): unknown {
  return hasOwn.call(o, k) ? (o as Record<string | number, unknown>)[k] : undefined;
}

function primitive(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** The "Value '…'" part of a violation: only short, non-sensitive primitives are echoed. */
function describe(value: unknown, s: Shape): string {
  if (s.sensitive || s.type === 'blob' || s.type === 'structure' || s.type === 'map') return 'Value';
  if (s.type === 'list' && isArray(value)) {
    if (value.length > ECHO_ITEMS || !value.every((v) => primitive(v) || v === null || v === undefined)) return 'Value';
    const text = value.map(String).join(', ');
    return text.length > ECHO_MAX ? 'Value' : `Value '[${text}]'`;
  }
  if (primitive(value)) {
    const text = String(value);
    return text.length > ECHO_MAX ? 'Value' : `Value '${text}'`;
  }
  return 'Value';
}

function unreadable(path: string): string {
  return `Value at '${path || 'request'}' failed to satisfy constraint: Member could not be read`;
}

function pathKey(k: string): string {
  return k.length > PATH_KEY_MAX ? `${k.slice(0, PATH_KEY_MAX)}…` : k;
}

/**
 * A member path, joined only when a violation names it: `parent` (already joined; '' at the
 * request), then `seg` (a member's wire name, a list position, a map key, cut after
 * PATH_KEY_MAX characters), then `tail` ('member', 'key', 'value') when given. A valid value
 * costs no string at all (issue 14).
 */
function pathOf(parent: string, seg: string | number, tail: string | undefined): string {
  const s = typeof seg === 'number' ? String(seg) : pathKey(seg);
  const p = parent ? `${parent}.${s}` : s;
  return tail === undefined ? p : `${p}.${tail}`;
}

/** Reports a constraint violation of `shown` (shape `s`) at the path (parent, seg, tail). */
function violate(out: string[], shown: unknown, s: Shape, parent: string, seg: string | number, tail: string | undefined, constraint: string): void {
  out.push(`${describe(shown, s)} at '${pathOf(parent, seg, tail)}' failed to satisfy constraint: ${constraint}`);
}

function notNull(parent: string, seg: string | number, tail: string | undefined): string {
  return `Value null at '${pathOf(parent, seg, tail)}' failed to satisfy constraint: Member must not be null`;
}

/**
 * Checks `value` against shape `name` and returns its validated copy (undefined when it is not
 * of the shape's type). Violations go to `out`; the value's path is (parent, seg, tail), see
 * pathOf. Anything a hostile value throws while it is read (a getter, a Proxy trap, a revoked
 * Proxy) is a violation at its path, never an escape.
 */
function check(value: unknown, name: string, parent: string, seg: string | number, tail: string | undefined, out: string[]): unknown {
  try {
    return checkValue(value, name, parent, seg, tail, out);
  } catch (e) {
    if (e instanceof KmsError) throw e;
    out.push(unreadable(pathOf(parent, seg, tail)));
    return undefined;
  }
}

function checkValue(value: unknown, name: string, parent: string, seg: string | number, tail: string | undefined, out: string[]): unknown {
  const s = shape(name);
  switch (s.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || isArray(value) || value instanceof Uint8Array) {
        violate(out, value, s, parent, seg, tail, 'Member must be a structure');
        return undefined;
      }
      const path = pathOf(parent, seg, tail);
      const copy: Record<string, unknown> = Object.create(null);
      for (const { member, memberShape, wire, required } of membersOf(name, s)) {
        let v: unknown;
        try {
          v = own(value, member);
        } catch (e) {
          if (e instanceof KmsError) throw e;
          out.push(unreadable(pathOf(path, wire, undefined)));
          continue;
        }
        if (v === undefined || v === null) {
          if (required) out.push(notNull(path, wire, undefined));
          continue;
        }
        const c = check(v, memberShape, path, wire, undefined, out);
        if (c !== undefined) copy[member] = c;
      }
      return copy;
    }
    case 'string': {
      if (typeof value !== 'string') return void violate(out, value, s, parent, seg, tail, 'Member must be a string');
      if (s.enum && !s.enum.includes(value)) return void violate(out, value, s, parent, seg, tail, `Member must satisfy enum value set: [${s.enum.join(', ')}]`);
      if (s.min !== undefined && value.length < s.min) violate(out, value, s, parent, seg, tail, `Member must have length greater than or equal to ${s.min}`);
      if (s.max !== undefined && value.length > s.max) violate(out, value, s, parent, seg, tail, `Member must have length less than or equal to ${s.max}`);
      if (s.pattern !== undefined && !regex(s.pattern).test(value)) violate(out, value, s, parent, seg, tail, `Member must satisfy regular expression pattern: ${s.pattern}`);
      return value;
    }
    case 'blob': {
      // isView reads the internal slot: an object that only claims Uint8Array.prototype (or a
      // Proxy of a Uint8Array) is no blob.
      if (!(value instanceof Uint8Array) || !isView(value)) return void violate(out, value, s, parent, seg, tail, 'Member must be a blob (Uint8Array)');
      // The TypedArray constructor copies from the source's internal slots (its own `length`
      // or iterator, if overridden, are not consulted); so do typedLength and transientCopy. A
      // blob that is not sensitive (a ciphertext, a public key) only lives inside the request:
      // its copy is a transient view (util/transient.ts); sensitive ones get a buffer lent to this
      // request alone, wiped when the operation releases it (util/sensitive-copy.ts).
      const length = typedLength.call(value) as number;
      let copy: Uint8Array;
      if (s.sensitive) {
        copy = sensitiveCopy(value, length);
        secretsMade[secretsMade.length] = copy;
      } else {
        copy = transientCopy(value, length);
      }
      if (s.min !== undefined && copy.length < s.min) violate(out, value, s, parent, seg, tail, `Member must have length greater than or equal to ${s.min}`);
      if (s.max !== undefined && copy.length > s.max) violate(out, value, s, parent, seg, tail, `Member must have length less than or equal to ${s.max}`);
      return copy;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return void violate(out, value, s, parent, seg, tail, 'Member must be an integer');
      if (s.min !== undefined && value < s.min) violate(out, value, s, parent, seg, tail, `Member must have value greater than or equal to ${s.min}`);
      if (s.max !== undefined && value > s.max) violate(out, value, s, parent, seg, tail, `Member must have value less than or equal to ${s.max}`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return void violate(out, value, s, parent, seg, tail, 'Member must be a boolean');
      return value;
    case 'timestamp': {
      let t = NaN;
      if (value instanceof Date) {
        try {
          t = getTime.call(value);
        } catch {
          t = NaN;
        }
      }
      if (Number.isNaN(t)) return void violate(out, value, s, parent, seg, tail, 'Member must be a timestamp (Date)');
      return new Date(t);
    }
    case 'list': {
      if (!isArray(value)) return void violate(out, value, s, parent, seg, tail, 'Member must be a list');
      const length: unknown = value.length;
      if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) return void violate(out, value, s, parent, seg, tail, 'Member must be a list');
      const scan = Math.min(length, (s.max ?? LIST_SCAN) + 1);
      const items: unknown[] = new Array(scan);
      const unread: number[] = [];
      for (let i = 0; i < scan; i++) {
        try {
          items[i] = own(value, i);
        } catch (e) {
          if (e instanceof KmsError) throw e;
          unread.push(i);
        }
      }
      // What is echoed is what was read; a list longer than was read is never echoed.
      const shown = scan < length ? undefined : items;
      if (s.min !== undefined && length < s.min) violate(out, shown, s, parent, seg, tail, `Member must have length greater than or equal to ${s.min}`);
      if (s.max !== undefined && length > s.max) violate(out, shown, s, parent, seg, tail, `Member must have length less than or equal to ${s.max}`);
      else if (s.max === undefined && length > LIST_SCAN) violate(out, shown, s, parent, seg, tail, `Member must have length less than or equal to ${LIST_SCAN}`);
      const path = pathOf(parent, seg, tail);
      const copy: unknown[] = [];
      for (let i = 0; i < scan; i++) {
        const v = items[i];
        if (unread.length > 0 && unread.includes(i)) out.push(unreadable(pathOf(path, i + 1, 'member')));
        else if (v === undefined || v === null) out.push(notNull(path, i + 1, 'member'));
        else copy.push(check(v, s.member as string, path, i + 1, 'member', out));
      }
      return copy;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || isArray(value) || value instanceof Uint8Array) {
        return void violate(out, value, s, parent, seg, tail, 'Member must be a map');
      }
      const path = pathOf(parent, seg, tail);
      // Built as an ordinary object, then cut off from Object.prototype: V8 keeps it in fast
      // mode (an Object.create(null) object is a hash table from the start), which halves what
      // canonicalContext and the condition checks pay to read it (issue 14). A key that
      // Object.prototype has ("__proto__", "toString", or an accessor a polluted prototype
      // added) is defined, never assigned, so no setter runs and it stays an own key.
      const copy: Record<string, unknown> = {};
      const plainKey = unconstrainedString(s.key as string);
      const plainValue = unconstrainedString(s.value as string);
      for (const k of objectKeys(value)) {
        let v: unknown;
        try {
          // Own, read once: a key a getter removed meanwhile is skipped, never read from the prototype.
          if (!hasOwn.call(value, k)) continue;
          v = (value as Record<string, unknown>)[k];
        } catch (e) {
          if (e instanceof KmsError) throw e;
          out.push(unreadable(pathOf(path, k, 'value')));
          continue;
        }
        // Object.keys gives strings: a key shape without constraints needs no check.
        if (!plainKey) check(k, s.key as string, path, k, 'key', out);
        if (v === undefined || v === null) {
          out.push(notNull(path, k, 'value'));
          continue;
        }
        // A string for a value shape without constraints is its own validated copy.
        const c = plainValue && typeof v === 'string' ? v : check(v, s.value as string, path, k, 'value', out);
        if (c === undefined) continue;
        if (hasOwn.call(objectPrototype, k)) defineProperty(copy, k, { value: c, enumerable: true, writable: true, configurable: true });
        else copy[k] = c;
      }
      return setPrototypeOf(copy, null) as Record<string, unknown>;
    }
  }
}

/**
 * A caller's value as a message may show it (issue 12.6): a short primitive in quotes, anything
 * else by its type. Never converts an object (a null-prototype object or a Proxy would throw),
 * never echoes an unbounded string.
 */
export function echo(value: unknown): string {
  if (primitive(value) || value === null || value === undefined || typeof value === 'bigint') {
    const text = String(value);
    return text.length > 256 ? `of ${text.length} characters` : `'${text}'`;
  }
  return `of type ${typeof value}`;
}

/** Formats violations exactly as AWS JSON services do. */
export function validationError(violations: readonly string[]): InstanceType<typeof ValidationException> {
  const n = violations.length;
  return new ValidationException(`${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`);
}

/**
 * The sensitive copies made by the validations running now (util/sensitive-copy.ts): a stack,
 * since a caller's getter may validate another request inside this one. A validation that
 * succeeds hands its copies to the runner (operations/run.ts); one that throws releases them.
 */
const secretsMade: Uint8Array[] = [];

/**
 * Validates `input` against the model's request shape of `operation` and returns its validated
 * copy (own data, null prototypes; see above): callers read only the copy. Throws
 * ValidationException. The copy is typed with the operation's required members present.
 */
export function validateInput<Op extends OperationName>(operation: Op, input: unknown): Validated<Op> {
  const op = OPERATIONS[operation];
  /* Precondition: only operations of the model are validated. */
  if (!op) throw new Error(`kms-core: operation ${operation} not in the model`);
  const out: string[] = [];
  const mark = secretsMade.length;
  try {
    const copy = check(input ?? {}, op.input, '', '', undefined, out);
    if (out.length) throw validationError(out);
    return copy as Validated<Op>;
  } catch (e) {
    // A refused request (a violation, or a KmsError a caller's getter threw) still wipes, and
    // returns, the sensitive copies it made.
    for (let i = mark; i < secretsMade.length; i++) releaseSensitive(secretsMade[i] as Uint8Array);
    throw e;
  } finally {
    secretsMade.length = mark;
  }
}

const sensitiveTables = new Map<string, string | null>();

/**
 * The top-level member of `operation`'s input whose shape is a sensitive blob (PlaintextType:
 * Encrypt's Plaintext, the Message of Sign, Verify, GenerateMac and VerifyMac), if any.
 * Validation copies it into a lent buffer (util/sensitive-copy.ts), which the runner releases.
 */
export function sensitiveMember(operation: OperationName): string | undefined {
  let m = sensitiveTables.get(operation);
  if (m === undefined) {
    const name = (OPERATIONS[operation] as { input: string }).input;
    const found = membersOf(name, shape(name)).filter(({ memberShape }) => {
      const t = shape(memberShape);
      return t.type === 'blob' && t.sensitive === true;
    });
    /* Invariant: the model gives an operation at most one sensitive blob, at the top level (model data, never request data). */
    if (found.length > 1) throw new Error(`kms-core: ${operation} has more than one sensitive blob`);
    m = found[0]?.member ?? null;
    sensitiveTables.set(operation, m);
  }
  return m ?? undefined;
}

/** Validation's copy of `operation`'s sensitive member in `input` (a validated copy), if it holds one. */
export function sensitiveCopyIn(operation: OperationName, input: unknown): Uint8Array | undefined {
  const member = sensitiveMember(operation);
  // A refused request's copy may be missing (the request was no structure).
  const v = member === undefined || typeof input !== 'object' || input === null ? undefined : (input as Record<string, unknown>)[member];
  return v instanceof Uint8Array ? v : undefined;
}

/** A single range violation found by a service-level rule (e.g. PendingWindowInDays 7..30). */
export function rangeViolation(path: string, value: number, min: number, max: number): string | undefined {
  if (value < min) return `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`;
  if (value > max) return `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${max}`;
  return undefined;
}
