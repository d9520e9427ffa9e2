/**
 * The protocol adapter runs outside Node: the public index (Kms + createProtocolHandler) is
 * bundled by esbuild for `platform: 'browser'` (a `node:*` import anywhere in its graph fails
 * the build), then run
 *   1. in a bare `vm` context that has only what a browser has (WebCrypto, TextEncoder/Decoder,
 *      no Buffer, no process, no require), always;
 *   2. in Chromium (playwright-core) when a Chromium is installed; when none is, the test says
 *      so in its name and output.
 * Bundling and running do not depend on the vitest project: both run in the `node` project
 * (an explicit check, not a skip).
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The public index as one IIFE (global `kmsCore`), with the WebCrypto default backend. */
async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [`${ROOT}src/index.ts`],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: 'kmsCore',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [
      {
        name: 'default-backend',
        setup(b) {
          b.onResolve({ filter: /^#default-backend$/ }, () => ({ path: `${ROOT}src/backend/default.ts` }));
        },
      },
    ],
  });
  return out.outputFiles[0]!.text;
}

/**
 * Runs in the target runtime: CreateKey → Encrypt → ReEncrypt → Decrypt through `handle`, plus
 * an unknown operation and a mistyped blob. Self-contained (it is serialized into Chromium).
 */
async function scenario(k: any): Promise<Record<string, unknown>> {
  const { handle } = k.createProtocolHandler({ kms: new k.Kms() });
  const call = async (op: string, body: unknown) => {
    const r = await handle(`TrentService.${op}`, JSON.stringify(body));
    return { status: r.status, headers: r.headers, json: JSON.parse(r.body) };
  };
  const a = (await call('CreateKey', {})).json.KeyMetadata;
  const b = (await call('CreateKey', {})).json.KeyMetadata;
  const e = await call('Encrypt', { KeyId: a.KeyId, Plaintext: btoa('hello from the browser'), EncryptionContext: { k: 'v' } });
  const re = await call('ReEncrypt', { CiphertextBlob: e.json.CiphertextBlob, SourceEncryptionContext: { k: 'v' }, DestinationKeyId: b.Arn });
  const d = await call('Decrypt', { CiphertextBlob: re.json.CiphertextBlob });
  const unknown = await call('Nope', {});
  const bad = await call('Encrypt', { KeyId: a.KeyId, Plaintext: 12 });
  return {
    contentType: e.headers['content-type'],
    creationDate: typeof a.CreationDate,
    reKeyId: re.json.KeyId === b.Arn,
    plaintext: atob(d.json.Plaintext),
    unknown: [unknown.status, unknown.json.__type],
    bad: [bad.status, bad.json.__type],
  };
}

const EXPECTED = {
  contentType: 'application/x-amz-json-1.1',
  creationDate: 'number',
  reKeyId: true,
  plaintext: 'hello from the browser',
  unknown: [400, 'UnknownOperationException'],
  bad: [400, 'SerializationException'],
};

function findChromium(): string | undefined {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']) {
    if (p && existsSync(p)) return p;
  }
  return undefined;
}
const CHROMIUM = findChromium();

describe('the protocol adapter outside Node', () => {
  test('bundles for the browser (no node:*) and serves requests in a context with only browser globals', async ({ task }) => {
    if (task.file.projectName !== 'node') {
      expect(task.file.projectName).toBe('webcrypto');
      return;
    }
    const code = await bundle();
    expect(code).toMatch(/createProtocolHandler/);
    const ctx = createContext({ crypto: globalThis.crypto, TextEncoder, TextDecoder, atob, btoa, console });
    runInContext(code, ctx);
    expect(runInContext('typeof process + typeof Buffer + typeof require', ctx)).toBe('undefinedundefinedundefined');
    expect(await scenario(ctx.kmsCore)).toEqual(EXPECTED);
  });

  test(CHROMIUM ? `runs in Chromium (${CHROMIUM})` : 'runs in Chromium: NOT RUN — no Chromium installed (set CHROMIUM_PATH)', async ({ task }) => {
    if (task.file.projectName !== 'node') {
      expect(task.file.projectName).toBe('webcrypto');
      return;
    }
    if (!CHROMIUM) {
      console.warn('protocol.browser.test.ts: no Chromium found; the adapter ran in the bare vm context only');
      expect(findChromium()).toBeUndefined();
      return;
    }
    const code = await bundle();
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      // http://localhost is a secure context (WebCrypto); the page is served by Playwright itself.
      await page.route('http://localhost/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>kms-core</title>' }));
      await page.goto('http://localhost/');
      await page.addScriptTag({ content: code });
      const result = await page.evaluate(`(${scenario.toString()})(globalThis.kmsCore)`);
      expect(result).toEqual(EXPECTED);
    } finally {
      await browser.close();
    }
  });
});
