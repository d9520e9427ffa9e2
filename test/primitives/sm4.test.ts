/**
 * SM4 (GB/T 32907-2016) and SM4-GCM: the standard's Appendix A examples, node:crypto's
 * `sm4-ecb` / `sm4-ctr` (OpenSSL 3) as oracles on random inputs, and Project Wycheproof's
 * sm4_gcm_test.json (every group: 96-bit and other IV sizes, 128-bit tags).
 */
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { sm4GcmDecrypt, sm4GcmEncrypt } from '../../src/primitives/sm4-gcm.js';
import { sm4DecryptBlock, sm4EncryptBlock, sm4ExpandKey } from '../../src/primitives/sm4.js';
import { wycheproof } from '../helpers/wycheproof.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

function nodeEcb(key: Uint8Array, block: Uint8Array, decrypt = false): string {
  const c = decrypt ? createDecipheriv('sm4-ecb', key, null) : createCipheriv('sm4-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]).toString('hex');
}

describe('SM4 block cipher (GB/T 32907-2016 Appendix A)', () => {
  const key = unhex('0123456789abcdeffedcba9876543210');

  test('A.1: one block, plaintext = key', () => {
    const rk = sm4ExpandKey(key);
    const out = new Uint8Array(16);
    sm4EncryptBlock(rk, key, out);
    expect(hex(out)).toBe('681edf34d206965e86b3e94f536e4246');
    sm4DecryptBlock(rk, out, out);
    expect(hex(out)).toBe(hex(key));
  });

  test('A.2: 1,000,000 encryptions of the same block under the same key', () => {
    const rk = sm4ExpandKey(key);
    const b = key.slice();
    for (let i = 0; i < 1_000_000; i++) sm4EncryptBlock(rk, b, b);
    expect(hex(b)).toBe('595298c7c6fd271f0402f804c33d3f66');
  });

  test('blocks at offsets inside larger buffers', () => {
    const rk = sm4ExpandKey(key);
    const src = new Uint8Array(40);
    src.set(key, 7);
    const dst = new Uint8Array(40);
    sm4EncryptBlock(rk, src, dst, 7, 21);
    expect(hex(dst.subarray(21, 37))).toBe('681edf34d206965e86b3e94f536e4246');
    expect(dst.subarray(0, 21).every((x) => x === 0) && dst.subarray(37).every((x) => x === 0)).toBe(true);
  });

  test('Precondition: SM4 keys are 128 bits.', () => {
    for (const n of [0, 15, 17, 32]) expect(() => sm4ExpandKey(new Uint8Array(n))).toThrow(RangeError);
  });
});

describe("SM4 against node:crypto's sm4-ecb (OpenSSL 3)", () => {
  test('node offers sm4-ecb and sm4-ctr here', () => {
    expect(getCiphers()).toEqual(expect.arrayContaining(['sm4-ecb', 'sm4-ctr']));
  });

  test('property: random keys and blocks, encryption and decryption', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (k, m) => {
        const rk = sm4ExpandKey(k);
        const c = new Uint8Array(16);
        sm4EncryptBlock(rk, m, c);
        expect(hex(c)).toBe(nodeEcb(k, m));
        const p = new Uint8Array(16);
        sm4DecryptBlock(rk, m, p);
        expect(hex(p)).toBe(nodeEcb(k, m, true));
      }),
      { numRuns: 500 },
    );
  });
});

interface GcmTest {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
  comment: string;
}
interface GcmGroup {
  keySize: number;
  ivSize: number;
  tagSize: number;
  tests: GcmTest[];
}

describe('SM4-GCM against Project Wycheproof (sm4_gcm_test.json)', () => {
  const doc = wycheproof<{ numberOfTests: number; testGroups: GcmGroup[] }>('sm4_gcm_test.json');
  const all = doc.testGroups.flatMap((g) => g.tests.map((t) => ({ g, t })));

  test('the file is the expected one: 104 tests, 128-bit keys and tags, 96-bit IV groups present', () => {
    expect(all.length).toBe(doc.numberOfTests);
    expect(doc.numberOfTests).toBe(104);
    expect(doc.testGroups.every((g) => g.keySize === 128 && g.tagSize === 128)).toBe(true);
    expect(all.filter(({ g }) => g.ivSize === 96).length).toBeGreaterThan(50);
  });

  for (const { g, t } of all) {
    test(`tcId ${t.tcId} (iv ${g.ivSize} bits, ${t.result}${t.comment ? `: ${t.comment}` : ''})`, () => {
      const opened = sm4GcmDecrypt(unhex(t.key), unhex(t.iv), unhex(t.ct + t.tag), unhex(t.aad));
      if (t.result === 'valid') {
        expect(opened && hex(opened)).toBe(t.msg);
        expect(hex(sm4GcmEncrypt(unhex(t.key), unhex(t.iv), unhex(t.msg), unhex(t.aad)))).toBe(t.ct + t.tag);
      } else {
        expect(opened).toBeUndefined();
      }
    });
  }
});

