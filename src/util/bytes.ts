/** Byte helpers that run everywhere (no Buffer). */

export const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Strict UTF-8 decoding; throws on malformed input. */
export function fromUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** The char codes of each byte's two lowercase hex digits, in byte order (toHex, isHexOf). */
const HEX_CODES = Uint8Array.from(Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).join(''), (c) => c.charCodeAt(0));
const HEX_CHUNK = 4096;
const hexScratch = new Uint8Array(2 * HEX_CHUNK);
/** Hex and base64 text are ASCII: any decoder reads them (one native call instead of a string per piece). */
const asciiDecoder = new TextDecoder('utf-8');

/**
 * Lowercase hex of `b`, as one flat string. Why not concatenating two digits per byte: that makes a rope of
 * b.length pieces (V8 ConsStrings), and the IDs built here (KeyMaterialIds, key IDs) live as
 * long as their key and are read on every call; a rope scattered over the old generation costs
 * a cache miss per piece on a key's first use (issue 14: 10^5 keys). Hex is ASCII, so the
 * decoder's output is exactly these characters.
 */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let at = 0; at < b.length; at += HEX_CHUNK) {
    const end = Math.min(b.length, at + HEX_CHUNK);
    for (let i = at, j = 0; i < end; i++, j += 2) {
      const x = 2 * (b[i] as number);
      hexScratch[j] = HEX_CODES[x] as number;
      hexScratch[j + 1] = HEX_CODES[x + 1] as number;
    }
    s += asciiDecoder.decode(hexScratch.subarray(0, 2 * (end - at)));
  }
  // Some callers hex secrets (util/bigint.ts: a signing nonce); the scratch keeps none of it.
  hexScratch.fill(0, 0, 2 * Math.min(b.length, HEX_CHUNK));
  return s;
}

/** True when `hex` is toHex of the `len` bytes of `bytes` at `off`, compared in place (no string is built). */
export function isHexOf(hex: string, bytes: Uint8Array, off: number, len: number): boolean {
  if (hex.length !== 2 * len) return false;
  for (let i = 0; i < len; i++) {
    const x = 2 * (bytes[off + i] as number);
    if (hex.charCodeAt(2 * i) !== HEX_CODES[x] || hex.charCodeAt(2 * i + 1) !== HEX_CODES[x + 1]) return false;
  }
  return true;
}

/** Lowercase or uppercase hex to bytes; undefined when malformed. */
export function fromHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0) return undefined;
  const out = new Uint8Array(s.length / 2);
  return hexInto(s, 0, out, 0, out.length) ? out : undefined;
}

/**
 * Decodes the `n` bytes of hex digits at `s[from..from + 2n]` into `out` at `at`, in place;
 * false (and `out` partly written) when `s` is shorter or a character there is not a hex digit.
 */
export function hexInto(s: string, from: number, out: Uint8Array, at: number, n: number): boolean {
  if (from + 2 * n > s.length || at + n > out.length) return false;
  for (let i = 0; i < n; i++) {
    const hi = nibble(s.charCodeAt(from + 2 * i));
    const lo = nibble(s.charCodeAt(from + 2 * i + 1));
    if (hi < 0 || lo < 0) return false;
    out[at + i] = (hi << 4) | lo;
  }
  return true;
}

/** The value of one hex digit's code unit; -1 for anything else. */
function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20; // A-F → a-f
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Alphabet code units by 6-bit value. */
const B64_CODES = new Uint8Array(64);
/** 6-bit value by code unit (low byte); 256 (a bit no 6-bit value has) for anything else. */
const B64_INDEX = new Int16Array(256).fill(256);
for (let i = 0; i < 64; i++) {
  B64_CODES[i] = B64.charCodeAt(i);
  B64_INDEX[B64.charCodeAt(i)] = i;
}

/** Little-endian platform? (Uint16 stores below write two characters in memory order.) */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Two alphabet characters per 12-bit value, packed so one Uint16 store writes both in order. */
const B64_PAIRS = new Uint16Array(4096);
for (let i = 0; i < 4096; i++) {
  const first = B64_CODES[i >>> 6] as number;
  const second = B64_CODES[i & 63] as number;
  B64_PAIRS[i] = LITTLE_ENDIAN ? first | (second << 8) : (first << 8) | second;
}

/**
 * Standard padded base64 (RFC 4648 §4). The alphabet's code units are written into one buffer,
 * two characters per store, and turned into a string by one native call: no string per group.
 */
