/**
 * IAM wildcard matching (`*` any run of characters, `?` any one character, everything else
 * literal) without regular expressions and without backtracking. Used by the condition operators
 * StringLike / StringNotLike / ArnLike / ArnNotLike and by Action / NotAction wildcards
 * (IAM User Guide, "IAM JSON policy elements: Condition operators", "String condition
 * operators"; "Action": "You can use wildcards (* or ?) in the action name").
 *
 * Why not RegExp: a pattern `*a*a*a…` compiled to `.*a.*a.*a…` backtracks exponentially on a
 * value that almost matches; the value comes from the request, so one request could stall the
 * process (issue 12.2). No RegExp is built from policy or request data anywhere.
 *
 * The algorithm. A pattern is split at its stars into segments s0 * s1 * … * sk. It matches a
 * value v iff s0 matches a prefix of v, sk a suffix (not overlapping s0), and s1…s(k-1) occur in
 * order, without overlapping, in between. Placing each middle segment at its leftmost occurrence
 * is optimal (any match can be shifted left onto it without losing room for the rest), so the
 * search never revisits text: each middle search starts where the previous occurrence ended.
 *   - A segment without `?` is found with Knuth–Morris–Pratt: linear in the text it scans.
 *   - A segment with `?` is found with the bit-parallel Shift-And automaton: ⌈L/32⌉ word
 *     operations per text character for a segment of L characters.
 * Total: O(m) to compile a pattern of m characters, and O(n · (1 + ⌈L?/32⌉)) to test a value of
 * n characters, where L? is the longest segment that contains a `?` — linear in the value for
 * every pattern whose `?`-bearing segments are at most 32 characters, and bounded by n · 1024
 * word operations for any key policy (at most 32768 bytes, POLICY_MAX_BYTES). No step ever
 * depends on the number of stars beyond one pass.
 *
 * Characters are UTF-16 code units, as the RegExp matcher this replaces (`.` without the `u`
 * flag) counted them. `ignoreCase` folds ASCII letters only: Action patterns are ASCII (the
 * policy parser refuses anything else) and action names are ASCII, so this is the exact
 * case-insensitivity the `i`-flag RegExp gave them.
 *
 * Pure code (no node:*): runs in browsers.
 */

/** Counts the inner-loop steps of a test (tests assert on it instead of on time). */
export interface GlobSteps {
  steps: number;
}

export interface Glob {
  /** Whether the whole of `value` matches the pattern. */
  test(value: string, counter?: GlobSteps): boolean;
}

/** `?` in a compiled segment (code units are 0..0xffff). */
const ANY = -1;

interface Segment {
  /** Code units (folded when ignoreCase), ANY for `?`. */
  readonly units: Int32Array;
  /** KMP failure table (segments without `?`). */
  readonly fail?: Int32Array;
  /** Shift-And masks (segments with `?`): bit i of word i>>5 set where units[i] is `?` … */
  readonly any?: Uint32Array;
  /** … or equals the code unit. */
  readonly masks?: Map<number, Uint32Array>;
}

function fold(c: number, ignoreCase: boolean): number {
  return ignoreCase && c >= 65 && c <= 90 ? c + 32 : c;
}

function segment(pattern: string, from: number, to: number, ignoreCase: boolean): Segment {
  const L = to - from;
  const units = new Int32Array(L);
  let hasAny = false;
  for (let i = 0; i < L; i++) {
    const c = pattern.charCodeAt(from + i);
    if (c === 63 /* ? */) {
      units[i] = ANY;
      hasAny = true;
    } else units[i] = fold(c, ignoreCase);
  }
  if (!hasAny) {
    const fail = new Int32Array(L);
    for (let i = 1, k = 0; i < L; i++) {
      while (k > 0 && units[i] !== units[k]) k = fail[k - 1] as number;
      if (units[i] === units[k]) k++;
      fail[i] = k;
    }
    return { units, fail };
  }
  const words = (L + 31) >>> 5;
  const any = new Uint32Array(words);
  const masks = new Map<number, Uint32Array>();
  for (let i = 0; i < L; i++) {
    const u = units[i] as number;
    const bit = 1 << (i & 31);
    if (u === ANY) {
      any[i >>> 5] = ((any[i >>> 5] as number) | bit) >>> 0;
      continue;
    }
    let m = masks.get(u);
    if (!m) masks.set(u, (m = new Uint32Array(words)));
    m[i >>> 5] = ((m[i >>> 5] as number) | bit) >>> 0;
  }
  // A code unit's mask also holds the `?` positions (it matches those too).
  for (const m of masks.values()) for (let w = 0; w < words; w++) m[w] = ((m[w] as number) | (any[w] as number)) >>> 0;
  return { units, any, masks };
}

