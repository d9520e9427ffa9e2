/** Big-endian bytes ↔ BigInt, and modular exponentiation. */

export function bytesToBigInt(b: Uint8Array): bigint {
  let hex = '';
  for (let i = 0; i < b.length; i++) hex += (b[i] as number).toString(16).padStart(2, '0');
  return hex ? BigInt('0x' + hex) : 0n;
}

/** `x` as exactly `len` big-endian bytes (x < 256^len). */
export function bigIntToBytes(x: bigint, len: number): Uint8Array {
  const hex = x.toString(16).padStart(len * 2, '0');
  /* Precondition: x fits in len bytes. */
  if (hex.length > len * 2) throw new Error('kms-core: integer too large');
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
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
