/**
 * Generators for the fuzz suite (test/fuzz.*.test.ts): seeded, reproducible random request
 * objects built from the KMS API model's input shapes (src/model/shapes.ts), with hostile values
 * (wrong types, nulls, huge values, Proxies, getters, prototype tricks) mixed in at any depth.
 *
 * Everything is driven by one seed, so a failing case is reproduced with FUZZ_SEED=<seed>
 * (printed with the failure) and the case index.
 */
import { SHAPES } from '../../src/model/shapes.js';
import type { Shape } from '../../src/model/types.js';

/** FUZZ_RUNS (default `small`) cases per fuzz target; FUZZ_SEED fixes the seed. */
export function fuzzRuns(small: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(n) && n > 0 ? n : small;
}
export function fuzzSeed(): number {
  const n = Number(process.env.FUZZ_SEED);
  return Number.isSafeInteger(n) ? n >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
}

/** What kinds of hostile values the current case holds (a known finding's predicate reads them). */
export const caseTags = new Set<string>();

/** mulberry32: small, fast, good enough to spread cases. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)] as T;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  string(max: number, alphabet = 'abcXYZ019-_/:.*?=+ é\u0000\u2028\ud800\u{1F600}'): string {
    const chars = [...alphabet];
    let s = '';
    const n = this.int(max + 1);
    for (let i = 0; i < n; i++) s += this.pick(chars);
    return s;
  }
}

/** What exists in the Kms under test, so generated requests sometimes reach deep code paths. */
export interface World {
  keyIds: string[];
  keyArns: string[];
  aliasNames: string[];
  aliasArns: string[];
  /** Ciphertexts of the keys (symmetric blobs, RSA ciphertext). */
  blobs: Uint8Array[];
  grantTokens: string[];
  grantIds: string[];
  principals: string[];
}

function shape(name: string): Shape {
  const s = SHAPES[name];
  if (!s) throw new Error(`no shape ${name}`);
  return s;
}

/** A value of the right shape (often valid, sometimes just outside a constraint). */
export function valid(rng: Rng, name: string, world: World, member: string, depth = 0): unknown {
  const s = shape(name);
  switch (s.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [m, ms] of Object.entries(s.members ?? {})) {
        if (s.required?.includes(m) || rng.chance(depth === 0 ? 0.45 : 0.3)) out[m] = valid(rng, ms, world, m, depth + 1);
      }
      return out;
    }
    case 'string': {
      if (s.enum) return rng.chance(0.9) ? rng.pick(s.enum) : rng.string(12);
      if (/KeyId$/.test(member) || member === 'TargetKeyId') {
        return rng.pick([...world.keyIds, ...world.keyArns, ...world.aliasNames, ...world.aliasArns, 'alias/nope', '00000000-0000-4000-8000-000000000000', rng.string(20)]);
      }
      if (member === 'AliasName') return rng.pick([`alias/f${rng.int(1e6)}`, ...world.aliasNames, 'alias/aws/x', rng.string(30)]);
      if (member === 'GrantToken' || name === 'GrantTokenType') return rng.pick([...world.grantTokens, rng.string(40)]);
      if (member === 'GrantId') return rng.pick([...world.grantIds, rng.string(64, '0123456789abcdef')]);
      if (/Principal$/.test(member)) return rng.pick([...world.principals, rng.string(30)]);
      if (member === 'Policy') return rng.pick([rng.string(50), '{"Statement":[]}', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}']);
      const max = Math.min(s.max ?? 64, 64);
      return rng.chance(0.05) ? '' : rng.string(max);
    }
    case 'blob': {
      if (member === 'CiphertextBlob' && world.blobs.length && rng.chance(0.7)) return new Uint8Array(rng.pick(world.blobs));
      const max = Math.min(s.max ?? 64, member === 'Plaintext' ? 4097 : 300);
      return rng.bytes(rng.int(max + 1));
    }
    case 'integer':
    case 'long': {
      const lo = s.min ?? 0;
      const hi = s.max ?? 1000;
      return rng.pick([lo, hi, lo - 1, hi + 1, lo + rng.int(Math.max(1, hi - lo + 1))]);
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'timestamp':
      return new Date(rng.int(2 ** 41));
    case 'list': {
      const n = rng.pick([0, 1, 2, 3, 11]);
      return Array.from({ length: n }, () => valid(rng, s.member as string, world, member, depth + 1));
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      const n = rng.pick([0, 1, 2, 10]);
      for (let i = 0; i < n; i++) out[rng.string(8) || 'k'] = valid(rng, s.value as string, world, member, depth + 1);
      return out;
    }
  }
}

