/**
 * The vendored Wycheproof files are the upstream files: each `.gz` in test/vectors/wycheproof/
 * has its row in the README, and inflates to exactly the SHA-256 recorded there.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect, test } from 'vitest';

const dir = new URL('./vectors/wycheproof/', import.meta.url);

test('every vendored Wycheproof file is listed in the README and matches its upstream SHA-256', () => {
  const readme = readFileSync(new URL('README.md', dir), 'utf8');
  const rows = new Map<string, string>();
  for (const line of readme.split('\n')) {
    const m = /^\| `([a-z0-9_]+\.json)` \| `([0-9a-f]{64})` \|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json.gz'));
  expect(files.length).toBeGreaterThanOrEqual(18);
  expect([...rows.keys()].sort()).toEqual(files.map((f) => f.slice(0, -3)).sort());
  for (const f of files) {
    const sha = createHash('sha256').update(gunzipSync(readFileSync(new URL(f, dir)))).digest('hex');
    expect(sha, f).toBe(rows.get(f.slice(0, -3)));
  }
});
