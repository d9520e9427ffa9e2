import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Kms } from 'kms-core';
import { FileKeyStore } from './dist/server/file-store.js';
const mk = async (n) => { const d = mkdtempSync('/tmp/exp-'); const s = await FileKeyStore.open(join(d, 'keystore.us-east-1.json'), { region: 'us-east-1' }); const k = new Kms({ keyStore: s }); await Promise.all(Array.from({ length: 64 }, async (_, w) => { for (let i = w; i < n; i += 64) await k.createKey({}); })); await s.compact(); return k; };
const subjects = [await mk(100), await mk(10000), await mk(100)];
for (let round = 0; round < 3; round++) {
  for (const [i, k] of subjects.entries()) {
    const ts = [];
    for (let j = 0; j < 30; j++) { const t = performance.now(); await k.createKey({}); ts.push(performance.now() - t); }
    ts.sort((a, b) => a - b);
    console.log(round, i, 'median', ts[15].toFixed(2));
  }
}
