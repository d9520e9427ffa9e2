/**
 * GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext through the Kms API, for every
 * DataKeyPairSpec of the model: OpenSSL parses the PKCS#8 and derives from it the very SPKI the
 * response holds (ML-KEM: Python `cryptography`, and noble for ML-KEM-512, which neither OpenSSL
 * 3.0 nor Python has); decrypt(PrivateKeyCiphertextBlob, context) equals PrivateKeyPlaintext;
 * reEncrypt moves the blob to another key; the Region rules, refused keys, DryRun, key states;
 * and kms-core's own copy of the private key zeroed once the response is built.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { ml_kem512 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, test } from 'vitest';
import { Kms, webBackend, type Backend, type DataKeyPairSpec } from '../src/index.js';
import { openssl } from './helpers/oracles.js';
import { refuses } from './helpers/keys.js';
import { der2pem, hex, python } from './helpers/signing.js';

const PY_MLKEM = `
import json,sys
from cryptography.hazmat.primitives.serialization import load_der_private_key, load_der_public_key, Encoding, PublicFormat
d=json.load(sys.stdin); k=load_der_private_key(bytes.fromhex(d['pkcs8']), None)
pub=k.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
ss, ct = load_der_public_key(bytes.fromhex(d['spki'])).encapsulate()
print(json.dumps({'spki': pub.hex(), 'ok': k.decapsulate(ct) == ss}))`;

const ALL: DataKeyPairSpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'SM2', 'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024'];
const CONTEXT = { purpose: 'data key pair', tenant: 'acme' };

/** The public key that code we did not write derives from `pkcs8`, as SPKI DER (hex). */
function theirPublicKey(spec: DataKeyPairSpec, pkcs8: Uint8Array, spki: Uint8Array): string {
  if (spec === 'ML_KEM_512') {
    // Seed form (d ‖ z, the last 64 bytes): noble's key generation from the seed.
    const pub = ml_kem512.keygen(pkcs8.subarray(pkcs8.length - 64)).publicKey;
    expect(hex(spki).endsWith(hex(pub))).toBe(true);
    return hex(spki);
  }
  if (spec.startsWith('ML_KEM_')) {
    const out = python(PY_MLKEM, { pkcs8: hex(pkcs8), spki: hex(spki) });
    expect(out.ok, 'decapsulation with the private key recovers what the public key encapsulated').toBe(true);
    return out.spki;
  }
  return hex(openssl(['pkey', '-in', 'key.pem', '-pubout', '-outform', 'DER', '-out', 'pub.der'], { 'key.pem': der2pem(pkcs8, 'PRIVATE KEY') }, 'pub.der'));
}

const regionOf = (spec: DataKeyPairSpec) => (spec === 'SM2' ? 'cn-north-1' : 'us-east-1');

