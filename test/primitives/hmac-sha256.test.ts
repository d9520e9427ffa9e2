/**
 * src/primitives/hmac-sha256.ts, the node backend's KDF PRF: HMAC-SHA256 over precomputed
 * padded-key states (RFC 2104 §4). Oracles we did not write: RFC 4231's test cases, Wycheproof
 * hmac_sha256_test.json, node:crypto's createHmac for every key and message length around the
 * block and padding boundaries, and @noble/hashes for random inputs.
 */
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HmacSha256Key, scratchIsClear } from '../../src/primitives/hmac-sha256.js';
import { hex, toHexString } from '../helpers/env.js';
import { wycheproof } from '../helpers/wycheproof.js';

const mac = (key: Uint8Array, msg: Uint8Array) => toHexString(new HmacSha256Key(key).mac(msg));
const ascii = (s: string) => new TextEncoder().encode(s);
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + 5) & 0xff);

describe('HmacSha256Key: RFC 2104 HMAC with SHA-256 (FIPS 180-4)', () => {
  test('RFC 4231 §4.2–4.8: test cases 1–4, 6 and 7 (case 5 truncates the tag, which KMS never does)', () => {
    const cases: [string, Uint8Array, Uint8Array, string][] = [
      ['1', hex('0b'.repeat(20)), ascii('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      ['2', ascii('Jefe'), ascii('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      ['3', hex('aa'.repeat(20)), hex('dd'.repeat(50)), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
      ['4', hex('0102030405060708090a0b0c0d0e0f10111213141516171819'), hex('cd'.repeat(50)), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
      ['6', hex('aa'.repeat(131)), ascii('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
      [
        '7',
        hex('aa'.repeat(131)),
        ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
        '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      ],
    ];
    for (const [n, key, msg, want] of cases) expect(mac(key, msg), `test case ${n}`).toBe(want);
  });

  test('Wycheproof hmac_sha256_test.json: every full-tag case (valid: equal; invalid: different)', () => {
    interface MacTest { tcId: number; key: string; msg: string; tag: string; result: 'valid' | 'invalid' }
    const doc = wycheproof<{ testGroups: { tagSize: number; tests: MacTest[] }[] }>('hmac_sha256_test.json');
    const tests = doc.testGroups.filter((g) => g.tagSize === 256).flatMap((g) => g.tests);
    let valid = 0;
    let invalid = 0;
    for (const t of tests) {
      const got = mac(hex(t.key), hex(t.msg));
      if (t.result === 'valid') {
        expect(got, `tcId ${t.tcId}`).toBe(t.tag);
        valid++;
      } else {
        expect(got, `tcId ${t.tcId}`).not.toBe(t.tag);
        invalid++;
      }
    }
    expect({ valid, invalid }).toEqual({ valid: 33, invalid: expect.any(Number) });
    expect(invalid).toBeGreaterThan(0);
  });

  test('every key length 0..130 and message length 0..200 against createHmac (block, padding and two-block tail boundaries)', () => {
    // Message lengths 55/56 and 119/120 are where the padding needs one more block.
    for (let kl = 0; kl <= 130; kl++) {
      const key = new HmacSha256Key(bytes(kl, kl));
      for (let ml = 0; ml <= 200; ml++) {
        const m = bytes(ml, ml + 3);
        const want = createHmac('sha256', bytes(kl, kl)).update(m).digest('hex');
        if (toHexString(key.mac(m)) !== want) expect(toHexString(key.mac(m)), `key ${kl} B, message ${ml} B`).toBe(want);
      }
    }
  });

  test('the remembered first block: messages sharing it, and messages differing from it in any one byte, each get their own HMAC', () => {
    // The KDF's case: 64 bytes the same for every derivation under a key, then a changing tail.
    const raw = bytes(32, 5);
    const key = new HmacSha256Key(raw);
    const first = bytes(64, 6);
    const ref = (m: Uint8Array) => createHmac('sha256', raw).update(m).digest('hex');
    const join = (a: Uint8Array, b: Uint8Array) => Uint8Array.from([...a, ...b]);
    for (let tl = 0; tl <= 100; tl++) {
      const m = join(first, bytes(tl, tl));
      expect(toHexString(key.mac(m)), `shared first block, tail ${tl} B`).toBe(ref(m));
      // Differs from the remembered block in byte `at` only (every byte position in turn).
      const other = m.slice();
      const at = tl % 64;
      other[at] = (other[at] as number) ^ 0x01;
      expect(toHexString(key.mac(other)), `byte ${at} flipped, tail ${tl} B`).toBe(ref(other));
      // Back to the shared block after the other one took the memo.
      expect(toHexString(key.mac(m)), `shared first block again, tail ${tl} B`).toBe(ref(m));
      // Shorter than a block: no first block at all.
      const short = first.subarray(0, tl % 64);
      expect(toHexString(key.mac(short)), `${short.length} B message`).toBe(ref(short));
    }
  });

  test('random keys and messages (up to 5,000 bytes) against @noble/hashes, one key object reused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.uint8Array({ maxLength: 5000 }), { minLength: 1, maxLength: 4 }), (k, ms) => {
        const key = new HmacSha256Key(k);
        for (const m of ms) expect(toHexString(key.mac(m))).toBe(toHexString(nobleHmac(sha256, k, m)));
      }),
      { numRuns: 300 },
    );
  });

  test('the key is copied into its states: zeroing the bytes given afterwards changes nothing', () => {
    const raw = bytes(32, 9);
    const want = createHmac('sha256', bytes(32, 9)).update(bytes(101, 1)).digest('hex');
    const key = new HmacSha256Key(raw);
    raw.fill(0);
    expect(toHexString(key.mac(bytes(101, 1)))).toBe(want);
  });

  test('each call returns a fresh digest the caller may wipe, and the module scratch is zeroed after every call', () => {
    const key = new HmacSha256Key(bytes(32, 1));
    const a = key.mac(bytes(101, 2));
    expect(scratchIsClear()).toBe(true);
    const want = toHexString(a);
    a.fill(0);
    expect(toHexString(key.mac(bytes(101, 2)))).toBe(want);
    expect(scratchIsClear()).toBe(true);
    new HmacSha256Key(bytes(100, 3)); // a long key is hashed through the scratch too
    expect(scratchIsClear()).toBe(true);
  });

  test('inspection and JSON show no key state', () => {
    const key = new HmacSha256Key(bytes(32, 4));
    expect(inspect(key)).toBe("HmacSha256Key { type: 'secret' }");
    // #private fields: not even showHidden without the custom inspector reaches them.
    expect(inspect(key, { showHidden: true, customInspect: false })).toBe('HmacSha256Key {}');
    expect(JSON.stringify(key)).toBe('{"type":"HMAC-SHA256 key"}');
  });
});
