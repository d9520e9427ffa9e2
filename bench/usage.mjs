// The cost of key last-usage tracking on the ReEncrypt rows (issue 18): a before/after in one
// process, interleaved (bench/harness.mjs), so machine noise hits both sides alike.
//
//   npm run build && node bench/usage.mjs                 # tracking on vs. the same build with
//                                                         # recording stubbed out (no Map set)
//   node bench/usage.mjs --before /path/to/old/dist       # this build vs. another build (e.g. the
//                                                         # commit before tracking existed)
//   add --quick for shorter rounds
//
// Prints ops/s of each side and the ratio (1.00 = unchanged). Same-run ratios only: 2 noisy cores.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { compare } from './harness.mjs';

const quick = process.argv.includes('--quick');
const at = process.argv.indexOf('--before');
const beforeDir = at > 0 ? process.argv[at + 1] : undefined;
const MS = quick ? 200 : 600;

const after = await import('../dist/index.js');
const { nodeBackend } = await import('../dist/backend/node.js');
const { existingUsageLog, KeyUsageLog } = await import('../dist/keys/usage.js');
const { noteUsage } = await import('../dist/operations/last-usage.js');
const before = beforeDir ? await import(pathToFileURL(`${beforeDir.replace(/\/$/, '')}/index.js`).href) : after;

/** Two symmetric keys and a ReEncrypt sym→sym of `n` bytes on a fresh store of `lib`. */
async function reEncrypt(lib, n, tracking) {
  const store = new lib.InMemoryKeyStore();
  const kms = new lib.Kms({ keyStore: store, backend: nodeBackend });
  const a = (await kms.createKey({})).KeyMetadata.KeyId;
  const b = (await kms.createKey({})).KeyMetadata.KeyId;
  const blob = (await kms.encrypt({ KeyId: a, Plaintext: randomBytes(n) })).CiphertextBlob;
  if (!tracking) {
    // The same build with recording stubbed out on this store's log only.
    const log = existingUsageLog(store);
    log.note = () => {};
  }
  return () => kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: b });
}

const label = beforeDir ? `this build vs. ${beforeDir}` : 'usage tracking on vs. recording stubbed out';
console.log(`kms-core key-usage tracking cost — node ${process.version}, ${label}\n`);
const rows = [];
for (const n of [32, 1024, 4096]) {
  const subject = await reEncrypt(after, n, true);
  const baseline = await reEncrypt(before, n, beforeDir !== undefined);
  const r = await compare(subject, baseline, { ms: MS, rounds: 15 });
  rows.push({ name: `ReEncrypt sym→sym ${n >= 1024 ? `${n / 1024} KiB` : `${n} B`} (node)`, ...r });
  const f = (x) => x.toFixed(0).padStart(8);
  console.log(`${rows.at(-1).name.padEnd(32)} tracking ${f(r.subject)} ops/s   ${beforeDir ? 'before' : 'without'} ${f(r.baseline)} ops/s   ${r.ratio.toFixed(2)}×`);
}

// The recording alone, as run.ts calls it after a ReEncrypt (a clock read, one record, two Map
// sets): a figure machine noise cannot hide, to set beside a ReEncrypt's own time.
const ctx = { epochMs: Date.now, usage: new KeyUsageLog(Date.now()) };
const out = { SourceKeyId: 'arn:aws:kms:us-east-1:111122223333:key/a', KeyId: 'arn:aws:kms:us-east-1:111122223333:key/b' };
const N = quick ? 200_000 : 2_000_000;
for (let i = 0; i < 10_000; i++) noteUsage(ctx, 'ReEncrypt', out, 'req');
const t0 = performance.now();
for (let i = 0; i < N; i++) noteUsage(ctx, 'ReEncrypt', out, 'req');
const ns = ((performance.now() - t0) * 1e6) / N;
const us = 1e6 / rows[0].subject;
console.log(`\nrecording alone: ${ns.toFixed(0)} ns per ReEncrypt; a ReEncrypt sym→sym 32 B here: ${us.toFixed(0)} µs → ${((ns / 1000 / us) * 100).toFixed(2)}% of it`);
