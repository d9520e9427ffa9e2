/**
 * The key state machine: EnableKey / DisableKey, ScheduleKeyDeletion / CancelKeyDeletion,
 * deletion once DeletionDate passes, and the states only a loaded snapshot can hold.
 */
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type KeyState } from '../src/index.js';
import { dec, enc } from './helpers/index.js';
import { DAY, ManualClock, describe_, keyInState, newKey, refuses } from './helpers/keys.js';

async function setup() {
  const clock = new ManualClock();
  const kms = new Kms({ now: clock.now });
  const key = await newKey(kms);
  const arn = key.Arn as string;
  const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('before') });
  return { clock, kms, key, arn, blob: CiphertextBlob as Uint8Array };
}

describe('EnableKey and DisableKey', () => {
  test('disableKey makes the key Disabled with Enabled false; enableKey makes it Enabled again', async () => {
    const { kms, key } = await setup();
    expect(await kms.disableKey({ KeyId: key.KeyId })).toEqual({});
    let md = await describe_(kms, key.KeyId);
    expect(md.KeyState).toBe('Disabled');
    expect(md.Enabled).toBe(false);
    expect(await kms.enableKey({ KeyId: key.KeyId })).toEqual({});
    md = await describe_(kms, key.KeyId);
    expect(md.KeyState).toBe('Enabled');
    expect(md.Enabled).toBe(true);
  });

  test('enabling an Enabled key and disabling a Disabled key succeed and change nothing', async () => {
    const { kms, key } = await setup();
    await kms.enableKey({ KeyId: key.KeyId });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
    await kms.disableKey({ KeyId: key.KeyId });
    await kms.disableKey({ KeyId: key.KeyId });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Disabled');
  });

  test('a Disabled key refuses encrypt and decrypt with DisabledException "<arn> is disabled."', async () => {
    const { kms, key, arn, blob } = await setup();
    await kms.disableKey({ KeyId: key.KeyId });
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }), 'DisabledException', `${arn} is disabled.`);
    await refuses(kms.decrypt({ CiphertextBlob: blob }), 'DisabledException', `${arn} is disabled.`);
    await refuses(kms.generateDataKey({ KeyId: key.KeyId, NumberOfBytes: 32 }), 'DisabledException', `${arn} is disabled.`);
  });

  test('re-enabling a key makes its earlier ciphertext decrypt again', async () => {
    const { kms, key, blob } = await setup();
    await kms.disableKey({ KeyId: key.KeyId });
    await kms.enableKey({ KeyId: key.KeyId });
    expect(dec((await kms.decrypt({ CiphertextBlob: blob })).Plaintext)).toBe('before');
  });

  test('enableKey / disableKey of a missing key is NotFoundException with the full key ARN', async () => {
    const kms = new Kms();
    const id = '0b3c5f5e-1d2c-4b8a-9a3e-7f6d5c4b3a29';
    await refuses(kms.enableKey({ KeyId: id }), 'NotFoundException', `Key 'arn:aws:kms:us-east-1:111122223333:key/${id}' does not exist`);
    await refuses(kms.disableKey({ KeyId: id }), 'NotFoundException', `Key 'arn:aws:kms:us-east-1:111122223333:key/${id}' does not exist`);
  });
});

