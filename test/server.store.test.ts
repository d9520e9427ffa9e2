/**
 * FileKeyStore (src/server/file-store.ts, journal.ts) and the --data directory (data-dir.ts):
 * one fsynced journal record per change, readers see only durable state, group commit, what a
 * failure at each step leaves on disk, damaged journals (cut at every byte of the last record,
 * flipped bytes), compaction (and a crash at each of its steps), and the migration of a store
 * written by kms-core 0.1.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError } from '../src/index.js';
import { DataDir, LOCK_FILE, storeFile } from '../src/server/data-dir.js';
import { FileKeyStore, nodeFileIo, type FileIo, type FileKeyStoreOptions } from '../src/server/file-store.js';
import { startServer } from '../src/server/http.js';
import { frame, scan } from '../src/server/journal.js';
import { dec, enc } from './helpers/index.js';

let dir: string;
let warnings: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-core-store-'));
  warnings = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = (d = dir) => join(d, 'keystore.us-east-1.json');
const journal = (gen = 1, d = dir) => join(d, `keystore.us-east-1.journal.${gen}`);
const log = (m: string) => warnings.push(m);

type Step = 'writeSynced' | 'rename' | 'syncDir' | 'unlink' | 'append' | 'sync' | 'truncate';

/** node:fs, with a hook before each step: throw to fail it, await to hold it. */
function hookedIo(before: (step: Step, path: string) => void | Promise<void>): FileIo {
  return {
    async writeSynced(p, d) {
      await before('writeSynced', p);
      return nodeFileIo.writeSynced(p, d);
    },
    async rename(a, b) {
      await before('rename', a);
      return nodeFileIo.rename(a, b);
    },
    async syncDir(d) {
      await before('syncDir', d);
      return nodeFileIo.syncDir(d);
    },
    async unlink(p) {
      await before('unlink', p);
      return nodeFileIo.unlink(p);
    },
    async openAppend(p) {
      const f = await nodeFileIo.openAppend(p);
      return {
        async append(data) {
          await before('append', p);
          return f.append(data);
        },
        async sync() {
          await before('sync', p);
          return f.sync();
        },
        async truncate(n) {
          await before('truncate', p);
          return f.truncate(n);
        },
        close: () => f.close(),
      };
    },
  };
}

const open = (options: FileKeyStoreOptions = {}, d = dir) => FileKeyStore.open(file(d), { region: 'us-east-1', log, ...options });

/** What a fresh process would load from the directory now. */
async function onDisk(d = dir) {
  const s = await open({}, d);
  await s.close();
  return s;
}

/** The journal's records (header excluded) with their offsets. */
async function records(gen = 1) {
  const s = scan(await readFile(journal(gen)));
  expect(s.ok).toBe(true);
  return s.lines.slice(1);
}

