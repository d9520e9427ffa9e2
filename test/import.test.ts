/**
 * Importing key material (BYOK) through the Kms API, on every backend: GetParametersForImport,
 * ImportKeyMaterial, DeleteImportedKeyMaterial, and what imported material does to Encrypt,
 * Decrypt, GetPublicKey, DescribeKey, RotateKeyOnDemand and ListKeyRotations.
 *
 * Material is wrapped by code we did not write (node:crypto, the OpenSSL CLI with the Developer
 * Guide's commands: test/helpers/wrap.ts), and what a key encrypts with is checked by opening
 * its blobs with the raw material from vectors/FORMAT.md alone (node:crypto), by node:crypto's
 * own public key of an imported private key, and by OpenSSL decrypting SM2PKE ciphertext.
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, publicEncrypt, type KeyObject } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type KeyMetadata, type KeyStoreSnapshot } from '../src/index.js';
import type { Backend } from '../src/backend/types.js';
import { nobleBackend } from '../src/backend/noble.js';
import { defaultBackend } from './helpers/backend.js';
import { dec, enc } from './helpers/index.js';
import { DAY, ManualClock, describe_, newKey, refuses, snapshotKey } from './helpers/keys.js';
import { openssl } from './helpers/oracles.js';
import { RSA_WRAPPINGS, expectedMaterialId, fixtureBackend, fixtureRsaKey, nodeWrap, openV1WithMaterial, opensslSm2Wrap, opensslWrap, rnd, type RsaWrapping } from './helpers/wrap.js';

const HOUR = 3_600_000;
const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex');

/** The backend of this vitest project, with RSA wrapping key pairs from test fixtures (test/helpers/wrap.ts). */
const pooled: Backend = fixtureBackend(defaultBackend);

function setup(region = 'us-east-1', backend: Backend = pooled) {
  const clock = new ManualClock();
  const keyStore = new InMemoryKeyStore();
  const kms = new Kms({ region, keyStore, now: clock.now, backend });
  return { clock, keyStore, kms };
}

type Wrapper = (alg: RsaWrapping, spki: Uint8Array, m: Uint8Array) => Uint8Array;

/** GetParametersForImport, wrap `material`, ImportKeyMaterial: the Developer Guide's three steps. */
async function importInto(kms: Kms, keyId: string, material: Uint8Array, opts: { alg?: RsaWrapping; spec?: 'RSA_2048' | 'RSA_3072' | 'RSA_4096'; wrap?: Wrapper; extra?: Record<string, unknown> } = {}) {
  const alg = opts.alg ?? 'RSAES_OAEP_SHA_256';
  const p = await kms.getParametersForImport({ KeyId: keyId, WrappingAlgorithm: alg, WrappingKeySpec: opts.spec ?? 'RSA_2048' });
  const EncryptedKeyMaterial = (opts.wrap ?? nodeWrap)(alg, p.PublicKey as Uint8Array, material);
  // With a ValidTo and no ExpirationModel, the request takes the default (KEY_MATERIAL_EXPIRES).
  const expiry = opts.extra && 'ValidTo' in opts.extra ? {} : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const };
  return kms.importKeyMaterial({ KeyId: keyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ...expiry, ...opts.extra });
}

async function external(kms: Kms, input: Parameters<Kms['createKey']>[0] = {}): Promise<KeyMetadata> {
  return newKey(kms, { Origin: 'EXTERNAL', ...input });
}

