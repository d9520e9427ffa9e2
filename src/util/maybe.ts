/**
 * Values that are there now or later. The in-memory key store and the node:crypto backend answer
 * synchronously; a database store or WebCrypto answer with promises. The hot path (Encrypt,
 * Decrypt, ReEncrypt) threads either through these helpers, so a synchronous answer costs no
 * microtask, no promise and no async frame (issue 14), while a promise is waited for exactly as
 * `await` would. The public API stays async: runOperation always returns a promise.
 */

export type MaybePromise<T> = T | Promise<T>;

/**
 * True for what `await` would wait for: a promise, or another thenable (a store's promise from
 * another realm or library).
 */
export function isPending<T>(v: MaybePromise<T>): v is Promise<T> {
  if (v instanceof Promise) return true;
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
  return typeof (v as { then?: unknown }).then === 'function';
}

/**
 * `f(await v)`, without waiting when `v` is already a value. (Not named `then`: a module
 * exporting `then` makes its namespace a thenable, and `await import()` of it calls that.)
 */
export function andThen<T, U>(v: MaybePromise<T>, f: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isPending(v) ? Promise.resolve(v).then(f) : f(v);
}

/**
 * `try { return await run(); } finally { done(); }`: `done` runs exactly once, after the result
 * settled (or `run` threw), whether the result was a value or a promise. For wiping buffers.
 */
export function lastly<T>(run: () => MaybePromise<T>, done: () => void): MaybePromise<T> {
  let r: MaybePromise<T>;
  try {
    r = run();
  } catch (e) {
    done();
    throw e;
  }
  if (isPending(r)) return Promise.resolve(r).finally(done);
  done();
  return r;
}

/** `try { return await v; } catch { return undefined; }` for a result that may be a value. */
export function orUndefined<T>(v: MaybePromise<T | undefined>): MaybePromise<T | undefined> {
  return isPending(v) ? Promise.resolve(v).then(undefined, () => undefined) : v;
}

/**
 * `v`, with `done` run once it has settled: `lastly` for a result already in hand. Takes no
 * closure from its caller: a hot path that answers synchronously allocates nothing for it.
 */
export function settledThen<T>(v: MaybePromise<T>, done: (arg: Uint8Array) => void, arg: Uint8Array): MaybePromise<T> {
  if (isPending(v)) return Promise.resolve(v).finally(() => done(arg));
  done(arg);
  return v;
}

/**
 * `lastly` without closures: `f(a, b, c, d, e, g)`, then `done(arg)` once its result has settled,
 * or at once when `f` throws. The hot path wipes its data keys and plaintexts with it (issue 14).
 */
export function lastlyWith<T, A = undefined, B = undefined, C = undefined, D = undefined, E = undefined, G = undefined>(
  done: (arg: Uint8Array) => void,
  arg: Uint8Array,
  f: (a: A, b: B, c: C, d: D, e: E, g: G) => MaybePromise<T>,
  a?: A,
  b?: B,
  c?: C,
  d?: D,
  e?: E,
  g?: G,
): MaybePromise<T> {
  let r: MaybePromise<T>;
  try {
    r = f(a as A, b as B, c as C, d as D, e as E, g as G);
  } catch (x) {
    done(arg);
    throw x;
  }
  return settledThen(r, done, arg);
}

/** `(await v, value)`: `value` once `v` has settled, without a closure on the synchronous path. */
export function valueAfter<T>(v: MaybePromise<unknown>, value: T): MaybePromise<T> {
  return isPending(v) ? Promise.resolve(v).then(() => value) : value;
}

/**
 * `f(await v, a, b, c, d, e, g)`: andThen for a continuation that is a plain function of its
 * arguments rather than a closure. On the synchronous path (an in-memory store, node:crypto)
 * nothing is allocated: a closure in the caller would make V8 allocate a context for every
 * variable it captures on each call, taken or not (issue 14). The closure for a promise is made
 * in `later`, only when there is one.
 */
export function andThenWith<T, U, A = undefined, B = undefined, C = undefined, D = undefined, E = undefined, G = undefined>(
  v: MaybePromise<T>,
  f: (value: T, a: A, b: B, c: C, d: D, e: E, g: G) => MaybePromise<U>,
  a?: A,
  b?: B,
  c?: C,
  d?: D,
  e?: E,
  g?: G,
): MaybePromise<U> {
  return isPending(v) ? later(v, f, a as A, b as B, c as C, d as D, e as E, g as G) : f(v, a as A, b as B, c as C, d as D, e as E, g as G);
}

function later<T, U, A, B, C, D, E, G>(v: PromiseLike<T>, f: (value: T, a: A, b: B, c: C, d: D, e: E, g: G) => MaybePromise<U>, a: A, b: B, c: C, d: D, e: E, g: G): Promise<U> {
  return Promise.resolve(v).then((x) => f(x, a, b, c, d, e, g));
}
