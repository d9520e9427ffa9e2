/**
 * Envelope v2 (SM4-GCM under a 128-bit backing key, HMAC-SM3 KDF: China Regions'
 * SYMMETRIC_DEFAULT). The frozen vectors (vectors/symmetric-v2-sm4.json) must (a) decrypt, (b)
 * re-encrypt to the same bytes with the same randomness and (c) be reproduced from
 * vectors/FORMAT.md alone by an independent implementation: node:crypto's HMAC-SM3, sm4-ecb and
 * sm4-ctr, and a bit-by-bit GHASH written here from SP 800-38D Algorithm 1. Then the tamper
 * properties, and v1/v2 living side by side (the suite follows the backing key).
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { suiteForRegion, symmetricSpec, symmetricSuite } from '../src/algorithms/symmetric.js';
import { InMemoryKeyStore, Kms, KmsError } from '../src/index.js';
import { decryptOutcome, dec, enc } from './helpers/index.js';

const doc = JSON.parse(readFileSync(new URL('../vectors/symmetric-v2-sm4.json', import.meta.url), 'utf8'));
const v1doc = JSON.parse(readFileSync(new URL('../vectors/symmetric-v1.json', import.meta.url), 'utf8'));
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const T0 = new Date('2026-12-01T00:00:00Z');

interface Vector {
  name: string;
  keyArn: string;
  keyMaterialId: string;
  encryptionContext: Record<string, string>;
  plaintext: string;
  random: string[];
  ciphertext: string;
}

function keyJson(arn: string) {
  const k = doc.keyStore.keys.find((x: { Arn: string }) => x.Arn === arn);
  if (!k) throw new Error(`no key ${arn}`);
  return k;
}

// ---- An independent SM4-GCM from FORMAT.md §9: node's sm4-ecb/sm4-ctr + SP 800-38D Algorithm 1 ----

const toBig = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
const fromBig = (x: bigint) => Buffer.from(x.toString(16).padStart(32, '0'), 'hex');

/** X • Y in GF(2^128), SP 800-38D §6.3 Algorithm 1 (bit 0 = most significant bit of byte 0). */
function gmul(x: bigint, y: bigint): bigint {
  const R = 0xe1n << 120n;
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}

function ghash(h: Buffer, data: Buffer): bigint {
  const H = toBig(h);
  let y = 0n;
  for (let o = 0; o < data.length; o += 16) y = gmul(y ^ toBig(data.subarray(o, o + 16)), H);
  return y;
}

const pad16 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((16 - (b.length % 16)) % 16)]);
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

