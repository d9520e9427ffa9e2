/**
 * CreateKey and DescribeKey: the KeyMetadata AWS returns, keys with imported material
 * (Origin EXTERNAL), refused specs, usages and origins, and the ARN partition of each Region.
 */
import { describe, expect, test } from 'vitest';
import { Kms, KmsError, UnsupportedOperationException, ValidationException } from '../src/index.js';
import { enc } from './helpers/index.js';
import { ACCOUNT_A, HEX64, ManualClock, UUID, describe_, newKey, refuses, refusesSync } from './helpers/keys.js';

describe('CreateKey: KeyMetadata as AWS returns it', () => {
  test('a symmetric key has exactly the KeyMetadata fields AWS returns, CreationDate from the clock', async () => {
    const clock = new ManualClock('2026-03-04T05:06:07.089Z');
    const kms = new Kms({ now: clock.now });
    const md = await newKey(kms, { Description: 'orders' });
    expect(md).toEqual({
      AWSAccountId: ACCOUNT_A,
      KeyId: expect.stringMatching(UUID),
      Arn: `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/${md.KeyId}`,
      CreationDate: new Date('2026-03-04T05:06:07.089Z'),
      Enabled: true,
      Description: 'orders',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: expect.stringMatching(HEX64),
    });
    expect(md.CreationDate).toBeInstanceOf(Date);
  });

  test('KeySpec, KeyUsage and Origin default to SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT and AWS_KMS; Description to ""', async () => {
    const md = await newKey(new Kms());
    expect(md.KeySpec).toBe('SYMMETRIC_DEFAULT');
    expect(md.KeyUsage).toBe('ENCRYPT_DECRYPT');
    expect(md.Origin).toBe('AWS_KMS');
    expect(md.Description).toBe('');
  });

  test('explicit KeySpec SYMMETRIC_DEFAULT and KeyUsage ENCRYPT_DECRYPT are accepted', async () => {
    const md = await newKey(new Kms(), { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' });
    expect(md.KeyState).toBe('Enabled');
  });

  test('the deprecated CustomerMasterKeySpec alone is accepted as the KeySpec', async () => {
    const md = await newKey(new Kms(), { CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' });
    expect(md.KeySpec).toBe('SYMMETRIC_DEFAULT');
    expect(md.CustomerMasterKeySpec).toBe('SYMMETRIC_DEFAULT');
  });

  test('DescribeKey returns the metadata CreateKey returned', async () => {
    const kms = new Kms();
    const md = await newKey(kms, { Description: 'd' });
    expect(await describe_(kms, md.KeyId)).toEqual(md);
  });

  test('every key gets its own lower-case UUID key ID and its own 64-hex CurrentKeyMaterialId', async () => {
    const kms = new Kms();
    const ids = new Set<string>();
    const materials = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const md = await newKey(kms);
      expect(md.KeyId).toMatch(UUID);
      expect(md.CurrentKeyMaterialId).toMatch(HEX64);
      ids.add(md.KeyId);
      materials.add(md.CurrentKeyMaterialId as string);
    }
    expect(ids.size).toBe(20);
    expect(materials.size).toBe(20);
  });

  test('the returned metadata is a copy: mutating it changes nothing in the store', async () => {
    const kms = new Kms();
    const md = await newKey(kms);
    md.KeyState = 'Disabled';
    md.EncryptionAlgorithms?.push('RSAES_OAEP_SHA_1');
    const again = await describe_(kms, md.KeyId);
    expect(again.KeyState).toBe('Enabled');
    expect(again.EncryptionAlgorithms).toEqual(['SYMMETRIC_DEFAULT']);
  });
});

describe('CreateKey: multi-Region keys', () => {
  test('MultiRegion true gives an mrk- key ID (32 lower-case hex) and a PRIMARY MultiRegionConfiguration', async () => {
    const kms = new Kms({ region: 'eu-west-1' });
    const md = await newKey(kms, { MultiRegion: true });
    expect(md.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(md.Arn).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT_A}:key/${md.KeyId}`);
    expect(md.MultiRegion).toBe(true);
    expect(md.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: md.Arn, Region: 'eu-west-1' },
      ReplicaKeys: [],
    });
  });

  test('a single-Region key has MultiRegion false and no MultiRegionConfiguration', async () => {
    const md = await newKey(new Kms(), { MultiRegion: false });
    expect(md.MultiRegion).toBe(false);
    expect(md).not.toHaveProperty('MultiRegionConfiguration');
  });

  test('a multi-Region key encrypts and decrypts like any symmetric key, by its mrk- ID', async () => {
    const kms = new Kms();
    const md = await newKey(kms, { MultiRegion: true });
    const { CiphertextBlob, KeyId } = await kms.encrypt({ KeyId: md.KeyId, Plaintext: enc('mrk') });
    expect(KeyId).toBe(md.Arn);
    const out = await kms.decrypt({ CiphertextBlob });
    expect(out.KeyId).toBe(md.Arn);
    expect(out.KeyMaterialId).toBe(md.CurrentKeyMaterialId);
  });
});

describe('CreateKey: Origin EXTERNAL (imported key material)', () => {
  test('an EXTERNAL key is created PendingImport: Enabled false, no CurrentKeyMaterialId, no ExpirationModel', async () => {
    const kms = new Kms();
    const md = await newKey(kms, { Origin: 'EXTERNAL' });
    expect(md.Origin).toBe('EXTERNAL');
    expect(md.KeyState).toBe('PendingImport');
    expect(md.Enabled).toBe(false);
    expect(md.KeySpec).toBe('SYMMETRIC_DEFAULT');
    expect(md.EncryptionAlgorithms).toEqual(['SYMMETRIC_DEFAULT']);
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    expect(md).not.toHaveProperty('ExpirationModel');
  });

  test('encrypt with a PendingImport key is refused: KMSInvalidStateException "<arn> is pending import."', async () => {
    const kms = new Kms();
    const md = await newKey(kms, { Origin: 'EXTERNAL' });
    for (const KeyId of [md.KeyId, md.Arn as string]) {
      await refuses(kms.encrypt({ KeyId, Plaintext: enc('x') }), 'KMSInvalidStateException', `${md.Arn} is pending import.`);
    }
    await refuses(kms.generateDataKey({ KeyId: md.KeyId, KeySpec: 'AES_256' }), 'KMSInvalidStateException', `${md.Arn} is pending import.`);
  });

  test('a PendingImport key cannot be enabled or disabled: KMSInvalidStateException "<arn> is pending import."', async () => {
    const kms = new Kms();
    const md = await newKey(kms, { Origin: 'EXTERNAL' });
    await refuses(kms.enableKey({ KeyId: md.KeyId }), 'KMSInvalidStateException', `${md.Arn} is pending import.`);
    await refuses(kms.disableKey({ KeyId: md.KeyId }), 'KMSInvalidStateException', `${md.Arn} is pending import.`);
    expect((await describe_(kms, md.KeyId)).KeyState).toBe('PendingImport');
  });
});

describe('CreateKey: RSA encryption keys', () => {
  test('an RSA_2048 ENCRYPT_DECRYPT key lists the OAEP algorithms and has no CurrentKeyMaterialId', async () => {
    const kms = new Kms();
    const md = await newKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', Description: 'rsa' });
    expect(md).toMatchObject({
      KeySpec: 'RSA_2048',
      CustomerMasterKeySpec: 'RSA_2048',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Enabled: true,
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      MultiRegion: false,
    });
    expect([...(md.EncryptionAlgorithms ?? [])].sort()).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
    expect(md.KeyId).toMatch(UUID);
    // CurrentKeyMaterialId is present for symmetric encryption keys only (KeyMetadata reference).
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    expect(await describe_(kms, md.KeyId)).toEqual(md);
  });

  test('Precondition: only key specs that rotate (symmetric encryption keys) have rotation settings — an RSA key cannot be rotated: UnsupportedOperationException for every rotation operation', async () => {
    const kms = new Kms();
    const md = await newKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await refuses(kms.enableKeyRotation({ KeyId: md.KeyId }), 'UnsupportedOperationException');
    await refuses(kms.disableKeyRotation({ KeyId: md.KeyId }), 'UnsupportedOperationException');
    await refuses(kms.rotateKeyOnDemand({ KeyId: md.KeyId }), 'UnsupportedOperationException');
    await refuses(kms.getKeyRotationStatus({ KeyId: md.KeyId }), 'UnsupportedOperationException');
  });
});

describe('CreateKey: refused specs, usages and origins', () => {
  test('an unknown KeySpec is a ValidationException naming the keySpec enum', async () => {
    const kms = new Kms();
    await refuses(
      kms.createKey({ KeySpec: 'AES_256' as never }),
      'ValidationException',
      /^1 validation error detected: Value 'AES_256' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.*SYMMETRIC_DEFAULT.*\]$/,
    );
  });

  test('an unknown KeyUsage or Origin is a ValidationException naming the member', async () => {
    const kms = new Kms();
    await refuses(kms.createKey({ KeyUsage: 'RANDOM' as never }), 'ValidationException', /^1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    await refuses(kms.createKey({ Origin: 'ELSEWHERE' as never }), 'ValidationException', /Value 'ELSEWHERE' at 'origin' failed to satisfy constraint: Member must satisfy enum value set/);
  });

  test('Precondition: a symmetric encryption key has KeyUsage ENCRYPT_DECRYPT — a symmetric key takes KeyUsage ENCRYPT_DECRYPT only: ValidationException as AWS words it', async () => {
    const kms = new Kms();
    for (const usage of ['SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const) {
      await refuses(
        kms.createKey({ KeyUsage: usage }),
        'ValidationException',
        `The operation failed because the KeyUsage value of the CMK is ${usage}. To perform this operation, the KeyUsage value must be ENCRYPT_DECRYPT.`,
      );
    }
  });

  test('Precondition: every key but a symmetric encryption key names its KeyUsage — only symmetric encryption keys may omit KeyUsage: ValidationException as AWS words it', async () => {
    const kms = new Kms();
    for (const spec of ['HMAC_256', 'ECC_NIST_P256', 'RSA_2048'] as const) {
      await refuses(kms.createKey({ KeySpec: spec }), 'ValidationException', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    }
  });

  test('Precondition: KeySpec and the deprecated CustomerMasterKeySpec are not both given — KeySpec and CustomerMasterKeySpec together are a ValidationException', async () => {
    await refuses(new Kms().createKey({ KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' }), 'ValidationException');
  });

  test('Precondition: kms-core offers the key usage for the spec — a key usage its key spec does not offer is refused with UnsupportedOperationException, never created', async () => {
    const kms = new Kms();
    await refuses(kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'SIGN_VERIFY' }), 'UnsupportedOperationException');
    await refuses(kms.createKey({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'KEY_AGREEMENT' }), 'UnsupportedOperationException');
    await refuses(kms.createKey({ KeySpec: 'ML_DSA_44', KeyUsage: 'ENCRYPT_DECRYPT' }), 'UnsupportedOperationException');
    expect((await kms.listKeys()).Keys).toEqual([]);
  });

  test('Precondition: a CustomKeyStoreId names a custom key store of the account — CustomKeyStoreNotFoundException (the account has none)', async () => {
    const kms = new Kms();
    const msg = 'The request was rejected because KMS cannot find a custom key store with the specified key store name or ID.';
    await refuses(kms.createKey({ CustomKeyStoreId: 'cks-1234567890abcdef0' }), 'CustomKeyStoreNotFoundException', msg);
    await refuses(kms.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-1234567890abcdef0' }), 'CustomKeyStoreNotFoundException', msg);
    await refuses(kms.createKey({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: 'cks-1234567890abcdef0', XksKeyId: 'ext-1' }), 'CustomKeyStoreNotFoundException', msg);
    expect((await kms.listKeys()).Keys).toEqual([]);
  });

  test('Precondition: Origin AWS_CLOUDHSM and EXTERNAL_KEY_STORE come with a CustomKeyStoreId; XksKeyId only with EXTERNAL_KEY_STORE — UnsupportedOperationException', async () => {
    const kms = new Kms();
    await refuses(kms.createKey({ Origin: 'AWS_CLOUDHSM' }), 'UnsupportedOperationException', /Origin AWS_CLOUDHSM needs a custom key store/);
    await refuses(kms.createKey({ Origin: 'EXTERNAL_KEY_STORE' }), 'UnsupportedOperationException', /Origin EXTERNAL_KEY_STORE needs a custom key store/);
    await refuses(kms.createKey({ XksKeyId: 'ext-1' }), 'UnsupportedOperationException', /Origin AWS_KMS with an XksKeyId/);
    expect((await kms.listKeys()).Keys).toEqual([]);
  });

  test('Description longer than 8192 characters is a ValidationException', async () => {
    const kms = new Kms();
    await newKey(kms, { Description: 'd'.repeat(8192) });
    await refuses(kms.createKey({ Description: 'd'.repeat(8193) }), 'ValidationException', /at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192/);
  });

  test('refusals are typed: instanceof KmsError and of the exported class, $fault client', async () => {
    const kms = new Kms();
    const v = await refuses(kms.createKey({ KeyUsage: 'SIGN_VERIFY' }), 'ValidationException');
    expect(v).toBeInstanceOf(ValidationException);
    expect(v).toBeInstanceOf(KmsError);
    const u = await refuses(kms.createKey({ Origin: 'AWS_CLOUDHSM' }), 'UnsupportedOperationException');
    expect(u).toBeInstanceOf(UnsupportedOperationException);
  });
});

describe('ARN partition follows the Region', () => {
  const cases: [string, string][] = [
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['ap-southeast-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
  ];
  test.each(cases)('keys created in %s have arn:%s:kms ARNs, usable as KeyId there', async (region, partition) => {
    const kms = new Kms({ region, accountId: '123456789012' });
    const md = await newKey(kms);
    expect(md.Arn).toBe(`arn:${partition}:kms:${region}:123456789012:key/${md.KeyId}`);
    await kms.createAlias({ AliasName: 'alias/p', TargetKeyId: md.KeyId });
    const aliases = (await kms.listAliases()).Aliases ?? [];
    expect(aliases.map((a) => a.AliasArn)).toEqual([`arn:${partition}:kms:${region}:123456789012:alias/p`]);
    expect((await kms.encrypt({ KeyId: md.Arn, Plaintext: enc('x') })).KeyId).toBe(md.Arn);
    expect((await describe_(kms, `arn:${partition}:kms:${region}:123456789012:alias/p`)).Arn).toBe(md.Arn);
  });

  test('an ARN with the right Region but the wrong partition is NotFoundException', async () => {
    const kms = new Kms({ region: 'cn-north-1' });
    const md = await newKey(kms);
    await refuses(kms.describeKey({ KeyId: `arn:aws:kms:cn-north-1:${ACCOUNT_A}:key/${md.KeyId}` }), 'NotFoundException');
  });

  test('Precondition: the account ID is 12 digits and the region looks like an AWS Region — a malformed account ID or Region in the constructor is a ValidationException', () => {
    refusesSync(() => new Kms({ accountId: '12345' }), 'ValidationException');
    refusesSync(() => new Kms({ region: 'Mars' }), 'ValidationException');
  });
});
