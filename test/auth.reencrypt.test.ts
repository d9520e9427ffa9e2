/**
 * ReEncrypt's permission model: kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
 * destination (kms:ReEncrypt* covers both), checked before anything is decrypted, with
 * kms:ReEncryptOnSameKey; refusals on each side; DryRun; the cross-account ReEncrypt of the
 * README, allowed by key policy.
 */
import { describe, expect, test } from 'vitest';
import { Kms, type KeyMetadata } from '../src/index.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  CIPHERTEXT_KEY_INACCESSIBLE,
  ciphertextDeniedMessage,
  ROLE_APP,
  ROLE_PARTNER,
  SESSION_APP,
  SESSION_PARTNER,
  deniedMessage,
  enc,
  keyWithPolicy,
  outcomeOf,
  policy,
  rootAll,
  twoAccounts,
  type StatementSpec,
} from './helpers/auth.js';
import { refuses } from './helpers/keys.js';

const appMay = (actions: string | string[], extra: Partial<StatementSpec> = {}): StatementSpec => ({ Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: actions, ...extra });

/** Account A with an identity hook that denies everything: only what key policies name counts. */
async function setup(srcStatements: StatementSpec[], dstStatements: StatementSpec[]) {
  const kms = new Kms({ identityPolicy: () => false });
  const src = await keyWithPolicy(kms);
  const dst = await keyWithPolicy(kms);
  const blob = (await kms.encrypt({ KeyId: src.KeyId, Plaintext: enc('move me'), EncryptionContext: { tenant: 'acme' } })).CiphertextBlob as Uint8Array;
  await kms.putKeyPolicy({ KeyId: src.KeyId, Policy: policy(rootAll(), ...srcStatements) });
  await kms.putKeyPolicy({ KeyId: dst.KeyId, Policy: policy(rootAll(), ...dstStatements) });
  return { kms, app: kms.as(SESSION_APP), src, dst, srcArn: src.Arn as string, dstArn: dst.Arn as string, blob };
}

