/**
 * src/keys/arn-memo.ts: the key ID → key ARN table of one account and Region, and the blob key
 * reference → key ARN table of one Region. What they answer is keyArn's answer whatever the
 * order of lookups, including IDs or blobs that share a slot; a blob whose first 24 bytes differ
 * from a cached reference in any byte never gets that reference's ARN.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { keyArn, newKeyId } from '../src/keys/arn.js';
import { BlobArnMemo, KeyArnMemo } from '../src/keys/arn-memo.js';
import { KEY_REF_LEN, OVERHEAD, VERSION_1, VERSION_2, keyHeaderPrefix } from '../src/envelope/format.js';
import { InMemoryKeyStore, Kms } from '../src/index.js';

describe('KeyArnMemo', () => {
  test('answers keyArn for UUIDs and mrk- IDs, in every Region partition', () => {
    for (const region of ['us-east-1', 'cn-north-1', 'us-gov-west-1']) {
      const memo = new KeyArnMemo(region, '111122223333');
      const ids = [...Array.from({ length: 600 }, () => randomUUID()), ...Array.from({ length: 300 }, () => newKeyId((n) => crypto.getRandomValues(new Uint8Array(n)), true))];
      for (let round = 0; round < 3; round++) for (const id of ids) expect(memo.arn(id)).toBe(keyArn(region, '111122223333', id));
    }
  });

  test('IDs that share a slot (same last two hex digits) take turns and each gets its own ARN', () => {
    const memo = new KeyArnMemo('eu-west-1', '444455556666');
    const a = '1b4e28ba-2fa1-11d2-883f-0016d3cca4ab';
    const b = '6fa459ea-ee8a-3ca4-894e-db77e160355b'; // ends in …5b: another slot
    const c = 'ffffffff-ffff-4fff-bfff-ffffffffffab'; // ends in …ab: a's slot
    for (const id of [a, c, a, a, c, b, c, a]) expect(memo.arn(id), id).toBe(`arn:aws:kms:eu-west-1:444455556666:key/${id}`);
  });

  test('through Kms: a key named by ID after another key took its slot still resolves to itself', async () => {
    const kms = new Kms({ keyStore: new InMemoryKeyStore() });
    const ids: string[] = [];
    // 300 keys over 256 slots: some share one.
    for (let i = 0; i < 300; i++) ids.push((await kms.createKey()).KeyMetadata!.KeyId!);
    for (const id of [...ids, ...ids.reverse()]) expect((await kms.describeKey({ KeyId: id })).KeyMetadata!.KeyId).toBe(id);
  });
});

const rnd = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const materialId = () => Array.from(rnd(32), (b) => b.toString(16).padStart(2, '0')).join('');

/** A blob-shaped buffer (header prefix, then random bytes) naming `keyId` of `accountId`. */
function blobOf(accountId: string, keyId: string, version: number = VERSION_1): Uint8Array {
  const out = rnd(OVERHEAD + 32);
  out.set(keyHeaderPrefix({ accountId, keyId, keyMaterialId: materialId() }, version));
  return out;
}

