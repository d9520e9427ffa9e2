/** Types for the part of bench/baselines.mjs that test/bench.test.ts imports. */
export interface Sealed {
  iv: Uint8Array;
  ct: Uint8Array;
}
export declare function nodeSymSlab(
  count: number,
  blobs: number,
  plaintext: Uint8Array,
  aad: Uint8Array,
): { random(): { k: number; sealed: Sealed }; open(i: number, sealed: Sealed): Uint8Array };
