/**
 * SM4-GCM: NIST SP 800-38D Galois/Counter Mode over the SM4 block cipher (RFC 8998 §3.1,
 * ISO/IEC 19772 names it for any 128-bit block cipher). 128-bit tag; any IV length ≥ 1 byte
 * (a 96-bit IV is the fast path and the only one the envelope uses).
 *
 * GHASH is @noble/ciphers' (`_polyval.js`, SP 800-38D §6.4): every `update()` zero-pads its
 * segment to 16 bytes, which is exactly GCM's A ‖ 0^v ‖ C ‖ 0^u ‖ [len(A)]_64 ‖ [len(C)]_64.
 * The tag is checked (constant time) before anything is decrypted, and decryption returns
 * `undefined` for every failure, so a caller has one failure to report.
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */
import { ghash } from '@noble/ciphers/_polyval.js';
import { SM4_BLOCK_LEN, sm4EncryptBlock, sm4ExpandKey } from './sm4.js';

export const SM4_GCM_TAG_LEN = 16;

/** 64-bit big-endian bit length of `bytes` bytes, written at `out[off..off+8]`. */
function writeBitLength(out: Uint8Array, off: number, bytes: number): void {
  const bits = bytes * 8; // < 2^53 for any JS buffer
  const hi = Math.floor(bits / 0x100000000);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint32(off, hi);
  v.setUint32(off + 4, bits >>> 0);
}

interface Keyed {
  rk: Uint32Array;
  h: Uint8Array;
  j0: Uint8Array;
}

/** Round keys, the hash subkey H = E_K(0^128) and the pre-counter block J0 (SP 800-38D §7.1 steps 1–2). */
function setup(key: Uint8Array, iv: Uint8Array): Keyed {
  const rk = sm4ExpandKey(key);
  const h = new Uint8Array(16);
  sm4EncryptBlock(rk, h, h);
  let j0: Uint8Array;
  if (iv.length === 12) {
    j0 = new Uint8Array(16);
    j0.set(iv);
    j0[15] = 1;
  } else {
    // J0 = GHASH_H(IV ‖ 0^(s+64) ‖ [len(IV)]_64).
    const lens = new Uint8Array(16);
    writeBitLength(lens, 8, iv.length);
    const g = ghash.create(h, iv.length + 16);
    j0 = g.update(iv).update(lens).digest();
    g.destroy();
  }
  return { rk, h, j0 };
}

/** GCTR (§6.5) from inc32(J0): XORs the keystream into `data`, writing `out`. */
function gctr(rk: Uint32Array, j0: Uint8Array, data: Uint8Array, out: Uint8Array): void {
  const cb = j0.slice();
  const ks = new Uint8Array(SM4_BLOCK_LEN);
  const view = new DataView(cb.buffer);
  let ctr = view.getUint32(12);
  for (let o = 0; o < data.length; o += SM4_BLOCK_LEN) {
    ctr = (ctr + 1) >>> 0; // inc32: the low 32 bits wrap, the rest of the block stays
    view.setUint32(12, ctr);
    sm4EncryptBlock(rk, cb, ks);
    const n = Math.min(SM4_BLOCK_LEN, data.length - o);
    for (let i = 0; i < n; i++) out[o + i] = (data[o + i] as number) ^ (ks[i] as number);
  }
  ks.fill(0);
  cb.fill(0);
}

/** T = E_K(J0) ⊕ GHASH_H(A ‖ 0^v ‖ C ‖ 0^u ‖ [len(A)]_64 ‖ [len(C)]_64) (§7.1 steps 5–6). */
function tag(k: Keyed, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const lens = new Uint8Array(16);
  writeBitLength(lens, 0, aad.length);
  writeBitLength(lens, 8, ciphertext.length);
  const g = ghash.create(k.h, aad.length + ciphertext.length + 16);
  if (aad.length) g.update(aad);
  if (ciphertext.length) g.update(ciphertext);
  const s = g.update(lens).digest();
  g.destroy();
  const ej0 = new Uint8Array(16);
  sm4EncryptBlock(k.rk, k.j0, ej0);
  for (let i = 0; i < 16; i++) s[i]! ^= ej0[i] as number;
  ej0.fill(0);
  return s;
}

function clean(k: Keyed): void {
  k.rk.fill(0);
  k.h.fill(0);
  k.j0.fill(0);
}

/**
 * SM4-GCM authenticated encryption: returns ciphertext ‖ tag (plaintext length + 16 bytes),
 * written into `out` when given.
 */
export function sm4GcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out?: Uint8Array): Uint8Array {
  /* Precondition: GCM needs an IV of at least one byte (SP 800-38D §5.2.1.1: len(IV) ≥ 1). */
  if (iv.length === 0) throw new RangeError('SM4-GCM IV must not be empty');
  const res = out ?? new Uint8Array(plaintext.length + SM4_GCM_TAG_LEN);
  /* Precondition: the output holds exactly ciphertext ‖ tag. */
  if (res.length !== plaintext.length + SM4_GCM_TAG_LEN) throw new RangeError('SM4-GCM output must be plaintext length + 16 bytes');
  const k = setup(key, iv);
  try {
    const ct = res.subarray(0, plaintext.length);
    gctr(k.rk, k.j0, plaintext, ct);
    const t = tag(k, aad, ct);
    res.set(t, plaintext.length);
    return res;
  } finally {
    clean(k);
  }
}

/**
 * SM4-GCM authenticated decryption of ciphertext ‖ tag. Returns the plaintext, or `undefined`
 * for every failure (short input, empty IV, tag mismatch); nothing is decrypted before the tag
 * verifies.
 */
export function sm4GcmDecrypt(key: Uint8Array, iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  if (iv.length === 0 || ciphertextAndTag.length < SM4_GCM_TAG_LEN) return undefined;
  const n = ciphertextAndTag.length - SM4_GCM_TAG_LEN;
  const ct = ciphertextAndTag.subarray(0, n);
  const k = setup(key, iv);
  try {
    const t = tag(k, aad, ct);
    const given = ciphertextAndTag.subarray(n);
    let d = 0;
    for (let i = 0; i < SM4_GCM_TAG_LEN; i++) d |= (t[i] as number) ^ (given[i] as number);
    if (d !== 0) return undefined;
    const pt = new Uint8Array(n);
    gctr(k.rk, k.j0, ct, pt);
    return pt;
  } finally {
    clean(k);
  }
}
