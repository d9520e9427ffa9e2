/**
 * Multi-Region sets in every store, and what existed before them:
 * - the frozen fixtures written by kms-core before replicas (test/fixtures/snapshot-before-
 *   multi-region, data-dir-per-region): the snapshot still loads and its ciphertexts decrypt;
 *   its multi-Region key is a primary without replicas, and can be replicated now;
 * - the journaled file store: a set changes in one journal record (a rotation copied to every
 *   replica never half-lands on disk); `--data` keeps one store per partition and migrates the
 *   per-Region layout; `kms-core serve --data` across two Regions through the AWS SDK;
 * - a custom store without KeyStore.updateKeys (the key-by-key path);
 * - the PostgreSQL store: two stores on one database (two servers) changing one set.
 *
 * The file-store and PostgreSQL tests run in the `node` project only (the stores do not depend
 * on the crypto backend); the others in both.
 */
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ReplicateKeyCommand, RotateKeyOnDemandCommand, UpdatePrimaryRegionCommand } from '@aws-sdk/client-kms';
import { cp, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type KeyMetadata, type KeyRecord, type KeyStore } from '../src/index.js';
import { DataDir } from '../src/server/data-dir.js';
import { FileKeyStore } from '../src/server/file-store.js';
import { updateKeysOf } from '../src/keys/update-keys.js';
import { startServer, type KmsServer } from '../src/server/http.js';
import { PostgresKeyStore } from '../src/server/postgres-store.js';
import { startPostgres, type Postgres } from '../scripts/postgres.mjs';
import { dec, enc, refuses } from './helpers/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const US = 'us-east-1';
const EU = 'eu-west-1';
const AP = 'ap-southeast-2';

interface Expected {
  mrkKeyId: string;
  mrkArn: string;
  singleKeyId: string;
  singleArn: string;
  context: Record<string, string>;
  mrkCiphertext: string;
  mrkPlaintext: string;
  singleCiphertext: string;
  singlePlaintext: string;
}

const fixture = (name: string) => new URL(`./fixtures/${name}/`, import.meta.url);
const b64 = (s: string) => Uint8Array.from(Buffer.from(s, 'base64'));

/** The node project runs the store tests; the webcrypto project checks that it is the other one. */
function nodeProject(task: { file: { projectName?: string } }): boolean {
  if (task.file.projectName === 'node') return true;
  expect(task.file.projectName).toBe('webcrypto');
  return false;
}

let dir: string;
let warnings: string[] = [];
const log = (m: string) => void warnings.push(m);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-core-mrk-'));
  warnings = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What the fixtures promise, checked the same way for the snapshot and the directory. */
async function checkBefore(keyStore: KeyStore, e: Expected): Promise<void> {
  const us = new Kms({ region: US, keyStore });
  const eu = new Kms({ region: EU, keyStore });
  const mrk = (await us.describeKey({ KeyId: 'alias/mrk-before' })).KeyMetadata as KeyMetadata;
  expect(mrk.KeyId).toBe(e.mrkKeyId);
  expect(mrk.MultiRegionConfiguration).toEqual({ MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: e.mrkArn, Region: US }, ReplicaKeys: [] });
  expect(dec((await us.decrypt({ CiphertextBlob: b64(e.mrkCiphertext), EncryptionContext: e.context })).Plaintext)).toBe(e.mrkPlaintext);
  expect(dec((await eu.decrypt({ CiphertextBlob: b64(e.singleCiphertext), EncryptionContext: e.context })).Plaintext)).toBe(e.singlePlaintext);
  expect((await eu.getKeyRotationStatus({ KeyId: e.singleKeyId })).RotationPeriodInDays).toBe(90);
  // The key made before replicas existed is a primary like any other: it replicates, and the
  // ciphertext of then opens in the new Region.
  const r = (await us.replicateKey({ KeyId: e.mrkKeyId, ReplicaRegion: EU })).ReplicaKeyMetadata as KeyMetadata;
  expect(r.MultiRegionConfiguration?.MultiRegionKeyType).toBe('REPLICA');
  expect(dec((await eu.decrypt({ CiphertextBlob: b64(e.mrkCiphertext), EncryptionContext: e.context })).Plaintext)).toBe(e.mrkPlaintext);
  expect((await eu.listKeyRotations({ KeyId: e.mrkKeyId })).Rotations).toHaveLength(1);
}

