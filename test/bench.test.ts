/**
 * The bench's own helpers (npm run bench; bench/run.mjs): the raw baseline authenticates the
 * same AAD bytes as kms-core's envelope v1 for the same context, the contexts are the ones the
 * moto driver sends, and the noise figure is what its comment says. Speed is not asserted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { nodeSymSlab } from '../bench/baselines.mjs';
import { median, quantile, spread } from '../bench/harness.mjs';
import { PAIR_COUNTS, baselineAad, contextOf } from '../bench/workloads.mjs';
import { canonicalContext } from '../src/envelope/context.js';
import { HEADER_LEN } from '../src/envelope/format.js';

describe('bench workloads', () => {
  test.each(PAIR_COUNTS)('baselineAad(%i pairs) = an 84-byte header ‖ the canonical context kms-core binds', (n) => {
    const ctx = contextOf(n);
    const aad = baselineAad(ctx);
    expect(aad.length).toBe(HEADER_LEN + canonicalContext(ctx).length);
    expect(Buffer.from(aad.subarray(HEADER_LEN)).equals(Buffer.from(canonicalContext(ctx)))).toBe(true);
    expect(contextOf(n) === undefined ? 0 : Object.keys(contextOf(n) as object).length).toBe(n);
  });

  test('insertion order does not change the baseline AAD (sorted by UTF-8 bytes, as kms-core sorts)', () => {
    const ctx = contextOf(10) as Record<string, string>;
    const reversed = Object.fromEntries(Object.entries(ctx).reverse());
    expect(Buffer.from(baselineAad(reversed)).equals(Buffer.from(baselineAad(ctx)))).toBe(true);
    expect(Buffer.from(baselineAad({ é: '1', z: '2' }).subarray(HEADER_LEN)).equals(Buffer.from(canonicalContext({ z: '2', é: '1' })))).toBe(true);
  });

  test('the moto driver sends the same pairs as contextOf()', () => {
    const py = readFileSync(new URL('../bench/moto_driver.py', import.meta.url), 'utf8');
    const block = py.slice(py.indexOf('PAIRS = ['), py.indexOf(']\n', py.indexOf('PAIRS = [')));
    const pairs = [...block.matchAll(/\("([^"]*)", "([^"]*)"\)/g)].map((m) => [m[1], m[2]]);
    expect(pairs).toEqual(Object.entries(contextOf(10) as object));
  });
});

describe('bench many-keys baselines', () => {
  test('nodeSymSlab: each random() blob opens under the key it names, and only under it', () => {
    const pt = Buffer.from('the slab baseline does the same work as the plain way');
    const aad = baselineAad(contextOf(2));
    const way = nodeSymSlab(5, 20, pt, aad);
    for (let n = 0; n < 20; n++) {
      const { k, sealed } = way.random();
      expect(Buffer.from(way.open(k, sealed)).equals(pt)).toBe(true);
      expect(() => way.open((k + 1) % 5, sealed)).toThrow();
    }
  });
});

describe('bench noise figure', () => {
  test('median and quantiles of the rounds', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([5, 1, 4, 2, 3], 0.25)).toBe(2);
    expect(quantile([5, 1, 4, 2, 3], 0.75)).toBe(4);
  });

  test('spread: the interquartile range of per-round ratios over their median', () => {
    // Ratios 0.8, 0.9, 1.0, 1.1, 1.2 → IQR 1.1 − 0.9 = 0.2 around a median of 1.0.
    expect(spread([8, 9, 10, 11, 12], [10, 10, 10, 10, 10])).toBeCloseTo(0.2, 12);
    // Noise that hits both sides alike (each round scaled) cancels out of the ratio.
    expect(spread([10, 20, 5, 40, 15], [20, 40, 10, 80, 30])).toBe(0);
  });
});