function sm4Ecb(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('sm4-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function sm4GcmRef(key: Buffer, iv: Buffer, pt: Buffer, aad: Buffer): Buffer {
  expect(iv.length).toBe(12);
  const h = sm4Ecb(key, Buffer.alloc(16));
  const j0 = Buffer.concat([iv, Buffer.from([0, 0, 0, 1])]);
  const c = createCipheriv('sm4-ctr', key, Buffer.concat([iv, Buffer.from([0, 0, 0, 2])]));
  const ct = Buffer.concat([c.update(pt), c.final()]);
  const s = ghash(h, Buffer.concat([pad16(aad), pad16(ct), u64(aad.length * 8), u64(ct.length * 8)]));
  const tag = fromBig(s ^ toBig(sm4Ecb(key, j0)));
  return Buffer.concat([ct, tag]);
}

function u32(n: number) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** FORMAT.md §7–§10, implemented from the page with node:crypto only. */
function formatV2(v: Vector): Buffer {
  const k = keyJson(v.keyArn);
  const hbk = Buffer.from(k.KeyMaterial.find((m: { KeyMaterialId: string }) => m.KeyMaterialId === v.keyMaterialId).Material, 'base64');
  expect(hbk.length).toBe(16);
  const [nonce, iv] = v.random.map((h) => Buffer.from(h, 'hex')) as [Buffer, Buffer];
  const acct = Buffer.alloc(5);
  acct.writeUIntBE(Number(k.AccountId), 0, 5);
  const mrk = k.KeyId.startsWith('mrk-');
  const idHex = mrk ? k.KeyId.slice(4) : k.KeyId.replaceAll('-', '');
  const header = Buffer.concat([Buffer.from([0x4b, 0x02]), acct, Buffer.from([mrk ? 0x02 : 0x01]), Buffer.from(idHex, 'hex'), Buffer.from(v.keyMaterialId, 'hex'), nonce, iv]);
  expect(header.length).toBe(84);
  const kdfIn = Buffer.concat([u32(1), Buffer.from('kms-core/v2 data key'), Buffer.from([0]), header.subarray(0, 72), u32(128)]);
  expect(kdfIn.length).toBe(101);
  const dataKey = createHmac('sm3', hbk).update(kdfIn).digest().subarray(0, 16);
  const pairs = Object.entries(v.encryptionContext).map(([a, b]) => [Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')] as const);
  pairs.sort((x, y) => Buffer.compare(x[0], y[0]));
  const ctx = Buffer.concat([u32(pairs.length), ...pairs.flatMap(([a, b]) => [u32(a.length), a, u32(b.length), b])]);
  return Buffer.concat([header, sm4GcmRef(dataKey, iv, Buffer.from(v.plaintext, 'base64'), Buffer.concat([header, ctx]))]);
}

describe('envelope v2 vectors (frozen, vectors/symmetric-v2-sm4.json)', () => {
  test('the file holds the required cases, all v2 blobs under 16-byte backing keys in the China Regions', () => {
    const names: string[] = doc.vectors.map((v: Vector) => v.name);
    expect(doc.version).toBe(2);
    expect(names.some((n) => /no context/.test(n))).toBe(true);
    expect(names.some((n) => /unicode/.test(n))).toBe(true);
    expect(names.some((n) => /NON_CURRENT/.test(n))).toBe(true);
    expect(doc.vectors.some((v: Vector) => b64(v.plaintext).length === 1)).toBe(true);
    expect(doc.vectors.some((v: Vector) => b64(v.plaintext).length === 4096)).toBe(true);
    for (const v of doc.vectors as Vector[]) {
      expect(b64(v.ciphertext)[1]).toBe(0x02);
      expect(b64(v.ciphertext).length).toBe(b64(v.plaintext).length + 100);
    }
    for (const k of doc.keyStore.keys) {
      expect(['cn-north-1', 'cn-northwest-1']).toContain(k.Region);
      for (const m of k.KeyMaterial) expect(b64(m.Material).length).toBe(16);
    }
  });

  test('the independent GHASH is right: the SM4-GCM reference of Wycheproof tcId 1 (GB/T 36624 style example)', () => {
    const out = sm4GcmRef(
      Buffer.from('0123456789abcdeffedcba9876543210', 'hex'),
      Buffer.from('00001234567800000000abcd', 'hex'),
      Buffer.from('aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccddddddddddddddddeeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa', 'hex'),
      Buffer.from('feedfacedeadbeeffeedfacedeadbeefabaddad2', 'hex'),
    );
    expect(out.toString('hex')).toBe(
      '17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d83de3541e4c2b58177e065a9bf7b62ec',
    );
  });

  for (const v of doc.vectors as Vector[]) {
    describe(v.name, () => {
      const k = keyJson(v.keyArn);
      test('decrypts to its plaintext (no KeyId: the blob names its key)', async () => {
        const kms = new Kms({ accountId: k.AccountId, region: k.Region, keyStore: InMemoryKeyStore.fromSnapshot(doc.keyStore), now: () => T0 });
        const out = await kms.decrypt({ CiphertextBlob: b64(v.ciphertext), EncryptionContext: v.encryptionContext });
        expect(Buffer.from(out.Plaintext!).toString('base64')).toBe(v.plaintext);
        expect(out.KeyId).toBe(v.keyArn);
        expect(out.KeyMaterialId).toBe(v.keyMaterialId);
      });

      test('encrypting with the same randomness gives the same bytes', async () => {
        const snap = structuredClone(doc.keyStore);
        const kj = snap.keys.find((x: { Arn: string }) => x.Arn === v.keyArn);
        const upto = kj.KeyMaterial.findIndex((m: { KeyMaterialId: string }) => m.KeyMaterialId === v.keyMaterialId);
        kj.KeyMaterial = kj.KeyMaterial.slice(0, upto + 1);
        const draws = [...v.random];
        const kms = new Kms({
          accountId: k.AccountId,
          region: k.Region,
          keyStore: InMemoryKeyStore.fromSnapshot(snap),
          now: () => T0,
          random: (n) => {
            const h = draws.shift();
            if (h === undefined || h.length !== 2 * n) throw new Error('unexpected draw');
            return new Uint8Array(Buffer.from(h, 'hex'));
          },
        });
        const out = await kms.encrypt({ KeyId: v.keyArn, Plaintext: b64(v.plaintext), EncryptionContext: v.encryptionContext });
        expect(Buffer.from(out.CiphertextBlob!).toString('base64')).toBe(v.ciphertext);
        expect(draws).toEqual([]);
      });

      test('FORMAT.md alone (node:crypto HMAC-SM3, sm4-ecb, sm4-ctr; GHASH from SP 800-38D) reproduces the ciphertext', () => {
        expect(formatV2(v).toString('base64')).toBe(v.ciphertext);
      });
    });
  }
});

// ---- Tamper properties: the one failure ----


// Bytes 2..24 name the key: damage there may point at another (or no) key (AccessDenied /
// IncorrectKey, as for v1). Everything else is the one InvalidCiphertextException.
const KEY_REF = [2, 24] as const;
const ALLOWED = new Set(['InvalidCiphertextException', 'AccessDeniedException', 'IncorrectKeyException']);

describe('tampered v2 blobs', () => {
  const v = doc.vectors.find((x: Vector) => /unicode/.test(x.name)) as Vector;
  const k = keyJson(v.keyArn);
  const blob = b64(v.ciphertext);
  const ctx = v.encryptionContext;
  let kms: Kms;
  beforeAll(() => {
    kms = new Kms({ accountId: k.AccountId, region: k.Region, keyStore: InMemoryKeyStore.fromSnapshot(doc.keyStore), now: () => T0 });
  });

  test('every single-bit flip → InvalidCiphertextException (outside the key reference)', async () => {
    for (let i = 0; i < blob.length * 8; i++) {
      const bad = blob.slice();
      bad[i >> 3]! ^= 1 << (i & 7);
      const byte = i >> 3;
      const r = await decryptOutcome(kms.decrypt({ CiphertextBlob: bad, EncryptionContext: ctx }));
      if (byte >= KEY_REF[0] && byte < KEY_REF[1]) expect(ALLOWED.has(r), `bit ${i}: ${r}`).toBe(true);
      else expect(r, `bit ${i}`).toBe('InvalidCiphertextException');
    }
  });

  test('every truncation, and extensions by 1..64 bytes → InvalidCiphertextException', async () => {
    for (let n = 1; n < blob.length; n++) {
      expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: blob.subarray(0, n), EncryptionContext: ctx })), `length ${n}`).toBe('InvalidCiphertextException');
    }
    for (let n = 1; n <= 64; n++) {
      const longer = new Uint8Array(blob.length + n);
      longer.set(blob);
      expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: longer, EncryptionContext: ctx }))).toBe('InvalidCiphertextException');
    }
  });

  test('a wrong or missing encryption context → InvalidCiphertextException', async () => {
    expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: blob }))).toBe('InvalidCiphertextException');
    expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: blob, EncryptionContext: { ...ctx, a: 'x' } }))).toBe('InvalidCiphertextException');
  });

  test('version confusion: a v2 blob relabelled v1 (and v3) → InvalidCiphertextException', async () => {
    for (const version of [0x01, 0x03, 0x00, 0xff]) {
      const bad = blob.slice();
      bad[1] = version;
      expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: bad, EncryptionContext: ctx })), `version ${version}`).toBe('InvalidCiphertextException');
    }
  });

  test('arbitrary bytes behind a valid v2 header → InvalidCiphertextException only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), async (tail) => {
        const bad = new Uint8Array(56 + tail.length);
        bad.set(blob.subarray(0, 56));
        bad.set(tail, 56);
        expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: bad, EncryptionContext: ctx }))).toBe('InvalidCiphertextException');
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary bytes (starting K 0x02 or not) → only AWS-named KmsErrors, never success', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), fc.boolean(), async (bytes, v2, withKey) => {
        const b = bytes.slice();
        if (v2 && b.length > 1) {
          b[0] = 0x4b;
          b[1] = 0x02;
        }
        const r = await decryptOutcome(kms.decrypt({ CiphertextBlob: b, ...(withKey ? { KeyId: v.keyArn } : {}) }));
        expect(ALLOWED.has(r), r).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- v1 and v2 side by side: the suite follows the backing key ----

