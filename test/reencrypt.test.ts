/**
 * ReEncrypt: decrypt and encrypt in one step, with both keys checked before anything is
 * decrypted, SourceKeyId honoured, and the plaintext never returned.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { Kms, type KeyMetadata } from '../src/index.js';
import { dec, enc, refuses } from './helpers/index.js';

let kms: Kms;
let a: KeyMetadata;
let b: KeyMetadata;
let c: KeyMetadata;

beforeAll(async () => {
  kms = new Kms();
  a = (await kms.createKey()).KeyMetadata!;
  b = (await kms.createKey()).KeyMetadata!;
  c = (await kms.createKey()).KeyMetadata!;
  await kms.createAlias({ AliasName: 'alias/re-a', TargetKeyId: a.KeyId });
});

describe('ReEncrypt (symmetric → symmetric)', () => {
  test('reEncrypt then decrypt = the original, for any plaintext and contexts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 4096 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        async (pt, srcCtx, dstCtx) => {
          const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: pt, EncryptionContext: srcCtx });
          const r = await kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: srcCtx, DestinationKeyId: b.KeyId, DestinationEncryptionContext: dstCtx });
          expect(r).not.toHaveProperty('Plaintext');
          expect(r.SourceKeyId).toBe(a.Arn);
          expect(r.KeyId).toBe(b.Arn);
          const d = await kms.decrypt({ CiphertextBlob: r.CiphertextBlob, EncryptionContext: dstCtx });
          expect(d.Plaintext).toEqual(pt);
          expect(d.KeyId).toBe(b.Arn);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('the response carries algorithms and SourceKeyMaterialId → DestinationKeyMaterialId', async () => {
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x') });
    const r = await kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: b.Arn });
    const da = (await kms.describeKey({ KeyId: a.KeyId })).KeyMetadata!;
    const db = (await kms.describeKey({ KeyId: b.KeyId })).KeyMetadata!;
    expect(r).toMatchObject({
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: da.CurrentKeyMaterialId,
      DestinationKeyMaterialId: db.CurrentKeyMaterialId,
    });
  });

  test('the new ciphertext is bound to the destination context only', async () => {
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x'), EncryptionContext: { s: '1' } });
    const r = await kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: { s: '1' }, DestinationKeyId: b.KeyId, DestinationEncryptionContext: { d: '2' } });
    await refuses(kms.decrypt({ CiphertextBlob: r.CiphertextBlob, EncryptionContext: { s: '1' } }), 'InvalidCiphertextException');
    await refuses(kms.decrypt({ CiphertextBlob: r.CiphertextBlob }), 'InvalidCiphertextException');
    expect(dec((await kms.decrypt({ CiphertextBlob: r.CiphertextBlob, EncryptionContext: { d: '2' } })).Plaintext)).toBe('x');
  });

  // ReEncrypt reuses the source's canonical bytes when both contexts hold the same pairs
  // (envelope/context.ts sameContext): every near miss must still bind the destination's own.
  const nearMisses: [string, Record<string, string> | undefined, Record<string, string> | undefined][] = [
    ['the same pairs in another order', { a: '1', b: '2' }, { b: '2', a: '1' }],
    ['the same keys, one value differs', { a: '1', b: '2' }, { a: '1', b: '3' }],
    ['as many pairs, one key differs', { a: '1', b: '2' }, { a: '1', c: '2' }],
    ['one pair more', { a: '1' }, { a: '1', b: '2' }],
    ['one pair fewer', { a: '1', b: '2' }, { a: '1' }],
    ['an empty destination context', { a: '1' }, {}],
    ['no destination context', { a: '1' }, undefined],
    ['no source context', undefined, { a: '1' }],
    ['an empty source context and none', {}, undefined],
    ['keys Object.prototype has', { ['__proto__']: 'x', toString: 'y' }, { ['__proto__']: 'x', toString: 'z' }],
  ];
  test.each(nearMisses)('the new ciphertext is bound to the destination context: %s', async (_, srcCtx, dstCtx) => {
    // A computed ['__proto__'] key is an own key, not the prototype.
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x'), EncryptionContext: srcCtx });
    const r = await kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: srcCtx, DestinationKeyId: b.KeyId, DestinationEncryptionContext: dstCtx });
    expect(dec((await kms.decrypt({ CiphertextBlob: r.CiphertextBlob, EncryptionContext: dstCtx })).Plaintext)).toBe('x');
    const same = JSON.stringify(Object.entries(srcCtx ?? {}).sort()) === JSON.stringify(Object.entries(dstCtx ?? {}).sort());
    const other = kms.decrypt({ CiphertextBlob: r.CiphertextBlob, EncryptionContext: srcCtx });
    if (same) expect(dec((await other).Plaintext)).toBe('x');
    else await refuses(other, 'InvalidCiphertextException');
  });

  test('a wrong SourceEncryptionContext → InvalidCiphertextException', async () => {
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x'), EncryptionContext: { s: '1' } });
    await refuses(kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: { s: '2' }, DestinationKeyId: b.KeyId }), 'InvalidCiphertextException', '');
  });

  test('SourceKeyId naming the blob key in any form is accepted', async () => {
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x') });
    for (const id of [a.KeyId, a.Arn!, 'alias/re-a', a.Arn!.replace(/key\/.*/, 'alias/re-a')]) {
      const r = await kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceKeyId: id, DestinationKeyId: b.KeyId });
      expect(r.SourceKeyId).toBe(a.Arn);
    }
  });

  test('Precondition: the key named in the request is the ciphertext\'s key — any SourceKeyId other than the blob key → IncorrectKeyException', async () => {
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x') });
    await kms.createAlias({ AliasName: 'alias/re-c', TargetKeyId: c.KeyId });
    for (const id of [b.KeyId, b.Arn!, c.KeyId, 'alias/re-c', c.Arn!.replace(/key\/.*/, 'alias/re-c')]) {
      await refuses(
        kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceKeyId: id, DestinationKeyId: b.KeyId }),
        'IncorrectKeyException',
        'The key ID in the request does not identify a CMK that can perform this operation.',
      );
    }
  });

  test('an unknown SourceKeyId → NotFoundException, an unknown DestinationKeyId → NotFoundException', async () => {
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x') });
    const ghost = '00000000-0000-4000-8000-000000000000';
    await refuses(kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceKeyId: ghost, DestinationKeyId: b.KeyId }), 'NotFoundException');
    await refuses(kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: ghost }), 'NotFoundException');
    await refuses(kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: 'alias/none' }), 'NotFoundException');
  });

  test('same-key reEncrypt moves the ciphertext to the CURRENT backing key', async () => {
    const k = (await kms.createKey()).KeyMetadata!;
    const e = await kms.encrypt({ KeyId: k.KeyId, Plaintext: enc('x') });
    await kms.rotateKeyOnDemand({ KeyId: k.KeyId });
    const cur = (await kms.describeKey({ KeyId: k.KeyId })).KeyMetadata!.CurrentKeyMaterialId;
    const r = await kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: k.KeyId });
    expect(r.SourceKeyMaterialId).not.toBe(cur);
    expect(r.DestinationKeyMaterialId).toBe(cur);
    expect((await kms.decrypt({ CiphertextBlob: r.CiphertextBlob })).KeyMaterialId).toBe(cur);
  });

  describe('key states on both sides', () => {
    async function fresh() {
      const src = (await kms.createKey()).KeyMetadata!;
      const dst = (await kms.createKey()).KeyMetadata!;
      const e = await kms.encrypt({ KeyId: src.KeyId, Plaintext: enc('x') });
      return { src, dst, blob: e.CiphertextBlob! };
    }

    test('disabled source → DisabledException "<source ARN> is disabled."', async () => {
      const { src, dst, blob } = await fresh();
      await kms.disableKey({ KeyId: src.KeyId });
      await refuses(kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: dst.KeyId }), 'DisabledException', `${src.Arn} is disabled.`);
    });

    test('disabled destination → DisabledException "<destination ARN> is disabled."', async () => {
      const { dst, blob } = await fresh();
      await kms.disableKey({ KeyId: dst.KeyId });
      await refuses(kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: dst.KeyId }), 'DisabledException', `${dst.Arn} is disabled.`);
    });

    test('source pending deletion → KMSInvalidStateException "<ARN> is pending deletion."', async () => {
      const { src, dst, blob } = await fresh();
      await kms.scheduleKeyDeletion({ KeyId: src.KeyId, PendingWindowInDays: 7 });
      await refuses(kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: dst.KeyId }), 'KMSInvalidStateException', `${src.Arn} is pending deletion.`);
    });

    test('destination pending deletion → KMSInvalidStateException', async () => {
      const { dst, blob } = await fresh();
      await kms.scheduleKeyDeletion({ KeyId: dst.KeyId, PendingWindowInDays: 7 });
      await refuses(kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: dst.KeyId }), 'KMSInvalidStateException', `${dst.Arn} is pending deletion.`);
    });

    test('a disabled destination is refused even when the ciphertext is also tampered (state before decryption)', async () => {
      const { dst, blob } = await fresh();
      await kms.disableKey({ KeyId: dst.KeyId });
      const bad = blob.slice();
      bad[bad.length - 1]! ^= 1;
      await refuses(kms.reEncrypt({ CiphertextBlob: bad, DestinationKeyId: dst.KeyId }), 'DisabledException');
    });

    test('cancelling the deletion leaves the key Disabled, still refused until enabled', async () => {
      const { src, dst, blob } = await fresh();
      await kms.scheduleKeyDeletion({ KeyId: src.KeyId });
      await kms.cancelKeyDeletion({ KeyId: src.KeyId });
      await refuses(kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: dst.KeyId }), 'DisabledException');
      await kms.enableKey({ KeyId: src.KeyId });
      await kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: dst.KeyId });
    });
  });

  test('ReEncrypt DryRun that would succeed → DryRunOperationException; one that would fail → the failure', async () => {
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x') });
    await refuses(kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: b.KeyId, DryRun: true }), 'DryRunOperationException');
    await refuses(kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceKeyId: c.KeyId, DestinationKeyId: b.KeyId, DryRun: true }), 'IncorrectKeyException');
  });

  test('Precondition: a ciphertext is given, unless DryRun ignores it — missing DestinationKeyId or CiphertextBlob → ValidationException', async () => {
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('x') });
    await refuses(kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob } as never), 'ValidationException', /destinationKeyId/);
    await refuses(kms.reEncrypt({ DestinationKeyId: b.KeyId }), 'ValidationException', /ciphertextBlob/);
  });
});

