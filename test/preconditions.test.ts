/**
 * Labelled guards (issue 13, Deliver 5; the AWS Encryption SDK's habit): every guard in src/ sits
 * under a one-line `/* Precondition: <label> *\/` comment, and some test of test/ carries
 * `Precondition: <label>` word for word in its name (with or without the label's final period),
 * so a reader goes from a guard to the test that reaches it, and back. The reverse holds too: a
 * test name that carries a Precondition label names one that src/ still has (no stale labels).
 *
 * Test names are read as text from `test(`, `it(`, `describe(` calls and their modifiers
 * (`test.each(cases)(`, `it.concurrent(`, `describe.each(…)(`): the first argument when it is a
 * string literal, a template literal (its `${…}` parts kept as written) or a `+` chain of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function tsFiles(dir: string): string[] {
  return (readdirSync(join(root, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, dir, f))
    .sort();
}

const LABEL = /\/\* Precondition: (.*?) \*\//g;
const PREFIX = 'Precondition: ';

interface Label {
  label: string;
  where: string;
}

/** The labels of `/* Precondition: … *\/` one-liners, with file:line. */
function labelsOf(file: string, text: string): Label[] {
  const out: Label[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(LABEL)) out.push({ label: m[1] as string, where: `${file}:${i + 1}` });
  });
  return out;
}

const isIdent = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);

/** Index just past the string literal that starts at `i` (quote at text[i]); its cooked text. */
function readString(text: string, i: number): { end: number; value: string } {
  const quote = text[i] as string;
  let value = '';
  let j = i + 1;
  while (j < text.length) {
    const c = text[j] as string;
    if (c === '\\') {
      const n = text[j + 1] as string;
      if (n === 'u' && text[j + 2] === '{') {
        const close = text.indexOf('}', j);
        value += String.fromCodePoint(parseInt(text.slice(j + 3, close), 16));
        j = close + 1;
      } else if (n === 'u') {
        value += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16));
        j += 6;
      } else if (n === 'x') {
        value += String.fromCharCode(parseInt(text.slice(j + 2, j + 4), 16));
        j += 4;
      } else {
        value += ({ n: '\n', t: '\t', r: '\r', '\n': '' } as Record<string, string>)[n] ?? n;
        j += 2;
      }
      continue;
    }
    if (c === quote) return { end: j + 1, value };
    if (quote === '`' && c === '$' && text[j + 1] === '{') {
      const end = skipBalanced(text, j + 1, '{', '}');
      value += text.slice(j, end);
      j = end;
      continue;
    }
    value += c;
    j++;
  }
  return { end: text.length, value };
}

/** Index just past the bracket group that opens at `i`, skipping strings and comments inside. */
function skipBalanced(text: string, i: number, open: string, close: string): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const c = text[j] as string;
    if (c === "'" || c === '"' || c === '`') {
      j = readString(text, j).end;
      continue;
    }
    if (c === '/' && text[j + 1] === '/') {
      j = text.indexOf('\n', j);
      if (j < 0) return text.length;
      continue;
    }
    if (c === '/' && text[j + 1] === '*') {
      j = text.indexOf('*/', j) + 2;
      if (j < 2) return text.length;
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
    j++;
  }
  return text.length;
}

const skipSpace = (text: string, i: number) => {
  let j = i;
  while (j < text.length && /\s/.test(text[j] as string)) j++;
  return j;
};

/** The names of the test(…) / it(…) / describe(…) calls in a test file's text. */
export function testNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/\b(?:test|it|describe)\b/g)) {
    const at = m.index;
    if (isIdent(text[at - 1]) || text[at - 1] === '.') continue;
    let j = at + m[0].length;
    // modifiers and their argument groups: .each(cases), .concurrent, .for(…), .skipIf(c)
    for (;;) {
      const k = skipSpace(text, j);
      if (text[k] === '.') {
        const id = /^\.\s*([A-Za-z_$][\w$]*)/.exec(text.slice(k));
        if (!id) break;
        j = k + id[0].length;
        const after = skipSpace(text, j);
        // a modifier's own argument group is followed by the call that names the test
        if (text[after] === '(' && text[skipSpace(text, skipBalanced(text, after, '(', ')'))] === '(') {
          j = skipBalanced(text, after, '(', ')');
        }
        continue;
      }
      break;
    }
    j = skipSpace(text, j);
    if (text[j] !== '(') continue;
    j = skipSpace(text, j + 1);
    let name = '';
    let found = false;
    for (;;) {
      const q = text[j];
      if (q !== "'" && q !== '"' && q !== '`') break;
      const s = readString(text, j);
      name += s.value;
      found = true;
      j = skipSpace(text, s.end);
      if (text[j] !== '+') break;
      j = skipSpace(text, j + 1);
    }
    if (found) names.push(name);
  }
  return names;
}

const strip = (label: string) => (label.endsWith('.') ? label.slice(0, -1) : label);

