/**
 * SM2 keys and SM2PKE through the Kms API: China Regions only, GetPublicKey as OpenSSL writes
 * it, interop with OpenSSL 3 and sm-crypto both ways, the GM/T 0003.5 example, ReEncrypt in
 * every direction, and AWS's rules.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type KeyMetadata } from '../src/index.js';
import { sm2PublicFromPrivate } from '../src/primitives/sm2-curve.js';
import { sm2Pkcs8Encode, sm2SpkiEncode } from '../src/primitives/sm2-keys.js';
import { dec, enc, refuses } from './helpers/index.js';
import { seededRandom } from './helpers/keys.js';
import { openssl } from './helpers/oracles.js';

const smCrypto = (createRequire(import.meta.url)('sm-crypto') as {
  sm2: { doEncrypt(msg: number[], pub: string, mode: number): string; doDecrypt(ct: string, priv: string, mode: number, o: { output: 'array' }): number[] };
}).sm2;

const pem = (label: string, der: Uint8Array) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

/**
 * GM/T 0009 DER SEQUENCE{x1, y1, C3, C2} ↔ sm-crypto's raw hex C1(x‖y) ‖ C3 ‖ C2 (mode 1). As
 * sm-crypto's README has it: hex without the `04` point prefix, C1 the first 128 hex digits,
 * so each coordinate is exactly 32 bytes, leading zero bytes included.
 */
function derToRaw(der: Uint8Array): string {
  let o = 2 + (der[1]! & 0x80 ? der[1]! & 0x7f : 0);
  const read = () => {
    const tag = der[o++];
    let len = der[o++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | der[o++]!;
    }
    const v = der.subarray(o, o + len);
    o += len;
    return { tag, v };
  };
  const int = (v: Uint8Array) => {
    // Drop the DER sign octet; a field element never needs more than 32 bytes.
    const mag = v.length > 1 && v[0] === 0 ? v.subarray(1) : v;
    if (mag.length > 32) throw new Error('C1 coordinate longer than 32 bytes');
    return Buffer.from(mag).toString('hex').padStart(64, '0');
  };
  const x = read();
  const y = read();
  const c3 = read();
  const c2 = read();
  return int(x.v) + int(y.v) + Buffer.from(c3.v).toString('hex') + Buffer.from(c2.v).toString('hex');
}