describe('SM4-GCM properties', () => {
  const arbKey = fc.uint8Array({ minLength: 16, maxLength: 16 });
  const arbIv = fc.uint8Array({ minLength: 12, maxLength: 12 });
  const arbData = fc.uint8Array({ minLength: 0, maxLength: 200 });

  test("the ciphertext is node's sm4-ctr keystream from inc32(J0) = IV ‖ 00000002", () => {
    fc.assert(
      fc.property(arbKey, arbIv, arbData, arbData, (k, iv, m, a) => {
        const out = sm4GcmEncrypt(k, iv, m, a);
        const ctr = Buffer.concat([Buffer.from(iv), Buffer.from([0, 0, 0, 2])]);
        const c = createCipheriv('sm4-ctr', k, ctr);
        expect(hex(out.subarray(0, m.length))).toBe(Buffer.concat([c.update(m), c.final()]).toString('hex'));
        expect(out.length).toBe(m.length + 16);
      }),
      { numRuns: 200 },
    );
  });

  test('round trip; any bit flip in ciphertext, tag, IV or AAD fails to undefined', () => {
    fc.assert(
      fc.property(arbKey, arbIv, fc.uint8Array({ minLength: 1, maxLength: 100 }), arbData, fc.nat(), (k, iv, m, a, r) => {
        const sealed = sm4GcmEncrypt(k, iv, m, a);
        expect(hex(sm4GcmDecrypt(k, iv, sealed, a) as Uint8Array)).toBe(hex(m));
        const flip = (b: Uint8Array) => {
          const c = b.slice();
          const bit = r % (c.length * 8);
          c[bit >> 3]! ^= 1 << (bit & 7);
          return c;
        };
        expect(sm4GcmDecrypt(k, iv, flip(sealed), a)).toBeUndefined();
        expect(sm4GcmDecrypt(k, flip(iv), sealed, a)).toBeUndefined();
        if (a.length) expect(sm4GcmDecrypt(k, iv, sealed, flip(a))).toBeUndefined();
        expect(sm4GcmDecrypt(k, iv, sealed.subarray(0, sealed.length - 1), a)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  test('writes into a caller-supplied output of plaintext length + 16', () => {
    const k = new Uint8Array(16).fill(7);
    const iv = new Uint8Array(12).fill(9);
    const m = new Uint8Array(33).fill(1);
    const into = new Uint8Array(49);
    const res = sm4GcmEncrypt(k, iv, m, new Uint8Array(0), into);
    expect(res).toBe(into);
    expect(hex(into)).toBe(hex(sm4GcmEncrypt(k, iv, m, new Uint8Array(0))));
  });

  test('Precondition: the output holds exactly ciphertext ‖ tag.', () => {
    expect(() => sm4GcmEncrypt(new Uint8Array(16), new Uint8Array(12), new Uint8Array(4), new Uint8Array(0), new Uint8Array(19))).toThrow(RangeError);
  });

  test('Precondition: GCM needs an IV of at least one byte (SP 800-38D §5.2.1.1: len(IV) ≥ 1).', () => {
    expect(() => sm4GcmEncrypt(new Uint8Array(16), new Uint8Array(0), new Uint8Array(4), new Uint8Array(0))).toThrow(RangeError);
    expect(sm4GcmDecrypt(new Uint8Array(16), new Uint8Array(0), new Uint8Array(20), new Uint8Array(0))).toBeUndefined();
  });

  test('inputs shorter than a tag fail to undefined, never throw', () => {
    for (let n = 0; n < 16; n++) expect(sm4GcmDecrypt(new Uint8Array(16), new Uint8Array(12), new Uint8Array(n), new Uint8Array(0))).toBeUndefined();
  });
});
