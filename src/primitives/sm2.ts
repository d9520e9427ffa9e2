/**
 * SM2 public-key encryption (SM2PKE) over the SM2 curve.
 *
 * - Curve: GB/T 32918.5-2017 (GM/T 0003.5) recommended parameters, as a @noble/curves
 *   short-Weierstrass point type. The base point uses noble's windowed precomputation.
 * - Encryption/decryption: GB/T 32918.4-2016 (GM/T 0003.4) §6 (encryption) and §7
 *   (decryption), with C3 = SM3(x2 ‖ M ‖ y2) and the KDF of §5.4.3.
 * - Ciphertext form: GM/T 0009-2012 §7.2 DER, `SEQUENCE { INTEGER x1, INTEGER y1,
 *   OCTET STRING C3 (32 bytes), OCTET STRING C2 }` — what AWS KMS SM2PKE and
 *   `openssl pkeyutl -encrypt` emit.
 * - Keys: SubjectPublicKeyInfo and PKCS#8 exactly as OpenSSL 3 writes them for SM2
 *   (id-ecPublicKey with the SM2 curve OID 1.2.156.10197.1.301 as parameters).
 *
 * Decryption multiplies an attacker-chosen point C1 by the private scalar. noble's generic
 * constant-time multiply (complete projective formulas, 128-bit scalar blinding) is the slow
 * part of that (≈ 350 ops/s), so the secret-scalar × arbitrary-point product uses a dedicated
 * fixed-window Jacobian multiplication specialised for a = −3 with 64-bit scalar blinding
 * (see `mulSecretRaw`, ≈ 2.5× faster); it is cross-checked against noble's `Point.multiply`
 * in the tests and falls back to it on the (negligible) exceptional cases.
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */
import { weierstrass, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { bytesToBigInt, writeBigInt } from '../util/bigint.js';
import { sm3 } from './sm3.js';
import { DerError, DerReader, DerTag, derBitString, derContext, derDecode, derInteger, derOctetString, derOid, derSequence } from './der.js';

// ---------------------------------------------------------------------------------------------
// Curve (GB/T 32918.5-2017 §2)
// ---------------------------------------------------------------------------------------------

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;

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

const Fp = sm2Point.Fp;

/** OIDs: id-ecPublicKey (RFC 5480) and the SM2 curve (GM/T 0006, "sm2p256v1"). */
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_SM2_CURVE = '1.2.156.10197.1.301';

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

const DECRYPT_FAILED = 'SM2 decryption failed';

/**
 * The single error of {@link sm2Decrypt} for every ciphertext-dependent failure (malformed DER,
 * C1 not on the curve, KDF output all zero, C3 mismatch, …). The message is fixed and never
 * says which step failed, so a caller that maps it to InvalidCiphertextException leaks nothing.
 */
export class Sm2DecryptError extends Error {
  constructor() {
    super(DECRYPT_FAILED);
    this.name = 'Sm2DecryptError';
  }
}

/** Malformed or invalid key material (public point, SPKI, PKCS#8, private scalar). */
export class Sm2KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Sm2KeyError';
  }
}

// ---------------------------------------------------------------------------------------------
// Byte / scalar helpers
// ---------------------------------------------------------------------------------------------

/** Writes `x` (0 ≤ x < 2^256) as 32 big-endian bytes into `out` at `offset`. */
function writeBigInt32(x: bigint, out: Uint8Array, offset: number): void {
  writeBigInt(x, out, offset, 32);
}

function bigIntTo32(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  writeBigInt32(x, out, 0);
  return out;
}

/* Precondition: a private key d is an integer in [1, n − 2] (GB/T 32918.1 §6.1). */
function assertPrivateScalar(d: unknown): asserts d is bigint {
  if (typeof d !== 'bigint' || d < 1n || d > N - 2n) throw new Sm2KeyError('SM2: private key out of range');
}

function assertRandom(random: unknown): asserts random is (n: number) => Uint8Array {
  if (typeof random !== 'function') throw new TypeError('SM2: random must be a function');
}