describe('GenerateDataKeyPair through the Kms API', () => {
  const kmsFor = new Map<string, Kms>();
  const kms = (region: string) => kmsFor.get(region) ?? (kmsFor.set(region, new Kms({ region })), kmsFor.get(region)!);

  test.each(ALL)('%s: SPKI + PKCS#8 that OpenSSL / Python read and pair; the blob decrypts to PrivateKeyPlaintext; reEncrypt moves it', async (spec) => {
    const k = kms(regionOf(spec));
    const a = (await k.createKey()).KeyMetadata!;
    const b = (await k.createKey()).KeyMetadata!;
    const out = await k.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: spec, EncryptionContext: CONTEXT });
    expect(Object.keys(out).sort()).toEqual(['KeyId', 'KeyMaterialId', 'KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PrivateKeyPlaintext', 'PublicKey']);
    expect(out.KeyId).toBe(a.Arn);
    expect(out.KeyPairSpec).toBe(spec);
    expect(out.KeyMaterialId).toBe(a.CurrentKeyMaterialId);
    const pkcs8 = out.PrivateKeyPlaintext!;
    const spki = out.PublicKey!;
    expect(pkcs8[0]).toBe(0x30);
    expect(theirPublicKey(spec, pkcs8, spki)).toBe(hex(spki));
    if (spec !== 'SM2' && !spec.startsWith('ML_KEM_')) {
      // node:crypto signs with the private half and verifies with the public half (it has no
      // SM2 signatures; ML-KEM is checked by decapsulation above).
      const sk = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
      const pk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      const md = spec === 'ECC_NIST_EDWARDS25519' ? null : 'sha256';
      expect(nodeVerify(md, Uint8Array.of(1, 2), pk, nodeSign(md, Uint8Array.of(1, 2), sk)), 'node:crypto signs and verifies with the pair').toBe(true);
    }

    // An ordinary symmetric ciphertext: Decrypt needs no KeyId, and the context binds it.
    const d = await k.decrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: CONTEXT });
    expect(hex(d.Plaintext!)).toBe(hex(pkcs8));
    expect(d.KeyId).toBe(a.Arn);
    expect(d.KeyMaterialId).toBe(out.KeyMaterialId);
    await refuses(k.decrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob }), 'InvalidCiphertextException', '');
    await refuses(k.decrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: { ...CONTEXT, tenant: 'other' } }), 'InvalidCiphertextException', '');

    const moved = await k.reEncrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob, SourceEncryptionContext: CONTEXT, DestinationKeyId: b.KeyId, DestinationEncryptionContext: { moved: 'yes' } });
    expect(moved.SourceKeyId).toBe(a.Arn);
    expect(moved.KeyId).toBe(b.Arn);
    const d2 = await k.decrypt({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { moved: 'yes' } });
    expect(hex(d2.Plaintext!)).toBe(hex(pkcs8));
    await refuses(k.decrypt({ CiphertextBlob: moved.CiphertextBlob, KeyId: a.KeyId, EncryptionContext: { moved: 'yes' } }), 'IncorrectKeyException');
  });

  test('pairs are fresh per request ("GenerateDataKeyPair returns a unique data key pair for each request")', async () => {
    const k = kms('us-east-1');
    const a = (await k.createKey()).KeyMetadata!;
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(hex((await k.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: 'ECC_SECG_P256K1' })).PublicKey!));
    expect(seen.size).toBe(4);
  });

  test.each(['ECC_NIST_P256', 'ECC_NIST_EDWARDS25519', 'RSA_2048', 'ML_KEM_768'] as DataKeyPairSpec[])('%s WithoutPlaintext: no PrivateKeyPlaintext; the blob decrypts to the private key of PublicKey', async (spec) => {
    const k = kms('us-east-1');
    const a = (await k.createKey()).KeyMetadata!;
    const out = await k.generateDataKeyPairWithoutPlaintext({ KeyId: a.Arn, KeyPairSpec: spec, EncryptionContext: CONTEXT });
    expect(Object.keys(out).sort()).toEqual(['KeyId', 'KeyMaterialId', 'KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PublicKey']);
    expect(out.KeyId).toBe(a.Arn);
    expect(out.KeyMaterialId).toBe(a.CurrentKeyMaterialId);
    const pkcs8 = (await k.decrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: CONTEXT })).Plaintext!;
    expect(theirPublicKey(spec, pkcs8, out.PublicKey!)).toBe(hex(out.PublicKey!));
  });

  test('after a rotation the private key is encrypted under the newest key material, and older blobs still decrypt', async () => {
    const k = kms('us-east-1');
    const a = (await k.createKey()).KeyMetadata!;
    const before = await k.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_P256' });
    const { KeyId } = await k.rotateKeyOnDemand({ KeyId: a.KeyId });
    expect(KeyId).toBe(a.Arn);
    const current = (await k.describeKey({ KeyId: a.KeyId })).KeyMetadata!.CurrentKeyMaterialId;
    const after = await k.generateDataKeyPairWithoutPlaintext({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_P256' });
    expect(after.KeyMaterialId).toBe(current);
    expect(after.KeyMaterialId).not.toBe(before.KeyMaterialId);
    expect(hex((await k.decrypt({ CiphertextBlob: before.PrivateKeyCiphertextBlob })).Plaintext!)).toBe(hex(before.PrivateKeyPlaintext!));
  });
});

