/**
 * AES-KW (RFC 3394) and AES-KWP (RFC 5649): the RFCs' own examples, node:crypto's
 * `id-aes*-wrap` / `id-aes*-wrap-pad` and the OpenSSL CLI (`openssl enc -id-aes256-wrap-pad -iv
 * A65959A6`, the Developer Guide's command for RSA_AES_KEY_WRAP) as oracles, and the failure path.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { aesKeyUnwrap, aesKeyUnwrapPad, aesKeyWrap, aesKeyWrapPad } from '../../src/primitives/aes-kw.js';
import { hasOpenssl, openssl } from '../helpers/oracles.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

const KWP_IV = Buffer.from('a65959a6', 'hex');
const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const nodeCipher = (kek: Uint8Array, pad: boolean) => `id-aes${kek.length * 8}-wrap${pad ? '-pad' : ''}`;

function nodeWrap(kek: Uint8Array, key: Uint8Array, pad: boolean): string {
  const c = createCipheriv(nodeCipher(kek, pad), kek, pad ? KWP_IV : KW_IV);
  return Buffer.concat([c.update(key), c.final()]).toString('hex');
}
function nodeUnwrap(kek: Uint8Array, wrapped: Uint8Array, pad: boolean): string {
  const d = createDecipheriv(nodeCipher(kek, pad), kek, pad ? KWP_IV : KW_IV);
  return Buffer.concat([d.update(wrapped), d.final()]).toString('hex');
}

describe('RFC 3394 §4 examples (AES-KW)', () => {
  const kek128 = unhex('000102030405060708090A0B0C0D0E0F');
  const kek256 = unhex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
  const cases = [
    ['4.1 128-bit data, 128-bit KEK', kek128, '00112233445566778899AABBCCDDEEFF', '1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5'],
    ['4.3 128-bit data, 256-bit KEK', kek256, '00112233445566778899AABBCCDDEEFF', '64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7'],
    [
      '4.6 256-bit data, 256-bit KEK',
      kek256,
      '00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F',
      '28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21',
    ],
  ] as const;
  for (const [name, kek, data, wrapped] of cases) {
    test(name, () => {
      expect(hex(aesKeyWrap(kek, unhex(data)))).toBe(hex(unhex(wrapped)));
      expect(hex(aesKeyUnwrap(kek, unhex(wrapped))!)).toBe(hex(unhex(data)));
    });
  }
});

describe('RFC 5649 §6 examples (AES-KWP)', () => {
  const kek = unhex('5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8');
  test('20-octet key', () => {
    const key = unhex('c37b7e6492584340 bed1220780894115 5068f738');
    const wrapped = '138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a';
    expect(hex(aesKeyWrapPad(kek, key))).toBe(hex(unhex(wrapped)));
    expect(hex(aesKeyUnwrapPad(kek, unhex(wrapped))!)).toBe(hex(key));
  });
  test('7-octet key (one semiblock after padding: single AES-ECB block)', () => {
    const key = unhex('466f7250617369');
    const wrapped = 'afbeb0f07dfbf541 9200f2ccb50bb24f';
    expect(hex(aesKeyWrapPad(kek, key))).toBe(hex(unhex(wrapped)));
    expect(hex(aesKeyUnwrapPad(kek, unhex(wrapped))!)).toBe(hex(key));
  });
});

describe('against node:crypto (OpenSSL EVP id-aes*-wrap, id-aes*-wrap-pad)', () => {
  const arbKek = fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

  test('property: KWP of 1..600 random bytes under 128/192/256-bit KEKs, both directions', () => {
    fc.assert(
      fc.property(arbKek, fc.uint8Array({ minLength: 1, maxLength: 600 }), (kek, key) => {
        const w = aesKeyWrapPad(kek, key);
        expect(hex(w)).toBe(nodeWrap(kek, key, true));
        expect(hex(aesKeyUnwrapPad(kek, w)!)).toBe(hex(key));
        expect(nodeUnwrap(kek, w, true)).toBe(hex(key));
      }),
      { numRuns: 300 },
    );
  });

  test('property: KW of 2..64 semiblocks, both directions', () => {
    fc.assert(
      fc.property(arbKek, fc.integer({ min: 2, max: 64 }), fc.nat(), (kek, n, seed) => {
        const key = Uint8Array.from({ length: 8 * n }, (_, i) => (i * 131 + seed) & 0xff);
        const w = aesKeyWrap(kek, key);
        expect(hex(w)).toBe(nodeWrap(kek, key, false));
        expect(hex(aesKeyUnwrap(kek, w)!)).toBe(hex(key));
      }),
      { numRuns: 200 },
    );
  });
});

describe('against the OpenSSL CLI: openssl enc -id-aes256-wrap-pad -iv A65959A6 (Developer Guide, RSA_AES_KEY_WRAP)', () => {
  test('the OpenSSL CLI is installed (an oracle is not optional)', () => {
    expect(hasOpenssl()).toBe(true);
  });

  test('material of the sizes KMS imports (SM4 16, AES 32, HMAC 28..128, a PKCS#8 RSA-2048 size) and odd sizes', () => {
    let seed = 1;
    for (const n of [1, 7, 16, 28, 32, 48, 64, 128, 1217]) {
      const kek = Uint8Array.from({ length: 32 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff);
      const key = Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff);
      const out = openssl(['enc', '-id-aes256-wrap-pad', '-K', hex(kek), '-iv', 'A65959A6', '-in', 'm.bin', '-out', 'w.bin'], { 'm.bin': key }, 'w.bin');
      expect(hex(aesKeyWrapPad(kek, key)), `length ${n}`).toBe(out.toString('hex'));
      expect(hex(aesKeyUnwrapPad(kek, new Uint8Array(out))!)).toBe(hex(key));
    }
  });
});

describe('unwrap failures are undefined, never a throw', () => {
  const kek = new Uint8Array(32).fill(3);
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);

  test('property: every single-bit flip of a KWP or KW blob → undefined', () => {
    for (const [wrap, unwrap] of [
      [aesKeyWrapPad, aesKeyUnwrapPad],
      [aesKeyWrap, aesKeyUnwrap],
    ] as const) {
      const w = wrap(kek, key);
      for (let i = 0; i < w.length * 8; i++) {
        const bad = w.slice();
        bad[i >> 3]! ^= 1 << (i & 7);
        expect(unwrap(kek, bad), `bit ${i}`).toBeUndefined();
      }
    }
  });

  test('wrong KEK, truncation, non-multiples of 8, arbitrary bytes → undefined', () => {
    const w = aesKeyWrapPad(kek, key);
    expect(aesKeyUnwrapPad(new Uint8Array(32).fill(4), w)).toBeUndefined();
    for (let n = 0; n < w.length; n++) expect(aesKeyUnwrapPad(kek, w.subarray(0, n))).toBeUndefined();
    expect(aesKeyUnwrapPad(new Uint8Array(17), w)).toBeUndefined();
    expect(aesKeyUnwrap(new Uint8Array(17), aesKeyWrap(kek, key))).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (b) => {
        expect(aesKeyUnwrapPad(kek, b)).toBeUndefined();
        expect(aesKeyUnwrap(kek, b)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  test('a KW blob is not a KWP blob (different initial values)', () => {
    expect(aesKeyUnwrapPad(kek, aesKeyWrap(kek, key))).toBeUndefined();
    expect(aesKeyUnwrap(kek, aesKeyWrapPad(kek, key))).toBeUndefined();
  });

  test('Precondition: a KEK is an AES-128, AES-192 or AES-256 key.', () => {
    for (const n of [0, 8, 20, 33]) {
      expect(() => aesKeyWrapPad(new Uint8Array(n), key)).toThrow(RangeError);
      expect(() => aesKeyWrap(new Uint8Array(n), key)).toThrow(RangeError);
    }
  });

  test('Precondition: KW wraps at least two 64-bit semiblocks (RFC 3394 §2: n ≥ 2).', () => {
    for (const n of [0, 8, 15, 17]) expect(() => aesKeyWrap(kek, new Uint8Array(n))).toThrow(RangeError);
  });

  test('Precondition: KWP wraps at least one byte (RFC 5649 §4: 1 ≤ MLI < 2^32).', () => {
    expect(() => aesKeyWrapPad(kek, new Uint8Array(0))).toThrow(RangeError);
  });
});