describe('kms:ReEncryptFrom on the source, kms:ReEncryptTo on the destination', () => {
  test('both granted: the ciphertext moves, and decrypts under the destination', async () => {
    const { kms, app, dst, srcArn, dstArn, blob } = await setup([appMay('kms:ReEncryptFrom')], [appMay('kms:ReEncryptTo')]);
    const out = await app.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: dst.KeyId });
    expect(out.SourceKeyId).toBe(srcArn);
    expect(out.KeyId).toBe(dstArn);
    expect(new TextDecoder().decode((await kms.decrypt({ CiphertextBlob: out.CiphertextBlob })).Plaintext)).toBe('move me');
  });

  test('kms:ReEncrypt* covers both sides; kms:Decrypt and kms:Encrypt do not', async () => {
    const star = await setup([appMay('kms:ReEncrypt*')], [appMay('kms:ReEncrypt*')]);
    expect(await outcomeOf(star.app.reEncrypt({ CiphertextBlob: star.blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: star.dstArn }))).toBe('allowed');
    const plain = await setup([appMay(['kms:Decrypt', 'kms:Encrypt'])], [appMay(['kms:Decrypt', 'kms:Encrypt'])]);
    await refuses(
      plain.app.reEncrypt({ CiphertextBlob: plain.blob, SourceKeyId: plain.srcArn, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: plain.dstArn }),
      'AccessDeniedException',
      deniedMessage(SESSION_APP, 'ReEncryptFrom', plain.srcArn, 'no-identity-policy'),
    );
  });

  test('refused on the source: the key\'s ARN and kms:ReEncryptFrom when SourceKeyId names it; the AWS ciphertext message when it does not', async () => {
    const { app, srcArn, dstArn, blob } = await setup([], [appMay('kms:ReEncryptTo')]);
    await refuses(
      app.reEncrypt({ CiphertextBlob: blob, SourceKeyId: srcArn, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: dstArn }),
      'AccessDeniedException',
      deniedMessage(SESSION_APP, 'ReEncryptFrom', srcArn, 'no-identity-policy'),
    );
    await refuses(app.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: dstArn }), 'AccessDeniedException', ciphertextDeniedMessage(SESSION_APP, 'ReEncryptFrom'));
  });

  test('refused on the destination: kms:ReEncryptTo on the destination ARN', async () => {
    const { app, dstArn, blob } = await setup([appMay('kms:ReEncryptFrom')], [appMay('kms:ReEncryptFrom')]);
    await refuses(app.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: dstArn }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'ReEncryptTo', dstArn, 'no-identity-policy'));
  });

  test('an explicit deny on either side', async () => {
    const deny = (a: string): StatementSpec => ({ Effect: 'Deny', Principal: { AWS: ROLE_APP }, Action: a });
    const s = await setup([appMay('kms:ReEncrypt*'), deny('kms:ReEncryptFrom')], [appMay('kms:ReEncrypt*')]);
    await refuses(s.app.reEncrypt({ CiphertextBlob: s.blob, SourceKeyId: s.srcArn, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: s.dstArn }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'ReEncryptFrom', s.srcArn, 'explicit-deny'));
    const d = await setup([appMay('kms:ReEncrypt*')], [appMay('kms:ReEncrypt*'), deny('kms:ReEncrypt*')]);
    await refuses(d.app.reEncrypt({ CiphertextBlob: d.blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: d.dstArn }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'ReEncryptTo', d.dstArn, 'explicit-deny'));
  });

  test('authorization comes before decryption: a tampered blob is AccessDenied when a side is refused, InvalidCiphertext only when both are allowed', async () => {
    const refused = await setup([appMay('kms:ReEncryptFrom')], []);
    const tampered = refused.blob.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    await refuses(refused.app.reEncrypt({ CiphertextBlob: tampered, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: refused.dstArn }), 'AccessDeniedException');
    // A wrong source context is not looked at either.
    await refuses(refused.app.reEncrypt({ CiphertextBlob: refused.blob, SourceEncryptionContext: { tenant: 'wrong' }, DestinationKeyId: refused.dstArn }), 'AccessDeniedException');
    const allowed = await setup([appMay('kms:ReEncryptFrom')], [appMay('kms:ReEncryptTo')]);
    const t2 = allowed.blob.slice();
    t2[t2.length - 1] = (t2[t2.length - 1] as number) ^ 1;
    await refuses(allowed.app.reEncrypt({ CiphertextBlob: t2, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: allowed.dstArn }), 'InvalidCiphertextException', '');
  });

  test('DryRun reports what authorization decides', async () => {
    const ok = await setup([appMay('kms:ReEncryptFrom')], [appMay('kms:ReEncryptTo')]);
    await refuses(ok.app.reEncrypt({ CiphertextBlob: ok.blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: ok.dstArn, DryRun: true }), 'DryRunOperationException');
    await refuses(
      ok.app.reEncrypt({ SourceKeyId: ok.srcArn, DestinationKeyId: ok.dstArn, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }),
      'DryRunOperationException',
    );
    const no = await setup([appMay('kms:ReEncryptFrom')], []);
    await refuses(no.app.reEncrypt({ CiphertextBlob: no.blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: no.dstArn, DryRun: true }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'ReEncryptTo', no.dstArn, 'no-identity-policy'));
    await refuses(no.app.reEncrypt({ SourceKeyId: no.dstArn, DestinationKeyId: no.srcArn, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'ReEncryptFrom', no.dstArn, 'no-identity-policy'));
  });

  test('encryption-context conditions read the source context for ReEncryptFrom and the destination context for ReEncryptTo', async () => {
    const cond = (k: string, v: string) => ({ Condition: { StringEquals: { [`kms:EncryptionContext:${k}`]: v } } });
    const { app, dstArn, blob } = await setup([appMay('kms:ReEncryptFrom', cond('tenant', 'acme'))], [appMay('kms:ReEncryptTo', cond('tier', 'cold'))]);
    const go = (dctx?: Record<string, string>) => outcomeOf(app.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: dstArn, DestinationEncryptionContext: dctx }));
    expect(await go({ tier: 'cold' })).toBe('allowed');
    expect(await go({ tier: 'hot' })).toBe('no-identity-policy');
    expect(await go({ tenant: 'acme' })).toBe('no-identity-policy');
  });
});

