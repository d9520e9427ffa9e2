/** Types for bench/harness.mjs (imported by test/bench.test.ts). */
export declare const GC_MODE: 'single-threaded' | 'concurrent';
export declare const median: (xs: readonly number[]) => number;
export declare const quantile: (xs: readonly number[], q: number) => number;
export declare function spread(num: readonly number[], den: readonly number[]): number;
export interface Comparison {
  subject: number;
  baseline: number;
  ratio: number;
  noise: number;
  rounds: { subject: number[]; baseline: number[]; moto?: number[] };
  moto?: number;
  motoRatio?: number;
  motoNoise?: number;
}
export declare function opsPerSec(fn: () => unknown, ms: number): Promise<{ batch: number; rate: number; ms: number }>;
export declare function compare(
  subject: () => unknown,
  baseline: () => unknown,
  options?: { ms?: number; rounds?: number; warmMs?: number; moto?: { round(n: number): Promise<number> } },
): Promise<Comparison>;
