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

const free: ArrayBuffer[] = [];
/** Every buffer made here, lent or free. */
const ours = new WeakSet<ArrayBufferLike>();
/** A lent buffer's borrower: the one view whose release frees it. */
const lent = new WeakMap<ArrayBufferLike, Uint8Array>();

/**
 * A copy of `src` (`length` bytes, read by the caller from the internal slot) that the caller
 * owns until it hands it to releaseSensitive. The copy reads the source's internal slots
 * (%TypedArray%.prototype.set with a typed array), as `new Uint8Array(src)` does.
 */
export function sensitiveCopy(src: Uint8Array, length: number): Uint8Array {
  if (length > SIZE) return new Uint8Array(src);
  let buf = free.pop();
  if (buf === undefined) {
    buf = new ArrayBuffer(SIZE);
    ours.add(buf);
  }
  const out = new Uint8Array(buf, 0, length);
  lent.set(buf, out);
  out.set(src);
  return out;
}

/**
 * Wipes `b`. A sensitive copy's whole buffer is wiped and returned for reuse when `b` is its
 * borrower, and left alone when not (see above); any other bytes (a backend's output) are wiped.
 */
export function releaseSensitive(b: Uint8Array): void {
  const buf = b.buffer;
  if (!ours.has(buf)) {
    b.fill(0);
    return;
  }
  /* Precondition: only the borrower frees a buffer; a stale view is no longer anyone's. */
  if (lent.get(buf) !== b) return;
  lent.delete(buf);
  new Uint8Array(buf).fill(0);
  if (free.length < KEEP) free.push(buf as ArrayBuffer);
}
