/**
 * The fixed PRF input of a NIST SP 800-108r1 §4.1 KDF in counter mode with r = 32, for its one
 * block (i = 1, L ≤ the PRF's output): `[1]_32 ‖ Label ‖ 0x00 ‖ Context ‖ [L]_32`. Both data-key
 * derivations use it (vectors/FORMAT.md §2, v1 with HMAC-SHA256; §8, v2 with HMAC-SM3).
 * @module
 */

/** The input for counter i = 1; `context` is cut (or zero-padded) to `contextLen` bytes, `lengthBits` is L. */
export function counterModeInput(label: Uint8Array, context: Uint8Array, contextLen: number, lengthBits: number): Uint8Array {
  const input = new Uint8Array(4 + label.length + 1 + contextLen + 4);
  const view = new DataView(input.buffer);
  view.setUint32(0, 1); // [i]_32 = 1
  input.set(label, 4);
  // input[4 + label] = 0x00 separator (already zero)
  input.set(context.subarray(0, contextLen), 5 + label.length);
  view.setUint32(input.length - 4, lengthBits); // [L]_32, big-endian
  return input;
}