/** What may follow a label written without its final period: the end, punctuation, a dash, the next label. */
const BOUNDARY = ['.', ',', ';', ':', ' —', ' –', ' -', ' Precondition: '];

/** Whether `text` starts with `label` as a whole label: with its final period, or without it and then a boundary. */
export function startsWithLabel(text: string, label: string): boolean {
  if (text.startsWith(label)) return true;
  const bare = strip(label);
  if (!text.startsWith(bare)) return false;
  const after = text.slice(bare.length);
  return after === '' || BOUNDARY.some((b) => after.startsWith(b));
}

/** Whether test name `name` carries `Precondition: <label>` somewhere. */
export function carries(name: string, label: string): boolean {
  for (let at = name.indexOf(PREFIX); at >= 0; at = name.indexOf(PREFIX, at + 1)) {
    if (startsWithLabel(name.slice(at + PREFIX.length), label)) return true;
  }
  return false;
}

const srcLabels: Label[] = tsFiles('src').flatMap((f) => labelsOf(relative(root, f), readFileSync(f, 'utf8')));
const tests: Array<{ file: string; name: string }> = tsFiles('test').flatMap((f) =>
  testNames(readFileSync(f, 'utf8')).map((name) => ({ file: relative(root, f), name })),
);

describe('the test-name reader', () => {
  test('reads plain, escaped, template and concatenated names, and test.each / describe.each', () => {
    const sample = [
      "test('a \\'quoted\\' name', () => {});",
      'it("double \\"x\\"", async () => {});',
      'describe(`template ${x} — ${f(`inner`)} end`, () => {});',
      "test.each(cases)('each $op (on) a key', async ({ op }) => {});",
      "describe.each([['a(', 1], [')b', 2]])('table %s', () => {});",
      "it.concurrent('first ' +\n  'second', () => {});",
      "test.skipIf(process.env.X === 'y')('skipped when y', () => {});",
      "/x/.test('not a test'); contest('no'); it('\\u00e9\\u{1F600}', () => {});",
      "test(name, () => {});",
    ].join('\n');
    expect(testNames(sample)).toEqual([
      "a 'quoted' name",
      'double "x"',
      'template ${x} — ${f(`inner`)} end',
      'each $op (on) a key',
      'table %s',
      'first second',
      'skipped when y',
      'é😀',
    ]);
  });

  test('a label matches with its final period, or without it before the end, punctuation, a dash or the next label', () => {
    expect(carries('Precondition: the seed is 64 bytes. More', 'the seed is 64 bytes.')).toBe(true);
    expect(carries('Precondition: the seed is 64 bytes — refused', 'the seed is 64 bytes.')).toBe(true);
    expect(carries('x Precondition: the seed is 64 bytes', 'the seed is 64 bytes.')).toBe(true);
    expect(carries('Precondition: a. Precondition: the seed is 64 bytes Precondition: b', 'the seed is 64 bytes.')).toBe(true);
    // A longer label that starts with this one is another label.
    expect(carries('Precondition: the seed is 64 bytes (FIPS 203) — refused', 'the seed is 64 bytes.')).toBe(false);
    expect(carries('Precondition: the seed is 64 byte', 'the seed is 64 bytes.')).toBe(false);
    expect(carries('the seed is 64 bytes', 'the seed is 64 bytes.')).toBe(false);
    expect(carries('Precondition: …and of its account — x', '…and of its account.')).toBe(true);
  });

  test('finds the labels of src/ and the names of test/', () => {
    expect(srcLabels.length).toBeGreaterThan(100);
    expect(tests.length).toBeGreaterThan(500);
    expect(tests.some((t) => t.file === 'test/preconditions.test.ts' && t.name.startsWith('the test-name reader'))).toBe(true);
  });
});

describe('labelled guards', () => {
  test('every Precondition label of src/ is carried word for word by the name of a test', () => {
    const missing = srcLabels.filter(
      ({ label }) => !tests.some((t) => carries(t.name, label)),
    );
    expect(missing.map((l) => `${l.where}  Precondition: ${l.label}`)).toEqual([]);
  });

  test('every Precondition label in a test name is one that src/ has (none is stale)', () => {
    const known = [...new Set(srcLabels.map((l) => l.label))];
    const stale: string[] = [];
    for (const t of tests) {
      let at = t.name.indexOf(PREFIX);
      while (at >= 0) {
        const rest = t.name.slice(at + PREFIX.length);
        if (!known.some((label) => startsWithLabel(rest, label))) stale.push(`${t.file}  ${rest}`);
        at = t.name.indexOf(PREFIX, at + PREFIX.length);
      }
    }
    expect(stale).toEqual([]);
  });

  test('every comment of src/ that mentions a Precondition is a one-line label', () => {
    const loose: string[] = [];
    for (const f of tsFiles('src')) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        const bare = line.replace(LABEL, '');
        if (bare.includes('Precondition')) loose.push(`${relative(root, f)}:${i + 1}  ${line.trim()}`);
      });
    }
    expect(loose).toEqual([]);
  });
});
