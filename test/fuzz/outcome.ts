/**
 * Outcome checks shared by the fuzz targets: what a case may end in (an AWS-named client-fault
 * KmsError, or success where success is possible), and a findings tally that names each
 * violation once with a reproducible example.
 */
import * as errors from '../../src/errors.js';
import { KmsError } from '../../src/index.js';

/** Every AWS exception name kms-core defines (src/errors.ts). */
export const AWS_NAMES: ReadonlySet<string> = new Set(
  (Object.values(errors) as unknown[])
    .filter((v): v is { name: string; prototype: unknown } => typeof v === 'function' && (v as { prototype: unknown }).prototype instanceof KmsError)
    .map((c) => c.name),
);

export type Verdict = { ok: true } | { ok: false; kind: string; detail: string };

/** A library call's outcome: success, or an AWS-named client-fault KmsError. */
export function judgeLibrary(result: { value?: unknown; error?: unknown; timedOut?: boolean }): Verdict {
  if (result.timedOut) return { ok: false, kind: 'hang', detail: 'no answer within the bound' };
  if (!('error' in result)) return { ok: true };
  const e = result.error;
  if (!(e instanceof KmsError)) {
    const name = e instanceof Error ? e.constructor.name : typeof e;
    return { ok: false, kind: 'bare error', detail: `${name}: ${e instanceof Error ? e.message.slice(0, 100) : String(e)}` };
  }
  if (!AWS_NAMES.has(e.name)) return { ok: false, kind: 'unnamed KmsError', detail: e.name };
  if (e.$fault !== 'client') return { ok: false, kind: 'server fault', detail: `${e.name}: ${e.message.slice(0, 120)}` };
  return { ok: true };
}

/** Settles `p` within `ms` (a hang is an outcome, not a stuck test). */
export async function settle(p: () => Promise<unknown>, ms = 10_000): Promise<{ value?: unknown; error?: unknown; timedOut?: boolean }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
  });
  try {
    return await Promise.race([
      (async () => {
        try {
          return { value: await p() };
        } catch (error) {
          return { error };
        }
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A short, safe description of a (possibly hostile) value for a finding's example. */
export function describeValue(v: unknown, depth = 0): string {
  try {
    if (v === null) return 'null';
    if (typeof v === 'string') return v.length > 40 ? `'${v.slice(0, 20)}…'(${v.length})` : JSON.stringify(v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'symbol' || typeof v === 'function' || typeof v !== 'object') return String(v);
    if (v instanceof Uint8Array) return `${v.constructor.name}(${v.length})`;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `${v.constructor.name}`;
    if (v instanceof Date) return `Date(${v.getTime()})`;
    if (depth > 2) return '…';
    const proto = Object.getPrototypeOf(v);
    if (Array.isArray(v)) return `[${v.length > 5 ? `${v.length} items` : v.map((x) => describeValue(x, depth + 1)).join(', ')}]`;
    const tag = proto === null ? 'null-proto ' : proto !== Object.prototype ? `${proto?.constructor?.name ?? 'proto'} ` : '';
    const keys = Object.keys(v);
    const own = keys.slice(0, 6).map((k) => {
      const d = Object.getOwnPropertyDescriptor(v, k);
      return `${k}: ${d && 'get' in d && d.get ? 'getter' : describeValue((v as Record<string, unknown>)[k], depth + 1)}`;
    });
    return `${tag}{${own.join(', ')}${keys.length > 6 ? ', …' : ''}}`;
  } catch (e) {
    return `<throws ${(e as Error)?.message ?? 'on inspection'}>`;
  }
}

export interface Finding {
  kind: string;
  where: string;
  detail: string;
  count: number;
  example: string;
  seed: number;
  index: number;
}

/** Findings grouped by (where, kind, detail), each with its first example. */
export class Findings {
  readonly byKey = new Map<string, Finding>();
  cases = 0;
  add(where: string, v: Verdict & { ok: false }, example: string, seed: number, index: number): void {
    const key = `${where}|${v.kind}|${v.detail}`;
    const f = this.byKey.get(key);
    if (f) f.count++;
    else this.byKey.set(key, { kind: v.kind, where, detail: v.detail, count: 1, example, seed, index });
  }
  list(): Finding[] {
    return [...this.byKey.values()];
  }
  report(title: string): string {
    const lines = this.list().map((f) => `  ${f.count}× ${f.where} ${f.kind}: ${f.detail}\n      e.g. case ${f.index} (FUZZ_SEED=${f.seed}): ${f.example.slice(0, 300)}`);
    return `${title}: ${this.cases} cases, ${this.list().length} distinct findings${lines.length ? `\n${lines.join('\n')}` : ''}`;
  }
}
