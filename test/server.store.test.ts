/**
 * FileKeyStore (src/server/file-store.ts) and the --data directory (src/server/data-dir.ts):
 * durable before return, readers see only durable state, group commit, and what a failure or
 * an interrupted write at each step leaves on disk.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError } from '../src/index.js';
import { DataDir, LOCK_FILE } from '../src/server/data-dir.js';
import { FileKeyStore, nodeFileIo, type FileIo } from '../src/server/file-store.js';
import { dec, enc } from './helpers/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-core-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = () => join(dir, 'keystore.us-east-1.json');

/** node:fs, with a hook before each step: throw to fail it, await to hold it. */
function hookedIo(before: (step: keyof FileIo, path: string) => void | Promise<void>): FileIo {
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
    unlink: (p) => nodeFileIo.unlink(p),
  };
}

/** What a fresh process would load from the directory now. */
async function onDisk() {
  return FileKeyStore.open(file(), { region: 'us-east-1' });
}

describe('FileKeyStore', () => {
  test('every change is in the file before the call returns; the file is a key-store snapshot', async () => {
    const store = await FileKeyStore.open(file(), { region: 'us-east-1' });
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

    const text = await readFile(file(), 'utf8');
    expect(JSON.parse(text)).toEqual(store.exportSnapshot());
    expect(InMemoryKeyStore.fromSnapshot(text).exportSnapshot()).toEqual(store.exportSnapshot());
    expect(await readdir(dir)).toEqual(['keystore.us-east-1.json']);
  });

  test('readers see a change only once it is durable: no ciphertext can use a backing key the disk lacks', async () => {
    let hold: Promise<void> | undefined;
    let release!: () => void;
    const store = await FileKeyStore.open(file(), { io: hookedIo(() => hold) });
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
  });

  test('group commit: concurrent changes share writes, none is lost', async () => {
    const store = await FileKeyStore.open(file());
    const kms = new Kms({ keyStore: store });
    const keys = await Promise.all(Array.from({ length: 5 }, () => kms.createKey({})));
    const writesBefore = store.writes;
    await Promise.all(keys.flatMap((k) => Array.from({ length: 8 }, () => kms.rotateKeyOnDemand({ KeyId: k.KeyMetadata!.KeyId }))));
    expect(store.writes - writesBefore).toBeLessThan(40);
    const disk = await onDisk();
    for (const k of keys) expect(disk.getKey(k.KeyMetadata!.Arn as string)?.material).toHaveLength(9);
  });

  for (const step of ['writeSynced', 'rename', 'syncDir'] as const) {
    test(`a write that fails at ${step} rejects the call; the disk holds a loadable snapshot and the store goes on`, async () => {
      let fail = false;
      const store = await FileKeyStore.open(file(), {
        io: hookedIo((s) => {
          if (fail && s === step) throw Object.assign(new Error(`injected ${s} failure`), { code: 'EIO' });
        }),
      });
      const kms = new Kms({ keyStore: store });
      const k = (await kms.createKey({})).KeyMetadata!;
      fail = true;
      await expect(kms.rotateKeyOnDemand({ KeyId: k.KeyId })).rejects.toMatchObject({ name: 'KMSInternalException', $fault: 'server' });
      // The live store reports only what is durable…
      expect(store.getKey(k.Arn as string)?.material).toHaveLength(1);
      // …and the disk loads: before the rename it is the old snapshot; once renamed (the
      // directory fsync failed), the new one. A failed call's outcome is unknown, as with AWS 5xx.
      expect((await onDisk()).getKey(k.Arn as string)?.material).toHaveLength(step === 'syncDir' ? 2 : 1);
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      await expect(kms.createKey({})).rejects.toBeInstanceOf(KmsError);
      expect((await kms.listKeys({})).Keys).toHaveLength(1);
      fail = false;
      await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
      expect((await onDisk()).getKey(k.Arn as string)?.material).toHaveLength(2);
    });
  }

  test('a failed write also rejects the changes queued behind it (they were built on it)', async () => {
    let hold: Promise<void> | undefined;
    let release!: () => void;
    let fail = false;
    const store = await FileKeyStore.open(file(), {
      io: hookedIo(async (s) => {
        await hold;
        if (fail && s === 'rename') throw new Error('injected');
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
    fail = false;
    hold = undefined;
    expect(store.getKey(k.Arn as string)?.material).toHaveLength(1);
    await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
    expect((await onDisk()).getKey(k.Arn as string)?.material).toHaveLength(2);
  });

  test('an interrupted write (a torn temp file) is ignored and cleaned up at the next open', async () => {
    const store = await FileKeyStore.open(file());
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    const good = await readFile(file(), 'utf8');
    await writeFile(join(dir, '.keystore.us-east-1.json.4242.7.tmp'), good.slice(0, good.length >> 1));
    const reopened = await onDisk();
    expect(reopened.getKey(k.Arn as string)).toBeDefined();
    expect(await readdir(dir)).toEqual(['keystore.us-east-1.json']);
  });

  test('a store file that is not a valid snapshot is refused at open, naming the file', async () => {
    await writeFile(file(), '{"format":"kms-core/key-store","version":1,"keys":[{"KeyId":"x"}],"aliases":[]}');
    await expect(onDisk()).rejects.toThrow(/^Cannot load key store .*keystore\.us-east-1\.json: Invalid key-store snapshot: keys\[0\]/);
    await writeFile(file(), '{"format":"kms-core/key-store","version":2,"keys":[],"aliases":[]}');
    await expect(onDisk()).rejects.toThrow(/Unsupported key-store snapshot version 2/);
    await writeFile(file(), '{"format":');
    await expect(onDisk()).rejects.toThrow(/not JSON/);
  });

  test('a region store refuses keys of another region', async () => {
    const other = await FileKeyStore.open(join(dir, 'x.json'));
    await new Kms({ region: 'eu-west-1', keyStore: other }).createKey({});
    await writeFile(file(), await readFile(join(dir, 'x.json')));
    await expect(onDisk()).rejects.toThrow(/is not in region us-east-1/);
  });

  test('deleting a key drops its aliases in the same write (the snapshot never holds a dangling alias)', async () => {
    const store = await FileKeyStore.open(file());
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({})).KeyMetadata!;
    await kms.createAlias({ AliasName: 'alias/gone', TargetKeyId: k.KeyId });
    await store.deleteKey(k.Arn as string);
    const disk = await onDisk();
    expect(disk.getKey(k.Arn as string)).toBeUndefined();
    expect(disk.listAliases('us-east-1', kms.accountId)).toEqual([]);
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

describe('the --data directory lock', () => {
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

  test('every region file is loaded at open; a damaged one fails the open and releases the lock', async () => {
    await writeFile(join(dir, 'keystore.eu-west-1.json'), 'garbage');
    await expect(DataDir.open(dir)).rejects.toThrow(/Cannot load key store .*keystore\.eu-west-1\.json/);
    expect(await readdir(dir)).toEqual(['keystore.eu-west-1.json']);
    await rm(join(dir, 'keystore.eu-west-1.json'));
    const d = await DataDir.open(dir);
    await expect(d.store('../../etc')).rejects.toThrow(/Invalid region/);
    await d.close();
  });
});
