/** Types for bench/workloads.mjs (imported by test/bench.test.ts). */
export declare const KiB: (n: number) => number;
export declare const SIZES: readonly number[];
export declare const PAIR_COUNTS: readonly number[];
export declare const label: (n: number) => string;
export declare const pairsLabel: (n: number) => string;
export declare function contextOf(n: number): Record<string, string> | undefined;
export declare function baselineAad(ctx: Readonly<Record<string, string>> | undefined): Uint8Array;
