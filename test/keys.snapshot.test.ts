/**
 * The key-store snapshot: exportSnapshot → JSON → fromSnapshot round-trips keys, aliases and
 * material; malformed or foreign snapshots are refused with a ValidationException that never
 * carries key material; several accounts share one store.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type KeyMetadata, type KeyStoreSnapshot } from '../src/index.js';
import { dec, enc } from './helpers/index.js';
import { ACCOUNT_A, ACCOUNT_B, ManualClock, describe_, newKey, refuses, refusesSync, seededRandom, snapshotKey } from './helpers/keys.js';

/** A store holding keys in every state kms-core can reach, in two accounts, with ciphertexts. */
async function populated() {
  const clock = new ManualClock();
  const store = new InMemoryKeyStore();
  const a = new Kms({ keyStore: store, accountId: ACCOUNT_A, now: clock.now, random: seededRandom(1) });
  const b = new Kms({ keyStore: store, accountId: ACCOUNT_B, now: clock.now, random: seededRandom(2) });
  const blobs: { kms: 'a' | 'b'; blob: Uint8Array; text: string; material: string }[] = [];
  const seal = async (kms: Kms, who: 'a' | 'b', keyId: string, text: string) => {
    const material = (await describe_(kms, keyId)).CurrentKeyMaterialId as string;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: keyId, Plaintext: enc(text), EncryptionContext: { purpose: text } });
    blobs.push({ kms: who, blob: CiphertextBlob as Uint8Array, text, material });
  };

  const rotated = await newKey(a, { Description: 'rotated' });
  await seal(a, 'a', rotated.KeyId, 'gen 0');
  await a.rotateKeyOnDemand({ KeyId: rotated.KeyId });
  await seal(a, 'a', rotated.KeyId, 'gen 1');
  await a.enableKeyRotation({ KeyId: rotated.KeyId, RotationPeriodInDays: 90 });
  clock.advanceDays(91);
  await seal(a, 'a', rotated.KeyId, 'gen 2 (automatic)');
  const disabled = await newKey(a, { Description: 'disabled' });
  await seal(a, 'a', disabled.KeyId, 'disabled later');
  await a.disableKey({ KeyId: disabled.KeyId });
  const doomed = await newKey(a, { Description: 'doomed' });
  await a.createAlias({ AliasName: 'alias/doomed', TargetKeyId: doomed.KeyId });
  await a.scheduleKeyDeletion({ KeyId: doomed.KeyId, PendingWindowInDays: 7 });
  const external = await newKey(a, { Origin: 'EXTERNAL', Description: 'external' });
  const externalDoomed = await newKey(a, { Origin: 'EXTERNAL', Description: 'external, doomed' });
  await a.scheduleKeyDeletion({ KeyId: externalDoomed.KeyId, PendingWindowInDays: 30 });
  const mrk = await newKey(a, { MultiRegion: true, Description: 'mrk' });
  await seal(a, 'a', mrk.KeyId, 'multi-Region');
  await a.createAlias({ AliasName: 'alias/one', TargetKeyId: rotated.KeyId });
  await a.createAlias({ AliasName: 'alias/app/two', TargetKeyId: disabled.KeyId });

  const other = await newKey(b, { Description: 'account B' });
  await b.createAlias({ AliasName: 'alias/one', TargetKeyId: other.KeyId });
  await seal(b, 'b', other.KeyId, 'from B');

  const keysA = [rotated, disabled, doomed, external, externalDoomed, mrk];
  return { clock, store, a, b, blobs, keysA, keysB: [other], doomed, rotated };
}

/** Everything a caller can observe about a store through one Kms. */
async function observe(kms: Kms, keys: KeyMetadata[]) {
  const out: Record<string, unknown> = {
    listKeys: await kms.listKeys(),
    listAliases: await kms.listAliases(),
  };
  for (const k of keys) {
    const md = await describe_(kms, k.KeyId);
    out[k.KeyId] = {
      md,
      rotations: md.Origin === 'AWS_KMS' ? await kms.listKeyRotations({ KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }) : undefined,
      status: md.Origin === 'AWS_KMS' ? await kms.getKeyRotationStatus({ KeyId: k.KeyId }) : undefined,
    };
  }
  return out;
}