describe('a key-store snapshot written before multi-Region replicas (frozen fixture)', () => {
  test('loads unchanged, its ciphertexts decrypt, and its multi-Region key is a primary without replicas that replicates now', async () => {
    const text = await readFile(new URL('snapshot.json', fixture('snapshot-before-multi-region')), 'utf8');
    const e = JSON.parse(await readFile(new URL('expected.json', fixture('snapshot-before-multi-region')), 'utf8')) as Expected;
    const store = InMemoryKeyStore.fromSnapshot(text);
    // Loading and exporting again changes nothing: no field it lacks is invented.
    expect(store.exportSnapshot()).toEqual(JSON.parse(text));
    await checkBefore(store, e);
  });
});

describe('serve --data: one store per partition', () => {
  test('a directory in the per-Region layout (frozen fixture) is migrated into keystore.aws.*, and serves the same keys', async ({ task }) => {
    if (!nodeProject(task)) return;
    await cp(fixture('data-dir-per-region'), dir, { recursive: true });
    const e = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Expected;
    const data = await DataDir.open(dir, undefined, { log });
    expect(warnings).toEqual([expect.stringMatching(/migrated the per-Region stores of eu-west-1, us-east-1 into .*keystore\.aws\.json \(one store per partition\)/)]);
    expect((await readdir(dir)).sort()).toEqual(['.kms-core.lock', 'expected.json', 'keystore.aws.journal.2', 'keystore.aws.json']);
    const snap = JSON.parse(await readFile(join(dir, 'keystore.aws.json'), 'utf8'));
    expect(snap.migrated).toEqual([EU, US]);
    expect(snap.keys.map((k: { Region: string }) => k.Region).sort()).toEqual([EU, US]);
    await checkBefore(await data.store(US), e);
    await data.close();
    // Restarted: the replica made just now is there; nothing to migrate again.
    warnings = [];
    const again = await DataDir.open(dir, undefined, { log });
    expect(warnings).toEqual([]);
    const eu = new Kms({ region: EU, keyStore: await again.store(EU) });
    expect(dec((await eu.decrypt({ CiphertextBlob: b64(e.mrkCiphertext), EncryptionContext: e.context })).Plaintext)).toBe(e.mrkPlaintext);
    await again.close();
  });

  test('a migration interrupted after the compaction (Region files left over) finishes at the next open; one before it starts over', async ({ task }) => {
    if (!nodeProject(task)) return;
    await cp(fixture('data-dir-per-region'), dir, { recursive: true });
    const e = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Expected;
    const leftovers = ['keystore.eu-west-1.journal.1', 'keystore.us-east-1.journal.2', 'keystore.us-east-1.json'];
    const saved = await Promise.all(leftovers.map((f) => readFile(join(dir, f))));
    // Interrupted before the compaction: the partition store holds some records, the Region files all.
    const partial = await FileKeyStore.open(join(dir, 'keystore.aws.json'), { partition: 'aws', log });
    const us = await FileKeyStore.open(join(dir, 'keystore.us-east-1.json'), { region: US, log });
    await partial.createKey(us.getKey(e.mrkArn) as KeyRecord);
    await us.close();
    await partial.close();
    await (await DataDir.open(dir, undefined, { log })).close();
    expect((await readdir(dir)).sort()).toEqual(['expected.json', 'keystore.aws.journal.2', 'keystore.aws.json']);
    // Interrupted after it: the Region files come back; they are removed unread (even garbage).
    for (const [i, f] of leftovers.entries()) await writeFile(join(dir, f), i === 2 ? 'garbage' : (saved[i] as Buffer));
    warnings = [];
    const d = await DataDir.open(dir, undefined, { log });
    expect(warnings).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['.kms-core.lock', 'expected.json', 'keystore.aws.journal.2', 'keystore.aws.json']);
    await checkBefore(await d.store(US), e);
    await d.close();
  });

  test('Precondition: a partition\'s store holds only records of its Regions.', async ({ task }) => {
    if (!nodeProject(task)) return;
    const store = await FileKeyStore.open(join(dir, 'keystore.aws.json'), { partition: 'aws', log });
    await new Kms({ region: EU, keyStore: store }).createKey({});
    await refuses(new Kms({ region: 'cn-north-1', keyStore: store }).createKey({}), 'KMSInternalException');
    await store.close();
  });

  test('a rotation of a primary with replicas is one journal record: every record holds the new version, or (torn) none does', async ({ task }) => {
    if (!nodeProject(task)) return;
    const file = join(dir, 'keystore.aws.json');
    const store = await FileKeyStore.open(file, { partition: 'aws', log });
    const us = new Kms({ region: US, keyStore: store });
    const id = ((await us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata).KeyId as string;
    await us.replicateKey({ KeyId: id, ReplicaRegion: EU });
    await us.replicateKey({ KeyId: id, ReplicaRegion: AP });
    const writes = store.writes;
    await us.rotateKeyOnDemand({ KeyId: id });
    expect(store.writes - writes).toBe(1);
    await store.close();
    const journal = join(dir, 'keystore.aws.journal.1');
    const text = await readFile(journal, 'utf8');
    const last = text.slice(text.lastIndexOf('\n', text.length - 2) + 1);
    const record = JSON.parse(last.slice(17));
    expect(record.Changes.map((c: { PutKey: { Region: string } }) => c.PutKey.Region)).toEqual([US, AP, EU]);
    const versions = async () => {
      const s = await FileKeyStore.open(file, { partition: 'aws', log });
      const n = [US, EU, AP].map((r) => s.getKey(`arn:aws:kms:${r}:111122223333:key/${id}`)?.material.length);
      await s.close();
      return n;
    };
    expect(await versions()).toEqual([2, 2, 2]);
    // Cut inside the record (a crash mid-append): the whole rotation is gone, from every Region.
    await truncate(journal, text.length - 40);
    expect(await versions()).toEqual([1, 1, 1]);
    expect(warnings.some((w) => /dropped the damaged last record/.test(w))).toBe(true);
  });
});

