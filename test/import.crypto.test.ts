/**
 * The cryptography of key import (BYOK), below the handlers: wrapping key pairs, the unwrap side
 * of every wrapping algorithm against material wrapped by code we did not write (node:crypto
 * publicEncrypt, `openssl pkeyutl -encrypt`, `openssl enc -id-aes256-wrap-pad -iv A65959A6`,
 * exactly the Developer Guide's "Step 3: Encrypt the key material" commands), the ImportToken,
 * and the material rules. Runs once per backend (node:crypto, WebCrypto).
 */
import { constants, createCipheriv, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  checkWrappingChoice,
  generateWrappingKeyPair,
  unwrapImportedMaterial,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  type WrappingAlgorithmSpec,
  type WrappingKeyPair,
  type WrappingKeySpec,
} from '../src/algorithms/wrapping.js';
import { KmsError } from '../src/errors.js';
import {
  checkHmacMaterial,
  checkSm2Material,
  checkSymmetricMaterial,
  expectedSymmetricSuite,
  importedKeyMaterialId,
  planSymmetricImport,
} from '../src/keys/import-material.js';
import {
  consumeImportParameters,
  IMPORT_PARAMETERS_TTL_MS,
  IMPORT_TOKEN_LEN,
  MAX_IMPORT_PARAMETERS,
  openImportToken,
  pruneImportParameters,
  sealImportToken,
  type ImportParameters,
} from '../src/keys/import-token.js';
import type { BackingKey } from '../src/keys/record.js';
import { sm2GenerateKey } from '../src/primitives/sm2-curve.js';
import { sm2Pkcs8Encode } from '../src/primitives/sm2-keys.js';
import { defaultBackend as backend } from './helpers/backend.js';
import { openssl, spkiPem } from './helpers/oracles.js';
import { fixtureBackend } from './helpers/wrap.js';

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : 'undefined');
const rnd = (n: number) => new Uint8Array(randomBytes(n));

const pairs = new Map<WrappingKeySpec, WrappingKeyPair>();
beforeAll(async () => {
  for (const spec of ['RSA_2048', 'RSA_3072', 'SM2'] as const) pairs.set(spec, await generateWrappingKeyPair(backend, spec, rnd));
});
const pair = (spec: WrappingKeySpec) => pairs.get(spec) as WrappingKeyPair;
const unwrap = (alg: WrappingAlgorithmSpec, spec: WrappingKeySpec, encrypted: Uint8Array, p = pair(spec)) =>
  unwrapImportedMaterial(backend, { wrappingAlgorithm: alg, wrappingKeySpec: spec, privateKey: p.privateKey }, encrypted);

