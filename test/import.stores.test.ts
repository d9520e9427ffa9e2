/**
 * Imported key material in the durable stores, which persist key records through the snapshot
 * codec (src/server/record-json.ts): the journaled FileKeyStore across a restart, and
 * PostgresKeyStore (its row mapping, and a real PostgreSQL that this file starts itself with
 * scripts/postgres.mjs; never a skip). A key with imported, deleted and pending-rotation
 * material and an outstanding parameter set comes back identical, its old ciphertext decrypts
 * once the same material is imported again, and a token issued before the restart imports after it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Kms, type KeyStore } from '../src/index.js';
import { FileKeyStore } from '../src/server/file-store.js';
import { keyFromRows, keyToRows } from '../src/server/postgres-schema.js';
import { PostgresKeyStore } from '../src/server/postgres-store.js';
import { keyFromJson, keyToJson } from '../src/server/record-json.js';
import { startPostgres, type Postgres } from '../scripts/postgres.mjs';
import { defaultBackend } from './helpers/backend.js';
import { dec, enc } from './helpers/index.js';
import { DAY, ManualClock } from './helpers/keys.js';
import { expectedMaterialId, fixtureBackend, nodeWrap, rnd } from './helpers/wrap.js';

const REGION = 'us-east-1';
const backend = fixtureBackend(defaultBackend);

/**
 * Fills `store` with an EXTERNAL key holding: material 1 (deleted: PENDING_IMPORT), material 2
 * (CURRENT, expiring), material 3 pending rotation, and one outstanding parameter set.
 */
async function fill(store: KeyStore, clock: ManualClock) {
  const kms = new Kms({ region: REGION, keyStore: store, now: clock.now, backend });
  const KeyId = (await kms.createKey({ Origin: 'EXTERNAL', Description: 'byok' })).KeyMetadata?.KeyId as string;
  const imp = async (m: Uint8Array, extra: Record<string, unknown>) => {
    const p = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    return kms.importKeyMaterial({ KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: nodeWrap('RSA_AES_KEY_WRAP_SHA_256', p.PublicKey as Uint8Array, m), ...extra });
  };
  const m1 = rnd(32);
  const m2 = rnd(32);
  await imp(m1, { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', KeyMaterialDescription: 'first' });
  const blob = (await kms.encrypt({ KeyId, Plaintext: enc('durable') })).CiphertextBlob as Uint8Array;
  await imp(m2, { ImportType: 'NEW_KEY_MATERIAL', ValidTo: new Date(clock.t + 30 * DAY) });
  await kms.rotateKeyOnDemand({ KeyId });
  await imp(rnd(32), { ImportType: 'NEW_KEY_MATERIAL', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', KeyMaterialDescription: 'next' });
  await kms.deleteImportedKeyMaterial({ KeyId, KeyMaterialId: expectedMaterialId(KeyId, m1) });
  const p = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_3072' });
  const view = async (k: Kms) => ({
    md: (await k.describeKey({ KeyId })).KeyMetadata,
    rotations: (await k.listKeyRotations({ KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations,
  });
  return { kms, KeyId, m1, blob, params: p, before: await view(kms), view };
}

/** After the restart: the same view, then the token from before imports material 1 and the old blob decrypts. */
async function checkAfter(store: KeyStore, clock: ManualClock, f: Awaited<ReturnType<typeof fill>>) {
  const kms = new Kms({ region: REGION, keyStore: store, now: clock.now, backend });
  expect(await f.view(kms)).toEqual(f.before);
  expect(f.before.md?.KeyState).toBe('PendingImport');
  await kms.importKeyMaterial({
    KeyId: f.KeyId,
    ImportToken: f.params.ImportToken,
    EncryptedKeyMaterial: nodeWrap('RSAES_OAEP_SHA_1', f.params.PublicKey as Uint8Array, f.m1),
    ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  });
  expect((await kms.describeKey({ KeyId: f.KeyId })).KeyMetadata?.KeyState).toBe('Enabled');
  expect(dec((await kms.decrypt({ CiphertextBlob: f.blob })).Plaintext)).toBe('durable');
  return kms;
}

describe('FileKeyStore (kms-core serve --data)', () => {
  test('a restart keeps imported, deleted and pending-rotation material and the outstanding import parameters; a journal replay and a compacted snapshot alike', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-core-import-store-'));
    try {
      const path = join(dir, `keystore.${REGION}.json`);
      const clock = new ManualClock();
      const open = (compactAfterBytes?: number) => FileKeyStore.open(path, { region: REGION, log: () => {}, ...(compactAfterBytes === undefined ? {} : { compactAfterBytes }) });
      const first = await open();
      const f = await fill(first, clock);
      await first.close();
      // Replayed from the journal.
      const second = await open();
      expect(await f.view(new Kms({ region: REGION, keyStore: second, now: clock.now, backend }))).toEqual(f.before);
      await second.close();
      // Compacted at once (every append over 1 byte rewrites the snapshot), then reopened.
      const third = await open(1);
      const kms = await checkAfter(third, clock, f);
      const after = await f.view(kms);
      await third.close();
      // The snapshot file itself now holds the imported-material fields (a compaction wrote it).
      expect(await readFile(path, 'utf8')).toMatch(/"ImportState":"IMPORTED"[\s\S]*"PendingRotationKeyMaterial"/);
      const fourth = await open();
      expect(await f.view(new Kms({ region: REGION, keyStore: fourth, now: clock.now, backend }))).toEqual(after);
      await fourth.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgresKeyStore', () => {
  test('the row mapping keeps every imported-material field (material NULL while PENDING_IMPORT, the rest in jsonb)', async () => {
    const { InMemoryKeyStore } = await import('../src/index.js');
    const store = new InMemoryKeyStore();
    const f = await fill(store, new ManualClock());
    const rec = await store.getKey(f.before.md?.Arn as string);
    const json = keyToJson(rec as NonNullable<typeof rec>);
    const rows = keyToRows(json);
    const material = rows.children[0] as Record<string, unknown>[];
    expect(material.map((r) => r.material === undefined)).toEqual([true, false]);
    expect(JSON.stringify(rows.key.record)).toMatch(/PendingRotationKeyMaterial/);
    expect(JSON.stringify(rows.key.record)).toMatch(/ImportParameters/);
    // As PostgreSQL renders the rows back (to_jsonb): columns of absent values are null.
    const back = keyFromRows(
      { ...rows.key },
      rows.children.map((list) => list.map((r) => ({ material: null, public_key: null, rotation_type: null, ...r }))),
    );
    expect(keyToJson(keyFromJson(back))).toEqual(json);
  });

  let pgStarting: Promise<Postgres> | undefined;
  const stores: PostgresKeyStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await (await pgStarting?.catch(() => undefined))?.stop();
  });

  test('a real PostgreSQL keeps it across a new connection (another server, or a restart)', async ({ task }) => {
    if (task.file.projectName !== 'node') {
      // The store does not depend on the vitest project's backend: the node project runs it.
      expect(task.file.projectName).toBe('webcrypto');
      return;
    }
    pgStarting ??= startPostgres();
    const pg = await pgStarting;
    const url = await pg.createDatabase(`kms_import_${process.pid}`);
    const clock = new ManualClock();
    const a = await PostgresKeyStore.connect({ connectionString: url, log: () => {} });
    stores.push(a);
    const f = await fill(a, clock);
    const b = await PostgresKeyStore.connect({ connectionString: url, log: () => {} });
    stores.push(b);
    await checkAfter(b, clock, f);
  });
});