describe('exportSnapshot → JSON.stringify → fromSnapshot', () => {
  test('round-trips keys, aliases, states, rotation settings and material: every observation is equal', async () => {
    const p = await populated();
    const text = JSON.stringify(p.store.exportSnapshot());
    const store2 = InMemoryKeyStore.fromSnapshot(text);
    const a2 = new Kms({ keyStore: store2, accountId: ACCOUNT_A, now: p.clock.now });
    const b2 = new Kms({ keyStore: store2, accountId: ACCOUNT_B, now: p.clock.now });
    expect(await observe(a2, p.keysA)).toEqual(await observe(p.a, p.keysA));
    expect(await observe(b2, p.keysB)).toEqual(await observe(p.b, p.keysB));
  });

  test('old ciphertext decrypts in the new store, reporting the material that encrypted it', async () => {
    const p = await populated();
    const store2 = InMemoryKeyStore.fromSnapshot(JSON.stringify(p.store.exportSnapshot()));
    const a2 = new Kms({ keyStore: store2, accountId: ACCOUNT_A, now: p.clock.now });
    const b2 = new Kms({ keyStore: store2, accountId: ACCOUNT_B, now: p.clock.now });
    const disabled = p.keysA[1] as KeyMetadata;
    await a2.enableKey({ KeyId: disabled.KeyId });
    expect(p.blobs).toHaveLength(6);
    for (const x of p.blobs) {
      const out = await (x.kms === 'a' ? a2 : b2).decrypt({ CiphertextBlob: x.blob, EncryptionContext: { purpose: x.text } });
      expect(dec(out.Plaintext)).toBe(x.text);
      expect(out.KeyMaterialId).toBe(x.material);
    }
  });

  test('a snapshot of the loaded store equals the loaded JSON (export is stable)', async () => {
    const p = await populated();
    const json = JSON.parse(JSON.stringify(p.store.exportSnapshot())) as KeyStoreSnapshot;
    expect(InMemoryKeyStore.fromSnapshot(json).exportSnapshot()).toEqual(json);
    expect(p.store.exportSnapshot()).toEqual(json);
  });

  test('the loaded store is independent of the exported one', async () => {
    const p = await populated();
    const store2 = InMemoryKeyStore.fromSnapshot(p.store.exportSnapshot());
    const a2 = new Kms({ keyStore: store2, accountId: ACCOUNT_A, now: p.clock.now });
    await a2.disableKey({ KeyId: p.rotated.KeyId });
    await a2.deleteAlias({ AliasName: 'alias/one' });
    expect((await describe_(p.a, p.rotated.KeyId)).KeyState).toBe('Enabled');
    expect((await describe_(p.a, 'alias/one')).KeyId).toBe(p.rotated.KeyId);
  });

  test('a key pending deletion keeps its DeletionDate and is deleted on time in the new store, with its aliases', async () => {
    const p = await populated();
    const store2 = InMemoryKeyStore.fromSnapshot(JSON.stringify(p.store.exportSnapshot()));
    const a2 = new Kms({ keyStore: store2, accountId: ACCOUNT_A, now: p.clock.now });
    const due = (await describe_(p.a, p.doomed.KeyId)).DeletionDate as Date;
    expect((await describe_(a2, p.doomed.KeyId)).DeletionDate).toEqual(due);
    p.clock.set(due.getTime());
    await refuses(a2.describeKey({ KeyId: p.doomed.KeyId }), 'NotFoundException');
    await refuses(a2.describeKey({ KeyId: 'alias/doomed' }), 'NotFoundException');
  });

  test('scheduled rotation continues from the restored NextRotationDate', async () => {
    const p = await populated();
    const store2 = InMemoryKeyStore.fromSnapshot(JSON.stringify(p.store.exportSnapshot()));
    const a2 = new Kms({ keyStore: store2, accountId: ACCOUNT_A, now: p.clock.now });
    const next = (await a2.getKeyRotationStatus({ KeyId: p.rotated.KeyId })).NextRotationDate as Date;
    const before = (await a2.listKeyRotations({ KeyId: p.rotated.KeyId })).Rotations ?? [];
    p.clock.set(next.getTime());
    const after = (await a2.listKeyRotations({ KeyId: p.rotated.KeyId })).Rotations ?? [];
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({ RotationType: 'AUTOMATIC', RotationDate: next, KeyMaterialState: 'CURRENT' });
  });

  test('importSnapshot accepts the snapshot object or its JSON text alike', async () => {
    const p = await populated();
    const snap = p.store.exportSnapshot();
    const viaText = new InMemoryKeyStore().importSnapshot(JSON.stringify(snap)).exportSnapshot();
    const viaObject = new InMemoryKeyStore().importSnapshot(snap).exportSnapshot();
    expect(viaObject).toEqual(viaText);
  });

  test('the snapshot is versioned and documented: format "kms-core/key-store", version 1, AWS-named fields, ISO dates, base64 material', async () => {
    const p = await populated();
    const snap = p.store.exportSnapshot();
    expect(SNAPSHOT_FORMAT).toBe('kms-core/key-store');
    expect(SNAPSHOT_VERSION).toBe(1);
    expect(Object.keys(snap).sort()).toEqual(['aliases', 'format', 'keys', 'version']);
    expect(snap.format).toBe(SNAPSHOT_FORMAT);
    expect(snap.version).toBe(SNAPSHOT_VERSION);
    const k = snapshotKey(snap, p.rotated.Arn as string);
    expect(k).toMatchObject({
      KeyId: p.rotated.KeyId,
      Arn: p.rotated.Arn,
      AccountId: ACCOUNT_A,
      Region: 'us-east-1',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS',
      Description: 'rotated',
      MultiRegion: false,
      CreationDate: '2026-01-01T00:00:00.000Z',
      KeyState: 'Enabled',
      RotationEnabled: true,
      RotationPeriodInDays: 90,
    });
    const material = k.KeyMaterial as Record<string, unknown>[];
    expect(material.map((m) => m.RotationType)).toEqual([undefined, 'ON_DEMAND', 'AUTOMATIC']);
    for (const m of material) {
      expect(m.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
      expect(m.Material).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(Date.parse(m.CreatedAt as string)).not.toBeNaN();
    }
    expect(snap.aliases.map((x) => x.AliasArn)).toEqual(
      expect.arrayContaining([`arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/one`, `arn:aws:kms:us-east-1:${ACCOUNT_B}:alias/one`]),
    );
  });
});

describe('two accounts sharing one store', () => {
  test('snapshots of two accounts loaded into one store: each Kms sees only its own keys and aliases', async () => {
    const clock = new ManualClock();
    const storeA = new InMemoryKeyStore();
    const storeB = new InMemoryKeyStore();
    const a = new Kms({ keyStore: storeA, accountId: ACCOUNT_A, now: clock.now });
    const b = new Kms({ keyStore: storeB, accountId: ACCOUNT_B, now: clock.now });
    const ka = await newKey(a);
    const kb = await newKey(b);
    await a.createAlias({ AliasName: 'alias/same', TargetKeyId: ka.KeyId });
    await b.createAlias({ AliasName: 'alias/same', TargetKeyId: kb.KeyId });
    const blobA = (await a.encrypt({ KeyId: 'alias/same', Plaintext: enc('A') })).CiphertextBlob as Uint8Array;
    const blobB = (await b.encrypt({ KeyId: 'alias/same', Plaintext: enc('B') })).CiphertextBlob as Uint8Array;

    const shared = new InMemoryKeyStore().importSnapshot(JSON.stringify(storeA.exportSnapshot())).importSnapshot(JSON.stringify(storeB.exportSnapshot()));
    const a2 = new Kms({ keyStore: shared, accountId: ACCOUNT_A, now: clock.now });
    const b2 = new Kms({ keyStore: shared, accountId: ACCOUNT_B, now: clock.now });
    expect(shared.exportSnapshot().keys).toHaveLength(2);
    expect(((await a2.listKeys()).Keys ?? []).map((k) => k.KeyId)).toEqual([ka.KeyId]);
    expect(((await b2.listKeys()).Keys ?? []).map((k) => k.KeyId)).toEqual([kb.KeyId]);
    expect((await describe_(a2, 'alias/same')).Arn).toBe(ka.Arn);
    expect((await describe_(b2, 'alias/same')).Arn).toBe(kb.Arn);
    expect(dec((await a2.decrypt({ CiphertextBlob: blobA })).Plaintext)).toBe('A');
    expect(dec((await b2.decrypt({ CiphertextBlob: blobB })).Plaintext)).toBe('B');
    await refuses(a2.decrypt({ CiphertextBlob: blobB }), 'AccessDeniedException');
    await refuses(b2.describeKey({ KeyId: ka.KeyId }), 'NotFoundException');
    await refuses(b2.describeKey({ KeyId: ka.Arn as string }), 'AccessDeniedException');
  });
});

/** A small deterministic snapshot, its key material (base64 and hex), for the refusal tests. */
async function baseSnapshot() {
  const store = new InMemoryKeyStore();
  const kms = new Kms({ keyStore: store, now: new ManualClock().now, random: seededRandom(7) });
  const key = await newKey(kms, { Description: 'base' });
  await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
  await kms.enableKeyRotation({ KeyId: key.KeyId });
  await kms.createAlias({ AliasName: 'alias/base', TargetKeyId: key.KeyId });
  const snap = JSON.parse(JSON.stringify(store.exportSnapshot())) as KeyStoreSnapshot;
  const secrets: string[] = [];
  for (const k of snap.keys) {
    for (const m of k.KeyMaterial as Record<string, unknown>[]) {
      const b64 = m.Material as string;
      secrets.push(b64, Buffer.from(b64, 'base64').toString('hex'), b64.slice(0, 16), b64.slice(-16));
    }
  }
  return { snap, secrets };
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** Loading must fail with a ValidationException whose message holds none of the secrets. */
function refusedWithoutSecrets(input: unknown, secrets: readonly string[], message?: RegExp) {
  const e = refusesSync(() => InMemoryKeyStore.fromSnapshot(input), 'ValidationException', message);
  for (const s of secrets) expect(e.message).not.toContain(s);
  expect(JSON.stringify(e)).not.toMatch(/[A-Za-z0-9+/]{40,}/);
  return e;
}

describe('refused snapshots', () => {
  test.each([2, 0, '1', null, undefined, 1.5])('a snapshot of version %j is a ValidationException (this kms-core reads version 1)', async (version) => {
    const { snap, secrets } = await baseSnapshot();
    const s = clone(snap) as unknown as Record<string, unknown>;
    if (version === undefined) delete s.version;
    else s.version = version;
    refusedWithoutSecrets(s, secrets, /version/);
  });

  test('a version field holding key material is refused without echoing it', async () => {
    const { snap, secrets } = await baseSnapshot();
    const s = clone(snap) as unknown as Record<string, unknown>;
    s.version = secrets[0];
    refusedWithoutSecrets(s, secrets, /^Unsupported key-store snapshot version/);
  });

  test('a foreign document is a ValidationException: wrong format, not an object, not JSON, lists missing', async () => {
    const { snap, secrets } = await baseSnapshot();
    refusedWithoutSecrets({ ...clone(snap), format: 'aws-kms/keys' }, secrets, /format/);
    for (const junk of [null, 42, 'not json', '[]', [], '{"format":"kms-core/key-store","version":1}']) refusedWithoutSecrets(junk, secrets);
    refusedWithoutSecrets({ ...clone(snap), keys: {} }, secrets);
  });

  type Corruption = [string, (s: KeyStoreSnapshot, secret: string) => void];
  const key0 = (s: KeyStoreSnapshot) => s.keys[0] as Record<string, unknown>;
  const mat0 = (s: KeyStoreSnapshot) => (key0(s).KeyMaterial as Record<string, unknown>[])[0] as Record<string, unknown>;
  const alias0 = (s: KeyStoreSnapshot) => s.aliases[0] as Record<string, unknown>;
  const corruptions: Corruption[] = [
    ['KeyId holds material', (s, x) => void (key0(s).KeyId = x)],
    ['KeyId missing', (s) => void delete key0(s).KeyId],
    ['Arn does not match', (s, x) => void (key0(s).Arn = `arn:aws:kms:us-east-1:111122223333:key/${x}`)],
    ['AccountId malformed', (s, x) => void (key0(s).AccountId = x)],
    ['Region malformed', (s, x) => void (key0(s).Region = x)],
    ['KeySpec unknown', (s, x) => void (key0(s).KeySpec = x)],
    ['KeyUsage unknown', (s) => void (key0(s).KeyUsage = 'ENCRYPT_AND_SIGN')],
    ['Origin unknown', (s, x) => void (key0(s).Origin = x)],
    ['KeyState unknown', (s, x) => void (key0(s).KeyState = x)],
    ['MultiRegion not a boolean', (s, x) => void (key0(s).MultiRegion = x)],
    ['CreationDate not a date', (s) => void (key0(s).CreationDate = 'yesterday-ish')],
    ['PendingDeletion without DeletionDate', (s) => void (key0(s).KeyState = 'PendingDeletion')],
    ['PendingWindowInDays out of range', (s) => void (key0(s).PendingWindowInDays = 6)],
    ['RotationPeriodInDays out of range', (s) => void (key0(s).RotationPeriodInDays = 89)],
    ['RotationEnabled without NextRotationDate', (s) => void delete key0(s).NextRotationDate],
    ['KeyMaterial not a list', (s, x) => void (key0(s).KeyMaterial = x)],
    ['KeyMaterial empty on an Enabled key', (s) => void (key0(s).KeyMaterial = [])],
    ['Material not base64', (s, x) => void (mat0(s).Material = `${x}!`)],
    ['Material 31 bytes', (s, x) => void (mat0(s).Material = Buffer.from(x, 'base64').subarray(0, 31).toString('base64'))],
    ['Material 33 bytes', (s, x) => void (mat0(s).Material = Buffer.concat([Buffer.from(x, 'base64'), Buffer.from([1])]).toString('base64'))],
    ['Material not canonical base64', (s, x) => void (mat0(s).Material = x.replace(/=$/, '').slice(0, -1) + 'B=')],
    ['KeyMaterialId holds base64 material', (s, x) => void (mat0(s).KeyMaterialId = x)],
    ['KeyMaterialId upper-case', (s) => void (mat0(s).KeyMaterialId = (mat0(s).KeyMaterialId as string).toUpperCase())],
    ['RotationType unknown', (s, x) => void (mat0(s).RotationType = x)],
    ['CreatedAt missing', (s) => void delete mat0(s).CreatedAt],
    ['duplicate key', (s) => void s.keys.push(clone(key0(s)))],
    ['alias targets a missing key', (s) => void (alias0(s).TargetKeyId = '0b3c5f5e-1d2c-4b8a-9a3e-7f6d5c4b3a29')],
    ['alias name outside the pattern', (s) => void (alias0(s).AliasName = 'alias/has space')],
    ['AliasArn does not match', (s, x) => void (alias0(s).AliasArn = x)],
    ['alias Region holds material', (s, x) => void (alias0(s).Region = x)],
    ['alias TargetKeyId holds material', (s, x) => void (alias0(s).TargetKeyId = x)],
  ];

  test.each(corruptions)('%s → ValidationException naming the field, never the material', async (_, corrupt) => {
    const { snap, secrets } = await baseSnapshot();
    const s = clone(snap);
    corrupt(s, secrets[0] as string);
    const e = refusedWithoutSecrets(JSON.stringify(s), secrets);
    expect(e.message).toMatch(/^Invalid key-store snapshot: /);
  });

  test('a refused snapshot leaves the store as it was', async () => {
    const { snap, secrets } = await baseSnapshot();
    const store = new InMemoryKeyStore();
    const bad = clone(snap);
    (bad.aliases[0] as Record<string, unknown>).TargetKeyId = '0b3c5f5e-1d2c-4b8a-9a3e-7f6d5c4b3a29';
    refusesSync(() => store.importSnapshot(bad), 'ValidationException');
    expect(store.exportSnapshot()).toEqual({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, keys: [], aliases: [] });
    expect(secrets.length).toBeGreaterThan(0);
  });

  test('any single corrupted field either loads a usable store or is a ValidationException without key material', async () => {
    const { snap, secrets } = await baseSnapshot();
    const paths: ((s: KeyStoreSnapshot) => Record<string, unknown>)[] = [(s) => s as unknown as Record<string, unknown>, key0, mat0, alias0];
    const fields = [
      'format', 'version', 'keys', 'aliases', 'KeyId', 'Arn', 'AccountId', 'Region', 'KeySpec', 'KeyUsage', 'Origin', 'Description', 'MultiRegion',
      'CreationDate', 'KeyState', 'DeletionDate', 'PendingWindowInDays', 'RotationEnabled', 'RotationPeriodInDays', 'NextRotationDate',
      'OnDemandRotationStartDate', 'KeyMaterial', 'KeyMaterialId', 'Material', 'PublicKey', 'CreatedAt', 'RotationType', 'AliasName', 'AliasArn',
      'TargetKeyId', 'LastUpdatedDate',
    ];
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(...secrets),
      fc.constantFrom('PendingImport', 'PendingDeletion', 'Unavailable', 'EXTERNAL', 'RSA_2048', 'SM2', '2026-02-01T00:00:00Z', 90, 7, 0, true, false),
      fc.constant(undefined),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(paths.length - 1), fc.constantFrom(...fields), value, async (where, field, v) => {
        const s = clone(snap);
        const target = (paths[where] as (x: KeyStoreSnapshot) => Record<string, unknown>)(s);
        if (v === undefined) delete target[field];
        else target[field] = v;
        let store: InMemoryKeyStore;
        try {
          store = InMemoryKeyStore.fromSnapshot(JSON.stringify(s));
        } catch (e) {
          expect(e).toBeInstanceOf(KmsError);
          expect((e as KmsError).name).toBe('ValidationException');
          for (const x of secrets) expect((e as KmsError).message).not.toContain(x);
          return;
        }
        // Loaded: the store must behave, every failure an AWS-named client error.
        const kms = new Kms({ keyStore: store, now: () => new Date('2026-06-01T00:00:00Z') });
        for (const k of store.exportSnapshot().keys) {
          for (const call of [
            () => kms.describeKey({ KeyId: k.Arn as string }),
            () => kms.encrypt({ KeyId: k.Arn as string, Plaintext: enc('x') }),
            () => kms.listKeyRotations({ KeyId: k.Arn as string }),
            () => kms.getKeyRotationStatus({ KeyId: k.Arn as string }),
          ]) {
            try {
              await call();
            } catch (e) {
              expect(e).toBeInstanceOf(KmsError);
              expect((e as KmsError).$fault).toBe('client');
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('asymmetric keys in snapshots', () => {
  test('an RSA key round-trips with its private and public key: metadata equal, ciphertext decrypts in the new store', async () => {
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store });
    const rsa = await newKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const { CiphertextBlob } = await kms.encrypt({ KeyId: rsa.KeyId, Plaintext: enc('rsa'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    const pub = (await kms.getPublicKey({ KeyId: rsa.KeyId })).PublicKey;
    const snap = JSON.parse(JSON.stringify(store.exportSnapshot())) as KeyStoreSnapshot;
    const kms2 = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(snap) });
    expect(await describe_(kms2, rsa.KeyId)).toEqual(rsa);
    expect((await kms2.getPublicKey({ KeyId: rsa.KeyId })).PublicKey).toEqual(pub);
    const out = await kms2.decrypt({ CiphertextBlob, KeyId: rsa.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(dec(out.Plaintext)).toBe('rsa');
    const k = snapshotKey(snap, rsa.Arn as string);
    const m = (k.KeyMaterial as Record<string, unknown>[])[0] as Record<string, unknown>;
    delete m.PublicKey;
    refusesSync(() => InMemoryKeyStore.fromSnapshot(snap), 'ValidationException', /PublicKey/);
  });
});

describe('EXTERNAL keys in snapshots', () => {
  test('an EXTERNAL key scheduled for deletion before any import round-trips, and cancelling returns it to PendingImport', async () => {
    const clock = new ManualClock();
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store, now: clock.now });
    const ext = await newKey(kms, { Origin: 'EXTERNAL' });
    await kms.scheduleKeyDeletion({ KeyId: ext.KeyId, PendingWindowInDays: 7 });
    const kms2 = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify(store.exportSnapshot())), now: clock.now });
    expect((await describe_(kms2, ext.KeyId)).KeyState).toBe('PendingDeletion');
    await kms2.cancelKeyDeletion({ KeyId: ext.KeyId });
    expect((await describe_(kms2, ext.KeyId)).KeyState).toBe('PendingImport');
  });

  test('a key without material that claims to be Enabled or Disabled is refused', async () => {
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store });
    const ext = await newKey(kms, { Origin: 'EXTERNAL' });
    for (const state of ['Enabled', 'Disabled', 'Updating']) {
      const s = clone(store.exportSnapshot());
      snapshotKey(s, ext.Arn as string).KeyState = state;
      refusesSync(() => InMemoryKeyStore.fromSnapshot(s), 'ValidationException', /KeyMaterial/);
    }
  });
});

describe('snapshots that claim what a key cannot have', () => {
  test('RotationEnabled on an RSA key is refused at load (it would make every later call on the key fail)', async () => {
    const { InMemoryKeyStore: Store, Kms: K } = await import('../src/index.js');
    const store = new Store();
    const kms = new K({ keyStore: store });
    const rsa = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
    const snap = JSON.parse(JSON.stringify(store.exportSnapshot()));
    const k = snap.keys.find((x: { KeyId: string }) => x.KeyId === rsa.KeyId);
    Object.assign(k, { RotationEnabled: true, RotationPeriodInDays: 90, NextRotationDate: '2020-01-01T00:00:00.000Z' });
    expect(() => Store.fromSnapshot(JSON.stringify(snap))).toThrow(/RotationEnabled is only for SYMMETRIC_DEFAULT keys of Origin AWS_KMS/);
  });
});
