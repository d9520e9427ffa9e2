/**
 * Labelled guards below the operations (algorithms/, primitives/, envelope/, util/, backend/)
 * that no other suite reaches: each test gives the function the input its guard refuses, and
 * checks the guard's own error, so the test fails when the guard is removed (issue 13,
 * Deliver 5; test/preconditions.test.ts checks that every label has such a test).
 */
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { generateDataKeyPair, type DataKeyPairSpec } from '../src/algorithms/data-key-pair.js';
import { rsaesOaepSha256 } from '../src/algorithms/rsa-oaep.js';
import { ecCurveOf, mlDsaParamsOf } from '../src/algorithms/signing/keys.js';
import { rsassaPssSha256 } from '../src/algorithms/signing/rsassa.js';
import { signWithKey } from '../src/algorithms/signing/use.js';
import { symmetricDefault } from '../src/algorithms/symmetric.js';
import { webBackend } from '../src/backend/web.js';
import { keyHeaderPrefix } from '../src/envelope/format.js';
import { InvalidKeyUsageException } from '../src/errors.js';
import type { BackingKey, KeyRecord } from '../src/keys/record.js';
import { ML_KEM_SETS, MlKemKeyError, mlKemPkcs8Encode, mlKemSpkiEncode } from '../src/primitives/ml-kem-keys.js';
import { SHA, emsaPkcs1v15Encode, emsaPssEncode, rsaPkcs8Decode, rsaPrivateRawBigInt } from '../src/primitives/rsassa.js';
import { sm2GenerateKey } from '../src/primitives/sm2-curve.js';
import { sm2Sign, sm2Za } from '../src/primitives/sm2dsa.js';
import { bigIntToBytes } from '../src/util/bigint.js';
import { defaultBackend } from './helpers/backend.js';
import { enc } from './helpers/index.js';
import { seededRandom } from './helpers/keys.js';
import { backingKey, envFor, specRow } from './helpers/signing.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A key record of `keySpec` holding `material` (the fields the algorithm rows read). */
function record(keySpec: KeyRecord['keySpec'], keyUsage: KeyRecord['keyUsage'], material: BackingKey[]): KeyRecord {
  return {
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    arn: ARN,
    accountId: '111122223333',
    region: 'us-east-1',
    keySpec,
    keyUsage,
    origin: 'AWS_KMS',
    description: '',
    multiRegion: false,
    creationDate: 0,
    keyState: 'Enabled',
    rotationEnabled: false,
    material,
  };
}

