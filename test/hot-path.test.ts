/**
 * Hot-path structures of issue 14: backing keys found by KeyMaterialId whatever the length of a
 * key's history, and bounded caches without a clear-all cliff.
 */
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms } from '../src/index.js';
import { BoundedCache } from '../src/util/bounded-cache.js';
import { dec, enc, refuses } from './helpers/index.js';

describe('a key with 1,000 backing keys', () => {
  /** A Kms on a copy of `store` in which the key's history is padded to `versions` (its first material first). */
  function withHistory(store: InMemoryKeyStore, versions: number): Kms {
    const snap = store.exportSnapshot();
    const k = snap.keys[0] as unknown as { KeyMaterial: Record<string, unknown>[] };
    const first = k.KeyMaterial[0] as Record<string, unknown>;
    k.KeyMaterial = Array.from({ length: versions }, (_, i) =>
      i === 0 ? first : { KeyMaterialId: i.toString(16).padStart(64, '0'), Material: Buffer.alloc(32, i % 251).toString('base64'), CreatedAt: first.CreatedAt, RotationType: 'AUTOMATIC' },
    );
    return new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify(snap)) });
  }

  async function setup() {
    const store = new InMemoryKeyStore();
    const before = new Kms({ keyStore: store });
    const key = (await before.createKey()).KeyMetadata!;
    const oldest = (await before.encrypt({ KeyId: key.KeyId!, Plaintext: enc('made under the first version'), EncryptionContext: { a: 'b' } })).CiphertextBlob!;
    return { kms: withHistory(store, 1000), key, oldest };
  }

  test('a blob under the oldest version decrypts, and so does one under the newest', async () => {
    const { kms, key, oldest } = await setup();
    expect(dec((await kms.decrypt({ CiphertextBlob: oldest, EncryptionContext: { a: 'b' } })).Plaintext)).toBe('made under the first version');
    const newest = (await kms.encrypt({ KeyId: key.KeyId!, Plaintext: enc('newest') })).CiphertextBlob!;
    const out = await kms.decrypt({ CiphertextBlob: newest });
    expect(out.KeyMaterialId).toBe((999).toString(16).padStart(64, '0'));
    expect(dec(out.Plaintext)).toBe('newest');
  });

  test('a blob naming a KeyMaterialId the key does not have, or another version\'s, is the one InvalidCiphertextException', async () => {
    const { kms, key } = await setup();
    const blob = (await kms.encrypt({ KeyId: key.KeyId!, Plaintext: enc('x') })).CiphertextBlob!;
    const forged = Uint8Array.from(blob);
    forged[40] = (forged[40] as number) ^ 0x01; // inside the KeyMaterialId (bytes 24..56)
    await refuses(kms.decrypt({ CiphertextBlob: forged }), 'InvalidCiphertextException', '');
    // A KeyMaterialId of another existing version: the header is authenticated, so it fails too.
    const other = Uint8Array.from(blob);
    other.set(Buffer.from((5).toString(16).padStart(64, '0'), 'hex'), 24);
    await refuses(kms.decrypt({ CiphertextBlob: other }), 'InvalidCiphertextException', '');
  });
});

describe('BoundedCache', () => {
  test('memory stays bounded (at most two generations) whatever the number of distinct keys', () => {
    const c = new BoundedCache<number, number>(100);
    for (let i = 0; i < 100_000; i++) c.set(i, i);
    expect(c.size).toBeLessThanOrEqual(200);
  });

  test('a key used regularly survives 10^5 other keys (no clear-all cliff)', () => {
    const c = new BoundedCache<string, number>(100);
    c.set('hot', 1);
    for (let i = 0; i < 100_000; i++) {
      c.set(`k${i}`, i);
      if (i % 50 === 0) expect(c.get('hot'), `after ${i}`).toBe(1);
    }
  });

  test('an undefined value is cached as a value', () => {
    const c = new BoundedCache<string, number | undefined>(2);
    c.set('u', undefined);
    expect(c.has('u')).toBe(true);
    expect(c.get('u')).toBeUndefined();
  });
});
