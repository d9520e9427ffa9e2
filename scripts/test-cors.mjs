#!/usr/bin/env node
/**
 * CORS in a real browser (issue 18), run by `npm run test:cors` and by .ci/run: a page served on
 * one loopback port uses @aws-sdk/client-kms (bundled for the browser with esbuild) against
 * `kms-core serve` on another loopback port, and round-trips CreateKey, Encrypt, ReEncrypt and
 * Decrypt through Chromium's CORS checks (preflight, Authorization and X-Amz-* headers,
 * exposed x-amzn-RequestId).
 *
 *  1. Three endpoints from dist/ (startServer): the default CORS policy (loopback pages) without
 *     signature checks; the default policy with --credentials, so the browser's SigV4 signature
 *     is verified too (and a wrong secret must come back as InvalidSignatureException, which the
 *     page can only read if error responses carry CORS headers); and one that admits only
 *     https://elsewhere.example, which Chromium must refuse to let the page read.
 *  2. A node:http server on 127.0.0.1 (port 0) serves the page and the bundle.
 *  3. Debian's Chromium (/usr/bin/chromium, never a downloaded browser) through playwright-core,
 *     with a fresh, empty --user-data-dir and the flags of scripts/test-browser.mjs.
 *
 * Exit status 0 when every check passed; 1 on any failure, a missing Chromium included (this
 * suite never skips). Everything it starts stops by itself (deadline, unref'd servers).
 */
import { accessSync, constants as fsConstants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { ROOT } from './bundle.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DEADLINE_MS = Number(process.env.KMS_CORE_BROWSER_TIMEOUT_MS ?? 300_000);
const SECRET = 'browser/Secret+Access+Key/EXAMPLE0123456789';

const log = (...a) => console.log('[test:cors]', ...a);
const cleanups = [];
let failed = false;
const fail = (m) => {
  failed = true;
  console.error(`[test:cors] FAIL: ${m}`);
};
const check = (cond, what) => (cond ? log(`ok   ${what}`) : fail(what));

async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (e) {
      console.error('[test:cors] cleanup:', e?.message ?? e);
    }
  }
}

const watchdog = setTimeout(async () => {
  fail(`timed out after ${DEADLINE_MS} ms`);
  await cleanup();
  process.exit(1);
}, DEADLINE_MS);

const PAGE_SCRIPT = `
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient, ReEncryptCommand } from '@aws-sdk/client-kms';

function client(endpoint, secret) {
  return new KMSClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDBROWSER', secretAccessKey: secret } });
}

globalThis.__cors = {
  async roundTrip(endpoint, secret) {
    const c = client(endpoint, secret);
    const a = (await c.send(new CreateKeyCommand({ Description: 'browser a' }))).KeyMetadata.KeyId;
    const b = (await c.send(new CreateKeyCommand({ Description: 'browser b' }))).KeyMetadata.KeyId;
    const enc = await c.send(new EncryptCommand({ KeyId: a, Plaintext: new TextEncoder().encode('hello from chromium') }));
    const re = await c.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: b }));
    const dec = await c.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob }));
    return {
      plaintext: new TextDecoder().decode(dec.Plaintext),
      a, b,
      sourceKeyId: re.SourceKeyId,
      keyId: dec.KeyId,
      requestIds: [enc.$metadata.requestId, re.$metadata.requestId, dec.$metadata.requestId],
    };
  },
  async failure(endpoint, secret) {
    try {
      await client(endpoint, secret).send(new CreateKeyCommand({}));
      return { ok: true };
    } catch (e) {
      return { ok: false, name: e.name, message: String(e.message), status: e.$metadata?.httpStatusCode, requestId: e.$metadata?.requestId };
    }
  },
  origin: location.origin,
};
`;

function requireChromium() {
  try {
    accessSync(CHROMIUM, fsConstants.X_OK);
  } catch {
    console.error(`[test:cors] FAIL: ${CHROMIUM} is missing, so the CORS browser test did not run (a failure, not a skip). Install Debian's package: \`apt-get update && apt-get install -y chromium\` (what .ci/run does).`);
    process.exit(1);
  }
}

function servePage(files) {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const f = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
      if (!f) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' }).end(f.body);
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve(server);
    });
  });
}

