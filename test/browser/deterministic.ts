/**
 * Deterministic mode (issue 8, point 4): with an injected `random` and `now`, one fixed call
 * sequence must give byte-identical outputs in every runtime and on every backend. The same
 * function runs in Node (node:crypto backend, scripts/test-browser.mjs and
 * test/deterministic.test.ts), in Node on WebCrypto, and in Chromium (page and Web Worker);
 * the outputs are compared as hex.
 *
 * RSA key generation is the platform's (WebCrypto/OpenSSL), not driven by `random`, so the RSA
 * key comes in through a key-store snapshot made once by the caller; everything else (key IDs,
 * symmetric backing keys, the SM2 key, nonces, IVs, OAEP seeds, SM2 k) is drawn from `random`.
 */
import type { Backend, KeyStoreSnapshot } from '../../src/index.js';

/** The public surface the sequence needs: `import * as lib from 'kms-core'` or '../src/index.js'. */
export type KmsLib = Pick<typeof import('../../src/index.js'), 'Kms' | 'InMemoryKeyStore'>;

export const DETERMINISTIC_REGION = 'cn-north-1';
export const DETERMINISTIC_ACCOUNT = '111122223333';
export const DETERMINISTIC_NOW = '2026-03-01T12:00:00.000Z';

/** A seeded byte stream (xorshift128, 32-bit words): the same seed gives the same bytes everywhere. */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  let y = 362436069;
  let z = 521288629;
  let w = 88675123;
  const next = () => {
    const t = (x ^ (x << 11)) >>> 0;
    x = y;
    y = z;
    z = w;
    w = (w ^ (w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return w;
  };
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = next();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  };
}

const hex = (b: Uint8Array | undefined): string => {
  if (!(b instanceof Uint8Array)) throw new Error('expected bytes');
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
};

const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * Runs the fixed call sequence and returns every output byte string (hex) and identifier, by
 * name, in call order. `rsaSnapshot` holds one RSA_2048 key in DETERMINISTIC_REGION.
 */
export async function deterministicSequence(lib: KmsLib, rsaSnapshot: KeyStoreSnapshot, backend?: Backend): Promise<Record<string, string>> {
  const now = new Date(DETERMINISTIC_NOW);
  const kms = new lib.Kms({
    accountId: DETERMINISTIC_ACCOUNT,
    region: DETERMINISTIC_REGION,
    keyStore: lib.InMemoryKeyStore.fromSnapshot(rsaSnapshot),
    random: seededRandom(0x6b6d7321),
    now: () => now,
    ...(backend ? { backend } : {}),
  });
  const rsaJson = rsaSnapshot.keys.find((k) => k.KeySpec === 'RSA_2048');
  if (!rsaJson || typeof rsaJson.Arn !== 'string' || typeof rsaJson.KeyId !== 'string') throw new Error('the snapshot holds no RSA_2048 key');
  const rsaKey = { Arn: rsaJson.Arn, KeyId: rsaJson.KeyId };
  const out: Record<string, string> = {};

  const sym = (await kms.createKey({ Description: 'deterministic symmetric' })).KeyMetadata!;
  const sm2 = (await kms.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT', Description: 'deterministic SM2' })).KeyMetadata!;
  out['createKey.symmetric.Arn'] = sym.Arn!;
  out['createKey.symmetric.CreationDate'] = sym.CreationDate!.toISOString();
  out['createKey.sm2.Arn'] = sm2.Arn!;
  out['getPublicKey.sm2'] = hex((await kms.getPublicKey({ KeyId: sm2.KeyId })).PublicKey);

  const pt = utf8('order #4711 — 注文 — deterministic');
  const ctx = { tenant: 'acme', 'é': 'ü' };
  const e1 = await kms.encrypt({ KeyId: sym.KeyId, Plaintext: pt, EncryptionContext: ctx });
  out['encrypt.symmetric'] = hex(e1.CiphertextBlob);

  const dk = await kms.generateDataKey({ KeyId: sym.KeyId, KeySpec: 'AES_256', EncryptionContext: { purpose: 'dek' } });
  out['generateDataKey.Plaintext'] = hex(dk.Plaintext);
  out['generateDataKey.CiphertextBlob'] = hex(dk.CiphertextBlob);
  out['generateDataKeyWithoutPlaintext'] = hex((await kms.generateDataKeyWithoutPlaintext({ KeyId: sym.KeyId, NumberOfBytes: 17 })).CiphertextBlob);

  await kms.rotateKeyOnDemand({ KeyId: sym.KeyId });
  const e2 = await kms.encrypt({ KeyId: sym.KeyId, Plaintext: pt });
  out['encrypt.symmetric.rotated'] = hex(e2.CiphertextBlob);
  out['listKeyRotations'] = (await kms.listKeyRotations({ KeyId: sym.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations!.map((r) => `${r.KeyMaterialId}:${r.KeyMaterialState}`).join(',');

  out['encrypt.rsa.SHA_256'] = hex((await kms.encrypt({ KeyId: rsaKey.Arn, Plaintext: pt, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).CiphertextBlob);
  out['encrypt.rsa.SHA_1'] = hex((await kms.encrypt({ KeyId: rsaKey.Arn, Plaintext: pt, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })).CiphertextBlob);
  out['encrypt.sm2'] = hex((await kms.encrypt({ KeyId: sm2.KeyId, Plaintext: pt, EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob);

  // The reEncrypt chain sym → RSA → SM2 → sym.
  const r1 = await kms.reEncrypt({ CiphertextBlob: e1.CiphertextBlob, SourceEncryptionContext: ctx, DestinationKeyId: rsaKey.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
  out['reEncrypt.sym→rsa'] = hex(r1.CiphertextBlob);
  const r2 = await kms.reEncrypt({
    CiphertextBlob: r1.CiphertextBlob,
    SourceKeyId: rsaKey.KeyId,
    SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    DestinationKeyId: sm2.Arn,
    DestinationEncryptionAlgorithm: 'SM2PKE',
  });
  out['reEncrypt.rsa→sm2'] = hex(r2.CiphertextBlob);
  const r3 = await kms.reEncrypt({ CiphertextBlob: r2.CiphertextBlob, SourceKeyId: sm2.KeyId, SourceEncryptionAlgorithm: 'SM2PKE', DestinationKeyId: sym.Arn, DestinationEncryptionContext: { step: '3' } });
  out['reEncrypt.sm2→sym'] = hex(r3.CiphertextBlob);
  out['reEncrypt.sm2→sym.DestinationKeyMaterialId'] = r3.DestinationKeyMaterialId ?? '';

  const back = await kms.decrypt({ CiphertextBlob: r3.CiphertextBlob, EncryptionContext: { step: '3' } });
  if (hex(back.Plaintext) !== hex(pt)) throw new Error('the reEncrypt chain did not return the plaintext');
  out['decrypt.chain.KeyMaterialId'] = back.KeyMaterialId ?? '';
  return out;
}
