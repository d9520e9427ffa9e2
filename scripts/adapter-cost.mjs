// The protocol adapter's own cost per ReEncrypt, in process (issue 14: "the adapter's own cost
// per ReEncrypt ≤ 60 µs"): handle('TrentService.ReEncrypt', JSON body) against kms.reEncrypt on
// the same input, interleaved in rounds; the difference of the medians is what parsing, the
// model walk, base64 both ways and JSON.stringify cost.
//
//   npm run build && node scripts/adapter-cost.mjs [dist-dir] [--size 4096] [--pairs 2]
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const flag = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const dist = resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? new URL('../dist', import.meta.url).pathname);
const size = flag('--size', 4096);
const pairs = flag('--pairs', 2);
const { Kms, createProtocolHandler } = await import(pathToFileURL(`${dist}/index.js`).href);
const { nodeBackend } = await import(pathToFileURL(`${dist}/backend/node.js`).href);

const kms = new Kms({ backend: nodeBackend });
const a = (await kms.createKey()).KeyMetadata;
const b = (await kms.createKey()).KeyMetadata;
const ctx = Object.fromEntries(Array.from({ length: pairs }, (_, i) => [`key-${i}`, `value-${i}-${'x'.repeat(8)}`]));
const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: randomBytes(size), EncryptionContext: ctx });
const input = { CiphertextBlob, SourceEncryptionContext: ctx, DestinationKeyId: b.KeyId, DestinationEncryptionContext: ctx };
const body = JSON.stringify({ ...input, CiphertextBlob: Buffer.from(CiphertextBlob).toString('base64') });
const { handle } = createProtocolHandler({ kms, requestId: () => '00000000-0000-4000-8000-000000000000' });

const check = await handle('TrentService.ReEncrypt', body);
if (check.status !== 200) throw new Error(check.body);

async function perOp(fn, n) {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t) * 1000) / n;
}
const direct = () => kms.reEncrypt(input);
const wire = () => handle('TrentService.ReEncrypt', body);
for (let i = 0; i < 3; i++) {
  await perOp(direct, 2000);
  await perOp(wire, 2000);
}
const d = [];
const w = [];
for (let r = 0; r < 15; r++) {
  d.push(await perOp(direct, 1000));
  w.push(await perOp(wire, 1000));
}
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const md = median(d);
const mw = median(w);
console.log(`${dist}: ReEncrypt ${size} B, ${pairs}-pair contexts: kms.reEncrypt ${md.toFixed(1)} µs/op, handle() ${mw.toFixed(1)} µs/op, adapter ${(mw - md).toFixed(1)} µs/op`);
