#!/usr/bin/env node
/**
 * Browser bundle check (issue 8): bundles `import { Kms } from 'kms-core'` with esbuild for
 * `platform: 'browser'` (ESM, minified) exactly as an application bundler would, through this
 * package's own `exports` and `imports` (#default-backend → dist/backend/default.js → WebCrypto),
 * then checks that
 *   - no `node:*` or Node built-in module is imported, and nothing is left external;
 *   - no Node global is used (`Buffer`, `process`, `global`, `__dirname`, `__filename`,
 *     `setImmediate`, `require`): each is `define`d to a marker, so only free references to the
 *     global count (a method named `process`, as in @noble/hashes, does not);
 *   - the node:crypto backend is not in the bundle and the WebCrypto one is;
 *   - the minified and gzipped sizes stay within BUDGET.
 *
 * Usage: `npm run build:browser` (builds dist first). Prints the sizes; exits 1 on any finding.
 * `test/bundle.test.ts` runs the same check inside `npm test`; `scripts/test-browser.mjs` uses
 * `bundleBrowser` for the Chromium suite.
 *
 * Budget: `{ Kms }` with every key spec (symmetric, RSA, SM2) and the whole contract, esbuild
 * 0.28.2, gzip level 9. Measured on 2026-11-23 while the core was growing:
 *   107,695 B min / 33,253 B gzip   symmetric + RSA + SM2
 *   118,531 B min / 37,271 B gzip   + pure-JS fallback backend (backend/noble.ts, @noble/ciphers
 *                                     AES-GCM), imported unconditionally by backend/default.ts
 *   150,542 B min / 46,681 B gzip   + key policies and grants (src/auth/)
 * and on 2026-12-01, with round 2's key specs:
 *   263,838 B min / 84,564 B gzip   + ECDSA (P-256/384/521, secp256k1), Ed25519, ML-DSA and
 *                                     ML-KEM (@noble/post-quantum), HMAC, ECDH, SM4 and envelope
 *                                     v2, import crypto (AES key wrap), the full API model
 * Largest parts: @noble/post-quantum (ML-DSA, ML-KEM), @noble/curves (Weierstrass, Edwards),
 * the API model tables (model/shapes.js), src/operations/, snapshot.js, src/auth/. The budget
 * leaves ~24 % headroom over the last measurement: 320 KiB (327,680 B) minified, 104 KiB
 * (106,496 B) gzipped. Raise it only with a reason in the commit message.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Bytes. See the header comment for how they were chosen. */
export const BUDGET = Object.freeze({ minified: 320 * 1024, gzip: 104 * 1024 });

/** Node globals a browser bundle must never touch (free references only). */
export const NODE_GLOBALS = Object.freeze(['Buffer', 'process', 'global', '__dirname', '__filename', 'setImmediate', 'require']);