describe('GenerateDataKeyPair refusals, in AWS order', () => {
  test("Precondition: the key's usage is the one the operation needs (InvalidKeyUsageException). (GenerateDataKeyPair* under a SIGN_VERIFY, GENERATE_VERIFY_MAC or KEY_AGREEMENT key)", async () => {
    const kms = new Kms();
    for (const [spec, usage] of [['ECC_NIST_P256', 'SIGN_VERIFY'], ['HMAC_256', 'GENERATE_VERIFY_MAC'], ['ECC_NIST_P384', 'KEY_AGREEMENT'], ['RSA_2048', 'SIGN_VERIFY']] as const) {
      const key = (await kms.createKey({ KeySpec: spec, KeyUsage: usage })).KeyMetadata!;
      for (const op of ['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'] as const) {
        const call = op === 'GenerateDataKeyPair' ? kms.generateDataKeyPair({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }) : kms.generateDataKeyPairWithoutPlaintext({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' });
        await refuses(call, 'InvalidKeyUsageException', `${key.Arn} key usage is ${usage} which is not valid for ${op}.`);
      }
    }
  });

  test('Precondition: the key wraps data key pairs (symmetric encryption keys). (an asymmetric ENCRYPT_DECRYPT key: "You cannot specify an asymmetric KMS key")', async () => {
    const kms = new Kms({ region: 'cn-north-1' });
    for (const spec of ['RSA_2048', 'SM2'] as const) {
      const key = (await kms.createKey({ KeySpec: spec, KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
      await refuses(kms.generateDataKeyPair({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }), 'InvalidKeyUsageException', `${key.Arn} key usage is ENCRYPT_DECRYPT with key spec ${spec}, which is not valid for GenerateDataKeyPair.`);
      await refuses(kms.generateDataKeyPairWithoutPlaintext({ KeyId: key.KeyId, KeyPairSpec: 'SM2' }), 'InvalidKeyUsageException', `${key.Arn} key usage is ENCRYPT_DECRYPT with key spec ${spec}, which is not valid for GenerateDataKeyPairWithoutPlaintext.`);
    }
  });

  test('Precondition: AWS offers the key pair spec in this Region (SM2: China Regions only; ML-KEM: not there). (UnsupportedOperationException; SM4 keys in China wrap every other spec)', async () => {
    const us = new Kms({ region: 'eu-west-1' });
    const cn = new Kms({ region: 'cn-northwest-1' });
    const u = (await us.createKey()).KeyMetadata!;
    const c = (await cn.createKey()).KeyMetadata!;
    await refuses(us.generateDataKeyPair({ KeyId: u.KeyId, KeyPairSpec: 'SM2' }), 'UnsupportedOperationException', 'KeyPairSpec SM2 is not supported in this Region');
    await refuses(us.generateDataKeyPairWithoutPlaintext({ KeyId: u.KeyId, KeyPairSpec: 'SM2' }), 'UnsupportedOperationException', 'KeyPairSpec SM2 is not supported in this Region');
    for (const spec of ['ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024'] as const) {
      await refuses(cn.generateDataKeyPair({ KeyId: c.KeyId, KeyPairSpec: spec }), 'UnsupportedOperationException', `KeyPairSpec ${spec} is not supported in this Region`);
    }
    // In China the symmetric key is SM4 (envelope v2); the pair's blob decrypts all the same.
    const out = await cn.generateDataKeyPair({ KeyId: c.KeyId, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { k: 'v' } });
    expect(hex((await cn.decrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: { k: 'v' } })).Plaintext!)).toBe(hex(out.PrivateKeyPlaintext!));
    await refuses(us.generateDataKeyPair({ KeyId: u.KeyId, KeyPairSpec: 'ML_DSA_44' as DataKeyPairSpec }), 'ValidationException', /keyPairSpec/);
    await refuses(us.generateDataKeyPair({ KeyId: u.KeyId } as never), 'ValidationException', /keyPairSpec/);
  });

  test('Precondition: no Recipient (Nitro Enclaves attestation is not modelled). (GenerateDataKeyPair, before the key is looked up)', async () => {
    const kms = new Kms();
    await refuses(
      kms.generateDataKeyPair({ KeyId: 'alias/does-not-exist', KeyPairSpec: 'ECC_NIST_P256', Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(8) } }),
      'UnsupportedOperationException',
      'Recipient (Nitro Enclaves attestation) is not supported by kms-core.',
    );
  });

  test('Precondition: a DryRun request stops here, once every check has passed. (GenerateDataKeyPair*: no pair is made)', async () => {
    let draws = 0;
    const kms = new Kms({ random: (n) => (draws++, crypto.getRandomValues(new Uint8Array(n))) });
    const a = (await kms.createKey()).KeyMetadata!;
    const before = draws;
    await refuses(kms.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_P521', DryRun: true }), 'DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
    await refuses(kms.generateDataKeyPairWithoutPlaintext({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_P521', DryRun: true }), 'DryRunOperationException');
    expect(draws).toBe(before);
    await refuses(kms.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: 'SM2', DryRun: true }), 'UnsupportedOperationException');
  });

  test('key states: Disabled → DisabledException, PendingDeletion → KMSInvalidStateException; unknown key → NotFoundException', async () => {
    const kms = new Kms();
    const a = (await kms.createKey()).KeyMetadata!;
    await kms.disableKey({ KeyId: a.KeyId });
    await refuses(kms.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: 'RSA_2048' }), 'DisabledException', `${a.Arn} is disabled.`);
    await kms.scheduleKeyDeletion({ KeyId: a.KeyId, PendingWindowInDays: 7 });
    await refuses(kms.generateDataKeyPairWithoutPlaintext({ KeyId: a.KeyId, KeyPairSpec: 'RSA_2048' }), 'KMSInvalidStateException', `${a.Arn} is pending deletion.`);
    await refuses(kms.generateDataKeyPair({ KeyId: 'alias/none', KeyPairSpec: 'RSA_2048' }), 'NotFoundException');
  });
});

/** A backend that records each plaintext the envelope seals (the PKCS#8 of the pair), and may fail. */
function recording(fail = false) {
  const sealed: Uint8Array[] = [];
  const backend: Backend = {
    ...webBackend,
    name: 'recording',
    async aesGcmEncrypt(key, iv, pt, aad, out, aadTail) {
      if (pt.length > 40 && pt[0] === 0x30) sealed.push(pt);
      if (fail && pt.length > 40) throw new Error('injected failure');
      return webBackend.aesGcmEncrypt(key, iv, pt, aad, out, aadTail);
    },
  };
  return { backend, sealed };
}

describe('PrivateKeyPlaintext ownership and zeroization', () => {
  test("kms-core's PKCS#8 buffer is zeroed once the response is built; the response holds its own copy", async () => {
    const r = recording();
    const kms = new Kms({ backend: r.backend });
    const a = (await kms.createKey()).KeyMetadata!;
    const out = await kms.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_P256' });
    expect(r.sealed).toHaveLength(1);
    expect(r.sealed[0]!.every((x) => x === 0), 'the buffer kms-core encrypted is zeroed').toBe(true);
    expect(r.sealed[0]!.buffer).not.toBe(out.PrivateKeyPlaintext!.buffer);
    expect(hex((await kms.decrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob })).Plaintext!)).toBe(hex(out.PrivateKeyPlaintext!));
    const w = await kms.generateDataKeyPairWithoutPlaintext({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_EDWARDS25519' });
    expect(r.sealed).toHaveLength(2);
    expect(r.sealed[1]!.every((x) => x === 0)).toBe(true);
    expect((await kms.decrypt({ CiphertextBlob: w.PrivateKeyCiphertextBlob })).Plaintext![0]).toBe(0x30);
  });

  test('the private key is zeroed when encrypting it fails, and the failure names nothing secret', async () => {
    const r = recording(true);
    const kms = new Kms({ backend: r.backend });
    const a = (await kms.createKey()).KeyMetadata!;
    const e = await refuses(kms.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_P384' }), 'KMSInternalException');
    expect(e.message).not.toMatch(/injected/);
    expect(r.sealed).toHaveLength(1);
    expect(r.sealed[0]!.every((x) => x === 0)).toBe(true);
  });
});
