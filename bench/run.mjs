// npm run bench: every row beside its baseline measured in the same run, with the ratio, then
// the key-store section (bench/stores.mjs; alone: npm run bench -- stores).
// Writes bench/results.json and bench/results.svg. Run on a quiet machine; only same-run
// ratios mean anything (2 cores, noisy).
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InMemoryKeyStore, Kms, webBackend } from 'kms-core';
import { nodeBackend } from 'kms-core/backend/node';
import { nodeRsaDecrypt, nodeRsaEncrypt, nodeSym, webSealOpen } from './baselines.mjs';
import { compare } from './harness.mjs';
import { svgChart } from './chart.mjs';

const sm2js = createRequire(import.meta.url)('sm-crypto').sm2;
const quick = process.argv.includes('--quick');

// `npm run bench -- stores`: the key-store section alone (bench/stores.mjs), merged into results.json.
if (process.argv.includes('stores')) {
  const { runStores } = await import('./stores.mjs');
  const stores = await runStores({ quick });
  const file = new URL('./results.json', import.meta.url);
  let previous = {};
  try {
    previous = JSON.parse(readFileSync(file, 'utf8'));
  } catch {}
  writeFileSync(file, JSON.stringify({ ...previous, stores }, null, 2) + '\n');
  console.log(`\nwrote the stores section of bench/results.json (${stores.seconds.toFixed(0)} s)`);
  process.exit(0);
}
const MS = quick ? 150 : 500;
const rows = [];
const t0 = performance.now();

function print(r) {
  const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).padStart(9);
  const target = r.target ? `  target ≥ ${r.target}× ${r.ratio >= r.target ? 'met' : `MISSED by ${((1 - r.ratio / r.target) * 100).toFixed(0)}%`}` : '';
  console.log(`${r.name.padEnd(44)} ${f(r.subject)} ops/s  ${r.baselineName.padEnd(40)} ${f(r.baseline)} ops/s  ${r.ratio.toFixed(2).padStart(5)}×${target}`);
}

async function row(name, subject, baselineName, baseline, target) {
  const r = { name, baselineName, target, ...(await compare(subject, baseline, { ms: MS })) };
  rows.push(r);
  print(r);
}

const KiB = (n) => n * 1024;
const label = (n) => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);
const aad = randomBytes(88);

// ── keys ──
const kms = new Kms({ backend: nodeBackend }); // the node condition picks nodeBackend anyway
const cn = new Kms({ backend: nodeBackend, region: 'cn-north-1' });
const webKms = new Kms({ backend: webBackend });
const symA = (await kms.createKey()).KeyMetadata;
const symB = (await kms.createKey()).KeyMetadata;
const webA = (await webKms.createKey()).KeyMetadata;
const webB = (await webKms.createKey()).KeyMetadata;
const cnSym = (await cn.createKey()).KeyMetadata;
const rsa = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata;
const sm2 = (await cn.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata;

const rsaPub = createPublicKey({ key: Buffer.from((await kms.getPublicKey({ KeyId: rsa.KeyId })).PublicKey), format: 'der', type: 'spki' });
const rsaPriv = createPrivateKey({ key: randomRsaPrivate(), format: 'der', type: 'pkcs8' });
function randomRsaPrivate() {
  // Baseline key of the same size (the kms-core key's private half stays in its store).
  const { generateKeyPairSync } = createRequire(import.meta.url)('node:crypto');
  return generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'der' }, publicKeyEncoding: { type: 'spki', format: 'der' } }).privateKey;
}
const sm2Keys = sm2js.generateKeyPairHex();

const sym = nodeSym(randomBytes(32));
const web = await webSealOpen(randomBytes(32));
const rsaEnc = nodeRsaEncrypt(rsaPub);
const rsaDec = nodeRsaDecrypt(rsaPriv);
const rsaCt = rsaEnc(randomBytes(32));
const pubFromPriv = createPublicKey(rsaPriv);
const rsaCtOwn = nodeRsaEncrypt(pubFromPriv)(randomBytes(32));

