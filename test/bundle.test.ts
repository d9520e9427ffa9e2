/**
 * Issue 8: `import { Kms } from 'kms-core'` bundled for the browser (esbuild, platform
 * 'browser', ESM, minified) imports no `node:*` module, touches no Node global, picks the
 * WebCrypto backend through package.json "imports" and stays within the size budget
 * (scripts/bundle.mjs, which `npm run build:browser` runs and prints). Bundles dist/, which
 * `npm test` builds first. No browser needed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BUDGET, ROOT, bundleBrowser, checkKmsBundle } from '../scripts/bundle.mjs';

describe('browser bundle of kms-core', () => {
  test('dist/ is built (npm test runs `npm run build` first)', () => {
    expect(existsSync(join(ROOT, 'dist/index.js')), 'run `npm run build` before the bundle check').toBe(true);
  });

  test.each([
    ['esbuild platform browser (default conditions)', undefined],
    ['wrangler/workerd conditions', ['workerd', 'worker', 'browser']],
    ['worker condition only', ['worker']],
  ])("import { Kms } from 'kms-core' — %s: no node:*, no Node global, WebCrypto backend, within budget", async (_name, conditions) => {
    const b = await checkKmsBundle({ conditions });
    expect(b.findings).toEqual([]);
    expect(b.minified).toBeGreaterThan(10_000); // the whole contract is in, not a tree-shaken stub
    expect(b.minified).toBeLessThanOrEqual(BUDGET.minified);
    expect(b.gzip).toBeLessThanOrEqual(BUDGET.gzip);
    // The one import supports every key spec: all three algorithm modules are in the bundle.
    for (const m of ['dist/algorithms/symmetric.js', 'dist/algorithms/rsa-oaep.js', 'dist/algorithms/sm2pke.js']) expect(b.inputs).toContain(m);
  });

  test('every public export bundles for the browser without Node', async () => {
    const b = await bundleBrowser({ contents: "export * from 'kms-core';\n" });
    expect(b.findings).toEqual([]);
  });

  test('the check catches what it is meant to catch', async () => {
    const b = await bundleBrowser({
      contents: "import { createHash } from 'node:crypto';\nexport const f = () => [createHash, Buffer.from('x'), process.env.X];\nexport class P { process() {} }\n",
    });
    expect(b.findings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('node:crypto'),
        'uses the Node global `Buffer`',
        'uses the Node global `process`',
      ]),
    );
    // A method named `process` (as in @noble/hashes) is not the Node global.
    const m = await bundleBrowser({ contents: 'export class P { process(v) { return this.process; } }\n' });
    expect(m.findings).toEqual([]);
  });
});
