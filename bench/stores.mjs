// The key-store section of `npm run bench` (alone: `npm run bench -- stores`):
//   - CreateKey and RotateKeyOnDemand latency (sequential calls on an in-process Kms, median,
//     mean and p99) at 10^2, 10^4 and 10^5 keys, for the journaled file store (one store per
//     size, grown by real concurrent CreateKey calls, compactions included) and for PostgreSQL
//     (one database per size, grown by importSnapshot; a throwaway server with fsync on,
//     scripts/postgres.mjs); the sizes are measured in interleaved rounds;
//   - ReEncrypt throughput through `kms-core serve`: two servers on one PostgreSQL against one
//     server on the file store, in the same run, with a bare keep-alive HTTP client.
// Only same-run ratios mean anything on a shared machine.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemoryKeyStore, Kms } from 'kms-core';
import { PostgresKeyStore } from 'kms-core/store/postgres';
import { FileKeyStore } from '../dist/server/file-store.js';
import { startPostgres } from '../scripts/postgres.mjs';

const BIN = fileURLToPath(new URL('../bin/kms-core.js', import.meta.url));
const REGION = 'us-east-1';

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, medianMs: q(0.5), meanMs: s.reduce((a, b) => a + b, 0) / s.length, p99Ms: q(0.99) };
}

/** Grows a store from `have` to `target` keys with `inflight` concurrent CreateKey calls. */
async function grow(kms, have, target, inflight = 64) {
  let next = have;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < target) {
        next++;
        await kms.createKey({});
      }
    }),
  );
  return target;
}

/**
 * CreateKey then RotateKeyOnDemand latency of each subject, in interleaved rounds (`per` calls
 * of each kind per subject per round), so that the machine's noise (fsync latency above all)
 * hits every size alike.
 */
async function interleaved(subjects, n, per = 5) {
  const acc = subjects.map(() => ({ c: [], r: [] }));
  for (let done = 0; done < n; done += per) {
    for (const [i, kms] of subjects.entries()) {
      const ids = [];
      for (let j = 0; j < per; j++) {
        const t = performance.now();
        ids.push((await kms.createKey({})).KeyMetadata.KeyId);
        acc[i].c.push(performance.now() - t);
      }
      for (const id of ids) {
        const t = performance.now();
        await kms.rotateKeyOnDemand({ KeyId: id });
        acc[i].r.push(performance.now() - t);
      }
    }
  }
  return acc.map((a) => ({ createKey: stats(a.c), rotate: stats(a.r) }));
}

const f = (x) => x.toFixed(x < 10 ? 2 : 1).padStart(7);
const line = (store, keys, r) =>
  console.log(
    `${store.padEnd(12)} ${String(keys).padStart(7)} keys   CreateKey median ${f(r.createKey.medianMs)} ms  mean ${f(r.createKey.meanMs)}  p99 ${f(r.createKey.p99Ms)}   RotateKeyOnDemand median ${f(r.rotate.medianMs)} ms  mean ${f(r.rotate.meanMs)}  p99 ${f(r.rotate.p99Ms)}`,
  );

// ───────────────────────────── ReEncrypt through servers ─────────────────────────────

function serve(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--region', REGION, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /serving AWS KMS .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('Stop with')) resolve({ proc, url: m[1] });
    });
    proc.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    proc.once('exit', (code) => reject(new Error(`kms-core serve exited ${code}: ${err}`)));
  });
}

function client(url) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const u = new URL(url);
  const call = (op, input) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          method: 'POST',
          path: '/',
          agent,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${op}`, authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/${REGION}/kms/aws4_request, Signature=0` },
        },
        (res) => {
          let t = '';
          res.setEncoding('utf8').on('data', (d) => (t += d));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(t)) : reject(new Error(`${op}: ${res.statusCode} ${t}`))));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(input));
    });
  return { call, close: () => agent.destroy() };
}

/** ReEncrypts for `ms` with `inflight` calls spread over the clients; returns calls per second. */
async function reEncryptRate(clients, blob, src, dst, ms, inflight = 32) {
  let n = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: inflight }, async (_, w) => {
      const c = clients[w % clients.length];
      while (performance.now() < end) {
        await c.call('ReEncrypt', { CiphertextBlob: blob, SourceKeyId: src, DestinationKeyId: dst });
        n++;
      }
    }),
  );
  return (n / ms) * 1000;
}

async function reEncryptSetup(c) {
  const a = (await c.call('CreateKey', {})).KeyMetadata.KeyId;
  const b = (await c.call('CreateKey', {})).KeyMetadata.KeyId;
  const blob = (await c.call('Encrypt', { KeyId: a, Plaintext: Buffer.alloc(64, 7).toString('base64') })).CiphertextBlob;
  return { a, b, blob };
}

// ───────────────────────────── the section ─────────────────────────────

