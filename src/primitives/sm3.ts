/**
 * SM3 cryptographic hash (GB/T 32905-2016, also GM/T 0004-2012, ISO/IEC 10118-3:2018).
 *
 * Built on @noble/hashes' Merkle–Damgård base class, so padding, streaming `update()`,
 * `clone()` and `digestInto()` behave exactly like noble's SHA-256, and `sm3` is a noble
 * `CHash`: `hmac(sm3, key, msg)` from `@noble/hashes/hmac.js` works unchanged.
 *
 * Pure JS: no `node:*`, no Buffer. Runs in browsers and edge runtimes.
 * @module
 */
import { HashMD } from '@noble/hashes/_md.js';
import { type CHash, clean, createHasher } from '@noble/hashes/utils.js';

/** GB/T 32905 §4.1: initial value IV (eight 32-bit words, big-endian). */
// prettier-ignore
const SM3_IV = /* @__PURE__ */ Uint32Array.from([
  0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
]);

/**
 * GB/T 32905 §4.2: constants T_j = 79cc4519 (0 ≤ j ≤ 15), 7a879d8a (16 ≤ j ≤ 63).
 * The compression function only ever uses `T_j <<< (j mod 32)` (§5.3.3), so the table holds
 * the pre-rotated values.
 */
const SM3_TJ = /* @__PURE__ */ (() => {
  const t = new Uint32Array(64);
  for (let j = 0; j < 64; j++) {
    const T = j < 16 ? 0x79cc4519 : 0x7a879d8a;
    const r = j % 32;
    t[j] = r === 0 ? T : ((T << r) | (T >>> (32 - r))) >>> 0;
  }
  return t;
})();

/**
 * Message-expansion buffers (§5.3.2): W_0..W_67 and W'_0..W'_63. Shared across instances
 * (JS is single-threaded and `process()` never re-enters) so no block allocates; wiped after
 * every update/digest by `roundClean()`.
 */
const SM3_W = /* @__PURE__ */ new Uint32Array(68);
const SM3_W1 = /* @__PURE__ */ new Uint32Array(64);

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** Internal SM3 hash class (GB/T 32905 §5). Use {@link sm3} instead of constructing it. */
export class _SM3 extends HashMD<_SM3> {
  // Eight state words as separate numeric fields (not an array) so V8 keeps them in registers,
  // as noble's SHA-256 does. Numeric initialisers matter for V8's field representation.
  protected A = 0;
  protected B = 0;
  protected C = 0;
  protected D = 0;
  protected E = 0;
  protected F = 0;
  protected G = 0;
  protected H = 0;

  constructor() {
    // §5.1 padding: 64-byte blocks, 256-bit output, 64-bit big-endian bit length — the same
    // layout as SHA-256, so HashMD's padding applies unchanged.
    super(64, 32, 8, false);
    this.A = SM3_IV[0]! | 0;
    this.B = SM3_IV[1]! | 0;
    this.C = SM3_IV[2]! | 0;
    this.D = SM3_IV[3]! | 0;
    this.E = SM3_IV[4]! | 0;
    this.F = SM3_IV[5]! | 0;
    this.G = SM3_IV[6]! | 0;
    this.H = SM3_IV[7]! | 0;
  }

  protected get(): [number, number, number, number, number, number, number, number] {
    const { A, B, C, D, E, F, G, H } = this;
    return [A, B, C, D, E, F, G, H];
  }

  // prettier-ignore
  protected set(
    A: number, B: number, C: number, D: number, E: number, F: number, G: number, H: number
  ): void {
    this.A = A | 0;
    this.B = B | 0;
    this.C = C | 0;
    this.D = D | 0;
    this.E = E | 0;
    this.F = F | 0;
    this.G = G | 0;
    this.H = H | 0;
  }

  _cloneInto(to?: _SM3): _SM3 {
    const { A, B, C, D, E, F, G, H } = this;
    (to ||= new _SM3()).set(A, B, C, D, E, F, G, H);
    return this._cloneIntoMeta(to);
  }

