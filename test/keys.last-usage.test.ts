/**
 * GetKeyLastUsage (API reference, GetKeyLastUsage) through the Kms API on every backend, and its
 * bookkeeping (src/keys/usage.ts): what counts (the model's KeyLastUsageTrackingOperation enum,
 * successful calls only, ReEncrypt on both keys), TrackingStartDate, one log per key store
 * shared by every Kms on it, the request ID through the protocol adapter, and persistence that
 * never writes on the hot path (snapshot export merges; flushKeyUsage writes; a file store
 * journals nothing for a cryptographic call).
 */
import { KeyLastUsageTrackingOperation } from '@aws-sdk/client-kms';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, createProtocolHandler, flushKeyUsage, nobleBackend, type Backend } from '../src/index.js';
import { TRACKED_OPERATIONS, existingUsageLog } from '../src/keys/usage.js';
import { FileKeyStore } from '../src/server/file-store.js';
import { ACCOUNT_A, ACCOUNT_B, ROOT_A } from './helpers/auth.js';
import { defaultBackend } from './helpers/backend.js';
import { enc } from './helpers/index.js';
import { ManualClock, newKey, refuses } from './helpers/keys.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');

test('the operations that count are exactly @aws-sdk/client-kms\'s KeyLastUsageTrackingOperation enum', () => {
  expect([...TRACKED_OPERATIONS].sort()).toEqual(Object.values(KeyLastUsageTrackingOperation).sort());
});

describe.each([
  ['the project backend', defaultBackend as Backend],
  ['noble', nobleBackend],
])('GetKeyLastUsage on %s', (_name, backend) => {
  test('a new key: empty KeyLastUsage, TrackingStartDate = KeyCreationDate; then each successful cryptographic call, ReEncrypt on both keys', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const kms = new Kms({ now: clock.now, backend });
    const a = await newKey(kms);
    const b = await newKey(kms);
    const fresh = await kms.getKeyLastUsage({ KeyId: a.KeyId });
    expect(fresh).toEqual({ KeyId: a.KeyId, KeyLastUsage: {}, TrackingStartDate: new Date(T0), KeyCreationDate: new Date(T0) });

    clock.advance(1000);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('used') });
    expect((await kms.getKeyLastUsage({ KeyId: a.Arn })).KeyLastUsage).toEqual({ Operation: 'Encrypt', Timestamp: new Date(T0 + 1000) });
    clock.advance(1000);
    await kms.reEncrypt({ CiphertextBlob, DestinationKeyId: b.KeyId });
    for (const k of [a, b]) expect((await kms.getKeyLastUsage({ KeyId: k.KeyId })).KeyLastUsage).toEqual({ Operation: 'ReEncrypt', Timestamp: new Date(T0 + 2000) });
    clock.advance(1000);
    await kms.generateDataKeyWithoutPlaintext({ KeyId: b.KeyId, KeySpec: 'AES_256' });
    expect((await kms.getKeyLastUsage({ KeyId: b.KeyId })).KeyLastUsage?.Operation).toBe('GenerateDataKeyWithoutPlaintext');
    clock.advance(1000);
    await kms.decrypt({ CiphertextBlob });
    expect((await kms.getKeyLastUsage({ KeyId: a.KeyId })).KeyLastUsage).toEqual({ Operation: 'Decrypt', Timestamp: new Date(T0 + 4000) });
    expect((await kms.getKeyLastUsage({ KeyId: b.KeyId })).KeyLastUsage?.Operation).toBe('GenerateDataKeyWithoutPlaintext');
  });

  test('refused calls, DryRun, a wrong encryption context and non-cryptographic operations record nothing', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const kms = new Kms({ now: clock.now, backend });
    const a = await newKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x'), EncryptionContext: { k: 'v' } });
    clock.advance(60_000);
    await refuses(kms.decrypt({ CiphertextBlob, EncryptionContext: { k: 'other' } }), 'InvalidCiphertextException');
    await refuses(kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x'), DryRun: true }), 'DryRunOperationException');
    await kms.describeKey({ KeyId: a.KeyId });
    await kms.tagResource({ KeyId: a.KeyId, Tags: [{ TagKey: 't', TagValue: '' }] });
    await kms.rotateKeyOnDemand({ KeyId: a.KeyId });
    await kms.disableKey({ KeyId: a.KeyId });
    await refuses(kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x') }), 'DisabledException');
    // Any key state answers (the API page lists no KMSInvalidStateException).
    expect((await kms.getKeyLastUsage({ KeyId: a.KeyId })).KeyLastUsage).toEqual({ Operation: 'Encrypt', Timestamp: new Date(T0) });
  });
});

