#!/usr/bin/env node
/**
 * The browser suite (issue 8), run by `npm run test:browser` and by .ci/run after `npm test`.
 *
 *  1. Node computes the expected outputs of the deterministic sequence (test/browser/
 *     deterministic.ts, node:crypto backend) and runs the suite once as a baseline.
 *  2. test/browser/entry.mjs is bundled with esbuild for platform 'browser' through the
 *     package's own exports (`import * as lib from 'kms-core'`); the bundle must be free of
 *     node:* imports and Node globals (scripts/bundle.mjs) and hold the WebCrypto backend.
 *  3. A node:http server on 127.0.0.1 (port 0) serves the page, the bundle and the input
 *     (vectors/symmetric-v1.json and the deterministic expectations); it stops by itself.
 *  4. Debian's Chromium (/usr/bin/chromium, never a downloaded browser), driven by
 *     playwright-core with a fresh profile, runs the suite in a page and in a dedicated Web
 *     Worker; each reports back, and this script asserts every result, the test counts and the
 *     deterministic bytes.
 *
 * Exit status: 0 when every suite passed; 1 on any failure, including a missing Chromium (in CI
 * and out of it: this suite never skips).
 */
import { accessSync, constants as fsConstants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { ROOT, bundleBrowser } from './bundle.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const DEADLINE_MS = Number(process.env.KMS_CORE_BROWSER_TIMEOUT_MS ?? 300_000);
const inCI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

const log = (...a) => console.log('[test:browser]', ...a);
const cleanups = [];
let failed = false;

function fail(message) {
  failed = true;
  console.error(`[test:browser] FAIL: ${message}`);
}

async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (e) {
      console.error('[test:browser] cleanup:', e?.message ?? e);
    }
  }
}

/* The whole run has a deadline: a hung browser or page cannot keep CI waiting. */
const watchdog = setTimeout(async () => {
  fail(`timed out after ${DEADLINE_MS} ms`);
  await cleanup();
  process.exit(1);
}, DEADLINE_MS);

// ─────────────────────────── 0. Chromium must be there ───────────────────────────

function requireChromium() {
  try {
    accessSync(CHROMIUM, fsConstants.X_OK);
    return;
  } catch {
    /* fall through */
  }
  const how = 'Install Debian\'s package: `apt-get update && apt-get install -y chromium` (what .ci/run does).';
  if (inCI) {
    console.error(`[test:browser] FAIL: ${CHROMIUM} is missing and CI is set. The browser and Web Worker suites cannot run, and they never pass by skipping. ${how}`);
  } else {
    console.error(`[test:browser] FAIL: ${CHROMIUM} is missing, so the browser and Web Worker suites did not run (this is a failure, not a skip). ${how} \`npm test\` alone does not need Chromium.`);
  }
  process.exit(1);
}

// ─────────────────────────── 1. Node side ───────────────────────────

/** Bundles the suite for Node (conditions: node → node:crypto backend) and imports it. */
async function loadNodeSide(workDir) {
  const outfile = join(workDir, 'node-side.mjs');
  await esbuild.build({
    stdin: {
      contents: [
        "import * as lib from 'kms-core';",
        "export { lib };",
        "export { runSuite } from './test/browser/suite.ts';",
        "export { deterministicSequence } from './test/browser/deterministic.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      sourcefile: 'node-side.js',
      loader: 'js',
    },
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    metafile: true,
    logLevel: 'silent',
  }).then((r) => {
    const inputs = Object.keys(r.metafile.inputs);
    if (!inputs.includes('dist/backend/node.js')) throw new Error('the Node-side bundle did not pick the node:crypto backend');
  });
  return import(pathToFileURL(outfile).href);
}

/** One RSA_2048 key in the deterministic Region, made in Node, as a key-store snapshot. */
async function rsaSnapshot(lib) {
  const store = new lib.InMemoryKeyStore();
  const kms = new lib.Kms({ region: 'cn-north-1', keyStore: store });
  await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', Description: 'deterministic RSA' });
  return store.exportSnapshot();
}

// ─────────────────────────── 3. the server ───────────────────────────

function serve(files) {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const f = files[path];
      if (!f) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' }).end(f.body);
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref(); // never keeps the process alive on its own
      resolve(server);
    });
  });
}

function stopServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

// ─────────────────────────── 4. assertions ───────────────────────────

function check(label, outcome, expectedNames, expectedDeterministic) {
  if (!outcome || outcome.fatal || !outcome.report) {
    fail(`${label}: the suite did not run: ${outcome?.fatal ?? 'no report'}`);
    return 0;
  }
  const { report } = outcome;
  const results = report.results ?? [];
  const passed = results.filter((r) => r.ok);
  const bad = results.filter((r) => !r.ok);
  for (const r of bad) fail(`${label}: ${r.name}\n      ${String(r.error).replaceAll('\n', '\n      ')}`);
  const names = results.map((r) => r.name);
  if (expectedNames && names.join('\n') !== expectedNames.join('\n')) {
    fail(`${label}: ran ${names.length} tests, expected the same ${expectedNames.length} as in Node`);
  }
  if (results.length < 20) fail(`${label}: only ${results.length} tests ran`);
  if (label !== 'node' && report.runtime?.nodeGlobals?.length) fail(`${label}: Node globals visible: ${report.runtime.nodeGlobals.join(', ')}`);
  if (label !== 'node' && report.runtime?.secureContext !== true) fail(`${label}: not a secure context (WebCrypto needs one)`);
  // The deterministic bytes, compared once more on this side.
  if (expectedDeterministic) {
    const got = report.deterministic ?? {};
    const diff = Object.keys(expectedDeterministic).filter((k) => got[k] !== expectedDeterministic[k]);
    if (diff.length || Object.keys(got).length !== Object.keys(expectedDeterministic).length) {
      fail(`${label}: deterministic outputs differ from Node's: ${diff.join(', ') || 'different output names'}`);
    }
  }
  const slow = [...results].sort((a, b) => b.ms - a.ms)[0];
  log(`${label.padEnd(6)} ${passed.length}/${results.length} passed${bad.length ? `, ${bad.length} FAILED` : ''}  (${report.runtime?.kind}; slowest: ${slow?.name.slice(0, 50)} ${slow?.ms} ms)`);
  return passed.length;
}

