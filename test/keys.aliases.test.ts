/**
 * Aliases (CreateAlias, UpdateAlias, DeleteAlias, ListAliases) and the pagination of ListKeys
 * and ListAliases (Limit / Marker / Truncated / NextMarker).
 */
import { describe, expect, test } from 'vitest';
import { Kms } from '../src/index.js';
import { enc } from './helpers/index.js';
import { ACCOUNT_A, ManualClock, describe_, newKey, refuses } from './helpers/keys.js';

const aliasArn = (name: string) => `arn:aws:kms:us-east-1:${ACCOUNT_A}:${name}`;

async function setup() {
  const clock = new ManualClock();
  const kms = new Kms({ now: clock.now });
  const key = await newKey(kms);
  const other = await newKey(kms);
  return { clock, kms, key, other };
}

describe('CreateAlias', () => {
  test('createAlias returns {} and listAliases shows AliasName, AliasArn, TargetKeyId (key ID) and dates', async () => {
    const { clock, kms, key } = await setup();
    expect(await kms.createAlias({ AliasName: 'alias/orders', TargetKeyId: key.KeyId })).toEqual({});
    const { Aliases, Truncated } = await kms.listAliases();
    expect(Truncated).toBe(false);
    expect(Aliases).toEqual([
      { AliasName: 'alias/orders', AliasArn: aliasArn('alias/orders'), TargetKeyId: key.KeyId, CreationDate: clock.now(), LastUpdatedDate: clock.now() },
    ]);
  });

  test('the target may be given as key ARN; TargetKeyId is still the key ID', async () => {
    const { kms, key } = await setup();
    await kms.createAlias({ AliasName: 'alias/by-arn', TargetKeyId: key.Arn });
    expect((await kms.listAliases()).Aliases?.[0]?.TargetKeyId).toBe(key.KeyId);
  });

  test('several aliases may point at one key', async () => {
    const { kms, key } = await setup();
    for (const n of ['alias/a', 'alias/b', 'alias/c']) await kms.createAlias({ AliasName: n, TargetKeyId: key.KeyId });
    for (const n of ['alias/a', 'alias/b', 'alias/c']) expect((await describe_(kms, n)).KeyId).toBe(key.KeyId);
  });

  test('names may use letters, digits, slashes, underscores and dashes', async () => {
    const { kms, key } = await setup();
    for (const n of ['alias/A-z_0/9', 'alias/team/app/prod', 'alias/x', 'alias/awsome', 'alias/aws-like', `alias/${'n'.repeat(250)}`]) {
      await kms.createAlias({ AliasName: n, TargetKeyId: key.KeyId });
      expect((await describe_(kms, n)).KeyId).toBe(key.KeyId);
    }
  });

  test('an alias name that already exists is AlreadyExistsException "An alias with the name <alias ARN> already exists"', async () => {
    const { kms, key, other } = await setup();
    await kms.createAlias({ AliasName: 'alias/dup', TargetKeyId: key.KeyId });
    await refuses(kms.createAlias({ AliasName: 'alias/dup', TargetKeyId: other.KeyId }), 'AlreadyExistsException', `An alias with the name ${aliasArn('alias/dup')} already exists`);
    expect((await describe_(kms, 'alias/dup')).KeyId).toBe(key.KeyId);
  });

  test('Precondition: an alias name starts with alias/, has only the allowed characters, and is not reserved — an alias name must start with "alias/": ValidationException as AWS words it', async () => {
    const { kms, key } = await setup();
    for (const n of ['orders', 'aliases/orders', 'Alias/orders']) {
      await refuses(
        kms.createAlias({ AliasName: n, TargetKeyId: key.KeyId }),
        'ValidationException',
        'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
      );
    }
  });

  test('Precondition: an alias name starts with alias/, has only the allowed characters, and is not reserved — names outside ^alias/[a-zA-Z0-9/_-]+$ or longer than 256 characters are ValidationException', async () => {
    const { kms, key } = await setup();
    for (const n of ['alias/', 'alias/a b', 'alias/a:b', 'alias/ü', 'alias/a.b', `alias/${'n'.repeat(251)}`, '']) {
      await refuses(kms.createAlias({ AliasName: n, TargetKeyId: key.KeyId }), 'ValidationException');
    }
    expect((await kms.listAliases()).Aliases).toEqual([]);
  });

  test('Precondition: an alias name starts with alias/, has only the allowed characters, and is not reserved — alias/aws/ is reserved for AWS managed keys: NotAuthorizedException', async () => {
    const { kms, key } = await setup();
    for (const n of ['alias/aws/s3', 'alias/aws/ebs', 'alias/aws/x/y']) {
      await refuses(kms.createAlias({ AliasName: n, TargetKeyId: key.KeyId }), 'NotAuthorizedException');
    }
    await refuses(kms.updateAlias({ AliasName: 'alias/aws/s3', TargetKeyId: key.KeyId }), 'NotAuthorizedException');
    await refuses(kms.deleteAlias({ AliasName: 'alias/aws/s3' }), 'NotAuthorizedException');
    expect((await kms.listAliases()).Aliases).toEqual([]);
  });

  test('Precondition: the identifier is one of the forms the operation accepts — an alias must point at a key, never at another alias: TargetKeyId takes a key ID or key ARN, an alias is NotFoundException (12.9)', async () => {
    const { kms, key } = await setup();
    await kms.createAlias({ AliasName: 'alias/first', TargetKeyId: key.KeyId });
    await refuses(kms.createAlias({ AliasName: 'alias/second', TargetKeyId: 'alias/first' }), 'NotFoundException', "Invalid keyId 'alias/first'");
    await refuses(kms.createAlias({ AliasName: 'alias/second', TargetKeyId: aliasArn('alias/first') }), 'NotFoundException', `Invalid keyId '${aliasArn('alias/first')}'`);
    await refuses(kms.updateAlias({ AliasName: 'alias/first', TargetKeyId: 'alias/first' }), 'NotFoundException', "Invalid keyId 'alias/first'");
    await refuses(kms.describeKey({ KeyId: 'alias/second' }), 'NotFoundException');
  });

  test('a missing target key is NotFoundException', async () => {
    const { kms } = await setup();
    const id = '0b3c5f5e-1d2c-4b8a-9a3e-7f6d5c4b3a29';
    await refuses(kms.createAlias({ AliasName: 'alias/x', TargetKeyId: id }), 'NotFoundException', `Key 'arn:aws:kms:us-east-1:${ACCOUNT_A}:key/${id}' does not exist`);
    await refuses(kms.createAlias({ AliasName: 'alias/x', TargetKeyId: 'junk' }), 'NotFoundException', "Invalid keyId 'junk'");
  });

  test('a target pending deletion is KMSInvalidStateException "<arn> is pending deletion."; Disabled and PendingImport targets are allowed', async () => {
    const { kms, key, other } = await setup();
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    await refuses(kms.createAlias({ AliasName: 'alias/x', TargetKeyId: key.KeyId }), 'KMSInvalidStateException', `${key.Arn} is pending deletion.`);
    await kms.disableKey({ KeyId: other.KeyId });
    await kms.createAlias({ AliasName: 'alias/disabled', TargetKeyId: other.KeyId });
    const ext = await newKey(kms, { Origin: 'EXTERNAL' });
    await kms.createAlias({ AliasName: 'alias/pending-import', TargetKeyId: ext.KeyId });
    expect(((await kms.listAliases()).Aliases ?? []).map((a) => a.AliasName)).toEqual(['alias/disabled', 'alias/pending-import']);
  });

  test('a missing AliasName or TargetKeyId is a ValidationException', async () => {
    const { kms, key } = await setup();
    await refuses(kms.createAlias({ AliasName: undefined, TargetKeyId: key.KeyId }), 'ValidationException', "1 validation error detected: Value null at 'aliasName' failed to satisfy constraint: Member must not be null");
    await refuses(kms.createAlias({ AliasName: 'alias/x', TargetKeyId: undefined }), 'ValidationException', "1 validation error detected: Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null");
  });
});

