/**
 * The strict DER subset: round trips, X.690 §10 strictness (minimal lengths and INTEGERs,
 * definite lengths, no trailing data), and "DerError or success, nothing else" on arbitrary
 * bytes. node-forge's ASN.1 codec is an independent oracle for the encodings.
 */
import fc from 'fast-check';
import forge from 'node-forge';
import { describe, expect, test } from 'vitest';
import {
  DerError,
  DerReader,
  DerTag,
  derBitString,
  derContext,
  derContextTag,
  derDecode,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derTlv,
} from '../../src/primitives/der.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const forgeDer = (obj: forge.asn1.Asn1) => unhex(forge.util.bytesToHex(forge.asn1.toDer(obj).getBytes()));

/** Runs `f` and asserts it either succeeds or throws a DerError — never anything else. */
function onlyDerError(f: () => unknown): 'ok' | 'DerError' {
  try {
    f();
    return 'ok';
  } catch (e) {
    expect(e, `unexpected ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`).toBeInstanceOf(DerError);
    return 'DerError';
  }
}

const integer = (b: Uint8Array) => new DerReader(b).integer();

describe('INTEGER', () => {
  test.each([
    [0n, '020100'],
    [1n, '020101'],
    [127n, '02017f'],
    [128n, '02020080'],
    [255n, '020200ff'],
    [256n, '02020100'],
    [0x7fffn, '02027fff'],
    [0x8000n, '0203008000'],
  ])('%s ↔ %s (leading 00 exactly when the high bit is set)', (v, der) => {
    expect(hex(derInteger(v))).toBe(der);
    expect(integer(unhex(der))).toBe(v);
  });

  test('a magnitude given as bytes is stripped of leading zeros, then minimally encoded', () => {
    expect(hex(derInteger(unhex('0000ff')))).toBe('020200ff');
    expect(hex(derInteger(unhex('000001')))).toBe('020101');
    expect(hex(derInteger(new Uint8Array(0)))).toBe('020100');
    expect(hex(derInteger(unhex('00')))).toBe('020100');
  });

  test('property: bigint round trip, and the encoding equals node-forge’s', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 4200n) - 1n }), (v) => {
        const der = derInteger(v);
        expect(integer(der)).toBe(v);
        let h = v.toString(16);
        if (h.length % 2) h = '0' + h;
        if (parseInt(h.slice(0, 2), 16) & 0x80) h = '00' + h;
        const f = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.INTEGER, false, forge.util.hexToBytes(h));
        expect(hex(der)).toBe(hex(forgeDer(f)));
      }),
      { numRuns: 300 }
    );
  });

  test('unsignedIntegerBytes drops the sign octet; zero is the empty magnitude', () => {
    expect(hex(new DerReader(unhex('020200ff')).unsignedIntegerBytes())).toBe('ff');
    expect(new DerReader(unhex('020100')).unsignedIntegerBytes().length).toBe(0);
  });

  test.each([
    ['020200 01', 'non-minimal: leading 00 before a clear high bit'],
    ['020300 0080', 'non-minimal: two leading zero octets'],
    ['0202ff ff', 'non-minimal negative'],
    ['0201 80', 'negative'],
    ['0201 ff', 'negative (-1)'],
    ['0200', 'empty content'],
  ])('rejects %s (%s)', (der) => {
    expect(() => integer(unhex(der))).toThrow(DerError);
  });

  test('negative bigints are not encodable', () => {
    expect(() => derInteger(-1n)).toThrow(DerError);
  });
});

