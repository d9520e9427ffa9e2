/**
 * SM4 block cipher (GB/T 32907-2016, also GM/T 0002-2012, ISO/IEC 18033-3:2010/Amd 1:2021):
 * 128-bit blocks, 128-bit key, 32 rounds of an unbalanced Feistel network.
 *
 * Why here and not behind the backend seam: WebCrypto has no SM4, and OpenSSL 3.0 (Node 20)
 * offers SM4-ECB/CTR but no SM4-GCM, so China Regions' SYMMETRIC_DEFAULT needs a pure-JS SM4 on
 * every runtime, like SM2 and SM3 (primitives/). node:crypto's `sm4-ecb` is the test oracle.
 *
 * Implementation: the round transform T = L∘τ (§6.2) is linear after the S-box, and L commutes
 * with byte rotation, so T is computed with one 256-entry table of L(S(x) ≪ 24) and rotations,
 * as AES T-tables are. Table lookups are indexed by secret bytes: like every table-driven AES
 * (noble-ciphers' included) this is not hardened against cache-timing attackers sharing the
 * CPU; KMS-core's threat model is an API caller, who sees no timings finer than a request.
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */

/** GB/T 32907 §6.2 (a): the S-box τ, row by row (high nibble = row). */
// prettier-ignore
const SBOX = /* @__PURE__ */ Uint8Array.from([
  0xd6, 0x90, 0xe9, 0xfe, 0xcc, 0xe1, 0x3d, 0xb7, 0x16, 0xb6, 0x14, 0xc2, 0x28, 0xfb, 0x2c, 0x05,
  0x2b, 0x67, 0x9a, 0x76, 0x2a, 0xbe, 0x04, 0xc3, 0xaa, 0x44, 0x13, 0x26, 0x49, 0x86, 0x06, 0x99,
  0x9c, 0x42, 0x50, 0xf4, 0x91, 0xef, 0x98, 0x7a, 0x33, 0x54, 0x0b, 0x43, 0xed, 0xcf, 0xac, 0x62,
  0xe4, 0xb3, 0x1c, 0xa9, 0xc9, 0x08, 0xe8, 0x95, 0x80, 0xdf, 0x94, 0xfa, 0x75, 0x8f, 0x3f, 0xa6,
  0x47, 0x07, 0xa7, 0xfc, 0xf3, 0x73, 0x17, 0xba, 0x83, 0x59, 0x3c, 0x19, 0xe6, 0x85, 0x4f, 0xa8,
  0x68, 0x6b, 0x81, 0xb2, 0x71, 0x64, 0xda, 0x8b, 0xf8, 0xeb, 0x0f, 0x4b, 0x70, 0x56, 0x9d, 0x35,
  0x1e, 0x24, 0x0e, 0x5e, 0x63, 0x58, 0xd1, 0xa2, 0x25, 0x22, 0x7c, 0x3b, 0x01, 0x21, 0x78, 0x87,
  0xd4, 0x00, 0x46, 0x57, 0x9f, 0xd3, 0x27, 0x52, 0x4c, 0x36, 0x02, 0xe7, 0xa0, 0xc4, 0xc8, 0x9e,
  0xea, 0xbf, 0x8a, 0xd2, 0x40, 0xc7, 0x38, 0xb5, 0xa3, 0xf7, 0xf2, 0xce, 0xf9, 0x61, 0x15, 0xa1,
  0xe0, 0xae, 0x5d, 0xa4, 0x9b, 0x34, 0x1a, 0x55, 0xad, 0x93, 0x32, 0x30, 0xf5, 0x8c, 0xb1, 0xe3,
  0x1d, 0xf6, 0xe2, 0x2e, 0x82, 0x66, 0xca, 0x60, 0xc0, 0x29, 0x23, 0xab, 0x0d, 0x53, 0x4e, 0x6f,
  0xd5, 0xdb, 0x37, 0x45, 0xde, 0xfd, 0x8e, 0x2f, 0x03, 0xff, 0x6a, 0x72, 0x6d, 0x6c, 0x5b, 0x51,
  0x8d, 0x1b, 0xaf, 0x92, 0xbb, 0xdd, 0xbc, 0x7f, 0x11, 0xd9, 0x5c, 0x41, 0x1f, 0x10, 0x5a, 0xd8,
  0x0a, 0xc1, 0x31, 0x88, 0xa5, 0xcd, 0x7b, 0xbd, 0x2d, 0x74, 0xd0, 0x12, 0xb8, 0xe5, 0xb4, 0xb0,
  0x89, 0x69, 0x97, 0x4a, 0x0c, 0x96, 0x77, 0x7e, 0x65, 0xb9, 0xf1, 0x09, 0xc5, 0x6e, 0xc6, 0x84,
  0x18, 0xf0, 0x7d, 0xec, 0x3a, 0xdc, 0x4d, 0x20, 0x79, 0xee, 0x5f, 0x3e, 0xd7, 0xcb, 0x39, 0x48,
]);

/** §7.3: system parameter FK. */
const FK = /* @__PURE__ */ Uint32Array.from([0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc]);

/** §7.3: fixed parameters CK_i, whose byte j is (4i + j) · 7 mod 256. */
const CK = /* @__PURE__ */ (() => {
  const ck = new Uint32Array(32);
  for (let i = 0; i < 32; i++) {
    let w = 0;
    for (let j = 0; j < 4; j++) w = (w << 8) | (((4 * i + j) * 7) & 0xff);
    ck[i] = w >>> 0;
  }
  return ck;
})();

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** τ: the S-box on each byte of a word (§6.2 a). */
function tau(a: number): number {
  return (
    ((SBOX[a >>> 24] as number) << 24) |
    ((SBOX[(a >>> 16) & 0xff] as number) << 16) |
    ((SBOX[(a >>> 8) & 0xff] as number) << 8) |
    (SBOX[a & 0xff] as number)
  );
}