/** Draws 32 bytes and keeps them only if the integer is in [1, max] (rejection sampling). */
function drawScalar(random: (n: number) => Uint8Array, max: bigint): bigint {
  for (let attempt = 0; attempt < 64; attempt++) {
    const bytes = random(32);
    if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new Error('SM2: random(32) must return 32 bytes');
    const k = bytesToBigInt(bytes);
    if (k >= 1n && k <= max) return k;
  }
  throw new Error('SM2: random source keeps returning out-of-range scalars');
}

/** y² = x³ − 3x + b (mod p) with 0 ≤ x, y < p. */
function isOnCurve(x: bigint, y: bigint): boolean {
  if (x < 0n || x >= P || y < 0n || y >= P) return false;
  return (y * y - ((x * x % P) * x - 3n * x + B)) % P === 0n;
}

// ---------------------------------------------------------------------------------------------
// Secret-scalar multiplication of an arbitrary point (decryption's [d]C1, encryption's [k]P_B)
// ---------------------------------------------------------------------------------------------

/** Window width of the regular signed-digit recoding below. */
const W = 5;
const W_HALF = 1 << (W - 1); // table size: odd multiples 1P, 3P, …, (2^W − 1)P
const W_MASK = BigInt((1 << (W + 1)) - 1);
const W_BIG = BigInt(W);
const W_POW = BigInt(1 << W);
/** Random blinding multiple of n added to the scalar (bits). */
const BLIND_BITS = 64;

/**
 * Regular (every digit odd, non-zero) fixed-length signed-window recoding of an odd k
 * (Joye–Tunstall 2009, Alg. 6): k = Σ d_i·2^(W·i), d_i ∈ {±1, ±3, …, ±(2^W − 1)}. Every digit
 * costs exactly W doublings and one addition, so the operation sequence depends only on `len`.
 */
function recodeOdd(k: bigint, len: number): Int8Array {
  const d = new Int8Array(len);
  for (let i = 0; i < len - 1; i++) {
    const di = Number(k & W_MASK) - Number(W_POW);
    d[i] = di;
    k = (k - BigInt(di)) >> W_BIG;
  }
  /* Postcondition: the last digit is a positive odd table index (len was chosen for k's size). */
  if (k < 1n || k >= W_POW || (k & 1n) === 0n) throw new Error('SM2: internal recoding error');
  d[len - 1] = Number(k);
  return d;
}

function blindingFactor(): bigint {
  try {
    const r = new Uint32Array(BLIND_BITS / 32);
    globalThis.crypto.getRandomValues(r);
    let v = 0n;
    for (let i = 0; i < r.length; i++) v = (v << 32n) | BigInt(r[i]!);
    return v;
  } catch {
    return 0n; // no CSPRNG available: the multiplication is still correct, just unblinded
  }
}

/**
 * [k](x, y) for a secret scalar k ∈ [1, n − 1] and a validated finite point (x, y), returning
 * affine coordinates, or `undefined` if an exceptional case of the incomplete formulas was hit
 * (the caller then falls back to noble's complete formulas).
 *
 * Jacobian coordinates (x = X/Z², y = Y/Z³) with a = −3 formulas from the Explicit-Formulas
 * Database: dbl-2001-b (3M + 5S) and madd-2007-bl (7M + 4S), against affine table entries.
 * Field elements are kept as signed residues in (−p, p) between reductions ("lazy" reduction:
 * BigInt `%` dominates the cost, additions are nearly free), normalised only at the end.
 *
 * Scalar: k' = k + r·n (r a fresh 64-bit blind; n odd, so adding n once more when k' is even
 * makes it odd without changing [k']P = [k]P), then a fixed number of regular digits. With
 * k_i the recoding remainder before digit d_i (k_i = 2^W·k_{i+1} + d_i), the only exceptional
 * additions are acc = ±T[d_i], i.e. k_i ≡ 0 or 2·d_i (mod n), i.e. k ≡ low_i (mod n) for the
 * low part low_i = k' − k_i·2^(W·i) (|low_i| < 2^(W·i+W)). For k uniform in [1, n − 1] that
 * has probability ≈ 2^−250; only scalars within ~2^(W·i) of 0 or n hit it, with probability
 * ~2^−(W·i) over the blind (e.g. 1/32 for |k| < 32). Both madd and dbl map Z = 0 to Z = 0,
 * so one check of the final Z detects every exceptional case and correctness never rests on
 * the probability argument.
 *
 * BigInt arithmetic is not constant-time in any JS engine; like noble, this keeps the sequence
 * of point operations and table accesses independent of the scalar.
 */
