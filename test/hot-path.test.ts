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

  test('an undefined value survives its move to the older generation and back, as undefined', () => {
    const c = new BoundedCache<string, number | undefined>(2);
    c.set('u', undefined);
    c.set('a', 1);
    c.set('b', 2); // 'u' and 'a' are now the older generation
    expect(c.get('u')).toBeUndefined(); // promoted beside 'b'
    expect(c.has('u')).toBe(true);
    c.set('c', 3); // 'b' and 'u' are the older generation; 'a' is gone
    expect(c.has('a')).toBe(false);
    expect(c.get('a')).toBeUndefined();
    expect(c.has('u')).toBe(true);
    c.set('d', 4);
    c.set('e', 5); // 'c' and 'd' are the older generation; 'u' is gone
    expect(c.has('u')).toBe(false);
    expect(c.size).toBe(3);
  });

  test('values found in the older generation come back as stored, whatever their type', () => {
    const s = Symbol('mine');
    const values: unknown[] = [0, '', false, null, s, { x: 1 }];
    const c = new BoundedCache<number, unknown>(values.length);
    values.forEach((v, i) => c.set(i, v));
    c.set(-1, 'rollover'); // everything above is now the older generation
    values.forEach((v, i) => expect(c.get(i)).toBe(v));
  });
});

describe('the synchronous path (in-memory store, node:crypto): no microtask, not even on a key first use', () => {
  /** True when `p` has settled after a single microtask turn (what a synchronous answer takes). */
  async function settledAtOnce(p: Promise<unknown>): Promise<boolean> {
    let done = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    await Promise.resolve();
    return done;
  }

  test('Encrypt, Decrypt and ReEncrypt on keys never used before answer within one microtask turn', async () => {
    const { nodeBackend } = await import('../src/backend/node.js');
    const kms = new Kms({ backend: nodeBackend });
    const a = (await kms.createKey()).KeyMetadata!.KeyId!;
    const b = (await kms.createKey()).KeyMetadata!.KeyId!;
    const enc1 = kms.encrypt({ KeyId: a, Plaintext: enc('x'), EncryptionContext: { t: 'acme' } });
    expect(await settledAtOnce(enc1)).toBe(true);
    const blob = (await enc1).CiphertextBlob!;
    const re = kms.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { t: 'acme' }, DestinationKeyId: b });
    expect(await settledAtOnce(re)).toBe(true);
    expect(dec((await kms.decrypt({ CiphertextBlob: (await re).CiphertextBlob! })).Plaintext)).toBe('x');
  });

  test('ReEncrypt by a role under a custom key policy with a condition (kms:ReEncryptOnSameKey read) answers within one microtask turn, to a key ID, an ARN or an alias', async () => {
    const { nodeBackend } = await import('../src/backend/node.js');
    const account = '111122223333';
    const owner = new Kms({ backend: nodeBackend, accountId: account, identityPolicy: () => false });
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:role/App` }, Action: 'kms:Encrypt', Resource: '*' },
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:role/App` },
          Action: 'kms:ReEncrypt*',
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' }, Bool: { 'kms:ReEncryptOnSameKey': 'false' } },
        },
      ],
    });
    const a = (await owner.createKey({ Policy })).KeyMetadata!;
    const b = (await owner.createKey({ Policy })).KeyMetadata!;
    await owner.createAlias({ AliasName: 'alias/dst', TargetKeyId: b.KeyId! });
    const role = owner.as(`arn:aws:sts::${account}:assumed-role/App/s1`);
    const ctx = { tenant: 'acme' };
    const blob = (await role.encrypt({ KeyId: a.KeyId!, Plaintext: enc('x'), EncryptionContext: ctx })).CiphertextBlob!;
    for (const DestinationKeyId of [b.KeyId!, b.Arn!, 'alias/dst']) {
      const re = role.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: ctx, DestinationKeyId, DestinationEncryptionContext: ctx });
      expect(await settledAtOnce(re), DestinationKeyId).toBe(true);
      expect((await re).KeyId).toBe(b.Arn);
    }
    // The condition is still evaluated on that path: the same key on both sides is refused.
    await expect(role.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: ctx, DestinationKeyId: a.KeyId!, DestinationEncryptionContext: ctx })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('MaterialCache.object: one key object per (material version, kind)', async () => {
  const { MaterialCache } = await import('../src/keys/material-cache.js');
  const bk = () => ({ id: 'a'.repeat(64), material: new Uint8Array(32).fill(1), createdAt: 0 });

  test('a synchronous make is answered as the value itself, made once', () => {
    const c = new MaterialCache();
    const k = bk();
    let made = 0;
    const make = () => ({ n: ++made });
    const first = c.object(k, 'hmac/', make);
    expect(first).toEqual({ n: 1 });
    expect(c.object(k, 'hmac/', make)).toBe(first);
    // Another record object with the same material under the same id shares the value.
    expect(c.object({ ...k, material: Uint8Array.from(k.material) }, 'hmac/', make)).toBe(first);
    expect(made).toBe(1);
  });

  test('an asynchronous make is the promise until it settles, then the value; a failure is not cached', async () => {
    const c = new MaterialCache();
    const k = bk();
    const p = c.object(k, 'hmac/', async () => 'key');
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toBe('key');
    expect(c.object(k, 'hmac/', async () => 'other')).toBe('key');
    const k2 = { ...bk(), id: 'b'.repeat(64) };
    await expect(c.object(k2, 'hmac/', async () => Promise.reject(new Error('import failed')))).rejects.toThrow('import failed');
    expect(await c.object(k2, 'hmac/', async () => 'retried')).toBe('retried');
  });

  test('a make that throws is a rejection, never cached', async () => {
    const c = new MaterialCache();
    const k = bk();
    const r = c.object(k, 'hmac/', () => {
      throw new Error('bad key');
    });
    await expect(r).rejects.toThrow('bad key');
    expect(c.object(k, 'hmac/', () => 'good')).toBe('good');
  });

  test('a version whose material differs under the same KeyMaterialId gets its own value', () => {
    const c = new MaterialCache();
    const k = bk();
    expect(c.object(k, 'hmac/', () => 'one')).toBe('one');
    expect(c.object({ ...k, material: new Uint8Array(32).fill(2) }, 'hmac/', () => 'two')).toBe('two');
  });

  test('a polluted Object.prototype is never answered as a cached value (a kind the backing key has not made yet, or a value undefined)', () => {
    const c = new MaterialCache();
    const k = bk();
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto['v1-prefix/'] = 'polluted prefix';
      proto['hmac/'] = 'polluted key';
      // The backing key has a holder already (another kind made first), and none yet.
      expect(c.get(k, 'sm3/', () => 'sm3 state')).toBe('sm3 state');
      expect(c.get(k, 'v1-prefix/', () => 'real prefix')).toBe('real prefix');
      expect(c.object({ ...bk(), id: 'c'.repeat(64) }, 'hmac/', () => 'real key')).toBe('real key');
      expect(c.get(k, 'undefined/', () => undefined)).toBeUndefined();
      expect(c.get(k, 'undefined/', () => 'made again')).toBeUndefined();
    } finally {
      delete proto['v1-prefix/'];
      delete proto['hmac/'];
    }
  });
});