describe('FileKeyStore: the journal', () => {
  test('every change is one journal record, on disk before the call returns; files 0600 in a 0700 directory', async () => {
    const store = await open();
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({ Description: 'a' })).KeyMetadata!;
    expect((await onDisk()).getKey(k.Arn as string)?.description).toBe('a');
    await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
    expect((await onDisk()).getKey(k.Arn as string)?.material).toHaveLength(2);
    await kms.createAlias({ AliasName: 'alias/a', TargetKeyId: k.KeyId });
    expect((await onDisk()).listAliases('us-east-1', kms.accountId).map((a) => a.aliasName)).toEqual(['alias/a']);
    await kms.disableKey({ KeyId: k.KeyId });
    expect((await onDisk()).getKey(k.Arn as string)?.keyState).toBe('Disabled');
    await kms.deleteAlias({ AliasName: 'alias/a' });
    expect((await onDisk()).listAliases('us-east-1', kms.accountId)).toEqual([]);

    const recs = await records();
    expect(recs.map((r) => Object.keys((r.value as { Changes: object[] }).Changes[0]!)[0])).toEqual(['PutKey', 'PutKey', 'PutAlias', 'PutKey', 'DeleteAlias']);
    expect(recs.map((r) => (r.value as { Seq: number }).Seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await onDisk()).exportSnapshot()).toEqual(store.exportSnapshot());
    expect(await readdir(dir)).toEqual(['keystore.us-east-1.journal.1']);
    expect((await stat(journal())).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(store.writes).toBe(5);
    expect(warnings).toEqual([]);
    await store.close();
  });

  test('readers see a change only once it is durable: no ciphertext can use a backing key the disk lacks', async () => {
    let hold: Promise<void> | undefined;
    let release!: () => void;
    const store = await open({ io: hookedIo((s) => (s === 'sync' ? hold : undefined)) });
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    hold = new Promise((r) => (release = r));
    const rotating = kms.rotateKeyOnDemand({ KeyId: k.KeyId });
    await new Promise((r) => setTimeout(r, 20));
    // The rotation is being written: encryptions still use the durable (original) material.
    const during = await kms.encrypt({ KeyId: k.KeyId, Plaintext: enc('during') });
    expect((await kms.decrypt({ CiphertextBlob: during.CiphertextBlob })).KeyMaterialId).toBe(k.CurrentKeyMaterialId);
    expect((await kms.listKeyRotations({ KeyId: k.KeyId })).Rotations).toEqual([]);
    release();
    hold = undefined;
    await rotating;
    const after = await kms.encrypt({ KeyId: k.KeyId, Plaintext: enc('after') });
    const rot = (await kms.listKeyRotations({ KeyId: k.KeyId })).Rotations ?? [];
    expect(rot).toHaveLength(1);
    expect((await kms.decrypt({ CiphertextBlob: after.CiphertextBlob })).KeyMaterialId).toBe(rot[0]?.KeyMaterialId);
    await store.close();
  });

  test('group commit: concurrent changes share appends, none is lost', async () => {
    const store = await open();
    const kms = new Kms({ keyStore: store });
    const keys = await Promise.all(Array.from({ length: 5 }, () => kms.createKey({})));
    const writesBefore = store.writes;
    await Promise.all(keys.flatMap((k) => Array.from({ length: 8 }, () => kms.rotateKeyOnDemand({ KeyId: k.KeyMetadata!.KeyId }))));
    expect(store.writes - writesBefore).toBeLessThan(40);
    expect(await records()).toHaveLength(45);
    const disk = await onDisk();
    for (const k of keys) expect(disk.getKey(k.KeyMetadata!.Arn as string)?.material).toHaveLength(9);
    await store.close();
  });

  for (const step of ['append', 'sync'] as const) {
    test(`an append that fails at ${step} rejects the call; the journal is cut back to its last durable record and the store goes on`, async () => {
      let fail = false;
      const store = await open({
        io: hookedIo(async (s, p) => {
          if (fail && s === step) {
            fail = false; // once: cutting back (truncate, sync) then works
            // A partial write first, as a full disk leaves it.
            await writeFile(p, '0123456789abcdef {"Seq":', { flag: 'a' });
            throw Object.assign(new Error(`injected ${s} failure`), { code: 'EIO' });
          }
        }),
      });
      const kms = new Kms({ keyStore: store });
      const k = (await kms.createKey({})).KeyMetadata!;
      const size = (await stat(journal())).size;
      fail = true;
      await expect(kms.rotateKeyOnDemand({ KeyId: k.KeyId })).rejects.toMatchObject({ name: 'KMSInternalException', $fault: 'server' });
      expect(store.getKey(k.Arn as string)?.material).toHaveLength(1);
      expect((await stat(journal())).size).toBe(size);
      expect((await kms.listKeys({})).Keys).toHaveLength(1);
      await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
      expect((await onDisk()).getKey(k.Arn as string)?.material).toHaveLength(2);
      expect(warnings).toEqual([]);
      await store.close();
    });
  }

  for (const step of ['writeSynced', 'rename', 'syncDir'] as const) {
    test(`creating the first journal fails at ${step}: the call is rejected, the directory loads, the next call creates it`, async () => {
      let fail = true;
      const store = await open({
        io: hookedIo((s) => {
          if (fail && s === step) throw Object.assign(new Error(`injected ${s} failure`), { code: 'EIO' });
        }),
      });
      const kms = new Kms({ keyStore: store });
      await expect(kms.createKey({})).rejects.toMatchObject({ name: 'KMSInternalException' });
      expect((await onDisk()).listKeys('us-east-1', kms.accountId)).toEqual([]);
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      fail = false;
      const k = (await kms.createKey({})).KeyMetadata!;
      expect((await onDisk()).getKey(k.Arn as string)).toBeDefined();
      await store.close();
    });
  }

  test('a failed append also rejects the changes queued behind it (they were built on it)', async () => {
    let hold: Promise<void> | undefined;
    let release!: () => void;
    let fail = false;
    const store = await open({
      io: hookedIo(async (s) => {
        if (s !== 'sync') return;
        await hold;
        if (fail) {
          fail = false;
          throw new Error('injected');
        }
      }),
    });
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    hold = new Promise((r) => (release = r));
    fail = true;
    const first = kms.rotateKeyOnDemand({ KeyId: k.KeyId });
    await new Promise((r) => setTimeout(r, 10));
    const second = kms.rotateKeyOnDemand({ KeyId: k.KeyId });
    const results = Promise.allSettled([first, second]);
    release();
    expect((await results).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    hold = undefined;
    expect(store.getKey(k.Arn as string)?.material).toHaveLength(1);
    await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
    expect((await onDisk()).getKey(k.Arn as string)?.material).toHaveLength(2);
    await store.close();
  });

  test('a journal that cannot be cut back after a failed append refuses every later change; the directory still loads', async () => {
    let fail = false;
    const store = await open({
      io: hookedIo((s) => {
        if (fail && (s === 'sync' || s === 'truncate')) throw new Error(`injected ${s} failure`);
      }),
    });
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    fail = true;
    await expect(kms.rotateKeyOnDemand({ KeyId: k.KeyId })).rejects.toBeInstanceOf(KmsError);
    fail = false;
    await expect(kms.rotateKeyOnDemand({ KeyId: k.KeyId })).rejects.toMatchObject({ name: 'KMSInternalException' });
    // The record whose fsync "failed" was written in full: like an AWS 5xx, its outcome is unknown.
    expect([1, 2]).toContain((await onDisk()).getKey(k.Arn as string)?.material.length);
    await store.close();
  });

  test('an interrupted write (a torn temp file) is ignored and cleaned up at the next open', async () => {
    const store = await open();
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    await store.close();
    await writeFile(join(dir, '.keystore.us-east-1.json.4242.7.tmp'), '{"format":"kms-');
    await writeFile(join(dir, '.keystore.us-east-1.journal.2.4242.8.tmp'), 'x');
    expect((await onDisk()).getKey(k.Arn as string)).toBeDefined();
    expect(await readdir(dir)).toEqual(['keystore.us-east-1.journal.1']);
  });

  test('a snapshot that is not valid is refused at open, naming the file', async () => {
    await writeFile(file(), '{"format":"kms-core/key-store","version":1,"keys":[{"KeyId":"x"}],"aliases":[]}');
    await expect(onDisk()).rejects.toThrow(/^Cannot load key store .*keystore\.us-east-1\.json: Invalid key-store snapshot: keys\[0\]/);
    await writeFile(file(), '{"format":"kms-core/key-store","version":2,"keys":[],"aliases":[]}');
    await expect(onDisk()).rejects.toThrow(/Unsupported key-store snapshot version 2/);
    await writeFile(file(), '{"format":');
    await expect(onDisk()).rejects.toThrow(/keystore\.us-east-1\.json: Invalid key-store snapshot: not JSON/);
    await writeFile(file(), '{"format":"kms-core/key-store","version":1,"journal":{"sequence":-1},"keys":[],"aliases":[]}');
    await expect(onDisk()).rejects.toThrow(/"journal" member must be/);
  });

  test('a region store refuses keys of another region, in the snapshot and in the journal', async () => {
    const mem = new InMemoryKeyStore();
    await new Kms({ region: 'eu-west-1', keyStore: mem }).createKey({});
    await writeFile(file(), JSON.stringify(mem.exportSnapshot()));
    await expect(onDisk()).rejects.toThrow(/is not in region us-east-1/);
    await rm(file());
    const other = await FileKeyStore.open(join(dir, 'other', 'keystore.eu-west-1.json'), { log });
    await new Kms({ region: 'eu-west-1', keyStore: other }).createKey({});
    await other.close();
    await cp(join(dir, 'other', 'keystore.eu-west-1.journal.1'), journal());
    await expect(onDisk()).rejects.toThrow(/keystore\.us-east-1\.journal\.1: journal record at byte offset \d+ is invalid: key .* is not in region us-east-1/);
  });

  test('deleting a key drops its aliases in the same record (the store never holds a dangling alias)', async () => {
    const store = await open();
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    await kms.createAlias({ AliasName: 'alias/gone', TargetKeyId: k.KeyId });
    await store.deleteKey(k.Arn as string);
    const last = (await records()).at(-1)!.value as { Changes: object[] };
    expect(last.Changes.map((c) => Object.keys(c)[0])).toEqual(['DeleteKey', 'DeleteAlias']);
    const disk = await onDisk();
    expect(disk.getKey(k.Arn as string)).toBeUndefined();
    expect(disk.listAliases('us-east-1', kms.accountId)).toEqual([]);
    await store.close();
  });

  test('Precondition: key IDs are unique within an account and region. Precondition: a region\'s store holds only that region\'s records.', async () => {
    const store = await open();
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    const rec = store.getKey(k.Arn as string)!;
    await expect(store.createKey(rec)).rejects.toThrow(/duplicate key/);
    const other = { ...structuredClone(rec), region: 'eu-west-1', arn: rec.arn.replace('us-east-1', 'eu-west-1') };
    await expect(store.createKey(other)).rejects.toThrow(/a record of region eu-west-1 in the store of us-east-1/);
    expect(await records()).toHaveLength(1);
    await store.close();
  });

  test('Precondition: never write a record the reader would refuse (it is decoded back from its own text).', async () => {
    const store = await open();
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    // A record the snapshot reader refuses (rotation on without its period and date).
    await expect(store.updateKey(k.Arn as string, (r) => void (r.rotationEnabled = true))).rejects.toThrow(/Invalid key-store snapshot: keys\[0\]\.RotationEnabled requires RotationPeriodInDays and NextRotationDate/);
    expect(store.getKey(k.Arn as string)?.rotationEnabled).toBe(false);
    expect(await records()).toHaveLength(1);
    await store.close();
  });

  test('Precondition: an alias targets a key of the store (a snapshot never holds a dangling alias).', async () => {
    const store = await open();
    const alias = { aliasName: 'alias/x', aliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/x', accountId: '111122223333', region: 'us-east-1', targetKeyId: '00000000-0000-4000-8000-000000000000', creationDate: 0, lastUpdatedDate: 0 };
    await expect(store.putAlias(alias)).rejects.toThrow(/targets a key that is not in the store/);
    await expect(store.createAlias(alias)).rejects.toThrow(/targets a key that is not in the store/);
    expect(await readdir(dir)).toEqual([]);
    await store.close();
  });

  test('a store opened from an InMemoryKeyStore snapshot serves the same keys', async () => {
    const mem = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: mem });
    const k = (await kms.createKey({})).KeyMetadata!;
    const ct = await kms.encrypt({ KeyId: k.KeyId, Plaintext: enc('portable') });
    await writeFile(file(), JSON.stringify(mem.exportSnapshot()));
    const fromFile = new Kms({ keyStore: await onDisk() });
    expect(dec((await fromFile.decrypt({ CiphertextBlob: ct.CiphertextBlob })).Plaintext)).toBe('portable');
  });
});