/** A store with the v2 vector keys, plus an AES (v1) key created in cn-north-1 "before SM4". */
function mixedStore(): InMemoryKeyStore {
  const snap = structuredClone(doc.keyStore);
  const aes = structuredClone(v1doc.keyStore.keys[0]);
  aes.KeyId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  aes.Region = 'cn-north-1';
  aes.AccountId = '111122223333';
  aes.Arn = `arn:aws-cn:kms:cn-north-1:111122223333:key/${aes.KeyId}`;
  snap.keys.push(aes);
  return InMemoryKeyStore.fromSnapshot(snap);
}

describe('v1 and v2 in one China Region', () => {
  const sm4Arn = doc.vectors[0].keyArn as string;
  const aesArn = 'arn:aws-cn:kms:cn-north-1:111122223333:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

  test('a key created before SM4 keeps AES material and seals v1; an SM4 key seals v2', async () => {
    const kms = new Kms({ accountId: '111122223333', region: 'cn-north-1', keyStore: mixedStore() });
    const a = await kms.encrypt({ KeyId: aesArn, Plaintext: enc('aes') });
    const s = await kms.encrypt({ KeyId: sm4Arn, Plaintext: enc('sm4') });
    expect(a.CiphertextBlob![1]).toBe(0x01);
    expect(s.CiphertextBlob![1]).toBe(0x02);
    expect(dec((await kms.decrypt({ CiphertextBlob: a.CiphertextBlob })).Plaintext)).toBe('aes');
    expect(dec((await kms.decrypt({ CiphertextBlob: s.CiphertextBlob })).Plaintext)).toBe('sm4');
  });

  test('ReEncrypt moves ciphertext v1 → v2 → v1, context changes included', async () => {
    const kms = new Kms({ accountId: '111122223333', region: 'cn-north-1', keyStore: mixedStore() });
    const a = await kms.encrypt({ KeyId: aesArn, Plaintext: enc('moving'), EncryptionContext: { from: 'aes' } });
    const toSm4 = await kms.reEncrypt({ CiphertextBlob: a.CiphertextBlob, SourceEncryptionContext: { from: 'aes' }, DestinationKeyId: sm4Arn, DestinationEncryptionContext: { to: 'sm4' } });
    expect(toSm4.CiphertextBlob![1]).toBe(0x02);
    expect(toSm4.SourceKeyId).toBe(aesArn);
    const back = await kms.reEncrypt({ CiphertextBlob: toSm4.CiphertextBlob, SourceKeyId: sm4Arn, SourceEncryptionContext: { to: 'sm4' }, DestinationKeyId: aesArn });
    expect(back.CiphertextBlob![1]).toBe(0x01);
    expect(dec((await kms.decrypt({ CiphertextBlob: back.CiphertextBlob })).Plaintext)).toBe('moving');
    expect((await decryptOutcome(kms.decrypt({ CiphertextBlob: toSm4.CiphertextBlob, KeyId: aesArn, EncryptionContext: { to: 'sm4' } })))).toBe('IncorrectKeyException');
  });

  test('on-demand rotation of an SM4 key adds SM4 material; older v2 blobs still decrypt', async () => {
    const store = mixedStore();
    const kms = new Kms({ accountId: '111122223333', region: 'cn-north-1', keyStore: store });
    const before = await kms.encrypt({ KeyId: sm4Arn, Plaintext: enc('old') });
    await kms.rotateKeyOnDemand({ KeyId: sm4Arn });
    const rec = await store.getKey(sm4Arn);
    expect(rec?.material.map((m) => m.material.length)).toEqual([16, 16]);
    const after = await kms.encrypt({ KeyId: sm4Arn, Plaintext: enc('new') });
    expect(after.CiphertextBlob![1]).toBe(0x02);
    const old = await kms.decrypt({ CiphertextBlob: before.CiphertextBlob });
    expect(dec(old.Plaintext)).toBe('old');
    expect(old.KeyMaterialId).toBe(rec!.material[0]!.id);
    expect((await kms.decrypt({ CiphertextBlob: after.CiphertextBlob })).KeyMaterialId).toBe(rec!.material[1]!.id);
    // The AES key rotates to AES material.
    await kms.rotateKeyOnDemand({ KeyId: aesArn });
    expect((await kms.encrypt({ KeyId: aesArn, Plaintext: enc('x') })).CiphertextBlob![1]).toBe(0x01);
  });

  test('GenerateDataKey under an SM4 key: AES_128 gives the "128-bit SM4 data key", sealed as v2', async () => {
    const kms = new Kms({ accountId: '111122223333', region: 'cn-north-1', keyStore: mixedStore() });
    const dk = await kms.generateDataKey({ KeyId: sm4Arn, KeySpec: 'AES_128' });
    expect(dk.Plaintext!.length).toBe(16);
    expect(dk.CiphertextBlob![1]).toBe(0x02);
    expect(Buffer.from((await kms.decrypt({ CiphertextBlob: dk.CiphertextBlob })).Plaintext!).equals(Buffer.from(dk.Plaintext!))).toBe(true);
    const n16 = await kms.generateDataKey({ KeyId: sm4Arn, NumberOfBytes: 16 });
    expect(n16.Plaintext!.length).toBe(16);
  });

  test('snapshots keep 16-byte backing keys; other lengths are refused', () => {
    const store = mixedStore();
    const again = InMemoryKeyStore.fromSnapshot(store.exportSnapshot());
    expect(JSON.stringify(again.exportSnapshot())).toBe(JSON.stringify(store.exportSnapshot()));
    const bad = structuredClone(doc.keyStore);
    bad.keys[0].KeyMaterial[0].Material = Buffer.alloc(24).toString('base64');
    let err: unknown;
    try {
      InMemoryKeyStore.fromSnapshot(bad);
    } catch (e) {
      err = e;
    }
    expect((err as KmsError).name).toBe('ValidationException');
  });
});