describe('GetParametersForImport', () => {
  test('returns the key ARN, an RSA SPKI of the wrapping key spec, a token and ParametersValidTo 24 h ahead (the backend\'s own RSA_2048 generator)', async () => {
    const { kms, clock } = setup('us-east-1', { ...pooled, rsaGenerateKeyPair: (bits) => (bits === 2048 ? defaultBackend.rsaGenerateKeyPair(bits) : pooled.rsaGenerateKeyPair(bits)) });
    const key = await external(kms);
    for (const [spec, bits] of [
      ['RSA_2048', 2048],
      ['RSA_3072', 3072],
    ] as const) {
      const p = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: spec });
      expect(p.KeyId).toBe(key.Arn);
      const pub = createPublicKey({ key: Buffer.from(p.PublicKey as Uint8Array), format: 'der', type: 'spki' });
      expect(pub.asymmetricKeyType).toBe('rsa');
      expect(pub.asymmetricKeyDetails?.modulusLength).toBe(bits);
      expect((p.ParametersValidTo as Date).getTime()).toBe(clock.t + 24 * HOUR);
      expect(p.ImportToken?.length).toBeGreaterThan(0);
    }
    // Two calls, two independent sets: both tokens import (each once).
    const m = rnd(32);
    const a = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' });
    const b = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_3072' });
    expect(hex(a.PublicKey)).not.toBe(hex(b.PublicKey));
    for (const [p, alg] of [
      [b, 'RSAES_OAEP_SHA_256'],
      [a, 'RSAES_OAEP_SHA_1'],
    ] as const) {
      await kms.importKeyMaterial({ KeyId: key.Arn as string, ImportToken: p.ImportToken, EncryptedKeyMaterial: nodeWrap(alg, p.PublicKey as Uint8Array, m), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    }
  });

  test('Precondition: the key\'s state passes the operation\'s rule of the key-state table — Origin EXTERNAL first (footnote 9), then not pending deletion (footnote 8)', async () => {
    const { kms } = setup();
    const aws = await newKey(kms);
    for (const op of ['getParametersForImport', 'importKeyMaterial', 'deleteImportedKeyMaterial'] as const) {
      const input = { KeyId: aws.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048', ImportToken: rnd(61), EncryptedKeyMaterial: rnd(256) };
      await refuses((kms[op] as (i: unknown) => Promise<unknown>).call(kms, input), 'UnsupportedOperationException', `${aws.Arn} origin is AWS_KMS which is not valid for this operation.`);
    }
    const ext = await external(kms);
    await kms.scheduleKeyDeletion({ KeyId: ext.KeyId, PendingWindowInDays: 7 });
    await refuses(kms.getParametersForImport({ KeyId: ext.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), 'KMSInvalidStateException', `${ext.Arn} is pending deletion.`);
    await refuses(kms.importKeyMaterial({ KeyId: ext.KeyId, ImportToken: rnd(61), EncryptedKeyMaterial: rnd(256), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }), 'KMSInvalidStateException', `${ext.Arn} is pending deletion.`);
    // DeleteImportedKeyMaterial: "When the specified KMS key is in the PendingDeletion state, this operation does not change the KMS key's state."
    expect(await kms.deleteImportedKeyMaterial({ KeyId: ext.KeyId })).toEqual({ KeyId: ext.Arn });
    expect((await describe_(kms, ext.KeyId)).KeyState).toBe('PendingDeletion');
  });

  test('Precondition: the key spec takes imported key material (Developer Guide: "Importing ML-DSA keys is not supported") — an ML-DSA key loaded from a snapshot with Origin EXTERNAL', async () => {
    // CreateKey refuses Origin EXTERNAL for ML-DSA; a snapshot written elsewhere can still hold one.
    const { kms, keyStore } = setup();
    const md = await newKey(kms, { KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' });
    const snap = JSON.parse(JSON.stringify(keyStore.exportSnapshot())) as KeyStoreSnapshot;
    snapshotKey(snap, md.Arn as string).Origin = 'EXTERNAL';
    const loaded = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify(snap)), backend: pooled });
    const msg = 'Importing key material is not supported for key spec ML_DSA_44.';
    await refuses(loaded.getParametersForImport({ KeyId: md.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' }), 'UnsupportedOperationException', msg);
    await refuses(loaded.importKeyMaterial({ KeyId: md.KeyId, ImportToken: rnd(61), EncryptedKeyMaterial: rnd(256), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }), 'UnsupportedOperationException', msg);
  });

  test('takes a key ID or key ARN; an alias is NotFoundException ("Specify the key ID or key ARN")', async () => {
    const { kms } = setup();
    const ext = await external(kms);
    await kms.createAlias({ AliasName: 'alias/byok', TargetKeyId: ext.KeyId });
    await refuses(kms.getParametersForImport({ KeyId: 'alias/byok', WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), 'NotFoundException', "Invalid keyId 'alias/byok'");
    expect((await kms.getParametersForImport({ KeyId: ext.Arn as string, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })).KeyId).toBe(ext.Arn);
  });

  test('Precondition: the wrapping algorithm is one AWS still supports (RSAES_PKCS1_V1_5: not since 2023-10-10)', async () => {
    const { kms } = setup();
    const ext = await external(kms);
    await refuses(kms.getParametersForImport({ KeyId: ext.KeyId, WrappingAlgorithm: 'RSAES_PKCS1_V1_5', WrappingKeySpec: 'RSA_2048' }), 'UnsupportedOperationException', /October 10, 2023/);
  });

  test('Precondition: the wrapping algorithm and key spec are offered in this Region (SM2, SM2PKE: China Regions only; RSA_AES_*: not in China Regions)', async () => {
    const us = setup().kms;
    const ext = await external(us);
    await refuses(us.getParametersForImport({ KeyId: ext.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' }), 'UnsupportedOperationException', /not supported in this Region/);
    await refuses(us.getParametersForImport({ KeyId: ext.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'SM2' }), 'UnsupportedOperationException', /not supported in this Region/);
    const cn = setup('cn-north-1').kms;
    const cnKey = await external(cn);
    await refuses(cn.getParametersForImport({ KeyId: cnKey.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' }), 'UnsupportedOperationException', /not supported in this Region/);
  });

  test('Precondition: the wrapping algorithm wraps with the wrapping key spec (SM2PKE: SM2; the RSA algorithms: RSA_*)', async () => {
    const cn = setup('cn-north-1').kms;
    const key = await external(cn);
    await refuses(cn.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'RSA_2048' }), 'ValidationException', 'The SM2PKE wrapping algorithm cannot be used with the RSA_2048 wrapping key spec.');
    await refuses(cn.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'SM2' }), 'ValidationException', 'The RSAES_OAEP_SHA_1 wrapping algorithm cannot be used with the SM2 wrapping key spec.');
  });

  test('Precondition: the wrapping choice can carry this key spec\'s material — RSA keys: RSA_AES only; ECC_NIST_P521: not RSAES_OAEP with RSA_2048', async () => {
    const { kms } = setup();
    const rsa = await external(kms, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    for (const alg of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const) {
      await refuses(kms.getParametersForImport({ KeyId: rsa.KeyId, WrappingAlgorithm: alg, WrappingKeySpec: 'RSA_4096' }), 'ValidationException', /you must use an RSA_AES wrapping algorithm/);
    }
    const p521 = await external(kms, { KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' });
    await refuses(kms.getParametersForImport({ KeyId: p521.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), 'ValidationException', /ECC_NIST_P521/);
    expect((await kms.getParametersForImport({ KeyId: p521.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_3072' })).KeyId).toBe(p521.Arn);
  });

  test('the noble backend (no RSA) refuses RSA wrapping keys with its UnsupportedOperationException, and imports with SM2PKE in China', async () => {
    const us = setup('us-east-1', nobleBackend).kms;
    const ext = await external(us);
    await refuses(us.getParametersForImport({ KeyId: ext.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), 'UnsupportedOperationException');
    const cn = setup('cn-north-1', nobleBackend).kms;
    const key = await external(cn);
    const p = await cn.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' });
    const m = rnd(16);
    await cn.importKeyMaterial({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: opensslSm2Wrap(p.PublicKey as Uint8Array, m), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const { CiphertextBlob } = await cn.encrypt({ KeyId: key.KeyId, Plaintext: enc('sm4 under imported material') });
    expect(CiphertextBlob?.[1]).toBe(0x02); // envelope v2 (SM4-GCM)
    expect(dec((await cn.decrypt({ CiphertextBlob })).Plaintext)).toBe('sm4 under imported material');
  });
});

describe('ImportKeyMaterial: symmetric encryption keys', () => {
  const wrappers: [string, Wrapper][] = [
    ['node:crypto', nodeWrap],
    ['openssl (Developer Guide commands)', opensslWrap],
  ];
  for (const [who, wrap] of wrappers) {
    for (const alg of RSA_WRAPPINGS) {
      test(`${alg}, wrapped by ${who}: the key becomes Enabled and encrypts with exactly the imported material`, async () => {
        const { kms } = setup();
        const key = await external(kms);
        const m = rnd(32);
        const out = await importInto(kms, key.KeyId, m, { alg, wrap });
        const id = expectedMaterialId(key.KeyId, m);
        expect(out).toEqual({ KeyId: key.Arn, KeyMaterialId: id });
        const md = await describe_(kms, key.KeyId);
        expect(md).toMatchObject({ KeyState: 'Enabled', Enabled: true, Origin: 'EXTERNAL', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', CurrentKeyMaterialId: id });
        expect(md).not.toHaveProperty('ValidTo');
        const e = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc(`hello from ${alg}`) });
        expect((await kms.decrypt({ CiphertextBlob: e.CiphertextBlob })).KeyMaterialId).toBe(id);
        // vectors/FORMAT.md, by node:crypto, with the raw material: the blob is sealed under it.
        expect(dec(openV1WithMaterial(m, e.CiphertextBlob as Uint8Array))).toBe(`hello from ${alg}`);
        expect(openV1WithMaterial(rnd(32), e.CiphertextBlob as Uint8Array)).toBeUndefined();
        expect(dec((await kms.decrypt({ CiphertextBlob: e.CiphertextBlob })).Plaintext)).toBe(`hello from ${alg}`);
      });
    }
  }

  test('RSA_4096 wrapping key, the Developer Guide\'s recommended spec, with openssl RSA_AES_KEY_WRAP_SHA_256', async () => {
    const { kms } = setup();
    const key = await external(kms);
    const m = rnd(32);
    await importInto(kms, key.KeyId, m, { alg: 'RSA_AES_KEY_WRAP_SHA_256', spec: 'RSA_4096', wrap: opensslWrap });
    const e = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('4096') });
    expect(dec(openV1WithMaterial(m, e.CiphertextBlob as Uint8Array))).toBe('4096');
  });

  test('China Regions: 16-byte material (SM4), wrapped by openssl with SM2PKE or RSAES_OAEP; 32 bytes are refused there', async () => {
    const { kms } = setup('cn-northwest-1');
    const key = await external(kms);
    const p = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' });
    await refuses(
      kms.importKeyMaterial({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: opensslSm2Wrap(p.PublicKey as Uint8Array, rnd(32)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
      'IncorrectKeyMaterialException',
      'The key material must be 128 bits (16 bytes) of binary data for this KMS key.',
    );
    const m = rnd(16);
    const q = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' });
    await kms.importKeyMaterial({ KeyId: key.KeyId, ImportToken: q.ImportToken, EncryptedKeyMaterial: opensslSm2Wrap(q.PublicKey as Uint8Array, m), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const e = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('sm4') });
    expect(e.CiphertextBlob?.[1]).toBe(0x02);
    expect(dec((await kms.decrypt({ CiphertextBlob: e.CiphertextBlob })).Plaintext)).toBe('sm4');
    // Re-import the same 16 bytes with RSAES_OAEP_SHA_256 (allowed in China): same KeyMaterialId.
    expect((await importInto(kms, key.KeyId, m, { wrap: opensslWrap })).KeyMaterialId).toBe(expectedMaterialId(key.KeyId, m));
  });

  test('the same material in two keys: distinct KeyMaterialIds, and neither key decrypts the other\'s ciphertext (the ciphertext names its key)', async () => {
    const { kms } = setup();
    const a = await external(kms);
    const b = await external(kms);
    const m = rnd(32);
    const ia = (await importInto(kms, a.KeyId, m)).KeyMaterialId;
    const ib = (await importInto(kms, b.KeyId, m, { alg: 'RSA_AES_KEY_WRAP_SHA_1' })).KeyMaterialId;
    expect(ia).not.toBe(ib);
    const blobA = (await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('for A') })).CiphertextBlob as Uint8Array;
    const blobB = (await kms.encrypt({ KeyId: b.KeyId, Plaintext: enc('for B') })).CiphertextBlob as Uint8Array;
    expect((await kms.decrypt({ CiphertextBlob: blobA })).KeyId).toBe(a.Arn);
    expect((await kms.decrypt({ CiphertextBlob: blobB })).KeyId).toBe(b.Arn);
    await refuses(kms.decrypt({ CiphertextBlob: blobA, KeyId: b.KeyId }), 'IncorrectKeyException');
    await refuses(kms.reEncrypt({ CiphertextBlob: blobB, SourceKeyId: a.KeyId, DestinationKeyId: a.KeyId }), 'IncorrectKeyException');
    // A's blob rewritten to name B (key ID and B's KeyMaterialId): B's data key differs, it does not open.
    const forged = blobA.slice();
    forged.set(Buffer.from(b.KeyId.replaceAll('-', ''), 'hex'), 8);
    forged.set(Buffer.from(ib as string, 'hex'), 24);
    await refuses(kms.decrypt({ CiphertextBlob: forged }), 'InvalidCiphertextException');
    await refuses(kms.decrypt({ CiphertextBlob: forged, KeyId: b.KeyId }), 'InvalidCiphertextException');
  });

  test('Precondition: an asymmetric or HMAC key takes only the material it had (IncorrectKeyMaterialException); symmetric: "not the same key material that was previously imported"', async () => {
    const { kms } = setup();
    const key = await external(kms);
    await importInto(kms, key.KeyId, rnd(32));
    await refuses(importInto(kms, key.KeyId, rnd(32)), 'IncorrectKeyMaterialException', 'The key material is not the key material that was previously imported into this KMS key.');
    await refuses(importInto(kms, key.KeyId, rnd(32), { extra: { ImportType: 'EXISTING_KEY_MATERIAL' } }), 'IncorrectKeyMaterialException');
    const hmac = await external(kms, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const hm = rnd(40);
    await importInto(kms, hmac.KeyId, hm);
    await importInto(kms, hmac.KeyId, hm);
    await refuses(importInto(kms, hmac.KeyId, rnd(40)), 'IncorrectKeyMaterialException', 'The key material is not the key material that was previously imported into this KMS key.');
  });

  test('wrong size: IncorrectKeyMaterialException (symmetric 32 bytes; HMAC from the spec\'s length to 1024 bits)', async () => {
    const { kms } = setup();
    const key = await external(kms);
    for (const n of [16, 31, 33, 64]) {
      await refuses(importInto(kms, key.KeyId, rnd(n)), 'IncorrectKeyMaterialException', 'The key material must be 256 bits (32 bytes) of binary data for this KMS key.');
    }
    for (const [spec, min] of [
      ['HMAC_224', 28],
      ['HMAC_256', 32],
      ['HMAC_384', 48],
      ['HMAC_512', 64],
    ] as const) {
      const h = await external(kms, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
      await refuses(importInto(kms, h.KeyId, rnd(min - 1), { alg: 'RSA_AES_KEY_WRAP_SHA_256' }), 'IncorrectKeyMaterialException', new RegExp(`${spec} must be ${min * 8} to 1024 bits`));
      await refuses(importInto(kms, h.KeyId, rnd(129), { alg: 'RSA_AES_KEY_WRAP_SHA_256' }), 'IncorrectKeyMaterialException');
      await importInto(kms, h.KeyId, rnd(128), { alg: 'RSA_AES_KEY_WRAP_SHA_256' });
      expect((await describe_(kms, h.KeyId)).KeyState).toBe('Enabled');
      const h2 = await external(kms, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
      await importInto(kms, h2.KeyId, rnd(min));
      expect(await describe_(kms, h2.KeyId)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    }
  });

  test('wrong token: InvalidImportTokenException for garbage, another key\'s token, a token used once already, an altered token', async () => {
    const { kms } = setup();
    const a = await external(kms);
    const b = await external(kms);
    const m = rnd(32);
    const pa = await kms.getParametersForImport({ KeyId: a.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const wrapped = nodeWrap('RSAES_OAEP_SHA_256', pa.PublicKey as Uint8Array, m);
    const req = (KeyId: string, ImportToken: Uint8Array) => kms.importKeyMaterial({ KeyId, ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const msg = 'The import token is invalid or is associated with a different KMS key.';
    await refuses(req(a.KeyId, rnd(61)), 'InvalidImportTokenException', msg);
    await refuses(req(a.KeyId, enc('x')), 'InvalidImportTokenException', msg);
    await refuses(req(b.KeyId, pa.ImportToken as Uint8Array), 'InvalidImportTokenException', msg);
    for (const i of [3, 10, 25, 40, 60]) {
      const t = (pa.ImportToken as Uint8Array).slice();
      t[i]! ^= 1;
      await refuses(req(a.KeyId, t), 'InvalidImportTokenException', msg);
    }
    await req(a.KeyId, pa.ImportToken as Uint8Array);
    await refuses(req(a.KeyId, pa.ImportToken as Uint8Array), 'InvalidImportTokenException', msg);
  });

  test('expired parameters: ExpiredImportTokenException from ParametersValidTo on, until they are dropped', async () => {
    const { kms, clock } = setup();
    const key = await external(kms);
    const p = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const req = () => kms.importKeyMaterial({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: nodeWrap('RSAES_OAEP_SHA_256', p.PublicKey as Uint8Array, rnd(32)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    clock.set((p.ParametersValidTo as Date).getTime());
    await refuses(req(), 'ExpiredImportTokenException', /Use GetParametersForImport to get a new import token/);
    clock.advance(DAY + 1);
    // A new GetParametersForImport prunes sets a day past their validity: the old token is now unknown.
    await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    await refuses(req(), 'InvalidImportTokenException');
  });

  test('Precondition: a multi-Region replica imports its primary\'s material only — other material is IncorrectKeyMaterialException, the primary\'s makes the replica Enabled', async () => {
    const keyStore = new InMemoryKeyStore();
    const clock = new ManualClock();
    const us = new Kms({ region: 'us-east-1', keyStore, now: clock.now, backend: pooled });
    const eu = new Kms({ region: 'eu-west-1', keyStore, now: clock.now, backend: pooled });
    const p = await external(us, { MultiRegion: true });
    const m = rnd(32);
    await importInto(us, p.KeyId, m);
    await us.replicateKey({ KeyId: p.KeyId, ReplicaRegion: 'eu-west-1' });
    await refuses(importInto(eu, p.KeyId, rnd(32)), 'IncorrectKeyMaterialException', 'The key material is not the key material of the primary key of this multi-Region key.');
    expect((await describe_(eu, p.KeyId)).KeyState).toBe('PendingImport');
    await importInto(eu, p.KeyId, m);
    expect((await describe_(eu, p.KeyId)).KeyState).toBe('Enabled');
    const { CiphertextBlob } = await us.encrypt({ KeyId: p.KeyId, Plaintext: enc('shared') });
    expect(dec((await eu.decrypt({ CiphertextBlob })).Plaintext)).toBe('shared');
  });

  test('Precondition: the wrapped key material unwraps with the token\'s wrapping key and algorithm — InvalidCiphertextException', async () => {
    const { kms } = setup();
    const key = await external(kms);
    const p = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const other = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_3072' });
    const m = rnd(32);
    const msg = 'From the ImportKeyMaterial operation, the request was rejected because KMS could not decrypt the encrypted (wrapped) key material.';
    const cases = [
      nodeWrap('RSA_AES_KEY_WRAP_SHA_1', p.PublicKey as Uint8Array, m), // the other hash
      nodeWrap('RSAES_OAEP_SHA_256', p.PublicKey as Uint8Array, m), // the other algorithm
      nodeWrap('RSA_AES_KEY_WRAP_SHA_256', other.PublicKey as Uint8Array, m), // another wrapping key
      rnd(300),
      new Uint8Array(1),
    ];
    const good = nodeWrap('RSA_AES_KEY_WRAP_SHA_256', p.PublicKey as Uint8Array, m);
    const flipped = good.slice();
    flipped[good.length - 3]! ^= 0x80;
    cases.push(flipped);
    for (const EncryptedKeyMaterial of cases) {
      await refuses(kms.importKeyMaterial({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }), 'InvalidCiphertextException', msg);
    }
    // A failed import does not consume the parameters.
    await kms.importKeyMaterial({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: good, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  });

  test('Precondition: KEY_MATERIAL_EXPIRES (the default) comes with a ValidTo ("you must specify a value for the ValidTo parameter"); Precondition: no ValidTo with KEY_MATERIAL_DOES_NOT_EXPIRE ("you must omit the ValidTo parameter"); Precondition: ValidTo is a future date at most 365 days from the request date', async () => {
    const { kms, clock } = setup();
    const key = await external(kms);
    const p = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const base = { KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: nodeWrap('RSAES_OAEP_SHA_256', p.PublicKey as Uint8Array, rnd(32)) };
    await refuses(kms.importKeyMaterial(base), 'ValidationException', /ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES/);
    await refuses(kms.importKeyMaterial({ ...base, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ValidTo: new Date(clock.t + DAY) }), 'ValidationException', 'ValidTo is not valid when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');
    for (const t of [clock.t, clock.t - 1, clock.t + 365 * DAY + 1]) {
      await refuses(kms.importKeyMaterial({ ...base, ValidTo: new Date(t) }), 'ValidationException', 'ValidTo must be a future date and time no more than 365 days from the request date.');
    }
    await kms.importKeyMaterial({ ...base, ValidTo: new Date(clock.t + 365 * DAY) });
    expect(await describe_(kms, key.KeyId)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(clock.t + 365 * DAY) });
  });

  test('Precondition: ImportType, KeyMaterialId and KeyMaterialDescription are for symmetric encryption keys ("only usable with symmetric encryption keys"); Precondition: a KeyMaterialId names material of a symmetric encryption key (other keys have one material)', async () => {
    const { kms } = setup();
    const h = await external(kms, { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' });
    for (const extra of [{ ImportType: 'NEW_KEY_MATERIAL' }, { KeyMaterialId: 'a'.repeat(64) }, { KeyMaterialDescription: 'x' }]) {
      await refuses(importInto(kms, h.KeyId, rnd(48), { extra }), 'ValidationException', /only usable with symmetric encryption keys/);
    }
    await refuses(kms.deleteImportedKeyMaterial({ KeyId: h.KeyId, KeyMaterialId: 'a'.repeat(64) }), 'ValidationException', /only usable with symmetric encryption keys/);
  });
});

describe('ImportKeyMaterial: asymmetric keys (PKCS#8, as the Developer Guide documents)', () => {
  const der = (k: KeyObject) => new Uint8Array(k.export({ format: 'der', type: 'pkcs8' }));

  test('RSA_2048 ENCRYPT_DECRYPT: imported with openssl RSA_AES_KEY_WRAP_SHA_256; GetPublicKey is node\'s public key of it, and node\'s OAEP ciphertext decrypts', async () => {
    const { kms } = setup();
    const key = await external(kms, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const privateKey = fixtureRsaKey(2048);
    const out = await importInto(kms, key.KeyId, der(privateKey), { alg: 'RSA_AES_KEY_WRAP_SHA_256', wrap: opensslWrap });
    expect(out).toEqual({ KeyId: key.Arn });
    const md = await describe_(kms, key.KeyId);
    expect(md).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    expect(hex((await kms.getPublicKey({ KeyId: key.KeyId })).PublicKey)).toBe(spki.toString('hex'));
    const c = publicEncrypt({ key: createPublicKey(privateKey), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('rsa imported'));
    expect(dec((await kms.decrypt({ KeyId: key.KeyId, CiphertextBlob: new Uint8Array(c), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).Plaintext)).toBe('rsa imported');
    // The same key pair in another encoding (PKCS#1 converted by openssl to PKCS#8 again) is the same material.
    const again = openssl(['pkcs8', '-topk8', '-nocrypt', '-inform', 'DER', '-outform', 'DER', '-in', 'k.der', '-out', 'o.der'], { 'k.der': der(privateKey) }, 'o.der');
    await importInto(kms, key.KeyId, new Uint8Array(again), { alg: 'RSA_AES_KEY_WRAP_SHA_1' });
  });

  test('RSA: another modulus size, multi-prime or inconsistent parts are IncorrectKeyMaterialException', async () => {
    const { kms } = setup();
    const key = await external(kms, { KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' });
    const small = der(fixtureRsaKey(2048));
    await refuses(importInto(kms, key.KeyId, small, { alg: 'RSA_AES_KEY_WRAP_SHA_256' }), 'IncorrectKeyMaterialException', /3072-bit modulus/);
    const ok = der(fixtureRsaKey(3072));
    const broken = ok.slice();
    broken[ok.length - 5]! ^= 1; // qi no longer the CRT coefficient
    await refuses(importInto(kms, key.KeyId, broken, { alg: 'RSA_AES_KEY_WRAP_SHA_256' }), 'IncorrectKeyMaterialException');
    await refuses(importInto(kms, key.KeyId, rnd(64), { alg: 'RSA_AES_KEY_WRAP_SHA_256' }), 'IncorrectKeyMaterialException');
    await importInto(kms, key.KeyId, ok, { alg: 'RSA_AES_KEY_WRAP_SHA_256' });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
  });

  for (const [spec, curve, usage] of [
    ['ECC_NIST_P256', 'prime256v1', 'KEY_AGREEMENT'],
    ['ECC_NIST_P384', 'secp384r1', 'SIGN_VERIFY'],
    ['ECC_NIST_P521', 'secp521r1', 'SIGN_VERIFY'],
    ['ECC_SECG_P256K1', 'secp256k1', 'SIGN_VERIFY'],
  ] as const) {
    test(`${spec} (${usage}): an OpenSSL-made PKCS#8 key imports; GetPublicKey is node's public key of it; another curve is IncorrectKeyMaterialException`, async () => {
      const { kms } = setup();
      const key = await external(kms, { KeySpec: spec, KeyUsage: usage });
      const pem = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-pkeyopt', 'ec_param_enc:named_curve', '-out', 'k.pem'], {}, 'k.pem');
      const priv = createPrivateKey(pem);
      const wrong = der(generateKeyPairSync('ec', { namedCurve: curve === 'prime256v1' ? 'secp384r1' : 'prime256v1' }).privateKey);
      await refuses(importInto(kms, key.KeyId, wrong, { alg: 'RSA_AES_KEY_WRAP_SHA_256' }), 'IncorrectKeyMaterialException', /named curve/);
      await importInto(kms, key.KeyId, der(priv), { alg: 'RSA_AES_KEY_WRAP_SHA_256', wrap: opensslWrap });
      const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
      expect(hex((await kms.getPublicKey({ KeyId: key.KeyId })).PublicKey)).toBe(spki.toString('hex'));
      expect(await describe_(kms, key.KeyId)).toMatchObject({ KeyState: 'Enabled', KeySpec: spec, KeyUsage: usage });
    });
  }

  test('SM2 in cn-north-1 (SM2PKE wrapping): OpenSSL\'s SM2 key imports; kms-core\'s SM2PKE ciphertext decrypts with openssl pkeyutl -decrypt under it', async () => {
    const { kms } = setup('cn-north-1');
    const key = await external(kms, { KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' });
    const pem = openssl(['genpkey', '-algorithm', 'SM2', '-out', 'k.pem'], {}, 'k.pem');
    const pkcs8 = openssl(['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER', '-in', 'k.pem', '-out', 'k.der'], { 'k.pem': pem }, 'k.der');
    const p = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' });
    await kms.importKeyMaterial({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: opensslSm2Wrap(p.PublicKey as Uint8Array, new Uint8Array(pkcs8)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const pub = openssl(['pkey', '-in', 'k.pem', '-pubout', '-outform', 'DER', '-out', 'p.der'], { 'k.pem': pem }, 'p.der');
    expect(hex((await kms.getPublicKey({ KeyId: key.KeyId })).PublicKey)).toBe(pub.toString('hex'));
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('sm2 imported'), EncryptionAlgorithm: 'SM2PKE' });
    const plain = openssl(['pkeyutl', '-decrypt', '-inkey', 'k.pem', '-in', 'c.bin', '-out', 'm.bin'], { 'k.pem': pem, 'c.bin': CiphertextBlob as Uint8Array }, 'm.bin');
    expect(plain.toString()).toBe('sm2 imported');
  });

  test('Precondition: imported key material (Origin EXTERNAL) only for the key specs AWS imports (src/algorithms/importable.ts) — CreateKey Origin EXTERNAL: every key spec the Developer Guide imports; ML-DSA ("Importing ML-DSA keys is not supported"), Ed25519 and ML-KEM are refused', async () => {
    const { kms } = setup();
    for (const [KeySpec, KeyUsage] of [
      ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
      ['HMAC_224', 'GENERATE_VERIFY_MAC'],
      ['HMAC_512', 'GENERATE_VERIFY_MAC'],
      ['RSA_2048', 'ENCRYPT_DECRYPT'],
      ['RSA_3072', 'SIGN_VERIFY'],
      ['RSA_4096', 'ENCRYPT_DECRYPT'],
      ['ECC_NIST_P256', 'SIGN_VERIFY'],
      ['ECC_NIST_P384', 'KEY_AGREEMENT'],
      ['ECC_NIST_P521', 'SIGN_VERIFY'],
      ['ECC_SECG_P256K1', 'SIGN_VERIFY'],
    ] as const) {
      const md = await external(kms, { KeySpec, KeyUsage });
      expect(md).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL', KeySpec });
      expect(md).not.toHaveProperty('ExpirationModel');
    }
    for (const KeySpec of ['ML_DSA_44', 'ML_DSA_87', 'ECC_NIST_EDWARDS25519', 'ML_KEM_768'] as const) {
      const KeyUsage = KeySpec.startsWith('ML_KEM') ? 'ENCAPSULATE_DECAPSULATE' : 'SIGN_VERIFY';
      await refuses(kms.createKey({ Origin: 'EXTERNAL', KeySpec, KeyUsage }), 'UnsupportedOperationException', `KeySpec ${KeySpec} does not support imported key material (Origin EXTERNAL).`);
    }
    const cn = setup('cn-north-1').kms;
    expect((await external(cn, { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })).KeyState).toBe('PendingImport');
  });
});

describe('DeleteImportedKeyMaterial', () => {
  test('the key becomes PendingImport and its ciphertext does not decrypt until the same material is imported again; KeyMaterialId names it', async () => {
    const { kms } = setup();
    const key = await external(kms);
    const m = rnd(32);
    const id = (await importInto(kms, key.KeyId, m)).KeyMaterialId;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('kept') });
    expect(await kms.deleteImportedKeyMaterial({ KeyId: key.Arn as string })).toEqual({ KeyId: key.Arn, KeyMaterialId: id });
    expect(await describe_(kms, key.KeyId)).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: id });
    await refuses(kms.decrypt({ CiphertextBlob }), 'KMSInvalidStateException', `${key.Arn} is pending import.`);
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }), 'KMSInvalidStateException', `${key.Arn} is pending import.`);
    // Deleting again: no effect.
    expect(await kms.deleteImportedKeyMaterial({ KeyId: key.KeyId })).toEqual({ KeyId: key.Arn, KeyMaterialId: id });
    const rot = (await kms.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations;
    expect(rot).toEqual([{ KeyId: key.Arn, KeyMaterialId: id, KeyMaterialState: 'CURRENT', ImportState: 'PENDING_IMPORT', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }]);
    await refuses(importInto(kms, key.KeyId, rnd(32)), 'IncorrectKeyMaterialException');
    await importInto(kms, key.KeyId, m, { alg: 'RSA_AES_KEY_WRAP_SHA_256' });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
    expect(dec((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('kept');
  });

  test('a key whose material was never imported: no effect (and no KeyMaterialId); a Disabled key becomes PendingImport; an asymmetric key\'s response names no material', async () => {
    const { kms } = setup();
    const key = await external(kms);
    expect(await kms.deleteImportedKeyMaterial({ KeyId: key.KeyId })).toEqual({ KeyId: key.Arn });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingImport');
    await importInto(kms, key.KeyId, rnd(32));
    await kms.disableKey({ KeyId: key.KeyId });
    await kms.deleteImportedKeyMaterial({ KeyId: key.KeyId });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingImport');
    const ec = await external(kms, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const priv = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'der', type: 'pkcs8' }));
    await importInto(kms, ec.KeyId, priv);
    expect(await kms.deleteImportedKeyMaterial({ KeyId: ec.KeyId })).toEqual({ KeyId: ec.Arn });
    await refuses(kms.getPublicKey({ KeyId: ec.KeyId }), 'KMSInvalidStateException', `${ec.Arn} is pending import.`);
    await importInto(kms, ec.KeyId, priv);
    expect((await kms.getPublicKey({ KeyId: ec.KeyId })).KeyId).toBe(ec.Arn);
  });

  test('Precondition: the KeyMaterialId names material of this key', async () => {
    const { kms } = setup();
    const key = await external(kms);
    await importInto(kms, key.KeyId, rnd(32));
    const other = 'b'.repeat(64);
    await refuses(kms.deleteImportedKeyMaterial({ KeyId: key.KeyId, KeyMaterialId: other }), 'NotFoundException', `Key material ${other} is not associated with ${key.Arn}.`);
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
  });

  test('a cancelled deletion of a key whose material was deleted meanwhile returns it to PendingImport, not Disabled', async () => {
    const { kms } = setup();
    const key = await external(kms);
    await importInto(kms, key.KeyId, rnd(32));
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    await kms.deleteImportedKeyMaterial({ KeyId: key.KeyId });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingDeletion');
    await kms.cancelKeyDeletion({ KeyId: key.KeyId });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingImport');
  });
});

describe('ValidTo: expiry driven by now()', () => {
  test('at ValidTo the material goes and the key is PendingImport; re-importing the same material (any wrapping) restores every ciphertext', async () => {
    const { kms, clock } = setup();
    const key = await external(kms);
    const m = rnd(32);
    const validTo = clock.t + 10 * DAY;
    await importInto(kms, key.KeyId, m, { extra: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(validTo) } });
    expect(await describe_(kms, key.KeyId)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(validTo) });
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('before expiry') });
    clock.set(validTo - 1);
    expect(dec((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('before expiry');
    clock.set(validTo);
    await refuses(kms.decrypt({ CiphertextBlob }), 'KMSInvalidStateException', `${key.Arn} is pending import.`);
    expect(await describe_(kms, key.KeyId)).toMatchObject({ KeyState: 'PendingImport' });
    const rot = (await kms.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations;
    expect(rot?.[0]).toMatchObject({ ImportState: 'PENDING_IMPORT', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(validTo) });
    await refuses(importInto(kms, key.KeyId, rnd(32)), 'IncorrectKeyMaterialException');
    await importInto(kms, key.KeyId, m, { alg: 'RSA_AES_KEY_WRAP_SHA_1', wrap: opensslWrap });
    const md = await describe_(kms, key.KeyId);
    expect(md).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(md).not.toHaveProperty('ValidTo');
    clock.advanceDays(1000);
    expect(dec((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('before expiry');
  });

  test('re-importing material that is still imported replaces its expiration (ImportKeyMaterial "can also … set or update the expiration model and expiration date")', async () => {
    const { kms, clock } = setup();
    const key = await external(kms);
    const m = rnd(32);
    await importInto(kms, key.KeyId, m, { extra: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(clock.t + DAY) } });
    await importInto(kms, key.KeyId, m, { extra: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(clock.t + 5 * DAY) } });
    clock.advanceDays(2);
    expect(await describe_(kms, key.KeyId)).toMatchObject({ KeyState: 'Enabled', ValidTo: new Date(clock.t + 3 * DAY) });
  });

  test('an expired asymmetric key cannot sign or give its public key until re-imported; a disabled key that expires is PendingImport', async () => {
    const { kms, clock } = setup();
    const key = await external(kms, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
    const priv = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'der', type: 'pkcs8' }));
    await importInto(kms, key.KeyId, priv, { alg: 'RSA_AES_KEY_WRAP_SHA_256', extra: { ValidTo: new Date(clock.t + HOUR) } });
    await kms.disableKey({ KeyId: key.KeyId });
    clock.advance(HOUR);
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingImport');
    await refuses(kms.getPublicKey({ KeyId: key.KeyId }), 'KMSInvalidStateException', `${key.Arn} is pending import.`);
    await importInto(kms, key.KeyId, priv, { alg: 'RSA_AES_KEY_WRAP_SHA_256', extra: { ValidTo: new Date(clock.t + HOUR) } });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
  });
});

describe('on-demand rotation of imported material (ImportType NEW_KEY_MATERIAL, then RotateKeyOnDemand)', () => {
  test('new material waits as PENDING_ROTATION, RotateKeyOnDemand makes it CURRENT; old ciphertext keeps decrypting; ListKeyRotations shows ImportState, ExpirationModel, ValidTo, KeyMaterialDescription; Precondition: a key with imported material has material pending rotation; Precondition: at most one key material pending rotation (delete it, or rotate to it, first)', async () => {
    const { kms, clock } = setup();
    const key = await external(kms);
    const m1 = rnd(32);
    const m2 = rnd(32);
    const id1 = (await importInto(kms, key.KeyId, m1, { extra: { KeyMaterialDescription: 'first one' } })).KeyMaterialId;
    const old = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('old') })).CiphertextBlob as Uint8Array;
    await refuses(kms.rotateKeyOnDemand({ KeyId: key.KeyId }), 'UnsupportedOperationException', /no key material in state PENDING_ROTATION/);
    const validTo = clock.t + 30 * DAY;
    const id2 = (await importInto(kms, key.KeyId, m2, { extra: { ImportType: 'NEW_KEY_MATERIAL', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(validTo), KeyMaterialDescription: 'second' } })).KeyMaterialId;
    expect(id2).toBe(expectedMaterialId(key.KeyId, m2));
    expect((await describe_(kms, key.KeyId)).CurrentKeyMaterialId).toBe(id1);
    const during = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') })).CiphertextBlob;
    expect((await kms.decrypt({ CiphertextBlob: during })).KeyMaterialId).toBe(id1);
    expect((await kms.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations).toEqual([
      { KeyId: key.Arn, KeyMaterialId: id1, KeyMaterialState: 'CURRENT', ImportState: 'IMPORTED', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', KeyMaterialDescription: 'first one' },
      { KeyId: key.Arn, KeyMaterialId: id2, KeyMaterialState: 'PENDING_ROTATION', ImportState: 'IMPORTED', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(validTo), KeyMaterialDescription: 'second' },
    ]);
    expect((await kms.listKeyRotations({ KeyId: key.KeyId })).Rotations).toEqual([]);
    // Precondition: at most one key material pending rotation (delete it, or rotate to it, first).
    await refuses(importInto(kms, key.KeyId, rnd(32), { extra: { ImportType: 'NEW_KEY_MATERIAL' } }), 'KMSInvalidStateException', /already has key material pending rotation/);
    clock.advance(HOUR);
    expect(await kms.rotateKeyOnDemand({ KeyId: key.KeyId })).toEqual({ KeyId: key.Arn });
    const md = await describe_(kms, key.KeyId);
    expect(md).toMatchObject({ CurrentKeyMaterialId: id2, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(validTo) });
    const fresh = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('new') });
    expect((await kms.decrypt({ CiphertextBlob: fresh.CiphertextBlob })).KeyMaterialId).toBe(id2);
    expect(dec(openV1WithMaterial(m2, fresh.CiphertextBlob as Uint8Array))).toBe('new');
    expect(dec((await kms.decrypt({ CiphertextBlob: old })).Plaintext)).toBe('old');
    expect((await kms.listKeyRotations({ KeyId: key.KeyId })).Rotations).toEqual([
      { KeyId: key.Arn, KeyMaterialId: id2, KeyMaterialState: 'CURRENT', RotationDate: new Date(clock.t), RotationType: 'ON_DEMAND', ImportState: 'IMPORTED', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(validTo), KeyMaterialDescription: 'second' },
    ]);
    // Re-importing without a description keeps it ("KMS retains the value you specified when you last imported the same key material").
    await importInto(kms, key.KeyId, m1, { extra: { KeyMaterialId: id1 } });
    const all = (await kms.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations ?? [];
    expect(all[0]).toMatchObject({ KeyMaterialId: id1, KeyMaterialState: 'NON_CURRENT', KeyMaterialDescription: 'first one' });
    // The rotated-to material expires: the key is PendingImport (it is permanently associated now).
    clock.set(validTo);
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingImport');
    await refuses(kms.decrypt({ CiphertextBlob: old }), 'KMSInvalidStateException');
    await importInto(kms, key.KeyId, m2);
    expect(dec((await kms.decrypt({ CiphertextBlob: old })).Plaintext)).toBe('old');
  });

  test('NEW_KEY_MATERIAL: with a KeyMaterialId is ValidationException; with material the key has is IncorrectKeyMaterialException; deleting pending material leaves the key Enabled; its expiry too', async () => {
    const { kms, clock } = setup();
    const key = await external(kms);
    const m1 = rnd(32);
    await importInto(kms, key.KeyId, m1);
    await refuses(importInto(kms, key.KeyId, rnd(32), { extra: { ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId: 'c'.repeat(64) } }), 'ValidationException', 'You cannot specify a KeyMaterialId when ImportType is NEW_KEY_MATERIAL.');
    await refuses(importInto(kms, key.KeyId, m1, { extra: { ImportType: 'NEW_KEY_MATERIAL' } }), 'IncorrectKeyMaterialException', /already associated/);
    const id2 = (await importInto(kms, key.KeyId, rnd(32), { extra: { ImportType: 'NEW_KEY_MATERIAL' } })).KeyMaterialId as string;
    expect(await kms.deleteImportedKeyMaterial({ KeyId: key.KeyId, KeyMaterialId: id2 })).toEqual({ KeyId: key.Arn, KeyMaterialId: id2 });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
    expect((await kms.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations).toHaveLength(1);
    await importInto(kms, key.KeyId, rnd(32), { extra: { ImportType: 'NEW_KEY_MATERIAL', ValidTo: new Date(clock.t + HOUR) } });
    clock.advance(HOUR);
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
    await refuses(kms.rotateKeyOnDemand({ KeyId: key.KeyId }), 'UnsupportedOperationException', /PENDING_ROTATION/);
  });

  test('deleting a NON_CURRENT material makes the key PendingImport ("import all of the key materials … to change its state to Enabled")', async () => {
    const { kms } = setup();
    const key = await external(kms);
    const m1 = rnd(32);
    const id1 = (await importInto(kms, key.KeyId, m1)).KeyMaterialId as string;
    const old = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('old') })).CiphertextBlob;
    await importInto(kms, key.KeyId, rnd(32), { extra: { ImportType: 'NEW_KEY_MATERIAL' } });
    await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
    await kms.deleteImportedKeyMaterial({ KeyId: key.KeyId, KeyMaterialId: id1 });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingImport');
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }), 'KMSInvalidStateException');
    await importInto(kms, key.KeyId, m1, { extra: { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: id1 } });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
    expect(dec((await kms.decrypt({ CiphertextBlob: old })).Plaintext)).toBe('old');
  });
});

describe('imported material in the snapshot', () => {
  test('a key with imported, deleted and pending-rotation material and outstanding parameters round-trips; a token issued before the snapshot imports after it', async () => {
    const { kms, clock, keyStore } = setup();
    const key = await external(kms);
    const m1 = rnd(32);
    const m2 = rnd(32);
    await importInto(kms, key.KeyId, m1, { extra: { KeyMaterialDescription: 'one' } });
    const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('snap') })).CiphertextBlob;
    await importInto(kms, key.KeyId, m2, { extra: { ImportType: 'NEW_KEY_MATERIAL', ValidTo: new Date(clock.t + 3 * DAY) } });
    await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
    await importInto(kms, key.KeyId, rnd(32), { extra: { ImportType: 'NEW_KEY_MATERIAL', ValidTo: new Date(clock.t + 2 * DAY) } });
    await kms.deleteImportedKeyMaterial({ KeyId: key.KeyId, KeyMaterialId: expectedMaterialId(key.KeyId, m1) });
    const p = await kms.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const text = JSON.stringify(keyStore.exportSnapshot());
    const json = JSON.parse(text).keys[0];
    expect(json.KeyMaterial.map((e: Record<string, unknown>) => [e.ImportState, 'Material' in e])).toEqual([
      ['PENDING_IMPORT', false],
      ['IMPORTED', true],
    ]);
    expect(json.PendingRotationKeyMaterial).toMatchObject({ ImportState: 'IMPORTED', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(json.ImportParameters).toHaveLength(1);
    const restored = InMemoryKeyStore.fromSnapshot(text);
    expect(JSON.stringify(restored.exportSnapshot())).toBe(text);
    const kms2 = new Kms({ keyStore: restored, now: clock.now, backend: pooled });
    const before = await describe_(kms, key.KeyId);
    expect(await describe_(kms2, key.KeyId)).toEqual(before);
    expect(await kms2.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).toEqual(await kms.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    await refuses(kms2.decrypt({ CiphertextBlob: blob }), 'KMSInvalidStateException');
    await kms2.importKeyMaterial({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: nodeWrap('RSA_AES_KEY_WRAP_SHA_256', p.PublicKey as Uint8Array, m1), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(dec((await kms2.decrypt({ CiphertextBlob: blob })).Plaintext)).toBe('snap');
    // The pending material expires in the restored store exactly as in the original.
    clock.advanceDays(2);
    expect((await kms2.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations).toHaveLength(2);
    expect((await describe_(kms2, key.KeyId)).KeyState).toBe('Enabled');
  });

  test('snapshots without the new fields load unchanged; malformed import fields are ValidationException naming the field', async () => {
    const { kms, keyStore } = setup();
    const key = await external(kms);
    await importInto(kms, key.KeyId, rnd(32));
    const snap = keyStore.exportSnapshot();
    const k = snap.keys[0] as Record<string, unknown>;
    const mat = (k.KeyMaterial as Record<string, unknown>[])[0] as Record<string, unknown>;
    // The pre-import form: no ImportState / ExpirationModel: IMPORTED, does not expire.
    const legacy = structuredClone(snap);
    const lm = ((legacy.keys[0] as Record<string, unknown>).KeyMaterial as Record<string, unknown>[])[0] as Record<string, unknown>;
    delete lm.ImportState;
    delete lm.ExpirationModel;
    const old = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(legacy) });
    expect(await describe_(old, key.KeyId)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const bad = (edit: (k: Record<string, unknown>, m: Record<string, unknown>) => void, field: RegExp) => {
      const s = structuredClone(snap);
      const kk = s.keys[0] as Record<string, unknown>;
      edit(kk, (kk.KeyMaterial as Record<string, unknown>[])[0] as Record<string, unknown>);
      expect(() => InMemoryKeyStore.fromSnapshot(s)).toThrow(field);
    };
    bad((_, m) => (m.ImportState = 'GONE'), /KeyMaterial\[0\]\.ImportState/);
    bad((_, m) => (m.ImportState = 'PENDING_IMPORT'), /KeyMaterial\[0\]\.Material must be absent/);
    bad((_, m) => (m.ExpirationModel = 'KEY_MATERIAL_EXPIRES'), /ValidTo is required/);
    bad((kk) => (kk.ImportParameters = [{ Id: 'x' }]), /ImportParameters\[0\]\.Id/);
    bad((kk) => (kk.PendingRotationKeyMaterial = { ...mat }), /PendingRotationKeyMaterial repeats/);
    bad((kk) => {
      kk.Origin = 'AWS_KMS';
    }, /ImportState is only for keys with Origin EXTERNAL/);
  });
});

describe('secrets are zeroed', () => {
  test('the unwrapped material and the wrapping private key are zeroed once the import is stored', async () => {
    const outputs: Uint8Array[] = [];
    const pairs: Uint8Array[] = [];
    const spy: Backend = {
      ...pooled,
      async rsaGenerateKeyPair(bits) {
        const p = await pooled.rsaGenerateKeyPair(bits);
        pairs.push(p.privateKey);
        return p;
      },
      async rsaOaepDecrypt(key, c) {
        const out = await defaultBackend.rsaOaepDecrypt(key, c);
        if (out) outputs.push(out);
        return out;
      },
    };
    const kms = new Kms({ backend: spy });
    const key = await external(kms);
    const m = rnd(32);
    await importInto(kms, key.KeyId, m);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]?.every((b) => b === 0)).toBe(true);
    expect(pairs[0]?.every((b) => b === 0)).toBe(true);
    // The record's own copy still works.
    const e = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('z') });
    expect(dec(openV1WithMaterial(m, e.CiphertextBlob as Uint8Array))).toBe('z');
    // RSA_AES: the AES key OAEP yields is zeroed too; a failed import zeroes what it unwrapped.
    await refuses(importInto(kms, key.KeyId, rnd(32), { alg: 'RSA_AES_KEY_WRAP_SHA_256' }), 'IncorrectKeyMaterialException');
    expect(outputs).toHaveLength(2);
    expect(outputs[1]?.every((b) => b === 0)).toBe(true);
  });
});