function mulSecretRaw(x: bigint, y: bigint, k: bigint, r: bigint): { x: bigint; y: bigint } | undefined {
  let kk = k + r * N;
  kk += N * ((kk & 1n) ^ 1n); // make odd
  // Digit count fixed by the blind width (kk < (2^64 + 2)·n < 2^321), not by kk itself, so
  // every call runs the same number of windows. (Only the test hook passes wider blinds.)
  const len = Math.ceil(Math.max(256 + BLIND_BITS + 1, kk.toString(2).length) / W) + 1;
  const digits = recodeOdd(kk, len);

  // Table T[j] = (2j + 1)·P, j = 0 … 2^(W−1) − 1, computed in Jacobian then made affine.
  const tX: bigint[] = new Array(W_HALF);
  const tY: bigint[] = new Array(W_HALF);
  const tZ: bigint[] = new Array(W_HALF);
  // 2P in affine (one inversion): λ = 3(x² − 1)/(2y), x2 = λ² − 2x, y2 = λ(x − x2) − y.
  const lam = (((3n * ((x * x - 1n) % P)) % P) * Fp.inv(((2n * y) % P + P) % P)) % P;
  const x2p = (lam * lam - 2n * x) % P;
  const y2p = (lam * (x - x2p) - y) % P;
  tX[0] = x;
  tY[0] = y;
  tZ[0] = 1n;
  for (let j = 1; j < W_HALF; j++) {
    // madd-2007-bl: T[j] = T[j−1] + 2P. Never exceptional: (2j − 1) ≢ ±2 (mod n).
    const X1 = tX[j - 1]!, Y1 = tY[j - 1]!, Z1 = tZ[j - 1]!;
    const Z1Z1 = (Z1 * Z1) % P;
    const U2 = (x2p * Z1Z1) % P;
    const S2 = (((y2p * Z1) % P) * Z1Z1) % P;
    const H = U2 - X1;
    const HH = (H * H) % P;
    const I = HH << 2n;
    const J = (H * I) % P;
    const rr = (S2 - Y1) << 1n;
    const V = (X1 * I) % P;
    const X3 = (rr * rr - J - (V << 1n)) % P;
    tX[j] = X3;
    tY[j] = (rr * (V - X3) - ((Y1 * J) << 1n)) % P;
    tZ[j] = ((Z1 + H) * (Z1 + H) - Z1Z1 - HH) % P;
  }
  // Batch inversion (Montgomery's trick): one field inversion for all Z_j.
  const prefix: bigint[] = new Array(W_HALF);
  let accZ = 1n;
  for (let j = 0; j < W_HALF; j++) {
    prefix[j] = accZ;
    accZ = (accZ * tZ[j]!) % P;
  }
  let inv = Fp.inv(((accZ % P) + P) % P);
  const ax: bigint[] = new Array(W_HALF);
  const ay: bigint[] = new Array(W_HALF);
  for (let j = W_HALF - 1; j >= 0; j--) {
    const zi = (inv * prefix[j]!) % P;
    inv = (inv * tZ[j]!) % P;
    const zi2 = (zi * zi) % P;
    ax[j] = (tX[j]! * zi2) % P;
    ay[j] = (((tY[j]! * zi2) % P) * zi) % P;
  }

  // Main loop: acc = T[top digit]; then per digit W doublings and one mixed addition.
  const top = digits[len - 1]!;
  let X = ax[(top - 1) >> 1]!;
  let Y = ay[(top - 1) >> 1]!;
  let Z = 1n;
  for (let i = len - 2; i >= 0; i--) {
    for (let s = 0; s < W; s++) {
      // dbl-2001-b (a = −3)
      const delta = (Z * Z) % P;
      const gamma = (Y * Y) % P;
      const beta = (X * gamma) % P;
      const alpha = (3n * (X - delta) * (X + delta)) % P;
      const X3 = (alpha * alpha - (beta << 3n)) % P;
      Z = ((Y + Z) * (Y + Z) - gamma - delta) % P;
      Y = (alpha * ((beta << 2n) - X3) - ((gamma * gamma) << 3n)) % P;
      X = X3;
    }
    // Table lookup touching every entry, then the sign.
    const d = digits[i]!;
    const idx = ((d < 0 ? -d : d) - 1) >> 1;
    let sx = ax[0]!;
    let sy = ay[0]!;
    for (let j = 1; j < W_HALF; j++) {
      const hit = j === idx;
      sx = hit ? ax[j]! : sx;
      sy = hit ? ay[j]! : sy;
    }
    const ny = -sy;
    sy = d < 0 ? ny : sy;
    // madd-2007-bl: (X, Y, Z) + (sx, sy)
    const Z1Z1 = (Z * Z) % P;
    const U2 = (sx * Z1Z1) % P;
    const S2 = (((sy * Z) % P) * Z1Z1) % P;
    const H = U2 - X;
    const HH = (H * H) % P;
    const I = HH << 2n;
    const J = (H * I) % P;
    const rr = (S2 - Y) << 1n;
    const V = (X * I) % P;
    const X3 = (rr * rr - J - (V << 1n)) % P;
    const Y3 = (rr * (V - X3) - ((Y * J) << 1n)) % P;
    Z = ((Z + H) * (Z + H) - Z1Z1 - HH) % P;
    X = X3;
    Y = Y3;
  }
  Z = ((Z % P) + P) % P;
  if (Z === 0n) return undefined; // exceptional case somewhere: let the caller fall back
  const zi = Fp.inv(Z);
  const zi2 = (zi * zi) % P;
  return { x: (((X * zi2) % P) + P) % P, y: (((((Y * zi2) % P) * zi) % P) + P) % P };
}