console.log(`kms-core benchmark — node ${process.version}, ${quick ? 'quick' : 'full'} run, each row interleaved with its baseline\n`);
console.log(`${'kms-core'.padEnd(44)} ${'rate'.padStart(15)}  ${'baseline (same run)'.padEnd(40)} ${'rate'.padStart(15)}  ratio`);

// ── ReEncrypt ──
for (const n of [32, KiB(1), KiB(4)]) {
  const pt = randomBytes(n);
  const blob = (await kms.encrypt({ KeyId: symA.KeyId, Plaintext: pt })).CiphertextBlob;
  const sealed = sym.seal(pt, aad);
  await row(`ReEncrypt sym→sym ${label(n)} (node)`, () => kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: symB.KeyId }), 'node:crypto 2×HMAC + GCM dec + enc', () => {
    const p = sym.open(sealed, aad);
    sym.seal(p, aad);
  }, n === KiB(4) ? 0.85 : undefined);
}
for (const n of [32, KiB(1), KiB(4)]) {
  const pt = randomBytes(n);
  const blob = (await webKms.encrypt({ KeyId: webA.KeyId, Plaintext: pt })).CiphertextBlob;
  const sealed = await web.seal(pt, aad);
  await row(`ReEncrypt sym→sym ${label(n)} (webcrypto)`, () => webKms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: webB.KeyId }), 'WebCrypto 2×HMAC + GCM dec + enc', async () => {
    const p = await web.open(sealed, aad);
    await web.seal(p, aad);
  }, 0.8);
}
{
  // RSA_2048 OAEP-SHA-256 carries at most 190 bytes: 32 B is the only size of the three that fits.
  const pt = randomBytes(32);
  const symBlob = (await kms.encrypt({ KeyId: symA.KeyId, Plaintext: pt })).CiphertextBlob;
  const rsaBlob = (await kms.encrypt({ KeyId: rsa.KeyId, Plaintext: pt, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).CiphertextBlob;
  const sealed = sym.seal(pt, aad);
  await row('ReEncrypt sym→RSA_2048 32 B', () => kms.reEncrypt({ CiphertextBlob: symBlob, DestinationKeyId: rsa.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'node HMAC + GCM dec + publicEncrypt', () => rsaEnc(sym.open(sealed, aad)));
  await row('ReEncrypt RSA_2048→sym 32 B', () => kms.reEncrypt({ CiphertextBlob: rsaBlob, SourceKeyId: rsa.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: symB.KeyId }), 'node privateDecrypt + HMAC + GCM enc', () => sym.seal(rsaDec(rsaCtOwn), aad), 0.9);
}
for (const n of [32, KiB(1)]) {
  // SM2PKE carries at most 1024 bytes.
  const pt = randomBytes(n);
  const smBlob = (await cn.encrypt({ KeyId: sm2.KeyId, Plaintext: pt, EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob;
  const symBlob = (await cn.encrypt({ KeyId: cnSym.KeyId, Plaintext: pt })).CiphertextBlob;
  const smCt = sm2js.doEncrypt([...pt], sm2Keys.publicKey, 1);
  const sealed = sym.seal(pt, aad);
  await row(`ReEncrypt SM2→sym ${label(n)}`, () => cn.reEncrypt({ CiphertextBlob: smBlob, SourceKeyId: sm2.KeyId, SourceEncryptionAlgorithm: 'SM2PKE', DestinationKeyId: cnSym.KeyId }), 'sm-crypto decrypt + HMAC + GCM enc', () => sym.seal(Buffer.from(sm2js.doDecrypt(smCt, sm2Keys.privateKey, 1, { output: 'array' })), aad), 5);
  await row(`ReEncrypt sym→SM2 ${label(n)}`, () => cn.reEncrypt({ CiphertextBlob: symBlob, DestinationKeyId: sm2.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' }), 'HMAC + GCM dec + sm-crypto encrypt', () => sm2js.doEncrypt([...sym.open(sealed, aad)], sm2Keys.publicKey, 1));
}

// ── Encrypt / Decrypt / GenerateDataKey ──
{
  const pt = randomBytes(KiB(4));
  const blob = (await kms.encrypt({ KeyId: symA.KeyId, Plaintext: pt })).CiphertextBlob;
  const sealed = sym.seal(pt, aad);
  await row('Encrypt sym 4 KiB', () => kms.encrypt({ KeyId: symA.KeyId, Plaintext: pt }), 'node:crypto HMAC + GCM enc', () => sym.seal(pt, aad));
  await row('Decrypt sym 4 KiB', () => kms.decrypt({ CiphertextBlob: blob }), 'node:crypto HMAC + GCM dec', () => sym.open(sealed, aad));
  await row('GenerateDataKey AES_256', () => kms.generateDataKey({ KeyId: symA.KeyId, KeySpec: 'AES_256' }), 'randomBytes(32) + HMAC + GCM enc', () => sym.seal(randomBytes(32), aad));
  const smPt = randomBytes(32);
  const smBlob = (await cn.encrypt({ KeyId: sm2.KeyId, Plaintext: smPt, EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob;
  const smCt = sm2js.doEncrypt([...smPt], sm2Keys.publicKey, 1);
  await row('Encrypt SM2PKE 32 B', () => cn.encrypt({ KeyId: sm2.KeyId, Plaintext: smPt, EncryptionAlgorithm: 'SM2PKE' }), 'sm-crypto doEncrypt', () => sm2js.doEncrypt([...smPt], sm2Keys.publicKey, 1));
  await row('Decrypt SM2PKE 32 B', () => cn.decrypt({ CiphertextBlob: smBlob, KeyId: sm2.KeyId, EncryptionAlgorithm: 'SM2PKE' }), 'sm-crypto doDecrypt', () => sm2js.doDecrypt(smCt, sm2Keys.privateKey, 1, { output: 'array' }), 5);
  const rsaPt = randomBytes(32);
  const rsaBlob = (await kms.encrypt({ KeyId: rsa.KeyId, Plaintext: rsaPt, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).CiphertextBlob;
  await row('Decrypt RSA_2048 OAEP-SHA-256', () => kms.decrypt({ CiphertextBlob: rsaBlob, KeyId: rsa.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'node privateDecrypt', () => rsaDec(rsaCtOwn));
  await row('Encrypt RSA_2048 OAEP-SHA-256', () => kms.encrypt({ KeyId: rsa.KeyId, Plaintext: rsaPt, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'node publicEncrypt', () => rsaEnc(rsaPt));
}

await (await import('./mac-kem.mjs')).macKemRows(row); // GenerateMac, DeriveSharedSecret, Decapsulate: bench/mac-kem.mjs

// ── SM4 envelope (v2: HMAC-SM3 KDF, SM4-GCM; China Regions) vs AES envelope (v1), same run ──
{
  // An SM4 key is one with a 16-byte backing key (vectors/FORMAT.md §7); a snapshot makes one
  // whatever Region createKey runs in.
  const now = new Date().toISOString();
  const sm4Id = 'c4d3e2f1-a0b9-4c8d-8e7f-6a5b4c3d2e1f';
  const sm4Store = InMemoryKeyStore.fromSnapshot({
    format: 'kms-core/key-store',
    version: 1,
    aliases: [],
    keys: [{
      KeyId: sm4Id, Arn: `arn:aws-cn:kms:cn-north-1:111122223333:key/${sm4Id}`, AccountId: '111122223333', Region: 'cn-north-1',
      KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS', Description: 'bench SM4', MultiRegion: false,
      CreationDate: now, KeyState: 'Enabled', RotationEnabled: false,
      KeyMaterial: [{ KeyMaterialId: randomBytes(32).toString('hex'), Material: randomBytes(16).toString('base64'), CreatedAt: now }],
    }],
  });
  const sm4Kms = new Kms({ backend: nodeBackend, region: 'cn-north-1', keyStore: sm4Store });
  for (const n of [32, KiB(4)]) {
    const pt = randomBytes(n);
    const sm4Blob = (await sm4Kms.encrypt({ KeyId: sm4Id, Plaintext: pt })).CiphertextBlob;
    const aesBlob = (await kms.encrypt({ KeyId: symA.KeyId, Plaintext: pt })).CiphertextBlob;
    await row(`Encrypt SM4 envelope v2 ${label(n)}`, () => sm4Kms.encrypt({ KeyId: sm4Id, Plaintext: pt }), 'Encrypt AES envelope v1 (node)', () => kms.encrypt({ KeyId: symA.KeyId, Plaintext: pt }));
    await row(`Decrypt SM4 envelope v2 ${label(n)}`, () => sm4Kms.decrypt({ CiphertextBlob: sm4Blob }), 'Decrypt AES envelope v1 (node)', () => kms.decrypt({ CiphertextBlob: aesBlob }));
  }
}

// ── RSA key generation (no baseline: a time per size) ──
const keygen = {};
for (const bits of [2048, 3072, 4096]) {
  const n = quick ? 1 : bits === 4096 ? 2 : 4;
  const t = performance.now();
  for (let i = 0; i < n; i++) await kms.createKey({ KeySpec: `RSA_${bits}`, KeyUsage: 'ENCRYPT_DECRYPT' });
  keygen[`RSA_${bits}`] = (performance.now() - t) / n;
}
console.log(`\nRSA key generation (node backend, mean ms per key): ${Object.entries(keygen).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`);

// ── Memory: heap after 10^6 sym→sym ReEncrypts vs after 10^4 ──
const total = quick ? 100_000 : 1_000_000;
const memKms = new Kms({ backend: nodeBackend, keyStore: new InMemoryKeyStore() });
const ma = (await memKms.createKey()).KeyMetadata;
const mb = (await memKms.createKey()).KeyMetadata;
const mblob = (await memKms.encrypt({ KeyId: ma.KeyId, Plaintext: randomBytes(KiB(4)) })).CiphertextBlob;
const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
let heapSmall = 0;
const tm = performance.now();
for (let i = 1; i <= total; i++) {
  await memKms.reEncrypt({ CiphertextBlob: mblob, DestinationKeyId: mb.KeyId });
  if (i === 10_000) heapSmall = heap();
}
const heapLarge = heap();
const memory = { reEncrypts: total, heapAfter1e4MiB: heapSmall, heapAfterAllMiB: heapLarge, deltaMiB: heapLarge - heapSmall, seconds: (performance.now() - tm) / 1000, gcExposed: typeof globalThis.gc === 'function' };
console.log(`memory: heap after 10^4 ReEncrypts ${heapSmall.toFixed(1)} MiB, after ${total.toExponential(0)} ${heapLarge.toFixed(1)} MiB (Δ ${memory.deltaMiB.toFixed(2)} MiB, ${memory.seconds.toFixed(0)} s${memory.gcExposed ? '' : '; run with --expose-gc for exact figures'})`);

// ── Key stores (bench/stores.mjs) ──
const { runStores } = await import('./stores.mjs');
const stores = await runStores({ quick });

const results = { node: process.version, date: new Date().toISOString(), quick, rows, keygenMs: keygen, memory, stores, seconds: (performance.now() - t0) / 1000 };
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
writeFileSync(new URL('./results.svg', import.meta.url), svgChart(rows));
console.log(`\nwrote bench/results.json and bench/results.svg (${results.seconds.toFixed(0)} s)`);