function nodeOaep(spki: Uint8Array, hash: 'sha1' | 'sha256', m: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, m));
}
function nodeKwp(kek: Uint8Array, m: Uint8Array): Uint8Array {
  const c = createCipheriv(`id-aes${kek.length * 8}-wrap-pad`, kek, Buffer.from('a65959a6', 'hex'));
  return new Uint8Array(Buffer.concat([c.update(m), c.final()]));
}
/** `openssl pkeyutl -encrypt` with the wrapping public key in DER, as the Developer Guide writes it. */
function pkeyutlOaep(spki: Uint8Array, md: 'sha1' | 'sha256', m: Uint8Array): Uint8Array {
  const args = ['pkeyutl', '-encrypt', '-in', 'm.bin', '-out', 'c.bin', '-inkey', 'WrappingPublicKey.bin', '-keyform', 'DER', '-pubin', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${md}`, '-pkeyopt', `rsa_mgf1_md:${md}`];
  return new Uint8Array(openssl(args, { 'WrappingPublicKey.bin': spki, 'm.bin': m }, 'c.bin'));
}
/** The Developer Guide's RSA_AES_KEY_WRAP steps 1–4 with the OpenSSL CLI. */
function guideRsaAes(spki: Uint8Array, md: 'sha1' | 'sha256', m: Uint8Array): Uint8Array {
  const aes = rnd(32);
  const wrapped = openssl(['enc', '-id-aes256-wrap-pad', '-K', Buffer.from(aes).toString('hex'), '-iv', 'A65959A6', '-in', 'm.bin', '-out', 'w.bin'], { 'm.bin': m }, 'w.bin');
  return new Uint8Array(Buffer.concat([pkeyutlOaep(spki, md, aes), wrapped])); // cat aes-key-wrapped.bin key-material-wrapped.bin
}

describe('wrapping key pairs (GetParametersForImport PublicKey)', () => {
  test('RSA pairs are SPKI / PKCS#8 of the spec\'s size, exponent 65537; SM2 is an SM2 SPKI', () => {
    for (const [spec, bits] of [
      ['RSA_2048', 2048],
      ['RSA_3072', 3072],
    ] as const) {
      const k = createPublicKey({ key: Buffer.from(pair(spec).publicKey), format: 'der', type: 'spki' });
      expect(k.asymmetricKeyType).toBe('rsa');
      expect(k.asymmetricKeyDetails?.modulusLength).toBe(bits);
      expect(k.asymmetricKeyDetails?.publicExponent).toBe(65537n);
    }
    // node reports no type for SM2 keys; OpenSSL names the curve.
    const text = openssl(['pkey', '-pubin', '-inform', 'DER', '-in', 'p.der', '-text', '-noout', '-out', 'o.txt'], { 'p.der': pair('SM2').publicKey }, 'o.txt').toString();
    expect(text).toMatch(/ASN1 OID: SM2/);
  });
});

describe('unwrapImportedMaterial: RSAES_OAEP_SHA_1 / RSAES_OAEP_SHA_256', () => {
  for (const [alg, md] of [
    ['RSAES_OAEP_SHA_1', 'sha1'],
    ['RSAES_OAEP_SHA_256', 'sha256'],
  ] as const) {
    test(`${alg}: 32-byte AES, 16-byte SM4 and 64-byte HMAC material wrapped by node:crypto publicEncrypt`, async () => {
      for (const n of [32, 16, 64]) {
        const m = rnd(n);
        expect(hex(await unwrap(alg, 'RSA_2048', nodeOaep(pair('RSA_2048').publicKey, md, m)))).toBe(hex(m));
      }
    });

    test(`${alg}: wrapped by openssl pkeyutl -encrypt (Developer Guide command), RSA_2048 and RSA_3072`, async () => {
      for (const spec of ['RSA_2048', 'RSA_3072'] as const) {
        const m = rnd(32);
        expect(hex(await unwrap(alg, spec, pkeyutlOaep(pair(spec).publicKey, md, m)))).toBe(hex(m));
      }
    });
  }

  test('the other hash, another wrapping key, or a damaged blob → undefined', async () => {
    const m = rnd(32);
    const c1 = nodeOaep(pair('RSA_2048').publicKey, 'sha1', m);
    expect(await unwrap('RSAES_OAEP_SHA_256', 'RSA_2048', c1)).toBeUndefined();
    const other = await generateWrappingKeyPair(backend, 'RSA_2048', rnd);
    expect(await unwrap('RSAES_OAEP_SHA_1', 'RSA_2048', c1, other)).toBeUndefined();
    for (const i of [0, 1, 100, 255]) {
      const bad = c1.slice();
      bad[i]! ^= 0x10;
      expect(await unwrap('RSAES_OAEP_SHA_1', 'RSA_2048', bad)).toBeUndefined();
    }
    expect(await unwrap('RSAES_OAEP_SHA_1', 'RSA_2048', c1.subarray(1))).toBeUndefined();
    expect(await unwrap('RSAES_OAEP_SHA_1', 'RSA_3072', c1, pair('RSA_3072'))).toBeUndefined();
  });
});

describe('unwrapImportedMaterial: RSA_AES_KEY_WRAP_SHA_1 / RSA_AES_KEY_WRAP_SHA_256', () => {
  let rsaPkcs8: Uint8Array;
  beforeAll(() => {
    rsaPkcs8 = new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'der', type: 'pkcs8' }));
  });

  for (const [alg, md] of [
    ['RSA_AES_KEY_WRAP_SHA_1', 'sha1'],
    ['RSA_AES_KEY_WRAP_SHA_256', 'sha256'],
  ] as const) {
    test(`${alg}: the Developer Guide's OpenSSL steps (pkeyutl OAEP of a 32-byte AES key ‖ enc -id-aes256-wrap-pad -iv A65959A6)`, async () => {
      for (const m of [rsaPkcs8, rnd(32), rnd(48)]) {
        expect(hex(await unwrap(alg, 'RSA_2048', guideRsaAes(pair('RSA_2048').publicKey, md, m)))).toBe(hex(m));
      }
      const m = rnd(28);
      expect(hex(await unwrap(alg, 'RSA_3072', guideRsaAes(pair('RSA_3072').publicKey, md, m)))).toBe(hex(m));
    });

    test(`${alg}: node:crypto publicEncrypt ‖ id-aes{128,192,256}-wrap-pad, an RSA PKCS#8 too large for OAEP alone`, async () => {
      for (const aesLen of [16, 24, 32]) {
        const aes = rnd(aesLen);
        const enc = new Uint8Array(Buffer.concat([nodeOaep(pair('RSA_2048').publicKey, md, aes), nodeKwp(aes, rsaPkcs8)]));
        expect(hex(await unwrap(alg, 'RSA_2048', enc))).toBe(hex(rsaPkcs8));
      }
    });
  }

  test('damage anywhere, the wrong OAEP hash, a bad AES key size, or a short tail → undefined', async () => {
    const m = rnd(32);
    const aes = rnd(32);
    const rsa = nodeOaep(pair('RSA_2048').publicKey, 'sha256', aes);
    const enc = new Uint8Array(Buffer.concat([rsa, nodeKwp(aes, m)]));
    expect(hex(await unwrap('RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048', enc))).toBe(hex(m));
    expect(await unwrap('RSA_AES_KEY_WRAP_SHA_1', 'RSA_2048', enc)).toBeUndefined();
    expect(await unwrap('RSAES_OAEP_SHA_256', 'RSA_2048', enc)).toBeUndefined();
    for (const i of [3, 200, 256, 263, enc.length - 1]) {
      const bad = enc.slice();
      bad[i]! ^= 0x01;
      expect(await unwrap('RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048', bad), `byte ${i}`).toBeUndefined();
    }
    for (const n of [0, 255, 256, 264, enc.length - 8]) expect(await unwrap('RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048', enc.subarray(0, n))).toBeUndefined();
    const aes20 = rnd(20);
    const odd = new Uint8Array(Buffer.concat([nodeOaep(pair('RSA_2048').publicKey, 'sha256', aes20), nodeKwp(rnd(32), m)]));
    expect(await unwrap('RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048', odd)).toBeUndefined();
  });
});

