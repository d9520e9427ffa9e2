// A tiny interleaved benchmark harness: subject and baseline run in alternating rounds in the
// same process, so machine noise hits both; each figure is the median of the rounds.
export async function opsPerSec(fn, ms) {
  // Batch size grows until one batch takes ≥ 20 ms, so timer resolution does not matter.
  let batch = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    const dt = performance.now() - t0;
    if (dt >= 20 || batch >= 1 << 20) return { batch, rate: (batch / dt) * 1000, ms };
    batch *= 2;
  }
}

async function round(fn, batch) {
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) await fn();
  return (batch / (performance.now() - t0)) * 1000;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

async function warm(fn, ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) for (let i = 0; i < 64; i++) await fn();
}

/**
 * Runs subject and baseline interleaved for ~`ms` each, after a warm-up of both (the subject
 * runs far more JavaScript than the baseline; measuring it before the JIT settles under-rates
 * it); returns ops/s medians and the ratio.
 */
export async function compare(subject, baseline, { ms = 600, rounds = 9, warmMs = Math.min(400, ms) } = {}) {
  await warm(subject, warmMs);
  await warm(baseline, warmMs / 2);
  await warm(subject, warmMs / 2);
  const bs = await opsPerSec(subject, ms);
  const bb = await opsPerSec(baseline, ms);
  const per = ms / rounds;
  const nS = Math.max(1, Math.round((bs.rate * per) / 1000));
  const nB = Math.max(1, Math.round((bb.rate * per) / 1000));
  const s = [];
  const b = [];
  for (let r = 0; r < rounds; r++) {
    s.push(await round(subject, nS));
    b.push(await round(baseline, nB));
  }
  const so = median(s);
  const bo = median(b);
  return { subject: so, baseline: bo, ratio: so / bo };
}
