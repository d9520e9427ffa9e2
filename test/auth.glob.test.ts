/**
 * IAM wildcard matching without backtracking (src/auth/glob.ts; issue 12.2): a property test
 * against a reference matcher (dynamic programming, and the RegExp the matcher replaced as a
 * second oracle on small inputs), pathological patterns through Kms that a backtracking RegExp
 * takes minutes on, and a step counter showing the work is linear in the value.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Kms } from '../src/index.js';
import { compileGlob, compileGlobs, type GlobSteps } from '../src/auth/glob.js';
import { enc, keyWithPolicy, outcomeOf, policy, rootAll } from './helpers/auth.js';

/** Reference: the textbook O(n·m) dynamic program over code units. */
function reference(pattern: string, value: string, ignoreCase = false): boolean {
  const f = (c: number) => (ignoreCase && c >= 65 && c <= 90 ? c + 32 : c);
  const m = pattern.length;
  const n = value.length;
  // row[j]: pattern[0, i) matches value[0, j)
  let row = new Array<boolean>(n + 1).fill(false);
  row[0] = true;
  for (let i = 0; i < m; i++) {
    const p = pattern.charCodeAt(i);
    const next = new Array<boolean>(n + 1).fill(false);
    for (let j = 0; j <= n; j++) {
      if (p === 42) next[j] = row[j] === true || (j > 0 && next[j - 1] === true);
      else if (j > 0) next[j] = row[j - 1] === true && (p === 63 || f(p) === f(value.charCodeAt(j - 1)));
    }
    row = next;
  }
  return row[n] === true;
}

/** The matcher kms-core used before (a test oracle only: src/ never builds a RegExp from data). */
function oldRegExp(pattern: string, value: string): boolean {
  let src = '';
  for (const ch of pattern) src += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  return new RegExp(`^${src}$`, 's').test(value);
}

const small = (chars: string[], max: number) => fc.array(fc.constantFrom(...chars), { maxLength: max }).map((a) => a.join(''));