/**
 * [k]Q for secret k ∈ [1, n − 1] and a validated finite point Q = (x, y). Uses the fast
 * Jacobian path above and noble's complete-formula multiply if that path reports an
 * exceptional case.
 */
function mulSecret(x: bigint, y: bigint, k: bigint, r: bigint = blindingFactor()): { x: bigint; y: bigint } {
  const res = mulSecretRaw(x, y, k, r);
  if (res) return res;
  return sm2Point.fromAffine({ x, y }).multiply(k).toAffine();
}

/**
 * Test hook (not part of the library API): the secret-scalar multiplication with a chosen blind
 * `r`, reporting whether the exceptional-case fallback ran.
 * @internal
 */
export function _sm2MulSecretForTest(
  point: Sm2Point,
  k: bigint,
  r: bigint
): { x: bigint; y: bigint; fallback: boolean } {
  point.assertValidity();
  if (k < 1n || k >= N || r < 0n) throw new RangeError('bad scalar');
  const { x, y } = point.toAffine();
  const raw = mulSecretRaw(x, y, k, r);
  const res = mulSecret(x, y, k, r);
  return { ...res, fallback: raw === undefined };
}

// ---------------------------------------------------------------------------------------------
// Public points
// ---------------------------------------------------------------------------------------------

/** Points returned by {@link sm2PrecomputePublic}: their noble window table is worth using. */
const precomputed = new WeakSet<Sm2Point>();

