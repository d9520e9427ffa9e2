/**
 * HMAC keys below the operations (src/algorithms/mac.ts and the backends' hmacKeyWith/hmac):
 * RFC 4231 and Wycheproof vectors on every backend, node:crypto and @noble/hashes agreeing on
 * random inputs, every bit flip refused, and the key-spec rows.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, test } from 'vitest';
import { HMAC_KEY_BYTES, HMAC_KEY_SPECS, MAC_ALGORITHMS, generateMac, macAlgorithm, verifyMac, type MacAlgorithm } from '../src/algorithms/mac.js';
import type { MacAlgorithmSpec } from '../src/algorithms/types.js';
import type { Backend } from '../src/backend/types.js';
import { KMSInvalidMacException, KmsError } from '../src/errors.js';
import { defaultBackend } from './helpers/backend.js';
import { backingKey, cryptoEnv, hex, projectBackends, toHexString } from './helpers/env.js';
import { seededRandom } from './helpers/keys.js';
import { wycheproof } from './helpers/wycheproof.js';

// Each backend once over the two vitest projects: node + noble in `node`, WebCrypto in `webcrypto`.
const BACKENDS: Backend[] = await projectBackends();
const ALGS = Object.values(MAC_ALGORITHMS);
const enc = (s: string) => new TextEncoder().encode(s);
const NODE_HASH = { 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;
const NOBLE_HASH = { 'SHA-224': sha224, 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 } as const;

// RFC 4231 §4.2–4.8 (test case 5 truncates to 128 bits: only its prefix is compared).
const RFC4231: { key: Uint8Array; data: Uint8Array; out: Record<MacAlgorithmSpec, string>; truncated?: boolean }[] = [
  {
    key: new Uint8Array(20).fill(0x0b),
    data: enc('Hi There'),
    out: {
      HMAC_SHA_224: '896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22',
      HMAC_SHA_256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      HMAC_SHA_384: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
      HMAC_SHA_512: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    },
  },
  {
    key: enc('Jefe'),
    data: enc('what do ya want for nothing?'),
    out: {
      HMAC_SHA_224: 'a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44',
      HMAC_SHA_256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      HMAC_SHA_384: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
      HMAC_SHA_512: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    },
  },
  {
    key: new Uint8Array(20).fill(0xaa),
    data: new Uint8Array(50).fill(0xdd),
    out: {
      HMAC_SHA_224: '7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea',
      HMAC_SHA_256: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
      HMAC_SHA_384: '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
      HMAC_SHA_512: 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb',
    },
  },
  {
    key: Uint8Array.from({ length: 25 }, (_, i) => i + 1),
    data: new Uint8Array(50).fill(0xcd),
    out: {
      HMAC_SHA_224: '6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a',
      HMAC_SHA_256: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
      HMAC_SHA_384: '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
      HMAC_SHA_512: 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd',
    },
  },
  {
    key: new Uint8Array(20).fill(0x0c),
    data: enc('Test With Truncation'),
    truncated: true,
    out: {
      HMAC_SHA_224: '0e2aea68a90c8d37c988bcdb9fca6fa8',
      HMAC_SHA_256: 'a3b6167473100ee06e0c796c2955552b',
      HMAC_SHA_384: '3abf34c3503b2a23a46efc619baef897',
      HMAC_SHA_512: '415fad6271580a531d4179bc891d87a6',
    },
  },
  {
    key: new Uint8Array(131).fill(0xaa),
    data: enc('Test Using Larger Than Block-Size Key - Hash Key First'),
    out: {
      HMAC_SHA_224: '95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e',
      HMAC_SHA_256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      HMAC_SHA_384: '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
      HMAC_SHA_512: '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
    },
  },
  {
    key: new Uint8Array(131).fill(0xaa),
    data: enc('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
    out: {
      HMAC_SHA_224: '3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1',
      HMAC_SHA_256: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      HMAC_SHA_384: '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e',
      HMAC_SHA_512: 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58',
    },
  },
];

describe.each(BACKENDS)('HMAC on the $name backend', (backend) => {
  test('RFC 4231 test cases 1–7, all four hashes (case 5 is truncated by the RFC: its prefix)', async () => {
    const env = cryptoEnv(backend);
    for (const [i, c] of RFC4231.entries()) {
      for (const alg of ALGS) {
        const mac = await generateMac(env, alg, backingKey(c.key), c.data);
        expect(mac.length, `case ${i + 1} ${alg.name}`).toBe(alg.macBytes);
        const got = toHexString(mac);
        expect(c.truncated ? got.slice(0, 32) : got, `case ${i + 1} ${alg.name}`).toBe(c.out[alg.name]);
        if (!c.truncated) expect(await verifyMac(env, alg, backingKey(c.key), c.data, hex(c.out[alg.name]))).toBe(true);
        // A truncated tag is not a KMS MAC: VerifyMac compares the full digest.
        if (c.truncated) expect(await verifyMac(env, alg, backingKey(c.key), c.data, hex(c.out[alg.name]))).toBe(false);
      }
    }
  });

  describe.each(ALGS)('Wycheproof $name', (alg: MacAlgorithm) => {
    interface MacTest { tcId: number; key: string; msg: string; tag: string; result: 'valid' | 'invalid' }
    const file = `hmac_${alg.hash.replace('-', '').toLowerCase()}_test.json`;
    const bits = alg.macBytes * 8;
    // KMS never truncates: only the groups whose tag is the whole digest.
    const groups = wycheproof<{ testGroups: { keySize: number; tagSize: number; tests: MacTest[] }[] }>(file).testGroups.filter((g) => g.tagSize === bits);

    test('valid tags are reproduced and verify; modified tags do not verify (key lengths AWS accepts and others)', async () => {
      const env = cryptoEnv(backend);
      const [lo, hi] = HMAC_KEY_BYTES[alg.keySpec].imported;
      let valid = 0;
      let invalid = 0;
      let awsLengths = 0;
      for (const g of groups) {
        for (const t of g.tests) {
          const bk = backingKey(hex(t.key));
          const msg = hex(t.msg);
          if (bk.material.length >= lo && bk.material.length <= hi) awsLengths++;
          expect(await verifyMac(env, alg, bk, msg, hex(t.tag)), `tcId ${t.tcId}`).toBe(t.result === 'valid');
          if (t.result === 'valid') {
            valid++;
            expect(toHexString(await generateMac(env, alg, bk, msg)), `tcId ${t.tcId}`).toBe(t.tag);
          } else invalid++;
        }
      }
      // Full-digest groups: 27 + 3 + 3 valid, 54 modified tags.
      expect(valid).toBe(33);
      expect(invalid).toBe(54);
      // The keySize = digest group has a length ImportKeyMaterial accepts; the short keys (and the
      // 65-byte keys for SHA-224/256) only run here, below the operations.
      expect(awsLengths).toBe(alg.macBytes >= 48 ? 84 : 81);
    });
  });

  test('agrees with node:crypto and @noble/hashes on random keys and messages (1..4096 bytes)', async () => {
    const env = cryptoEnv(backend);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ALGS),
        fc.uint8Array({ minLength: 1, maxLength: 160 }),
        fc.uint8Array({ minLength: 1, maxLength: 4096 }),
        async (alg, key, msg) => {
          const ours = toHexString(await generateMac(env, alg, backingKey(key), msg));
          expect(ours).toBe(createHmac(NODE_HASH[alg.hash], key).update(msg).digest('hex'));
          expect(ours).toBe(toHexString(nobleHmac(NOBLE_HASH[alg.hash], key, msg)));
        },
      ),
      { numRuns: 60 },
    );
  });

  test('any single bit flip of the MAC or of the message fails verification; a shorter or longer MAC too', async () => {
    const env = cryptoEnv(backend);
    const msg = enc('order #4711: 3 × widgets');
    for (const alg of ALGS) {
      const bk = backingKey(seededRandom(alg.macBytes)(HMAC_KEY_BYTES[alg.keySpec].generated));
      const mac = await generateMac(env, alg, bk, msg);
      expect(await verifyMac(env, alg, bk, msg, mac)).toBe(true);
      for (let bit = 0; bit < mac.length * 8; bit++) {
        const bad = Uint8Array.from(mac);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        expect(await verifyMac(env, alg, bk, msg, bad), `${alg.name} MAC bit ${bit}`).toBe(false);
      }
      for (let bit = 0; bit < msg.length * 8; bit += 7) {
        const bad = Uint8Array.from(msg);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        expect(await verifyMac(env, alg, bk, bad, mac), `${alg.name} message bit ${bit}`).toBe(false);
      }
      expect(await verifyMac(env, alg, bk, msg, mac.subarray(0, mac.length - 1))).toBe(false);
      expect(await verifyMac(env, alg, bk, msg, Uint8Array.from([...mac, 0]))).toBe(false);
      // Another key, same message.
      const other = backingKey(seededRandom(7)(HMAC_KEY_BYTES[alg.keySpec].generated), undefined, 'b'.repeat(64));
      expect(await verifyMac(env, alg, other, msg, mac)).toBe(false);
    }
  });
});

describe('HMAC key specs and MAC algorithm rows', () => {
  test('one MacAlgorithm row per MacAlgorithmSpec, each bound to the HMAC key spec of its digest length', () => {
    expect(Object.keys(MAC_ALGORITHMS).sort()).toEqual(['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512']);
    for (const alg of ALGS) {
      expect(alg.keySpec).toBe(`HMAC_${alg.macBytes * 8}`);
      const spec = HMAC_KEY_SPECS[alg.keySpec];
      expect(spec.macAlgorithms).toEqual([alg.name]);
      expect(spec.keyUsages).toEqual(['GENERATE_VERIFY_MAC']);
      expect(spec.encryptionAlgorithms).toEqual([]);
    }
    expect(macAlgorithm('HMAC_SHA_1' as MacAlgorithmSpec)).toBeUndefined();
    expect(macAlgorithm('toString' as MacAlgorithmSpec)).toBeUndefined();
  });

  test('generated HMAC keys are 28/32/48/64 bytes from the Kms random source, with no public key; deterministic under injected randomness', async () => {
    for (const [spec, row] of Object.entries(HMAC_KEY_SPECS)) {
      const a = await row.generate(cryptoEnv(defaultBackend, seededRandom(42)), 1000);
      const b = await row.generate(cryptoEnv(defaultBackend, seededRandom(42)), 1000);
      expect(a.material.length).toBe(HMAC_KEY_BYTES[spec as keyof typeof HMAC_KEY_BYTES].generated);
      expect(a.material.length * 8).toBe(Number(spec.slice(5)));
      expect(a.publicKey).toBeUndefined();
      expect(a.id).toMatch(/^[0-9a-f]{64}$/);
      expect(b).toEqual(a);
    }
  });

  test('KMSInvalidMacException is an AWS-named client error', () => {
    const e = new KMSInvalidMacException();
    expect(e).toBeInstanceOf(KmsError);
    expect(e.name).toBe('KMSInvalidMacException');
    expect(e.$fault).toBe('client');
  });
});