/** §6.2 b: L(B) = B ⊕ (B ⋘ 2) ⊕ (B ⋘ 10) ⊕ (B ⋘ 18) ⊕ (B ⋘ 24). */
const L = (b: number): number => b ^ rotl(b, 2) ^ rotl(b, 10) ^ rotl(b, 18) ^ rotl(b, 24);
/** §7.3: L'(B) = B ⊕ (B ⋘ 13) ⊕ (B ⋘ 23), the key schedule's linear map. */
const L1 = (b: number): number => b ^ rotl(b, 13) ^ rotl(b, 23);

/** T0[x] = L(S(x) ≪ 24); the other byte positions are rotations of it (L is rotation-invariant). */
const T0 = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let x = 0; x < 256; x++) t[x] = L((SBOX[x] as number) << 24) >>> 0;
  return t;
})();

/** T(x) = L(τ(x)), by table. */
function T(x: number): number {
  return (
    (T0[x >>> 24] as number) ^
    rotl(T0[(x >>> 16) & 0xff] as number, 24) ^
    rotl(T0[(x >>> 8) & 0xff] as number, 16) ^
    rotl(T0[x & 0xff] as number, 8)
  );
}

/** SM4 key length and block length, in bytes. */
export const SM4_KEY_LEN = 16;
export const SM4_BLOCK_LEN = 16;

/** The 32 round keys rk_0..rk_31 of a key (§7.3). Wipe them with `.fill(0)` after use. */
export function sm4ExpandKey(key: Uint8Array): Uint32Array {
  /* Precondition: SM4 keys are 128 bits. */
  if (key.length !== SM4_KEY_LEN) throw new RangeError('SM4 key must be 16 bytes');
  const v = new DataView(key.buffer, key.byteOffset, 16);
  let k0 = (v.getUint32(0) ^ (FK[0] as number)) | 0;
  let k1 = (v.getUint32(4) ^ (FK[1] as number)) | 0;
  let k2 = (v.getUint32(8) ^ (FK[2] as number)) | 0;
  let k3 = (v.getUint32(12) ^ (FK[3] as number)) | 0;
  const rk = new Uint32Array(32);
  for (let i = 0; i < 32; i++) {
    const k4 = k0 ^ L1(tau(k1 ^ k2 ^ k3 ^ (CK[i] as number)));
    rk[i] = k4;
    k0 = k1;
    k1 = k2;
    k2 = k3;
    k3 = k4;
  }
  return rk;
}

function crypt(rk: Uint32Array, src: Uint8Array, so: number, dst: Uint8Array, dO: number, decrypt: boolean): void {
  let x0 = (src[so]! << 24) | (src[so + 1]! << 16) | (src[so + 2]! << 8) | src[so + 3]!;
  let x1 = (src[so + 4]! << 24) | (src[so + 5]! << 16) | (src[so + 6]! << 8) | src[so + 7]!;
  let x2 = (src[so + 8]! << 24) | (src[so + 9]! << 16) | (src[so + 10]! << 8) | src[so + 11]!;
  let x3 = (src[so + 12]! << 24) | (src[so + 13]! << 16) | (src[so + 14]! << 8) | src[so + 15]!;
  // §7.1: X_{i+4} = X_i ⊕ T(X_{i+1} ⊕ X_{i+2} ⊕ X_{i+3} ⊕ rk_i); decryption takes rk in reverse (§7.2).
  for (let i = 0; i < 32; i += 4) {
    const r0 = rk[decrypt ? 31 - i : i] as number;
    const r1 = rk[decrypt ? 30 - i : i + 1] as number;
    const r2 = rk[decrypt ? 29 - i : i + 2] as number;
    const r3 = rk[decrypt ? 28 - i : i + 3] as number;
    x0 ^= T(x1 ^ x2 ^ x3 ^ r0);
    x1 ^= T(x2 ^ x3 ^ x0 ^ r1);
    x2 ^= T(x3 ^ x0 ^ x1 ^ r2);
    x3 ^= T(x0 ^ x1 ^ x2 ^ r3);
  }
  // Output R(X32..X35) = (X35, X34, X33, X32).
  dst[dO] = x3 >>> 24;
  dst[dO + 1] = x3 >>> 16;
  dst[dO + 2] = x3 >>> 8;
  dst[dO + 3] = x3;
  dst[dO + 4] = x2 >>> 24;
  dst[dO + 5] = x2 >>> 16;
  dst[dO + 6] = x2 >>> 8;
  dst[dO + 7] = x2;
  dst[dO + 8] = x1 >>> 24;
  dst[dO + 9] = x1 >>> 16;
  dst[dO + 10] = x1 >>> 8;
  dst[dO + 11] = x1;
  dst[dO + 12] = x0 >>> 24;
  dst[dO + 13] = x0 >>> 16;
  dst[dO + 14] = x0 >>> 8;
  dst[dO + 15] = x0;
}

/**
 * Encrypts the 16-byte block at `src[srcOff..]` into `dst[dstOff..]` (`dst` may be `src`).
 * The caller guarantees both ranges are in bounds.
 */
export function sm4EncryptBlock(rk: Uint32Array, src: Uint8Array, dst: Uint8Array, srcOff = 0, dstOff = 0): void {
  crypt(rk, src, srcOff, dst, dstOff, false);
}

/** Decrypts one 16-byte block (the same round keys as encryption, taken in reverse). */
export function sm4DecryptBlock(rk: Uint32Array, src: Uint8Array, dst: Uint8Array, srcOff = 0, dstOff = 0): void {
  crypt(rk, src, srcOff, dst, dstOff, true);
}