describe('one log per key store', () => {
  test('shared by every Kms on the store (a use across accounts records on the key); another store knows nothing of it', async () => {
    const store = new InMemoryKeyStore();
    const now = () => new Date(T0);
    const a = new Kms({ accountId: ACCOUNT_A, keyStore: store, now });
    const b = new Kms({ accountId: ACCOUNT_B, keyStore: store, now });
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ROOT_A }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_B}:root` }, Action: 'kms:Encrypt', Resource: '*' },
      ],
    });
    const key = await newKey(a, { Policy: policy });
    await b.encrypt({ KeyId: key.Arn, Plaintext: enc('from B') });
    expect((await new Kms({ accountId: ACCOUNT_A, keyStore: store }).getKeyLastUsage({ KeyId: key.KeyId })).KeyLastUsage?.Operation).toBe('Encrypt');
    // Not across accounts: B may not ask (the key policy would allow kms:* to A only anyway).
    await refuses(b.getKeyLastUsage({ KeyId: key.Arn }), 'AccessDeniedException');
    const elsewhere = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(store.exportSnapshot()), now: () => new Date(T0 + 10_000) });
    await elsewhere.decrypt({ CiphertextBlob: (await elsewhere.encrypt({ KeyId: key.KeyId, Plaintext: enc('copy') })).CiphertextBlob });
    expect((await elsewhere.getKeyLastUsage({ KeyId: key.KeyId })).KeyLastUsage).toEqual({ Operation: 'Decrypt', Timestamp: new Date(T0 + 10_000) });
    expect((await a.getKeyLastUsage({ KeyId: key.KeyId })).KeyLastUsage).toEqual({ Operation: 'Encrypt', Timestamp: new Date(T0) });
  });

  test('a deleted key leaves the log (it holds at most one entry per live key)', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store, now: clock.now });
    const key = await newKey(kms);
    await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') });
    expect(existingUsageLog(store)?.has(key.Arn as string)).toBe(true);
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    clock.advanceDays(8);
    expect((await kms.listKeys()).Keys).toEqual([]);
    expect(existingUsageLog(store)?.has(key.Arn as string)).toBe(false);
  });

  test('through the protocol adapter the request ID of the call is the KmsRequestId', async () => {
    const kms = new Kms();
    let n = 0;
    const { handle } = createProtocolHandler({ kms, requestId: () => `req-${++n}` });
    const key = await newKey(kms);
    const res = await handle('TrentService.GenerateDataKey', JSON.stringify({ KeyId: key.KeyId, NumberOfBytes: 32 }));
    expect(res.status).toBe(200);
    expect(res.headers['x-amzn-RequestId']).toBe('req-1');
    const got = await handle('TrentService.GetKeyLastUsage', JSON.stringify({ KeyId: key.KeyId }));
    const body = JSON.parse(got.body);
    expect(body.KeyLastUsage).toMatchObject({ Operation: 'GenerateDataKey', KmsRequestId: 'req-1' });
    expect(typeof body.KeyLastUsage.Timestamp).toBe('number');
    expect(typeof body.TrackingStartDate).toBe('number');
  });
});

describe('persistence, lazily', () => {
  test('exportSnapshot merges the recorded usage (the records themselves are not written); it loads back, and flushKeyUsage writes it once', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store, now: clock.now });
    const key = await newKey(kms);
    clock.advance(5000);
    await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') });
    expect(store.getKey(key.Arn as string)?.lastUsage).toBeUndefined();
    const snap = store.exportSnapshot();
    expect(snap.keys[0]).toMatchObject({ LastUsage: { Operation: 'Encrypt', Timestamp: new Date(T0 + 5000).toISOString() }, UsageTrackingStartDate: new Date(T0).toISOString() });
    const copy = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify(snap)), now: () => new Date(T0 + 99_000) });
    expect(await copy.getKeyLastUsage({ KeyId: key.KeyId })).toMatchObject({ KeyLastUsage: { Operation: 'Encrypt', Timestamp: new Date(T0 + 5000) }, TrackingStartDate: new Date(T0) });
    expect(await flushKeyUsage(store)).toBe(1);
    expect(store.getKey(key.Arn as string)?.lastUsage).toMatchObject({ operation: 'Encrypt', timestamp: T0 + 5000 });
    expect(await flushKeyUsage(store)).toBe(0);
  });

  test('a flushed usage is a record of its own: later uses rewrite the log\'s slot in place, not the record a flush or a snapshot took', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store, now: clock.now });
    const key = await newKey(kms);
    clock.advance(1000);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') });
    expect(await flushKeyUsage(store)).toBe(1);
    const snap = store.exportSnapshot();
    clock.advance(1000);
    await kms.decrypt({ CiphertextBlob });
    expect(store.getKey(key.Arn as string)?.lastUsage).toEqual({ operation: 'Encrypt', timestamp: T0 + 1000 });
    expect(snap.keys[0]?.LastUsage).toEqual({ Operation: 'Encrypt', Timestamp: new Date(T0 + 1000).toISOString() });
    expect((await kms.getKeyLastUsage({ KeyId: key.KeyId })).KeyLastUsage).toEqual({ Operation: 'Decrypt', Timestamp: new Date(T0 + 2000) });
    expect(await flushKeyUsage(store)).toBe(1);
    expect(store.getKey(key.Arn as string)?.lastUsage).toEqual({ operation: 'Decrypt', timestamp: T0 + 2000 });
    expect(await flushKeyUsage(store)).toBe(0);
  });

  test('a use while a flush is writing keeps the key due: the next flush writes it', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const inner = new InMemoryKeyStore();
    // A store whose write yields, with a use of the key while it does (the log is the store's).
    const store = Object.create(inner) as InMemoryKeyStore;
    let used = false;
    store.updateKey = (async (arn: string, mutate: Parameters<InMemoryKeyStore['updateKey']>[1]) => {
      const r = inner.updateKey(arn, mutate);
      if (!used) {
        used = true;
        clock.advance(1000);
        await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('during') });
      }
      return r;
    }) as never;
    const kms = new Kms({ keyStore: store, now: clock.now });
    const key = await newKey(kms);
    await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') });
    expect(await flushKeyUsage(store)).toBe(1);
    expect(inner.getKey(key.Arn as string)?.lastUsage).toEqual({ operation: 'Encrypt', timestamp: T0 });
    expect(await flushKeyUsage(store)).toBe(1);
    expect(inner.getKey(key.Arn as string)?.lastUsage).toEqual({ operation: 'Encrypt', timestamp: T0 + 1000 });
    expect(await flushKeyUsage(store)).toBe(0);
  });

  test('noting a use allocates nothing that outlives the call: over 20,000 keys, rounds of one use each leave the old generation as it was (on the built dist/)', () => {
    // A slot rewritten in place holds no new object per use; a slot whose timestamp is stored as
    // a new heap number (a tagged field) promotes one per use when every key is used once
    // between two scavenges, ~16 B a use.
    const script = `
      const v8 = await import('node:v8');
      const { KeyUsageLog } = await import(${JSON.stringify(pathToFileURL(resolve('dist/keys/usage.js')).href)});
      const log = new KeyUsageLog(Date.now());
      const arns = Array.from({ length: 20000 }, (_, i) => 'arn:aws:kms:us-east-1:111122223333:key/' + String(i).padStart(36, '0'));
      for (const a of arns) log.note(a, 'Encrypt', Date.now() + 0.5, undefined);
      const old = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
      for (let r = 0; r < 3; r++) for (const a of arns) log.note(a, 'Decrypt', Date.now() + 0.5, undefined);
      globalThis.gc();
      const before = old();
      const rounds = 10;
      for (let r = 0; r < rounds; r++) {
        for (const a of arns) log.note(a, r % 2 ? 'Decrypt' : 'ReEncrypt', Date.now() + r + 0.5, undefined);
        globalThis.gc({ type: 'minor' });
        globalThis.gc({ type: 'minor' });
      }
      console.log(JSON.stringify({ perUse: (old() - before) / (rounds * arns.length), last: log.get(arns[0]) }));`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    const { perUse, last } = JSON.parse(out) as { perUse: number; last: { operation: string } };
    expect(last.operation).toBe('Decrypt');
    expect(perUse).toBeLessThan(4);
  });

  test('a record of a kms-core before usage tracking is tracked from when the store\'s log began, after its creation', async () => {
    const old = new Kms({ now: () => new Date(T0) });
    const key = await newKey(old);
    const snap = (old.keyStore as InMemoryKeyStore).exportSnapshot();
    delete snap.keys[0]?.UsageTrackingStartDate;
    const later = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(snap), now: () => new Date(T0 + 86_400_000) });
    const u = await later.getKeyLastUsage({ KeyId: key.KeyId });
    expect(u).toEqual({ KeyId: key.KeyId, KeyLastUsage: {}, TrackingStartDate: new Date(T0 + 86_400_000), KeyCreationDate: new Date(T0) });
    await refuses(Promise.resolve().then(() => InMemoryKeyStore.fromSnapshot({ ...snap, keys: [{ ...snap.keys[0], LastUsage: { Operation: 'DescribeKey', Timestamp: new Date(T0).toISOString() } }] })), 'ValidationException', /keys\[0\]\.LastUsage\.Operation must be one of/);
  });

  test('a file store journals nothing for cryptographic calls; usage flushed before close is there after reopening, unflushed usage is not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-core-usage-'));
    try {
      const path = join(dir, 'keystore.us-east-1.json');
      const store = await FileKeyStore.open(path, { region: 'us-east-1' });
      const kms = new Kms({ keyStore: store });
      const a = await newKey(kms);
      const b = await newKey(kms);
      const writes = store.writes;
      const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x') });
      for (let i = 0; i < 5; i++) await kms.reEncrypt({ CiphertextBlob, DestinationKeyId: b.KeyId });
      await store.flush();
      expect(store.writes).toBe(writes);
      // ReEncrypt noted one record on both keys: the flush writes both.
      expect(await flushKeyUsage(store)).toBe(2);
      await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('z') }); // after the flush: lost at close
      await store.close();
      const reopened = await FileKeyStore.open(path, { region: 'us-east-1' });
      const again = new Kms({ keyStore: reopened });
      expect((await again.getKeyLastUsage({ KeyId: a.KeyId })).KeyLastUsage?.Operation).toBe('ReEncrypt');
      expect((await again.getKeyLastUsage({ KeyId: b.KeyId })).KeyLastUsage?.Operation).toBe('ReEncrypt');
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