describe('algorithm rows', () => {
  test('Precondition: every DataKeyPairSpec has a generator — a spec without one is refused, never a TypeError', async () => {
    const env = envFor(defaultBackend);
    await expect(generateDataKeyPair(env, 'RSA_1024' as DataKeyPairSpec)).rejects.toThrow(/no key-pair generator for RSA_1024/);
    const pair = await generateDataKeyPair(env, 'ECC_NIST_P256');
    expect(pair.publicKey.length).toBeGreaterThan(0);
  });

  test('Precondition: an RSA key record holds an RSA public key — RSAES_OAEP under a record holding an EC public key is refused', async () => {
    const env = envFor(defaultBackend);
    const ec = await specRow('ECC_NIST_P256').generate(env, 0);
    const rec = record('RSA_2048', 'ENCRYPT_DECRYPT', [ec]);
    await expect(rsaesOaepSha256.encrypt(env, rec, enc('x'), new Uint8Array(0))).rejects.toThrow(/RSA key record holds no RSA public key/);
  });

  test('Precondition: an RSA key record holds an RSA public key — RSASSA verification with a backend that reads no RSA key from it is refused', async () => {
    const env = envFor(defaultBackend);
    const bk = await specRow('RSA_2048').generate(env, 0);
    const message = enc('signed');
    const signature = await rsassaPssSha256.sign(env, bk, message, 'RAW');
    expect(await rsassaPssSha256.verify(env, bk, message, 'RAW', signature)).toBe(true);
    // A backend that finds no RSA key in the SPKI (as node:crypto and WebCrypto answer for a non-RSA one).
    const blind = envFor({ ...defaultBackend, rsaPublicKey: async () => undefined });
    await expect(rsassaPssSha256.verify(blind, bk, message, 'RAW', signature)).rejects.toThrow(/RSA key record holds no RSA public key/);
  });

  test('Precondition: an asymmetric material version carries its public key — a version without one is refused', () => {
    const env = envFor(defaultBackend);
    const bare: BackingKey = { id: 'b'.repeat(64), material: new Uint8Array(32), createdAt: 0 };
    expect(() => ecCurveOf(env, bare)).toThrow(/asymmetric key record holds no public key/);
    expect(() => mlDsaParamsOf(env, { ...bare, id: 'c'.repeat(64) })).toThrow(/asymmetric key record holds no public key/);
  });

  test('Precondition: an ECDSA key record holds an EC public key on a KMS curve — an Ed25519 or ML-DSA public key is refused', async () => {
    const env = envFor(defaultBackend);
    for (const spec of ['ECC_NIST_EDWARDS25519', 'ML_DSA_44'] as const) {
      const other = await specRow(spec).generate(env, 0);
      expect(() => ecCurveOf(env, backingKey(other.material, other.publicKey as Uint8Array)), spec).toThrow(/key record holds no ECDSA public key/);
    }
    const p256 = await specRow('ECC_NIST_P256').generate(env, 0);
    expect(ecCurveOf(env, p256).oid).toBe('1.2.840.10045.3.1.7');
  });

  test('Precondition: an ML-DSA key record holds an ML-DSA public key — an EC or Ed25519 public key is refused', async () => {
    const env = envFor(defaultBackend);
    for (const spec of ['ECC_NIST_P256', 'ECC_NIST_EDWARDS25519'] as const) {
      const other = await specRow(spec).generate(env, 0);
      expect(() => mlDsaParamsOf(env, backingKey(other.material, other.publicKey as Uint8Array)), spec).toThrow(/key record holds no ML-DSA public key/);
    }
  });

  test('Precondition: the key has material (PendingImport keys are refused by the state check first) — Sign under a key without material is InvalidKeyUsageException', async () => {
    const env = envFor(defaultBackend);
    const err = await signWithKey(env, record('ECC_NIST_P256', 'SIGN_VERIFY', []), 'ECDSA_SHA_256', enc('m')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidKeyUsageException);
    expect((err as Error).message).toBe(`${ARN} has no key material.`);
  });

  test('Precondition: an Enabled symmetric key has material (PendingImport was refused earlier) — encrypting under a key without material is refused', async () => {
    const env = envFor(defaultBackend);
    await expect(symmetricDefault.encrypt(env, record('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', []), enc('x'), new Uint8Array(0))).rejects.toThrow(/symmetric key without backing key/);
  });
});

