// The young generation's size and the embedding process (issue 14): the same ReEncrypt workload
// as the many-keys rows (4 KiB, 2 pairs, a random source blob of 10,000 and a random
// destination), in child processes with node's default young generation and with
// `--max-semi-space-size=4`, at 10, 10^4 and 10^5 keys. Each child reports its CPU and wall µs
// per call and how many scavenges and mark-compacts ran while it was timed.
//
// Why it is measured: with the default young generation, node 20 (V8 11.3) starts a
// mark-compact right after nearly every scavenge while the old generation is a few tens of MB
// (a few thousand to a few tens of thousands of keys), and each one marks every key's objects,
// partly on the other core (`node --trace-gc`: "Mark-Compact … finalize incremental marking";
// `--trace-incremental-marking`: "Start (allocation limit)"). The flag is the embedding
// process's to choose, never the library's; this section tells it what the choice is worth.
//
//   node bench/young-gen.mjs            the table (about two minutes; --quick: seconds)
//   node bench/young-gen.mjs --child N MS   one child: N keys, MS ms timed (JSON on stdout)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
export const YOUNG_FLAG = '--max-semi-space-size=4';

async function child(keys, ms, warm) {
  const { Kms } = await import('kms-core');
  const { nodeBackend } = await import('kms-core/backend/node');
  const { contextOf, keySet } = await import('./workloads.mjs');
  // The same key set, blob pool and random ReEncrypt as the many-keys rows of run.mjs.
  const call = (await keySet(() => new Kms({ backend: nodeBackend }), keys, randomBytes(4096), contextOf(2))).random;
  // Warm long enough for V8's heap limits to settle as a long-running process's do (the
  // mark-compact storm below sets in only after tens of thousands of calls), and for every key
  // to have been used about once.
  for (let i = 0; i < warm; i++) await call();
  globalThis.gc?.();
  let scavenges = 0;
  let markCompacts = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
      else if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) markCompacts++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 100; i++) await call();
    n += 100;
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  // Let the observer see the last collections before it is read.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return { keys, calls: n, cpuUsPerCall: (cpu.user + cpu.system) / n, wallUsPerCall: (wall * 1000) / n, scavenges, markCompacts };
}

/** One child's figures; a child that has not answered in 5 minutes is killed (the run then fails). */
function runChild(flags, keys, ms, warm) {
  const out = execFileSync(process.execPath, [...flags, '--expose-gc', SELF, '--child', String(keys), String(ms), String(warm)], { encoding: 'utf8', maxBuffer: 1 << 20, timeout: 300_000 });
  return JSON.parse(out.trim().split('\n').pop());
}

const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The table: per key count, the default young generation beside `--max-semi-space-size=4`. */
export async function runYoungGen({ quick = false } = {}) {
  const t = performance.now();
  const counts = quick ? [10, 2_000] : [10, 10_000, 100_000];
  const ms = quick ? 300 : 3_000;
  const reps = quick ? 1 : 2;
  const warm = quick ? 2_000 : 150_000;
  const rows = [];
  console.log(`\n── Young generation: ReEncrypt 4 KiB, 2 pairs, random keys, child processes (default vs ${YOUNG_FLAG}; ${reps} alternating runs of ${ms} ms each, medians) ──`);
  console.log('keys        default µs CPU / wall   MCs per 10^4 calls    small young gen µs CPU / wall   MCs per 10^4   CPU default ÷ small');
  for (const keys of counts) {
    const runs = { default: [], small: [] };
    for (let r = 0; r < reps; r++) {
      // Alternate which goes first, so neither side always meets a warmer machine.
      const order = r % 2 === 0 ? ['default', 'small'] : ['small', 'default'];
      for (const side of order) runs[side].push(runChild(side === 'small' ? [YOUNG_FLAG] : [], keys, ms, warm));
    }
    const sum = (side) => {
      const xs = runs[side];
      return {
        cpuUsPerCall: med(xs.map((x) => x.cpuUsPerCall)),
        wallUsPerCall: med(xs.map((x) => x.wallUsPerCall)),
        markCompactsPer10k: med(xs.map((x) => (x.markCompacts * 1e4) / x.calls)),
        scavengesPer10k: med(xs.map((x) => (x.scavenges * 1e4) / x.calls)),
      };
    };
    const row = { keys, default: sum('default'), small: sum('small') };
    row.cpuRatio = row.default.cpuUsPerCall / row.small.cpuUsPerCall;
    rows.push(row);
    const f = (x) => `${x.cpuUsPerCall.toFixed(1).padStart(6)} / ${x.wallUsPerCall.toFixed(1).padStart(5)}`;
    console.log(`${keys.toLocaleString('en').padEnd(10)}  ${f(row.default).padEnd(22)}  ${row.default.markCompactsPer10k.toFixed(1).padStart(8)}              ${f(row.small).padEnd(30)}  ${row.small.markCompactsPer10k.toFixed(1).padStart(8)}      ${row.cpuRatio.toFixed(2)}×`);
  }
  return { flag: YOUNG_FLAG, workload: 'ReEncrypt 4 KiB, 2 pairs, random source blob of 10,000, random destination', rows, seconds: (performance.now() - t) / 1000 };
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify(await child(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]))));
} else if (process.argv[1] === SELF) {
  await runYoungGen({ quick: process.argv.includes('--quick') });
}