describe('unwrapImportedMaterial: SM2PKE (China Regions)', () => {
  test('material encrypted by openssl pkeyutl -encrypt with the SM2 wrapping public key', async () => {
    const sm2Material = sm2Pkcs8Encode(sm2GenerateKey(rnd).d);
    for (const m of [rnd(16), sm2Material]) {
      const c = openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'm.bin', '-out', 'c.bin'], { 'pub.pem': spkiPem(pair('SM2').publicKey), 'm.bin': m }, 'c.bin');
      expect(hex(await unwrap('SM2PKE', 'SM2', new Uint8Array(c)))).toBe(hex(m));
      const bad = new Uint8Array(c);
      bad[bad.length - 1]! ^= 1;
      expect(await unwrap('SM2PKE', 'SM2', bad)).toBeUndefined();
    }
  });
});

describe('unwrapImportedMaterial never throws for bad input', () => {
  test('property: arbitrary bytes under every algorithm and spec → undefined', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WRAPPING_ALGORITHMS), fc.constantFrom<WrappingKeySpec>('RSA_2048', 'SM2'), fc.uint8Array({ minLength: 0, maxLength: 600 }), async (alg, spec, b) => {
        expect(await unwrap(alg, spec, b)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  test('RSAES_PKCS1_V1_5 unwraps nothing, not even a genuine PKCS #1 v1.5 blob (not supported since 2023-10-10)', async () => {
    const key = createPublicKey({ key: Buffer.from(pair('RSA_2048').publicKey), format: 'der', type: 'spki' });
    const c = new Uint8Array(publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(32, 7)));
    expect(await unwrap('RSAES_PKCS1_V1_5', 'RSA_2048', c)).toBeUndefined();
  });

  test('an algorithm paired with a key spec it does not use → undefined', async () => {
    const m = rnd(32);
    expect(await unwrap('RSAES_OAEP_SHA_256', 'SM2', nodeOaep(pair('RSA_2048').publicKey, 'sha256', m), pair('RSA_2048'))).toBeUndefined();
    expect(await unwrap('SM2PKE', 'RSA_2048', m, pair('SM2'))).toBeUndefined();
  });
});

describe('checkWrappingChoice (GetParametersForImport)', () => {
  test('every algorithm × spec × Region, as the Developer Guide tables say', () => {
    const got: string[] = [];
    for (const region of ['us-east-1', 'cn-north-1']) {
      for (const alg of WRAPPING_ALGORITHMS) for (const spec of WRAPPING_KEY_SPECS) got.push(`${region} ${alg} ${spec}: ${checkWrappingChoice(alg, spec, region) ?? 'ok'}`);
    }
    const ok = got.filter((g) => g.endsWith('ok'));
    expect(ok).toEqual([
      'us-east-1 RSAES_OAEP_SHA_1 RSA_2048: ok',
      'us-east-1 RSAES_OAEP_SHA_1 RSA_3072: ok',
      'us-east-1 RSAES_OAEP_SHA_1 RSA_4096: ok',
      'us-east-1 RSAES_OAEP_SHA_256 RSA_2048: ok',
      'us-east-1 RSAES_OAEP_SHA_256 RSA_3072: ok',
      'us-east-1 RSAES_OAEP_SHA_256 RSA_4096: ok',
      'us-east-1 RSA_AES_KEY_WRAP_SHA_1 RSA_2048: ok',
      'us-east-1 RSA_AES_KEY_WRAP_SHA_1 RSA_3072: ok',
      'us-east-1 RSA_AES_KEY_WRAP_SHA_1 RSA_4096: ok',
      'us-east-1 RSA_AES_KEY_WRAP_SHA_256 RSA_2048: ok',
      'us-east-1 RSA_AES_KEY_WRAP_SHA_256 RSA_3072: ok',
      'us-east-1 RSA_AES_KEY_WRAP_SHA_256 RSA_4096: ok',
      'cn-north-1 RSAES_OAEP_SHA_1 RSA_2048: ok',
      'cn-north-1 RSAES_OAEP_SHA_1 RSA_3072: ok',
      'cn-north-1 RSAES_OAEP_SHA_1 RSA_4096: ok',
      'cn-north-1 RSAES_OAEP_SHA_256 RSA_2048: ok',
      'cn-north-1 RSAES_OAEP_SHA_256 RSA_3072: ok',
      'cn-north-1 RSAES_OAEP_SHA_256 RSA_4096: ok',
      'cn-north-1 SM2PKE SM2: ok',
    ]);
    expect(checkWrappingChoice('RSAES_PKCS1_V1_5', 'RSA_4096', 'us-east-1')).toBe('deprecated');
    expect(checkWrappingChoice('SM2PKE', 'SM2', 'us-east-1')).toBe('region');
    expect(checkWrappingChoice('RSAES_OAEP_SHA_256', 'SM2', 'us-east-1')).toBe('region');
    expect(checkWrappingChoice('RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096', 'cn-northwest-1')).toBe('region');
    expect(checkWrappingChoice('RSAES_OAEP_SHA_256', 'SM2', 'cn-north-1')).toBe('spec-mismatch');
    expect(checkWrappingChoice('SM2PKE', 'RSA_2048', 'cn-north-1')).toBe('spec-mismatch');
  });

  test('Precondition: the key spec is one of the model\'s WrappingKeySpec values (validated upstream).', async () => {
    await expect(generateWrappingKeyPair(backend, 'RSA_1024' as WrappingKeySpec, rnd)).rejects.toThrow(/unknown wrapping key spec/);
  });
});

// ---- ImportToken ----

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const T = Date.UTC(2026, 11, 1);

function params(over: Partial<ImportParameters> = {}): ImportParameters {
  return {
    id: Buffer.from(rnd(16)).toString('hex'),
    wrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
    wrappingKeySpec: 'RSA_4096',
    privateKey: rnd(64),
    publicKey: rnd(32),
    validTo: T + IMPORT_PARAMETERS_TTL_MS,
    ...over,
  };
}

async function errorName(f: () => unknown): Promise<string> {
  try {
    await f();
    return 'ok';
  } catch (e) {
    return e instanceof KmsError ? e.name : `bare ${String(e)}`;
  }
}

describe('ImportToken (sealImportToken / openImportToken)', () => {
  test('a token opens for its key until ParametersValidTo, then is expired', async () => {
    const p = params();
    const other = params();
    const token = sealImportToken(p, ARN);
    expect(token.length).toBe(IMPORT_TOKEN_LEN);
    expect(openImportToken(token, ARN, [other, p], T)).toBe(p);
    expect(openImportToken(token, ARN, [p], p.validTo - 1)).toBe(p);
    expect(await errorName(() => openImportToken(token, ARN, [p], p.validTo))).toBe('ExpiredImportTokenException');
    expect(await errorName(() => openImportToken(token, ARN, [p], p.validTo + 86_400_000 * 400))).toBe('ExpiredImportTokenException');
  });

  test('another key, the same key ID in another Region, a consumed set → InvalidImportTokenException', async () => {
    const p = params();
    const token = sealImportToken(p, ARN);
    expect(await errorName(() => openImportToken(token, ARN.replace('1234abcd', '9999abcd'), [p], T))).toBe('InvalidImportTokenException');
    expect(await errorName(() => openImportToken(token, ARN.replace('us-east-1', 'eu-west-1'), [p], T))).toBe('InvalidImportTokenException');
    expect(await errorName(() => openImportToken(token, ARN, consumeImportParameters([p], p).keep, T))).toBe('InvalidImportTokenException');
    expect(await errorName(() => openImportToken(token, ARN, undefined, T))).toBe('InvalidImportTokenException');
  });

  test('every single-bit flip → InvalidImportTokenException (expired or not): nobody else can make or alter one', async () => {
    const p = params();
    const token = sealImportToken(p, ARN);
    for (const now of [T, p.validTo + 1]) {
      for (let i = 0; i < token.length * 8; i++) {
        const bad = token.slice();
        bad[i >> 3]! ^= 1 << (i & 7);
        expect(await errorName(() => openImportToken(bad, ARN, [p], now)), `bit ${i}`).toBe('InvalidImportTokenException');
      }
    }
  });

  test('a token whose fields disagree with its record (same MAC key) → InvalidImportTokenException', async () => {
    const p = params();
    const token = sealImportToken({ ...p, validTo: p.validTo + 1 }, ARN);
    expect(await errorName(() => openImportToken(token, ARN, [p], T))).toBe('InvalidImportTokenException');
    const t2 = sealImportToken({ ...p, wrappingAlgorithm: 'RSAES_OAEP_SHA_1' }, ARN);
    expect(await errorName(() => openImportToken(t2, ARN, [p], T))).toBe('InvalidImportTokenException');
  });

  test('property: arbitrary bytes, or a token forged with a guessed MAC key → InvalidImportTokenException, never a crash', async () => {
    const p = params();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 120 }), fc.boolean(), async (b, header) => {
        const t = b.slice();
        if (header && t.length >= 21) {
          t.set([0x4b, 0x49, 0x01]);
          t.set(Buffer.from(p.id, 'hex'), 5);
        }
        expect(await errorName(() => openImportToken(t, ARN, [p], T))).toBe('InvalidImportTokenException');
      }),
      { numRuns: 300 },
    );
    const forged = sealImportToken({ ...p, privateKey: rnd(64) }, ARN);
    expect(await errorName(() => openImportToken(forged, ARN, [p], T))).toBe('InvalidImportTokenException');
  });

  test('Precondition: a parameter set has a 16-byte ID, a model algorithm and key spec, and a representable ValidTo.', () => {
    expect(() => sealImportToken(params({ id: 'abcd' }), ARN)).toThrow();
    expect(() => sealImportToken(params({ wrappingAlgorithm: 'RSA_OAEP' as WrappingAlgorithmSpec }), ARN)).toThrow();
    expect(() => sealImportToken(params({ wrappingKeySpec: 'RSA_1024' as WrappingKeySpec }), ARN)).toThrow();
    expect(() => sealImportToken(params({ validTo: Number.NaN }), ARN)).toThrow();
  });

  test('pruning keeps the newest sets within a day past expiry; consuming drops the used one', () => {
    const sets = Array.from({ length: MAX_IMPORT_PARAMETERS + 3 }, (_, i) => params({ validTo: T + i }));
    const fresh = params({ validTo: T + 100 });
    const { keep, dropped } = pruneImportParameters(sets, T, fresh);
    expect(keep.length).toBe(MAX_IMPORT_PARAMETERS);
    expect(keep[keep.length - 1]).toBe(fresh);
    expect(dropped.length).toBe(4);
    expect(new Set([...keep, ...dropped]).size).toBe(sets.length + 1);
    const stale = params({ validTo: T - 2 * 86_400_000 });
    const recent = params({ validTo: T - 3_600_000 });
    expect(pruneImportParameters([stale, recent], T).keep).toEqual([recent]);
    const used = consumeImportParameters([stale, recent], recent);
    expect(used.keep).toEqual([stale]);
    expect(used.dropped).toEqual([recent]);
  });
});

