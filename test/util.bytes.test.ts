/**
 * The base64 codec of src/util/bytes.ts (issue 12.7 / 14: one buffer, one table lookup per
 * character, no re-encode to check the canonical form). Oracles: node's Buffer (code we did not
 * write) for the bytes, and the decoder kms-core had before, for exactly which strings are
 * accepted (RFC 4648 §4 padded, canonical).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from '../src/util/bytes.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) INDEX[B64.charCodeAt(i)] = i;

/** kms-core's decoder up to 59a3a83 (re-encodes to check), kept as the acceptance oracle. */
function previousFromBase64(s: string): Uint8Array | undefined {
  if (s.length % 4 !== 0) return undefined;
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length;
    const c = [0, 1, 2, 3].map((j) => {
      const ch = s.charCodeAt(i + j);
      if (last && ch === 61 && j >= 4 - pad) return 0;
      return ch < 256 ? (INDEX[ch] as number) : -1;
    });
    if (c.some((x) => x < 0)) return undefined;
    const n = ((c[0] as number) << 18) | ((c[1] as number) << 12) | ((c[2] as number) << 6) | (c[3] as number);
    if (o < out.length) out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return Buffer.from(out).toString('base64') === s ? out : undefined;
}

describe('base64', () => {
  test('toBase64 / fromBase64 agree with node Buffer on every length 0..300 and random bytes', () => {
    for (let n = 0; n <= 300; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
      const s = toBase64(b);
      expect(s).toBe(Buffer.from(b).toString('base64'));
      expect(fromBase64(s)).toEqual(b);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => {
        const s = toBase64(b);
        expect(s).toBe(Buffer.from(b).toString('base64'));
        expect(fromBase64(s)).toEqual(b);
        expect(toBase64Url(b)).toBe(Buffer.from(b).toString('base64url'));
        expect(fromBase64Url(toBase64Url(b))).toEqual(b);
      }),
      { numRuns: 500 },
    );
  });

  test('fromBase64 accepts and refuses exactly what the previous decoder did (random strings near the alphabet)', () => {
    const chars = ['A', 'Q', 'g', 'w', '/', '+', '=', '=', '-', '_', ' ', '\n', 'é', '\u0141', '\u{1F600}', '\u0000'];
    const near = fc.array(fc.constantFrom(...chars), { maxLength: 16 }).map((a) => a.join(''));
    fc.assert(
      fc.property(near, (s) => {
        const got = fromBase64(s);
        const want = previousFromBase64(s);
        expect(got === undefined, JSON.stringify(s)).toBe(want === undefined);
        if (want) expect(got).toEqual(want);
      }),
      { numRuns: 4000 },
    );
    // Mutations of valid encodings: one character changed or one appended.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), fc.constantFrom(...chars, 'B', 'R', 'h'), (b, at, ch) => {
        const s = toBase64(b);
        const i = at % s.length;
        for (const m of [s.slice(0, i) + ch + s.slice(i + 1), s + ch, s.slice(0, i) + s.slice(i + 1)]) {
          const got = fromBase64(m);
          const want = previousFromBase64(m);
          expect(got === undefined, m).toBe(want === undefined);
          if (want) expect(got).toEqual(want);
        }
      }),
      { numRuns: 1500 },
    );
  });

  test('the canonical-form rules, one by one', () => {
    expect(fromBase64('')).toEqual(new Uint8Array(0));
    expect(fromBase64('QQ==')).toEqual(new Uint8Array([0x41]));
    expect(fromBase64('QR==')).toBeUndefined(); // non-zero bits after the last byte
    expect(fromBase64('QUE=')).toEqual(new Uint8Array([0x41, 0x41]));
    expect(fromBase64('QUF=')).toBeUndefined();
    expect(fromBase64('QQ')).toBeUndefined(); // unpadded
    expect(fromBase64('QQ=')).toBeUndefined();
    expect(fromBase64('Q===')).toBeUndefined();
    expect(fromBase64('====')).toBeUndefined();
    expect(fromBase64('QQ==QUFB')).toBeUndefined(); // padding inside
    expect(fromBase64('QU=B')).toBeUndefined();
    expect(fromBase64('QUF-')).toBeUndefined(); // base64url characters are not base64
    expect(fromBase64('QUF_')).toBeUndefined();
    expect(fromBase64('QUF\u0142')).toBeUndefined(); // U+0142: low byte 0x42 is 'B', the code unit is not
    expect(fromBase64('QUFB\n')).toBeUndefined();
  });

  test('a 4 MiB string decodes in one pass into one buffer', () => {
    const b = new Uint8Array(3 * (1 << 20)).map((_, i) => i & 255);
    const s = toBase64(b);
    expect(s.length).toBe(4 * (1 << 20));
    expect(s).toBe(Buffer.from(b).toString('base64'));
    expect(Buffer.from(fromBase64(s) as Uint8Array).equals(b)).toBe(true);
    const bad = s.slice(0, -1) + '!';
    expect(fromBase64(bad)).toBeUndefined();
  });
});