const MARKER = '__kmsCoreForbiddenNodeGlobal_';
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Collects every import of a Node built-in instead of letting esbuild fail on the first. */
function nodeImportTrap(found) {
  return {
    name: 'kms-core-node-import-trap',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!args.path.startsWith('node:') && !BUILTINS.has(args.path)) return undefined;
        found.push(`${args.path} (imported by ${args.importer || '<entry>'})`);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * Bundles `contents` (an entry module's source, resolved from `resolveDir`) for the browser and
 * returns the code with its findings. `conditions` replaces esbuild's custom conditions (e.g.
 * wrangler's ['workerd', 'worker', 'browser']); platform 'browser' adds 'browser' itself.
 */
export async function bundleBrowser({ contents, entryPoint, resolveDir = ROOT, minify = true, conditions, sourcefile = 'entry.js' }) {
  const nodeImports = [];
  const define = Object.fromEntries(NODE_GLOBALS.map((g) => [g, `globalThis.${MARKER}${g}`]));
  const r = await esbuild.build({
    ...(entryPoint ? { entryPoints: [entryPoint] } : { stdin: { contents, resolveDir, sourcefile, loader: 'js' } }),
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify,
    ...(conditions ? { conditions } : {}),
    define,
    write: false,
    outdir: 'out',
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [nodeImportTrap(nodeImports)],
  });
  const out = r.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!out) throw new Error('esbuild produced no .js output');
  const code = out.text;
  const inputs = Object.keys(r.metafile.inputs);
  const outputMeta = Object.values(r.metafile.outputs)[0];
  const findings = [];
  for (const i of nodeImports) findings.push(`imports the Node built-in ${i}`);
  for (const imp of outputMeta?.imports ?? []) if (imp.external) findings.push(`leaves the import "${imp.path}" external`);
  if (/\b(?:from|import)\s*\(?\s*["']node:/.test(code)) findings.push('contains a `node:` import');
  for (const g of NODE_GLOBALS) if (code.includes(MARKER + g)) findings.push(`uses the Node global \`${g}\``);
  for (const m of code.matchAll(/\b(?:globalThis|self|window|global)\s*\.\s*(Buffer|process)\b|\[\s*["'](Buffer|process)["']\s*\]/g)) {
    findings.push(`reads the Node global \`${m[1] ?? m[2]}\` through a property (${m[0]})`);
  }
  return { code, inputs, findings, warnings: r.warnings };
}

/** Minified and gzip (level 9) sizes of a bundle, in bytes. */
export function sizes(code) {
  const bytes = new TextEncoder().encode(code);
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

export const KMS_ENTRY = "import { Kms } from 'kms-core';\nexport { Kms };\n";

/**
 * The budgeted bundle: `import { Kms } from 'kms-core'` for the browser, checked. Also checks
 * that the backend seam picked WebCrypto (dist/backend/web.js in, dist/backend/node.js out).
 */
export async function checkKmsBundle({ conditions } = {}) {
  const b = await bundleBrowser({ contents: KMS_ENTRY, conditions, sourcefile: 'kms-entry.js' });
  const s = sizes(b.code);
  const findings = [...b.findings];
  const has = (p) => b.inputs.some((i) => i.replaceAll('\\', '/').endsWith(p));
  if (!has('dist/backend/web.js')) findings.push('#default-backend did not resolve to the WebCrypto backend (dist/backend/web.js is missing)');
  if (has('dist/backend/node.js')) findings.push('the node:crypto backend (dist/backend/node.js) is in the bundle');
  if (!b.inputs.some((i) => i.replaceAll('\\', '/').endsWith('dist/index.js'))) findings.push("'kms-core' did not resolve to dist/index.js");
  if (s.minified > BUDGET.minified) findings.push(`minified size ${s.minified} B exceeds the budget of ${BUDGET.minified} B`);
  if (s.gzip > BUDGET.gzip) findings.push(`gzipped size ${s.gzip} B exceeds the budget of ${BUDGET.gzip} B`);
  return { ...b, ...s, findings };
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

async function main() {
  const rows = [];
  const kms = await checkKmsBundle();
  rows.push(['{ Kms } (budgeted)', kms]);
  // The same import under wrangler's conditions (workerd): must pick the same backend.
  const workerd = await checkKmsBundle({ conditions: ['workerd', 'worker', 'browser'] });
  rows.push(['{ Kms }, conditions workerd/worker/browser', workerd]);
  const all = await bundleBrowser({ contents: "export * from 'kms-core';\n", sourcefile: 'all-entry.js' });
  rows.push(['* (every export, for information)', { ...all, ...sizes(all.code) }]);

  console.log(`kms-core browser bundle (esbuild ${esbuild.version}, platform browser, esm, minified)`);
  for (const [name, r] of rows) {
    console.log(`  ${name.padEnd(44)} ${String(r.minified).padStart(7)} B (${kib(r.minified)}) min   ${String(r.gzip).padStart(6)} B (${kib(r.gzip)}) gzip`);
  }
  console.log(`  budget${' '.repeat(39)}${String(BUDGET.minified).padStart(7)} B (${kib(BUDGET.minified)}) min   ${String(BUDGET.gzip).padStart(6)} B (${kib(BUDGET.gzip)}) gzip`);

  const outDir = join(ROOT, '.build');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'kms-core.browser.min.js'), kms.code);
  console.log('  written: .build/kms-core.browser.min.js');

  const findings = rows.flatMap(([name, r]) => r.findings.map((f) => `${name}: ${f}`));
  if (findings.length) {
    console.error(`\nbundle check FAILED:\n${findings.map((f) => `  - ${f}`).join('\n')}`);
    process.exit(1);
  }
  console.log('bundle check passed: no node:* import, no Node global, WebCrypto backend, within budget');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`bundle check FAILED: ${e?.stack ?? e}`);
    process.exit(1);
  });
}