describe('UpdateAlias', () => {
  test('updateAlias repoints the alias: LastUpdatedDate moves, CreationDate stays, encrypt follows', async () => {
    const { clock, kms, key, other } = await setup();
    await kms.createAlias({ AliasName: 'alias/live', TargetKeyId: key.KeyId });
    const created = clock.now();
    clock.advance(60_000);
    expect(await kms.updateAlias({ AliasName: 'alias/live', TargetKeyId: other.Arn })).toEqual({});
    const [entry] = (await kms.listAliases()).Aliases ?? [];
    expect(entry).toEqual({ AliasName: 'alias/live', AliasArn: aliasArn('alias/live'), TargetKeyId: other.KeyId, CreationDate: created, LastUpdatedDate: clock.now() });
    expect((await kms.encrypt({ KeyId: 'alias/live', Plaintext: enc('x') })).KeyId).toBe(other.Arn);
  });

  test('updateAlias of a missing alias is NotFoundException "Alias <alias ARN> is not found."', async () => {
    const { kms, key } = await setup();
    await refuses(kms.updateAlias({ AliasName: 'alias/ghost', TargetKeyId: key.KeyId }), 'NotFoundException', `Alias ${aliasArn('alias/ghost')} is not found.`);
  });

  test('the new target may not be pending deletion; the current target may be', async () => {
    const { kms, key, other } = await setup();
    await kms.createAlias({ AliasName: 'alias/live', TargetKeyId: key.KeyId });
    await kms.scheduleKeyDeletion({ KeyId: other.KeyId });
    await refuses(kms.updateAlias({ AliasName: 'alias/live', TargetKeyId: other.KeyId }), 'KMSInvalidStateException', `${other.Arn} is pending deletion.`);
    const third = await newKey(kms);
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    await kms.updateAlias({ AliasName: 'alias/live', TargetKeyId: third.KeyId });
    expect((await describe_(kms, 'alias/live')).KeyId).toBe(third.KeyId);
  });

  test('Precondition: the new target has the current target\'s key type and key usage — the new target must be of the same key type as the current one: symmetric to RSA is a ValidationException', async () => {
    const { kms, key } = await setup();
    const rsa = await newKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await kms.createAlias({ AliasName: 'alias/sym', TargetKeyId: key.KeyId });
    await refuses(kms.updateAlias({ AliasName: 'alias/sym', TargetKeyId: rsa.KeyId }), 'ValidationException');
    expect((await describe_(kms, 'alias/sym')).KeyId).toBe(key.KeyId);
    await kms.createAlias({ AliasName: 'alias/rsa', TargetKeyId: rsa.KeyId });
    await refuses(kms.updateAlias({ AliasName: 'alias/rsa', TargetKeyId: key.KeyId }), 'ValidationException');
  });

  test('updateAlias to a missing key is NotFoundException and leaves the alias as it was', async () => {
    const { kms, key } = await setup();
    await kms.createAlias({ AliasName: 'alias/live', TargetKeyId: key.KeyId });
    await refuses(kms.updateAlias({ AliasName: 'alias/live', TargetKeyId: '0b3c5f5e-1d2c-4b8a-9a3e-7f6d5c4b3a29' }), 'NotFoundException');
    expect((await describe_(kms, 'alias/live')).KeyId).toBe(key.KeyId);
  });
});

