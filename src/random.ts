/** A source of random bytes: `crypto.getRandomValues` by default, injectable for vectors. */
export type Random = (n: number) => Uint8Array;

export const defaultRandom: Random = (n) => {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call (WebCrypto §10.1.1).
  for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
};

const POOL = 4096;

/**
 * `defaultRandom` with a pool: one getRandomValues call per 4 KiB instead of one per draw (the
 * call costs more than the bytes on the hot path: two draws per Encrypt). Bytes are handed out
 * once, in order, and zeroed in the pool as they are copied out, since some draws become keys.
 */
export function pooledRandom(): Random {
  const pool = new Uint8Array(POOL);
  let used = POOL;
  return (n) => {
    if (n > POOL / 4) return defaultRandom(n);
    if (used + n > POOL) {
      globalThis.crypto.getRandomValues(pool);
      used = 0;
    }
    const out = pool.slice(used, used + n);
    pool.fill(0, used, used + n);
    used += n;
    return out;
  };
}

/**
 * Wraps an injected source so that a wrong answer (not a Uint8Array, wrong length) is a
 * KMSInternalException rather than a silent short nonce. Every draw is copied: the caller's
 * source may reuse its buffer.
 */
export function checkedRandom(source: Random, onError: () => Error): Random {
  return (n) => {
    const b = source(n);
    if (!(b instanceof Uint8Array) || b.length !== n) throw onError();
    return new Uint8Array(b);
  };
}