// ---- Material rules ----

describe('imported key material: requirements and KeyMaterialId', () => {
  const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';

  test('SYMMETRIC_DEFAULT: 32 bytes, 16 in the China Regions, else the suite of the key\'s existing material', async () => {
    expect(expectedSymmetricSuite([], 'us-east-1')).toBe('AES_256_GCM');
    expect(expectedSymmetricSuite([], 'cn-north-1')).toBe('SM4_GCM');
    const aes: BackingKey = { id: 'a'.repeat(64), material: rnd(32), createdAt: 0 };
    expect(expectedSymmetricSuite([aes], 'cn-north-1')).toBe('AES_256_GCM');
    checkSymmetricMaterial(rnd(32), 'AES_256_GCM');
    checkSymmetricMaterial(rnd(16), 'SM4_GCM');
    for (const [n, suite] of [
      [16, 'AES_256_GCM'],
      [31, 'AES_256_GCM'],
      [33, 'AES_256_GCM'],
      [32, 'SM4_GCM'],
      [0, 'SM4_GCM'],
    ] as const) {
      expect(await errorName(() => checkSymmetricMaterial(rnd(n), suite))).toBe('IncorrectKeyMaterialException');
    }
  });

  test('HMAC_*: from the digest length to 1024 bits', async () => {
    for (const [spec, min] of [
      ['HMAC_224', 28],
      ['HMAC_256', 32],
      ['HMAC_384', 48],
      ['HMAC_512', 64],
    ] as const) {
      checkHmacMaterial(spec, rnd(min));
      checkHmacMaterial(spec, rnd(128));
      expect(await errorName(() => checkHmacMaterial(spec, rnd(min - 1)))).toBe('IncorrectKeyMaterialException');
      expect(await errorName(() => checkHmacMaterial(spec, rnd(129)))).toBe('IncorrectKeyMaterialException');
    }
  });

  test('Precondition: the key spec is an HMAC key spec.', () => {
    expect(() => checkHmacMaterial('SYMMETRIC_DEFAULT', rnd(32))).toThrow(/not an HMAC key spec/);
  });

  test('SM2: a PKCS#8 SM2 private key (OpenSSL\'s genpkey -algorithm ec -pkeyopt ec_paramgen_curve:sm2 | pkcs8 -topk8)', async () => {
    const der = openssl(['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:sm2', '-outform', 'DER', '-out', 'k.der'], {}, 'k.der');
    const pk8 = openssl(['pkcs8', '-topk8', '-inform', 'DER', '-outform', 'der', '-nocrypt', '-in', 'k.der', '-out', 'p8.der'], { 'k.der': der }, 'p8.der');
    checkSm2Material(new Uint8Array(pk8));
    expect(await errorName(() => checkSm2Material(rnd(32)))).toBe('IncorrectKeyMaterialException');
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(await errorName(() => checkSm2Material(new Uint8Array(p256)))).toBe('IncorrectKeyMaterialException');
  });

  test('KeyMaterialId: 64 hex, a function of key ID and material only', () => {
    const m = rnd(32);
    const id = importedKeyMaterialId(keyId, m);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(importedKeyMaterialId(keyId, m.slice())).toBe(id);
    expect(importedKeyMaterialId('mrk-' + '0'.repeat(32), m)).not.toBe(id);
    expect(importedKeyMaterialId(keyId, rnd(32))).not.toBe(id);
    expect(id).not.toContain(Buffer.from(m).toString('hex').slice(0, 16));
  });

  test('planSymmetricImport: first import, re-import, new material, and the refusals', async () => {
    const m1 = rnd(32);
    const m2 = rnd(32);
    const id1 = importedKeyMaterialId(keyId, m1);
    expect(planSymmetricImport(keyId, [], m1, undefined, undefined)).toEqual({ kind: 'first', keyMaterialId: id1 });
    const versions: BackingKey[] = [{ id: id1, material: new Uint8Array(0), createdAt: 0 }];
    // After the first import, the default is EXISTING_KEY_MATERIAL.
    expect(planSymmetricImport(keyId, versions, m1, undefined, undefined)).toEqual({ kind: 'reimport', keyMaterialId: id1, index: 0 });
    expect(planSymmetricImport(keyId, versions, m1, 'EXISTING_KEY_MATERIAL', id1)).toEqual({ kind: 'reimport', keyMaterialId: id1, index: 0 });
    expect(await errorName(() => planSymmetricImport(keyId, versions, m2, undefined, undefined))).toBe('IncorrectKeyMaterialException');
    expect(await errorName(() => planSymmetricImport(keyId, versions, m1, 'EXISTING_KEY_MATERIAL', 'f'.repeat(64)))).toBe('IncorrectKeyMaterialException');
    expect(planSymmetricImport(keyId, versions, m2, 'NEW_KEY_MATERIAL', undefined)).toEqual({ kind: 'new', keyMaterialId: importedKeyMaterialId(keyId, m2) });
    expect(await errorName(() => planSymmetricImport(keyId, versions, m1, 'NEW_KEY_MATERIAL', undefined))).toBe('IncorrectKeyMaterialException');
    expect(await errorName(() => planSymmetricImport(keyId, versions, m2, 'NEW_KEY_MATERIAL', id1))).toBe('ValidationException');
    // The same material in another key is other material there (the ciphertext names its key).
    expect(await errorName(() => planSymmetricImport('9999abcd-12ab-34cd-56ef-1234567890ab', versions, m1, undefined, undefined))).toBe('IncorrectKeyMaterialException');
  });
});