describe('lengths (X.690 §10.1)', () => {
  test.each([0, 1, 127, 128, 255, 256, 65535, 65536, 100_000])('content of %i bytes round-trips with the minimal length form', (n) => {
    const content = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
    const der = derOctetString(content);
    const lenBytes = n < 128 ? 1 : 1 + Math.ceil(Math.log2(n + 1) / 8);
    expect(der.length).toBe(1 + lenBytes + n);
    const r = new DerReader(der);
    expect(hex(r.octetString())).toBe(hex(content));
    r.end();
    expect(hex(der)).toBe(hex(forgeDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, forge.util.binary.raw.encode(content)))));
  });

  test.each([
    ['0480', 'indefinite length'],
    ['048101 00', 'long form for a length below 128'],
    ['04820001 00', 'long form with a leading zero octet'],
    ['04820080' + '00'.repeat(128), 'long form with a leading zero octet (128)'],
    ['0485' + '0000000001' + '00', 'more than four length octets'],
    ['0402 00', 'length beyond the buffer'],
    ['0481', 'truncated long-form length'],
    ['04', 'missing length'],
    ['', 'empty input'],
    ['1f0100', 'high-tag-number form'],
  ])('rejects %s (%s)', (der) => {
    expect(() => new DerReader(unhex(der)).next()).toThrow(DerError);
  });

  test('derDecode rejects trailing bytes after the single top-level element', () => {
    expect(() => derDecode(unhex('3000 00'), DerTag.SEQUENCE)).toThrow(DerError);
    expect(() => derDecode(unhex('3000'), DerTag.SEQUENCE)).not.toThrow();
  });

  test('end() rejects unread elements inside a SEQUENCE', () => {
    const r = derDecode(derSequence(derInteger(1n), derInteger(2n)), DerTag.SEQUENCE);
    expect(r.integer()).toBe(1n);
    expect(() => r.end()).toThrow(DerError);
  });

  test('an inner length may not run past its enclosing SEQUENCE', () => {
    // SEQUENCE of length 3 whose INTEGER claims 2 content bytes, but only 1 remains inside.
    const r = derDecode(unhex('3003 020201'), DerTag.SEQUENCE);
    expect(() => r.integer()).toThrow(DerError);
  });
});

describe('OCTET STRING, BIT STRING, NULL, SEQUENCE, context tags', () => {
  test('OCTET STRING round trip', () => {
    const r = new DerReader(derOctetString(unhex('0001ff')));
    expect(hex(r.octetString())).toBe('0001ff');
    r.end();
  });

  test('BIT STRING of whole bytes: unused-bits octet 0', () => {
    expect(hex(derBitString(unhex('04aa')))).toBe('03030004aa');
    expect(hex(new DerReader(unhex('03030004aa')).bitStringBytes())).toBe('04aa');
    expect(hex(new DerReader(unhex('030100')).bitStringBytes())).toBe('');
  });

  test('BIT STRING with unused bits is decoded by bitString() but refused by bitStringBytes()', () => {
    expect(new DerReader(unhex('030206c0')).bitString()).toEqual({ unusedBits: 6, bytes: unhex('c0') });
    expect(() => new DerReader(unhex('030206c0')).bitStringBytes()).toThrow(DerError);
  });

  test.each([
    ['0300', 'empty'],
    ['030108', 'unused-bits octet above 7'],
    ['030101', 'unused bits without any data byte'],
    ['030201 01', 'non-zero padding bits'],
  ])('BIT STRING rejects %s (%s)', (der) => {
    expect(() => new DerReader(unhex(der)).bitString()).toThrow(DerError);
  });

  test('NULL is 05 00 and nothing else', () => {
    expect(hex(derNull())).toBe('0500');
    expect(() => new DerReader(unhex('0500')).null()).not.toThrow();
    expect(() => new DerReader(unhex('050100')).null()).toThrow(DerError);
  });

  test('SEQUENCE nesting, context tags and peekTag', () => {
    const der = derSequence(derInteger(1n), derContext(0, derOid('1.2.156.10197.1.301')), derContext(1, derBitString(unhex('04'))));
    const r = derDecode(der, DerTag.SEQUENCE);
    expect(r.integer()).toBe(1n);
    expect(r.peekTag()).toBe(0xa0);
    expect(r.optionalContext(3)).toBeUndefined();
    const c0 = r.optionalContext(0)!;
    expect(c0.oid()).toBe('1.2.156.10197.1.301');
    c0.end();
    expect(hex(r.context(1).bitStringBytes())).toBe('04');
    r.end();
    expect(r.peekTag()).toBeUndefined();
    expect(derContextTag(1)).toBe(0xa1);
    expect(() => derContextTag(31)).toThrow(DerError);
  });

  test('a tag mismatch is a DerError (constructed OCTET STRING is not an OCTET STRING)', () => {
    expect(() => new DerReader(unhex('2400')).octetString()).toThrow(DerError);
    expect(() => new DerReader(unhex('020101')).octetString()).toThrow(DerError);
  });

  test('derTlv refuses high-tag-number tags', () => {
    expect(() => derTlv(0x1f, new Uint8Array(0))).toThrow(DerError);
  });
});

