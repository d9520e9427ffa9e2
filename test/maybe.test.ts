/**
 * src/util/maybe.ts: the helpers the hot path threads values-or-promises through. A value is
 * answered synchronously (no microtask), a promise exactly as `await` would, and the wipe of
 * settledThen runs once, after the result settled, on every path.
 */
import { describe, expect, test } from 'vitest';
import { andThen, andThenWith, isPending, lastly, lastlyWith, settledThen, valueAfter } from '../src/util/maybe.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('util/maybe', () => {
  test('andThenWith on a value calls f at once with the value and every argument, and returns its answer as it is', () => {
    const seen: unknown[][] = [];
    const out = andThenWith(1, (v, a, b, c, d, e, g) => (seen.push([v, a, b, c, d, e, g]), 'done'), 'a', 'b', 'c', 'd', 'e', 'g');
    expect(out).toBe('done');
    expect(seen).toEqual([[1, 'a', 'b', 'c', 'd', 'e', 'g']]);
    // A synchronous throw stays synchronous.
    expect(() => andThenWith(1, () => { throw new Error('x'); })).toThrow('x');
  });

  test('andThenWith on a promise waits for it, passes the arguments, and a rejection skips f', async () => {
    const seen: unknown[][] = [];
    const out = andThenWith(Promise.resolve(2), (v, a, b, c, d, e, g) => (seen.push([v, a, b, c, d, e, g]), Promise.resolve('later')), 'a', 'b', 'c', 'd', 'e', 'g');
    expect(isPending(out)).toBe(true);
    expect(seen).toEqual([]);
    expect(await out).toBe('later');
    expect(seen).toEqual([[2, 'a', 'b', 'c', 'd', 'e', 'g']]);
    let called = false;
    await expect(andThenWith(Promise.reject(new Error('no')), () => (called = true))).rejects.toThrow('no');
    expect(called).toBe(false);
    // A thenable that is not a Promise is waited for too.
    expect(await andThenWith({ then: (r: (v: number) => void) => r(3) } as unknown as Promise<number>, (v) => v * 2)).toBe(6);
  });

  test('andThenWith answers what andThen answers, for values and promises', async () => {
    for (const v of [0, 5, Promise.resolve(7)]) {
      expect(await andThenWith(v, (x: number, k: number) => x + k, 1)).toBe(await andThen(v, (x: number) => x + 1));
    }
  });

  test('settledThen on a value runs done once, before returning', () => {
    const buf = Uint8Array.of(1, 2, 3);
    const calls: Uint8Array[] = [];
    expect(settledThen('v', (b) => (calls.push(b), b.fill(0)), buf)).toBe('v');
    expect(calls).toEqual([buf]);
    expect([...buf]).toEqual([0, 0, 0]);
  });

  test('settledThen on a promise runs done once, only after it settled, whether it resolved or rejected', async () => {
    for (const outcome of ['resolve', 'reject'] as const) {
      const buf = Uint8Array.of(9);
      let settle!: () => void;
      const p = new Promise<string>((res, rej) => (settle = () => (outcome === 'resolve' ? res('ok') : rej(new Error('bad')))));
      let calls = 0;
      const out = settledThen(p, (b) => (calls++, b.fill(0)), buf);
      await tick();
      expect(calls, `${outcome}: not before it settled`).toBe(0);
      expect(buf[0]).toBe(9);
      settle();
      if (outcome === 'resolve') expect(await out).toBe('ok');
      else await expect(out).rejects.toThrow('bad');
      expect(calls, outcome).toBe(1);
      expect(buf[0]).toBe(0);
    }
  });

  test('valueAfter answers the value at once after a value, and after the promise settled otherwise (a rejection propagates)', async () => {
    expect(valueAfter(1, 'x')).toBe('x');
    let done = false;
    const p = valueAfter(new Promise((r) => setTimeout(() => ((done = true), r(0)), 5)), 'y');
    expect(isPending(p)).toBe(true);
    expect(await p).toBe('y');
    expect(done).toBe(true);
    await expect(valueAfter(Promise.reject(new Error('z')), 'y')).rejects.toThrow('z');
  });

  test('lastlyWith passes every argument, answers a value at once, and runs done once after it', () => {
    const order: string[] = [];
    const buf = new Uint8Array([1, 2]);
    const out = lastlyWith((b) => (order.push('done'), b.fill(0)), buf, (a, b, c, d, e, g) => (order.push(`f ${[a, b, c, d, e, g].join('')}`), 'v'), 'a', 'b', 'c', 'd', 'e', 'g');
    expect(out).toBe('v');
    expect(order).toEqual(['f abcdeg', 'done']);
    expect([...buf]).toEqual([0, 0]);
  });

  test('lastlyWith runs done when f throws, before the throw leaves, and after a promise settles (resolved or rejected)', async () => {
    let calls = 0;
    const buf = new Uint8Array([7]);
    expect(() => lastlyWith(() => calls++, buf, () => { throw new Error('sync'); })).toThrow('sync');
    expect(calls).toBe(1);
    let release!: (v: string) => void;
    const pending = lastlyWith(() => calls++, buf, () => new Promise<string>((r) => (release = r)));
    await tick();
    expect(calls).toBe(1);
    release('later');
    expect(await pending).toBe('later');
    expect(calls).toBe(2);
    await expect(lastlyWith(() => calls++, buf, () => Promise.reject(new Error('async')))).rejects.toThrow('async');
    expect(calls).toBe(3);
  });

  test('lastly keeps its contract (run, then done once)', async () => {
    let n = 0;
    expect(lastly(() => 4, () => n++)).toBe(4);
    expect(await lastly(() => Promise.resolve(5), () => n++)).toBe(5);
    expect(n).toBe(2);
  });
});