function throwingProxy(): object {
  const boom = () => {
    throw new Error('trap');
  };
  return new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom });
}

/** A getter that answers a different value on each read (and, at random, throws). */
function shifty(rng: Rng, values: unknown[]): object {
  let i = 0;
  const o: Record<string, unknown> = {};
  for (const k of ['KeyId', 'tenant', 'CiphertextBlob', 'Plaintext', 'a']) {
    Object.defineProperty(o, k, {
      enumerable: true,
      get: () => {
        if (rng.chance(0.1)) throw new TypeError('getter');
        return values[i++ % values.length];
      },
    });
  }
  return o;
}

function deep(n: number, array: boolean): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = array ? [v] : { a: v };
  return v;
}

/** A hostile value: anything a caller's code could pass by mistake or on purpose. */
export function hostile(rng: Rng, world: World): unknown {
  switch (rng.int(40)) {
    case 0: caseTags.add('null'); return null;
    case 1: return undefined;
    case 2: return rng.pick([0, -1, NaN, Infinity, -Infinity, 2 ** 53, -0, 1e308, 0.5]);
    case 3: return rng.chance(0.5);
    case 4: return rng.pick(['', ' ', '\u0000', '\ud800', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '[object Object]']);
    case 5: return 'x'.repeat(rng.pick([2049, 8193, 100_000, 1_000_000]));
    case 6: return Symbol('s');
    case 7: return 10n;
    case 8: return () => 'f';
    case 9: return new Date(rng.pick([NaN, 8.64e15, -8.64e15, 0]));
    case 10: return [];
    case 11: return [null, undefined];
    case 12: return new Array(rng.pick([11, 1000, 100_000])).fill('a');
    case 13: return {};
    case 14: caseTags.add('null-proto'); return Object.create(null);
    case 15: return Object.create({ KeyId: rng.pick(world.keyIds), tenant: 'acme', CiphertextBlob: rng.pick(world.blobs) });
    case 16: return new Uint8Array(rng.pick([0, 6145, 100_000]));
    case 17: return new Uint16Array(4);
    case 18: return new ArrayBuffer(8);
    case 19: return new DataView(new ArrayBuffer(4));
    case 20: return Buffer.from('buffer');
    case 21: return new Uint8Array(new SharedArrayBuffer(16));
    case 22: caseTags.add('trap'); return throwingProxy();
    case 23: caseTags.add('trap'); return shifty(rng, ['acme', 'evil', 1, null, rng.pick(world.keyIds)]);
    case 24: return Object.freeze({ a: 'b' });
    case 25: return new Map([['a', 'b']]);
    case 26: return new Set(['a']);
    case 27: return new String('abc');
    case 28: return new Number(1);
    case 29: return Promise.resolve('p');
    case 30: return /re/;
    case 31: return new Error('e');
    case 32: caseTags.add('deep'); return deep(rng.pick([100, 5000]), rng.chance(0.5));
    case 33: {
      // An own "__proto__" key beside an inherited member.
      const o = Object.create({ polluted: true }) as Record<string, unknown>;
      Object.defineProperty(o, '__proto__', { value: 'own', enumerable: true });
      return o;
    }
    case 34: return JSON.parse('{"__proto__": {"KeyId": "x"}, "constructor": {"prototype": {"p": 1}}}');
    case 35: return Object.assign(Object.create(Array.prototype), { length: 3 });
    case 36: {
      caseTags.add('getter');
      // An array whose elements are getters (the second read differs from the first).
      const a: unknown[] = ['a', 'b'];
      let n = 0;
      Object.defineProperty(a, 0, { enumerable: true, get: () => (n++ === 0 ? 'Decrypt' : 'CreateGrant') });
      return a;
    }
    case 37:
      // Lists of length 2^32 − 1 (validation reads a list only up to one past its maximum).
      return rng.chance(0.5) ? new Proxy([], { get: (t, k) => (k === 'length' ? 2 ** 32 - 1 : Reflect.get(t, k)) }) : Object.assign([], { length: 2 ** 32 - 1 });
    case 38: return rng.string(rng.pick([5, 300]), '\ud800\udc00\udfff\ufffe\u0085\u00a0abc');
    default: return { toString: () => 'KeyId', valueOf: () => 1, toJSON: () => ({ a: 1 }), [Symbol.toPrimitive]: () => 'prim' };
  }
}

