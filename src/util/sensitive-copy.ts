/**
 * Sensitive copies: validation's own copy of a sensitive blob (PlaintextType: Encrypt's
 * Plaintext, Sign's and GenerateMac's Message), in a buffer that is wiped and then reused by a
 * later request instead of each request getting a new ArrayBuffer.
 *
 * Why: a Uint8Array of more than 64 bytes gets an off-heap backing store, ~1.5 µs to allocate
 * and more to collect (util/transient.ts); on Encrypt 4 KiB that was one call in seven
 * (issue 14). Non-secret bytes are carved from the transient slab instead; secret ones cannot be,
 * since a view's `.buffer` there reaches other requests' bytes.
 *
 * The rules that keep this safe:
 *   - a buffer is lent to one copy at a time: `sensitiveCopy` takes it off the free list and
 *     records that view as its borrower; `releaseSensitive` of that very view wipes the whole
 *     buffer and only then returns it. Releasing a view that is not the borrower (a second
 *     release, once the buffer is free or lent to a later request) does nothing: its bytes were
 *     wiped at the first release, and the later request's bytes are not its to touch;
 *   - the runner releases validation's copy once the operation has settled, whatever the
 *     outcome (operations/run.ts), and validation releases it when it refuses the request; the
 *     encryption step releases it earlier, as soon as the cipher is done (operations/checks.ts).
 *     A copy nobody releases is collected, never reused;
 *   - nothing lent is returned to a caller or kept in a record;
 *   - a view starts at offset 0 of its buffer and every byte after it is zero, so a view's
 *     `.buffer` holds this request's bytes and zeros.
 */

/** PlaintextType's max (kms-service-2.json): every valid sensitive blob fits in one buffer. */
const SIZE = 4096;
/** Buffers kept for reuse: enough for a few requests in flight at once; the rest are collected. */
const KEEP = 4;

// Captured once (as src/validate.ts does): code that later replaces Array.prototype.push,
// WeakMap.prototype.get or %TypedArray%.prototype.set never receives a pooled buffer, which
// would show it every later request's plaintext.
const U8 = Uint8Array;
const AB = ArrayBuffer;
const typedProto = Object.getPrototypeOf(U8.prototype) as object;
const typedSet = U8.prototype.set;
const typedFill = U8.prototype.fill;
const typedBuffer = (Object.getOwnPropertyDescriptor(typedProto, 'buffer') as PropertyDescriptor).get as (this: Uint8Array) => ArrayBufferLike;
const mapGet = WeakMap.prototype.get;
const mapSet = WeakMap.prototype.set;

/** A free buffer's entry in `lent` (it is ours, and nobody's to release). */
const FREE = 0;
/** Every buffer made here: its borrower (the one view whose release frees it), or FREE. */
const lent = new WeakMap<ArrayBufferLike, Uint8Array | typeof FREE>();
/** Free buffers, a stack of `freeCount` (indexed by hand: no push or pop to replace). */
const free: (ArrayBuffer | undefined)[] = [];
let freeCount = 0;

/**
 * A copy of `src` (`length` bytes, read by the caller from the internal slot) that the caller
 * owns until it hands it to releaseSensitive. The copy reads the source's internal slots
 * (%TypedArray%.prototype.set with a typed array), as `new Uint8Array(src)` does.
 */
export function sensitiveCopy(src: Uint8Array, length: number): Uint8Array {
  if (length > SIZE) {
    const own = new U8(length);
    typedSet.call(own, src);
    return own;
  }
  let buf = freeCount > 0 ? free[--freeCount] : undefined;
  if (buf === undefined) buf = new AB(SIZE);
  else free[freeCount] = undefined;
  const out = new U8(buf, 0, length);
  mapSet.call(lent, buf, out);
  typedSet.call(out, src);
  return out;
}

/**
 * Wipes `b` and frees its buffer when `b` is a sensitive copy's borrower. A view of one of these
 * buffers that is not its borrower (a stale copy released twice, a subarray) is left alone: the
 * buffer is free, already wiped, or another request's. Any other bytes (a backend's output, the
 * plaintext ReEncrypt decrypted) are wiped.
 */
export function releaseSensitive(b: Uint8Array): void {
  const buf = typedBuffer.call(b);
  const borrower = mapGet.call(lent, buf) as Uint8Array | typeof FREE | undefined;
  if (borrower === undefined) {
    typedFill.call(b, 0);
    return;
  }
  /* Precondition: only the borrower frees a buffer; a stale view is no longer anyone's. */
  if (borrower !== b) return;
  mapSet.call(lent, buf, FREE);
  typedFill.call(new U8(buf), 0);
  if (freeCount < KEEP) free[freeCount++] = buf as ArrayBuffer;
}
