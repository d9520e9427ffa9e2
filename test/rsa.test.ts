/**
 * RSA keys with RSAES_OAEP_SHA_1 / RSAES_OAEP_SHA_256, checked against implementations we did
 * not write (node:crypto, OpenSSL's CLI, node-forge) in both directions, at the exact plaintext
 * limit and one over, and against AWS's rules.
 */
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import forge from 'node-forge';
import { beforeAll, describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError, type KeyMetadata } from '../src/index.js';
import { dec, enc, refuses } from './helpers/index.js';
import { openssl, pkcs8Pem, spkiPem } from './helpers/oracles.js';

type Spec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';
type Alg = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256';
const SPECS: Spec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];
const ALGS: Alg[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
const HASH = { RSAES_OAEP_SHA_1: 'sha1', RSAES_OAEP_SHA_256: 'sha256' } as const;
const LIMIT: Record<Spec, Record<Alg, number>> = {
  RSA_2048: { RSAES_OAEP_SHA_1: 214, RSAES_OAEP_SHA_256: 190 },
  RSA_3072: { RSAES_OAEP_SHA_1: 342, RSAES_OAEP_SHA_256: 318 },
  RSA_4096: { RSAES_OAEP_SHA_1: 470, RSAES_OAEP_SHA_256: 446 },
};

const store = new InMemoryKeyStore();
const kms = new Kms({ keyStore: store });
const keys = {} as Record<Spec, KeyMetadata>;
const spki = {} as Record<Spec, Uint8Array>;
let sym: KeyMetadata;
let sym2: KeyMetadata;
let rsaB: KeyMetadata;

/** The private key, read from the key-store snapshot (the only place it exists). */
function privatePkcs8(arn: string): Buffer {
  const k = store.exportSnapshot().keys.find((x) => x.Arn === arn) as { KeyMaterial: { Material: string }[] };
  return Buffer.from(k.KeyMaterial[0]!.Material, 'base64');
}

beforeAll(async () => {
  for (const s of SPECS) {
    keys[s] = (await kms.createKey({ KeySpec: s, KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    spki[s] = (await kms.getPublicKey({ KeyId: keys[s].KeyId })).PublicKey!;
  }
  sym = (await kms.createKey()).KeyMetadata!;
  sym2 = (await kms.createKey()).KeyMetadata!;
  rsaB = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
}, 120_000);

describe('RSA keys', () => {
  test.each(SPECS)('createKey %s: KeyMetadata as AWS returns it', (s) => {
    expect(keys[s]).toMatchObject({
      KeySpec: s,
      CustomerMasterKeySpec: s,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Enabled: true,
      EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    });
    expect(keys[s]).not.toHaveProperty('CurrentKeyMaterialId');
  });

  test.each(SPECS)('getPublicKey %s: DER SubjectPublicKeyInfo with the key ARN, spec, usage and algorithms', async (s) => {
    const out = await kms.getPublicKey({ KeyId: keys[s].KeyId });
    expect(out).toMatchObject({
      KeyId: keys[s].Arn,
      KeySpec: s,
      CustomerMasterKeySpec: s,
      KeyUsage: 'ENCRYPT_DECRYPT',
      EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    });
    const pk = createPublicKey({ key: Buffer.from(out.PublicKey!), format: 'der', type: 'spki' });
    expect(pk.asymmetricKeyType).toBe('rsa');
    expect(pk.asymmetricKeyDetails!.modulusLength).toBe(Number(s.slice(4)));
    expect(pk.asymmetricKeyDetails!.publicExponent).toBe(65537n);
  });

  test('no output ever holds the private key', async () => {
    const priv = privatePkcs8(keys.RSA_2048.Arn!).toString('hex');
    const outs = [
      await kms.describeKey({ KeyId: keys.RSA_2048.KeyId }),
      await kms.getPublicKey({ KeyId: keys.RSA_2048.KeyId }),
      await kms.listKeys(),
      await kms.encrypt({ KeyId: keys.RSA_2048.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
    ];
    const dump = JSON.stringify(outs, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
    // The tail of a PKCS#8 RSA key is private (CRT exponents, coefficient); its head holds the public modulus.
    expect(dump).not.toContain(priv.slice(-200));
  });

  test('Precondition: the key\'s usage is the one the operation needs (InvalidKeyUsageException) — an RSA key with KeyUsage SIGN_VERIFY does not encrypt: InvalidKeyUsageException', async () => {
    const md = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
    expect(md.EncryptionAlgorithms).toBeUndefined();
    await refuses(kms.encrypt({ KeyId: md.KeyId, Plaintext: new Uint8Array([1]), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'InvalidKeyUsageException', `${md.Arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`);
  });
});

describe.each(SPECS)('interop %s', (s) => {
  describe.each(ALGS)('%s', (alg) => {
    const limit = LIMIT[s][alg];

    test(`node:crypto publicEncrypt of ${limit} bytes (the limit) → kms-core decrypts`, async () => {
      const pt = randomBytes(limit);
      const ct = publicEncrypt({ key: createPublicKey({ key: Buffer.from(spki[s]), format: 'der', type: 'spki' }), oaepHash: HASH[alg], padding: constants.RSA_PKCS1_OAEP_PADDING }, pt);
      const out = await kms.decrypt({ CiphertextBlob: ct, KeyId: keys[s].KeyId, EncryptionAlgorithm: alg });
      expect(Buffer.from(out.Plaintext!)).toEqual(pt);
      expect(out).toMatchObject({ KeyId: keys[s].Arn, EncryptionAlgorithm: alg });
      expect(out).not.toHaveProperty('KeyMaterialId');
    });

    test(`kms-core encrypt of ${limit} bytes → node:crypto privateDecrypt`, async () => {
      const pt = randomBytes(limit);
      const { CiphertextBlob, EncryptionAlgorithm, KeyId } = await kms.encrypt({ KeyId: keys[s].KeyId, Plaintext: pt, EncryptionAlgorithm: alg });
      expect(CiphertextBlob!.length).toBe(Number(s.slice(4)) / 8);
      expect([EncryptionAlgorithm, KeyId]).toEqual([alg, keys[s].Arn]);
      const back = privateDecrypt({ key: createPrivateKey({ key: privatePkcs8(keys[s].Arn!), format: 'der', type: 'pkcs8' }), oaepHash: HASH[alg], padding: constants.RSA_PKCS1_OAEP_PADDING }, CiphertextBlob!);
      expect(back).toEqual(pt);
    });

    test(`Precondition: the plaintext fits the algorithm and key spec (AWS limits) — ${limit + 1} bytes (one over) → ValidationException with AWS's message`, async () => {
      await refuses(
        kms.encrypt({ KeyId: keys[s].KeyId, Plaintext: new Uint8Array(limit + 1), EncryptionAlgorithm: alg }),
        'ValidationException',
        `Algorithm ${alg} and key spec ${s} cannot encrypt data larger than ${limit} bytes.`,
      );
    });

    test('OpenSSL pkeyutl (oaep, rsa_oaep_md, rsa_mgf1_md) both ways at the limit', async () => {
      const md = HASH[alg];
      const pt = randomBytes(limit);
      const opts = ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${md}`, '-pkeyopt', `rsa_mgf1_md:${md}`];
      const ct = openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'pt', '-out', 'ct', ...opts], { 'pub.pem': spkiPem(spki[s]), pt }, 'ct');
      expect(Buffer.from((await kms.decrypt({ CiphertextBlob: ct, KeyId: keys[s].Arn, EncryptionAlgorithm: alg })).Plaintext!)).toEqual(pt);
      const mine = (await kms.encrypt({ KeyId: keys[s].KeyId, Plaintext: pt, EncryptionAlgorithm: alg })).CiphertextBlob!;
      const back = openssl(['pkeyutl', '-decrypt', '-inkey', 'key.pem', '-in', 'ct', '-out', 'pt', ...opts], { 'key.pem': pkcs8Pem(privatePkcs8(keys[s].Arn!)), ct: mine }, 'pt');
      expect(back).toEqual(pt);
    });

    test('node-forge (pure JS) both ways at the limit', async () => {
      const pt = randomBytes(limit);
      const md = () => (alg === 'RSAES_OAEP_SHA_1' ? forge.md.sha1.create() : forge.md.sha256.create());
      const scheme = { md: md(), mgf1: { md: md() } };
      const pub = forge.pki.publicKeyFromPem(spkiPem(spki[s]));
      const ct = Buffer.from(pub.encrypt(pt.toString('binary'), 'RSA-OAEP', scheme), 'binary');
      expect(Buffer.from((await kms.decrypt({ CiphertextBlob: ct, KeyId: keys[s].KeyId, EncryptionAlgorithm: alg })).Plaintext!)).toEqual(pt);
      if (s === 'RSA_2048') {
        // forge's private operation takes ~1 s per call at 4096 bits: one size is enough here.
        const priv = forge.pki.privateKeyFromPem(pkcs8Pem(privatePkcs8(keys[s].Arn!)));
        const mine = (await kms.encrypt({ KeyId: keys[s].KeyId, Plaintext: pt, EncryptionAlgorithm: alg })).CiphertextBlob!;
        expect(Buffer.from(priv.decrypt(Buffer.from(mine).toString('binary'), 'RSA-OAEP', { md: md(), mgf1: { md: md() } }), 'binary')).toEqual(pt);
      }
    });
  });
});

describe('AWS rules for RSA keys', () => {
  test('Precondition: the encryption algorithm is one the key\'s spec supports — Encrypt without EncryptionAlgorithm → InvalidKeyUsageException "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096."', async () => {
    await refuses(kms.encrypt({ KeyId: keys.RSA_4096.KeyId, Plaintext: enc('x') }), 'InvalidKeyUsageException', 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096.');
  });

  test('Decrypt with an RSA KeyId and no algorithm → InvalidKeyUsageException', async () => {
    const ct = (await kms.encrypt({ KeyId: keys.RSA_2048.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })).CiphertextBlob;
    await refuses(kms.decrypt({ CiphertextBlob: ct, KeyId: keys.RSA_2048.KeyId }), 'InvalidKeyUsageException', 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.');
  });

  test('Precondition: asymmetric ciphertext (no header) comes with its key — an asymmetric ciphertext without KeyId / SourceKeyId → ValidationException', async () => {
    const ct = (await kms.encrypt({ KeyId: keys.RSA_2048.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })).CiphertextBlob;
    await refuses(kms.decrypt({ CiphertextBlob: ct, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }), 'ValidationException');
    await refuses(kms.reEncrypt({ CiphertextBlob: ct, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DestinationKeyId: sym.KeyId }), 'ValidationException', /SourceKeyId/);
  });

  test('Precondition: an encryption context only with an algorithm that binds one — an encryption context with an asymmetric key → ValidationException (encrypt, decrypt, both sides of reEncrypt)', async () => {
    const k = keys.RSA_2048.KeyId;
    const a = 'RSAES_OAEP_SHA_256' as const;
    await refuses(kms.encrypt({ KeyId: k, Plaintext: enc('x'), EncryptionAlgorithm: a, EncryptionContext: { a: 'b' } }), 'ValidationException');
    const ct = (await kms.encrypt({ KeyId: k, Plaintext: enc('x'), EncryptionAlgorithm: a })).CiphertextBlob;
    await refuses(kms.decrypt({ CiphertextBlob: ct, KeyId: k, EncryptionAlgorithm: a, EncryptionContext: { a: 'b' } }), 'ValidationException');
    await refuses(kms.reEncrypt({ CiphertextBlob: ct, SourceKeyId: k, SourceEncryptionAlgorithm: a, SourceEncryptionContext: { a: 'b' }, DestinationKeyId: sym.KeyId }), 'ValidationException');
    await refuses(kms.reEncrypt({ CiphertextBlob: ct, SourceKeyId: k, SourceEncryptionAlgorithm: a, DestinationKeyId: k, DestinationEncryptionAlgorithm: a, DestinationEncryptionContext: { a: 'b' } }), 'ValidationException');
    // An empty context is no context.
    await kms.decrypt({ CiphertextBlob: ct, KeyId: k, EncryptionAlgorithm: a, EncryptionContext: {} });
  });

  test('Precondition: an encryption context only with an algorithm that binds one — a reEncrypt to an RSA key whose destination context equals the symmetric source\'s → ValidationException (the source\'s bytes are not reused past the check)', async () => {
    const blob = (await kms.encrypt({ KeyId: sym.KeyId, Plaintext: enc('x'), EncryptionContext: { c: '1' } })).CiphertextBlob;
    await refuses(
      kms.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { c: '1' }, DestinationKeyId: keys.RSA_2048.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationEncryptionContext: { c: '1' } }),
      'ValidationException',
      'EncryptionContext is not supported with asymmetric algorithm RSAES_OAEP_SHA_256.',
    );
  });

  test('Precondition: the key wraps data keys (symmetric encryption keys). Precondition: only key specs that rotate (symmetric encryption keys) have rotation settings — GenerateDataKey on an RSA key → InvalidKeyUsageException; RotateKeyOnDemand → UnsupportedOperationException', async () => {
    await refuses(kms.generateDataKey({ KeyId: keys.RSA_2048.KeyId, KeySpec: 'AES_256' }), 'InvalidKeyUsageException');
    await refuses(kms.generateDataKeyWithoutPlaintext({ KeyId: keys.RSA_2048.KeyId, KeySpec: 'AES_256' }), 'InvalidKeyUsageException');
    await refuses(kms.rotateKeyOnDemand({ KeyId: keys.RSA_2048.KeyId }), 'UnsupportedOperationException');
    await refuses(kms.enableKeyRotation({ KeyId: keys.RSA_2048.KeyId }), 'UnsupportedOperationException');
  });

  test('Precondition: the key has a public key (asymmetric keys) — GetPublicKey of a symmetric key → UnsupportedOperationException', async () => {
    await refuses(kms.getPublicKey({ KeyId: sym.KeyId }), 'UnsupportedOperationException');
  });

  test('wrong algorithm, wrong key, tampered, truncated or extended ciphertext → the same InvalidCiphertextException', async () => {
    const k = keys.RSA_2048.KeyId;
    const ct = (await kms.encrypt({ KeyId: k, Plaintext: enc('secret'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })).CiphertextBlob!;
    const flipped = ct.slice();
    flipped[100]! ^= 4;
    const cases = [
      () => kms.decrypt({ CiphertextBlob: ct, KeyId: k, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      () => kms.decrypt({ CiphertextBlob: ct, KeyId: rsaB.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      () => kms.decrypt({ CiphertextBlob: flipped, KeyId: k, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      () => kms.decrypt({ CiphertextBlob: ct.subarray(0, 255), KeyId: k, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      () => kms.decrypt({ CiphertextBlob: new Uint8Array([...ct, 0]), KeyId: k, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      () => kms.decrypt({ CiphertextBlob: new Uint8Array(256).fill(0xff), KeyId: k, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      () => kms.reEncrypt({ CiphertextBlob: flipped, SourceKeyId: k, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DestinationKeyId: sym.KeyId }),
    ];
    for (const call of cases) await refuses(call(), 'InvalidCiphertextException', '');
  });

  test('bit flips and random bytes → InvalidCiphertextException only', async () => {
    const k = keys.RSA_2048.KeyId;
    const ct = (await kms.encrypt({ KeyId: k, Plaintext: enc('secret'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).CiphertextBlob!;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.nat({ max: ct.length * 8 - 1 }).map((i) => {
        const b = ct.slice();
        b[i >> 3]! ^= 1 << (i & 7);
        return b;
      }), fc.uint8Array({ minLength: 1, maxLength: 600 })), async (bad) => {
        await refuses(kms.decrypt({ CiphertextBlob: bad, KeyId: k, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'InvalidCiphertextException', '');
      }),
      { numRuns: 200 },
    );
  });

  test('a disabled RSA key refuses Decrypt with DisabledException', async () => {
    const k = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    const ct = (await kms.encrypt({ KeyId: k.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })).CiphertextBlob;
    await kms.disableKey({ KeyId: k.KeyId });
    await refuses(kms.decrypt({ CiphertextBlob: ct, KeyId: k.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }), 'DisabledException', `${k.Arn} is disabled.`);
  });
});

describe('ReEncrypt across symmetric and RSA keys', () => {
  test('sym → RSA → RSA (other key, other hash) → RSA (same key) → sym returns the original', async () => {
    const pt = enc('a chain of custody');
    let blob = (await kms.encrypt({ KeyId: sym.KeyId, Plaintext: pt, EncryptionContext: { c: '1' } })).CiphertextBlob!;
    let r = await kms.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { c: '1' }, DestinationKeyId: keys.RSA_3072.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(r).toMatchObject({ SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', KeyId: keys.RSA_3072.Arn, SourceKeyId: sym.Arn });
    expect(r.SourceKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(r).not.toHaveProperty('DestinationKeyMaterialId');
    r = await kms.reEncrypt({ CiphertextBlob: r.CiphertextBlob, SourceKeyId: keys.RSA_3072.Arn, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: keys.RSA_2048.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
    expect(r).not.toHaveProperty('SourceKeyMaterialId');
    r = await kms.reEncrypt({ CiphertextBlob: r.CiphertextBlob, SourceKeyId: keys.RSA_2048.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DestinationKeyId: keys.RSA_2048.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    r = await kms.reEncrypt({ CiphertextBlob: r.CiphertextBlob, SourceKeyId: keys.RSA_2048.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: sym2.KeyId, DestinationEncryptionContext: { c: '2' } });
    expect(r.DestinationKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    blob = r.CiphertextBlob!;
    expect(dec((await kms.decrypt({ CiphertextBlob: blob, EncryptionContext: { c: '2' } })).Plaintext)).toBe(dec(pt));
  });

  test('any chain across symmetric and RSA keys returns the original', async () => {
    type Dest = { key: () => KeyMetadata; alg: 'SYMMETRIC_DEFAULT' | Alg };
    const dests: Dest[] = [
      { key: () => sym, alg: 'SYMMETRIC_DEFAULT' },
      { key: () => sym2, alg: 'SYMMETRIC_DEFAULT' },
      { key: () => keys.RSA_2048, alg: 'RSAES_OAEP_SHA_1' },
      { key: () => keys.RSA_2048, alg: 'RSAES_OAEP_SHA_256' },
      { key: () => rsaB, alg: 'RSAES_OAEP_SHA_256' },
    ];
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 190 }), fc.array(fc.nat({ max: dests.length - 1 }), { minLength: 1, maxLength: 5 }), async (pt, path) => {
        let cur: Dest = dests[0]!;
        let blob = (await kms.encrypt({ KeyId: cur.key().KeyId, Plaintext: pt })).CiphertextBlob!;
        for (const i of path) {
          const next = dests[i]!;
          const asym = cur.alg !== 'SYMMETRIC_DEFAULT';
          blob = (await kms.reEncrypt({
            CiphertextBlob: blob,
            ...(asym ? { SourceKeyId: cur.key().KeyId, SourceEncryptionAlgorithm: cur.alg } : {}),
            DestinationKeyId: next.key().Arn,
            DestinationEncryptionAlgorithm: next.alg,
          })).CiphertextBlob!;
          cur = next;
        }
        const asym = cur.alg !== 'SYMMETRIC_DEFAULT';
        const out = await kms.decrypt({ CiphertextBlob: blob, ...(asym ? { KeyId: cur.key().KeyId, EncryptionAlgorithm: cur.alg } : {}) });
        expect(out.Plaintext).toEqual(pt);
      }),
      { numRuns: 40 },
    );
  });

  test('a ReEncrypt whose destination limit is exceeded → ValidationException with AWS message', async () => {
    const blob = (await kms.encrypt({ KeyId: sym.KeyId, Plaintext: new Uint8Array(191) })).CiphertextBlob;
    await refuses(
      kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: keys.RSA_2048.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      'ValidationException',
      'Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.',
    );
    // 191 bytes fit under SHA-1's 214.
    await kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: keys.RSA_2048.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
  });

  test('IncorrectKeyException still holds for a symmetric source when the destination is RSA', async () => {
    const blob = (await kms.encrypt({ KeyId: sym.KeyId, Plaintext: enc('x') })).CiphertextBlob;
    await refuses(
      kms.reEncrypt({ CiphertextBlob: blob, SourceKeyId: sym2.KeyId, DestinationKeyId: keys.RSA_2048.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      'IncorrectKeyException',
    );
  });
});

describe('determinism and the key-store snapshot', () => {
  test('the same randomness gives the same RSA ciphertext (OAEP seed from the Kms random)', async () => {
    const seed = (n: number) => new Uint8Array(n).fill(0x5a);
    const k1 = new Kms({ keyStore: store, random: seed });
    const k2 = new Kms({ keyStore: store, random: seed });
    const a = await k1.encrypt({ KeyId: keys.RSA_2048.KeyId, Plaintext: enc('same'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    const b = await k2.encrypt({ KeyId: keys.RSA_2048.KeyId, Plaintext: enc('same'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(a.CiphertextBlob).toEqual(b.CiphertextBlob);
  });

  test('RSA keys survive export → JSON → import; an old ciphertext decrypts in the new store', async () => {
    const ct = (await kms.encrypt({ KeyId: keys.RSA_3072.KeyId, Plaintext: enc('persisted'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })).CiphertextBlob;
    const json = JSON.stringify(store.exportSnapshot());
    const other = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(json) });
    const out = await other.decrypt({ CiphertextBlob: ct, KeyId: keys.RSA_3072.Arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
    expect(dec(out.Plaintext)).toBe('persisted');
    expect((await other.getPublicKey({ KeyId: keys.RSA_3072.KeyId })).PublicKey).toEqual(spki.RSA_3072);
  });

  test('errors are KmsErrors, never bare Errors, even for a corrupt RSA key in a snapshot', async () => {
    const snap = store.exportSnapshot();
    const k = snap.keys.find((x) => x.Arn === rsaB.Arn) as { KeyMaterial: { Material: string }[] };
    k.KeyMaterial[0]!.Material = Buffer.from('not a key').toString('base64');
    const broken = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(snap) });
    const err = await broken.decrypt({ CiphertextBlob: new Uint8Array(256), KeyId: rsaB.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }).catch((e) => e);
    expect(err).toBeInstanceOf(KmsError);
    expect(err.name).toBe('InvalidCiphertextException');
  });
});
