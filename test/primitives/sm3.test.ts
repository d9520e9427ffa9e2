/**
 * SM3 (GB/T 32905-2016): standard vectors, node:crypto (OpenSSL) as an oracle, streaming, and
 * HMAC-SM3 through noble's `hmac` against Project Wycheproof.
 */
import { createHash, createHmac } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { sm3 } from '../../src/primitives/sm3.js';
import { wycheproof } from '../helpers/wycheproof.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const ascii = (s: string) => new TextEncoder().encode(s);
const nodeSm3 = (m: Uint8Array) => createHash('sm3').update(m).digest('hex');


describe('SM3 standard vectors (GB/T 32905-2016 Annex A)', () => {
  test('A.1: "abc"', () => {
    expect(hex(sm3(ascii('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  test('A.2: "abcd" × 16 (512-bit message, two blocks after padding)', () => {
    expect(hex(sm3(ascii('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  test('empty message agrees with node:crypto', () => {
    expect(hex(sm3(new Uint8Array(0)))).toBe(nodeSm3(new Uint8Array(0)));
  });

  test('noble CHash shape: outputLen 32, blockLen 64, SM3 OID', () => {
    expect(sm3.outputLen).toBe(32);
    expect(sm3.blockLen).toBe(64);
    expect(hex(sm3.oid!)).toBe('06082a811ccf55018311'); // 1.2.156.10197.1.401
  });
});

describe('SM3 against node:crypto', () => {
  test('every length 0..300 around the padding boundaries (55/56/63/64/119/120 …)', () => {
    for (let n = 0; n <= 300; n++) {
      const m = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 0xff);
      expect(hex(sm3(m)), `length ${n}`).toBe(nodeSm3(m));
    }
  });

  test('property: random messages of 0..300 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (m) => {
        expect(hex(sm3(m))).toBe(nodeSm3(m));
      }),
      { numRuns: 300 }
    );
  });

  test('a 1 MiB message', () => {
    const m = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24);
    expect(hex(sm3(m))).toBe(nodeSm3(m));
  });
});

describe('SM3 streaming', () => {
  test('property: update() in arbitrary chunks equals one-shot', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 400 }),
        fc.array(fc.nat({ max: 130 }), { maxLength: 10 }),
        (m, cuts) => {
          const h = sm3.create();
          let pos = 0;
          for (const c of cuts) {
            const end = Math.min(m.length, pos + c);
            h.update(m.subarray(pos, end));
            pos = end;
          }
          h.update(m.subarray(pos));
          expect(hex(h.digest())).toBe(hex(sm3(m)));
        }
      ),
      { numRuns: 200 }
    );
  });

  test('clone() forks the state; digestInto() writes into a caller buffer', () => {
    const h = sm3.create().update(ascii('ab'));
    const fork = h.clone();
    expect(hex(h.update(ascii('c')).digest())).toBe(hex(sm3(ascii('abc'))));
    const out = new Uint8Array(32);
    fork.update(ascii('cd')).digestInto(out);
    expect(hex(out)).toBe(nodeSm3(ascii('abcd')));
  });

  test('a digested or destroyed hasher refuses further use', () => {
    const h = sm3.create();
    h.digest();
    expect(() => h.update(ascii('x'))).toThrow();
  });
});

interface MacTestFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: {
    keySize: number;
    tagSize: number;
    tests: { tcId: number; comment: string; key: string; msg: string; tag: string; result: 'valid' | 'invalid' }[];
  }[];
}

describe('HMAC-SM3 (noble hmac over sm3) — Wycheproof hmac_sm3_test.json', () => {
  const file = wycheproof<MacTestFile>('hmac_sm3_test.json');
  const cases = file.testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, tagBytes: g.tagSize / 8 })));

  test('the file is the HMACSM3 suite with every test present', () => {
    expect(file.algorithm).toBe('HMACSM3');
    expect(cases.length).toBe(file.numberOfTests);
  });

  test.each(cases.map((c) => [c.tcId, c.comment, c] as const))('tcId %i %s', (_id, _comment, c) => {
    const key = unhex(c.key);
    const msg = unhex(c.msg);
    const full = hmac(sm3, key, msg);
    // Oracle: OpenSSL's HMAC-SM3 through node:crypto computes the same full-length tag.
    expect(hex(full)).toBe(createHmac('sm3', key).update(msg).digest('hex'));
    const matches = hex(full.subarray(0, c.tagBytes)) === c.tag;
    expect(matches).toBe(c.result === 'valid');
  });

  test('streaming hmac (create/update/digest) equals one-shot', () => {
    const key = unhex('1e225cafb90339bba1b24076d4206c3e79c355805d851682bc818baa4f5a7779');
    const msg = ascii('kms-core '.repeat(20));
    const h = hmac.create(sm3, key);
    for (let i = 0; i < msg.length; i += 17) h.update(msg.subarray(i, i + 17));
    expect(hex(h.digest())).toBe(hex(hmac(sm3, key, msg)));
  });
});