describe('isHexOf', () => {
  test('agrees with comparing against Buffer hex, for equal, differing and wrong-length strings', async () => {
    const { isHexOf } = await import('../src/util/bytes.js');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(39), fc.nat(15), (bytes, i, d) => {
        const hex = Buffer.from(bytes).toString('hex');
        expect(isHexOf(hex, bytes, 0, bytes.length)).toBe(true);
        const j = i % hex.length;
        const other = hex.slice(0, j) + '0123456789abcdef'[d] + hex.slice(j + 1);
        expect(isHexOf(other, bytes, 0, bytes.length)).toBe(other === hex);
        expect(isHexOf(hex.toUpperCase(), bytes, 0, bytes.length)).toBe(hex === hex.toUpperCase());
        expect(isHexOf(hex + '0', bytes, 0, bytes.length)).toBe(false);
      }),
    );
  });
});

describe('toHex', () => {
  test('agrees with Buffer hex on every length around its 4,096-byte chunk and on random bytes', async () => {
    const { toHex } = await import('../src/util/bytes.js');
    for (const n of [0, 1, 2, 31, 32, 33, 4095, 4096, 4097, 8191, 8192, 8193, 12_289]) {
      const b = new Uint8Array(n).map((_, i) => (i * 131 + n) & 255);
      expect(toHex(b), `${n} bytes`).toBe(Buffer.from(b).toString('hex'));
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => toHex(b) === Buffer.from(b).toString('hex')));
  });

  test('a view with an offset is read from its own bytes only', async () => {
    const { toHex } = await import('../src/util/bytes.js');
    const whole = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01]);
    expect(toHex(whole.subarray(1, 4))).toBe('adbeef');
  });
});

describe('hexInto', () => {
  test('decodes in place what Buffer decodes, and refuses a non-hex digit or a short string', async () => {
    const { hexInto } = await import('../src/util/bytes.js');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(79), fc.constantFrom('g', 'G', ' ', '-', 'z', 'é'), (bytes, i, bad) => {
        const hex = Buffer.from(bytes).toString('hex');
        const out = new Uint8Array(bytes.length + 2);
        expect(hexInto(`x${hex}`, 1, out, 2, bytes.length)).toBe(true);
        expect([...out.subarray(2)]).toEqual([...bytes]);
        expect(hexInto(hex.toUpperCase(), 0, new Uint8Array(bytes.length), 0, bytes.length)).toBe(true);
        const j = i % hex.length;
        expect(hexInto(hex.slice(0, j) + bad + hex.slice(j + 1), 0, new Uint8Array(bytes.length), 0, bytes.length)).toBe(false);
        expect(hexInto(hex.slice(1), 0, new Uint8Array(bytes.length), 0, bytes.length)).toBe(false);
        expect(hexInto(hex, 0, new Uint8Array(bytes.length - 1), 0, bytes.length)).toBe(false);
      }),
    );
  });
});
