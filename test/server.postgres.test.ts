/**
 * PostgresKeyStore (src/server/postgres-store.ts, postgres-schema.ts) and `kms-core serve
 * --store postgres://…` against a real PostgreSQL that this file starts itself
 * (scripts/postgres.mjs: initdb and pg_ctl in a temporary directory, on 127.0.0.1, stopped at
 * the end). When PostgreSQL cannot start, the tests fail with the tools' output: never a skip.
 *
 * Runs in the `node` project only (an explicit check in each test, as in server.crash.test.ts):
 * the store and the servers it feeds do not depend on the vitest project's backend.
 */
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListGrantsCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type KeyRecord } from '../src/index.js';
import { main } from '../src/cli/main.js';
import { CHILDREN, INSERT_KEYS, SELECT_KEY, keyFromRows, keyToRows } from '../src/server/postgres-schema.js';
import { PostgresKeyStore, type PostgresKeyStoreOptions } from '../src/server/postgres-store.js';
import { keyToJson, type Json } from '../src/server/record-json.js';
import { bundleBrowser } from '../scripts/bundle.mjs';
import { startPostgres, type Postgres } from '../scripts/postgres.mjs';
import { dec, enc } from './helpers/index.js';
import { JsonClient, cleanup, serveBin, serveFails, type Child } from './helpers/serve.js';

const REGION = 'eu-west-1';
let starting: Promise<Postgres> | undefined;
const postgres = () => (starting ??= startPostgres());
let databases = 0;
const freshDatabase = async () => (await postgres()).createDatabase(`kms_${process.pid}_${++databases}`);

const stores: PostgresKeyStore[] = [];
const notices: string[] = [];
async function connect(url: string, options: PostgresKeyStoreOptions = {}) {
  const s = await PostgresKeyStore.connect({ connectionString: url, log: (m) => notices.push(m), ...options });
  stores.push(s);
  return s;
}

afterAll(async () => {
  cleanup();
  for (const s of stores) await s.close();
  await (await starting?.catch(() => undefined))?.stop();
});

