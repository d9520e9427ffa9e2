// A tiny interleaved benchmark harness: subject and baseline (and, when present, moto in its own
// process) run in alternating rounds, so machine noise hits all of them alike; each figure is the
// median of the rounds.
//
// The clock: 'cpu' (default) times a round by the CPU time of this process (process.cpuUsage:
// every thread, so GC and libuv work count), 'wall' by performance.now(). On a machine shared
// by more runnable processes than cores, wall time mostly measures how often the scheduler ran
// us; CPU time per call is what the code costs. On a quiet machine both agree for synchronous
// work. BENCH_CLOCK=wall switches.
//
// The CPU clock counts V8's GC helper threads too (concurrent marking and sweeping), and they
// charge their work to whichever side's round they happen to run in, not to the side whose
// garbage it is: two identical closures (the same ReEncrypt, ratio ≡ 1) read anywhere from 0.43
// to 1.30 per row, each with a tight ±3–10% spread of rounds, because the helpers' pace locks
// onto the alternation. With --single-threaded-gc every collection runs on the main thread, in
// the round of the allocation that triggered it, and the same pair reads 0.96–1.02 (issue 14).
// npm run bench passes the flag; GC_MODE says whether this run has it.
export const GC_MODE = process.execArgv.includes('--single-threaded-gc') || process.execArgv.includes('--single-threaded') ? 'single-threaded' : 'concurrent';
export const CLOCK = process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu';
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
export const now = CLOCK === 'wall' ? () => performance.now() : cpuMs;

export async function opsPerSec(fn, ms, minMs = 20) {
  // Batch size grows until one batch takes ≥ minMs (20 ms), so timer resolution does not matter.
  let batch = 1;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < batch; i++) await fn();
    const dt = now() - t0;
    if (dt >= minMs || batch >= 1 << 20) return { batch, rate: (batch / dt) * 1000, ms };
    batch *= 2;
  }
}

// Each round ends with a young-generation collection, timed as part of the round (node
// --expose-gc; npm run bench passes it). Without it a round only pays for the scavenges that
// happen to fall inside it: a side whose garbage is collected in rare, large scavenges (the raw
// baseline's Buffers: ~13 ms each, every ~2,000 calls) skips them in most 30–40 ms rounds, and the
// median then drops its GC cost, while a side with frequent small ones pays in every round. With
// it every side pays for exactly the garbage it made, whatever the round's length.
const collectYoung = typeof globalThis.gc === 'function' ? () => globalThis.gc({ type: 'minor' }) : () => {};

async function round(fn, batch) {
  const t0 = now();
  for (let i = 0; i < batch; i++) await fn();
  collectYoung();
  return (batch / (now() - t0)) * 1000;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
};

/**
 * The noise of a ratio: the interquartile range of the per-round ratios relative to their median
 * (0.1 = the middle half of the rounds spans ±5% around the median).
 */
export function spread(num, den) {
  const r = num.map((x, i) => x / den[i]);
  const m = median(r);
  return (quantile(r, 0.75) - quantile(r, 0.25)) / m;
}

async function warm(fn, ms) {
  // ~ms of calls and at least 64 of them (the JIT's tiers count calls), unless 64 calls of a
  // slow operation (SM2 in sm-crypto: ~50 ms each) would take more than twice as long.
  const t0 = now();
  for (let i = 0; ; i++) {
    await fn();
    const dt = now() - t0;
    if ((i >= 64 && dt >= ms) || dt >= 2 * ms) return;
  }
}

/**
 * Runs subject and baseline interleaved for ~`ms` each, after a warm-up of both (the subject
 * runs far more JavaScript than the baseline; measuring it before the JIT settles under-rates
 * it); returns ops/s medians and the ratio.
 *
 * `moto`, when given, is a workload of the moto driver ({ round(n) → Promise<ops/s> }, see
 * moto.mjs): it gets a round after each subject/baseline pair, sized to take as long, and
 * `motoRatio` is subject ÷ moto (medians of the rounds).
 */
export async function compare(subject, baseline, { ms = 600, rounds = 9, warmMs = Math.min(400, ms), moto } = {}) {
  await warm(subject, warmMs);
  await warm(baseline, warmMs / 2);
  await warm(subject, warmMs / 2);
  const minMs = Math.min(20, ms / 2);
  const bs = await opsPerSec(subject, ms, minMs);
  const bb = await opsPerSec(baseline, ms, minMs);
  const per = ms / rounds;
  const nS = Math.max(1, Math.round((bs.rate * per) / 1000));
  const nB = Math.max(1, Math.round((bb.rate * per) / 1000));
  let nM = 0;
  if (moto) {
    // Warm-up and a size for moto's rounds: CPython has no JIT, a short warm-up suffices.
    let n = 16;
    let rate = await moto.round(n);
    while ((n / rate) * 1000 < minMs) rate = await moto.round((n *= 2));
    nM = Math.max(1, Math.round((rate * per) / 1000));
  }
  const s = [];
  const b = [];
  const m = [];
  for (let r = 0; r < rounds; r++) {
    s.push(await round(subject, nS));
    b.push(await round(baseline, nB));
    if (moto) m.push(await moto.round(nM));
  }
  const so = median(s);
  const bo = median(b);
  const out = { subject: so, baseline: bo, ratio: so / bo, noise: spread(s, b), rounds: { subject: s, baseline: b } };
  if (moto) {
    const mo = median(m);
    Object.assign(out, { moto: mo, motoRatio: so / mo, motoNoise: spread(s, m) });
    out.rounds.moto = m;
  }
  return out;
}