export async function runStores({ quick = false } = {}) {
  const levels = quick ? [100, 10_000] : [100, 10_000, 100_000];
  const n = quick ? 50 : 400;
  const t0 = performance.now();
  const out = { levels, callsPerFigure: n, file: {}, postgres: {}, reEncrypt: {} };
  console.log(`\nkey stores (${n} sequential calls per figure, fsync on)`);

  // Journaled file store: one store per size, grown by real concurrent CreateKey calls.
  const dirs = levels.map(() => mkdtempSync(join(tmpdir(), 'kms-core-bench-store-')));
  try {
    const fileStores = [];
    for (const [i, level] of levels.entries()) {
      const store = await FileKeyStore.open(join(dirs[i], `keystore.${REGION}.json`), { region: REGION, log: () => undefined });
      const tg = performance.now();
      await grow(new Kms({ keyStore: store, region: REGION }), 0, level);
      out.file[level] = { growSeconds: (performance.now() - tg) / 1000 };
      await store.compact(); // start the measurement from a compacted store, as after a quiet period
      fileStores.push(store);
    }
    const results = await interleaved(fileStores.map((keyStore) => new Kms({ keyStore, region: REGION })), n);
    for (const [i, level] of levels.entries()) {
      Object.assign(out.file[level], results[i]);
      line('file', level, results[i]);
    }
    const largest = fileStores[fileStores.length - 1];
    const tc = performance.now();
    await largest.compact();
    out.file.compactionMsAtLargest = performance.now() - tc;
    for (const st of fileStores) await st.close();
    const tl = performance.now();
    const reopened = await FileKeyStore.open(largest.path, { region: REGION, log: () => undefined });
    out.file.openMsAtLargest = performance.now() - tl;
    await reopened.close();
    const small = out.file[levels[0]];
    const large = out.file[levels[levels.length - 1]];
    out.file.ratioLargestToSmallest = { createKeyMedian: large.createKey.medianMs / small.createKey.medianMs, rotateMedian: large.rotate.medianMs / small.rotate.medianMs, createKeyMean: large.createKey.meanMs / small.createKey.meanMs, rotateMean: large.rotate.meanMs / small.rotate.meanMs };
    const rr = out.file.ratioLargestToSmallest;
    console.log(
      `file: ${levels[levels.length - 1]} vs ${levels[0]} keys: CreateKey ×${rr.createKeyMedian.toFixed(2)} (median) ×${rr.createKeyMean.toFixed(2)} (mean), RotateKeyOnDemand ×${rr.rotateMedian.toFixed(2)} / ×${rr.rotateMean.toFixed(2)} (target ≤ 2×); at ${levels[levels.length - 1]} keys a compaction takes ${(out.file.compactionMsAtLargest / 1000).toFixed(1)} s (in the background) and an open ${(out.file.openMsAtLargest / 1000).toFixed(1)} s`,
    );
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }

  // PostgreSQL, and then the servers.
  const pg = await startPostgres({ durable: true });
  const servers = [];
  const clients = [];
  try {
    const pgStores = [];
    let url;
    for (const level of levels) {
      url = await pg.createDatabase(`bench_${level}`);
      const store = await PostgresKeyStore.connect({ connectionString: url, log: () => undefined });
      // Grown through importSnapshot in batches: 10^5 CreateKey round trips would take minutes.
      const tg = performance.now();
      for (let have = 0; have < level; ) {
        const batch = Math.min(5000, level - have);
        const mem = new InMemoryKeyStore();
        const gen = new Kms({ keyStore: mem, region: REGION });
        for (let i = 0; i < batch; i++) await gen.createKey({});
        await store.importSnapshot(mem.exportSnapshot());
        have += batch;
      }
      out.postgres[level] = { growSeconds: (performance.now() - tg) / 1000 };
      pgStores.push(store);
    }
    const results = await interleaved(pgStores.map((keyStore) => new Kms({ keyStore, region: REGION })), n);
    for (const [i, level] of levels.entries()) {
      Object.assign(out.postgres[level], results[i]);
      line('postgres', level, results[i]);
    }
    for (const st of pgStores) await st.close();

    const ms = quick ? 1500 : 3000;
    const fileDir = mkdtempSync(join(tmpdir(), 'kms-core-bench-serve-'));
    try {
      const fileServer = await serve(['--data', fileDir]);
      servers.push(fileServer);
      const fc = client(fileServer.url);
      clients.push(fc);
      const fk = await reEncryptSetup(fc);
      const pa = await serve(['--store', url]);
      const pb = await serve(['--store', url]);
      servers.push(pa, pb);
      const ca = client(pa.url);
      const cb = client(pb.url);
      clients.push(ca, cb);
      const pk = await reEncryptSetup(ca);
      await new Promise((r) => setTimeout(r, 1100)); // past the staleness bound: B knows the keys
      await reEncryptRate([fc], fk.blob, fk.a, fk.b, 300);
      await reEncryptRate([ca, cb], pk.blob, pk.a, pk.b, 300);
      const fileRates = [];
      const pgRates = [];
      for (let round = 0; round < 3; round++) {
        fileRates.push(await reEncryptRate([fc], fk.blob, fk.a, fk.b, ms / 3));
        pgRates.push(await reEncryptRate([ca, cb], pk.blob, pk.a, pk.b, ms / 3));
      }
      const med = (xs) => [...xs].sort((a, b) => a - b)[1];
      out.reEncrypt = { inflight: 32, fileOneServerPerSecond: med(fileRates), postgresTwoServersPerSecond: med(pgRates) };
      out.reEncrypt.ratio = out.reEncrypt.postgresTwoServersPerSecond / out.reEncrypt.fileOneServerPerSecond;
      console.log(
        `ReEncrypt through kms-core serve (bare keep-alive HTTP client, 32 in flight, median of 3 interleaved rounds): one server on the file store ${out.reEncrypt.fileOneServerPerSecond.toFixed(0)}/s, two servers on PostgreSQL ${out.reEncrypt.postgresTwoServersPerSecond.toFixed(0)}/s (×${out.reEncrypt.ratio.toFixed(2)}; client, servers and database share ${availableParallelism()} cores)`,
      );
    } finally {
      rmSync(fileDir, { recursive: true, force: true });
    }
  } finally {
    for (const c of clients) c.close();
    for (const s of servers) s.proc.kill('SIGTERM');
    await Promise.all(servers.map((s) => new Promise((r) => (s.proc.exitCode !== null ? r() : s.proc.once('exit', r)))));
    await pg.stop();
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}
