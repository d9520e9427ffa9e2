// Generates vectors/symmetric-v2-sm4.json: known-answer vectors for envelope v2 (SM4-GCM under
// a 128-bit backing key, HMAC-SM3 KDF; China Regions' SYMMETRIC_DEFAULT; vectors/FORMAT.md §7–§11).
// Run: npm run vectors:v2. Published vectors are frozen: this script refuses to overwrite an
// existing file unless --force is given, and a later format gets a new file.
import { existsSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Kms, InMemoryKeyStore } from 'kms-core';

const out = new URL('../vectors/symmetric-v2-sm4.json', import.meta.url);
if (existsSync(out) && !process.argv.includes('--force')) {
  console.error('vectors/symmetric-v2-sm4.json exists and is frozen; refusing to overwrite (use --force only before publication).');
  process.exit(1);
}

// Deterministic bytes: SHA-256("kms-core vectors v2" ‖ label ‖ counter), concatenated.
function stream(label) {
  let counter = 0;
  return (n) => {
    const outb = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const h = createHash('sha256').update(`kms-core vectors v2/${label}/${counter++}`).digest();
      outb.set(h.subarray(0, Math.min(32, n - o)), o);
    }
    return outb;
  };
}
const hex = (b) => Buffer.from(b).toString('hex');
const b64 = (b) => Buffer.from(b).toString('base64');

const T0 = new Date('2026-12-01T00:00:00Z');
function keyJson(keyId, account, region, materials) {
  return {
    KeyId: keyId,
    Arn: `arn:aws-cn:kms:${region}:${account}:key/${keyId}`,
    AccountId: account,
    Region: region,
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    Origin: 'AWS_KMS',
    Description: 'kms-core envelope v2 (SM4) known-answer vector key',
    MultiRegion: keyId.startsWith('mrk-'),
    CreationDate: T0.toISOString(),
    KeyState: 'Enabled',
    RotationEnabled: false,
    KeyMaterial: materials.map((m, i) => ({
      KeyMaterialId: hex(stream(`id/${keyId}/${i}`)(32)),
      // 16 bytes: an SM4 backing key (a 32-byte one would seal envelope v1).
      Material: b64(stream(`hbk/${keyId}/${i}`)(16)),
      CreatedAt: new Date(T0.getTime() + i * 86_400_000).toISOString(),
      ...(i > 0 ? { RotationType: 'ON_DEMAND' } : {}),
    })),
  };
}

const snapshot = {
  format: 'kms-core/key-store',
  version: 1,
  keys: [
    keyJson('5b0a6c1e-7d2f-4e8a-9c3b-1f2e3d4c5b6a', '111122223333', 'cn-north-1', [0]),
    keyJson('c4d3e2f1-a0b9-4c8d-8e7f-6a5b4c3d2e1f', '111122223333', 'cn-north-1', [0, 1]),
    keyJson('mrk-0f1e2d3c4b5a69788796a5b4c3d2e1f0', '444455556666', 'cn-northwest-1', [0]),
  ],
  aliases: [],
};

const cases = [
  { name: 'one byte, no context', key: 0, plaintext: Uint8Array.of(0x2a), context: {} },
  { name: 'empty context given as {}', key: 0, plaintext: new TextEncoder().encode('你好, kms-core SM4'), context: {} },
  {
    name: 'unicode context: surrogate pairs, keys whose UTF-16 and UTF-8 orders differ',
    key: 0,
    plaintext: new TextEncoder().encode('Grüße, 世界 😀'),
    // UTF-16 order puts "😀" (D83D…) before "｡" (FF61); UTF-8 order puts "｡" (EF…) first.
    context: { '😀': 'grinning', '｡': 'halfwidth stop', a: '', 区域: '北京', '𝄞clef': '♪' },
  },
  { name: '4096-byte plaintext', key: 0, plaintext: stream('pt4096')(4096), context: { purpose: 'max size' } },
  { name: 'block-boundary plaintext (16 bytes)', key: 0, plaintext: stream('pt16')(16), context: { n: '16' } },
  { name: 'rotated key: ciphertext under the older, NON_CURRENT backing key', key: 1, material: 0, plaintext: new TextEncoder().encode('before rotation'), context: { stage: 'old' } },
  { name: 'rotated key: ciphertext under the CURRENT backing key', key: 1, material: 1, plaintext: new TextEncoder().encode('after rotation'), context: { stage: 'new' } },
  { name: 'multi-Region key of another account in cn-northwest-1 (key-ID form 0x02)', key: 2, plaintext: new TextEncoder().encode('mrk'), context: { tenant: '42' } },
];

const vectors = [];
for (const [i, c] of cases.entries()) {
  const draws = stream(`case/${i}`);
  const random = [];
  const rec = (n) => {
    const b = draws(n);
    random.push(hex(b));
    return b;
  };
  // A snapshot in which the key's material ends at the version this case encrypts under.
  const snap = structuredClone(snapshot);
  const keyJ = snap.keys[c.key];
  if (c.material !== undefined) keyJ.KeyMaterial = keyJ.KeyMaterial.slice(0, c.material + 1);
  const store = InMemoryKeyStore.fromSnapshot(snap);
  const kms = new Kms({ accountId: keyJ.AccountId, region: keyJ.Region, keyStore: store, random: rec, now: () => T0 });
  const enc = await kms.encrypt({ KeyId: keyJ.Arn, Plaintext: c.plaintext, EncryptionContext: c.context });
  if (enc.CiphertextBlob[1] !== 0x02) throw new Error(`case ${c.name}: not an envelope v2 blob`);
  vectors.push({
    name: c.name,
    keyArn: keyJ.Arn,
    keyMaterialId: keyJ.KeyMaterial[keyJ.KeyMaterial.length - 1].KeyMaterialId,
    encryptionContext: c.context,
    plaintext: b64(c.plaintext),
    random,
    ciphertext: b64(enc.CiphertextBlob),
  });
}

const doc = {
  description:
    'kms-core envelope v2 known-answer vectors: SM4-GCM under 128-bit SM4 backing keys with an HMAC-SM3 KDF, China Regions\' SYMMETRIC_DEFAULT (see vectors/FORMAT.md, "Format version 2"). keyStore is a kms-core key-store snapshot holding the test keys; each vector encrypts plaintext under keyArn with encryptionContext, drawing `random` in order (derivation nonce, then IV). Replay: decrypt(ciphertext) == plaintext; encrypt with the same random == ciphertext. Frozen: never edit, add a new file for a new format.',
  format: 'kms-core envelope',
  version: 2,
  keyStore: snapshot,
  vectors,
};
writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
console.log(`wrote ${vectors.length} vectors to vectors/symmetric-v2-sm4.json`);