describe('OBJECT IDENTIFIER', () => {
  test.each([
    ['1.2.840.10045.2.1', '06072a8648ce3d0201'],
    ['1.2.156.10197.1.301', '06082a811ccf5501822d'],
    ['1.2.840.113549.1.1.1', '06092a864886f70d010101'],
    ['2.5.4.3', '0603550403'],
    ['2.999.3', '0603883703'],
    ['0.0', '060100'],
  ])('%s ↔ %s', (oid, der) => {
    expect(hex(derOid(oid))).toBe(der);
    expect(new DerReader(unhex(der)).oid()).toBe(oid);
    expect(hex(forgeDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID, false, forge.asn1.oidToDer(oid).getBytes())))).toBe(der);
  });

  test('property: dotted-form round trip, including huge arcs', () => {
    const arc = fc.oneof(fc.nat({ max: 200 }).map(BigInt), fc.bigInt({ min: 0n, max: 1n << 130n }));
    fc.assert(
      fc.property(fc.nat({ max: 2 }), fc.nat({ max: 39 }), fc.array(arc, { maxLength: 8 }), (a, b, rest) => {
        const oid = [a, b, ...rest].join('.');
        expect(new DerReader(derOid(oid)).oid()).toBe(oid);
      }),
      { numRuns: 300 }
    );
  });

  test.each([
    ['0600', 'empty'],
    ['06022a86', 'truncated sub-identifier'],
    ['0603 2a8001', 'non-minimal sub-identifier (leading 0x80)'],
  ])('rejects %s (%s)', (der) => {
    expect(() => new DerReader(unhex(der)).oid()).toThrow(DerError);
  });

  test.each(['1', '3.1', '1.40', '1.2.', '1..2', '1.02', 'a.b'])('refuses to encode %s', (oid) => {
    expect(() => derOid(oid)).toThrow(DerError);
  });
});

describe('robustness: arbitrary bytes give a result or a DerError, never another exception', () => {
  /** Walks any structure it can, the way a key or ciphertext parser would. */
  function walk(r: DerReader, depth = 0): void {
    while (!r.done) {
      const tag = r.peekTag()!;
      if (tag === DerTag.SEQUENCE || (tag & 0xe0) === 0xa0) {
        const el = r.next();
        if (depth < 8) walk(new DerReader(el.content), depth + 1);
      } else if (tag === DerTag.INTEGER) r.integer();
      else if (tag === DerTag.OID) r.oid();
      else if (tag === DerTag.BIT_STRING) r.bitString();
      else if (tag === DerTag.NULL) r.null();
      else if (tag === DerTag.OCTET_STRING) r.octetString();
      else r.next();
    }
  }

  test('property: random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        onlyDerError(() => walk(new DerReader(b)));
        onlyDerError(() => derDecode(b, DerTag.SEQUENCE).integer());
      }),
      { numRuns: 2000 }
    );
  });

  test('property: mutations of a valid structure', () => {
    const valid = derSequence(
      derInteger(0n),
      derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.156.10197.1.301')),
      derOctetString(derSequence(derInteger(1n), derOctetString(new Uint8Array(32).fill(7)), derContext(1, derBitString(new Uint8Array(65).fill(4))))),
      derNull()
    );
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: valid.length }), (pos, xor, cut) => {
        const m = valid.slice();
        m[pos]! ^= xor;
        onlyDerError(() => walk(new DerReader(m)));
        onlyDerError(() => walk(new DerReader(valid.subarray(0, cut))));
      }),
      { numRuns: 1000 }
    );
  });

  test('non-Uint8Array input is a DerError too', () => {
    expect(() => new DerReader('30' as unknown as Uint8Array)).toThrow(DerError);
    expect(() => derDecode(null as unknown as Uint8Array, DerTag.SEQUENCE)).toThrow(DerError);
  });
});
