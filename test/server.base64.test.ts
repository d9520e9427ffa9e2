/**
 * The Node server's native base64 (src/server/base64.ts) accepts and produces exactly what the
 * adapter's pure codec does: the same strings decode to the same bytes, the same strings are
 * refused, and encoding agrees.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { defaultBase64 } from '../src/protocol/wire.js';
import { nodeBase64 } from '../src/server/base64.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\t.*';
const text = fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength: 64 });

describe('native base64 of the server', () => {
  test('encoding agrees with the pure codec on arbitrary bytes, and decoding gives them back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const s = nodeBase64.encode(b);
        expect(s).toBe(defaultBase64.encode(b));
        expect(nodeBase64.decode(s)).toEqual(b);
      }),
      { numRuns: 500 },
    );
  });

  test('Precondition: only canonical padded base64 decodes (the encoding round trip is the check) — the same strings as the pure decoder', () => {
    fc.assert(
      fc.property(text, (s) => {
        const a = nodeBase64.decode(s);
        const b = defaultBase64.decode(s);
        expect(a === undefined, JSON.stringify(s)).toBe(b === undefined);
        if (a && b) expect(a).toEqual(b);
      }),
      { numRuns: 3000 },
    );
    for (const bad of ['QQ', 'QQ=', 'QR==', 'QQ==\n', ' QQ==', 'Q===', 'QQ==QQ==', 'QUJD-_', 'QUJ\u00e9']) {
      expect(nodeBase64.decode(bad), bad).toBeUndefined();
      expect(defaultBase64.decode(bad), bad).toBeUndefined();
    }
  });

  test('a decoded blob is a buffer of its own (not a view into Node\'s shared pool)', () => {
    const b = nodeBase64.decode('AAECAw==') as Uint8Array;
    expect(b.byteOffset).toBe(0);
    expect(b.buffer.byteLength).toBe(4);
  });
});