describe('kms:ReEncryptOnSameKey', () => {
  test('Bool true allows re-encrypting under the same key only (by key ID, ARN or alias)', async () => {
    const same = { Condition: { Bool: { 'kms:ReEncryptOnSameKey': 'true' } } };
    const { kms, app, src, srcArn, dstArn, blob } = await setup([appMay('kms:ReEncrypt*', same)], [appMay('kms:ReEncrypt*', same)]);
    await kms.createAlias({ AliasName: 'alias/src', TargetKeyId: src.KeyId });
    for (const id of [src.KeyId, srcArn, 'alias/src', `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/src`]) {
      const out = await app.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: id });
      expect(out.KeyId).toBe(srcArn);
    }
    await refuses(app.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: dstArn }), 'AccessDeniedException', ciphertextDeniedMessage(SESSION_APP, 'ReEncryptFrom'));
    await refuses(
      app.reEncrypt({ CiphertextBlob: blob, SourceKeyId: srcArn, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: dstArn }),
      'AccessDeniedException',
      deniedMessage(SESSION_APP, 'ReEncryptFrom', srcArn, 'no-identity-policy'),
    );
  });

  test('a Deny on ReEncryptOnSameKey false forbids moving ciphertext to other keys, even for the root user', async () => {
    const kms = new Kms();
    const src = await keyWithPolicy(kms);
    const dst = await keyWithPolicy(kms);
    const blob = (await kms.encrypt({ KeyId: src.KeyId, Plaintext: enc('stay') })).CiphertextBlob as Uint8Array;
    await kms.putKeyPolicy({ KeyId: src.KeyId, Policy: policy(rootAll(), { Effect: 'Deny', Principal: '*', Action: 'kms:ReEncryptFrom', Condition: { Bool: { 'kms:ReEncryptOnSameKey': false } } }) });
    expect((await kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: src.KeyId })).KeyId).toBe(src.Arn);
    await refuses(kms.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: dst.KeyId }), 'AccessDeniedException', CIPHERTEXT_KEY_INACCESSIBLE);
  });
});

describe('cross-account ReEncrypt allowed by key policy (the README example)', () => {
  test('a role of account B moves a ciphertext from A\'s key to B\'s key; A\'s policy decides, per action', async () => {
    const { a, b } = twoAccounts();
    // Account A: its key lets account B's Partner role re-encrypt *from* it, nothing else.
    const keyA = (
      await a.createKey({
        Description: 'orders (account A)',
        Policy: policy(rootAll(), { Sid: 'Partner may move ciphertext out', Effect: 'Allow', Principal: { AWS: ROLE_PARTNER }, Action: 'kms:ReEncryptFrom' }),
      })
    ).KeyMetadata as KeyMetadata;
    const blob = (await a.encrypt({ KeyId: keyA.KeyId, Plaintext: enc('order #4711'), EncryptionContext: { tenant: 'acme' } })).CiphertextBlob as Uint8Array;
    // Account B: its own key, default policy.
    const keyB = (await b.createKey({ Description: 'archive (account B)' })).KeyMetadata as KeyMetadata;
    const partner = b.as(SESSION_PARTNER);

    const out = await partner.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: keyB.KeyId });
    expect(out.SourceKeyId).toBe(keyA.Arn);
    expect(out.KeyId).toBe(keyB.Arn);
    expect(new TextDecoder().decode((await b.decrypt({ CiphertextBlob: out.CiphertextBlob })).Plaintext)).toBe('order #4711');

    // The other direction, and plain Decrypt, are not granted.
    await refuses(partner.decrypt({ CiphertextBlob: blob, EncryptionContext: { tenant: 'acme' } }), 'AccessDeniedException', CIPHERTEXT_KEY_INACCESSIBLE);
    await refuses(partner.reEncrypt({ CiphertextBlob: out.CiphertextBlob, DestinationKeyId: keyA.Arn as string }), 'AccessDeniedException', deniedMessage(SESSION_PARTNER, 'ReEncryptTo', keyA.Arn as string, 'no-resource-policy'));
    // B's root user is not the Partner role; A's short key ID does not resolve in B.
    await refuses(b.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: keyB.KeyId }), 'AccessDeniedException', CIPHERTEXT_KEY_INACCESSIBLE);
    await refuses(partner.reEncrypt({ CiphertextBlob: blob, SourceKeyId: keyA.KeyId, DestinationKeyId: keyB.KeyId }), 'NotFoundException');
    expect((await partner.reEncrypt({ CiphertextBlob: blob, SourceKeyId: keyA.Arn, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: keyB.KeyId })).KeyId).toBe(keyB.Arn);
    // B's IAM must allow it as well.
    const strictB = new Kms({ keyStore: b.keyStore, accountId: ACCOUNT_B, identityPolicy: (r) => r.action !== 'kms:ReEncryptFrom' }).as(SESSION_PARTNER);
    await refuses(strictB.reEncrypt({ CiphertextBlob: blob, SourceKeyId: keyA.Arn, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: keyB.KeyId }), 'AccessDeniedException', deniedMessage(SESSION_PARTNER, 'ReEncryptFrom', keyA.Arn as string, 'no-identity-policy'));
    expect(ACCOUNT_B).not.toBe(ACCOUNT_A);
  });
});