describe('ScheduleKeyDeletion', () => {
  test('PendingWindowInDays defaults to 30 and DeletionDate is now + 30 days', async () => {
    const { clock, kms, key, arn } = await setup();
    clock.advance(12_345);
    const at = clock.t;
    const out = await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    expect(out).toEqual({ KeyId: arn, DeletionDate: new Date(at + 30 * DAY), KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
  });

  test.each([7, 8, 15, 29, 30])('PendingWindowInDays %i is accepted and gives DeletionDate now + that many days', async (days) => {
    const { clock, kms, key } = await setup();
    const out = await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: days });
    expect(out.PendingWindowInDays).toBe(days);
    expect(out.DeletionDate).toEqual(new Date(clock.t + days * DAY));
  });

  test('Precondition: PendingWindowInDays is 7..30 (API reference; the model allows 1..365) — PendingWindowInDays 6 is a ValidationException "... greater than or equal to 7"; the key stays Enabled', async () => {
    const { kms, key } = await setup();
    await refuses(
      kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 6 }),
      'ValidationException',
      "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7",
    );
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
  });

  test('Precondition: PendingWindowInDays is 7..30 (API reference; the model allows 1..365) — PendingWindowInDays 31 is a ValidationException "... less than or equal to 30"', async () => {
    const { kms, key } = await setup();
    await refuses(
      kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 31 }),
      'ValidationException',
      "1 validation error detected: Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30",
    );
  });

  test('PendingWindowInDays outside the model (0, 366, 7.5) is a ValidationException', async () => {
    const { kms, key } = await setup();
    for (const d of [0, 366, 7.5, -1]) await refuses(kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: d }), 'ValidationException');
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Enabled');
  });

  test('DescribeKey of a key pending deletion: KeyState PendingDeletion, Enabled false, DeletionDate, no PendingDeletionWindowInDays', async () => {
    const { clock, kms, key } = await setup();
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    const md = await describe_(kms, key.KeyId);
    expect(md.KeyState).toBe('PendingDeletion');
    expect(md.Enabled).toBe(false);
    expect(md.DeletionDate).toEqual(new Date(clock.t + 7 * DAY));
    // PendingDeletionWindowInDays is for a multi-Region primary in PendingReplicaDeletion only.
    expect(md).not.toHaveProperty('PendingDeletionWindowInDays');
  });

  test('encrypt and decrypt under a key pending deletion: KMSInvalidStateException "<arn> is pending deletion."', async () => {
    const { kms, key, arn, blob } = await setup();
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
    await refuses(kms.decrypt({ CiphertextBlob: blob }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
    await refuses(kms.decrypt({ CiphertextBlob: blob, KeyId: arn }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
  });

  test('a key already pending deletion cannot be scheduled again: KMSInvalidStateException', async () => {
    const { clock, kms, key, arn } = await setup();
    const first = await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 10 });
    clock.advanceDays(1);
    await refuses(kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
    expect((await describe_(kms, key.KeyId)).DeletionDate).toEqual(first.DeletionDate);
  });

  test('enableKey and disableKey of a key pending deletion: KMSInvalidStateException "<arn> is pending deletion."', async () => {
    const { kms, key, arn } = await setup();
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    await refuses(kms.enableKey({ KeyId: key.KeyId }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
    await refuses(kms.disableKey({ KeyId: key.KeyId }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingDeletion');
  });

  test('Disabled and PendingImport keys can be scheduled for deletion', async () => {
    const { kms, key } = await setup();
    await kms.disableKey({ KeyId: key.KeyId });
    expect((await kms.scheduleKeyDeletion({ KeyId: key.KeyId })).KeyState).toBe('PendingDeletion');
    const ext = await newKey(kms, { Origin: 'EXTERNAL' });
    expect((await kms.scheduleKeyDeletion({ KeyId: ext.KeyId, PendingWindowInDays: 7 })).KeyState).toBe('PendingDeletion');
  });
});

describe('CancelKeyDeletion', () => {
  test('cancelKeyDeletion leaves the key Disabled, even if it was Enabled, and clears DeletionDate', async () => {
    const { kms, key, arn } = await setup();
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    expect(await kms.cancelKeyDeletion({ KeyId: key.KeyId })).toEqual({ KeyId: arn });
    const md = await describe_(kms, key.KeyId);
    expect(md.KeyState).toBe('Disabled');
    expect(md.Enabled).toBe(false);
    expect(md).not.toHaveProperty('DeletionDate');
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }), 'DisabledException', `${arn} is disabled.`);
  });

  test('after cancelKeyDeletion, enableKey brings the key back and old ciphertext decrypts', async () => {
    const { kms, key, blob } = await setup();
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    await kms.cancelKeyDeletion({ KeyId: key.KeyId });
    await kms.enableKey({ KeyId: key.KeyId });
    expect(dec((await kms.decrypt({ CiphertextBlob: blob })).Plaintext)).toBe('before');
  });

  test('cancelKeyDeletion of a key that is not pending deletion: KMSInvalidStateException "<arn> is not pending deletion."', async () => {
    const { kms, key, arn } = await setup();
    await refuses(kms.cancelKeyDeletion({ KeyId: key.KeyId }), 'KMSInvalidStateException', `${arn} is not pending deletion.`);
    await kms.disableKey({ KeyId: key.KeyId });
    await refuses(kms.cancelKeyDeletion({ KeyId: key.KeyId }), 'KMSInvalidStateException', `${arn} is not pending deletion.`);
  });

  test('cancelKeyDeletion of an EXTERNAL key whose material was never imported returns it to PendingImport', async () => {
    const kms = new Kms();
    const ext = await newKey(kms, { Origin: 'EXTERNAL' });
    await kms.scheduleKeyDeletion({ KeyId: ext.KeyId });
    await kms.cancelKeyDeletion({ KeyId: ext.KeyId });
    expect((await describe_(kms, ext.KeyId)).KeyState).toBe('PendingImport');
    await refuses(kms.enableKey({ KeyId: ext.KeyId }), 'KMSInvalidStateException', `${ext.Arn} is pending import.`);
  });
});

describe('Deletion once now() passes DeletionDate', () => {
  test('one millisecond before DeletionDate the key is still PendingDeletion and can be cancelled', async () => {
    const { clock, kms, key } = await setup();
    const { DeletionDate } = await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    clock.set((DeletionDate as Date).getTime() - 1);
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingDeletion');
    await kms.cancelKeyDeletion({ KeyId: key.KeyId });
    clock.advanceDays(365);
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Disabled');
  });

  test('at DeletionDate the key is gone: every operation on it is NotFoundException "Key \'<arn>\' does not exist"', async () => {
    const { clock, kms, key, arn } = await setup();
    const { DeletionDate } = await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    clock.set((DeletionDate as Date).getTime());
    const gone = `Key '${arn}' does not exist`;
    await refuses(kms.describeKey({ KeyId: key.KeyId }), 'NotFoundException', gone);
    await refuses(kms.describeKey({ KeyId: arn }), 'NotFoundException', gone);
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }), 'NotFoundException', gone);
    await refuses(kms.cancelKeyDeletion({ KeyId: key.KeyId }), 'NotFoundException', gone);
    await refuses(kms.enableKey({ KeyId: key.KeyId }), 'NotFoundException', gone);
    await refuses(kms.scheduleKeyDeletion({ KeyId: key.KeyId }), 'NotFoundException', gone);
  });

  test('a ciphertext under a deleted key no longer decrypts: AccessDeniedException without KeyId', async () => {
    const { clock, kms, key, blob } = await setup();
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    clock.advanceDays(8);
    await refuses(
      kms.decrypt({ CiphertextBlob: blob }),
      'AccessDeniedException',
      'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
    );
  });

  test('listKeys lists keys pending deletion and omits them once deleted', async () => {
    const { clock, kms, key } = await setup();
    const keep = await newKey(kms);
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    let ids = ((await kms.listKeys()).Keys ?? []).map((k) => k.KeyId);
    expect(ids).toEqual([key.KeyId, keep.KeyId]);
    clock.advanceDays(7);
    ids = ((await kms.listKeys()).Keys ?? []).map((k) => k.KeyId);
    expect(ids).toEqual([keep.KeyId]);
  });

  test('a deleted key takes its aliases with it; the alias name can then be reused', async () => {
    const { clock, kms, key } = await setup();
    const other = await newKey(kms);
    await kms.createAlias({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId });
    await kms.createAlias({ AliasName: 'alias/doomed-too', TargetKeyId: key.Arn });
    await kms.createAlias({ AliasName: 'alias/survivor', TargetKeyId: other.KeyId });
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    // Pending deletion: the aliases still exist and still resolve (DescribeKey works on such keys).
    expect((await describe_(kms, 'alias/doomed')).KeyState).toBe('PendingDeletion');
    clock.advanceDays(7);
    expect(((await kms.listAliases()).Aliases ?? []).map((a) => a.AliasName)).toEqual(['alias/survivor']);
    await refuses(kms.describeKey({ KeyId: 'alias/doomed' }), 'NotFoundException');
    await refuses(kms.encrypt({ KeyId: 'alias/doomed-too', Plaintext: enc('x') }), 'NotFoundException');
    await refuses(kms.deleteAlias({ AliasName: 'alias/doomed' }), 'NotFoundException');
    await kms.createAlias({ AliasName: 'alias/doomed', TargetKeyId: other.KeyId });
    expect((await describe_(kms, 'alias/doomed')).KeyId).toBe(other.KeyId);
  });

  test('deletion is seen by every Kms sharing the store, whichever touches the key first', async () => {
    const clock = new ManualClock();
    const store = new InMemoryKeyStore();
    const a = new Kms({ keyStore: store, now: clock.now });
    const b = new Kms({ keyStore: store, now: clock.now });
    const key = await newKey(a);
    await a.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    clock.advanceDays(7);
    expect((await b.listKeys()).Keys).toEqual([]);
    await refuses(a.describeKey({ KeyId: key.KeyId }), 'NotFoundException');
    expect(store.exportSnapshot().keys).toEqual([]);
  });
});

