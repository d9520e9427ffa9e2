/**
 * Crash safety of `kms-core serve --data DIR` (the journaled file store), end to end: the real
 * bin (bin/kms-core.js → dist/cli) runs as a child process, four HTTP clients (each with its own
 * keep-alive connections, sending the AWS SDK's command objects as AWS JSON 1.1) drive a burst
 * of RotateKeyOnDemand, Encrypt, CreateKey and GenerateDataKey calls at it, and the process is killed with SIGKILL in the middle of the burst, 22 times, then stopped with
 * SIGTERM. After every restart on the same directory, every key and rotation a returned call
 * reported exists and every ciphertext a returned call handed out decrypts. A journal damaged
 * in the middle stops the server, naming the file and the byte offset.
 *
 * The child runs dist/ under Node's `node` condition whatever backend this vitest project
 * aliases, so the webcrypto project would repeat the node run exactly: it runs only in the
 * `node` project (an explicit check below, not a skip).
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { InMemoryKeyStore } from '../src/index.js';
import { ROOT, cleanup, serveBin, serveFails, JsonClient, type Child } from './helpers/serve.js';


const REGION = 'eu-west-1';

type KMSClient = JsonClient;
const serve = (dir: string, extra: string[] = []): Promise<Child> => serveBin(['--data', dir, '--region', REGION, ...extra]);
const sdk = (url: string): KMSClient => new JsonClient(url, REGION);

afterAll(cleanup);

/** What returned calls reported: all of it must survive any crash. */
interface Ledger {
  keys: Map<string, { rotations: number; materialIds: Set<string> }>;
  ciphertexts: { blob: Uint8Array; plaintext: Uint8Array; context: Record<string, string> | undefined; keyArn: string }[];
}

/**
 * Runs `workers` concurrent loops of random calls until `killAfter` calls have returned, then
 * calls `kill` at once (requests are still in flight) and stops issuing new calls. Every call
 * that returns, before or after the kill, goes into the ledger.
 */
async function burst(clients: KMSClient[], ledger: Ledger, killAfter: number, kill: () => void, workers = 16) {
  let returned = 0;
  let killed = false;
  const unexpected: string[] = [];
  const inflightRotations = new Map<string, number>();
  const keyArns = () => [...ledger.keys.keys()];
  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
  const done = () => {
    if (++returned === killAfter) {
      killed = true;
      kill();
    }
  };
  const loop = async (w: number) => {
    // Each worker sends through one of the clients (each has its own connections).
    const c = clients[w % clients.length] as KMSClient;
    while (!killed) {
      const r = Math.random();
      try {
        if (r < 0.45) {
          const keyArn = pick(keyArns());
          const plaintext = crypto.getRandomValues(new Uint8Array(1 + Math.floor(Math.random() * 64)));
          const context = Math.random() < 0.5 ? { n: String(returned) } : undefined;
          const out = await c.send(new EncryptCommand({ KeyId: keyArn, Plaintext: plaintext, EncryptionContext: context }));
          ledger.ciphertexts.push({ blob: out.CiphertextBlob!, plaintext, context, keyArn });
        } else if (r < 0.75) {
          // At most 25 on-demand rotations per key: stay below, counting those in flight.
          const candidates = keyArns().filter((k) => ledger.keys.get(k)!.rotations + (inflightRotations.get(k) ?? 0) < 24);
          if (candidates.length === 0) continue;
          const keyArn = pick(candidates);
          inflightRotations.set(keyArn, (inflightRotations.get(keyArn) ?? 0) + 1);
          try {
            await c.send(new RotateKeyOnDemandCommand({ KeyId: keyArn }));
            ledger.keys.get(keyArn)!.rotations++;
          } finally {
            inflightRotations.set(keyArn, (inflightRotations.get(keyArn) ?? 1) - 1);
          }
        } else if (r < 0.88) {
          const md = (await c.send(new CreateKeyCommand({ Description: 'burst' }))).KeyMetadata!;
          ledger.keys.set(md.Arn!, { rotations: 0, materialIds: new Set([md.CurrentKeyMaterialId!]) });
        } else {
          const keyArn = pick(keyArns());
          const out = await c.send(new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 32 }));
          ledger.ciphertexts.push({ blob: out.CiphertextBlob!, plaintext: out.Plaintext!, context: undefined, keyArn });
          ledger.keys.get(keyArn)!.materialIds.add(out.KeyMaterialId!);
        }
        done();
      } catch (e) {
        // After the kill, calls in flight fail (connection reset/refused): not reported, not recorded.
        if (!killed) unexpected.push(`${(e as Error).name}: ${(e as Error).message}`);
        if (killed) return;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  expect(unexpected, 'errors before the kill').toEqual([]);
  return returned;
}

/** Checks, through a fresh server, that everything in the ledger survived. */
async function verify(c: KMSClient, ledger: Ledger) {
  const listed = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await c.send(new ListKeysCommand({ Limit: 1000, Marker: marker }));
    for (const k of page.Keys ?? []) listed.add(k.KeyArn!);
    marker = page.NextMarker;
  } while (marker);
  // Every key's rotations, 16 at a time.
  const keys = [...ledger.keys];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let e = keys.pop(); e; e = keys.pop()) {
        const [arn, k] = e;
        expect(listed.has(arn), `key ${arn} was reported created`).toBe(true);
        const rot = await c.send(new ListKeyRotationsCommand({ KeyId: arn, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: 1000 }));
        const onDemand = rot.Rotations!.filter((r: { RotationType?: string }) => r.RotationType === 'ON_DEMAND').length;
        expect(onDemand, `rotations reported for ${arn}`).toBeGreaterThanOrEqual(k.rotations);
        const ids = new Set(rot.Rotations!.map((r: { KeyMaterialId?: string }) => r.KeyMaterialId));
        for (const id of k.materialIds) expect(ids.has(id), `backing key ${id} of ${arn}`).toBe(true);
      }
    }),
  );
  // Decrypt everything, 16 at a time.
  const queue = [...ledger.ciphertexts];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let x = queue.pop(); x; x = queue.pop()) {
        const d = await c.send(new DecryptCommand({ CiphertextBlob: x.blob, EncryptionContext: x.context }));
        expect(d.KeyId).toBe(x.keyArn);
        expect(d.Plaintext).toEqual(x.plaintext);
        ledger.keys.get(x.keyArn)?.materialIds.add(d.KeyMaterialId!);
      }
    }),
  );
}

