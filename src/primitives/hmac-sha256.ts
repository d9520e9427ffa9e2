/**
 * HMAC-SHA256 (FIPS 198-1; RFC 2104 §2) over a SHA-256 compression function (FIPS 180-4
 * §6.2.2), with each key's two padded-key states computed once: RFC 2104 §4 ("Implementation
 * note") suggests precomputing the compression of K ⊕ ipad and K ⊕ opad, after which an HMAC
 * of an n-byte message costs ⌈(n + 9) / 64⌉ + 1 compressions and nothing else.
 *
 * Why the node backend derives envelope data keys here rather than through OpenSSL (issue 14):
 * the KDF's message is 101 bytes, so one derivation is 3 compressions (~0.3 µs each in V8).
 * node:crypto has no way to keep a midstate across calls: createHmac makes a native object
 * whose weak handle every scavenge must process, and two one-shot crypto.hash calls cost ~1 µs
 * each in binding overhead alone. Measured on a warm loop: this 1.0 µs per derivation (0.8 µs
 * once the first block is remembered, see HmacSha256Key) against 2.35 µs for the two crypto.hash
 * calls and 1.8 µs (plus GC) for createHmac; a ReEncrypt does two.
 *
 * Side channels: no branch and no table index depends on the key (K[t] is indexed by the round
 * number); lengths decide how many blocks there are, and the one branch on message bytes is the
 * comparison with the remembered first block, whose timing tells only whether two public
 * header prefixes are equal.
 *
 * Hygiene: the key's states live in #private fields that inspection and JSON cannot reach;
 * the key bytes themselves are not kept. The module's scratch (message schedule, working state,
 * the padded last blocks, which hold the inner digest) is zeroed before every call returns. The
 * digest is a fresh Uint8Array, the caller's to wipe.
 */
import { INSPECT, summary } from '../keys/redact.js';

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** FIPS 180-4 §5.3.3: the initial hash value H(0). */
const H0 = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** RFC 2104 §2: the block size B of SHA-256 in bytes. */
const B = 64;
const IPAD = 0x36;
const OPAD = 0x5c;

// Scratch shared by every call (JavaScript runs one call at a time; none of them awaits).
/** The message schedule W0..W63 (FIPS 180-4 §6.2.2 step 1). */
const W = new Int32Array(64);
/** The running hash value H(i). */
const state = new Int32Array(8);
/** The message's last partial block, its padding (FIPS 180-4 §5.1.1) and, for the outer hash, the inner digest. */
const tail = new Uint8Array(2 * B);

/** The big-endian word of `m` at `off` (FIPS 180-4 §3.1: words are big-endian). */
const word = (m: Uint8Array, off: number) => ((m[off] as number) << 24) | ((m[off + 1] as number) << 16) | ((m[off + 2] as number) << 8) | (m[off + 3] as number);

/** FIPS 180-4 §6.2.2 steps 1–4: one 64-byte block of `m` at `off` into `h`. */
function compress(h: Int32Array, m: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++, off += 4) W[t] = word(m, off);
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15] as number;
    const y = W[t - 2] as number;
    // σ0(x) = ROTR7 ⊕ ROTR18 ⊕ SHR3, σ1(y) = ROTR17 ⊕ ROTR19 ⊕ SHR10 (§4.1.2, 4.6 and 4.7).
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = ((W[t - 16] as number) + s0 + (W[t - 7] as number) + s1) | 0;
  }
  let a = h[0] as number;
  let b = h[1] as number;
  let c = h[2] as number;
  let d = h[3] as number;
  let e = h[4] as number;
  let f = h[5] as number;
  let g = h[6] as number;
  let hh = h[7] as number;
  for (let t = 0; t < 64; t++) {
    // T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t]; T2 = Σ0(a) + Maj(a, b, c) (§4.1.2, 4.2–4.5).
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + S1 + (g ^ (e & (f ^ g))) + (K[t] as number) + (W[t] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) | (c & (a | b)))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = ((h[0] as number) + a) | 0;
  h[1] = ((h[1] as number) + b) | 0;
  h[2] = ((h[2] as number) + c) | 0;
  h[3] = ((h[3] as number) + d) | 0;
  h[4] = ((h[4] as number) + e) | 0;
  h[5] = ((h[5] as number) + f) | 0;
  h[6] = ((h[6] as number) + g) | 0;
  h[7] = ((h[7] as number) + hh) | 0;
}

/**
 * Hashes m[start..] into `h`, which already holds the state after `hashed` bytes (0, or B and
 * more for the states of HMAC), padding the whole message of hashed + (m.length − start) bytes
 * (§5.1.1). `hashed` and `start` are multiples of B.
 */
function absorb(h: Int32Array, m: Uint8Array, start: number, hashed: number): void {
  const n = m.length;
  const full = n - ((n - start) % B);
  for (let off = start; off < full; off += B) compress(h, m, off);
  const rest = n - full;
  for (let i = 0; i < rest; i++) tail[i] = m[full + i] as number;
  tail[rest] = 0x80;
  // One block when the length still fits after 0x80, two otherwise.
  const end = rest + 9 <= B ? B : 2 * B;
  tail.fill(0, rest + 1, end - 8);
  // The length in bits as a 64-bit big-endian integer; a Uint8Array is far below 2^53 bits.
  const bytes = hashed + n - start;
  const hi = Math.floor(bytes / 0x20000000);
  const lo = (bytes * 8) >>> 0;
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = hi >>> 16;
  tail[end - 6] = hi >>> 8;
  tail[end - 5] = hi;
  tail[end - 4] = lo >>> 24;
  tail[end - 3] = lo >>> 16;
  tail[end - 2] = lo >>> 8;
  tail[end - 1] = lo;
  compress(h, tail, 0);
  if (end === 2 * B) compress(h, tail, B);
}