describe('DeleteAlias', () => {
  test('deleteAlias removes the alias but not its key; a second delete is NotFoundException', async () => {
    const { kms, key } = await setup();
    await kms.createAlias({ AliasName: 'alias/tmp', TargetKeyId: key.KeyId });
    expect(await kms.deleteAlias({ AliasName: 'alias/tmp' })).toEqual({});
    expect((await kms.listAliases()).Aliases).toEqual([]);
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
    await refuses(kms.deleteAlias({ AliasName: 'alias/tmp' }), 'NotFoundException', `Alias ${aliasArn('alias/tmp')} is not found.`);
    await refuses(kms.describeKey({ KeyId: 'alias/tmp' }), 'NotFoundException');
  });

  test('a deleted alias name can be created again, for another key', async () => {
    const { kms, key, other } = await setup();
    await kms.createAlias({ AliasName: 'alias/tmp', TargetKeyId: key.KeyId });
    await kms.deleteAlias({ AliasName: 'alias/tmp' });
    await kms.createAlias({ AliasName: 'alias/tmp', TargetKeyId: other.KeyId });
    expect((await describe_(kms, 'alias/tmp')).KeyId).toBe(other.KeyId);
  });

  test('deleteAlias works while the target key is pending deletion', async () => {
    const { kms, key } = await setup();
    await kms.createAlias({ AliasName: 'alias/tmp', TargetKeyId: key.KeyId });
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    await kms.deleteAlias({ AliasName: 'alias/tmp' });
    expect((await kms.listAliases()).Aliases).toEqual([]);
  });
});

describe('ListAliases', () => {
  test('the KeyId filter (key ID or key ARN) lists only the aliases of that key', async () => {
    const { kms, key, other } = await setup();
    await kms.createAlias({ AliasName: 'alias/k1', TargetKeyId: key.KeyId });
    await kms.createAlias({ AliasName: 'alias/o1', TargetKeyId: other.KeyId });
    await kms.createAlias({ AliasName: 'alias/k2', TargetKeyId: key.KeyId });
    for (const id of [key.KeyId, key.Arn as string]) {
      expect(((await kms.listAliases({ KeyId: id })).Aliases ?? []).map((a) => a.AliasName)).toEqual(['alias/k1', 'alias/k2']);
    }
    expect(((await kms.listAliases({ KeyId: other.KeyId })).Aliases ?? []).map((a) => a.AliasName)).toEqual(['alias/o1']);
    const lonely = await newKey(kms);
    expect((await kms.listAliases({ KeyId: lonely.KeyId })).Aliases).toEqual([]);
  });

  test('the KeyId filter naming a missing or malformed key is NotFoundException', async () => {
    const { kms } = await setup();
    await refuses(kms.listAliases({ KeyId: '0b3c5f5e-1d2c-4b8a-9a3e-7f6d5c4b3a29' }), 'NotFoundException');
    await refuses(kms.listAliases({ KeyId: 'nope' }), 'NotFoundException');
  });

  test('aliases of keys pending deletion are still listed', async () => {
    const { kms, key } = await setup();
    await kms.createAlias({ AliasName: 'alias/k', TargetKeyId: key.KeyId });
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    expect(((await kms.listAliases()).Aliases ?? []).map((a) => a.AliasName)).toEqual(['alias/k']);
  });
});