/** Every snapshot in the directory loads with the library's snapshot reader; returns leftover temp files. */
async function checkFiles(dir: string): Promise<string[]> {
  const files = await readdir(dir);
  for (const f of files.filter((x) => /^keystore\..*\.json$/.test(x))) InMemoryKeyStore.fromSnapshot(await readFile(join(dir, f), 'utf8'));
  return files.filter((f) => f.endsWith('.tmp'));
}

/** The part of the ledger a burst changed: checked after each restart (the whole ledger at the end). */
function since(ledger: Ledger, keysBefore: Map<string, { rotations: number; materialIds: Set<string> }>, ciphertextsBefore: number): Ledger {
  const keys = new Map<string, { rotations: number; materialIds: Set<string> }>();
  for (const [arn, k] of ledger.keys) {
    const b = keysBefore.get(arn);
    if (!b || b.rotations !== k.rotations || b.materialIds.size !== k.materialIds.size) keys.set(arn, k);
  }
  return { keys, ciphertexts: ledger.ciphertexts.slice(ciphertextsBefore) };
}

const copyKeys = (l: Ledger) => new Map([...l.keys].map(([arn, k]) => [arn, { rotations: k.rotations, materialIds: new Set(k.materialIds) }]));

describe('kms-core serve --data: SIGKILL mid-burst and SIGTERM restarts', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('every reported key, rotation and ciphertext survives kill -9 at 22 points of bursts from several clients, and a SIGTERM stop; a damaged journal stops the server', async ({ task }) => {
    if (task.file.projectName !== 'node') {
      // See the header: the child process is the same in both projects; the node project runs it.
      expect(task.file.projectName).toBe('webcrypto');
      return;
    }
    /* Precondition: dist/ is built from the current server sources (npm test builds first). */
    const built = join(ROOT, 'dist/cli/main.js');
    expect(existsSync(built), 'dist/cli/main.js is missing: run `npm run build`').toBe(true);
    for (const f of ['src/cli/main.ts', 'src/server/http.ts', 'src/server/file-store.ts', 'src/server/journal.ts', 'src/server/record-json.ts', 'src/server/data-dir.ts', 'src/protocol/json.ts', 'src/protocol/wire.ts']) {
      expect(statSync(join(ROOT, f)).mtimeMs, `${f} is newer than dist/: run \`npm run build\``).toBeLessThanOrEqual(statSync(join(ROOT, f.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'))).mtimeMs + 1);
    }

    dir = await mkdtemp(join(tmpdir(), 'kms-core-crash-'));
    const ledger: Ledger = { keys: new Map(), ciphertexts: [] };
    let server = await serve(dir);
    const connect = (url: string) => Array.from({ length: 4 }, () => sdk(url));
    let cs = connect(server.url);
    for (let i = 0; i < 6; i++) {
      const md = (await cs[0]!.send(new CreateKeyCommand({ Description: `seed ${i}` }))).KeyMetadata!;
      ledger.keys.set(md.Arn!, { rotations: 0, materialIds: new Set([md.CurrentKeyMaterialId!]) });
    }

    // A second server on the same directory is refused while the first runs.
    const second = await serveFails(['--data', dir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/is in use by process \d+/);

    const log: string[] = [];
    let torn = 0;
    let tmpLeft = 0;
    const kills = 22;
    for (let i = 0; i < kills; i++) {
      // Kill points spread over early (the first calls of a fresh process) and later in a burst.
      const killAfter = 4 + ((i * 37) % 45);
      const proc = server.proc;
      const keysBefore = copyKeys(ledger);
      const ciphertextsBefore = ledger.ciphertexts.length;
      const returned = await burst(cs, ledger, killAfter, () => proc.kill('SIGKILL'));
      expect(await server.exit).toEqual({ code: null, signal: 'SIGKILL' });
      tmpLeft += (await checkFiles(dir)).length;
      for (const c of cs) c.destroy();
      server = await serve(dir);
      if (/dropped the damaged last record/.test(server.stderr())) torn++;
      cs = connect(server.url);
      expect(returned).toBeGreaterThanOrEqual(killAfter);
      await verify(cs[i % cs.length]!, since(ledger, keysBefore, ciphertextsBefore));
      expect(await checkFiles(dir), 'temp files are cleaned up at start').toEqual([]);
    }
    log.push(`${kills} SIGKILLs mid-burst; ${torn} restart(s) dropped a torn last record; ${tmpLeft} interrupted temp file(s)`);

    // SIGTERM during a burst: requests in progress finish, the process exits 0 and releases the lock.
    const proc = server.proc;
    await burst(cs, ledger, 100, () => proc.kill('SIGTERM'));
    expect(await server.exit).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/SIGTERM, finishing requests in progress\n.*stopped/);
    expect((await readdir(dir)).sort()).toEqual([`keystore.aws.journal.1`]);
    for (const c of cs) c.destroy();
    server = await serve(dir);
    cs = connect(server.url);
    expect(server.stdout()).toMatch(/keys: journaled files in .* \(each change is on disk before its call returns\)/);
    await verify(cs[0]!, ledger);
    const sample = [...ledger.keys.keys()][0]!;
    expect((await cs[0]!.send(new DescribeKeyCommand({ KeyId: sample }))).KeyMetadata!.KeyState).toBe('Enabled');
    server.proc.kill('SIGTERM');
    expect(await server.exit).toEqual({ code: 0, signal: null });

    // Damage in the middle of the journal (not an interrupted write) stops the server, naming the file and offset.
    const jf = join(dir, `keystore.aws.journal.1`);
    const buf = await readFile(jf);
    const second10 = buf.indexOf(10, buf.indexOf(10) + 1) + 1; // the second record
    buf[second10 + 30] = buf[second10 + 30]! ^ 1;
    await writeFile(jf, buf);
    const damaged = await serveFails(['--data', dir, '--region', REGION]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain(`kms-core: cannot start: Cannot load key store ${jf}: corrupt journal record at byte offset ${second10} (checksum mismatch)`);

    const rotations = [...ledger.keys.values()].reduce((n, k) => n + k.rotations, 0);
    log.push(`verified ${ledger.keys.size} keys, ${rotations} on-demand rotations, ${ledger.ciphertexts.length} ciphertexts`);
    console.log(`crash test: ${log.join('; ')}`);
    expect(ledger.keys.size).toBeGreaterThan(6);
    expect(rotations).toBeGreaterThan(10);
    // 24 child processes start here (about half a second of CPU each): on a loaded 2-core box the
    // test has taken more than the suite's 60 s default, so it gets the time the work needs.
  }, 240_000);
});