/** Copies 8 words of `from` at `at` into `to` at `into`. */
function copyState(to: Int32Array, into: number, from: Int32Array, at: number): void {
  for (let i = 0; i < 8; i++) to[into + i] = from[at + i] as number;
}

/** The 32-byte big-endian encoding of `h` into `out` at `off`. */
function writeDigest(h: Int32Array, out: Uint8Array, off: number): void {
  for (let i = 0; i < 8; i++) {
    const w = h[i] as number;
    out[off + 4 * i] = w >>> 24;
    out[off + 4 * i + 1] = w >>> 16;
    out[off + 4 * i + 2] = w >>> 8;
    out[off + 4 * i + 3] = w;
  }
}

function clearScratch(): void {
  W.fill(0);
  state.fill(0);
  tail.fill(0);
}

/** True when no call left anything in the module's scratch (for the tests). */
export function scratchIsClear(): boolean {
  return W.every((x) => x === 0) && state.every((x) => x === 0) && tail.every((x) => x === 0);
}

/** Words of HmacSha256Key's padded-key states: the inner (K ⊕ ipad) state, then the outer (K ⊕ opad) one. */
const INNER = 0;
const OUTER = 8;

/**
 * An HMAC-SHA256 key: the states after K ⊕ ipad and after K ⊕ opad (RFC 2104 §4), and the
 * inner state after the first block of the last message of at least B bytes.
 *
 * Why the first block: the KDF's message (envelope/kdf.ts) begins with 64 bytes that are the
 * same for every derivation under one material version (counter, label and the header prefix:
 * magic, version, key reference, KeyMaterialId); only the nonce after them changes. When a
 * message begins with the remembered block, its inner hash starts from the remembered state:
 * 2 compressions per derivation instead of 3. The block is compared in full, word by word, so a
 * different message never takes another's state; the comparison's timing says only whether two
 * public header prefixes are equal.
 */
export class HmacSha256Key {
  // Three arrays of at most 64 bytes each, not one of 160: V8 keeps a typed array that small on
  // its own heap, next to the key object, where a larger one is a separate malloc'd block behind
  // an ArrayBuffer. With a key per call picked among 10^5, each off-heap block was a cache and
  // TLB miss in another region of memory, and 10^5 small blocks that live as long as their keys
  // fragment glibc's heap among the 4 KiB buffers every call allocates and frees: ~8 µs more per
  // ReEncrypt in steady state (57 against 49 µs; issue 14). Neither placement wipes: V8 moves
  // on-heap arrays, and frees off-heap ones unwiped, when the key is collected; the backing
  // key's own bytes are an on-heap array already.
  /** The inner state (words 0..7) and the outer state (words 8..15). */
  readonly #pads = new Int32Array(16);
  /** The inner state after the remembered first block. */
  readonly #afterFirst = new Int32Array(8);
  /** The remembered first block, as 16 big-endian words. */
  readonly #first = new Int32Array(16);
  #hasFirst = false;

  /** Takes any key length: a key longer than B is replaced by its SHA-256 (RFC 2104 §2, step 1). */
  constructor(raw: Uint8Array) {
    const k = new Uint8Array(B);
    try {
      if (raw.length > B) {
        state.set(H0);
        absorb(state, raw, 0, 0);
        writeDigest(state, k, 0);
      } else k.set(raw);
      const block = new Uint8Array(B);
      for (const [pad, at] of [
        [IPAD, INNER],
        [OPAD, OUTER],
      ] as const) {
        for (let i = 0; i < B; i++) block[i] = (k[i] as number) ^ pad;
        copyState(state, 0, H0, 0);
        compress(state, block, 0);
        copyState(this.#pads, at, state, 0);
      }
      block.fill(0);
    } finally {
      k.fill(0);
      clearScratch();
    }
  }

  /** HMAC-SHA256(K, data) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ data)). */
  mac(data: Uint8Array): Uint8Array {
    const pads = this.#pads;
    try {
      let start = 0;
      if (data.length >= B) {
        if (this.#hasFirst && this.#startsWithFirst(data)) copyState(state, 0, this.#afterFirst, 0);
        else {
          copyState(state, 0, pads, INNER);
          compress(state, data, 0);
          copyState(this.#afterFirst, 0, state, 0);
          const first = this.#first;
          for (let t = 0; t < 16; t++) first[t] = word(data, 4 * t);
          this.#hasFirst = true;
        }
        start = B;
      } else copyState(state, 0, pads, INNER);
      absorb(state, data, start, B + start);
      // The outer message is the 32-byte inner digest: one block after the outer state.
      writeDigest(state, tail, 0);
      copyState(state, 0, pads, OUTER);
      tail[32] = 0x80;
      tail.fill(0, 33, B - 2);
      // (B + 32) bytes = 768 bits = 0x0300.
      tail[B - 2] = 0x03;
      tail[B - 1] = 0x00;
      compress(state, tail, 0);
      const out = new Uint8Array(32);
      writeDigest(state, out, 0);
      return out;
    } finally {
      clearScratch();
    }
  }

  #startsWithFirst(data: Uint8Array): boolean {
    const first = this.#first;
    for (let t = 0; t < 16; t++) if (word(data, 4 * t) !== first[t]) return false;
    return true;
  }

  /** A summary for JSON.stringify and util.inspect: never the states. */
  toJSON(): { type: string } {
    return { type: 'HMAC-SHA256 key' };
  }

  [INSPECT](): string {
    return summary('HmacSha256Key', { type: 'secret' });
  }
}