describe('rotation interleavings', () => {
  type Op = { t: 'rotate' } | { t: 'encrypt'; n: number } | { t: 'reencrypt'; i: number; same: boolean };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant({ t: 'rotate' as const }),
    fc.record({ t: fc.constant('encrypt' as const), n: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ t: fc.constant('reencrypt' as const), i: fc.nat(), same: fc.boolean() }),
  );

  test('every blob ever produced still decrypts, and same-key reEncrypt lands on the CURRENT material', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const k = new Kms();
        const x = (await k.createKey()).KeyMetadata!;
        const y = (await k.createKey()).KeyMetadata!;
        const blobs: { blob: Uint8Array; pt: Uint8Array }[] = [];
        let rotations = 0;
        for (const o of ops) {
          if (o.t === 'rotate') {
            if (rotations === 10) continue; // on-demand limit
            rotations++;
            await k.rotateKeyOnDemand({ KeyId: x.KeyId });
          } else if (o.t === 'encrypt') {
            const pt = new Uint8Array(o.n).fill(o.n);
            blobs.push({ blob: (await k.encrypt({ KeyId: x.KeyId, Plaintext: pt })).CiphertextBlob!, pt });
          } else if (blobs.length) {
            const src = blobs[o.i % blobs.length]!;
            const dest = o.same ? x : y;
            const r = await k.reEncrypt({ CiphertextBlob: src.blob, DestinationKeyId: dest.KeyId });
            const cur = (await k.describeKey({ KeyId: dest.KeyId })).KeyMetadata!.CurrentKeyMaterialId;
            expect(r.DestinationKeyMaterialId).toBe(cur);
            blobs.push({ blob: r.CiphertextBlob!, pt: src.pt });
          }
        }
        for (const { blob, pt } of blobs) expect((await k.decrypt({ CiphertextBlob: blob })).Plaintext).toEqual(pt);
        const rot = await k.listKeyRotations({ KeyId: x.KeyId });
        expect(rot.Rotations!.length).toBe(rotations);
      }),
      { numRuns: 40 },
    );
  });
});