/** Decodes and validates a public point: 65-byte 04‖x‖y (or a point of this curve). */
function toPublicPoint(pub: Sm2Point | Uint8Array): Sm2Point {
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

// ---------------------------------------------------------------------------------------------
// KDF (GB/T 32918.4 §5.4.3)
// ---------------------------------------------------------------------------------------------

/**
 * SM2 key derivation function: K = Ha_1 ‖ Ha_2 ‖ … truncated to `klen` bytes, with
 * Ha_i = SM3(Z ‖ ct_i) and ct a 32-bit big-endian counter starting at 1. (The standard counts
 * klen in bits; here it is bytes, the only granularity SM2PKE uses.)
 */
export function sm2Kdf(z: Uint8Array, klen: number): Uint8Array {
  if (!(z instanceof Uint8Array)) throw new TypeError('sm2Kdf: z must be a Uint8Array');
  if (!Number.isSafeInteger(klen) || klen < 0 || klen > 0xffffffff * 32) throw new RangeError('sm2Kdf: invalid klen');
  const out = new Uint8Array(klen);
  if (klen === 0) return out;
  // Z is hashed once; each block clones that state (one 64-byte block saved per counter for
  // Z = x2‖y2) into a reused hasher.
  const base = sm3.create().update(z);
  const tmp = sm3.create();
  const ctr = new Uint8Array(4);
  const last = new Uint8Array(32);
  try {
    for (let i = 0, ct = 1; i < klen; i += 32, ct++) {
      ctr[0] = ct >>> 24;
      ctr[1] = ct >>> 16;
      ctr[2] = ct >>> 8;
      ctr[3] = ct;
      base._cloneInto(tmp).update(ctr);
      if (klen - i >= 32) {
        tmp.digestInto(out.subarray(i, i + 32));
      } else {
        tmp.digestInto(last);
        out.set(last.subarray(0, klen - i), i);
      }
    }
  } finally {
    last.fill(0);
    base.destroy();
    tmp.destroy();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encryption (GB/T 32918.4 §6.1) and decryption (§7.1)
// ---------------------------------------------------------------------------------------------

/** GM/T 0009 SM2Cipher: SEQUENCE { INTEGER x1, INTEGER y1, OCTET STRING C3, OCTET STRING C2 }. */
function encodeCiphertext(x1: bigint, y1: bigint, c3: Uint8Array, c2: Uint8Array): Uint8Array {
  return derSequence(derInteger(x1), derInteger(y1), derOctetString(c3), derOctetString(c2));
}

/** Strict parse of the DER ciphertext; throws DerError (mapped by the caller). */
function decodeCiphertext(der: Uint8Array): { x1: bigint; y1: bigint; c3: Uint8Array; c2: Uint8Array } {
  const seq = derDecode(der, DerTag.SEQUENCE);
  const x1b = seq.unsignedIntegerBytes();
  const y1b = seq.unsignedIntegerBytes();
  const c3 = seq.octetString();
  const c2 = seq.octetString();
  seq.end();
  // Coordinates are field elements: at most 32 bytes once the sign octet is dropped, and < p.
  if (x1b.length > 32 || y1b.length > 32) throw new DerError('SM2: coordinate too long');
  if (c3.length !== 32) throw new DerError('SM2: C3 must be 32 bytes');
  if (c2.length < 1) throw new DerError('SM2: empty C2');
  return { x1: bytesToBigInt(x1b), y1: bytesToBigInt(y1b), c3, c2 };
}

function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i]!;
  return acc === 0;
}

/**
 * SM2 encryption of `msg` (≥ 1 byte) to `publicKey` (65-byte 04‖x‖y, an SM2 point, or — best
 * for repeated use — the result of {@link sm2PrecomputePublic}). Returns the GM/T 0009 DER
 * ciphertext. `random(32)` supplies k (rejection-sampled into [1, n − 1], so an injected k is
 * used as is); `random` is called again if KDF(x2‖y2) is all zero (§6.1 A5).
 */
export function sm2Encrypt(
  publicKey: Sm2Point | Uint8Array,
  msg: Uint8Array,
  random: (n: number) => Uint8Array
): Uint8Array {
  const pb = toPublicPoint(publicKey);
  if (!(msg instanceof Uint8Array)) throw new TypeError('sm2Encrypt: message must be a Uint8Array');
  /* Precondition: non-empty message (klen = 0 would make t vacuously all-zero, §6.1 A5). */
  if (msg.length === 0) throw new RangeError('sm2Encrypt: message must not be empty');
  assertRandom(random);
  const usePrecomputed = precomputed.has(pb);
  const pbAffine = usePrecomputed ? undefined : pb.toAffine();
  const z = new Uint8Array(64); // x2 ‖ y2
  for (let attempt = 0; attempt < 16; attempt++) {
    // A1: k ∈ [1, n − 1]
    const k = drawScalar(random, N - 1n);
    // A2: C1 = [k]G = (x1, y1)   (noble's precomputed, blinded base-point multiply)
    const c1 = sm2Point.BASE.multiply(k).toAffine();
    // A3: S = [h]P_B = P_B (h = 1) is not infinity — checked by toPublicPoint.
    // A4: [k]P_B = (x2, y2)
    const s = pbAffine ? mulSecret(pbAffine.x, pbAffine.y, k) : pb.multiply(k).toAffine();
    writeBigInt32(s.x, z, 0);
    writeBigInt32(s.y, z, 32);
    // A5: t = KDF(x2 ‖ y2, klen); all zero → new k
    const t = sm2Kdf(z, msg.length);
    if (isAllZero(t)) {
      t.fill(0);
      continue;
    }
    // A6: C2 = M ⊕ t
    const c2 = new Uint8Array(msg.length);
    for (let i = 0; i < msg.length; i++) c2[i] = msg[i]! ^ t[i]!;
    t.fill(0);
    // A7: C3 = Hash(x2 ‖ M ‖ y2)
    const c3 = sm3.create().update(z.subarray(0, 32)).update(msg).update(z.subarray(32)).digest();
    z.fill(0);
    // A8: C = C1 ‖ C3 ‖ C2, in GM/T 0009 DER
    return encodeCiphertext(c1.x, c1.y, c3, c2);
  }
  z.fill(0);
  throw new Error('SM2: could not find a usable k');
}

/**
 * SM2 decryption of a GM/T 0009 DER ciphertext with the private scalar d. Every
 * ciphertext-dependent failure throws the same {@link Sm2DecryptError}; an out-of-range d
 * (a key problem, independent of the ciphertext) throws {@link Sm2KeyError}.
 * Intermediate buffers (x2‖y2, t, and the plaintext on failure) are zeroed.
 */
export function sm2Decrypt(privateScalar: bigint, der: Uint8Array): Uint8Array {
  assertPrivateScalar(privateScalar);
  if (!(der instanceof Uint8Array)) throw new Sm2DecryptError();
  const z = new Uint8Array(64);
  let t: Uint8Array | undefined;
  let m: Uint8Array | undefined;
  try {
    const { x1, y1, c3, c2 } = decodeCiphertext(der);
    // B1: C1 on the curve (coordinates < p). B2: [h]C1 = C1 ≠ O — an affine point that
    // satisfies the equation is never infinity, and h = 1 needs no subgroup check.
    if (!isOnCurve(x1, y1)) throw new Sm2DecryptError();
    // B3: [d_B]C1 = (x2, y2)
    const s = mulSecret(x1, y1, privateScalar);
    writeBigInt32(s.x, z, 0);
    writeBigInt32(s.y, z, 32);
    // B4: t = KDF(x2 ‖ y2, klen); all zero → error
    t = sm2Kdf(z, c2.length);
    const tZero = isAllZero(t);
    // B5: M' = C2 ⊕ t
    m = new Uint8Array(c2.length);
    for (let i = 0; i < c2.length; i++) m[i] = c2[i]! ^ t[i]!;
    // B6: u = Hash(x2 ‖ M' ‖ y2) must equal C3 (constant-time comparison)
    const u = sm3.create().update(z.subarray(0, 32)).update(m).update(z.subarray(32)).digest();
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= u[i]! ^ c3[i]!;
    u.fill(0);
    if ((diff | (tZero ? 1 : 0)) !== 0) throw new Sm2DecryptError();
    // B7: M'
    const out = m;
    m = undefined;
    return out;
  } catch {
    throw new Sm2DecryptError();
  } finally {
    z.fill(0);
    t?.fill(0);
    m?.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Key encodings: SubjectPublicKeyInfo (RFC 5280 / RFC 5480) and PKCS#8 (RFC 5208 + RFC 5915)
// ---------------------------------------------------------------------------------------------

const ALGORITHM_ID = /* @__PURE__ */ derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(OID_SM2_CURVE));

function readAlgorithm(r: DerReader): void {
  const alg = r.sequence();
  if (alg.oid() !== OID_EC_PUBLIC_KEY) throw new DerError('SM2: algorithm is not id-ecPublicKey');
  if (alg.oid() !== OID_SM2_CURVE) throw new DerError('SM2: curve is not SM2');
  alg.end();
}

/**
 * DER SubjectPublicKeyInfo of an SM2 public key: `SEQUENCE { SEQUENCE { id-ecPublicKey,
 * sm2 }, BIT STRING 04‖x‖y }` — byte-identical to `openssl pkey -pubout -outform DER`.
 */
export function sm2SpkiEncode(pub65: Uint8Array): Uint8Array {
  const pt = toPublicPoint(pub65);
  return derSequence(ALGORITHM_ID, derBitString(pt.toBytes(false)));
}

/** Decodes an SM2 SubjectPublicKeyInfo to the validated 65-byte point 04‖x‖y. */
export function sm2SpkiDecode(spki: Uint8Array): Uint8Array {
  let point: Uint8Array;
  try {
    const seq = derDecode(spki, DerTag.SEQUENCE);
    readAlgorithm(seq);
    point = seq.bitStringBytes();
    seq.end();
  } catch (e) {
    if (e instanceof DerError) throw new Sm2KeyError('SM2: malformed SubjectPublicKeyInfo');
    throw e;
  }
  let pt: Sm2Point;
  try {
    // 65-byte uncompressed or 33-byte compressed SEC 1 forms; validated on the curve.
    pt = sm2Point.fromBytes(point);
  } catch {
    throw new Sm2KeyError('SM2: public key is not a point on the curve');
  }
  return pt.toBytes(false);
}

/**
 * DER PKCS#8 PrivateKeyInfo of an SM2 key, byte-identical to what OpenSSL 3 writes
 * (`openssl genpkey -algorithm SM2`, or `openssl pkcs8 -topk8 -nocrypt -outform DER`):
 * `SEQUENCE { INTEGER 0, SEQUENCE { id-ecPublicKey, sm2 }, OCTET STRING ECPrivateKey }` with
 * `ECPrivateKey = SEQUENCE { INTEGER 1, OCTET STRING d (32 bytes), [1] BIT STRING 04‖x‖y }`.
 */
export function sm2Pkcs8Encode(d: bigint): Uint8Array {
  assertPrivateScalar(d);
  // Every intermediate buffer that holds d is wiped; only the returned encoding keeps it.
  const dBytes = bigIntTo32(d);
  const dOctets = derOctetString(dBytes);
  const ecPrivateKey = derSequence(derInteger(1n), dOctets, derContext(1, derBitString(sm2PublicFromPrivate(d))));
  const wrapped = derOctetString(ecPrivateKey);
  const out = derSequence(derInteger(0n), ALGORITHM_ID, wrapped);
  for (const b of [dBytes, dOctets, ecPrivateKey, wrapped]) b.fill(0);
  return out;
}

/**
 * Private scalar d from a PKCS#8 PrivateKeyInfo (v1, or v2/OneAsymmetricKey with trailing
 * optional fields ignored only if well-formed) holding an SM2 ECPrivateKey. The optional
 * [0] parameters must name the SM2 curve and the optional [1] public key must equal [d]G.
 */
export function sm2PrivateKeyFromPkcs8(pkcs8: Uint8Array): bigint {
  let d: bigint;
  let pub: Uint8Array | undefined;
  try {
    const seq = derDecode(pkcs8, DerTag.SEQUENCE);
    const version = seq.integer();
    if (version !== 0n && version !== 1n) throw new DerError('PKCS#8: unsupported version');
    readAlgorithm(seq);
    const inner = derDecode(seq.octetString(), DerTag.SEQUENCE);
    // RFC 5208 attributes [0] IMPLICIT and RFC 5958 publicKey [1] IMPLICIT may follow; they
    // must still be well-formed TLVs.
    while (!seq.done) seq.next();
    if (inner.integer() !== 1n) throw new DerError('ECPrivateKey: unsupported version');
    const dBytes = inner.octetString();
    if (dBytes.length !== 32) throw new DerError('ECPrivateKey: private key must be 32 bytes');
    d = bytesToBigInt(dBytes);
    const params = inner.optionalContext(0);
    if (params) {
      if (params.oid() !== OID_SM2_CURVE) throw new DerError('ECPrivateKey: curve is not SM2');
      params.end();
    }
    const pubField = inner.optionalContext(1);
    if (pubField) {
      pub = pubField.bitStringBytes();
      pubField.end();
    }
    inner.end();
  } catch (e) {
    if (e instanceof DerError) throw new Sm2KeyError('SM2: malformed PKCS#8 private key');
    throw e;
  }
  assertPrivateScalar(d);
  if (pub) {
    const expected = sm2PublicFromPrivate(d);
    let same = pub.length === expected.length;
    if (same) for (let i = 0; i < pub.length; i++) same = same && pub[i] === expected[i];
    if (!same) throw new Sm2KeyError('SM2: PKCS#8 public key does not match the private key');
  }
  return d;
}