/** Replaces values at random depths of `v` by hostile ones (probability `p` per node). */
export function mutate(rng: Rng, v: unknown, world: World, p: number): unknown {
  if (rng.chance(p)) return hostile(rng, world);
  if (Array.isArray(v)) return v.map((x) => mutate(rng, x, world, p));
  if (v instanceof Uint8Array || v instanceof Date || v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = mutate(rng, x, world, p);
  if (rng.chance(p / 2)) out[rng.pick(['__proto__', 'constructor', 'Extra', 'keyId'])] = hostile(rng, world);
  return out;
}

/** One member (at any depth) of a valid request replaced by a hostile value: reaches deep checks. */
export function singlePoint(rng: Rng, v: Record<string, unknown>, world: World): Record<string, unknown> {
  const keys = Object.keys(v);
  if (keys.length === 0) return { [rng.pick(['KeyId', 'Limit', 'Marker', 'GrantTokens'])]: hostile(rng, world) };
  const k = rng.pick(keys);
  const x = v[k];
  const inner = x && typeof x === 'object' && !(x instanceof Uint8Array) && !(x instanceof Date) && !Array.isArray(x) && Object.keys(x).length > 0 && rng.chance(0.3);
  return { ...v, [k]: inner ? singlePoint(rng, x as Record<string, unknown>, world) : hostile(rng, world) };
}

/** Wraps a whole request in a hostile container (Proxy, inherited members, getters, null prototype). */
export function wrap(rng: Rng, input: Record<string, unknown>): unknown {
  switch (rng.int(8)) {
    case 0: return Object.create(input);
    case 1: caseTags.add('null-proto'); return Object.assign(Object.create(null), input);
    case 2: {
      caseTags.add('getter');
      let reads = 0;
      return new Proxy(input, { get: (t, k, r) => (++reads > 50 && rng.chance(0.5) ? undefined : Reflect.get(t, k, r)) });
    }
    case 3: {
      caseTags.add('getter');
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(input)) Object.defineProperty(o, k, { enumerable: true, get: () => (rng.chance(0.3) ? undefined : v) });
      return o;
    }
    case 4: caseTags.add('trap'); return new Proxy(input, { ownKeys: () => { throw new Error('ownKeys'); } });
    default: return input;
  }
}

/** Converts a library-form value to its JSON 1.1 wire form (blobs base64, dates epoch seconds). */
export function toWireForm(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(toWireForm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWireForm(x)]));
  return v;
}

/** A wire-form hostile JSON value (JSON has no Proxies: wrong types, sizes, nesting). */
export function hostileJson(rng: Rng): unknown {
  switch (rng.int(14)) {
    case 0: return null;
    case 1: return rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, 123456789012345678901234567890]);
    case 2: return rng.chance(0.5);
    case 3: return rng.pick(['', '=', '====', 'QR==', 'AAAA\n', 'A'.repeat(9000), 'A'.repeat(400_000), '\ud800', '__proto__']);
    case 4: return [];
    case 5: return [null];
    case 6: return {};
    case 7: return { __proto__: 'x' };
    case 8: return deep(rng.pick([50, 3000]), rng.chance(0.5));
    case 9: return new Array(rng.pick([11, 5000])).fill('t');
    case 10: return Object.fromEntries(Array.from({ length: rng.pick([9, 2000]) }, (_, i) => [`k${i}`, 'v']));
    case 11: return rng.string(100);
    case 12: return 'x'.repeat(rng.pick([2049, 70_000]));
    default: return { Nested: { deeper: [1, 'a', null] } };
  }
}