describe('newImportParameters → ImportToken → unwrap (the whole crypto path of one import)', () => {
  test('RSA_4096 with RSAES_OAEP_SHA_256 and RSA_2048 with RSA_AES_KEY_WRAP_SHA_1: the token opens, names the pair, the pair unwraps', async () => {
    const { newImportParameters } = await import('../src/keys/import-token.js');
    // The RSA_4096 pair comes from the OpenSSL fixture (test/fixtures/wrapping-keys): the backend's
    // own 4096-bit generation is the very rsaGenerateKeyPair(4096) that test/data-key-pairs.test.ts
    // runs and checks with OpenSSL and node:crypto; the size asked for is checked below.
    const fixtures = fixtureBackend(backend);
    for (const [alg, spec, md, b, bits] of [
      ['RSAES_OAEP_SHA_256', 'RSA_4096', 'sha256', fixtures, 4096],
      ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_2048', 'sha1', backend, 2048],
    ] as const) {
      const { params, response } = await newImportParameters(b, rnd, { keyArn: ARN, wrappingAlgorithm: alg, wrappingKeySpec: spec, now: T });
      expect(createPublicKey({ key: Buffer.from(response.PublicKey), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(bits);
      expect(response.KeyId).toBe(ARN);
      expect(response.ParametersValidTo.getTime()).toBe(T + 24 * 3_600_000);
      expect(hex(response.PublicKey)).toBe(hex(params.publicKey));
      const got = openImportToken(response.ImportToken, ARN, [params], T + 1000);
      expect(got).toBe(params);
      const m = rnd(32);
      const encrypted = alg === 'RSAES_OAEP_SHA_256' ? nodeOaep(response.PublicKey, md, m) : guideRsaAes(response.PublicKey, md, m);
      expect(hex(await unwrapImportedMaterial(backend, got, encrypted))).toBe(hex(m));
    }
  });
});
