/**
 * SIGN_VERIFY keys persist: the key-store snapshot (InMemoryKeyStore.exportSnapshot /
 * fromSnapshot) and the journaled FileKeyStore of `kms-core serve --data` keep every signing
 * key spec, so a key loaded again signs what the original verifies and the other way round,
 * with the same public key, KeySpec, KeyUsage and SigningAlgorithms.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type SigningAlgorithmSpec } from '../src/index.js';
import type { KeySpec } from '../src/keys/record.js';
import { FileKeyStore } from '../src/server/file-store.js';
import { hex } from './helpers/signing.js';

const SPECS: [KeySpec, SigningAlgorithmSpec][] = [
  ['RSA_2048', 'RSASSA_PSS_SHA_384'],
  ['ECC_NIST_P256', 'ECDSA_SHA_256'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'],
  ['ML_DSA_44', 'ML_DSA_SHAKE_256'],
  ['ML_DSA_65', 'ML_DSA_SHAKE_256'],
  ['ML_DSA_87', 'ML_DSA_SHAKE_256'],
  ['SM2', 'SM2DSA'],
];
const MSG = new TextEncoder().encode('signed before, verified after');
const REGION = 'cn-north-1'; // SM2 exists only in the China Regions; every other spec exists there too

async function signEach(kms: Kms) {
  const out: { id: string; alg: SigningAlgorithmSpec; spki: string; sig: Uint8Array; md: unknown }[] = [];
  for (const [spec, alg] of SPECS) {
    const k = (await kms.createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Description: spec })).KeyMetadata!;
    const sig = (await kms.sign({ KeyId: k.KeyId, Message: MSG, SigningAlgorithm: alg })).Signature!;
    const spki = hex((await kms.getPublicKey({ KeyId: k.KeyId })).PublicKey!);
    out.push({ id: k.KeyId!, alg, spki, sig, md: (await kms.describeKey({ KeyId: k.KeyId })).KeyMetadata });
  }
  return out;
}

async function checkLoaded(before: Kms, after: Kms, made: Awaited<ReturnType<typeof signEach>>) {
  for (const m of made) {
    expect((await after.describeKey({ KeyId: m.id })).KeyMetadata).toEqual(m.md);
    expect(hex((await after.getPublicKey({ KeyId: m.id })).PublicKey!)).toBe(m.spki);
    expect((await after.verify({ KeyId: m.id, Message: MSG, SigningAlgorithm: m.alg, Signature: m.sig })).SignatureValid, `${m.alg}: the loaded key verifies the original's signature`).toBe(true);
    const again = (await after.sign({ KeyId: m.id, Message: MSG, SigningAlgorithm: m.alg })).Signature!;
    expect((await before.verify({ KeyId: m.id, Message: MSG, SigningAlgorithm: m.alg, Signature: again })).SignatureValid, `${m.alg}: the original verifies the loaded key's signature`).toBe(true);
  }
}

test('key-store snapshot: every signing key spec round-trips through JSON and signs as before', async () => {
  const store = new InMemoryKeyStore();
  const kms = new Kms({ region: REGION, keyStore: store });
  const made = await signEach(kms);
  const json = JSON.stringify(store.exportSnapshot());
  const loaded = InMemoryKeyStore.fromSnapshot(json);
  expect(JSON.stringify(loaded.exportSnapshot())).toBe(json);
  await checkLoaded(kms, new Kms({ region: REGION, keyStore: loaded }), made);
  // A signing key's snapshot entry holds one material version with its public key.
  const entry = JSON.parse(json).keys.find((k: { KeySpec: string }) => k.KeySpec === 'ML_DSA_65');
  expect(entry.KeyUsage).toBe('SIGN_VERIFY');
  expect(entry.KeyMaterial).toHaveLength(1);
  expect(typeof entry.KeyMaterial[0].PublicKey).toBe('string');
});

test('FileKeyStore (`kms-core serve --data`): signing keys survive a close and reopen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kms-core-sign-store-'));
  try {
    const path = join(dir, `keystore.${REGION}.json`);
    const first = await FileKeyStore.open(path, { region: REGION, log: () => {} });
    const kms = new Kms({ region: REGION, keyStore: first });
    const made = await signEach(kms);
    await first.close();
    const reopened = await FileKeyStore.open(path, { region: REGION, log: () => {} });
    try {
      const memory = new Kms({ region: REGION, keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify(reopened.exportSnapshot())) });
      await checkLoaded(memory, new Kms({ region: REGION, keyStore: reopened }), made);
    } finally {
      await reopened.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