describe('BlobArnMemo', () => {
  test('answers keyArn of the header for UUIDs and mrk- IDs, v1 and v2 headers, any account, in every Region partition', () => {
    for (const region of ['us-east-1', 'cn-north-1', 'us-gov-west-1']) {
      const memo = new BlobArnMemo(region);
      const cases = [
        ...Array.from({ length: 1500 }, () => ({ account: '111122223333', id: randomUUID(), version: VERSION_1 })),
        ...Array.from({ length: 500 }, () => ({ account: String(Math.floor(Math.random() * 1e12)).padStart(12, '0'), id: newKeyId(rnd, true), version: VERSION_1 })),
        ...Array.from({ length: 200 }, () => ({ account: '000000000001', id: randomUUID(), version: VERSION_2 })),
        { account: '999999999999', id: randomUUID(), version: VERSION_1 },
      ].map((c) => ({ ...c, blob: blobOf(c.account, c.id, c.version) }));
      for (let round = 0; round < 3; round++) {
        for (const c of round === 1 ? [...cases].reverse() : cases) expect(memo.arn(c.blob)).toBe(keyArn(region, c.account, c.id));
      }
    }
  });

  test('a blob that differs from a cached key reference in any one of its 24 bytes never gets that reference’s ARN', () => {
    const memo = new BlobArnMemo('eu-west-1');
    const id = randomUUID();
    const blob = blobOf('444455556666', id);
    const arn = keyArn('eu-west-1', '444455556666', id);
    for (let i = 0; i < KEY_REF_LEN; i++) {
      expect(memo.arn(blob)).toBe(arn);
      const other = blob.slice();
      other[i] = (other[i] as number) ^ 0x01;
      // Bytes 0, 1 and 7 (magic, version, key-ID form) then name no key, or another suite's blob.
      const got = memo.arn(other);
      expect(got, `byte ${i}`).not.toBe(arn);
      expect(memo.arn(blob)).toBe(arn);
    }
  });

  test('blobs whose keys share a slot take turns, each resolving to its own key', () => {
    const memo = new BlobArnMemo('ap-south-1');
    // Same last key-ID byte and the same low two bits of the byte before: one slot.
    const a = 'aaaaaaaa-aaaa-4aaa-aaaa-aaaaaaaa01ab';
    const b = 'bbbbbbbb-bbbb-4bbb-bbbb-bbbbbbbb05ab';
    const c = 'cccccccc-cccc-4ccc-cccc-cccccccc02ab'; // byte before: 0x02, another slot
    const blobs = { a: blobOf('123456789012', a), b: blobOf('123456789012', b), c: blobOf('123456789012', c) };
    for (const k of ['a', 'b', 'a', 'a', 'c', 'b', 'c', 'a'] as const) expect(memo.arn(blobs[k]), k).toBe(keyArn('ap-south-1', '123456789012', { a, b, c }[k]));
  });

  test('what is no kms-core envelope answers undefined and takes no slot (short, bad magic, version, form, account)', () => {
    const memo = new BlobArnMemo('us-west-2');
    const id = randomUUID();
    const good = blobOf('111122223333', id);
    const arn = keyArn('us-west-2', '111122223333', id);
    expect(memo.arn(good)).toBe(arn);
    const bad = (i: number, v: number) => {
      const x = good.slice();
      x[i] = v;
      return x;
    };
    const tooBigAccount = good.slice();
    tooBigAccount.set([0xff, 0xff, 0xff, 0xff, 0xff], 2); // 2^40 - 1 > 999,999,999,999
    for (const x of [good.subarray(0, KEY_REF_LEN - 1), bad(0, 0x4a), bad(1, 0x03), bad(1, 0x00), bad(7, 0x03), bad(7, 0x00), tooBigAccount]) {
      expect(memo.arn(x)).toBeUndefined();
      expect(memo.arn(good)).toBe(arn);
    }
  });

  test('through Kms: Decrypt of blobs under 2,000 keys (more keys than slots), in random order, names each blob’s own key', async () => {
    const kms = new Kms({ keyStore: new InMemoryKeyStore() });
    const made: { arn: string; blob: Uint8Array }[] = [];
    for (let i = 0; i < 2000; i++) {
      const { KeyId, Arn } = (await kms.createKey()).KeyMetadata!;
      made.push({ arn: Arn!, blob: (await kms.encrypt({ KeyId: KeyId!, Plaintext: new Uint8Array([i & 0xff]) })).CiphertextBlob! });
    }
    const order = [...made, ...made].sort(() => Math.random() - 0.5);
    for (const { arn, blob } of order) expect((await kms.decrypt({ CiphertextBlob: blob })).KeyId).toBe(arn);
  });
});