describe('kms-core serve --data across two Regions (AWS SDK)', () => {
  const servers: KmsServer[] = [];
  const clients: KMSClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const s of servers) await s.close();
  });
  const client = (server: KmsServer, region: string) => {
    const c = new KMSClient({ endpoint: server.url, region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
    clients.push(c);
    return c;
  };

  test('replicate, encrypt in us-east-1, decrypt in eu-west-1; rotate and move the primary; all of it after a restart', async ({ task }) => {
    if (!nodeProject(task)) return;
    const s1 = await startServer({ port: 0, dataDir: dir });
    servers.push(s1);
    const us = client(s1, US);
    const eu = client(s1, EU);
    const id = (await us.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata?.KeyId as string;
    const r = await us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: EU, Description: 'replica' }));
    expect(r.ReplicaKeyMetadata?.KeyState).toBe('Creating');
    const { CiphertextBlob } = await us.send(new EncryptCommand({ KeyId: id, Plaintext: enc('across Regions') }));
    expect(dec((await eu.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('across Regions');
    await us.send(new RotateKeyOnDemandCommand({ KeyId: id }));
    await us.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: EU }));
    const later = await eu.send(new EncryptCommand({ KeyId: id, Plaintext: enc('after the move') }));
    await s1.close();
    expect((await readdir(dir)).sort()).toEqual(['keystore.aws.journal.1']);

    const s2 = await startServer({ port: 0, dataDir: dir });
    servers.push(s2);
    const us2 = client(s2, US);
    const eu2 = client(s2, EU);
    expect(dec((await us2.send(new DecryptCommand({ CiphertextBlob: later.CiphertextBlob }))).Plaintext)).toBe('after the move');
    expect(dec((await eu2.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('across Regions');
    const md = (await us2.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata;
    expect(md?.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'REPLICA',
      PrimaryKey: { Arn: `arn:aws:kms:${EU}:111122223333:key/${id}`, Region: EU },
      ReplicaKeys: [{ Arn: `arn:aws:kms:${US}:111122223333:key/${id}`, Region: US }],
    });
  });

  test('without --data the Regions of a partition share one in-memory store', async ({ task }) => {
    if (!nodeProject(task)) return;
    const s = await startServer({ port: 0 });
    servers.push(s);
    const id = (await client(s, US).send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata?.KeyId as string;
    await client(s, US).send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: AP }));
    expect((await client(s, AP).send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata?.KeyState).toBe('Enabled');
    expect((await s.kmsFor({ region: AP })).keyStore).toBe((await s.kmsFor({ region: US })).keyStore);
    expect((await s.kmsFor({ region: 'cn-north-1' })).keyStore).not.toBe((await s.kmsFor({ region: US })).keyStore);
  });
});

