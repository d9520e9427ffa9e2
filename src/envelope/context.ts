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
 * Strings must be well-formed UTF-16: a lone surrogate has no UTF-8 encoding (TextEncoder would
 * replace it with U+FFFD, making two different contexts encode alike), so it is refused with
 * ValidationException.
 */
import { ValidationException } from '../errors.js';
import { utf8Encoder } from '../util/bytes.js';

export type EncryptionContext = Readonly<Record<string, string>>;

const hasOwn = Object.prototype.hasOwnProperty;

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

/** The canonical bytes of a context (absent and {} are the same context). */
export function canonicalContext(ctx: EncryptionContext | undefined, path = 'encryptionContext'): Uint8Array {
  const own = contextPairs(ctx);
  if (own.length === 0) return EMPTY;
  const pairs: [Uint8Array, Uint8Array][] = [];
  let size = 4;
  for (const [k, v] of own) {
    if (typeof v !== 'string' || !wellFormed(k) || !wellFormed(v)) {
      throw new ValidationException(
        `1 validation error detected: Value at '${path}' failed to satisfy constraint: Map keys and values must be well-formed Unicode strings`,
      );
    }
    const kb = utf8Encoder.encode(k);
    const vb = utf8Encoder.encode(v);
    pairs.push([kb, vb]);
    size += 8 + kb.length + vb.length;
  }
  if (pairs.length > 1) pairs.sort((a, b) => compareBytes(a[0], b[0]));
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, pairs.length);
  let o = 4;
  for (const [kb, vb] of pairs) {
    view.setUint32(o, kb.length);
    out.set(kb, o + 4);
    o += 4 + kb.length;
    view.setUint32(o, vb.length);
    out.set(vb, o + 4);
    o += 4 + vb.length;
  }
  return out;
}

/** True when the context has at least one pair. */
export function hasContext(ctx: EncryptionContext | undefined): boolean {
  return !!ctx && Object.keys(ctx).length > 0;
}
