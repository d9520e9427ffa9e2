/**
 * Properties of the signing rows on every backend: round trip for any message of 1..4096 bytes,
 * a single flipped bit of the message or the signature is refused, any bytes as a signature are
 * `false` and never an exception, the MessageType preconditions (ValidationException as AWS),
 * determinism under an injected `random`.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkSigningMessage, SIGNING_ALGORITHMS, type MessageType, type SigningAlgorithmSpec } from '../src/algorithms/signing/index.js';
import { nobleBackend } from '../src/backend/noble.js';
import { nodeBackend } from '../src/backend/node.js';
import { webBackend } from '../src/backend/web.js';
import type { KeySpec } from '../src/keys/record.js';
import { BACKENDS, envFor, hex, newSigningKey } from './helpers/signing.js';
import { seededRandom } from './helpers/keys.js';
import { refusesSync } from './helpers/keys.js';

const PAIRS: [KeySpec, SigningAlgorithmSpec, MessageType][] = [
  ['RSA_2048', 'RSASSA_PSS_SHA_256', 'RAW'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512', 'RAW'],
  ['RSA_2048', 'RSASSA_PSS_SHA_384', 'DIGEST'],
  ['ECC_NIST_P256', 'ECDSA_SHA_256', 'RAW'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384', 'DIGEST'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512', 'RAW'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'RAW'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'RAW'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST'],
  ['SM2', 'SM2DSA', 'RAW'],
  ['SM2', 'SM2DSA', 'DIGEST'],
  ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'RAW'],
  ['ML_DSA_87', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU'],
];

const lengthFor = (alg: SigningAlgorithmSpec, type: MessageType) => {
  const row = SIGNING_ALGORITHMS[alg];
  return type === 'DIGEST' ? row.digestLength : type === 'EXTERNAL_MU' ? row.externalMuLength : undefined;
};

for (const backend of BACKENDS) {
  describe(`signing properties on the ${backend.name} backend`, () => {
    const env = envFor(backend);
    // The noble backend has no RSA and no platform ECDSA / Ed25519: what it changes is RAW ECDSA
    // on the NIST curves and Ed25519, which become pure JS. Its other pairs (DIGEST ECDSA,
    // secp256k1, Ed25519ph, SM2DSA, ML-DSA) are pure JS on every backend, the code the webcrypto
    // backend just ran.
    const NOBLE_OWN = (s: KeySpec, n: SigningAlgorithmSpec, t: MessageType) => t === 'RAW' && (n === 'ED25519_SHA_512' || (n.startsWith('ECDSA') && s !== 'ECC_SECG_P256K1'));
    // On the project's default backend, test/sign.properties.test.ts already runs the same
    // property (round trip; a flipped bit of message or signature, and other bytes, refused)
    // through the Kms API for these pairs: here the pairs it does not have.
    const viaKms = new Set(['RSA_2048 RSASSA_PSS_SHA_256 RAW', 'ECC_NIST_P256 ECDSA_SHA_256 RAW', 'ECC_SECG_P256K1 ECDSA_SHA_256 RAW', 'ECC_NIST_EDWARDS25519 ED25519_SHA_512 RAW', 'ECC_NIST_EDWARDS25519 ED25519_PH_SHA_512 DIGEST', 'SM2 SM2DSA RAW', 'ML_DSA_44 ML_DSA_SHAKE_256 RAW']);
    const pairs = backend.name === 'noble' ? PAIRS.filter(([s, n, t]) => NOBLE_OWN(s, n, t)) : PAIRS.filter((p) => !viaKms.has(p.join(' ')));

    test.each(pairs)('%s %s %s: round trip; one flipped bit of message or signature → false; garbage → false', async (spec, name, type) => {
      const alg = SIGNING_ALGORITHMS[name];
      const bk = await newSigningKey(env, spec);
      const fixed = lengthFor(name, type);
      const message = fixed ? fc.uint8Array({ minLength: fixed, maxLength: fixed }) : fc.uint8Array({ minLength: 1, maxLength: 4096 });
      await fc.assert(
        fc.asyncProperty(message, fc.nat(), fc.nat(), async (msg, mBit, sBit) => {
          const sig = await alg.sign(env, bk, msg, type);
          expect(await alg.verify(env, bk, msg, type, sig)).toBe(true);
          const m2 = msg.slice();
          m2[(mBit >> 3) % m2.length]! ^= 1 << (mBit & 7);
          expect(await alg.verify(env, bk, m2, type, sig)).toBe(false);
          const s2 = sig.slice();
          s2[(sBit >> 3) % s2.length]! ^= 1 << (sBit & 7);
          expect(await alg.verify(env, bk, msg, type, s2)).toBe(false);
        }),
        { numRuns: 6 },
      );
      const msg = new Uint8Array(fixed ?? 32).fill(7);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 700 }), async (garbage) => {
          expect(await alg.verify(env, bk, msg, type, garbage)).toBe(false);
        }),
        { numRuns: 25 },
      );
    });
    // ECDSA signatures not low-S normalised: test/sign.properties.test.ts, through the Kms API on
    // each project's backend (the pure-JS path by secp256k1 on webcrypto), also verifying (r, n − s).
  });
}

describe('MessageType preconditions (ValidationException, API_Sign: MessageType)', () => {
  const rows = Object.values(SIGNING_ALGORITHMS);
  test('Precondition: the algorithm accepts this MessageType.', () => {
    const refused: [SigningAlgorithmSpec, MessageType][] = [
      ['ED25519_SHA_512', 'DIGEST'],
      ['ED25519_PH_SHA_512', 'RAW'],
      ['ML_DSA_SHAKE_256', 'DIGEST'],
      ['ECDSA_SHA_256', 'EXTERNAL_MU'],
      ['RSASSA_PSS_SHA_256', 'EXTERNAL_MU'],
      ['SM2DSA', 'EXTERNAL_MU'],
    ];
    for (const [name, type] of refused) {
      refusesSync(() => checkSigningMessage(SIGNING_ALGORITHMS[name], new Uint8Array(64), type), 'ValidationException', `Message type ${type} is incompatible with algorithm ${name}.`);
    }
    // Every row lists exactly what AWS allows.
    const allowed = Object.fromEntries(rows.map((r) => [r.name, [...r.messageTypes].sort().join(',')]));
    expect(allowed).toEqual({
      RSASSA_PSS_SHA_256: 'DIGEST,RAW', RSASSA_PSS_SHA_384: 'DIGEST,RAW', RSASSA_PSS_SHA_512: 'DIGEST,RAW',
      RSASSA_PKCS1_V1_5_SHA_256: 'DIGEST,RAW', RSASSA_PKCS1_V1_5_SHA_384: 'DIGEST,RAW', RSASSA_PKCS1_V1_5_SHA_512: 'DIGEST,RAW',
      ECDSA_SHA_256: 'DIGEST,RAW', ECDSA_SHA_384: 'DIGEST,RAW', ECDSA_SHA_512: 'DIGEST,RAW', SM2DSA: 'DIGEST,RAW',
      ED25519_SHA_512: 'RAW', ED25519_PH_SHA_512: 'DIGEST', ML_DSA_SHAKE_256: 'EXTERNAL_MU,RAW',
    });
  });

  test('Precondition: a DIGEST is exactly the algorithm\'s hash length.', () => {
    for (const row of rows.filter((r) => r.messageTypes.includes('DIGEST'))) {
      for (const len of [row.digestLength - 1, row.digestLength + 1, 20]) {
        refusesSync(() => checkSigningMessage(row, new Uint8Array(len), 'DIGEST'), 'ValidationException', `Digest is invalid length for algorithm ${row.name}.`);
      }
      expect(() => checkSigningMessage(row, new Uint8Array(row.digestLength), 'DIGEST')).not.toThrow();
    }
    expect(SIGNING_ALGORITHMS.ECDSA_SHA_512.digestLength).toBe(64);
    expect(SIGNING_ALGORITHMS.SM2DSA.digestLength).toBe(32);
  });

  test('Precondition: an EXTERNAL_MU is exactly 64 bytes.', () => {
    const row = SIGNING_ALGORITHMS.ML_DSA_SHAKE_256;
    for (const len of [32, 63, 65]) refusesSync(() => checkSigningMessage(row, new Uint8Array(len), 'EXTERNAL_MU'), 'ValidationException');
    expect(() => checkSigningMessage(row, new Uint8Array(64), 'EXTERNAL_MU')).not.toThrow();
  });

  test('Precondition: a RAW message is 1..4096 bytes (API model constraint on Message).', async () => {
    for (const row of rows.filter((r) => r.messageTypes.includes('RAW'))) {
      refusesSync(() => checkSigningMessage(row, new Uint8Array(4097), 'RAW'), 'ValidationException', "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096");
      refusesSync(() => checkSigningMessage(row, new Uint8Array(0), 'RAW'), 'ValidationException');
      expect(() => checkSigningMessage(row, new Uint8Array(4096), 'RAW')).not.toThrow();
    }
    // The rows themselves refuse too: nothing below them sees a bad length.
    const env = envFor(nobleBackend);
    const bk = await newSigningKey(env, 'ECC_NIST_P256');
    await expect(SIGNING_ALGORITHMS.ECDSA_SHA_256.sign(env, bk, new Uint8Array(31), 'DIGEST')).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(SIGNING_ALGORITHMS.ECDSA_SHA_256.verify(env, bk, new Uint8Array(4097), 'RAW', new Uint8Array(8))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('determinism under an injected random (documented in algorithms/signing/*)', () => {
  const backends = [nodeBackend, webBackend, nobleBackend];

  test('keys of every non-RSA signing spec are the same bytes on every backend for the same random', async () => {
    for (const spec of ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'ML_DSA_65', 'SM2'] as const) {
      const keys = await Promise.all(backends.map(async (b) => hex((await newSigningKey(envFor(b, seededRandom(7)), spec)).material)));
      expect(new Set(keys).size, spec).toBe(1);
      const other = hex((await newSigningKey(envFor(nobleBackend, seededRandom(8)), spec)).material);
      expect(other).not.toBe(keys[0]);
    }
  });

  test('Ed25519, Ed25519ph, SM2DSA, ML-DSA and pure-JS ECDSA signatures repeat for the same random; PSS on node:crypto too', async () => {
    const cases: [KeySpec, SigningAlgorithmSpec, MessageType, Uint8Array, typeof backends][] = [
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'RAW', new Uint8Array(10).fill(1), backends],
      ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST', new Uint8Array(64).fill(2), backends],
      ['SM2', 'SM2DSA', 'RAW', new Uint8Array(10).fill(3), backends],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'RAW', new Uint8Array(10).fill(4), backends],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 'DIGEST', new Uint8Array(32).fill(5), backends],
      ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'RAW', new Uint8Array(10).fill(6), [nobleBackend, webBackend]],
    ];
    for (const [spec, name, type, msg, bs] of cases) {
      const sigs: string[] = [];
      for (const b of bs) {
        for (let run = 0; run < 2; run++) {
          const env = envFor(b, seededRandom(11));
          const bk = await newSigningKey(env, spec);
          sigs.push(hex(await SIGNING_ALGORITHMS[name].sign(env, bk, msg, type)));
        }
      }
      expect(new Set(sigs).size, `${name} ${type}`).toBe(1);
    }
    const rsa = await newSigningKey(envFor(nodeBackend), 'RSA_2048');
    const pss = await Promise.all([1, 2].map(async () => hex(await SIGNING_ALGORITHMS.RSASSA_PSS_SHA_256.sign(envFor(nodeBackend, seededRandom(3)), rsa, Uint8Array.of(1), 'RAW'))));
    expect(pss[0]).toBe(pss[1]);
    const pss2 = hex(await SIGNING_ALGORITHMS.RSASSA_PSS_SHA_256.sign(envFor(nodeBackend, seededRandom(4)), rsa, Uint8Array.of(1), 'RAW'));
    expect(pss2).not.toBe(pss[0]);
  });
});