function rawToDer(raw: string): Uint8Array {
  const b = Buffer.from(raw, 'hex');
  const x = b.subarray(0, 32);
  const y = b.subarray(32, 64);
  const c3 = b.subarray(64, 96);
  const c2 = b.subarray(96);
  const tlv = (tag: number, v: Uint8Array) => {
    const len = v.length < 128 ? [v.length] : v.length < 256 ? [0x81, v.length] : [0x82, v.length >> 8, v.length & 255];
    return Buffer.from([tag, ...len, ...v]);
  };
  const int = (v: Uint8Array) => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const m = v.subarray(i);
    return tlv(0x02, m[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
  };
  return tlv(0x30, Buffer.concat([int(x), int(y), tlv(0x04, c3), tlv(0x04, c2)]));
}

const kms = new Kms({ region: 'cn-northwest-1' });
let sm2: KeyMetadata;
let sm2b: KeyMetadata;
let sym: KeyMetadata;
let rsa: KeyMetadata;
let spki: Uint8Array;

/** A Kms holding an SM2 key whose private scalar the test knows (through the snapshot). */
function knownKey(d: bigint, region = 'cn-north-1') {
  const keyId = '5a5a5a5a-0000-4000-8000-000000000001';
  const arn = `arn:aws-cn:kms:${region}:111122223333:key/${keyId}`;
  const store = InMemoryKeyStore.fromSnapshot({
    format: 'kms-core/key-store',
    version: 1,
    keys: [{
      KeyId: keyId, Arn: arn, AccountId: '111122223333', Region: region, KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS',
      Description: '', MultiRegion: false, CreationDate: '2026-01-01T00:00:00Z', KeyState: 'Enabled', RotationEnabled: false,
      KeyMaterial: [{ KeyMaterialId: 'cd'.repeat(32), Material: Buffer.from(sm2Pkcs8Encode(d)).toString('base64'), PublicKey: Buffer.from(sm2SpkiEncode(sm2PublicFromPrivate(d))).toString('base64'), CreatedAt: '2026-01-01T00:00:00Z' }],
    }],
    aliases: [],
  });
  return { store, arn, region };
}

beforeAll(async () => {
  sm2 = (await kms.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
  sm2b = (await kms.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
  sym = (await kms.createKey()).KeyMetadata!;
  rsa = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
  spki = (await kms.getPublicKey({ KeyId: sm2.KeyId })).PublicKey!;
});

describe('SM2 keys exist only in the China Regions', () => {
  test.each(['cn-north-1', 'cn-northwest-1'])('createKey SM2 in %s: aws-cn ARN, SM2PKE', async (region) => {
    const k = (await new Kms({ region }).createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    expect(k.Arn).toMatch(new RegExp(`^arn:aws-cn:kms:${region}:111122223333:key/`));
    expect(k).toMatchObject({ KeySpec: 'SM2', CustomerMasterKeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['SM2PKE'], KeyState: 'Enabled' });
  });

  test.each(['us-east-1', 'eu-west-1', 'us-gov-west-1'])('Precondition: AWS offers the key spec in this Region (SM2: China Regions only) — createKey SM2 in %s → UnsupportedOperationException', async (region) => {
    await refuses(new Kms({ region }).createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' }), 'UnsupportedOperationException', 'KeySpec SM2 is not supported in this Region');
  });

  test('getPublicKey: DER SPKI, id-ecPublicKey with the SM2 curve OID, as OpenSSL reads it', async () => {
    const out = await kms.getPublicKey({ KeyId: sm2.KeyId });
    expect(out).toMatchObject({ KeyId: sm2.Arn, KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['SM2PKE'] });
    const hex = Buffer.from(out.PublicKey!).toString('hex');
    expect(hex).toContain('06072a8648ce3d0201'); // OID 1.2.840.10045.2.1 id-ecPublicKey
    expect(hex).toContain('06082a811ccf5501822d'); // OID 1.2.156.10197.1.301 SM2
    const text = openssl(['pkey', '-pubin', '-inform', 'DER', '-in', 'pub.der', '-text', '-noout', '-out', 'out.txt'], { 'pub.der': out.PublicKey! }, 'out.txt').toString();
    expect(text).toMatch(/SM2/);
  });
});

describe('interop', () => {
  test('OpenSSL 3 pkeyutl -encrypt with the SPKI → kms-core decrypts and re-encrypts', async () => {
    const pt = Buffer.from('message from OpenSSL, 国密 SM2');
    const ct = openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'pt', '-out', 'ct'], { 'pub.pem': pem('PUBLIC KEY', spki), pt }, 'ct');
    const out = await kms.decrypt({ CiphertextBlob: ct, KeyId: sm2.KeyId, EncryptionAlgorithm: 'SM2PKE' });
    expect(Buffer.from(out.Plaintext!)).toEqual(pt);
    expect(out).toMatchObject({ KeyId: sm2.Arn, EncryptionAlgorithm: 'SM2PKE' });
    expect(out).not.toHaveProperty('KeyMaterialId');
    const re = await kms.reEncrypt({ CiphertextBlob: ct, SourceKeyId: sm2.Arn, SourceEncryptionAlgorithm: 'SM2PKE', DestinationKeyId: sym.KeyId });
    expect(Buffer.from((await kms.decrypt({ CiphertextBlob: re.CiphertextBlob })).Plaintext!)).toEqual(pt);
  });

  test('kms-core ciphertext under a key whose private half the test knows → openssl pkeyutl -decrypt', async () => {
    const d = 0x3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8n;
    const { store, arn, region } = knownKey(d);
    const k = new Kms({ region, keyStore: store });
    for (const n of [1, 100, 1024]) {
      const pt = Buffer.alloc(n, n & 0xff);
      const ct = (await k.encrypt({ KeyId: arn, Plaintext: pt, EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob!;
      const back = openssl(['pkeyutl', '-decrypt', '-inkey', 'key.pem', '-in', 'ct', '-out', 'pt'], { 'key.pem': pem('PRIVATE KEY', sm2Pkcs8Encode(d)), ct }, 'pt');
      expect(back).toEqual(pt);
    }
  });

  test('sm-crypto (second oracle) both ways, raw C1C3C2 converted to and from DER', async () => {
    const d = 0x128b2fa8bd433c6c068c8d803dff79792a519a55171b1b650c23661d15897263n;
    const { store, arn, region } = knownKey(d);
    // Our side is reproducible (a seeded k source); sm-crypto's doEncrypt draws its own k.
    const k = new Kms({ region, keyStore: store, random: seededRandom(0x5302) });
    // sm-crypto's key formats (README): public 130 hex digits 04‖x‖y, private 64 hex digits.
    const pubHex = Buffer.from(sm2PublicFromPrivate(d)).toString('hex');
    const privHex = d.toString(16).padStart(64, '0');
    for (const n of [1, 31, 32, 33, 500]) {
      const pt = Buffer.alloc(n, 0x61 + (n % 26));
      const raw = smCrypto.doEncrypt([...pt], pubHex, 1);
      // The documented form: lowercase hex C1 (64 bytes, no 04) ‖ C3 (32) ‖ C2 (n).
      expect(raw).toMatch(/^[0-9a-f]+$/);
      expect(raw.length).toBe(2 * (64 + 32 + n));
      const mine = await k.decrypt({ CiphertextBlob: rawToDer(raw), KeyId: arn, EncryptionAlgorithm: 'SM2PKE' });
      expect(Buffer.from(mine.Plaintext!)).toEqual(pt);
      const ct = (await k.encrypt({ KeyId: arn, Plaintext: pt, EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob!;
      expect(Buffer.from(smCrypto.doDecrypt(derToRaw(ct), privHex, 1, { output: 'array' }))).toEqual(pt);
    }
  });

  test('the GM/T 0003.5 Annex C example reproduces its DER ciphertext byte for byte (k injected) and decrypts', async () => {
    const d = 0x3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8n;
    const k = Buffer.from('59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21', 'hex');
    const expected =
      '307C022004EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A7302210' +
      '0E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0042059983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD876604' +
      '1321886CA989CA9C7D58087307CA93092D651EFA';
    const { store, arn, region } = knownKey(d);
    const kmsK = new Kms({ region, keyStore: store, random: (n) => (n === 32 ? new Uint8Array(k) : new Uint8Array(n)) });
    const out = await kmsK.encrypt({ KeyId: arn, Plaintext: enc('encryption standard'), EncryptionAlgorithm: 'SM2PKE' });
    expect(Buffer.from(out.CiphertextBlob!).toString('hex').toUpperCase()).toBe(expected);
    expect(dec((await kmsK.decrypt({ CiphertextBlob: Buffer.from(expected, 'hex'), KeyId: arn, EncryptionAlgorithm: 'SM2PKE' })).Plaintext)).toBe('encryption standard');
  });
});

describe('AWS rules for SM2 keys', () => {
  test('plaintext 1024 bytes is accepted, 1025 → ValidationException', async () => {
    const ct = (await kms.encrypt({ KeyId: sm2.KeyId, Plaintext: new Uint8Array(1024).fill(1), EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob;
    expect((await kms.decrypt({ CiphertextBlob: ct, KeyId: sm2.KeyId, EncryptionAlgorithm: 'SM2PKE' })).Plaintext!.length).toBe(1024);
    await refuses(
      kms.encrypt({ KeyId: sm2.KeyId, Plaintext: new Uint8Array(1025), EncryptionAlgorithm: 'SM2PKE' }),
      'ValidationException',
      'Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes.',
    );
  });

  test('a destination limit hit by ReEncrypt (1025-byte symmetric plaintext → SM2) → ValidationException', async () => {
    const blob = (await kms.encrypt({ KeyId: sym.KeyId, Plaintext: new Uint8Array(1025) })).CiphertextBlob;
    await refuses(kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: sm2.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' }), 'ValidationException', /1024 bytes/);
  });

  test('algorithms that do not fit → InvalidKeyUsageException, both ways', async () => {
    await refuses(kms.encrypt({ KeyId: sm2.KeyId, Plaintext: enc('x') }), 'InvalidKeyUsageException', 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec SM2.');
    await refuses(kms.encrypt({ KeyId: sm2.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'InvalidKeyUsageException', 'Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SM2.');
    await refuses(kms.encrypt({ KeyId: rsa.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'SM2PKE' }), 'InvalidKeyUsageException', 'Algorithm SM2PKE is incompatible with key spec RSA_2048.');
    await refuses(kms.encrypt({ KeyId: sym.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'SM2PKE' }), 'InvalidKeyUsageException');
  });

  test('no KeyId, an encryption context, GenerateDataKey, rotation: refused as for RSA', async () => {
    const ct = (await kms.encrypt({ KeyId: sm2.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob;
    await refuses(kms.decrypt({ CiphertextBlob: ct, EncryptionAlgorithm: 'SM2PKE' }), 'ValidationException');
    await refuses(kms.encrypt({ KeyId: sm2.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'SM2PKE', EncryptionContext: { a: 'b' } }), 'ValidationException');
    await refuses(kms.generateDataKey({ KeyId: sm2.KeyId, KeySpec: 'AES_256' }), 'InvalidKeyUsageException');
    await refuses(kms.rotateKeyOnDemand({ KeyId: sm2.KeyId }), 'UnsupportedOperationException');
  });

  test('wrong key, tampered C1/C3/C2, a C1 off the curve, broken DER → the same InvalidCiphertextException', async () => {
    const ct = (await kms.encrypt({ KeyId: sm2.KeyId, Plaintext: enc('attack at dawn'), EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob!;
    const bad: Uint8Array[] = [];
    for (const i of [5, 40, 80, 110, ct.length - 1]) {
      const b = ct.slice();
      b[i]! ^= 1;
      bad.push(b);
    }
    bad.push(ct.subarray(0, ct.length - 1), new Uint8Array([...ct, 0]), new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]));
    // C1 = (1, 1) is not on the curve.
    bad.push(rawToDer('00'.repeat(31) + '01' + '00'.repeat(31) + '01' + derToRaw(ct).slice(128)));
    for (const b of bad) await refuses(kms.decrypt({ CiphertextBlob: b, KeyId: sm2.KeyId, EncryptionAlgorithm: 'SM2PKE' }), 'InvalidCiphertextException', '');
    await refuses(kms.decrypt({ CiphertextBlob: ct, KeyId: sm2b.KeyId, EncryptionAlgorithm: 'SM2PKE' }), 'InvalidCiphertextException', '');
  });

  test('round trips for any plaintext of 1..1024 bytes; random bytes → InvalidCiphertextException only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 1024 }), async (pt) => {
        const ct = (await kms.encrypt({ KeyId: sm2.KeyId, Plaintext: pt, EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob;
        expect((await kms.decrypt({ CiphertextBlob: ct, KeyId: sm2.KeyId, EncryptionAlgorithm: 'SM2PKE' })).Plaintext).toEqual(pt);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        await refuses(kms.decrypt({ CiphertextBlob: bytes, KeyId: sm2.KeyId, EncryptionAlgorithm: 'SM2PKE' }), 'InvalidCiphertextException', '');
      }),
      { numRuns: 150 },
    );
  });
});

describe('ReEncrypt in every direction', () => {
  test('sym → SM2 → SM2 (other key) → RSA → SM2 → sym returns the original', async () => {
    const pt = enc('SM2 chain');
    let blob = (await kms.encrypt({ KeyId: sym.KeyId, Plaintext: pt, EncryptionContext: { a: '1' } })).CiphertextBlob!;
    let r = await kms.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { a: '1' }, DestinationKeyId: sm2.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' });
    expect(r).toMatchObject({ SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'SM2PKE', KeyId: sm2.Arn });
    r = await kms.reEncrypt({ CiphertextBlob: r.CiphertextBlob, SourceKeyId: sm2.KeyId, SourceEncryptionAlgorithm: 'SM2PKE', DestinationKeyId: sm2b.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' });
    r = await kms.reEncrypt({ CiphertextBlob: r.CiphertextBlob, SourceKeyId: sm2b.KeyId, SourceEncryptionAlgorithm: 'SM2PKE', DestinationKeyId: rsa.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
    r = await kms.reEncrypt({ CiphertextBlob: r.CiphertextBlob, SourceKeyId: rsa.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DestinationKeyId: sm2.Arn, DestinationEncryptionAlgorithm: 'SM2PKE' });
    r = await kms.reEncrypt({ CiphertextBlob: r.CiphertextBlob, SourceKeyId: sm2.KeyId, SourceEncryptionAlgorithm: 'SM2PKE', DestinationKeyId: sm2.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' });
    r = await kms.reEncrypt({ CiphertextBlob: r.CiphertextBlob, SourceKeyId: sm2.KeyId, SourceEncryptionAlgorithm: 'SM2PKE', DestinationKeyId: sym.KeyId, DestinationEncryptionContext: { b: '2' } });
    blob = r.CiphertextBlob!;
    expect(dec((await kms.decrypt({ CiphertextBlob: blob, EncryptionContext: { b: '2' } })).Plaintext)).toBe('SM2 chain');
  });
});
