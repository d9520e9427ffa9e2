/**
 * src/keys/arn-memo.ts: the key ID → key ARN table of one account and Region. What it answers
 * is keyArn's answer whatever the order of IDs, including IDs that share a slot.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { keyArn, newKeyId } from '../src/keys/arn.js';
import { KeyArnMemo } from '../src/keys/arn-memo.js';
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
