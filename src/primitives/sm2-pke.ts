/**
 * SM2 public-key encryption (SM2PKE) over the SM2 curve (sm2-curve.ts).
 *
 * - Encryption/decryption: GB/T 32918.4-2016 (GM/T 0003.4) §6 (encryption) and §7
 *   (decryption), with C3 = SM3(x2 ‖ M ‖ y2) and the KDF of §5.4.3.
 * - Ciphertext form: GM/T 0009-2012 §7.2 DER, `SEQUENCE { INTEGER x1, INTEGER y1,
 *   OCTET STRING C3 (32 bytes), OCTET STRING C2 }` — what AWS KMS SM2PKE and
 *   `openssl pkeyutl -encrypt` emit.
 * - [d]C1 and [k]P_B: the secret-scalar multiplication of sm2-scalar-mul.ts.
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */
import { bytesToBigInt } from '../util/bigint.js';
import { sm3 } from './sm3.js';
import { DerError, DerTag, derDecode, derInteger, derOctetString, derSequence } from './der.js';
import { N, assertPrivateScalar, assertRandom, drawScalar, hasPrecomputation, isOnCurve, sm2Point, toPublicPoint, writeBigInt32, type Sm2Point } from './sm2-curve.js';
import { Sm2DecryptError } from './sm2-errors.js';
import { mulSecret } from './sm2-scalar-mul.js';

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
  const usePrecomputed = hasPrecomputation(pb);
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