describe('FileKeyStore: a damaged journal', () => {
  /** A journal of a few keys, rotations and an alias; returns the store's state before and after the last record. */
  async function build() {
    const store = await open();
    const kms = new Kms({ keyStore: store });
    const a = (await kms.createKey({ Description: 'a' })).KeyMetadata!;
    await kms.createAlias({ AliasName: 'alias/a', TargetKeyId: a.KeyId });
    await kms.createKey({ Description: 'b' });
    const before = store.exportSnapshot();
    await kms.rotateKeyOnDemand({ KeyId: a.KeyId });
    const after = store.exportSnapshot();
    await store.close();
    return { before, after, arn: a.Arn as string };
  }

  test('a journal cut at every byte offset of its last record loads and loses at most that record, with a warning; the cut tail is removed', async () => {
    const { before, after } = await build();
    const full = await readFile(journal());
    const last = (await records()).at(-1)!;
    expect(last.offset + last.length).toBe(full.length);
    let dropped = 0;
    // The loads under test need no fsync (it is what makes this loop slow, not what it checks).
    const noSync: FileIo = { ...nodeFileIo, openAppend: async (p) => ({ ...(await nodeFileIo.openAppend(p)), sync: async () => undefined }) };
    // Each cut in a new directory: rewriting one file over and over is slow on ext4.
    for (let cut = last.offset; cut <= full.length; cut++) {
      const d = join(dir, `cut${cut}`);
      await mkdir(d);
      await writeFile(journal(1, d), full.subarray(0, cut));
      warnings = [];
      const s = await open({ io: noSync }, d);
      await s.close();
      expect(s.exportSnapshot(), `cut at ${cut}`).toEqual(cut === full.length ? after : before);
      if (cut > last.offset && cut < full.length) {
        dropped++;
        expect(warnings, `cut at ${cut}`).toEqual([`${journal(1, d)}: dropped the damaged last record at byte offset ${last.offset} (${cut - last.offset} bytes, incomplete record (no line end)): a change interrupted before it was durable (its call never returned)`]);
        expect((await stat(journal(1, d))).size, 'the torn tail is cut off').toBe(last.offset);
      } else expect(warnings).toEqual([]);
    }
    expect(dropped).toBe(last.length - 1);
    // After a cut, the next change appends cleanly.
    await writeFile(journal(), full.subarray(0, last.offset + 10));
    const s = await open();
    await new Kms({ keyStore: s }).createKey({ Description: 'after the cut' });
    await s.close();
    warnings = [];
    expect((await onDisk()).listKeys('us-east-1', '111122223333').map((k) => k.description)).toEqual(['a', 'b', 'after the cut']);
    expect(warnings).toEqual([]);
  });

  test('a flipped byte anywhere in a record followed by others stops the load, naming the file and the byte offset', async () => {
    await build();
    const full = await readFile(journal());
    const recs = await records();
    const victim = recs[1]!; // the alias record: intact records follow it
    for (let i = victim.offset; i < victim.offset + victim.length; i++) {
      const bad = Buffer.from(full);
      bad[i] = bad[i]! ^ 0x20;
      const d = join(dir, `flip${i}`);
      await mkdir(d);
      await writeFile(journal(1, d), bad);
      await expect(onDisk(d), `byte ${i}`).rejects.toThrow(
        new RegExp(`^Cannot load key store .*keystore\\.us-east-1\\.journal\\.1: corrupt journal record at byte offset ${victim.offset} \\((checksum mismatch|not a framed record)\\); [12] intact record\\(s\\) follow it`),
      );
    }
    // The header too.
    const bad = Buffer.from(full);
    bad[20] = bad[20]! ^ 1;
    await writeFile(journal(), bad);
    await expect(onDisk()).rejects.toThrow(/journal\.1: corrupt journal record at byte offset 0 /);
  });

  test('a flipped byte in the last record is a damaged tail: dropped with a warning', async () => {
    const { before } = await build();
    const full = await readFile(journal());
    const last = (await records()).at(-1)!;
    const bad = Buffer.from(full);
    bad[last.offset + 40] = bad[last.offset + 40]! ^ 4;
    await writeFile(journal(), bad);
    expect((await onDisk()).exportSnapshot()).toEqual(before);
    expect(warnings).toEqual([expect.stringContaining(`dropped the damaged last record at byte offset ${last.offset} (${last.length} bytes, checksum mismatch)`)]);
  });

  test('intact records out of sequence (one removed, or repeated) stop the load', async () => {
    await build();
    const full = await readFile(journal());
    const [, second, third] = await records();
    await writeFile(journal(), Buffer.concat([full.subarray(0, second!.offset), full.subarray(third!.offset)]));
    await expect(onDisk()).rejects.toThrow(/journal record at byte offset \d+ has sequence number 3, but 2 comes next: records are missing/);
    await writeFile(journal(), Buffer.concat([full, full.subarray(second!.offset, second!.offset + second!.length)]));
    await expect(onDisk()).rejects.toThrow(/has sequence number 2, not above the one before it \(4\)/);
    await writeFile(journal(), Buffer.concat([full, frame({ Seq: 5, Changes: [{ PutKey: { KeyId: 'x' } }] })]));
    await expect(onDisk()).rejects.toThrow(/journal record at byte offset \d+ is invalid: Invalid key-store snapshot: keys\[0\]\.KeyId/);
  });
});