/** A store with only the per-key methods (no updateKeys), as an embedder may write one. */
function perKeyStore(): KeyStore {
  const inner = new InMemoryKeyStore() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const methods = ['getKey', 'createKey', 'updateKey', 'deleteKey', 'listKeys', 'listAllKeys', 'getAlias', 'putAlias', 'createAlias', 'deleteAlias', 'listAliases'];
  return Object.fromEntries(methods.map((m) => [m, (inner[m] as (...a: unknown[]) => unknown).bind(inner)])) as unknown as KeyStore;
}

describe('KeyStore.updateKeys, in every store', () => {
  const arn = (r: string, id = 'mrk-00000000000000000000000000000001') => `arn:aws:kms:${r}:111122223333:key/${id}`;
  const stores: [string, () => Promise<KeyStore & { close?: () => Promise<void> }>][] = [
    ['in memory', async () => new InMemoryKeyStore()],
    ['key by key (no updateKeys)', async () => perKeyStore()],
    ['journaled files', () => FileKeyStore.open(join(dir, 'keystore.aws.json'), { partition: 'aws', log })],
  ];

  test.each(stores)('%s: Precondition: each key is named once. Precondition: mutate never changes which key a record is.', async (name, make) => {
    const store = await make();
    const us = new Kms({ region: US, keyStore: store });
    const id = ((await us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata).KeyId as string;
    const update = (arns: string[], mutate: (r: (KeyRecord | undefined)[]) => void) => updateKeysOf(store, arns, mutate);
    await expect(update([arn(US, id), arn(US, id)], () => undefined)).rejects.toThrow(/names a key twice/);
    await expect(
      update([arn(US, id)], (r) => {
        (r[0] as KeyRecord).arn = arn(EU, id);
      }),
    ).rejects.toThrow(/must not change a key ARN/);
    // A mutate that throws changes nothing; one that fills an empty slot creates the key, one that empties a slot deletes it.
    await expect(
      update([arn(US, id)], (r) => {
        (r[0] as KeyRecord).description = 'changed';
        throw new Error('refused midway');
      }),
    ).rejects.toThrow(/refused midway/);
    expect((await store.getKey(arn(US, id)))?.description).toBe('');
    const made = await update([arn(US, id), arn(EU, id)], (r) => {
      r[1] = { ...structuredClone(r[0] as KeyRecord), arn: arn(EU, id), region: EU };
      r[0] = undefined;
    });
    expect(made.map((r) => r?.region)).toEqual([undefined, EU]);
    expect(await store.getKey(arn(US, id))).toBeUndefined();
    expect((await store.getKey(arn(EU, id)))?.keyId).toBe(id);
    await store.close?.();
  });
});

describe('a custom store without KeyStore.updateKeys: the keys of a set are written one by one', () => {
  test('replicate, rotate, move the primary and delete a replica work the same way', async () => {
    const keyStore = perKeyStore();
    expect(keyStore.updateKeys).toBeUndefined();
    const us = new Kms({ region: US, keyStore });
    const eu = new Kms({ region: EU, keyStore });
    const id = ((await us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata).KeyId as string;
    await us.replicateKey({ KeyId: id, ReplicaRegion: EU });
    await us.replicateKey({ KeyId: id, ReplicaRegion: AP });
    await eu.disableKey({ KeyId: id });
    await us.rotateKeyOnDemand({ KeyId: id });
    // The rotation wrote only the shared fields: the replica's own Disabled state stayed.
    expect((await eu.describeKey({ KeyId: id })).KeyMetadata?.KeyState).toBe('Disabled');
    await eu.enableKey({ KeyId: id });
    const { CiphertextBlob } = await us.encrypt({ KeyId: id, Plaintext: enc('per key') });
    expect(dec((await eu.decrypt({ CiphertextBlob })).Plaintext)).toBe('per key');
    await us.updatePrimaryRegion({ KeyId: id, PrimaryRegion: EU });
    expect((await us.describeKey({ KeyId: id })).KeyMetadata?.MultiRegionConfiguration?.PrimaryKey?.Region).toBe(EU);
    await refuses(us.replicateKey({ KeyId: id, ReplicaRegion: 'us-west-2' }), 'UnsupportedOperationException');
  });
});

describe('PostgreSQL store: two servers on one database change one set', () => {
  let starting: Promise<Postgres> | undefined;
  const stores: PostgresKeyStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await (await starting?.catch(() => undefined))?.stop();
  });

  test('replications racing on two stores give one replica per Region; a rotation on one reaches the replicas the other serves', async ({ task }) => {
    if (!nodeProject(task)) return;
    starting ??= startPostgres();
    const url = await (await starting).createDatabase(`kms_mrk_${process.pid}`);
    const [a, b] = await Promise.all([PostgresKeyStore.connect({ connectionString: url, maxStalenessMs: 200 }), PostgresKeyStore.connect({ connectionString: url, maxStalenessMs: 200 })]);
    stores.push(a as PostgresKeyStore, b as PostgresKeyStore);
    const usA = new Kms({ region: US, keyStore: a as PostgresKeyStore });
    const usB = new Kms({ region: US, keyStore: b as PostgresKeyStore });
    const euB = new Kms({ region: EU, keyStore: b as PostgresKeyStore });
    const id = ((await usA.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata).KeyId as string;
    const results = await Promise.allSettled([usA.replicateKey({ KeyId: id, ReplicaRegion: EU }), usB.replicateKey({ KeyId: id, ReplicaRegion: EU }), usB.replicateKey({ KeyId: id, ReplicaRegion: AP })]);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(['AlreadyExistsException']);
    // A's cached primary may be older than B's replication for up to maxStaleness.
    await new Promise((r) => setTimeout(r, 300));
    expect((await usA.describeKey({ KeyId: id })).KeyMetadata?.MultiRegionConfiguration?.ReplicaKeys?.map((r) => r.Region)).toEqual([AP, EU]);
    // Two servers rotating at once: no rotation lost, on any key of the set.
    await Promise.all([usA.rotateKeyOnDemand({ KeyId: id }), usB.rotateKeyOnDemand({ KeyId: id })]);
    const { CiphertextBlob } = await usA.encrypt({ KeyId: id, Plaintext: enc('rotated on A') });
    // B may hold an older replica record for up to maxStaleness; Decrypt re-reads it once (refreshKey).
    expect(dec((await euB.decrypt({ CiphertextBlob })).Plaintext)).toBe('rotated on A');
    for (const r of [US, EU, AP]) expect((await (b as PostgresKeyStore).refreshKey(`arn:aws:kms:${r}:111122223333:key/${id}`))?.material).toHaveLength(3);
  });

  test('PostgreSQL: Precondition: each key is named once. Precondition: mutate never changes which key a record is. A mutate that throws rolls back', async ({ task }) => {
    if (!nodeProject(task)) return;
    starting ??= startPostgres();
    const url = await (await starting).createDatabase(`kms_mrk_${process.pid}_guards`);
    const store = await PostgresKeyStore.connect({ connectionString: url });
    stores.push(store);
    const us = new Kms({ region: US, keyStore: store });
    const k = (await us.createKey({ MultiRegion: true })).KeyMetadata as KeyMetadata;
    const arn = k.Arn as string;
    await expect(store.updateKeys([arn, arn], () => undefined)).rejects.toThrow(/names a key twice/);
    await expect(
      store.updateKeys([arn], (r) => {
        (r[0] as KeyRecord).arn = arn.replace(US, EU);
      }),
    ).rejects.toThrow(/must not change a key ARN/);
    await expect(
      store.updateKeys([arn, arn.replace(US, EU)], (r) => {
        (r[0] as KeyRecord).description = 'changed';
        r[1] = { ...structuredClone(r[0] as KeyRecord), arn: arn.replace(US, EU), region: EU, description: '' };
        throw new Error('refused midway');
      }),
    ).rejects.toThrow(/refused midway/);
    expect((await store.refreshKey(arn))?.description).toBe('');
    expect(await store.refreshKey(arn.replace(US, EU))).toBeUndefined();
  });
});