export function toBase64(b: Uint8Array): string {
  const n = b.length;
  if (n === 0) return '';
  const buf = new ArrayBuffer(Math.ceil(n / 3) * 4);
  const pairs = new Uint16Array(buf);
  const out = new Uint8Array(buf);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    pairs[o] = B64_PAIRS[v >>> 12] as number;
    pairs[o + 1] = B64_PAIRS[v & 4095] as number;
    o += 2;
  }
  const rest = n - i;
  if (rest > 0) {
    const v = ((b[i] as number) << 16) | (rest === 2 ? (b[i + 1] as number) << 8 : 0);
    const at = o * 2;
    out[at] = B64_CODES[v >>> 18] as number;
    out[at + 1] = B64_CODES[(v >>> 12) & 63] as number;
    out[at + 2] = rest === 2 ? (B64_CODES[(v >>> 6) & 63] as number) : 61; /* = */
    out[at + 3] = 61;
  }
  return asciiDecoder.decode(out);
}

/** The 6-bit value of code unit `c`, or a value with a bit above 63 set when `c` is not in the alphabet. */
function sextet(c: number): number {
  return (B64_INDEX[c & 255] as number) | (c & 0xff00);
}

/**
 * Strict standard base64 (RFC 4648 §4, padded); undefined when malformed. Accepts exactly the
 * canonical encodings: length a multiple of 4, only the 64 alphabet characters, `=` only as the
 * last one or two characters, and the unused bits before the padding zero (so that every byte
 * string has one encoding: "QQ==" is accepted, "QR==" is not). Decodes straight into the result
 * with one table lookup per character; invalid characters are collected in one accumulator
 * and checked once.
 */
export function fromBase64(s: string): Uint8Array | undefined {
  const len = s.length;
  if (len % 4 !== 0) return undefined;
  if (len === 0) return new Uint8Array(0);
  const pad = s.charCodeAt(len - 1) !== 61 ? 0 : s.charCodeAt(len - 2) !== 61 ? 1 : 2;
  const out = new Uint8Array((len / 4) * 3 - pad);
  const full = pad === 0 ? len : len - 4;
  let bad = 0;
  let o = 0;
  for (let i = 0; i < full; i += 4) {
    const a = sextet(s.charCodeAt(i));
    const b = sextet(s.charCodeAt(i + 1));
    const c = sextet(s.charCodeAt(i + 2));
    const d = sextet(s.charCodeAt(i + 3));
    bad |= a | b | c | d;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = v >>> 16;
    out[o + 1] = v >>> 8;
    out[o + 2] = v;
    o += 3;
  }
  if (pad > 0) {
    const a = sextet(s.charCodeAt(full));
    const b = sextet(s.charCodeAt(full + 1));
    bad |= a | b;
    out[o] = (a << 2) | (b >>> 4);
    if (pad === 1) {
      const c = sextet(s.charCodeAt(full + 2));
      bad |= c;
      out[o + 1] = (b << 4) | (c >>> 2);
      // Canonical: the 2 bits after the second byte are zero.
      if ((c & 3) !== 0) bad |= 64;
    } else if ((b & 15) !== 0) bad |= 64; // the 4 bits after the byte are zero
  }
  if ((bad & ~63) === 0) return out;
  // What was decoded may be plaintext: never leave it behind.
  out.fill(0);
  return undefined;
}

/** Unpadded base64url (RFC 4648 §5), as JWK and URL-safe tokens use it. */
export function toBase64Url(b: Uint8Array): string {
  return toBase64(b).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Strict, canonical unpadded base64url; undefined when malformed. */
export function fromBase64Url(s: string): Uint8Array | undefined {
  if (/[=+/]/.test(s)) return undefined;
  return fromBase64(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
}

/** AWS's member name in messages and paths: the model name with a lower-case first letter. */
export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * `a ‖ b`, or `a` itself when `b` is absent or empty (no copy): the additional data of AES-GCM,
 * which WebCrypto and @noble/ciphers take in one piece.
 */
export function joined(a: Uint8Array, b: Uint8Array | undefined): Uint8Array {
  if (!b || b.length === 0) return a;
  return concat(a, b);
}

/** Constant-time equality for equal-length inputs (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/** Overwrites a buffer that held plaintext or key material. */
export function wipe(...bufs: (Uint8Array | undefined)[]): void {
  for (const b of bufs) b?.fill(0);
}
