/**
 * The SM2 curve: GB/T 32918.5-2017 (GM/T 0003.5) recommended parameters, as a @noble/curves
 * short-Weierstrass point type. The base point uses noble's windowed precomputation. Also the
 * byte and scalar helpers the SM2 primitives share (sm2-pke.ts, sm2-keys.ts, sm2-scalar-mul.ts),
 * public-point validation and key generation (GB/T 32918.1 §6.1).
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */
import { weierstrass, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { bytesToBigInt, writeBigInt } from '../util/bigint.js';
import { Sm2KeyError } from './sm2-errors.js';

// ---------------------------------------------------------------------------------------------
// Curve (GB/T 32918.5-2017 §2)
// ---------------------------------------------------------------------------------------------

export const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
export const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
export const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;

/** SM2 curve parameters: y² = x³ + ax + b over F_p, a = p − 3, base point G of prime order n, h = 1. */
export const SM2_CURVE: Readonly<{ p: bigint; a: bigint; b: bigint; n: bigint; h: bigint; Gx: bigint; Gy: bigint }> = Object.freeze({
  p: P,
  a: P - 3n,
  b: B,
  n: N,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
});

/**
 * Point constructor of the SM2 curve (noble `WeierstrassPointCons`). `sm2Point.BASE` carries
 * noble's lazily built W=6 precomputation table. Cofactor 1: every finite point on the curve
 * has order n, so "on the curve and not infinity" is the full public-key/C1 validation.
 */
export const sm2Point = /* @__PURE__ */ weierstrass<bigint>({ ...SM2_CURVE });

/** A point of the SM2 curve. */
export type Sm2Point = WeierstrassPoint<bigint>;

export const Fp = sm2Point.Fp;

// ---------------------------------------------------------------------------------------------
// Byte / scalar helpers
// ---------------------------------------------------------------------------------------------

/** Writes `x` (0 ≤ x < 2^256) as 32 big-endian bytes into `out` at `offset`. */
export function writeBigInt32(x: bigint, out: Uint8Array, offset: number): void {
  writeBigInt(x, out, offset, 32);
}

export function bigIntTo32(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  writeBigInt32(x, out, 0);
  return out;
}

/* Precondition: a private key d is an integer in [1, n − 2] (GB/T 32918.1 §6.1). */
export function assertPrivateScalar(d: unknown): asserts d is bigint {
  if (typeof d !== 'bigint' || d < 1n || d > N - 2n) throw new Sm2KeyError('SM2: private key out of range');
}

export function assertRandom(random: unknown): asserts random is (n: number) => Uint8Array {
  if (typeof random !== 'function') throw new TypeError('SM2: random must be a function');
}

/** Draws 32 bytes and keeps them only if the integer is in [1, max] (rejection sampling). */
export function drawScalar(random: (n: number) => Uint8Array, max: bigint): bigint {
  for (let attempt = 0; attempt < 64; attempt++) {
    const bytes = random(32);
    if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new Error('SM2: random(32) must return 32 bytes');
    const k = bytesToBigInt(bytes);
    if (k >= 1n && k <= max) return k;
  }
  throw new Error('SM2: random source keeps returning out-of-range scalars');
}

/** y² = x³ − 3x + b (mod p) with 0 ≤ x, y < p. */
export function isOnCurve(x: bigint, y: bigint): boolean {
  if (x < 0n || x >= P || y < 0n || y >= P) return false;
  return (y * y - ((x * x % P) * x - 3n * x + B)) % P === 0n;
}

// ---------------------------------------------------------------------------------------------
// Public points
// ---------------------------------------------------------------------------------------------

/** Points returned by {@link sm2PrecomputePublic}: their noble window table is worth using. */
const precomputed = new WeakSet<Sm2Point>();

/** Decodes and validates a public point: 65-byte 04‖x‖y (or a point of this curve). */
export function toPublicPoint(pub: Sm2Point | Uint8Array): Sm2Point {
  let pt: Sm2Point;
  if (pub instanceof Uint8Array) {
    if (pub.length !== 65 || pub[0] !== 0x04) throw new Sm2KeyError('SM2: public key must be 65 bytes 04‖x‖y');
    try {
      pt = sm2Point.fromBytes(pub);
    } catch {
      throw new Sm2KeyError('SM2: public key is not a point on the curve');
    }
  } else if (pub instanceof sm2Point) {
    pt = pub;
    try {
      pt.assertValidity(); // cached by noble after the first success; rejects infinity
    } catch {
      throw new Sm2KeyError('SM2: public key is not a point on the curve');
    }
  } else {
    throw new Sm2KeyError('SM2: public key must be a Uint8Array or an SM2 point');
  }
  return pt;
}

/** Whether `pt` came from {@link sm2PrecomputePublic} (its noble window table is worth using). */
export function hasPrecomputation(pt: Sm2Point): boolean {
  return precomputed.has(pt);
}

/**
 * Validates a public key once and attaches noble's windowed precomputation (W = 8: a table of
 * ~6k points built lazily by the first {@link sm2Encrypt}, ≈ 70 ms) so that repeated
 * encryptions to the same recipient compute [k]P_B with table additions only (≈ 2× faster
 * encryption). Keep the returned object and pass it instead of the bytes; the table lives as
 * long as the object.
 */
export function sm2PrecomputePublic(pub: Sm2Point | Uint8Array): Sm2Point {
  const pt = toPublicPoint(pub);
  if (precomputed.has(pt)) return pt;
  // A fresh normalised copy: the window size is keyed by object identity in noble, and the
  // caller's point (or sm2Point.BASE) keeps its own settings.
  const { x, y } = pt.toAffine();
  const fresh = sm2Point.fromAffine({ x, y });
  fresh.assertValidity();
  fresh.precompute(8);
  precomputed.add(fresh);
  return fresh;
}

/** 65-byte uncompressed public key 04‖x‖y for the private key d ∈ [1, n − 2]. */
export function sm2PublicFromPrivate(d: bigint): Uint8Array {
  assertPrivateScalar(d);
  return sm2Point.BASE.multiply(d).toBytes(false);
}

/**
 * Generates a key pair per GB/T 32918.1 §6.1: d uniform in [1, n − 2] (rejection sampling
 * over 32-byte draws), P = [d]G.
 */
export function sm2GenerateKey(random: (n: number) => Uint8Array): { d: bigint; publicKey: Uint8Array } {
  assertRandom(random);
  const d = drawScalar(random, N - 2n);
  return { d, publicKey: sm2PublicFromPrivate(d) };
}
