/**
 * Minimal, strict DER (ITU-T X.690 §10) reader and writer: exactly what kms-core's key and
 * ciphertext formats need — SEQUENCE, INTEGER (non-negative), OCTET STRING, BIT STRING,
 * OBJECT IDENTIFIER, NULL and explicit context-specific tags ([0], [1] … as in ECPrivateKey).
 *
 * Strict means: definite lengths only, minimal length encodings, minimal INTEGER encodings,
 * no negative INTEGERs, single-byte (low-tag-number) tags, no trailing bytes, no length that
 * runs past its enclosing element. Anything else is a {@link DerError} — the only exception
 * type this module throws, for decoding and encoding alike, so callers can map it to their own
 * error (e.g. InvalidCiphertextException) with one `instanceof`.
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */
import { bigIntToMinimalBytes, bytesToBigInt } from '../util/bigint.js';

/** The one error type of this module. Messages name the structure, never its content. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Universal tags (X.690 §8, with the constructed bit for SEQUENCE). */
export const DerTag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

/** Tag byte of an explicit, constructed context-specific tag `[n]` (0 ≤ n ≤ 30). */
export function derContextTag(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new DerError('DER: context tag number out of range');
  return 0xa0 | n;
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

/** X.690 §10.1: definite length in the minimal form (short form below 128). */
function encodeLength(len: number): Uint8Array {
  if (!Number.isSafeInteger(len) || len < 0) throw new DerError('DER: invalid length');
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l % 256);
  if (bytes.length > 4) throw new DerError('DER: length too large');
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

function assertBytes(b: unknown, what: string): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array)) throw new DerError(`DER: ${what} expects a Uint8Array`);
}

/** One TLV with the given tag byte. */
export function derTlv(tag: number, content: Uint8Array): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff || (tag & 0x1f) === 0x1f) throw new DerError('DER: invalid tag');
  assertBytes(content, 'derTlv');
  const len = encodeLength(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

/** SEQUENCE of already-encoded elements. */
export function derSequence(...elements: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const e of elements) {
    assertBytes(e, 'derSequence');
    n += e.length;
  }
  const body = new Uint8Array(n);
  let o = 0;
  for (const e of elements) {
    body.set(e, o);
    o += e.length;
  }
  return derTlv(DerTag.SEQUENCE, body);
}

/**
 * Non-negative INTEGER, minimally encoded (a leading 0x00 only when the high bit is set).
 * Accepts a bigint or an unsigned big-endian magnitude (leading zero bytes are stripped).
 */
export function derInteger(value: bigint | Uint8Array): Uint8Array {
  let mag: Uint8Array;
  if (typeof value === 'bigint') {
    if (value < 0n) throw new DerError('DER: negative INTEGER not supported');
    mag = bigIntToMinimalBytes(value);
  } else {
    assertBytes(value, 'derInteger');
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    mag = value.length === 0 ? Uint8Array.of(0) : value.subarray(i);
  }
  if ((mag[0]! & 0x80) !== 0) {
    const padded = new Uint8Array(mag.length + 1);
    padded.set(mag, 1);
    return derTlv(DerTag.INTEGER, padded);
  }
  return derTlv(DerTag.INTEGER, mag);
}

export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derTlv(DerTag.OCTET_STRING, bytes);
}

/** BIT STRING of whole bytes (unused-bits octet 0), as used for keys in SPKI/ECPrivateKey. */
export function derBitString(bytes: Uint8Array): Uint8Array {
  assertBytes(bytes, 'derBitString');
  const body = new Uint8Array(bytes.length + 1);
  body.set(bytes, 1);
  return derTlv(DerTag.BIT_STRING, body);
}

export function derNull(): Uint8Array {
  return Uint8Array.of(DerTag.NULL, 0);
}

