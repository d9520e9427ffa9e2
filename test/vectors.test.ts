/**
 * Envelope v1 known-answer vectors (vectors/symmetric-v1.json, frozen). Each vector must
 * (a) decrypt to its plaintext, (b) re-encrypt to the same bytes with the same randomness, and
 * (c) be reproduced from vectors/FORMAT.md alone by an independent node:crypto implementation.
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms } from '../src/index.js';

const doc = JSON.parse(readFileSync(new URL('../vectors/symmetric-v1.json', import.meta.url), 'utf8'));
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const T0 = new Date('2026-01-01T00:00:00Z');

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

/** FORMAT.md, implemented from the page with node:crypto only. */
function formatV1(v: Vector): Buffer {
  const k = keyJson(v.keyArn);
  const hbk = Buffer.from(k.KeyMaterial.find((m: { KeyMaterialId: string }) => m.KeyMaterialId === v.keyMaterialId).Material, 'base64');
  const [nonce, iv] = v.random.map((h) => Buffer.from(h, 'hex')) as [Buffer, Buffer];
  const acct = Buffer.alloc(5);
  acct.writeUIntBE(Number(k.AccountId), 0, 5);
  const mrk = k.KeyId.startsWith('mrk-');
  const idHex = mrk ? k.KeyId.slice(4) : k.KeyId.replaceAll('-', '');
  const header = Buffer.concat([
    Buffer.from([0x4b, 0x01]),
    acct,
    Buffer.from([mrk ? 0x02 : 0x01]),
    Buffer.from(idHex, 'hex'),
    Buffer.from(v.keyMaterialId, 'hex'),
    nonce,
    iv,
  ]);
  expect(header.length).toBe(84);
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const kdfIn = Buffer.concat([u32(1), Buffer.from('kms-core/v1 data key'), Buffer.from([0]), header.subarray(0, 72), u32(256)]);
  const dataKey = createHmac('sha256', hbk).update(kdfIn).digest();
  const pairs = Object.entries(v.encryptionContext).map(([a, b]) => [Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')] as const);
  pairs.sort((x, y) => Buffer.compare(x[0], y[0]));
  const ctx = Buffer.concat([u32(pairs.length), ...pairs.flatMap(([a, b]) => [u32(a.length), a, u32(b.length), b])]);
  const c = createCipheriv('aes-256-gcm', dataKey, iv);
  c.setAAD(Buffer.concat([header, ctx]));
  const ct = Buffer.concat([c.update(Buffer.from(v.plaintext, 'base64')), c.final()]);
  return Buffer.concat([header, ct, c.getAuthTag()]);
}

describe('envelope v1 vectors (frozen)', () => {
  test('the file holds the required cases', () => {
    const names: string[] = doc.vectors.map((v: Vector) => v.name);
    expect(doc.version).toBe(1);
    expect(names.some((n) => /no context/.test(n))).toBe(true);
    expect(names.some((n) => /unicode/.test(n))).toBe(true);
    expect(doc.vectors.some((v: Vector) => b64(v.plaintext).length === 1)).toBe(true);
    expect(doc.vectors.some((v: Vector) => b64(v.plaintext).length === 4096)).toBe(true);
    expect(names.some((n) => /NON_CURRENT/.test(n))).toBe(true);
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

      test('FORMAT.md alone (node:crypto) reproduces the ciphertext', () => {
        expect(formatV1(v).toString('base64')).toBe(v.ciphertext);
      });
    });
  }
});
