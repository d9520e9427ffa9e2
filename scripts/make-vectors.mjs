// Generates vectors/symmetric-v1.json: known-answer vectors for envelope v1.
// Run: npm run vectors. Published vectors are frozen: this script refuses to overwrite an
// existing file unless --force is given, and a later format gets a new file.
import { existsSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Kms, InMemoryKeyStore } from 'kms-core';

const out = new URL('../vectors/symmetric-v1.json', import.meta.url);
if (existsSync(out) && !process.argv.includes('--force')) {
  console.error('vectors/symmetric-v1.json exists and is frozen; refusing to overwrite (use --force only before publication).');
  process.exit(1);
}

// Deterministic bytes: SHA-256("kms-core vectors" ‖ label ‖ counter), concatenated.
function stream(label) {
  let counter = 0;
  return (n) => {
    const outb = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const h = createHash('sha256').update(`kms-core vectors/${label}/${counter++}`).digest();
      outb.set(h.subarray(0, Math.min(32, n - o)), o);
    }
    return outb;
  };
}
const hex = (b) => Buffer.from(b).toString('hex');
const b64 = (b) => Buffer.from(b).toString('base64');

const T0 = new Date('2026-01-01T00:00:00Z');
const base = {
  format: 'kms-core/key-store',
  version: 1,
  keys: [],
  aliases: [],
};
function keyJson(keyId, account, region, materials) {
  const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws';
  return {
    KeyId: keyId,
    Arn: `arn:${partition}:kms:${region}:${account}:key/${keyId}`,
    AccountId: account,
    Region: region,
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    Origin: 'AWS_KMS',
    Description: 'kms-core known-answer vector key',
    MultiRegion: keyId.startsWith('mrk-'),
    CreationDate: T0.toISOString(),
    KeyState: 'Enabled',
    RotationEnabled: false,
    KeyMaterial: materials.map((m, i) => ({
      KeyMaterialId: hex(stream(`id/${keyId}/${i}`)(32)),
      Material: b64(stream(`hbk/${keyId}/${i}`)(32)),
      CreatedAt: new Date(T0.getTime() + i * 86_400_000).toISOString(),
      ...(i > 0 ? { RotationType: 'ON_DEMAND' } : {}),
    })),
  };
}

const snapshot = {
  ...base,
  keys: [
    keyJson('1234abcd-12ab-34cd-56ef-1234567890ab', '111122223333', 'us-east-1', [0]),
    keyJson('0987dcba-09fe-87dc-65ba-ab0987654321', '111122223333', 'us-east-1', [0, 1]),
    keyJson('mrk-1234abcd12ab34cd56ef1234567890ab', '444455556666', 'us-east-1', [0]),
  ],
};

const cases = [
  { name: 'one byte, no context', key: 0, plaintext: Uint8Array.of(0x2a), context: {} },
  { name: 'empty context given as {}', key: 0, plaintext: new TextEncoder().encode('hello, kms-core'), context: {} },
  {
    name: 'unicode context: surrogate pairs, keys whose UTF-16 and UTF-8 orders differ',
    key: 0,
    plaintext: new TextEncoder().encode('Grüße, 世界 😀'),
    // UTF-16 order puts "😀" (D83D…) before "｡" (FF61); UTF-8 order puts "｡" (EF…) first.
    context: { '😀': 'grinning', '｡': 'halfwidth stop', a: '', 'Ζ': 'ζήτα', '𝄞clef': '♪' },
  },
  { name: '4096-byte plaintext', key: 0, plaintext: stream('pt4096')(4096), context: { purpose: 'max size' } },
  { name: 'rotated key: ciphertext under the older, NON_CURRENT backing key', key: 1, material: 0, plaintext: new TextEncoder().encode('before rotation'), context: { stage: 'old' } },
  { name: 'rotated key: ciphertext under the CURRENT backing key', key: 1, material: 1, plaintext: new TextEncoder().encode('after rotation'), context: { stage: 'new' } },
  { name: 'multi-Region key of another account (key-ID form 0x02)', key: 2, plaintext: new TextEncoder().encode('mrk'), context: { tenant: '42' } },
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
    'kms-core envelope v1 known-answer vectors (see vectors/FORMAT.md). keyStore is a kms-core key-store snapshot holding the test keys; each vector encrypts plaintext under keyArn with encryptionContext, drawing `random` in order (derivation nonce, then IV). Replay: decrypt(ciphertext) == plaintext; encrypt with the same random == ciphertext. Frozen: never edit, add a new file for a new format.',
  format: 'kms-core envelope',
  version: 1,
  keyStore: snapshot,
  vectors,
};
writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
console.log(`wrote ${vectors.length} vectors to vectors/symmetric-v1.json`);