  /** §5.3: one application of the compression function CF(V_i, B_i). */
  protected process(view: DataView, offset: number): void {
    const W = SM3_W;
    const W1 = SM3_W1;
    // §5.3.2 a): the block as sixteen big-endian words W_0..W_15.
    for (let j = 0; j < 16; j++, offset += 4) W[j] = view.getUint32(offset, false);
    // §5.3.2 b): W_j = P1(W_{j-16} ⊕ W_{j-9} ⊕ (W_{j-3} <<< 15)) ⊕ (W_{j-13} <<< 7) ⊕ W_{j-6},
    // with P1(X) = X ⊕ (X <<< 15) ⊕ (X <<< 23) (§4.4).
    for (let j = 16; j < 68; j++) {
      const x = W[j - 16]! ^ W[j - 9]! ^ rotl(W[j - 3]!, 15);
      W[j] = x ^ rotl(x, 15) ^ rotl(x, 23) ^ rotl(W[j - 13]!, 7) ^ W[j - 6]!;
    }
    // §5.3.2 c): W'_j = W_j ⊕ W_{j+4}.
    for (let j = 0; j < 64; j++) W1[j] = W[j]! ^ W[j + 4]!;

    // §5.3.3: 64 rounds. Split at j = 16 where FF_j, GG_j and T_j change (§4.2, §4.3), so the
    // loop bodies carry no per-round branch.
    let { A, B, C, D, E, F, G, H } = this;
    for (let j = 0; j < 16; j++) {
      const a12 = rotl(A, 12);
      const SS1 = rotl((a12 + E + SM3_TJ[j]!) | 0, 7);
      const SS2 = SS1 ^ a12;
      // FF_j = GG_j = X ⊕ Y ⊕ Z for 0 ≤ j ≤ 15.
      const TT1 = ((A ^ B ^ C) + D + SS2 + W1[j]!) | 0;
      const TT2 = ((E ^ F ^ G) + H + SS1 + W[j]!) | 0;
      D = C;
      C = rotl(B, 9);
      B = A;
      A = TT1;
      H = G;
      G = rotl(F, 19);
      F = E;
      E = TT2 ^ rotl(TT2, 9) ^ rotl(TT2, 17); // P0(X) = X ⊕ (X <<< 9) ⊕ (X <<< 17)
    }
    for (let j = 16; j < 64; j++) {
      const a12 = rotl(A, 12);
      const SS1 = rotl((a12 + E + SM3_TJ[j]!) | 0, 7);
      const SS2 = SS1 ^ a12;
      // FF_j = (X∧Y) ∨ (X∧Z) ∨ (Y∧Z), GG_j = (X∧Y) ∨ (¬X∧Z) for 16 ≤ j ≤ 63.
      const TT1 = (((A & B) | (A & C) | (B & C)) + D + SS2 + W1[j]!) | 0;
      const TT2 = (((E & F) | (~E & G)) + H + SS1 + W[j]!) | 0;
      D = C;
      C = rotl(B, 9);
      B = A;
      A = TT1;
      H = G;
      G = rotl(F, 19);
      F = E;
      E = TT2 ^ rotl(TT2, 9) ^ rotl(TT2, 17);
    }
    // V_{i+1} = ABCDEFGH ⊕ V_i (§5.3.3) — XOR, not addition as in SHA-2.
    this.set(
      A ^ this.A,
      B ^ this.B,
      C ^ this.C,
      D ^ this.D,
      E ^ this.E,
      F ^ this.F,
      G ^ this.G,
      H ^ this.H
    );
  }

  protected roundClean(): void {
    clean(SM3_W, SM3_W1);
  }

  destroy(): void {
    this.destroyed = true;
    this.set(0, 0, 0, 0, 0, 0, 0, 0);
    clean(this.buffer);
  }
}

/**
 * SM3 hash function (GB/T 32905-2016): `sm3(msg)` → 32 bytes; `sm3.create()` for streaming.
 * Carries the SM3 OID 1.2.156.10197.1.401 (DER) like noble's hashes carry theirs.
 */
export const sm3: CHash<_SM3> = /* @__PURE__ */ createHasher(() => new _SM3(), {
  oid: /* @__PURE__ */ Uint8Array.from([0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x11]),
});
