/**
 * The canonical encryption context (vectors/FORMAT.md §3): the ASCII fast path of
 * canonicalContext and its general path give the bytes an independent encoder gives (node's
 * Buffer UTF-8, pairs sorted by Buffer.compare of the key bytes).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalContext, canonicalGeneral, sameContext } from '../src/envelope/context.js';

function reference(ctx: Record<string, string>): Buffer {
  const pairs = Object.keys(ctx).map((k) => [Buffer.from(k, 'utf8'), Buffer.from(ctx[k] as string, 'utf8')] as const);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(pairs.length));
  for (const [k, v] of pairs) parts.push(u32(k.length), k, u32(v.length), v);
  return Buffer.concat(parts);
}

const asciiMap = fc.dictionary(fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), { maxKeys: 12 });
const unicodeMap = fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 20 }), { maxKeys: 8 });

describe('canonical encryption context', () => {
  test('ASCII contexts (the fast path) encode exactly as the reference', () => {
    fc.assert(fc.property(asciiMap, (m) => {
        expect(Buffer.from(canonicalContext(m))).toEqual(reference(m));
      }), { numRuns: 500 });
  });

  test('Unicode contexts (the general path) encode exactly as the reference, sorted by UTF-8 bytes', () => {
    fc.assert(fc.property(unicodeMap, (m) => {
        expect(Buffer.from(canonicalContext(m))).toEqual(reference(m));
      }), { numRuns: 500 });
  });

  test('the general path gives the fast path\'s bytes for ASCII input', () => {
    fc.assert(
      fc.property(asciiMap, (m) => {
        const keys = Object.keys(m);
        expect(canonicalGeneral(keys, keys.map((k) => m[k] as string), 'encryptionContext')).toEqual(canonicalContext(m));
      }),
      { numRuns: 300 },
    );
  });

  test('code-unit order and byte order differ above U+FFFF; the bytes decide', () => {
    // U+FF61 (EF BD A1) sorts after U+10000 (F0 90 80 80) in UTF-16 code units, before it in bytes.
    const m = { '\u{10000}': 'a', '\uff61': 'b', z: 'c' };
    expect(Buffer.from(canonicalContext(m))).toEqual(reference(m));
  });

  test('Precondition: context strings are well-formed UTF-16 (a lone surrogate has no UTF-8 form)', () => {
    expect(() => canonicalContext({ a: '\ud800' })).toThrow(/well-formed Unicode/);
    expect(() => canonicalContext({ '\udc00': 'x' })).toThrow(/well-formed Unicode/);
  });

  test('Precondition: context keys and values are strings (validation guarantees it for requests)', () => {
    expect(() => canonicalContext({ a: 1 } as unknown as Record<string, string>)).toThrow(/well-formed Unicode/);
  });
});

describe('sameContext (ReEncrypt binds the source\'s canonical bytes again only for the same pairs)', () => {
  // A small alphabet, so that equal keys, equal values and equal maps come up often.
  const small = fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__', 'toString'), fc.constantFrom('1', '2', ''), { maxKeys: 4 });

  test('true exactly when the two contexts have the same canonical bytes', () => {
    fc.assert(fc.property(small, small, (a, b) => {
        const bytesEqual = Buffer.from(canonicalContext(a)).equals(Buffer.from(canonicalContext(b)));
        expect(sameContext(a, b)).toBe(bytesEqual);
        expect(sameContext(b, a)).toBe(bytesEqual);
      }), { numRuns: 2000 });
  });

  test('insertion order does not matter', () => {
    fc.assert(fc.property(small, (a) => {
        const reversed = Object.fromEntries(Object.entries(a).reverse());
        expect(sameContext(a, reversed)).toBe(true);
      }), { numRuns: 300 });
  });

  test('absent equals absent, and {} equals {}', () => {
    expect(sameContext(undefined, undefined)).toBe(true);
    expect(sameContext({}, {})).toBe(true);
  });

  test('inherited pairs are no pairs: a key the other context only inherits differs', () => {
    // As many own keys as { a: '1' }, and `a` answered through the prototype.
    const inherited = Object.assign(Object.create({ a: '1' }) as Record<string, string>, { c: '2' });
    expect(Buffer.from(canonicalContext(inherited)).equals(Buffer.from(canonicalContext({ a: '1' })))).toBe(false);
    expect(sameContext({ a: '1' }, inherited)).toBe(false);
  });

  test('hidden pairs are no pairs: a key the other context owns but does not list differs', () => {
    // As many listed keys as { a: '1' }, and `a` an own non-enumerable property.
    const hidden = Object.defineProperty({ c: '2' } as Record<string, string>, 'a', { value: '1', enumerable: false });
    expect(Buffer.from(canonicalContext(hidden)).equals(Buffer.from(canonicalContext({ a: '1' })))).toBe(false);
    expect(sameContext({ a: '1' }, hidden)).toBe(false);
  });
});