describe('FileKeyStore: compaction', () => {
  test('once the journal outgrows the snapshot, appends move to a new journal, the snapshot is rewritten and old journals go', async () => {
    const store = await open({ compactAfterBytes: 4096 });
    const kms = new Kms({ keyStore: store });
    const keys = [];
    for (let i = 0; i < 40; i++) keys.push((await kms.createKey({ Description: `k${i}` })).KeyMetadata!);
    await Promise.all(keys.map((k) => kms.rotateKeyOnDemand({ KeyId: k.KeyId })));
    await store.close();
    expect(store.compactions).toBeGreaterThan(1);
    const files = await readdir(dir);
    expect(files).toContain('keystore.us-east-1.json');
    expect(files.filter((f) => f.includes('.journal.'))).toHaveLength(1);
    const snapshot = JSON.parse(await readFile(file(), 'utf8'));
    expect(snapshot.journal.sequence).toBeGreaterThan(0);
    // The snapshot alone is a key-store snapshot of the state as of its sequence number.
    expect(InMemoryKeyStore.fromSnapshot(snapshot).listKeys('us-east-1', '111122223333').length).toBeGreaterThan(0);
    expect((await onDisk()).exportSnapshot()).toEqual(store.exportSnapshot());
    expect((await stat(file())).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([]);
  });

  for (const step of ['writeSynced', 'rename', 'syncDir', 'unlink'] as const) {
    test(`a crash at the ${step} step of a compaction leaves a directory that loads with every durable change`, async () => {
      let hold: Promise<void> | undefined;
      let held!: () => void;
      let release!: () => void;
      const copies: string[] = [];
      const snap = async () => {
        const d = `${dir}-copy${copies.length}`;
        await cp(dir, d, { recursive: true });
        copies.push(d);
      };
      let renamed = false;
      const store = await open({
        io: hookedIo(async (s, p) => {
          // The steps of writing the snapshot (not those of starting the new journal).
          const snapshotStep = s === 'unlink' || ((s === 'writeSynced' || s === 'rename') && p.includes('.json.')) || (s === 'syncDir' && renamed);
          if (s === 'rename') renamed = p.includes('.json.');
          if (s === step && snapshotStep && hold) {
            held();
            await hold;
          }
        }),
      });
      const kms = new Kms({ keyStore: store });
      const k = (await kms.createKey({})).KeyMetadata!;
      await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
      await store.compact(); // a first compaction: now there is a snapshot to replace
      await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
      const isHeld = new Promise<void>((r) => (held = r));
      hold = new Promise((r) => (release = r));
      const compacting = store.compact();
      await isHeld;
      // While the compaction waits at `step`, changes go on (into the new journal).
      await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
      await kms.createAlias({ AliasName: 'alias/during', TargetKeyId: k.KeyId });
      const expected = store.exportSnapshot();
      await snap(); // the disk as a crash at this moment leaves it
      hold = undefined;
      release();
      await compacting;
      await snap();
      await store.close();
      for (const d of copies) {
        const s = await FileKeyStore.open(file(d), { region: 'us-east-1', log });
        expect(s.exportSnapshot(), d).toEqual(expected);
        expect(s.getKey(k.Arn as string)?.material).toHaveLength(4);
        await s.close();
        await rm(d, { recursive: true, force: true });
      }
      expect(warnings).toEqual([]);
    });
  }

  test('a compaction that fails keeps every journal and the store goes on; the next one removes them', async () => {
    let fail = true;
    const store = await open({
      io: hookedIo((s, p) => {
        if (fail && s === 'rename' && p.includes('.json.')) throw new Error('injected rename failure');
      }),
    });
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    await expect(store.compact()).rejects.toThrow(/injected rename failure/);
    expect(warnings).toEqual([expect.stringMatching(/compaction failed \(the journal keeps every change; retried later\): injected rename failure/)]);
    await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
    expect((await readdir(dir)).sort()).toEqual(['keystore.us-east-1.journal.1', 'keystore.us-east-1.journal.2']);
    expect((await onDisk()).getKey(k.Arn as string)?.material).toHaveLength(2);
    fail = false;
    await store.compact();
    expect((await readdir(dir)).sort()).toEqual(['keystore.us-east-1.journal.3', 'keystore.us-east-1.json']);
    expect((await onDisk()).exportSnapshot()).toEqual(store.exportSnapshot());
    await store.close();
  });
});

describe('FileKeyStore: a store written by kms-core 0.1 (one snapshot, no journal)', () => {
  const fixture = new URL('./fixtures/data-dir-v1/', import.meta.url);

  test('migrates at first open: the same keys, aliases, grants and states, and its ciphertexts decrypt', async () => {
    await cp(fixture, dir, { recursive: true });
    const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as { keyId: string; disabledKeyId: string; ciphertext: string; plaintext: string; context: Record<string, string> };
    const v1 = JSON.parse(await readFile(join(dir, 'keystore.eu-west-1.json'), 'utf8'));
    const data = await DataDir.open(dir, undefined, { log });
    expect(data.partitions()).toEqual(['aws']);
    // Two migrations: the 0.1 snapshot to the journaled layout, then the per-Region store into its partition's.
    expect(warnings).toEqual([
      expect.stringMatching(/keystore\.eu-west-1\.json: migrated a key store without a journal \(kms-core ≤ 0\.1\) to the journaled layout/),
      expect.stringMatching(/migrated the per-Region stores of eu-west-1 into .*keystore\.aws\.json \(one store per partition\)/),
    ]);
    const migrated = JSON.parse(await readFile(join(dir, 'keystore.aws.json'), 'utf8'));
    expect(migrated.migrated).toEqual(['eu-west-1']);
    expect(migrated.keys).toEqual(v1.keys);
    expect(migrated.aliases).toEqual(v1.aliases);

    const kms = new Kms({ region: 'eu-west-1', keyStore: await data.store('eu-west-1') });
    const out = await kms.decrypt({ CiphertextBlob: Buffer.from(expected.ciphertext, 'base64'), EncryptionContext: expected.context });
    expect(dec(out.Plaintext)).toBe(expected.plaintext);
    expect((await kms.describeKey({ KeyId: 'alias/v1-fixture' })).KeyMetadata!.KeyId).toBe(expected.keyId);
    expect((await kms.listKeyRotations({ KeyId: expected.keyId })).Rotations).toHaveLength(2);
    expect((await kms.listGrants({ KeyId: expected.keyId })).Grants!.map((g) => g.Name)).toEqual(['fixture']);
    expect((await kms.describeKey({ KeyId: expected.disabledKeyId })).KeyMetadata!.KeyState).toBe('Disabled');
    // From now on changes go to the journal.
    await kms.enableKey({ KeyId: expected.disabledKeyId });
    await data.close();
    expect((await readdir(dir)).sort()).toEqual(['expected.json', 'keystore.aws.journal.2', 'keystore.aws.json']);
    warnings = [];
    const again = await DataDir.open(dir, undefined, { log });
    expect(warnings).toEqual([]);
    expect((await new Kms({ region: 'eu-west-1', keyStore: await again.store('eu-west-1') }).describeKey({ KeyId: expected.disabledKeyId })).KeyMetadata!.KeyState).toBe('Enabled');
    await again.close();
  });

  test('a snapshot without the journal marker but with journals beside it (rewritten by an older kms-core) is refused', async () => {
    const store = await open();
    await new Kms({ keyStore: store }).createKey({});
    await store.close();
    await writeFile(file(), JSON.stringify(new InMemoryKeyStore().exportSnapshot()));
    await expect(onDisk()).rejects.toThrow(/keystore\.us-east-1\.json: it has no "journal" member, yet journal files \(keystore\.us-east-1\.journal\.1\) sit beside it/);
  });
});

describe('the --data directory', () => {
  test('a lock left by a process that is gone (kill -9) is taken over', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(join(dir, LOCK_FILE), `${gone.stdout}\n`);
    const d = await DataDir.open(dir);
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await d.close();
    expect(await readdir(dir)).toEqual([]);
  });

  test('a lock held by a live process is refused', async () => {
    // PID 1 is always alive.
    await writeFile(join(dir, LOCK_FILE), '1\n');
    await expect(DataDir.open(dir)).rejects.toThrow(/is in use by process 1/);
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe('1');
  });

  test('one store per partition (snapshot or journal only) is loaded at open; a damaged file fails the open and releases the lock', async () => {
    const d0 = await DataDir.open(dir, undefined, { log });
    await new Kms({ region: 'ap-south-1', keyStore: await d0.store('ap-south-1') }).createKey({});
    await new Kms({ region: 'eu-west-1', keyStore: await d0.store('eu-west-1') }).createKey({});
    await new Kms({ region: 'cn-north-1', keyStore: await d0.store('cn-north-1') }).createKey({});
    expect(await d0.store('eu-west-1')).toBe(await d0.store('ap-south-1'));
    await d0.close();
    expect((await readdir(dir)).sort()).toEqual(['keystore.aws-cn.journal.1', 'keystore.aws.journal.1']);
    await writeFile(join(dir, 'keystore.eu-west-1.json'), 'garbage');
    await expect(DataDir.open(dir)).rejects.toThrow(/Cannot load key store .*keystore\.eu-west-1\.json/);
    expect((await readdir(dir)).sort()).toEqual(['keystore.aws-cn.journal.1', 'keystore.aws.journal.1', 'keystore.eu-west-1.json']);
    await rm(join(dir, 'keystore.eu-west-1.json'));
    const d = await DataDir.open(dir);
    expect(d.partitions()).toEqual(['aws', 'aws-cn']);
    expect((await d.store('eu-west-1')).listKeys('eu-west-1', '111122223333')).toHaveLength(1);
    expect((await d.store('ap-south-1')).listKeys('ap-south-1', '111122223333')).toHaveLength(1);
    await expect(d.store('../../etc')).rejects.toThrow(/Invalid region/);
    await d.close();
  });
});

