/**
 * src/keys/arn-memo.ts: the key ID → key ARN table of one account and Region, and the blob key
 * reference → key ARN table of one Region, each holding the ARNs of records the store answered
 * (`keep`). What they answer is keyArn's answer whatever the order of lookups and keeps,
 * including IDs or blobs that share a slot and ARNs of other accounts, Regions or forms kept; a
 * blob whose first 24 bytes differ from a kept ARN's key reference in any byte never gets that
 * ARN. A table grows while most lookups miss, and stops once it holds the keys in use.
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
      for (let round = 0; round < 3; round++) {
        for (const id of ids) {
          const arn = memo.arn(id);
          expect(arn).toBe(keyArn(region, '111122223333', id));
          memo.keep(arn);
        }
      }
    }
  });

  test('IDs that share a slot (same last five hex digits) take turns and each gets its own ARN', () => {
    const memo = new KeyArnMemo('eu-west-1', '444455556666');
    const a = '1b4e28ba-2fa1-11d2-883f-0016d3cca4ab';
    const b = '6fa459ea-ee8a-3ca4-894e-db77e160355b'; // another slot
    const c = 'ffffffff-ffff-4fff-bfff-fffffffca4ab'; // …ca4ab: a's slot
    const d = '1b4e28ba-2fa1-11d2-883f-0016d3cca4ac'; // a but for its last digit
    for (const id of [a, c, a, a, c, b, c, a, d, a, d]) {
      const arn = memo.arn(id);
      expect(arn, id).toBe(`arn:aws:kms:eu-west-1:444455556666:key/${id}`);
      memo.keep(arn);
    }
  });

  test('an ARN of another account, Region or partition, or not in kms-core\'s key-ID form, is never answered for a key ID', () => {
    const memo = new KeyArnMemo('eu-west-1', '444455556666');
    const id = '1b4e28ba-2fa1-11d2-883f-0016d3cca4ab';
    for (const other of [
      `arn:aws:kms:eu-west-1:999999999999:key/${id}`,
      `arn:aws:kms:eu-west-2:444455556666:key/${id}`,
      `arn:aws-cn:kms:eu-west-1:444455556666:key/${id}`,
      `arn:aws:kms:eu-west-1:444455556666:key/${id.toUpperCase()}`,
      `arn:aws:kms:eu-west-1:444455556666:key/x${id}`,
      `arn:aws:kms:eu-west-1:444455556666:alias/${id}`,
    ]) {
      expect(memo.arn(id)).toBe(`arn:aws:kms:eu-west-1:444455556666:key/${id}`); // a miss: the keep after it is tried
      memo.keep(other);
      expect(memo.arn(id), other).toBe(`arn:aws:kms:eu-west-1:444455556666:key/${id}`);
    }
  });

  test('the table grows while lookups miss, to hold 10^4 keys in use, and no further; over 10 keys it stays at 256 slots', () => {
    const many = new KeyArnMemo('us-east-1', '111122223333');
    const ids = Array.from({ length: 10_000 }, () => randomUUID());
    for (let round = 0; round < 6; round++) for (let i = 0; i < 20_000; i++) many.keep(many.arn(ids[(Math.random() * ids.length) | 0] as string));
    expect(many.slots).toBeGreaterThanOrEqual(16_384);
    // Kept ARNs hit: a table whose keeps were lost would miss on every lookup and grow to 2^17.
    expect(many.slots).toBeLessThanOrEqual(65_536);
    const few = new KeyArnMemo('us-east-1', '111122223333');
    // Ten keys in ten slots: random ones share a slot now and then, and two shared slots are 40%
    // misses, for which the table grows by design (a flaky test before this pick: ~1% of runs).
    const ten = inDistinctSlots(ids, 256, 10);
    for (let i = 0; i < 100_000; i++) few.keep(few.arn(ten[i % 10] as string));
    expect(few.slots).toBe(256);
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

/**
 * The first `n` of `ids` whose slots in a table of `slots` differ: both memos index by the key
 * ID's last five hex digits (a blob's last 2.5 key-ID bytes are the same digits).
 */