describe('States only a loaded snapshot can hold', () => {
  const refused: [KeyState, string][] = [
    ['Unavailable', 'is unavailable.'],
    ['Creating', 'is creating.'],
    ['PendingImport', 'is pending import.'],
    ['PendingReplicaDeletion', 'is pending deletion.'],
  ];

  test.each(refused)('a %s key refuses encrypt and decrypt with KMSInvalidStateException "<arn> %s"', async (state, phrase) => {
    const { kms, key, arn, blob } = await keyInState(state);
    expect((await describe_(kms, key.KeyId)).KeyState).toBe(state);
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }), 'KMSInvalidStateException', `${arn} ${phrase}`);
    await refuses(kms.decrypt({ CiphertextBlob: blob }), 'KMSInvalidStateException', `${arn} ${phrase}`);
    await refuses(kms.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_128' }), 'KMSInvalidStateException', `${arn} ${phrase}`);
  });

  test('a Unavailable key may be enabled and disabled, and stays Unavailable (key-state table footnote 12: "the key state does not change until it becomes available")', async () => {
    const { kms, key } = await keyInState('Unavailable');
    await kms.enableKey({ KeyId: key.KeyId });
    await kms.disableKey({ KeyId: key.KeyId });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('Unavailable');
    expect((await describe_(kms, key.KeyId)).Enabled).toBe(false);
  });

  test.each(refused.filter(([s]) => s !== 'Unavailable'))('a %s key is not Enabled and cannot be enabled or disabled', async (state) => {
    const { kms, key } = await keyInState(state);
    expect((await describe_(kms, key.KeyId)).Enabled).toBe(false);
    await refuses(kms.enableKey({ KeyId: key.KeyId }), 'KMSInvalidStateException');
    await refuses(kms.disableKey({ KeyId: key.KeyId }), 'KMSInvalidStateException');
    expect((await describe_(kms, key.KeyId)).KeyState).toBe(state);
  });

  test('an Updating key still encrypts and decrypts', async () => {
    const { kms, key, arn, blob } = await keyInState('Updating');
    expect(dec((await kms.decrypt({ CiphertextBlob: blob })).Plaintext)).toBe('made while Enabled');
    const { CiphertextBlob, KeyId } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('while Updating') });
    expect(KeyId).toBe(arn);
    expect(dec((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('while Updating');
  });

  test('PendingReplicaDeletion shows PendingDeletionWindowInDays and no DeletionDate', async () => {
    const { kms, key } = await keyInState('PendingReplicaDeletion', (k) => {
      k.PendingWindowInDays = 14;
    });
    const md = await describe_(kms, key.KeyId);
    expect(md.PendingDeletionWindowInDays).toBe(14);
    expect(md).not.toHaveProperty('DeletionDate');
    await refuses(kms.scheduleKeyDeletion({ KeyId: key.KeyId }), 'KMSInvalidStateException', `${key.Arn} is pending deletion.`);
  });

  test('a PendingDeletion key loaded from a snapshot is deleted once now() passes its DeletionDate', async () => {
    const { kms, key, clock } = await keyInState('PendingDeletion', (k) => {
      k.DeletionDate = new Date(Date.parse('2026-01-01T00:00:00Z') + 7 * DAY).toISOString();
      k.PendingWindowInDays = 7;
    });
    expect((await describe_(kms, key.KeyId)).KeyState).toBe('PendingDeletion');
    clock.advanceDays(7);
    await refuses(kms.describeKey({ KeyId: key.KeyId }), 'NotFoundException');
  });
});
