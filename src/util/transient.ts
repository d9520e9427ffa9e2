/**
 * Transient bytes: short-lived, non-secret buffers of one request (the validated copy of a
 * ciphertext, the canonical encryption context) carved from a shared slab instead of each
 * getting an ArrayBuffer of its own.
 *
 * Why: a Uint8Array of more than 64 bytes gets an off-heap backing store, and on the machines
 * the bench runs on each costs ~1.6–2.6 µs to allocate and more to collect, against ~0.1 µs for a
 * view (issue 14). A request made several of them.
 *
 * The rules that keep this safe:
 *   - bump allocation, never reuse: an offset handed out is never handed out again, so no two
 *     views ever share a byte; a slab is freed by the GC once no view into it is left;
 *   - only for bytes that are not secret (ciphertexts, public keys, encryption contexts, which
 *     AWS itself logs): plaintext, data keys and key material never come from the slab (they
 *     get buffers of their own, or one lent to their request alone: util/sensitive-copy.ts),
 *     so a view's `.buffer` never reaches secret bytes of another request;
 *   - only for what stays inside a request: nothing carved here is returned to a caller or kept
 *     in a record (a view would keep its whole slab alive, and structuredClone copies a whole
 *     ArrayBuffer).
 */

const SLAB = 64 * 1024;
/** Larger requests get their own buffer: a slab holds at least 8 of the largest views. */
const MAX_CARVE = SLAB / 8;

let slab = new ArrayBuffer(SLAB);
let offset = 0;

/** `n` zero bytes for transient, non-secret use (see above). */
export function transientBytes(n: number): Uint8Array {
  if (n > MAX_CARVE) return new Uint8Array(n);
  if (offset + n > SLAB) {
    slab = new ArrayBuffer(SLAB);
    offset = 0;
  }
  const view = new Uint8Array(slab, offset, n);
  // 8-byte aligned, so a DataView or a wider typed array over a view stays aligned.
  offset += (n + 7) & ~7;
  return view;
}

/**
 * A transient copy of `src` (see above), whose length is `length`: the caller reads it from the
 * internal slot (an own `length` property on a Uint8Array could claim anything). The copy reads
 * the source's internal slots too (%TypedArray%.prototype.set with a typed array).
 */
export function transientCopy(src: Uint8Array, length: number): Uint8Array {
  const out = transientBytes(length);
  out.set(src);
  return out;
}