describe('which suite a new symmetric key gets', () => {
  test('the China Regions give 16-byte SM4 backing keys, every other Region 32-byte AES', async () => {
    let n = 0;
    const env = { random: (k: number) => new Uint8Array(k).fill(++n) } as never;
    for (const region of ['cn-north-1', 'cn-northwest-1']) {
      const bk = await symmetricSpec.generate(env, 0, region);
      expect(bk.material.length).toBe(16);
      expect(symmetricSuite(bk)).toBe('SM4_GCM');
      expect(suiteForRegion(region)).toBe('SM4_GCM');
    }
    for (const region of ['us-east-1', 'eu-west-1', 'us-gov-west-1', undefined]) {
      const bk = await symmetricSpec.generate(env, 0, region);
      expect(bk.material.length).toBe(32);
      expect(symmetricSuite(bk)).toBe('AES_256_GCM');
    }
  });
});

describe('guards below Kms', () => {
  test('Precondition: a symmetric backing key is 32 (AES) or 16 (SM4) bytes (the snapshot reader checks it).', async () => {
    const { symmetricDefault } = await import('../src/algorithms/symmetric.js');
    const rec = { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', accountId: '111122223333', material: [{ id: 'a'.repeat(64), material: new Uint8Array(24), createdAt: 0 }] };
    const env = { random: (n: number) => new Uint8Array(n), memo: () => undefined, keyObject: async () => undefined } as never;
    await expect(symmetricDefault.encrypt(env, rec as never, enc('x'), new Uint8Array(4))).rejects.toThrow(/unknown length/);
    // A v1 or v2 blob is never opened under a backing key of neither suite.
    for (const version of [0x01, 0x02]) {
      const blob = new Uint8Array(120);
      blob[0] = 0x4b;
      blob[1] = version;
      expect(await symmetricDefault.decrypt(env, rec as never, blob, new Uint8Array(4))).toBeUndefined();
    }
  });

  test('Precondition: the prefix is a v2 header prefix (magic, version 0x02).', async () => {
    const { sealV2 } = await import('../src/envelope/v2.js');
    const { hmacSm3Key } = await import('../src/envelope/kdf-v2.js');
    const { keyHeaderPrefix, VERSION_1, VERSION_2 } = await import('../src/envelope/format.js');
    const f = { accountId: '111122223333', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', keyMaterialId: 'b'.repeat(64) };
    const key = hmacSm3Key(new Uint8Array(16));
    const rand = (n: number) => new Uint8Array(n);
    expect(() => sealV2(key, keyHeaderPrefix(f, VERSION_1), enc('x'), new Uint8Array(4), rand)).toThrow(/v2 header prefix/);
    expect(sealV2(key, keyHeaderPrefix(f, VERSION_2), enc('x'), new Uint8Array(4), rand)[1]).toBe(0x02);
  });
});