/** Whether `seg` matches `value` at exactly `at` (the caller checked that it fits). */
function matchesAt(seg: Segment, value: string, at: number, ignoreCase: boolean, counter: GlobSteps | undefined): boolean {
  const u = seg.units;
  if (counter) counter.steps += u.length;
  for (let i = 0; i < u.length; i++) {
    const p = u[i] as number;
    if (p !== ANY && p !== fold(value.charCodeAt(at + i), ignoreCase)) return false;
  }
  return true;
}

/** End of the leftmost occurrence of `seg` in value[from, limit), or -1. */
function findFrom(seg: Segment, value: string, from: number, limit: number, ignoreCase: boolean, counter: GlobSteps | undefined): number {
  const u = seg.units;
  const L = u.length;
  if (L === 0) return from;
  if (limit - from < L) return -1;
  let steps = 0;
  let end = -1;
  if (seg.fail) {
    // Knuth–Morris–Pratt: k only falls back as far as it advanced, so ≤ 2·(limit − from) steps.
    const fail = seg.fail;
    for (let i = from, k = 0; i < limit; i++) {
      const c = fold(value.charCodeAt(i), ignoreCase);
      steps++;
      while (k > 0 && u[k] !== c) {
        k = fail[k - 1] as number;
        steps++;
      }
      if (u[k] === c) k++;
      if (k === L) {
        end = i + 1;
        break;
      }
    }
  } else {
    // Shift-And: bit j of the state says "the last j+1 characters match the first j+1 of seg".
    const any = seg.any as Uint32Array;
    const masks = seg.masks as Map<number, Uint32Array>;
    const words = any.length;
    const top = (L - 1) >>> 5;
    const topBit = 1 << ((L - 1) & 31);
    const state = new Uint32Array(words);
    for (let i = from; i < limit; i++) {
      const m = masks.get(fold(value.charCodeAt(i), ignoreCase)) ?? any;
      let carry = 1; // a match may start at every position
      for (let w = 0; w < words; w++) {
        const s = state[w] as number;
        state[w] = (((s << 1) | carry) & (m[w] as number)) >>> 0;
        carry = s >>> 31;
      }
      steps += words;
      if (((state[top] as number) & topBit) !== 0) {
        end = i + 1;
        break;
      }
    }
  }
  if (counter) counter.steps += steps;
  return end;
}

class CompiledGlob implements Glob {
  constructor(
    private readonly segments: readonly Segment[],
    private readonly starred: boolean,
    private readonly ignoreCase: boolean,
  ) {}

  test(value: string, counter?: GlobSteps): boolean {
    const segs = this.segments;
    const ic = this.ignoreCase;
    const n = value.length;
    const first = segs[0] as Segment;
    if (!this.starred) return first.units.length === n && matchesAt(first, value, 0, ic, counter);
    const last = segs[segs.length - 1] as Segment;
    const head = first.units.length;
    const tail = n - last.units.length;
    if (tail < head) return false;
    if (!matchesAt(first, value, 0, ic, counter) || !matchesAt(last, value, tail, ic, counter)) return false;
    let at = head;
    for (let s = 1; s < segs.length - 1; s++) {
      at = findFrom(segs[s] as Segment, value, at, tail, ic, counter);
      if (at < 0) return false;
    }
    return true;
  }
}

/** Compiles an IAM wildcard pattern (`*`, `?`); O(pattern length). */
export function compileGlob(pattern: string, options: { ignoreCase?: boolean } = {}): Glob {
  const ignoreCase = options.ignoreCase === true;
  const segments: Segment[] = [];
  let start = 0;
  let starred = false;
  for (let i = 0; i <= pattern.length; i++) {
    if (i < pattern.length && pattern.charCodeAt(i) !== 42 /* * */) continue;
    // Consecutive stars make empty middle segments: skip them (they match anywhere).
    if (i > start || segments.length === 0 || i === pattern.length) segments.push(segment(pattern, start, i, ignoreCase));
    if (i < pattern.length) starred = true;
    start = i + 1;
  }
  return new CompiledGlob(segments, starred, ignoreCase);
}

/** Any of several patterns (an Action list): matches when one does. */
export function compileGlobs(patterns: readonly string[], options: { ignoreCase?: boolean } = {}): Glob {
  const globs = patterns.map((p) => compileGlob(p, options));
  return { test: (value, counter) => globs.some((g) => g.test(value, counter)) };
}