describe('glob matcher', () => {
  test('12.2 agrees with a reference matcher (DP) on random patterns and values', () => {
    fc.assert(
      fc.property(small(['a', 'b', '?', '*'], 14), small(['a', 'b'], 20), (p, v) => {
        expect(compileGlob(p).test(v), `${p} ~ ${v}`).toBe(reference(p, v));
      }),
      { numRuns: 3000 },
    );
    // Long '?' segments (more than one 32-bit word of Shift-And state).
    fc.assert(
      fc.property(small(['a', 'b', '?', '?', '*'], 90), small(['a', 'b'], 120), (p, v) => {
        expect(compileGlob(p).test(v)).toBe(reference(p, v));
      }),
      { numRuns: 500 },
    );
  });

  test('12.2 agrees with the RegExp it replaced, including regex metacharacters, newlines and surrogates', () => {
    const chars = ['a', 'B', '.', '\\', '(', '[', '$', '\n', '\u{1F600}', '?', '*'];
    fc.assert(
      fc.property(small(chars, 10), small(chars.slice(0, 9), 12), (p, v) => {
        expect(compileGlob(p).test(v), JSON.stringify([p, v])).toBe(oldRegExp(p, v));
      }),
      { numRuns: 3000 },
    );
    // '?' is one UTF-16 code unit, as '.' without the u flag was.
    expect(compileGlob('??').test('\u{1F600}')).toBe(true);
    expect(compileGlob('?').test('\u{1F600}')).toBe(false);
  });

  test('12.2 ignoreCase folds ASCII letters only (Action names), as the i-flag RegExp did for ASCII patterns', () => {
    fc.assert(
      fc.property(small(['a', 'B', 'k', '?', '*'], 12), small(['A', 'b', 'K', 'k', '\u212A'], 14), (p, v) => {
        expect(compileGlob(p, { ignoreCase: true }).test(v)).toBe(reference(p, v, true));
        expect(compileGlob(p, { ignoreCase: true }).test(v)).toBe(new RegExp(`^${p.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'is').test(v));
      }),
      { numRuns: 2000 },
    );
    const actions = compileGlobs(['kms:ReEncrypt*', 'kms:Describe?ey'], { ignoreCase: true });
    expect(actions.test('kms:ReEncryptFrom')).toBe(true);
    expect(actions.test('KMS:reencryptto')).toBe(true);
    expect(actions.test('kms:DescribeKey')).toBe(true);
    expect(actions.test('kms:Decrypt')).toBe(false);
    expect(compileGlob('kms:*').test('kms:Decrypt')).toBe(true);
    expect(compileGlob('*').test('')).toBe(true);
    expect(compileGlob('').test('')).toBe(true);
    expect(compileGlob('').test('a')).toBe(false);
  });

  test('12.2 the work is linear in the value: a step counter over huge pathological inputs', () => {
    const n = 1_000_000;
    const cases: Array<[string, string]> = [
      ['*a'.repeat(2000) + '*b', 'a'.repeat(n)], // the classic exponential case for backtracking
      ['reports/*/*/*.csv', 'reports/' + '/'.repeat(n)], // the StringNotLike pattern
      ['*' + 'a'.repeat(500) + 'b*', 'a'.repeat(n)], // KMP: a long almost-matching literal
      ['*' + '?a'.repeat(16) + '*', 'ab'.repeat(n / 2)], // Shift-And, one word
      ['*?*?*?*?*?*?*?*?*?*?*?*?x', 'y'.repeat(n)],
    ];
    for (const [p, v] of cases) {
      const c: GlobSteps = { steps: 0 };
      compileGlob(p).test(v, c);
      expect(c.steps, p.slice(0, 40)).toBeLessThanOrEqual(2 * (v.length + p.length));
    }
    // A '?' segment longer than one word costs ⌈L/32⌉ per character, never more.
    const long = '*' + '?'.repeat(100) + 'x*';
    const c: GlobSteps = { steps: 0 };
    expect(compileGlob(long).test('y'.repeat(n), c)).toBe(false);
    expect(c.steps).toBeLessThanOrEqual(n * Math.ceil(101 / 32) + long.length);
  });
});

describe('wildcards in key policies (through Kms)', () => {
  const stars = '*a'.repeat(12) + '*b'; // 13 stars: `.*a.*a…` backtracks C(40, 12) ways on 40 × 'a'

  test('12.2 StringLike with many wildcards against a long value is linear', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(
      kms,
      policy(rootAll(), { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Condition: { StringLike: { 'kms:EncryptionContext:path': stars } } }),
    );
    const near = { path: 'a'.repeat(40) };
    const hit = { path: 'a'.repeat(39) + 'b' };
    const c1 = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: near })).CiphertextBlob!;
    const c2 = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: hit })).CiphertextBlob!;
    expect(await outcomeOf(kms.decrypt({ CiphertextBlob: c1, EncryptionContext: near }))).toBe('allowed');
    expect(await outcomeOf(kms.decrypt({ CiphertextBlob: c2, KeyId: key.KeyId, EncryptionContext: hit }))).toBe('explicit-deny');
  });

  test('12.2 StringNotLike "reports/*/*/*.csv" against a 200,000-character value completes', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(
      kms,
      policy(rootAll(), { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Condition: { StringNotLike: { 'kms:EncryptionContext:path': 'reports/*/*/*.csv' } } }),
    );
    const odd = { path: 'reports/' + '/'.repeat(200_000) };
    const fine = { path: 'reports/2026/05/x.csv' };
    const c1 = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: odd })).CiphertextBlob!;
    const c2 = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: fine })).CiphertextBlob!;
    // '/'×n matches reports/*/*/ but never ends in .csv: StringNotLike holds, the Deny applies.
    expect(await outcomeOf(kms.decrypt({ CiphertextBlob: c1, KeyId: key.KeyId, EncryptionContext: odd }))).toBe('explicit-deny');
    expect(await outcomeOf(kms.decrypt({ CiphertextBlob: c2, EncryptionContext: fine }))).toBe('allowed');
  });

  test('12.2 ArnLike with many wildcards is linear too', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(
      kms,
      policy(rootAll(), { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Condition: { ArnLike: { 'aws:PrincipalArn': `arn:${'*a'.repeat(12)}*Z` } } }),
    );
    const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') })).CiphertextBlob!;
    const caller = kms.as(`arn:aws:iam::111122223333:role/${'a'.repeat(40)}`);
    expect(await outcomeOf(caller.decrypt({ CiphertextBlob: blob }))).toBe('allowed');
  });

  test('12.2 Action wildcards are matched without backtracking, case-insensitively', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms, policy(rootAll(), { Effect: 'Deny', Principal: '*', Action: [`kms:${'*?'.repeat(14)}*Q`, 'KMS:dEcRyPt'] }));
    const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') })).CiphertextBlob!;
    expect(await outcomeOf(kms.generateDataKeyWithoutPlaintext({ KeyId: key.KeyId, KeySpec: 'AES_256' }))).toBe('allowed');
    expect(await outcomeOf(kms.decrypt({ CiphertextBlob: blob, KeyId: key.KeyId }))).toBe('explicit-deny');
  });
});
