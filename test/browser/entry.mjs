/**
 * Browser entry of the Chromium suite (bundled by scripts/test-browser.mjs with esbuild for
 * platform 'browser'). Plain JS on purpose: it imports the package by its name, 'kms-core', so
 * the bundle goes through package.json "exports"/"imports" exactly as an application's would,
 * and `npm run typecheck` does not need dist/.
 *
 * One bundle, three roles, chosen at load time:
 *   - in a dedicated Web Worker: run the suite, postMessage the report;
 *   - in a page at /?mode=worker: start that worker (module type) and relay its report;
 *   - in a page at /?mode=page: run the suite in the page.
 * The page exposes `globalThis.__kmsReport`, a promise of the report, for the runner.
 */
import * as lib from 'kms-core';
import { runSuite } from './suite.ts';

async function loadInput() {
  const res = await fetch('/input.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET /input.json: HTTP ${res.status}`);
  return res.json();
}

const describe = (e) => (e && e.stack ? String(e.stack) : String(e));
const isWorker = typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope;

if (isWorker) {
  loadInput()
    .then((input) => runSuite(lib, input, 'worker'))
    .then(
      (report) => postMessage({ report }),
      (e) => postMessage({ fatal: describe(e) }),
    );
} else {
  const mode = new URLSearchParams(location.search).get('mode');
  globalThis.__kmsReport = new Promise((resolve) => {
    if (mode === 'page') {
      loadInput()
        .then((input) => runSuite(lib, input, 'page'))
        .then(
          (report) => resolve({ report }),
          (e) => resolve({ fatal: describe(e) }),
        );
    } else if (mode === 'worker') {
      const w = new Worker(new URL(import.meta.url), { type: 'module', name: 'kms-core-suite' });
      w.onmessage = (ev) => resolve(ev.data);
      w.onerror = (ev) => {
        ev.preventDefault?.();
        resolve({ fatal: `worker error: ${ev.message || 'failed to load'} (${ev.filename || '?'}:${ev.lineno || '?'})` });
      };
      w.onmessageerror = () => resolve({ fatal: 'worker message could not be deserialized' });
    } else {
      resolve({ fatal: `unknown mode ${JSON.stringify(mode)}` });
    }
  });
}
