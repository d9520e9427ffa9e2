/** What `npm pack` ships: what a user of the package needs, and nothing of the test suite. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

test('npm pack holds dist, bin, vectors, README.md and LICENSE, and nothing of test/', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  for (const needed of ['LICENSE', 'README.md', 'package.json', 'bin/kms-core.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'vectors/FORMAT.md', 'vectors/symmetric-v1.json']) {
    expect(files, needed).toContain(needed);
  }
  expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/test') || f.includes('wycheproof'))).toEqual([]);
  expect(files.filter((f) => !/^(dist|bin|vectors)\//.test(f) && !['LICENSE', 'README.md', 'package.json'].includes(f))).toEqual([]);
});