describe('envelope, integers, backend', () => {
  test('Precondition: key IDs in the store are lowercase UUIDs or mrk- IDs — another key ID never becomes a header', () => {
    const f = { accountId: '111122223333', keyMaterialId: 'a'.repeat(64) };
    for (const keyId of ['1234ABCD-12AB-34CD-56EF-1234567890AB', 'not-a-key-id', '1234abcd12ab34cd56ef1234567890ab']) {
      expect(() => keyHeaderPrefix({ ...f, keyId }), keyId).toThrow(/malformed key ID in key record/);
    }
    expect(keyHeaderPrefix({ ...f, keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }).length).toBeGreaterThan(0);
    // One character off: an uppercase digit, a digit that is not hex, a dash moved, one short or long.
    for (const keyId of ['1234abcd-12ab-34cd-56ef-1234567890aB', '1234abcd-12ab-34cd-56ef-1234567890ag', '1234abc-d12ab-34cd-56ef-1234567890ab', '1234abcd-12ab-34cd-56ef-1234567890a', '1234abcd-12ab-34cd-56ef-1234567890abc', 'mrk-1234abcd12ab34cd56ef1234567890a', 'mrk-1234abcd12ab34cd56ef1234567890xy']) {
      expect(() => keyHeaderPrefix({ ...f, keyId }), keyId).toThrow(/malformed key ID in key record/);
    }
  });

  test('Precondition: a KeyMaterialId is 64 hex digits (32 bytes) — a short, long or non-hex one never becomes a header', () => {
    const f = { accountId: '111122223333', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' };
    for (const keyMaterialId of ['a'.repeat(62), 'a'.repeat(66), `${'a'.repeat(63)}g`, '']) {
      expect(() => keyHeaderPrefix({ ...f, keyMaterialId }), keyMaterialId).toThrow(/malformed KeyMaterialId in key record/);
    }
  });

  test('the header prefix carries the key ID and KeyMaterialId bytes as Buffer decodes their hex (UUID and mrk- forms)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (id, material, mrk) => {
        const hex = Buffer.from(id).toString('hex');
        const keyId = mrk ? `mrk-${hex}` : `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        const p = keyHeaderPrefix({ accountId: '111122223333', keyId, keyMaterialId: Buffer.from(material).toString('hex') });
        expect(p.length).toBe(56);
        expect(p[7]).toBe(mrk ? 2 : 1);
        expect([...p.subarray(8, 24)]).toEqual([...id]);
        expect([...p.subarray(24, 56)]).toEqual([...material]);
      }),
    );
  });

  test('Precondition: x fits in len bytes — 256 in one byte is refused, not truncated', () => {
    expect([...bigIntToBytes(255n, 1)]).toEqual([255]);
    expect([...bigIntToBytes(256n, 2)]).toEqual([1, 0]);
    expect(() => bigIntToBytes(256n, 1)).toThrow(/integer too large/);
  });

  describe('without WebCrypto', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    test('Precondition: the runtime offers WebCrypto (secure context in browsers) — the web backend says so instead of a TypeError', async () => {
      vi.stubGlobal('crypto', undefined);
      await expect(webBackend.aesGcmEncrypt(new Uint8Array(32), new Uint8Array(12), enc('x'), new Uint8Array(0))).rejects.toThrow(
        'kms-core: WebCrypto (crypto.subtle) is not available in this runtime',
      );
    });
  });
});

describe('primitives', () => {
  test("Precondition: ek has the parameter set's length (FIPS 203 Table 3) — one byte short or long is MlKemKeyError", () => {
    const n = ML_KEM_SETS['ML-KEM-768'].publicKeyBytes;
    expect(mlKemSpkiEncode('ML-KEM-768', new Uint8Array(n)).length).toBeGreaterThan(n);
    for (const len of [n - 1, n + 1, ML_KEM_SETS['ML-KEM-512'].publicKeyBytes]) {
      expect(() => mlKemSpkiEncode('ML-KEM-768', new Uint8Array(len)), `length ${len}`).toThrow(MlKemKeyError);
    }
  });

  test('Precondition: the seed is d‖z, 64 bytes — a 63- or 65-byte seed is not encoded', () => {
    expect(mlKemPkcs8Encode('ML-KEM-768', new Uint8Array(64)).length).toBe(86);
    for (const len of [0, 63, 65]) expect(() => mlKemPkcs8Encode('ML-KEM-768', new Uint8Array(len)), `length ${len}`).toThrow(MlKemKeyError);
  });

  test('Precondition: emLen ≥ tLen + 11 (always true for 2048-bit and larger keys) — a modulus one byte too short is refused', () => {
    const h = SHA['SHA-256'];
    const k = h.digestInfoPrefix.length + h.hLen + 11;
    expect(emsaPkcs1v15Encode(h, new Uint8Array(h.hLen), k).length).toBe(k);
    expect(() => emsaPkcs1v15Encode(h, new Uint8Array(h.hLen), k - 1)).toThrow('RSA: modulus too short');
  });

  test('Precondition: emLen ≥ hLen + sLen + 2 (§9.1.1 step 3) — an encoded message one byte too short is refused', () => {
    const h = SHA['SHA-256'];
    const emLen = h.hLen + h.hLen + 2;
    expect(emsaPssEncode(h, new Uint8Array(h.hLen), emLen * 8, new Uint8Array(h.hLen)).length).toBe(emLen);
    expect(() => emsaPssEncode(h, new Uint8Array(h.hLen), (emLen - 1) * 8, new Uint8Array(h.hLen))).toThrow('RSA: modulus too short for PSS');
  });

  test('Precondition: 0 ≤ m < n (§5.2.1 step 1) — m = n and m > n are refused before any exponentiation', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const parts = rsaPkcs8Decode(new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })));
    const random = seededRandom(3);
    expect(rsaPrivateRawBigInt(parts, bigIntToBytes(parts.n - 1n, 256), random, 256).length).toBe(256);
    for (const m of [parts.n, parts.n + 1n]) {
      expect(() => rsaPrivateRawBigInt(parts, bigIntToBytes(m, 256), random, 256)).toThrow('RSA: message representative out of range');
    }
  });

  test('Precondition: ENTL_A is two bytes (ID shorter than 8192 bytes) — an 8192-byte distinguishing ID is refused', () => {
    const { publicKey } = sm2GenerateKey(seededRandom(4));
    expect(sm2Za(publicKey, new Uint8Array(8191)).length).toBe(32);
    expect(() => sm2Za(publicKey, new Uint8Array(8192))).toThrow('SM2: distinguishing ID too long');
  });

  test('Precondition: e is one SM3 output — a 31- or 33-byte digest is refused', () => {
    const { d } = sm2GenerateKey(seededRandom(5));
    expect(sm2Sign(d, new Uint8Array(32), seededRandom(6)).length).toBeGreaterThan(0);
    for (const len of [31, 33]) expect(() => sm2Sign(d, new Uint8Array(len), seededRandom(6)), `length ${len}`).toThrow('SM2: digest must be 32 bytes');
  });
});
