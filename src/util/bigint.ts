/** Big-endian bytes ↔ BigInt, and modular exponentiation. The one place these conversions live. */
import { toHex } from './bytes.js';

export function bytesToBigInt(b: Uint8Array): bigint {
  return b.length ? BigInt('0x' + toHex(b)) : 0n;
}

/** Writes `x` (0 ≤ x < 256^len) as exactly `len` big-endian bytes into `out` at `offset`. */
export function writeBigInt(x: bigint, out: Uint8Array, offset: number, len: number): void {
  const hex = x.toString(16).padStart(len * 2, '0');
  /* Precondition: x fits in len bytes. */
  if (hex.length > len * 2) throw new Error('kms-core: integer too large');
  for (let i = 0; i < len; i++) out[offset + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
}

/** `x` as exactly `len` big-endian bytes (x < 256^len). */
export function bigIntToBytes(x: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  writeBigInt(x, out, 0, len);
  return out;
}

/** `x` ≥ 0 as its shortest big-endian magnitude (at least one byte). */
export function bigIntToMinimalBytes(x: bigint): Uint8Array {
  return bigIntToBytes(x, Math.max(1, Math.ceil(x.toString(16).length / 2)));
}

/** base^exp mod m, left-to-right square-and-multiply (exp is public here). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = base % m;
  const bits = exp.toString(2);
  for (let i = 0; i < bits.length; i++) {
    r = (r * r) % m;
    if (bits[i] === '1') r = (r * b) % m;
  }
  return r;
}