async function main() {
  requireChromium();
  const { chromium } = await import('playwright-core');
  const { startServer } = await import(pathToFileURL(join(ROOT, 'dist/server/http.js')).href);
  const { parseCredentials } = await import(pathToFileURL(join(ROOT, 'dist/server/credentials.js')).href);

  // 1. The endpoints.
  // A preflight is the one request without X-Amz-Target that the endpoint answers with 200.
  let preflights = 0;
  const onRequest = (i) => {
    if (i.target === undefined && i.status === 200) preflights++;
  };
  const open = await startServer({ port: 0, onRequest });
  const signed = await startServer({ port: 0, onRequest, credentials: parseCredentials({ AKIDBROWSER: { secretAccessKey: SECRET } }, 'test-cors', '111122223333') });
  const elsewhere = await startServer({ port: 0, allowOrigin: ['https://elsewhere.example'] });
  for (const s of [open, signed, elsewhere]) cleanups.push(() => s.close());
  log(`kms-core serve on ${open.url} (default CORS), ${signed.url} (default CORS, --credentials), ${elsewhere.url} (--allow-origin https://elsewhere.example)`);

  // 2. The page and its bundle.
  const built = await esbuild.build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: ROOT, sourcefile: 'cors-page.js', loader: 'js' },
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const bundle = built.outputFiles[0].text;
  log(`bundled @aws-sdk/client-kms for the browser: ${bundle.length} B`);
  const html = '<!doctype html><meta charset="utf-8"><title>kms-core CORS</title><script type="module" src="/page.js"></script>';
  const page = await servePage({
    '/': { type: 'text/html; charset=utf-8', body: html },
    '/page.js': { type: 'text/javascript; charset=utf-8', body: bundle },
    '/favicon.ico': { type: 'image/x-icon', body: '' },
  });
  cleanups.push(() => new Promise((r) => (page.closeAllConnections?.(), page.close(() => r()))));
  const pageOrigin = `http://127.0.0.1:${page.address().port}`;
  log(`page on ${pageOrigin}`);

  // 3. Chromium with an empty profile of our own.
  const profile = mkdtempSync(join(tmpdir(), 'kms-core-cors-profile-'));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
  cleanups.push(() => context.close());
  const tab = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  tab.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // No request interception (context.route): with it, Playwright answers CORS preflights itself
  // and the endpoint's own answers would go untested.
  const outside = [];
  tab.on('request', (r) => {
    const url = r.url();
    if (![pageOrigin, open.url, signed.url, elsewhere.url].some((o) => url.startsWith(`${o}/`))) outside.push(url);
  });
  await tab.goto(`${pageOrigin}/`, { waitUntil: 'load', timeout: 30_000 });
  await tab.waitForFunction(() => globalThis.__cors !== undefined, null, { timeout: 30_000 });
  log(`chromium ${context.browser()?.version() ?? ''} loaded the page; origin ${await tab.evaluate(() => globalThis.__cors.origin)}`);

  const round = (url, secret) => tab.evaluate(([u, s]) => globalThis.__cors.roundTrip(u, s), [url, secret]);
  const failure = (url, secret) => tab.evaluate(([u, s]) => globalThis.__cors.failure(u, s), [url, secret]);

  for (const [label, server, secret] of [
    ['default CORS, signatures not verified', open, 'any-secret'],
    ['default CORS, --credentials (SigV4 verified)', signed, SECRET],
  ]) {
    let r;
    try {
      r = await round(server.url, secret);
    } catch (e) {
      fail(`${label}: the round trip threw: ${e?.message ?? e}`);
      continue;
    }
    check(r.plaintext === 'hello from chromium', `${label}: Encrypt → ReEncrypt → Decrypt returns the plaintext`);
    check(r.sourceKeyId?.endsWith(`key/${r.a}`) && r.keyId?.endsWith(`key/${r.b}`), `${label}: ReEncrypt moved the ciphertext from key a to key b`);
    check(r.requestIds.every((id) => /^[0-9a-f-]{36}$/.test(id ?? '')), `${label}: x-amzn-RequestId is exposed to the page ($metadata.requestId)`);
  }
  check(preflights >= 2, `Chromium sent CORS preflights and the endpoints answered them (${preflights} answered)`);

  const wrong = await failure(signed.url, 'not-the-secret');
  check(!wrong.ok && wrong.name === 'InvalidSignatureException' && wrong.status === 400 && /^[0-9a-f-]{36}$/.test(wrong.requestId ?? ''), `a wrong secret reaches the page as InvalidSignatureException (HTTP 400, request ID exposed): ${JSON.stringify({ name: wrong.name, status: wrong.status })}`);
  check(!String(wrong.message).includes(SECRET), 'the error the page sees holds no secret');

  const refused = await failure(elsewhere.url, 'x');
  check(!refused.ok && refused.name !== 'AccessDeniedException' && refused.status === undefined, `an endpoint that does not admit the page's origin is unreadable to it (Chromium's CORS error: ${refused.name}: ${String(refused.message).slice(0, 80)})`);
  const keys = await (await fetch(`${elsewhere.url}/`, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' })).json();
  check(Array.isArray(keys.Keys) && keys.Keys.length === 0, 'and the refused page created no key there');

  for (const p of problems) fail(p);
  for (const u of outside) fail(`the page contacted ${u}`);
  if (!failed) log('PASSED: a page on another loopback port round-trips Encrypt/ReEncrypt/Decrypt through @aws-sdk/client-kms in Chromium, with and without SigV4 verification');
}

main()
  .catch((e) => fail(e?.stack ?? String(e)))
  .finally(async () => {
    await cleanup();
    clearTimeout(watchdog);
    if (failed) console.error('[test:cors] FAILED');
    process.exit(failed ? 1 : 0);
  });