test('Precondition: a region is never a path (and names a file of bounded length) — storeFile and DataDir.store refuse it with ValidationException and create nothing', async () => {
  const bad = ['../../etc', 'us-east-1/../x', `us-${'a'.repeat(40)}-1`, ''];
  expect(storeFile(dir, 'eu-west-1')).toBe(join(dir, 'keystore.aws.json'));
  for (const region of bad) expect(() => storeFile(dir, region), region).toThrow(expect.objectContaining({ name: 'ValidationException', message: expect.stringMatching(/^Invalid region/) }));
  const d = await DataDir.open(dir);
  try {
    for (const region of bad) await expect(d.store(region), region).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/^Invalid region/) });
    expect((await readdir(dir)).filter((f) => f.startsWith('keystore.'))).toEqual([]);
  } finally {
    await d.close();
  }
});

describe('startServer: where the keys live', () => {
  test('Precondition: one place for the keys. A given keyStore serves every region; the server names its store', async () => {
    await expect(startServer({ port: 0, dataDir: dir, keyStore: new InMemoryKeyStore() })).rejects.toThrow(/Give dataDir or keyStore, not both/);
    const shared = new InMemoryKeyStore();
    const s = await startServer({ port: 0, keyStore: shared, keyStoreName: 'a shared test store' });
    try {
      expect(s.store).toBe('a shared test store');
      expect(s.dataDir).toBeUndefined();
      const eu = await s.kmsFor({ region: 'eu-west-1' });
      const us = await s.kmsFor({ region: 'us-east-1' });
      expect(eu.keyStore).toBe(shared);
      expect(us.keyStore).toBe(shared);
    } finally {
      await s.close();
    }
    const f = await startServer({ port: 0, dataDir: dir, log });
    expect(f.store).toBe(`journaled files in ${dir}`);
    await f.close();
    const m = await startServer({ port: 0 });
    expect(m.store).toBe('memory');
    await m.close();
  });
});