function inDistinctSlots(ids: readonly string[], slots: number, n: number): string[] {
  const taken = new Set<number>();
  const out: string[] = [];
  for (const id of ids) {
    const slot = parseInt(id.slice(-5), 16) & (slots - 1);
    if (taken.has(slot)) continue;
    taken.add(slot);
    out.push(id);
    if (out.length === n) break;
  }
  return out;
}

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
        for (const c of round === 1 ? [...cases].reverse() : cases) {
          const arn = memo.arn(c.blob);
          expect(arn).toBe(keyArn(region, c.account, c.id));
          memo.keep(arn as string);
        }
      }
    }
  });

  test.each([
    ['a UUID', randomUUID()],
    ['an mrk- ID', newKeyId(rnd, true)],
  ])('a blob that differs from a kept ARN’s key reference (%s) in any one of its 24 bytes never gets that ARN', (_form, id) => {
    const memo = new BlobArnMemo('eu-west-1');
    const blob = blobOf('444455556666', id);
    const arn = keyArn('eu-west-1', '444455556666', id);
    memo.keep(memo.arn(blob) as string);
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
    // Same last five hex digits of the key ID: one slot.
    const a = 'aaaaaaaa-aaaa-4aaa-aaaa-aaaaaaa101ab';
    const b = 'bbbbbbbb-bbbb-4bbb-bbbb-bbbbbbb501ab';
    const c = 'cccccccc-cccc-4ccc-cccc-cccccccc02ab'; // another slot
    const blobs = { a: blobOf('123456789012', a), b: blobOf('123456789012', b), c: blobOf('123456789012', c) };
    for (const k of ['a', 'b', 'a', 'a', 'c', 'b', 'c', 'a'] as const) {
      const arn = memo.arn(blobs[k]);
      expect(arn, k).toBe(keyArn('ap-south-1', '123456789012', { a, b, c }[k]));
      memo.keep(arn as string);
    }
  });

  test('an ARN of another Region, partition or account, or not in kms-core\'s key-ID form, is never answered for a blob', () => {
    const memo = new BlobArnMemo('us-west-2');
    const id = randomUUID();
    const blob = blobOf('111122223333', id);
    for (const other of [
      keyArn('us-west-1', '111122223333', id),
      `arn:aws-cn:kms:us-west-2:111122223333:key/${id}`,
      keyArn('us-west-2', '111122223334', id),
      `arn:aws:kms:us-west-2:111122223333:key/${id.toUpperCase()}`,
      `arn:aws:kms:us-west-2:11112222333a:key/${id}`,
      `arn:aws:kms:us-west-2:111122223333:alias/${id}`,
      `arn:aws:kms:us-west-2:111122223333:key/mrk-${id.replaceAll('-', '')}`,
    ]) {
      expect(memo.arn(blob)).toBe(keyArn('us-west-2', '111122223333', id)); // a miss: the keep after it is tried
      memo.keep(other);
      expect(memo.arn(blob), other).toBe(keyArn('us-west-2', '111122223333', id));
    }
  });

  test('the table grows while lookups miss, to hold 10^4 keys in use, and no further; over 10 keys it stays at 1,024 slots', () => {
    const many = new BlobArnMemo('us-east-1');
    const ids = Array.from({ length: 10_000 }, () => randomUUID());
    const blobs = ids.map((id) => blobOf('111122223333', id));
    for (let round = 0; round < 6; round++) for (let i = 0; i < 20_000; i++) many.keep(many.arn(blobs[(Math.random() * blobs.length) | 0] as Uint8Array) as string);
    expect(many.slots).toBeGreaterThanOrEqual(16_384);
    expect(many.slots).toBeLessThanOrEqual(65_536);
    const few = new BlobArnMemo('us-east-1');
    // Ten keys in ten slots (as for KeyArnMemo above).
    const ten = inDistinctSlots(ids, 1024, 10).map((id) => blobOf('111122223333', id));
    for (let i = 0; i < 100_000; i++) few.keep(few.arn(ten[i % 10] as Uint8Array) as string);
    expect(few.slots).toBe(1024);
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

