/**
 * Canonical encryption context: the bytes bound into the AES-GCM AAD (vectors/FORMAT.md §3).
 *
 *   u32 pair count ‖ for each pair, sorted by the UTF-8 bytes of the key:
 *   u32 key length ‖ key (UTF-8) ‖ u32 value length ‖ value (UTF-8)
 *
 * Every length is big-endian. Length prefixes make the encoding injective, so {"ab":"c"} and
 * {"a":"bc"} can never authenticate each other (the peers concatenated key‖value). Keys are
 * sorted by their UTF-8 bytes, never by localeCompare or UTF-16 code units
 * (aws-encryption-sdk-javascript #428): two maps equal as maps give the same bytes whatever
 * their insertion order.
 *
 * The bytes are AAD inside one request, never returned or stored: they are transient views
 * (util/transient.ts), and callers must not write to them.
 *
 * Strings must be well-formed UTF-16: a lone surrogate has no UTF-8 encoding (TextEncoder would
 * replace it with U+FFFD, making two different contexts encode alike), so it is refused with
 * ValidationException.
 */
import { ValidationException, type KmsError } from '../errors.js';
import { utf8Encoder } from '../util/bytes.js';
import { transientBytes } from '../util/transient.js';

export type EncryptionContext = Readonly<Record<string, string>>;

const hasOwn = Object.prototype.hasOwnProperty;
/** True for an own enumerable property only (inherited ones are never enumerable own). */
const isEnumerable = Object.prototype.propertyIsEnumerable;

/**
 * The pairs of a context: its own enumerable string keys, each value read once (never for…in,
 * which walks the prototype chain, and never a second read that a getter could answer
 * differently). Requests reach this already copied by validation (src/validate.ts); reading
 * own pairs once here too keeps authorization and the AAD agreeing for any other caller.
 */
export function contextPairs(ctx: EncryptionContext | undefined): [string, unknown][] {
  if (!ctx) return [];
  const out: [string, unknown][] = [];
  for (const k of Object.keys(ctx)) if (hasOwn.call(ctx, k)) out.push([k, ctx[k]]);
  return out;
}

/** True when `s` holds no unpaired surrogate. */
function wellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const EMPTY = new Uint8Array(4);

function invalidContext(path: string): KmsError {
  return new ValidationException(`1 validation error detected: Value at '${path}' failed to satisfy constraint: Map keys and values must be well-formed Unicode strings`);
}

function putU32(out: Uint8Array, o: number, n: number): void {
  out[o] = n >>> 24;
  out[o + 1] = (n >>> 16) & 0xff;
  out[o + 2] = (n >>> 8) & 0xff;
  out[o + 3] = n & 0xff;
}

/**
 * The canonical bytes of a context (absent and {} are the same context), in one pass over its
 * own pairs, each value read once. Contexts of ASCII strings (what callers send nearly always)
 * are written straight into the output: for them UTF-8 is the char codes and UTF-16 code-unit
 * order is UTF-8 byte order, so no encoder and no byte comparison is needed. Anything else
 * takes the general path (well-formedness check, UTF-8 encoding, sort by bytes), which gives
 * the same bytes for ASCII input (test/envelope.context.test.ts checks both against each other).
 */
export function canonicalContext(ctx: EncryptionContext | undefined, path = 'encryptionContext'): Uint8Array {
  if (!ctx) return EMPTY;
  const keys = Object.keys(ctx);
  const n = keys.length;
  if (n === 0) return EMPTY;
  const values: string[] = new Array(n);
  let size = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const k = keys[i] as string;
    /* Precondition: context keys and values are strings (validation guarantees it for requests). */
    const v: unknown = hasOwn.call(ctx, k) ? ctx[k] : undefined;
    if (typeof v !== 'string') throw invalidContext(path);
    values[i] = v;
    size += k.length + v.length;
  }
  // Sorted by code units, which is byte order as long as every string is ASCII; the first
  // non-ASCII unit met while writing sends the whole context to the general path.
  const order = sortedIndexes(keys);
  const out = transientBytes(size);
  putU32(out, 0, n);
  let o = 4;
  for (let x = 0; x < n; x++) {
    const i = order[x] as number;
    const k = keys[i] as string;
    const v = values[i] as string;
    putU32(out, o, k.length);
    o += 4;
    for (let j = 0; j < k.length; j++) {
      const c = k.charCodeAt(j);
      if (c > 0x7f) return canonicalGeneral(keys, values, path);
      out[o++] = c;
    }
    putU32(out, o, v.length);
    o += 4;
    for (let j = 0; j < v.length; j++) {
      const c = v.charCodeAt(j);
      if (c > 0x7f) return canonicalGeneral(keys, values, path);
      out[o++] = c;
    }
  }
  return out;
}

/** Indexes of `keys` in ascending code-unit order (keys of one object are distinct): insertion sort, contexts are small. */
function sortedIndexes(keys: readonly string[]): Int32Array {
  const n = keys.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i] as string;
    let j = i;
    while (j > 0 && (keys[order[j - 1] as number] as string) > k) {
      order[j] = order[j - 1] as number;
      j--;
    }
    order[j] = i;
  }
  return order;
}

/** The general path: any well-formed Unicode, encoded as UTF-8 and sorted by its bytes. */
export function canonicalGeneral(keys: readonly string[], values: readonly string[], path: string): Uint8Array {
  const pairs: [Uint8Array, Uint8Array][] = [];
  let size = 4;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = values[i] as string;
    /* Precondition: context strings are well-formed UTF-16 (a lone surrogate has no UTF-8 form). */
    if (!wellFormed(k) || !wellFormed(v)) throw invalidContext(path);
    const kb = utf8Encoder.encode(k);
    const vb = utf8Encoder.encode(v);
    pairs.push([kb, vb]);
    size += 8 + kb.length + vb.length;
  }
  if (pairs.length > 1) pairs.sort((a, b) => compareBytes(a[0], b[0]));
  const out = transientBytes(size);
  putU32(out, 0, pairs.length);
  let o = 4;
  for (const [kb, vb] of pairs) {
    putU32(out, o, kb.length);
    out.set(kb, o + 4);
    o += 4 + kb.length;
    putU32(out, o, vb.length);
    out.set(vb, o + 4);
    o += 4 + vb.length;
  }
  return out;
}

/** True when the context has at least one pair. */
export function hasContext(ctx: EncryptionContext | undefined): boolean {
  return !!ctx && Object.keys(ctx).length > 0;
}

/**
 * True when `a` and `b` hold the same pairs (the same own enumerable keys, each with the same
 * string value), whatever their insertion order: then their canonical bytes are the same, and
 * ReEncrypt binds the bytes it built for the source context again instead of building them a
 * second time (issue 14; the destination context of a ReEncrypt is most often its source
 * context). False answers only cost the canonicalization they would have done anyway: absent
 * and {} compare unequal here, though their bytes are the same. Linear in the pairs; reads each
 * value once.
 */
export function sameContext(a: EncryptionContext | undefined, b: EncryptionContext | undefined): boolean {
  if (!a || !b) return a === b;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v: unknown = a[k];
    // Own and enumerable, as Object.keys lists them: a key `b` holds but hides (or inherits) is
    // not one of its pairs, and canonicalContext would not bind it.
    if (typeof v !== 'string' || !isEnumerable.call(b, k) || b[k] !== v) return false;
  }
  return true;
}