// ─────────────────────────── main ───────────────────────────

async function main() {
  requireChromium();
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    fail(`playwright-core is not installed (a devDependency; run npm ci): ${e?.message ?? e}`);
    return;
  }

  const workDir = mkdtempSync(join(tmpdir(), 'kms-core-browser-'));
  cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));

  // 1. Node: expected deterministic outputs and the baseline run.
  const node = await loadNodeSide(workDir);
  const snapshot = await rsaSnapshot(node.lib);
  const expected = await node.deterministicSequence(node.lib, snapshot);
  log(`node computed ${Object.keys(expected).length} deterministic outputs (node:crypto backend)`);
  const vectors = JSON.parse(readFileSync(join(ROOT, 'vectors/symmetric-v1.json'), 'utf8'));
  const vectorsV2 = JSON.parse(readFileSync(join(ROOT, 'vectors/symmetric-v2-sm4.json'), 'utf8'));
  const input = { vectors, vectorsV2, deterministic: { rsaSnapshot: snapshot, expected } };
  const nodeOutcome = { report: await node.runSuite(node.lib, structuredClone(input), 'node') };
  check('node', nodeOutcome, null, expected);
  const expectedNames = nodeOutcome.report.results.map((r) => r.name);

  // 2. The browser bundle, through the package's exports, checked like the library bundle.
  const bundle = await bundleBrowser({ entryPoint: 'test/browser/entry.mjs', minify: false });
  const bundleProblems = [...bundle.findings];
  if (!bundle.inputs.includes('dist/backend/web.js') || bundle.inputs.includes('dist/backend/node.js')) {
    bundleProblems.push('did not resolve #default-backend to the WebCrypto backend');
  }
  for (const f of bundleProblems) fail(`browser test bundle ${f}`);
  if (bundleProblems.length) return;
  log(`bundled test/browser/entry.mjs for the browser: ${bundle.code.length} B, ${bundle.inputs.length} modules`);

  // 3. Serve it on 127.0.0.1.
  const html = '<!doctype html><meta charset="utf-8"><title>kms-core browser suite</title><script type="module" src="/suite.js"></script>';
  const server = await serve({
    '/': { type: 'text/html; charset=utf-8', body: html },
    '/suite.js': { type: 'text/javascript; charset=utf-8', body: bundle.code },
    '/input.json': { type: 'application/json', body: JSON.stringify(input) },
    '/favicon.ico': { type: 'image/x-icon', body: '' },
  });
  cleanups.push(() => stopServer(server));
  const origin = `http://127.0.0.1:${server.address().port}`;
  log(`serving on ${origin}`);

  // 4. Chromium: a fresh profile per launch (playwright-core creates and deletes a temporary
  //    user-data-dir for chromium.launch).
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 }).catch((e) => {
    throw new Error(`could not launch ${CHROMIUM}: ${e?.message ?? e}`);
  });
  cleanups.push(() => browser.close());
  log(`chromium ${browser.version()} launched`);

  const counts = {};
  for (const mode of ['page', 'worker']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    // Nothing but our own origin may be contacted.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      problems.push(`blocked request to ${url}`);
      return route.abort();
    });
    const workers = [];
    page.on('worker', (w) => workers.push(w.url()));

    await page.goto(`${origin}/?mode=${mode}`, { waitUntil: 'load', timeout: 30_000 });
    const outcome = await page.evaluate(() => globalThis.__kmsReport ?? { fatal: 'the bundle did not start (no __kmsReport)' });
    if (mode === 'worker' && workers.length !== 1) fail(`worker: expected one dedicated Web Worker, saw ${workers.length}`);
    if (outcome?.report?.runtime?.kind !== mode && !outcome?.fatal) fail(`${mode}: the report came from "${outcome?.report?.runtime?.kind}"`);
    for (const p of problems) fail(`${mode}: ${p}`);
    counts[mode] = check(mode, outcome, expectedNames, expected);
    if (mode === 'page') log(`user agent: ${outcome?.report?.runtime?.userAgent}`);
    await context.close();
  }

  if (!failed) log(`PASSED: page ${counts.page} tests, worker ${counts.worker} tests (node baseline ${expectedNames.length}); deterministic bytes identical in Node and Chromium`);
}

main()
  .catch((e) => fail(e?.stack ?? String(e)))
  .finally(async () => {
    await cleanup();
    clearTimeout(watchdog);
    if (failed) console.error('[test:browser] FAILED');
    process.exit(failed ? 1 : 0);
  });
