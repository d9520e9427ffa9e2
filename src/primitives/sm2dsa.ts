/**
 * SM2 digital signatures (SM2DSA, GB/T 32918.2-2016 / GM/T 0003.2), as AWS KMS signs with SM2
 * keys in the China Regions (Developer Guide, "SM2 key spec"; "Offline verification with SM2
 * key pairs"):
 *
 * - Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (§5.5) with the default
 *   distinguishing ID "1234567812345678" (GM/T 0009-2012), the only one AWS uses.
 * - RAW: e = SM3(Z_A ‖ M); DIGEST: the caller's 32 bytes are e (AWS lets the caller compute the
 *   digest with any ID, then signs it as is).
 * - Signature: DER `SEQUENCE { INTEGER r, INTEGER s }` (GM/T 0009 §7.3), what OpenSSL 3 writes
 *   (`openssl dgst -sm3 -sign key.pem -sigopt distid:1234567812345678`).
 *
 * k is drawn from the caller's randomness (rejection sampling into [1, n − 1]), so an injected
 * Kms `random` makes signatures reproducible. Pure JS on @noble/curves (WebCrypto has no SM2).
 * @module
 */
import { bytesToBigInt, writeBigInt } from '../util/bigint.js';
import { utf8, wipe } from '../util/bytes.js';
import { derDecode, derInteger, derSequence, DerTag } from './der.js';
import { SM2_CURVE, sm2Point } from './sm2-curve.js';
import { sm3 } from './sm3.js';

/** GM/T 0009-2012 §10: the default user ID, as AWS KMS uses it. */
export const SM2_DEFAULT_ID: Uint8Array = /* @__PURE__ */ utf8('1234567812345678');

const N = SM2_CURVE.n;
const Fn = sm2Point.Fn;

function be32(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  writeBigInt(x, out, 0, 32);
  return out;
}

/** Z_A (GB/T 32918.2 §5.5) for a 65-byte public key 04‖x‖y and an ID of < 8192 bytes. */
export function sm2Za(pub65: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): Uint8Array {
  const bits = id.length * 8;
  /* Precondition: ENTL_A is two bytes (ID shorter than 8192 bytes). */
  if (bits > 0xffff) throw new RangeError('SM2: distinguishing ID too long');
  return sm3
    .create()
    .update(Uint8Array.of(bits >>> 8, bits & 0xff))
    .update(id)
    .update(be32(SM2_CURVE.a))
    .update(be32(SM2_CURVE.b))
    .update(be32(SM2_CURVE.Gx))
    .update(be32(SM2_CURVE.Gy))
    .update(pub65.subarray(1, 33))
    .update(pub65.subarray(33, 65))
    .digest();
}

/** e = SM3(Z_A ‖ M) (§6.1 A1–A2): what a DIGEST-mode caller passes for message M. */
export function sm2Digest(pub65: Uint8Array, message: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): Uint8Array {
  return sm3.create().update(sm2Za(pub65, id)).update(message).digest();
}

/**
 * SM2DSA signature over the 32-byte e with private scalar d ∈ [1, n − 2] (§6.1 A3–A7).
 * Returns DER; `random(32)` supplies k.
 */
export function sm2Sign(d: bigint, e: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  /* Precondition: e is one SM3 output. */
  if (e.length !== 32) throw new RangeError('SM2: digest must be 32 bytes');
  const ev = bytesToBigInt(e);
  const inv1d = Fn.inv(Fn.create(1n + d));
  for (let attempt = 0; attempt < 64; attempt++) {
    const kb = random(32);
    const k = bytesToBigInt(kb);
    wipe(kb);
    if (k < 1n || k >= N) continue; // A3: k ∈ [1, n − 1]
    const x1 = sm2Point.BASE.multiply(k).toAffine().x; // A4
    const r = Fn.create(ev + x1); // A5
    if (r === 0n || r + k === N) continue;
    const s = Fn.mul(inv1d, Fn.sub(k, Fn.mul(r, d))); // A6
    if (s === 0n) continue;
    return derSequence(derInteger(r), derInteger(s)); // A7
  }
  throw new Error('kms-core: the random source keeps returning unusable SM2 nonces');
}

/**
 * SM2DSA verification (§7.1 B1–B7) of a DER signature over e with the public key 04‖x‖y.
 * false for every failure, malformed DER included; never throws for bad signature bytes.
 */
export function sm2Verify(pub65: Uint8Array, e: Uint8Array, sig: Uint8Array): boolean {
  if (e.length !== 32) return false;
  let r: bigint;
  let s: bigint;
  try {
    const seq = derDecode(sig, DerTag.SEQUENCE);
    const rb = seq.unsignedIntegerBytes();
    const sb = seq.unsignedIntegerBytes();
    seq.end();
    if (rb.length > 32 || sb.length > 32) return false;
    r = bytesToBigInt(rb);
    s = bytesToBigInt(sb);
  } catch {
    return false;
  }
  if (r < 1n || r >= N || s < 1n || s >= N) return false; // B1, B2
  const t = Fn.create(r + s); // B5
  if (t === 0n) return false;
  let pa;
  try {
    pa = sm2Point.fromBytes(pub65);
  } catch {
    return false;
  }
  const sum = sm2Point.BASE.multiplyUnsafe(s).add(pa.multiplyUnsafe(t)); // B6
  if (sum.is0()) return false;
  return Fn.create(bytesToBigInt(e) + sum.toAffine().x) === r; // B7
}