/** The node project runs the PostgreSQL tests; the webcrypto project checks that it is the other one. */
function nodeProject(task: { file: { projectName?: string } }): boolean {
  if (task.file.projectName === 'node') return true;
  expect(task.file.projectName).toBe('webcrypto');
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL store: packaging', () => {
  test('the core bundle never includes the PostgreSQL store or pg; pg is an optional peer dependency; the subpath is Node only', async () => {
    const b = await bundleBrowser({ contents: "export * from 'kms-core';\n" });
    expect(b.findings).toEqual([]);
    expect(b.inputs.length).toBeGreaterThan(20);
    expect(b.inputs.filter((f) => /postgres|node_modules\/pg/.test(f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.dependencies.pg).toBeUndefined();
    expect(pkg.peerDependencies.pg).toMatch(/^\^8\./);
    expect(pkg.peerDependenciesMeta.pg).toEqual({ optional: true });
    expect(pkg.exports['./store/postgres']).toEqual({ types: './dist/server/postgres-store.d.ts', node: './dist/server/postgres-store.js' });
    await expect(bundleBrowser({ contents: "export { PostgresKeyStore } from 'kms-core/store/postgres';\n" })).rejects.toThrow(/store\/postgres/);
    // The published declarations name no pg type: TypeScript users need no @types/pg.
    expect(readFileSync(new URL('../dist/server/postgres-store.d.ts', import.meta.url), 'utf8')).not.toMatch(/from 'pg'|import\("pg"\)/);
  });
});

describe('PostgreSQL store: schema and records', () => {
  test('connect migrates an empty database to the documented schema once, however many servers connect at once; a newer schema is refused', async ({ task }) => {
    if (!nodeProject(task)) return;
    const url = await freshDatabase();
    await Promise.all([connect(url), connect(url), connect(url)]);
    const c = new pg.Client(url);
    await c.connect();
    try {
      const tables = (await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")).rows.map((r) => r.table_name);
      expect(tables).toEqual(['kms_core_aliases', 'kms_core_grants', 'kms_core_key_material', 'kms_core_keys', 'kms_core_schema', 'kms_core_tags']);
      const columns = async (t: string) => (await c.query('SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position', [t])).rows.map((r) => r.column_name);
      expect(await columns('kms_core_keys')).toEqual([
        'arn',
        'region',
        'account_id',
        'key_id',
        'key_spec',
        'key_usage',
        'origin',
        'key_state',
        'description',
        'multi_region',
        'creation_date',
        'deletion_date',
        'policy',
        'record',
        'version',
        'created_seq',
      ]);
      expect(await columns('kms_core_key_material')).toEqual(['key_arn', 'key_material_id', 'ordinal', 'material', 'public_key', 'created_at', 'rotation_type', 'extra']);
      expect(await columns('kms_core_grants')).toEqual([
        'key_arn',
        'grant_id',
        'ordinal',
        'name',
        'grantee_principal',
        'retiring_principal',
        'issuing_account',
        'operations',
        'constraints',
        'creation_date',
        'token_nonces',
        'extra',
      ]);
      expect(await columns('kms_core_tags')).toEqual(['key_arn', 'tag_key', 'ordinal', 'tag_value', 'extra']);
      expect(await columns('kms_core_aliases')).toEqual(['alias_arn', 'region', 'account_id', 'alias_name', 'target_key_id', 'creation_date', 'last_updated_date']);
      expect((await c.query('SELECT version FROM kms_core_schema')).rows).toEqual([{ version: PostgresKeyStore.schemaVersion }]);
      await c.query('UPDATE kms_core_schema SET version = 99');
      await expect(PostgresKeyStore.connect(url)).rejects.toThrow(/the database is at schema version 99, newer than this kms-core's 1/);
    } finally {
      await c.end();
    }
  });

  test('a store round-trips every key, backing key, grant, policy and alias of a snapshot, NUL and unpaired surrogates included; its ciphertexts decrypt', async ({ task }) => {
    if (!nodeProject(task)) return;
    const mem = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: mem, region: REGION });
    const odd = 'x\u0000y\u0001z\ud800😀\udc00';
    const sym = (await kms.createKey({ Description: odd, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }] }) })).KeyMetadata!;
    await kms.rotateKeyOnDemand({ KeyId: sym.KeyId });
    await kms.enableKeyRotation({ KeyId: sym.KeyId, RotationPeriodInDays: 90 });
    await kms.createGrant({ KeyId: sym.KeyId, GranteePrincipal: 'arn:aws:iam::111122223333:role/app', RetiringPrincipal: 'arn:aws:iam::111122223333:role/ops', Operations: ['Decrypt', 'Encrypt'], Name: 'g1', Constraints: { EncryptionContextSubset: { [odd]: odd } } });
    await kms.createGrant({ KeyId: sym.KeyId, GranteePrincipal: 'arn:aws:iam::111122223333:role/b', Operations: ['GenerateDataKey'] });
    const rsa = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    const doomed = (await kms.createKey({})).KeyMetadata!;
    await kms.scheduleKeyDeletion({ KeyId: doomed.KeyId, PendingWindowInDays: 7 });
    await kms.disableKey({ KeyId: rsa.KeyId });
    await kms.createAlias({ AliasName: 'alias/sym', TargetKeyId: sym.KeyId });
    await kms.createAlias({ AliasName: 'alias/rsa', TargetKeyId: rsa.KeyId });
    const cn = new Kms({ keyStore: mem, region: 'cn-north-1' });
    await cn.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' });
    const wellFormed = 'x\u0000y\u0001z😀'; // an encryption context must be well-formed Unicode
    const ct = await kms.encrypt({ KeyId: 'alias/sym', Plaintext: enc('through PostgreSQL'), EncryptionContext: { a: wellFormed } });
    const snapshot = mem.exportSnapshot();

    const url = await freshDatabase();
    const store = await connect(url);
    expect(await store.importSnapshot(snapshot)).toEqual({ keys: 4, aliases: 2 });
    const byArn = (xs: Record<string, unknown>[], f: string) => [...xs].sort((a, b) => ((a[f] as string) < (b[f] as string) ? -1 : 1));
    const back = await store.exportSnapshot();
    expect(byArn(back.keys, 'Arn')).toEqual(byArn(snapshot.keys, 'Arn'));
    expect(byArn(back.aliases, 'AliasArn')).toEqual(byArn(snapshot.aliases, 'AliasArn'));
    expect((await store.getKey(sym.Arn as string))?.description).toBe(odd);
    const fromPg = new Kms({ keyStore: store, region: REGION });
    expect(dec((await fromPg.decrypt({ CiphertextBlob: ct.CiphertextBlob, EncryptionContext: { a: wellFormed } })).Plaintext)).toBe('through PostgreSQL');
    expect((await fromPg.listGrants({ KeyId: sym.KeyId })).Grants!.map((g) => g.Name).sort()).toEqual(['', 'g1']);
    await expect(store.importSnapshot(snapshot)).rejects.toThrow(/already in the database/);
  });

  test('fields the schema does not know persist in the jsonb columns; tags go to their table; a list that does not fit its table stays whole', async ({ task }) => {
    if (!nodeProject(task)) return;
    const url = await freshDatabase();
    await connect(url); // migrates
    const kms = new Kms({ keyStore: new InMemoryKeyStore(), region: REGION });
    const rec = (await (kms.keyStore as InMemoryKeyStore).getKey((await kms.createKey({})).KeyMetadata!.Arn as string)) as KeyRecord;
    // The snapshot JSON of a record with members a later kms-core may add (tags, material state, …).
    const json: Json = { ...keyToJson(rec), FutureMember: { nested: [1, 'two\u0000'] }, Tags: [{ TagKey: 'team', TagValue: 'a\u0000b' }, { TagKey: 'cost', TagValue: '' }] };
    (json.KeyMaterial as Json[])[0]!.FutureState = 'PENDING_ROTATION';
    const other: Json = { ...keyToJson({ ...rec, keyId: '00000000-0000-4000-8000-000000000000', arn: rec.arn.replace(rec.keyId, '00000000-0000-4000-8000-000000000000') }), Tags: 'not a list of tags' };
    const c = new pg.Client(url);
    await c.connect();
    try {
      for (const j of [json, other]) {
        const rows = keyToRows(j);
        await c.query(INSERT_KEYS, [JSON.stringify([rows.key]), ...rows.children.map((r) => JSON.stringify(r))]);
        const row = (await c.query(`${SELECT_KEY} WHERE k.arn = $1`, [j.Arn])).rows[0];
        expect(keyFromRows(row.k, CHILDREN.map((_, i) => row[`c${i}`]))).toEqual(j);
      }
      expect((await c.query('SELECT tag_key, tag_value FROM kms_core_tags WHERE key_arn = $1 ORDER BY ordinal', [json.Arn])).rows).toEqual([
        { tag_key: 'team', tag_value: 'a\u00010b' }, // U+0000 stored as U+0001 "0" (PostgreSQL text cannot hold it)
        { tag_key: 'cost', tag_value: '' },
      ]);
      expect((await c.query('SELECT record FROM kms_core_keys WHERE arn = $1', [json.Arn])).rows[0].record).toEqual({ RotationEnabled: false, UsageTrackingStartDate: json.UsageTrackingStartDate, FutureMember: { nested: [1, 'two\u00010'] } });
      expect((await c.query('SELECT extra FROM kms_core_key_material WHERE key_arn = $1', [json.Arn])).rows).toEqual([{ extra: { FutureState: 'PENDING_ROTATION' } }]);
      expect((await c.query('SELECT record->>$2 AS tags FROM kms_core_keys WHERE arn = $1', [other.Arn, 'Tags'])).rows).toEqual([{ tags: 'not a list of tags' }]);
    } finally {
      await c.end();
    }
  });
});