/** OBJECT IDENTIFIER from dotted form, e.g. `1.2.840.10045.2.1` (X.690 §8.19). */
export function derOid(oid: string): Uint8Array {
  if (typeof oid !== 'string' || !/^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid)) throw new DerError('DER: malformed OID');
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [first, second] = arcs as [bigint, bigint];
  if (first < 2n && second >= 40n) throw new DerError('DER: malformed OID');
  const subids = [first * 40n + second, ...arcs.slice(2)];
  const out: number[] = [];
  for (const s of subids) {
    const chunk: number[] = [Number(s & 0x7fn)];
    for (let v = s >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return derTlv(DerTag.OID, Uint8Array.from(out));
}

/** Explicit context-specific tag `[n]` wrapping one encoded element. */
export function derContext(n: number, element: Uint8Array): Uint8Array {
  return derTlv(derContextTag(n), element);
}

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

/** One decoded TLV: its tag byte, its content (a view into the input) and the whole encoding. */
export interface DerElement {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly encoded: Uint8Array;
}

/**
 * Sequential reader over the content of a constructed element (or a whole buffer). Every
 * method throws {@link DerError} on malformed or unexpected input; `end()` asserts that
 * nothing is left over.
 */
export class DerReader {
  private readonly buf: Uint8Array;
  private pos = 0;

  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw new DerError('DER: input must be a Uint8Array');
    this.buf = bytes;
  }

  /** True when every byte has been consumed. */
  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Tag byte of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.buf[this.pos];
  }

  /** Reads the next TLV (any tag) with strict length checks. */
  next(): DerElement {
    const { buf } = this;
    const start = this.pos;
    let p = start;
    if (p >= buf.length) throw new DerError('DER: unexpected end of input');
    const tag = buf[p++]!;
    if ((tag & 0x1f) === 0x1f) throw new DerError('DER: high-tag-number form not supported');
    if (p >= buf.length) throw new DerError('DER: truncated length');
    const first = buf[p++]!;
    let len: number;
    if (first < 0x80) {
      len = first;
    } else if (first === 0x80) {
      throw new DerError('DER: indefinite length not allowed');
    } else {
      const n = first & 0x7f;
      if (n > 4) throw new DerError('DER: length too large');
      if (p + n > buf.length) throw new DerError('DER: truncated length');
      if (buf[p] === 0) throw new DerError('DER: non-minimal length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
      if (len < 0x80) throw new DerError('DER: non-minimal length');
    }
    if (len > buf.length - p) throw new DerError('DER: length exceeds input');
    this.pos = p + len;
    return { tag, content: buf.subarray(p, p + len), encoded: buf.subarray(start, p + len) };
  }

  /** Next element, which must carry `tag`; returns its content. */
  expect(tag: number, what = 'element'): Uint8Array {
    const el = this.next();
    if (el.tag !== tag) throw new DerError(`DER: expected ${what}`);
    return el.content;
  }

  /** Next element must be a SEQUENCE; returns a reader over its content. */
  sequence(): DerReader {
    return new DerReader(this.expect(DerTag.SEQUENCE, 'SEQUENCE'));
  }

  /** Next element must be the explicit context tag `[n]`; returns a reader over its content. */
  context(n: number): DerReader {
    return new DerReader(this.expect(derContextTag(n), `[${n}]`));
  }

  /** Reads `[n]` only if it is the next element. */
  optionalContext(n: number): DerReader | undefined {
    return this.peekTag() === derContextTag(n) ? this.context(n) : undefined;
  }

  /**
   * Non-negative, minimally encoded INTEGER as its unsigned big-endian magnitude without
   * leading zeros (zero → empty array). The result is a view into the input.
   */
  unsignedIntegerBytes(): Uint8Array {
    const c = this.expect(DerTag.INTEGER, 'INTEGER');
    if (c.length === 0) throw new DerError('DER: empty INTEGER');
    if ((c[0]! & 0x80) !== 0) throw new DerError('DER: negative INTEGER');
    if (c.length > 1 && c[0] === 0 && (c[1]! & 0x80) === 0) throw new DerError('DER: non-minimal INTEGER');
    return c[0] === 0 ? c.subarray(1) : c;
  }

  /** Non-negative, minimally encoded INTEGER as a bigint. */
  integer(): bigint {
    return bytesToBigInt(this.unsignedIntegerBytes());
  }

  octetString(): Uint8Array {
    return this.expect(DerTag.OCTET_STRING, 'OCTET STRING');
  }

  /** BIT STRING with its unused-bits count; DER requires the unused bits to be zero. */
  bitString(): { unusedBits: number; bytes: Uint8Array } {
    const c = this.expect(DerTag.BIT_STRING, 'BIT STRING');
    if (c.length === 0) throw new DerError('DER: empty BIT STRING');
    const unusedBits = c[0]!;
    if (unusedBits > 7 || (c.length === 1 && unusedBits !== 0)) throw new DerError('DER: invalid BIT STRING');
    if (unusedBits !== 0 && (c[c.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
      throw new DerError('DER: non-zero unused bits in BIT STRING');
    }
    return { unusedBits, bytes: c.subarray(1) };
  }

  /** BIT STRING that must hold whole bytes (unused bits 0), as keys do. */
  bitStringBytes(): Uint8Array {
    const { unusedBits, bytes } = this.bitString();
    if (unusedBits !== 0) throw new DerError('DER: BIT STRING is not byte-aligned');
    return bytes;
  }

  null(): void {
    if (this.expect(DerTag.NULL, 'NULL').length !== 0) throw new DerError('DER: NULL with content');
  }

  /** OBJECT IDENTIFIER in dotted form; rejects non-minimal sub-identifiers. */
  oid(): string {
    const c = this.expect(DerTag.OID, 'OBJECT IDENTIFIER');
    if (c.length === 0) throw new DerError('DER: empty OID');
    if ((c[c.length - 1]! & 0x80) !== 0) throw new DerError('DER: truncated OID');
    const subids: bigint[] = [];
    let v = 0n;
    let fresh = true;
    for (let i = 0; i < c.length; i++) {
      const b = c[i]!;
      if (fresh && b === 0x80) throw new DerError('DER: non-minimal OID sub-identifier');
      v = (v << 7n) | BigInt(b & 0x7f);
      fresh = (b & 0x80) === 0;
      if (fresh) {
        subids.push(v);
        v = 0n;
      }
    }
    const s0 = subids[0]!;
    const first = s0 < 40n ? 0n : s0 < 80n ? 1n : 2n;
    return [first, s0 - first * 40n, ...subids.slice(1)].join('.');
  }

  /** Asserts that the whole input has been consumed (no trailing bytes). */
  end(): void {
    if (!this.done) throw new DerError('DER: trailing data');
  }
}

/**
 * Decodes exactly one element spanning all of `bytes` (no trailing data) and returns a reader
 * over its content after checking its tag, e.g. `derDecode(blob, DerTag.SEQUENCE)`.
 */
export function derDecode(bytes: Uint8Array, tag: number): DerReader {
  const r = new DerReader(bytes);
  const content = r.expect(tag);
  r.end();
  return new DerReader(content);
}
