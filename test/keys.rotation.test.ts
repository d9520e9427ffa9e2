/**
 * Backing keys and rotation: RotateKeyOnDemand, EnableKeyRotation / DisableKeyRotation,
 * GetKeyRotationStatus, ListKeyRotations, scheduled rotation driven by the injected clock, and
 * the rule that new encryptions use the newest material while every older one stays usable.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type KeyRecord, type KeyStore, type RotationsListEntry } from '../src/index.js';
import { dec, enc } from './helpers/index.js';
import { DAY, HEX64, ManualClock, describe_, newKey, refuses } from './helpers/keys.js';

async function setup() {
  const clock = new ManualClock();
  const kms = new Kms({ now: clock.now });
  const key = await newKey(kms);
  return { clock, kms, key, arn: key.Arn as string, original: key.CurrentKeyMaterialId as string };
}

async function rotations(kms: Kms, keyId: string, all = false): Promise<RotationsListEntry[]> {
  const out = await kms.listKeyRotations({ KeyId: keyId, ...(all ? { IncludeKeyMaterial: 'ALL_KEY_MATERIAL' as const } : {}) });
  expect(out.Truncated).toBe(false);
  return out.Rotations ?? [];
}

describe('ListKeyRotations and the original material', () => {
  test('a new key has no rotations: the original material is not listed by default (ROTATIONS_ONLY)', async () => {
    const { kms, key } = await setup();
    expect(await kms.listKeyRotations({ KeyId: key.KeyId })).toEqual({ Rotations: [], Truncated: false });
    expect(await kms.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ROTATIONS_ONLY' })).toEqual({ Rotations: [], Truncated: false });
  });

  test('ALL_KEY_MATERIAL lists the original material as CURRENT, without RotationDate or RotationType', async () => {
    const { kms, key, arn, original } = await setup();
    expect(await rotations(kms, key.KeyId, true)).toEqual([{ KeyId: arn, KeyMaterialId: original, KeyMaterialState: 'CURRENT' }]);
  });
});

describe('RotateKeyOnDemand', () => {
  test('rotateKeyOnDemand adds a CURRENT version (64 hex, ON_DEMAND, RotationDate now); the previous one becomes NON_CURRENT', async () => {
    const { clock, kms, key, arn, original } = await setup();
    clock.advanceDays(3);
    expect(await kms.rotateKeyOnDemand({ KeyId: key.KeyId })).toEqual({ KeyId: arn });
    const [entry, ...rest] = await rotations(kms, key.KeyId);
    expect(rest).toEqual([]);
    expect(entry).toEqual({ KeyId: arn, KeyMaterialId: expect.stringMatching(HEX64), KeyMaterialState: 'CURRENT', RotationDate: clock.now(), RotationType: 'ON_DEMAND' });
    expect(entry?.KeyMaterialId).not.toBe(original);
    const all = await rotations(kms, key.KeyId, true);
    expect(all.map((e) => [e.KeyMaterialId, e.KeyMaterialState])).toEqual([
      [original, 'NON_CURRENT'],
      [entry?.KeyMaterialId, 'CURRENT'],
    ]);
    expect((await describe_(kms, key.KeyId)).CurrentKeyMaterialId).toBe(entry?.KeyMaterialId);
  });

  test('new encryptions use the newest material: Decrypt KeyMaterialId equals DescribeKey CurrentKeyMaterialId', async () => {
    const { kms, key } = await setup();
    for (let i = 0; i < 4; i++) {
      await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
      const current = (await describe_(kms, key.KeyId)).CurrentKeyMaterialId;
      const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc(`v${i}`) });
      expect((await kms.decrypt({ CiphertextBlob })).KeyMaterialId).toBe(current);
      expect((await kms.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256' })).KeyMaterialId).toBe(current);
    }
  });

  test('old ciphertexts still decrypt after rotations, each reporting the material that encrypted it', async () => {
    const { kms, key } = await setup();
    const made: { blob: Uint8Array; material: string; text: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const material = (await describe_(kms, key.KeyId)).CurrentKeyMaterialId as string;
      const text = `generation ${i}`;
      made.push({ blob: (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc(text) })).CiphertextBlob as Uint8Array, material, text });
      await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
    }
    for (const m of made) {
      const out = await kms.decrypt({ CiphertextBlob: m.blob });
      expect(dec(out.Plaintext)).toBe(m.text);
      expect(out.KeyMaterialId).toBe(m.material);
    }
    expect(new Set(made.map((m) => m.material)).size).toBe(5);
  });

  test('Precondition: fewer than 25 on-demand rotations so far (RotateKeyOnDemand reference) — 25 on-demand rotations are allowed; the 26th is LimitExceededException and adds nothing', async () => {
    const { kms, key, arn } = await setup();
    for (let i = 0; i < 25; i++) await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
    const before = (await describe_(kms, key.KeyId)).CurrentKeyMaterialId;
    await refuses(kms.rotateKeyOnDemand({ KeyId: key.KeyId }), 'LimitExceededException', new RegExp(arn));
    expect((await describe_(kms, key.KeyId)).CurrentKeyMaterialId).toBe(before);
    const listed = await rotations(kms, key.KeyId);
    expect(listed).toHaveLength(25);
    expect(new Set(listed.map((e) => e.KeyMaterialId)).size).toBe(25);
    expect(listed.filter((e) => e.KeyMaterialState === 'CURRENT')).toHaveLength(1);
  });

  test('automatic rotations do not count against the on-demand limit', async () => {
    const { clock, kms, key } = await setup();
    for (let i = 0; i < 25; i++) await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 });
    clock.advanceDays(90);
    const listed = await rotations(kms, key.KeyId);
    expect(listed).toHaveLength(26);
    expect(listed.at(-1)?.RotationType).toBe('AUTOMATIC');
  });

  test('on-demand rotation of a Disabled key is DisabledException; of a key pending deletion KMSInvalidStateException', async () => {
    const { kms, key, arn } = await setup();
    await kms.disableKey({ KeyId: key.KeyId });
    await refuses(kms.rotateKeyOnDemand({ KeyId: key.KeyId }), 'DisabledException', `${arn} is disabled.`);
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    await refuses(kms.rotateKeyOnDemand({ KeyId: key.KeyId }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
    expect(await rotations(kms, key.KeyId)).toEqual([]);
  });

  test('on-demand rotation of a key with imported material pending import is KMSInvalidStateException "<arn> is pending import." (12.10: key state before origin)', async () => {
    const { kms } = await setup();
    const ext = await newKey(kms, { Origin: 'EXTERNAL' });
    await refuses(kms.rotateKeyOnDemand({ KeyId: ext.KeyId }), 'KMSInvalidStateException', `${ext.Arn} is pending import.`);
  });

  test('on-demand rotation does not change NextRotationDate', async () => {
    const { clock, kms, key } = await setup();
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 730 });
    const scheduled = (await kms.getKeyRotationStatus({ KeyId: key.KeyId })).NextRotationDate;
    clock.advanceDays(100);
    await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
    expect((await kms.getKeyRotationStatus({ KeyId: key.KeyId })).NextRotationDate).toEqual(scheduled);
  });

  test('OnDemandRotationStartDate is absent once the on-demand rotation has completed', async () => {
    const { kms, key, arn } = await setup();
    await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
    expect(await kms.getKeyRotationStatus({ KeyId: key.KeyId })).toEqual({ KeyRotationEnabled: false, KeyId: arn });
  });
});

describe('EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus', () => {
  test('a new key reports KeyRotationEnabled false, with no RotationPeriodInDays or NextRotationDate', async () => {
    const { kms, key, arn } = await setup();
    expect(await kms.getKeyRotationStatus({ KeyId: key.KeyId })).toEqual({ KeyRotationEnabled: false, KeyId: arn });
  });

  test('enableKeyRotation defaults RotationPeriodInDays to 365; NextRotationDate is one period after enabling', async () => {
    const { clock, kms, key, arn } = await setup();
    clock.advanceDays(10);
    expect(await kms.enableKeyRotation({ KeyId: key.KeyId })).toEqual({});
    expect(await kms.getKeyRotationStatus({ KeyId: key.KeyId })).toEqual({
      KeyRotationEnabled: true,
      KeyId: arn,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date(clock.t + 365 * DAY),
    });
  });

  test.each([90, 91, 365, 730, 2559, 2560])('RotationPeriodInDays %i is accepted', async (days) => {
    const { clock, kms, key } = await setup();
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: days });
    const s = await kms.getKeyRotationStatus({ KeyId: key.KeyId });
    expect(s.RotationPeriodInDays).toBe(days);
    expect(s.NextRotationDate).toEqual(new Date(clock.t + days * DAY));
  });

  test('RotationPeriodInDays 89 and 2561 are ValidationException with AWS wording; rotation stays off', async () => {
    const { kms, key } = await setup();
    await refuses(
      kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 89 }),
      'ValidationException',
      "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
    );
    await refuses(
      kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 2561 }),
      'ValidationException',
      "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560",
    );
    expect((await kms.getKeyRotationStatus({ KeyId: key.KeyId })).KeyRotationEnabled).toBe(false);
  });

  test('enableKeyRotation again changes the rotation period', async () => {
    const { kms, key } = await setup();
    await kms.enableKeyRotation({ KeyId: key.KeyId });
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 180 });
    expect((await kms.getKeyRotationStatus({ KeyId: key.KeyId })).RotationPeriodInDays).toBe(180);
  });

  test('disableKeyRotation turns it off: status false, no period or date, no scheduled rotations', async () => {
    const { clock, kms, key, arn } = await setup();
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 });
    expect(await kms.disableKeyRotation({ KeyId: key.KeyId })).toEqual({});
    expect(await kms.getKeyRotationStatus({ KeyId: key.KeyId })).toEqual({ KeyRotationEnabled: false, KeyId: arn });
    clock.advanceDays(1000);
    expect(await rotations(kms, key.KeyId)).toEqual([]);
  });

  test('rotation settings of a Disabled key: enable/disable are DisabledException; the status is still reported', async () => {
    const { kms, key, arn } = await setup();
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 100 });
    await kms.disableKey({ KeyId: key.KeyId });
    await refuses(kms.enableKeyRotation({ KeyId: key.KeyId }), 'DisabledException', `${arn} is disabled.`);
    await refuses(kms.disableKeyRotation({ KeyId: key.KeyId }), 'DisabledException', `${arn} is disabled.`);
    const s = await kms.getKeyRotationStatus({ KeyId: key.KeyId });
    expect(s.KeyRotationEnabled).toBe(true);
    expect(s.RotationPeriodInDays).toBe(100);
  });

  test('a key pending deletion reports KeyRotationEnabled false; cancelling the deletion restores the status', async () => {
    const { kms, key, arn } = await setup();
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 100 });
    const before = await kms.getKeyRotationStatus({ KeyId: key.KeyId });
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId });
    expect(await kms.getKeyRotationStatus({ KeyId: key.KeyId })).toEqual({ KeyRotationEnabled: false, KeyId: arn });
    await refuses(kms.enableKeyRotation({ KeyId: key.KeyId }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
    await refuses(kms.disableKeyRotation({ KeyId: key.KeyId }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
    await kms.cancelKeyDeletion({ KeyId: key.KeyId });
    expect(await kms.getKeyRotationStatus({ KeyId: key.KeyId })).toEqual(before);
  });

  test('rotation of a key with imported material: UnsupportedOperationException "<arn> origin is EXTERNAL which is not valid for this operation."', async () => {
    const { kms } = await setup();
    const ext = await newKey(kms, { Origin: 'EXTERNAL' });
    const msg = `${ext.Arn} origin is EXTERNAL which is not valid for this operation.`;
    await refuses(kms.enableKeyRotation({ KeyId: ext.KeyId }), 'UnsupportedOperationException', msg);
    await refuses(kms.disableKeyRotation({ KeyId: ext.KeyId }), 'UnsupportedOperationException', msg);
    await refuses(kms.getKeyRotationStatus({ KeyId: ext.KeyId }), 'UnsupportedOperationException', msg);
  });

  test('rotation operations take a key ID or key ARN and return the key ARN; an alias is NotFoundException (12.9: "Specify the key ID or key ARN")', async () => {
    const { kms, key, arn } = await setup();
    await kms.createAlias({ AliasName: 'alias/rot', TargetKeyId: key.KeyId });
    await refuses(kms.enableKeyRotation({ KeyId: 'alias/rot' }), 'NotFoundException', "Invalid keyId 'alias/rot'");
    await kms.enableKeyRotation({ KeyId: key.KeyId });
    expect((await kms.getKeyRotationStatus({ KeyId: arn })).KeyId).toBe(arn);
    await refuses(kms.rotateKeyOnDemand({ KeyId: 'alias/rot' }), 'NotFoundException', "Invalid keyId 'alias/rot'");
    expect((await kms.rotateKeyOnDemand({ KeyId: arn })).KeyId).toBe(arn);
    const aliasArn = 'arn:aws:kms:us-east-1:111122223333:alias/rot';
    await refuses(kms.listKeyRotations({ KeyId: aliasArn }), 'NotFoundException', `Invalid keyId '${aliasArn}'`);
    expect((await rotations(kms, arn))[0]?.KeyId).toBe(arn);
  });
});

describe('scheduled rotation driven by now()', () => {
  test('nothing rotates before NextRotationDate; at NextRotationDate an AUTOMATIC rotation dated NextRotationDate appears', async () => {
    const { clock, kms, key, arn } = await setup();
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 });
    const due = clock.t + 90 * DAY;
    clock.set(due - 1);
    expect(await rotations(kms, key.KeyId)).toEqual([]);
    clock.set(due + 5 * 3_600_000);
    const [entry, ...rest] = await rotations(kms, key.KeyId);
    expect(rest).toEqual([]);
    expect(entry).toEqual({ KeyId: arn, KeyMaterialId: expect.stringMatching(HEX64), KeyMaterialState: 'CURRENT', RotationDate: new Date(due), RotationType: 'AUTOMATIC' });
    expect((await describe_(kms, key.KeyId)).CurrentKeyMaterialId).toBe(entry?.KeyMaterialId);
    expect((await kms.getKeyRotationStatus({ KeyId: key.KeyId })).NextRotationDate).toEqual(new Date(due + 90 * DAY));
  });

  test('every period missed while nobody touched the key adds one rotation, at its scheduled date', async () => {
    const { clock, kms, key } = await setup();
    const t0 = clock.t;
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 });
    clock.advanceDays(365);
    const listed = await rotations(kms, key.KeyId);
    expect(listed.map((e) => e.RotationDate)).toEqual([90, 180, 270, 360].map((d) => new Date(t0 + d * DAY)));
    expect(listed.map((e) => e.RotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC', 'AUTOMATIC', 'AUTOMATIC']);
    expect(listed.map((e) => e.KeyMaterialState)).toEqual(['NON_CURRENT', 'NON_CURRENT', 'NON_CURRENT', 'CURRENT']);
    expect((await kms.getKeyRotationStatus({ KeyId: key.KeyId })).NextRotationDate).toEqual(new Date(t0 + 450 * DAY));
  });

  test('a scheduled rotation is applied before the encryption that finds it due: encrypt uses the new material', async () => {
    const { clock, kms, key, original } = await setup();
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 });
    clock.advanceDays(91);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('after') });
    const out = await kms.decrypt({ CiphertextBlob });
    expect(out.KeyMaterialId).not.toBe(original);
    expect(out.KeyMaterialId).toBe((await describe_(kms, key.KeyId)).CurrentKeyMaterialId);
  });

  test('a Disabled key is not rotated; re-enabled after its date, it rotates at once', async () => {
    const { clock, kms, key } = await setup();
    const t0 = clock.t;
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 });
    clock.advanceDays(10);
    await kms.disableKey({ KeyId: key.KeyId });
    clock.set(t0 + 200 * DAY);
    expect(await rotations(kms, key.KeyId)).toEqual([]);
    await kms.enableKey({ KeyId: key.KeyId });
    const listed = await rotations(kms, key.KeyId);
    expect(listed.map((e) => [e.RotationType, e.RotationDate])).toEqual([['AUTOMATIC', new Date(t0 + 200 * DAY)]]);
    expect((await kms.getKeyRotationStatus({ KeyId: key.KeyId })).NextRotationDate).toEqual(new Date(t0 + 290 * DAY));
  });

  test('a key pending deletion is not rotated', async () => {
    const { clock, kms, key } = await setup();
    await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 });
    clock.advanceDays(80);
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 30 });
    clock.advanceDays(20);
    expect(await rotations(kms, key.KeyId)).toEqual([]);
  });

  test('scheduled rotation is seen through any Kms sharing the store', async () => {
    const clock = new ManualClock();
    const store = new InMemoryKeyStore();
    const a = new Kms({ keyStore: store, now: clock.now });
    const b = new Kms({ keyStore: store, now: clock.now, accountId: '444455556666' });
    const key = await newKey(a);
    await a.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 });
    clock.advanceDays(90);
    await b.listKeys();
    expect(await rotations(a, key.KeyId)).toHaveLength(1);
  });
});

describe('ListKeyRotations pagination', () => {
  test('Limit pages the rotations; Truncated and NextMarker until the last page', async () => {
    const { kms, key } = await setup();
    for (let i = 0; i < 5; i++) await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
    const all = (await kms.listKeyRotations({ KeyId: key.KeyId })).Rotations ?? [];
    const seen: RotationsListEntry[] = [];
    let marker: string | undefined;
    const sizes: number[] = [];
    for (;;) {
      const page = await kms.listKeyRotations({ KeyId: key.KeyId, Limit: 2, Marker: marker });
      sizes.push(page.Rotations?.length ?? 0);
      seen.push(...(page.Rotations ?? []));
      if (!page.Truncated) {
        expect(page).not.toHaveProperty('NextMarker');
        break;
      }
      marker = page.NextMarker;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(all);
    await refuses(kms.listKeyRotations({ KeyId: key.KeyId, Marker: 'bogus' }), 'InvalidMarkerException');
  });
});

describe('rotation property', () => {
  type Op = { kind: 'rotate' } | { kind: 'encrypt'; text: string } | { kind: 'advance'; days: number } | { kind: 'enable'; period: number } | { kind: 'disable' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant<Op>({ kind: 'rotate' }),
    fc.string({ maxLength: 20 }).map<Op>((text) => ({ kind: 'encrypt', text: `t:${text}` })),
    fc.integer({ min: 0, max: 400 }).map<Op>((days) => ({ kind: 'advance', days })),
    fc.integer({ min: 90, max: 400 }).map<Op>((period) => ({ kind: 'enable', period })),
    fc.constant<Op>({ kind: 'disable' }),
  );

  test('any interleaving of rotate / encrypt / time / rotation settings: every ciphertext decrypts with its material, one CURRENT, dates in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const clock = new ManualClock();
        const kms = new Kms({ now: clock.now });
        const key = await newKey(kms);
        const made: { blob: Uint8Array; material: string; text: string }[] = [];
        let onDemand = 0;
        for (const o of ops) {
          if (o.kind === 'rotate') {
            if (onDemand === 25) await refuses(kms.rotateKeyOnDemand({ KeyId: key.KeyId }), 'LimitExceededException');
            else {
              await kms.rotateKeyOnDemand({ KeyId: key.KeyId });
              onDemand++;
            }
          } else if (o.kind === 'encrypt') {
            const material = (await describe_(kms, key.KeyId)).CurrentKeyMaterialId as string;
            const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc(o.text) });
            made.push({ blob: CiphertextBlob as Uint8Array, material, text: o.text });
          } else if (o.kind === 'advance') clock.advanceDays(o.days);
          else if (o.kind === 'enable') await kms.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: o.period });
          else await kms.disableKeyRotation({ KeyId: key.KeyId });
        }
        for (const m of made) {
          const out = await kms.decrypt({ CiphertextBlob: m.blob });
          expect(dec(out.Plaintext)).toBe(m.text);
          expect(out.KeyMaterialId).toBe(m.material);
        }
        const all = (await kms.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: 1000 })).Rotations ?? [];
        expect(all.map((e) => e.KeyMaterialState)).toEqual(all.map((_, i) => (i === all.length - 1 ? 'CURRENT' : 'NON_CURRENT')));
        expect(all.at(-1)?.KeyMaterialId).toBe((await describe_(kms, key.KeyId)).CurrentKeyMaterialId);
        expect(new Set(all.map((e) => e.KeyMaterialId)).size).toBe(all.length);
        expect(all.filter((e) => e.RotationType === 'ON_DEMAND')).toHaveLength(onDemand);
        const dates = all.slice(1).map((e) => (e.RotationDate as Date).getTime());
        expect(dates).toEqual([...dates].sort((x, y) => x - y));
        expect(dates.every((d) => d <= clock.t)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('concurrency', () => {
  test('concurrent RotateKeyOnDemand calls never pass the 25-rotation limit, even on a store that answers asynchronously', async () => {
    // A store whose updates land a few ticks later, as a database's would.
    const inner = new InMemoryKeyStore();
    const slow: KeyStore = Object.assign(Object.create(inner) as InMemoryKeyStore, {
      async updateKey(arn: string, mutate: (r: KeyRecord) => void) {
        await new Promise((r) => setTimeout(r, 1));
        return inner.updateKey(arn, mutate);
      },
    });
    const kms = new Kms({ keyStore: slow });
    const k = (await kms.createKey()).KeyMetadata!;
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => kms.rotateKeyOnDemand({ KeyId: k.KeyId })));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(25);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).name).toBe('LimitExceededException');
    expect((await kms.listKeyRotations({ KeyId: k.KeyId })).Rotations!.length).toBe(25);
  });
});