describe('PostgreSQL store: several processes', () => {
  test('updateKey is atomic across stores (no rotation lost, the 25-rotation limit holds); createAlias is insert-if-absent; deleteKey takes its aliases', async ({ task }) => {
    if (!nodeProject(task)) return;
    const url = await freshDatabase();
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ka = new Kms({ keyStore: a, region: REGION });
    const kb = new Kms({ keyStore: b, region: REGION });
    const k = (await ka.createKey({})).KeyMetadata!;
    const arn = k.Arn as string;
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? ka : kb).rotateKeyOnDemand({ KeyId: k.KeyId })));
    expect((await a.refreshKey(arn))?.material).toHaveLength(21);
    const more = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? ka : kb).rotateKeyOnDemand({ KeyId: k.KeyId })));
    expect(more.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(more.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(Array(5).fill('LimitExceededException'));
    expect((await b.refreshKey(arn))?.material).toHaveLength(26);

    for (let i = 0; i < 5; i++) {
      const both = await Promise.allSettled([ka, kb].map((x) => x.createAlias({ AliasName: `alias/race${i}`, TargetKeyId: k.KeyId })));
      expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.name).toBe('AlreadyExistsException');
    }
    const grants = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? ka : kb).createGrant({ KeyId: k.KeyId, GranteePrincipal: `arn:aws:iam::111122223333:role/r${i}`, Operations: ['Decrypt'] })));
    expect(new Set((await b.refreshKey(arn))?.grants?.map((g) => g.grantId))).toEqual(new Set(grants.map((g) => g.GrantId)));

    await a.deleteKey(arn);
    expect(await b.listAliases(REGION, '111122223333')).toEqual([]);
    expect(await b.refreshKey(arn)).toBeUndefined();
  });

  test("a cache hit costs no round trip; another store's change is seen by notification, and within maxStalenessMs without one; refreshKey reads through", async ({ task }) => {
    if (!nodeProject(task)) return;
    const url = await freshDatabase();
    const a = await connect(url);
    const ka = new Kms({ keyStore: a, region: REGION });
    const k = (await ka.createKey({})).KeyMetadata!;
    const arn = k.Arn as string;

    // b listens, with a bound so long that only a notification can explain a prompt update.
    const b = await connect(url, { maxStalenessMs: 60_000 });
    expect(await b.getKey(arn)).toBeDefined();
    expect(b.getKey(arn)).not.toBeInstanceOf(Promise); // answered from memory
    await ka.disableKey({ KeyId: k.KeyId });
    const t0 = performance.now();
    while ((await b.getKey(arn))?.keyState !== 'Disabled') {
      expect(performance.now() - t0, 'notification').toBeLessThan(5000);
      await sleep(2);
    }

    // c does not listen: only the bound (300 ms) holds. A read that starts later than that after
    // the change returned sees it; earlier ones may answer from the cache.
    const c = await connect(url, { listen: false, maxStalenessMs: 300 });
    expect((await c.getKey(arn))?.keyState).toBe('Disabled');
    await ka.enableKey({ KeyId: k.KeyId });
    const t1 = performance.now();
    let stale = 0;
    for (;;) {
      const t = performance.now();
      const state = (await c.getKey(arn))?.keyState;
      if (state === 'Enabled') break;
      stale++;
      expect(t - t1, 'a stale read started within the bound').toBeLessThan(300);
      await sleep(10);
    }
    expect(stale, 'without notifications the cache answers until the bound').toBeGreaterThan(0);

    // refreshKey reads through a cache that would otherwise stay stale for a minute.
    const d = await connect(url, { listen: false, maxStalenessMs: 60_000 });
    expect((await d.getKey(arn))?.material).toHaveLength(1);
    await ka.rotateKeyOnDemand({ KeyId: k.KeyId });
    expect((await d.getKey(arn))?.material).toHaveLength(1);
    expect((await d.refreshKey(arn))?.material).toHaveLength(2);
    expect((d.getKey(arn) as KeyRecord).material).toHaveLength(2);
    expect(notices).toEqual([]);
  });

  test('two kms-core serve processes on one database: concurrent CreateKey, RotateKeyOnDemand, CreateAlias and CreateGrant from both are all seen by both, also after kill -9 of one mid-burst; DisableKey on one is honoured by the other within the bound', async ({ task }) => {
    if (!nodeProject(task)) return;
    const db = await freshDatabase();
    const url = db.replace('postgres://kms@', 'postgres://kms:s3cret@'); // trust auth ignores it; the banner must not show it
    const BOUND = 500;
    const args = ['--store', url, '--region', REGION, '--max-staleness', String(BOUND)];
    let A: Child = await serveBin(args);
    const B: Child = await serveBin(args);
    expect(A.stdout()).toMatch(/keys: PostgreSQL postgres:\/\/kms:\*\*\*@127\.0\.0\.1:\d+\/kms_\d+_\d+ \(shared by every server on it; another server's change is seen here within 500 ms\)/);
    expect(A.stdout() + A.stderr()).not.toContain('s3cret');
    const clientsFor = (s: Child) => [new JsonClient(s.url, REGION), new JsonClient(s.url, REGION)];
    let ca = clientsFor(A);
    const cb = clientsFor(B);

    // What returned calls reported.
    const rotations = new Map<string, number>();
    const aliases = new Set<string>();
    const grants = new Map<string, Set<string>>();
    for (let i = 0; i < 4; i++) {
      const md = (await ca[0]!.send(new CreateKeyCommand({ Description: `seed ${i}` }))).KeyMetadata;
      rotations.set(md.Arn, 0);
      grants.set(md.Arn, new Set());
    }
    const seeds = [...rotations.keys()];
    let aliasN = 0;
    const inflight = new Map<string, number>();
    /** `workers` loops per client until `stop()` is true; returns the number of calls that returned. */
    async function burst(clients: JsonClient[], stop: (returned: number) => boolean, workers = 4, tolerateErrors = false) {
      let returned = 0;
      const errors: string[] = [];
      await Promise.all(
        clients.flatMap((c) =>
          Array.from({ length: workers }, async () => {
            while (!stop(returned)) {
              const r = Math.random();
              try {
                if (r < 0.4) {
                  // Both servers rotate the same keys at once: the row lock must keep every rotation.
                  const arn = seeds.find((s) => (rotations.get(s) ?? 0) + (inflight.get(s) ?? 0) < 24) ?? seeds[0]!;
                  if ((rotations.get(arn) ?? 0) + (inflight.get(arn) ?? 0) >= 24) continue;
                  inflight.set(arn, (inflight.get(arn) ?? 0) + 1);
                  try {
                    await c.send(new RotateKeyOnDemandCommand({ KeyId: arn }));
                    rotations.set(arn, (rotations.get(arn) ?? 0) + 1);
                  } finally {
                    inflight.set(arn, (inflight.get(arn) ?? 1) - 1);
                  }
                } else if (r < 0.6) {
                  const md = (await c.send(new CreateKeyCommand({}))).KeyMetadata;
                  rotations.set(md.Arn, 0);
                  grants.set(md.Arn, new Set());
                } else if (r < 0.8) {
                  const name = `alias/a${++aliasN}`;
                  await c.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: seeds[aliasN % seeds.length] }));
                  aliases.add(name);
                } else {
                  const arn = seeds[returned % seeds.length]!;
                  const g = await c.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: `arn:aws:iam::111122223333:role/g${returned}`, Operations: ['Decrypt'] }));
                  grants.get(arn)!.add(g.GrantId);
                }
                returned++;
              } catch (e) {
                if (!tolerateErrors) errors.push(`${(e as Error).name}: ${(e as Error).message}`);
                else return;
              }
            }
          }),
        ),
      );
      expect(errors).toEqual([]);
      return returned;
    }

    /** After the bound, both servers report everything the ledger holds. */
    async function verify(servers: JsonClient[]) {
      await sleep(BOUND + 50);
      for (const c of servers) {
        const listed = new Set<string>();
        let marker: string | undefined;
        do {
          const page = await c.send(new ListKeysCommand({ Limit: 1000, Marker: marker }));
          for (const k of page.Keys) listed.add(k.KeyArn);
          marker = page.NextMarker;
        } while (marker);
        for (const arn of rotations.keys()) expect(listed.has(arn), arn).toBe(true);
        for (const arn of seeds) {
          const rot = await c.send(new ListKeyRotationsCommand({ KeyId: arn, Limit: 1000 }));
          // Every reported rotation is there (a call cut off by a kill may have rotated too).
          expect(rot.Rotations.length, `rotations of ${arn} via ${c.url}`).toBeGreaterThanOrEqual(rotations.get(arn)!);
          const listedGrants = new Set((await c.send(new ListGrantsCommand({ KeyId: arn, Limit: 1000 }))).Grants.map((g: { GrantId: string }) => g.GrantId));
          for (const g of grants.get(arn)!) expect(listedGrants.has(g), `grant ${g}`).toBe(true);
        }
        const names = new Set<string>();
        marker = undefined;
        do {
          const page = await c.send(new ListAliasesCommand({ Limit: 100, Marker: marker }));
          for (const a of page.Aliases) names.add(a.AliasName);
          marker = page.NextMarker;
        } while (marker);
        for (const n of aliases) expect(names.has(n), n).toBe(true);
      }
    }

    // 1. Both at once, nobody killed: the counts are exact.
    await Promise.all([burst(ca, (n) => n >= 60), burst(cb, (n) => n >= 60)]);
    await verify([...ca, ...cb]);
    for (const arn of seeds) expect((await cb[0]!.send(new ListKeyRotationsCommand({ KeyId: arn, Limit: 1000 }))).Rotations).toHaveLength(rotations.get(arn)!);
    expect([...rotations.values()].reduce((x, y) => x + y)).toBeGreaterThan(10);

    // 2. kill -9 of A mid-burst while B goes on: nothing a returned call reported is lost.
    const procA = A.proc;
    let killed = false;
    await Promise.all([
      burst(ca, (n) => {
        if (n >= 25 && !killed) {
          killed = true;
          procA.kill('SIGKILL');
        }
        return killed;
      }, 4, true),
      burst(cb, (n) => n >= 50),
    ]);
    expect(await A.exit).toEqual({ code: null, signal: 'SIGKILL' });
    for (const c of ca) c.destroy();
    A = await serveBin(args);
    ca = clientsFor(A);
    await verify([ca[0]!, cb[0]!]);

    // 3. DisableKey on A is honoured by B within the bound: every Encrypt on B that still
    // succeeded started less than BOUND ms after DisableKey returned.
    const key = seeds[0]!;
    await cb[0]!.send(new EncryptCommand({ KeyId: key, Plaintext: enc('warm B') }));
    await ca[0]!.send(new DisableKeyCommand({ KeyId: key }));
    const t0 = performance.now();
    let lag = 0;
    let after = 0;
    for (;;) {
      const t = performance.now();
      try {
        await cb[0]!.send(new EncryptCommand({ KeyId: key, Plaintext: enc('x') }));
        after++;
        lag = t - t0;
        expect(lag, 'an Encrypt on B succeeded this long after DisableKey on A returned').toBeLessThan(BOUND);
      } catch (e) {
        expect((e as Error).name).toBe('DisabledException');
        break;
      }
      await sleep(5);
    }
    await ca[0]!.send(new EnableKeyCommand({ KeyId: key }));
    console.log(`postgres: ${rotations.size} keys, ${[...rotations.values()].reduce((x, y) => x + y)} rotations, ${aliases.size} aliases, ${[...grants.values()].reduce((n, g) => n + g.size, 0)} grants seen by both servers; after DisableKey on A returned, B accepted ${after} Encrypt call(s)${after ? `, the last started ${lag.toFixed(0)} ms later` : ''}`);
    A.proc.kill('SIGTERM');
    B.proc.kill('SIGTERM');
    expect(await A.exit).toEqual({ code: 0, signal: null });
    expect(await B.exit).toEqual({ code: 0, signal: null });
  });

  test('Precondition: the bounds are non-negative numbers. Precondition: key IDs are unique within an account and region. Precondition: mutate never changes which key a record is.', async ({ task }) => {
    if (!nodeProject(task)) return;
    for (const bad of [{ maxStalenessMs: -1 }, { poolSize: Number.NaN }, { cacheSize: -5 }]) {
      await expect(PostgresKeyStore.connect({ connectionString: 'postgres://kms@127.0.0.1:1/x', ...bad })).rejects.toThrow(/Invalid PostgresKeyStore option (maxStalenessMs|poolSize|cacheSize): must be a number ≥ 0/);
    }
    const store = await connect(await freshDatabase());
    const kms = new Kms({ keyStore: store, region: REGION });
    const k = (await kms.createKey({ Description: 'kept' })).KeyMetadata!;
    const rec = (await store.getKey(k.Arn as string))!;
    await expect(store.createKey(rec)).rejects.toThrow(/duplicate key/);
    await expect(store.updateKey(k.Arn as string, (r) => void (r.arn = `${r.arn}x`))).rejects.toThrow(/updateKey must not change the key ARN/);
    await expect(store.updateKey(k.Arn as string, () => { throw new Error('refused by mutate'); })).rejects.toThrow(/refused by mutate/);
    expect((await store.refreshKey(k.Arn as string))?.description).toBe('kept');
    expect(await store.updateKey('arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000000', () => undefined)).toBeUndefined();
  });

  test('serve --store refuses a URL that is not postgres://, --data with --store, and a database it cannot reach', async ({ task }) => {
    if (!nodeProject(task)) return;
    const cli = async (...argv: string[]) => {
      const err: string[] = [];
      const code = await main(argv, { out: () => undefined, err: (l) => err.push(l) });
      return { code, err: err.join('\n') };
    };
    expect(await cli('serve', '--store', 'mysql://x/y')).toMatchObject({ code: 2, err: expect.stringMatching(/--store takes a postgres:\/\/ \(or postgresql:\/\/\) URL/) });
    expect(await cli('serve', '--store', 'postgres://x/y', '--data', 'd')).toMatchObject({ code: 2, err: expect.stringMatching(/--data and --store are two places for the keys: give one/) });
    expect(await cli('serve', '--max-staleness', '10')).toMatchObject({ code: 2, err: expect.stringMatching(/--max-staleness takes milliseconds .* with --store/) });
    const down = await serveFails(['--store', 'postgres://kms@127.0.0.1:1/nothing']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^kms-core: cannot start: .*ECONNREFUSED/);
  });
});