/** Pages through a list operation, checking Truncated and NextMarker on every page. */
async function pageAll<T>(call: (marker?: string) => Promise<{ items: T[]; Truncated?: boolean; NextMarker?: string }>, limit: number) {
  const pages: T[][] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await call(marker);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    pages.push(page.items);
    if (!page.Truncated) {
      expect(page).not.toHaveProperty('NextMarker');
      return pages;
    }
    expect(typeof page.NextMarker).toBe('string');
    marker = page.NextMarker;
    expect(pages.length).toBeLessThan(1000);
  }
}

describe('pagination: Limit, Marker, Truncated, NextMarker', () => {
  test('listKeys pages of Limit keys; Truncated until the last page; together every key once, in creation order', async () => {
    const kms = new Kms();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await newKey(kms)).KeyId);
    const pages = await pageAll(async (Marker) => {
      const r = await kms.listKeys({ Limit: 3, Marker });
      return { ...r, items: (r.Keys ?? []).map((k) => k.KeyId as string) };
    }, 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(ids);
  });

  test('listKeys entries carry KeyId and KeyArn', async () => {
    const kms = new Kms();
    const k = await newKey(kms);
    expect(await kms.listKeys()).toEqual({ Keys: [{ KeyId: k.KeyId, KeyArn: k.Arn }], Truncated: false });
  });

  test('listKeys returns 100 keys by default and at most Limit (≤ 1000)', async () => {
    const kms = new Kms();
    for (let i = 0; i < 101; i++) await newKey(kms);
    const first = await kms.listKeys();
    expect(first.Keys).toHaveLength(100);
    expect(first.Truncated).toBe(true);
    const rest = await kms.listKeys({ Marker: first.NextMarker });
    expect(rest.Keys).toHaveLength(1);
    expect(rest.Truncated).toBe(false);
    expect((await kms.listKeys({ Limit: 1000 })).Keys).toHaveLength(101);
  });

  test('listAliases pages of Limit aliases; together every alias once', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    const names = Array.from({ length: 7 }, (_, i) => `alias/a${i}`);
    for (const n of names) await kms.createAlias({ AliasName: n, TargetKeyId: key.KeyId });
    const pages = await pageAll(async (Marker) => {
      const r = await kms.listAliases({ Limit: 2, Marker });
      return { ...r, items: (r.Aliases ?? []).map((a) => a.AliasName as string) };
    }, 2);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
    expect(pages.flat().sort()).toEqual(names);
  });

  test('listAliases returns 50 aliases by default and never more than 100', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    for (let i = 0; i < 101; i++) await kms.createAlias({ AliasName: `alias/n${String(i).padStart(3, '0')}`, TargetKeyId: key.KeyId });
    const first = await kms.listAliases();
    expect(first.Aliases).toHaveLength(50);
    expect(first.Truncated).toBe(true);
    const big = await kms.listAliases({ Limit: 1000 });
    expect(big.Aliases).toHaveLength(100);
    expect(big.Truncated).toBe(true);
    const last = await kms.listAliases({ Limit: 100, Marker: big.NextMarker });
    expect(last.Aliases).toHaveLength(1);
    expect(last.Truncated).toBe(false);
  });

  test('Precondition: a Marker is one a previous page returned — a Marker that no response returned is InvalidMarkerException', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    await kms.createAlias({ AliasName: 'alias/a', TargetKeyId: key.KeyId });
    await refuses(kms.listKeys({ Marker: 'not-a-marker' }), 'InvalidMarkerException');
    await refuses(kms.listAliases({ Marker: 'not-a-marker' }), 'InvalidMarkerException');
  });

  test('Limit 0 or 1001 is a ValidationException', async () => {
    const kms = new Kms();
    await refuses(kms.listKeys({ Limit: 0 }), 'ValidationException', "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    await refuses(kms.listKeys({ Limit: 1001 }), 'ValidationException', "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000");
    await refuses(kms.listAliases({ Limit: 0 }), 'ValidationException');
  });
});

describe('concurrency', () => {
  test('concurrent CreateAlias calls of one name: exactly one succeeds, the others get AlreadyExistsException', async () => {
    const kms = new Kms();
    const k = (await kms.createKey()).KeyMetadata!;
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => kms.createAlias({ AliasName: 'alias/race', TargetKeyId: k.KeyId })));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).name).toBe('AlreadyExistsException');
  });
});
