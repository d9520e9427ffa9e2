/**
 * The HMAC, key-agreement and ML-KEM layer runs outside Node: src/algorithms/{mac,ecdh,ml-kem}.ts
 * with the WebCrypto and noble backends are bundled by esbuild for `platform: 'browser'` (a
 * `node:*` import anywhere in their graph fails the build) and run
 *   1. in a bare `vm` context with only browser globals (WebCrypto, TextEncoder), always;
 *   2. in Chromium (playwright-core) when one is installed; otherwise the test name says so.
 * The scenario's results are compared with what node:crypto computes here.
 */
import { build } from 'esbuild';
import { createECDH, createHmac, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const ENTRY = `
import { MAC_ALGORITHMS, HMAC_KEY_SPECS, generateMac, verifyMac } from './src/algorithms/mac.ts';
import { ecdh } from './src/algorithms/ecdh.ts';
import { KEY_SPECS } from './src/algorithms/registry.ts';
import { ML_KEM_KEY_SPECS, mlKem } from './src/algorithms/ml-kem.ts';
import { webBackend } from './src/backend/web.ts';
import { nobleBackend } from './src/backend/noble.ts';
import { MaterialCache } from './src/keys/material-cache.ts';
import { defaultRandom } from './src/random.ts';
export { MAC_ALGORITHMS, HMAC_KEY_SPECS, generateMac, verifyMac, KEY_SPECS, ecdh, ML_KEM_KEY_SPECS, mlKem, webBackend, nobleBackend, MaterialCache, defaultRandom };
`;

async function bundle(): Promise<string> {
  const out = await build({
    stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: 'layer',
    target: 'es2022',
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** Runs in the target runtime (self-contained: it is serialized into Chromium). Hex in, hex out. */
async function scenario(L: any, input: { hmacKey: string; msg: string; peerSpki: string }): Promise<Record<string, unknown>> {
  const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
  const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const out: Record<string, unknown> = {};
  for (const backend of [L.webBackend, L.nobleBackend]) {
    const cache = new L.MaterialCache();
    const env = {
      backend,
      random: L.defaultRandom,
      keyObject: (bk: unknown, kind: string, make: (b: unknown) => unknown) => cache.get(bk, kind, (b: unknown) => Promise.resolve().then(() => make(b))),
      memo: (bk: unknown, kind: string, make: (b: unknown) => unknown) => cache.get(bk, kind, make),
    };
    const r: Record<string, unknown> = {};
    const hk = { id: 'a'.repeat(64), material: hex(input.hmacKey), createdAt: 0 };
    for (const name of ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512']) {
      const mac = await L.generateMac(env, L.MAC_ALGORITHMS[name], hk, hex(input.msg));
      const flipped = Uint8Array.from(mac);
      flipped[0]! ^= 1;
      r[name] = [toHex(mac), await L.verifyMac(env, L.MAC_ALGORITHMS[name], hk, hex(input.msg), mac), await L.verifyMac(env, L.MAC_ALGORITHMS[name], hk, hex(input.msg), flipped)];
    }
    const ek = await L.KEY_SPECS.ECC_NIST_P256.generate(env, 0);
    r.ecdh = [toHex(ek.publicKey), toHex(await L.ecdh.deriveSharedSecret(env, 'ECC_NIST_P256', ek, hex(input.peerSpki)))];
    try {
      await L.ecdh.deriveSharedSecret(env, 'ECC_NIST_P256', ek, hex(input.peerSpki).subarray(1));
      r.ecdhBad = 'accepted';
    } catch (e) {
      r.ecdhBad = (e as Error).name;
    }
    const kk = await L.ML_KEM_KEY_SPECS.ML_KEM_768.generate(env, 0);
    const { sharedSecret, ciphertext } = await L.mlKem.encapsulate(env, 'ML_KEM_768', kk);
    const back = await L.mlKem.decapsulate(env, 'ML_KEM_768', kk, ciphertext);
    r.mlkem = [ciphertext.length, sharedSecret.length, toHex(back) === toHex(sharedSecret), await L.mlKem.decapsulate(env, 'ML_KEM_768', kk, ciphertext.subarray(1))];
    out[backend.name] = r;
  }
  return out;
}

function expectedFromNode(result: Record<string, any>, input: { hmacKey: string; msg: string; peerSpki: string }, peer: ReturnType<typeof generateKeyPairSync>) {
  for (const name of ['webcrypto', 'noble']) {
    const r = result[name];
    for (const [alg, hash] of [['HMAC_SHA_224', 'sha224'], ['HMAC_SHA_256', 'sha256'], ['HMAC_SHA_384', 'sha384'], ['HMAC_SHA_512', 'sha512']] as const) {
      expect(r[alg], `${name} ${alg}`).toEqual([createHmac(hash, Buffer.from(input.hmacKey, 'hex')).update(Buffer.from(input.msg, 'hex')).digest('hex'), true, false]);
    }
    const [ourSpki, shared] = r.ecdh as [string, string];
    const theirs = diffieHellman({ privateKey: peer.privateKey, publicKey: createPublicKey({ key: Buffer.from(ourSpki, 'hex'), format: 'der', type: 'spki' }) });
    expect(shared, `${name} ECDH`).toBe(theirs.toString('hex'));
    expect(r.ecdhBad).toBe('ValidationException');
    expect(r.mlkem).toEqual([1088, 32, true, undefined]);
  }
}

function findChromium(): string | undefined {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']) {
    if (p && existsSync(p)) return p;
  }
  return undefined;
}
const CHROMIUM = findChromium();

describe('HMAC, ECDH and ML-KEM outside Node (WebCrypto and noble backends)', () => {
  const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const input = {
    hmacKey: createECDH('prime256v1').generateKeys('hex').slice(2, 66),
    msg: Buffer.from('message from the browser').toString('hex'),
    peerSpki: (peer.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).toString('hex'),
  };

  test('bundles for the browser (no node:*) and agrees with node:crypto in a context with only browser globals', async ({ task }) => {
    if (task.file.projectName !== 'node') {
      expect(task.file.projectName).toBe('webcrypto');
      return;
    }
    const code = await bundle();
    const ctx = createContext({ crypto: globalThis.crypto, TextEncoder, TextDecoder, console });
    runInContext(code, ctx);
    expect(runInContext('typeof process + typeof Buffer + typeof require', ctx)).toBe('undefinedundefinedundefined');
    // The scenario runs inside the context, so that every Uint8Array is of its realm (as in a page).
    expectedFromNode(await runInContext(`(${scenario.toString()})(layer, ${JSON.stringify(input)})`, ctx), input, peer);
  });

  test(CHROMIUM ? `runs in Chromium (${CHROMIUM})` : 'runs in Chromium: NOT RUN — no Chromium installed (set CHROMIUM_PATH)', async ({ task }) => {
    if (task.file.projectName !== 'node') {
      expect(task.file.projectName).toBe('webcrypto');
      return;
    }
    if (!CHROMIUM) {
      console.warn('mac-agreement-kem.browser.test.ts: no Chromium found; the layer ran in the bare vm context only');
      expect(findChromium()).toBeUndefined();
      return;
    }
    const code = await bundle();
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.route('http://localhost/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>kms-core</title>' }));
      await page.goto('http://localhost/');
      await page.addScriptTag({ content: code });
      const result = (await page.evaluate(`(${scenario.toString()})(globalThis.layer, ${JSON.stringify(input)})`)) as Record<string, unknown>;
      expectedFromNode(result, input, peer);
    } finally {
      await browser.close();
    }
  });
});
