/**
 * Tags data layer (src/keys/tags.ts): AWS's tag rules with its messages, the pure
 * TagResource / UntagResource / ListResourceTags functions, and tags in the key-store snapshot
 * (old snapshots without Tags still load).
 */
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError } from '../src/index.js';
import { fromSnapshot, toSnapshot } from '../src/keys/snapshot.js';
import { applyTagResource, applyUntagResource, listTags, validateTagKeys, validateTags, type ApiTag } from '../src/keys/tags.js';
import type { TagRecord } from '../src/keys/record.js';

function fails(fn: () => unknown, name: string, message?: string | RegExp): KmsError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${name}`).toBeInstanceOf(KmsError);
  const k = err as KmsError;
  expect(k.name).toBe(name);
  if (typeof message === 'string') expect(k.message).toBe(message);
  else if (message) expect(k.message).toMatch(message);
  return k;
}

const tag = (TagKey: string, TagValue = ''): ApiTag => ({ TagKey, TagValue });
const many = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => tag(`${prefix}${i}`, `v${i}`));

describe('tag rules (validateTags, validateTagKeys)', () => {
  test('keys of 1..128 and values of 0..256 characters are fine; case and empty values are kept', () => {
    expect(() => validateTags([tag('a'), tag('k'.repeat(128), 'v'.repeat(256)), tag('Env', ''), tag('env', 'x')])).not.toThrow();
  });

  test('Precondition: tag keys are 1..128 characters — Precondition: tag keys are 1..128 and values 0..256 characters — ValidationException in the model\'s words', () => {
    fails(() => validateTags([tag('ok'), tag('k'.repeat(129))]), 'ValidationException', `1 validation error detected: Value '${'k'.repeat(129)}' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`);
    fails(() => validateTags([tag('')]), 'ValidationException', "1 validation error detected: Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1");
    fails(() => validateTags([tag('a', 'v'.repeat(257)), tag('', 'x')]), 'ValidationException', /^2 validation errors detected: Value 'v{257}' at 'tags\.1\.member\.tagValue' .*; Value '' at 'tags\.2\.member\.tagKey'/);
    fails(() => validateTagKeys(['ok', 'k'.repeat(129)]), 'ValidationException', /at 'tagKeys\.2\.member' failed to satisfy constraint: Member must have length less than or equal to 128$/);
  });

  test('Precondition: no tag key appears twice in one request — TagException "Duplicate tag keys"', () => {
    fails(() => validateTags([tag('env', 'a'), tag('team'), tag('env', 'b')]), 'TagException', 'Duplicate tag keys');
    // Keys are case-sensitive: Env and env are two keys.
    expect(() => validateTags([tag('Env'), tag('env')])).not.toThrow();
  });

  test('Precondition: at most 50 tags in one request — TagException "Too many tags"', () => {
    expect(() => validateTags(many(50))).not.toThrow();
    fails(() => validateTags(many(51)), 'TagException', 'Too many tags');
  });

  test('Precondition: the aws: prefix is reserved for AWS — TagException, any case', () => {
    for (const k of ['aws:cloudformation:stack-name', 'AWS:x', 'Aws:']) fails(() => validateTags([tag(k)]), 'TagException', 'Tags beginning with aws: are reserved');
    expect(() => validateTags([tag('awsx'), tag('my:aws:thing')])).not.toThrow();
    fails(() => validateTagKeys(['aws:x']), 'TagException', 'Tags beginning with aws: are reserved');
  });

  test('Precondition: TagKey and TagValue are strings (the protocol layer checks types first)', () => {
    fails(() => validateTags([{ TagKey: 'a' } as unknown as ApiTag]), 'TagException');
  });
});

describe('applyTagResource / applyUntagResource / listTags', () => {
  test('TagResource adds new keys in order and replaces the value of an existing key; the input is not mutated', () => {
    const current: TagRecord[] = [
      { key: 'env', value: 'dev' },
      { key: 'team', value: 'a' },
    ];
    const frozen = structuredClone(current);
    const next = applyTagResource(current, [tag('team', 'b'), tag('cost', '42')]);
    expect(next).toEqual([
      { key: 'env', value: 'dev' },
      { key: 'team', value: 'b' },
      { key: 'cost', value: '42' },
    ]);
    expect(current).toEqual(frozen);
    expect(next[0]).not.toBe(current[0]);
    expect(applyTagResource(undefined, [tag('a', '1')])).toEqual([{ key: 'a', value: '1' }]);
  });

  test('Precondition: a key holds at most 50 tags — LimitExceededException once the request is applied', () => {
    const full = applyTagResource(undefined, many(50));
    // Replacing values of existing keys keeps 50: allowed.
    expect(applyTagResource(full, [tag('k0', 'new')])).toHaveLength(50);
    fails(() => applyTagResource(full, [tag('one-more')]), 'LimitExceededException', 'The request would exceed the quota of 50 tags per KMS key.');
    fails(() => applyTagResource(applyTagResource(undefined, many(30, 'a')), many(21, 'b')), 'LimitExceededException');
  });

  test('TagResource applies the request rules before changing anything', () => {
    fails(() => applyTagResource([], [tag('x'), tag('x')]), 'TagException', 'Duplicate tag keys');
    fails(() => applyTagResource([], [tag('aws:x')]), 'TagException', 'Tags beginning with aws: are reserved');
  });

  test('UntagResource removes the named keys; keys that are not there are no error', () => {
    const current = applyTagResource(undefined, [tag('a', '1'), tag('b', '2'), tag('c', '3')]);
    expect(applyUntagResource(current, ['b', 'missing'])).toEqual([
      { key: 'a', value: '1' },
      { key: 'c', value: '3' },
    ]);
    expect(applyUntagResource(undefined, ['x'])).toEqual([]);
    expect(current).toHaveLength(3);
  });

  test('ListResourceTags pages with Limit (default and maximum 50) and an opaque marker within MarkerType', () => {
    const tags = applyTagResource(undefined, [...many(48), tag('ключ', 'значение'), tag('🔑', 'emoji')]);
    const all = listTags(tags);
    expect(all.Tags).toHaveLength(50);
    expect(all).toMatchObject({ Truncated: false });
    expect(all.NextMarker).toBeUndefined();
    expect(listTags(tags, { Limit: 1000 }).Tags).toHaveLength(50);
    const seen: ApiTag[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const p = listTags(tags, { Limit: 7, Marker: marker });
      seen.push(...p.Tags);
      marker = p.NextMarker;
      pages++;
      expect(p.Truncated).toBe(marker !== undefined);
      // MarkerType: [\u0020-\u00FF]*, 1..1024.
      if (marker !== undefined) expect(marker).toMatch(/^[\u0020-\u00FF]{1,1024}$/);
    } while (marker !== undefined);
    expect(pages).toBe(8);
    expect(seen).toEqual(all.Tags);
    expect(listTags(undefined)).toEqual({ Tags: [], Truncated: false });
  });

  test('Precondition: the marker is one ListResourceTags returned — InvalidMarkerException otherwise', () => {
    const tags = applyTagResource(undefined, many(3));
    const next = listTags(tags, { Limit: 1 }).NextMarker as string;
    const gone = applyUntagResource(tags, ['k1']);
    for (const m of ['not-a-marker!', 'bm9wZQ', next]) {
      fails(() => listTags(m === next ? gone : tags, { Marker: m }), 'InvalidMarkerException', 'The marker that specifies where pagination should next begin is not valid.');
    }
  });
});

describe('tags in the key-store snapshot', () => {
  test('a record with tags round-trips through the snapshot; one without writes no Tags field', async () => {
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store });
    const a = (await kms.createKey({})).KeyMetadata?.Arn as string;
    const b = (await kms.createKey({})).KeyMetadata?.Arn as string;
    await store.updateKey(a, (r) => {
      r.tags = applyTagResource(r.tags, [tag('env', 'dev'), tag('empty', '')]);
    });
    const snap = store.exportSnapshot();
    const ja = snap.keys.find((k) => k.Arn === a) as Record<string, unknown>;
    const jb = snap.keys.find((k) => k.Arn === b) as Record<string, unknown>;
    expect(ja.Tags).toEqual([
      { TagKey: 'env', TagValue: 'dev' },
      { TagKey: 'empty', TagValue: '' },
    ]);
    expect('Tags' in jb).toBe(false);
    const back = InMemoryKeyStore.fromSnapshot(JSON.parse(JSON.stringify(snap)));
    expect((await back.getKey(a))?.tags).toEqual([
      { key: 'env', value: 'dev' },
      { key: 'empty', value: '' },
    ]);
    expect((await back.getKey(b))?.tags).toBeUndefined();
  });

  test('snapshots written before tags (no Tags field) still load; malformed Tags name the field', async () => {
    const store = new InMemoryKeyStore();
    await new Kms({ keyStore: store }).createKey({});
    const snap = store.exportSnapshot();
    expect(snap.keys.every((k) => !('Tags' in k))).toBe(true);
    expect(fromSnapshot(snap).keys).toHaveLength(1);
    const bad = structuredClone(snap);
    (bad.keys[0] as Record<string, unknown>).Tags = [{ TagKey: 'aws:x', TagValue: '' }];
    fails(() => fromSnapshot(bad), 'ValidationException', 'Invalid key-store snapshot: keys[0].Tags is not a valid tag set (TagException)');
    (bad.keys[0] as Record<string, unknown>).Tags = { env: 'dev' };
    fails(() => fromSnapshot(bad), 'ValidationException', 'Invalid key-store snapshot: keys[0].Tags must be a list of { TagKey, TagValue } strings');
    expect(toSnapshot([], []).keys).toEqual([]);
  });
});
