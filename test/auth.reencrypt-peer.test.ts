/**
 * kms:ReEncryptOnSameKey is read by two things only: a key policy condition on it and the
 * identity hook, whose request context holds every condition key. ReEncrypt looks the other
 * key's ARN up only for them (src/operations/authorize.ts denialWithoutPeer), and whoever reads
 * it gets the same answer as when it was always looked up (issue 14).
 */
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type IdentityRequest } from '../src/index.js';
import { ACCOUNT_A, SESSION_APP, USER_ALICE, enc, policy, rootAll } from './helpers/auth.js';

const CTX = { tenant: 'acme' };

/** A store that counts alias reads: the peer's lookup is one when the destination is an alias. */
class CountingStore extends InMemoryKeyStore {
  aliasReads = 0;
  override getAlias(aliasArn: string) {
    this.aliasReads++;
    return super.getAlias(aliasArn);
  }
}

async function setup(identityPolicy: (r: IdentityRequest) => boolean) {
  const keyStore = new CountingStore();
  const kms = new Kms({ keyStore, identityPolicy });
  const src = (await kms.createKey()).KeyMetadata!;
  const dst = (await kms.createKey()).KeyMetadata!;
  await kms.createAlias({ AliasName: 'alias/src', TargetKeyId: src.KeyId! });
  await kms.createAlias({ AliasName: 'alias/dst', TargetKeyId: dst.KeyId! });
  const blob = (await kms.encrypt({ KeyId: src.KeyId!, Plaintext: enc('move me'), EncryptionContext: CTX })).CiphertextBlob!;
  return { kms, keyStore, src, dst, blob };
}

describe('the identity hook is told kms:ReEncryptOnSameKey', () => {
  test('a user reached through the account principal (default key policy): the hook gets true for the same key and false for another, by key ID, ARN, alias name and alias ARN', async () => {
    const asked: IdentityRequest[] = [];
    const { kms, src, dst, blob } = await setup((r) => (asked.push(r), true));
    const alice = kms.as(USER_ALICE);
    const ids = (k: typeof src, alias: string) => [k.KeyId!, k.Arn!, alias, `arn:aws:kms:us-east-1:${ACCOUNT_A}:${alias}`];
    for (const [key, alias, same] of [[src, 'alias/src', 'true'], [dst, 'alias/dst', 'false']] as const) {
      for (const id of ids(key, alias)) {
        asked.length = 0;
        await alice.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: CTX, DestinationKeyId: id });
        const from = asked.find((r) => r.action === 'kms:ReEncryptFrom');
        const to = asked.find((r) => r.action === 'kms:ReEncryptTo');
        expect(from?.context['kms:ReEncryptOnSameKey'], `ReEncryptFrom, destination ${id}`).toBe(same);
        expect(to?.context['kms:ReEncryptOnSameKey'], `ReEncryptTo, destination ${id}`).toBe(same);
      }
    }
  });

  test('a hook that allows only moves to another key decides by the peer it was told', async () => {
    const { kms, src, dst, blob } = await setup((r) => r.action !== 'kms:ReEncryptFrom' || r.context['kms:ReEncryptOnSameKey'] === 'false');
    const alice = kms.as(USER_ALICE);
    await expect(alice.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: CTX, DestinationKeyId: 'alias/dst' })).resolves.toMatchObject({ KeyId: dst.Arn });
    await expect(alice.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: CTX, DestinationKeyId: 'alias/src' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(alice.reEncrypt({ CiphertextBlob: blob, SourceKeyId: src.KeyId!, SourceEncryptionContext: CTX, DestinationKeyId: src.KeyId! })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('the peer is looked up only when something reads it', () => {
  test('the root user under the default key policy, with an identity hook: one alias read (the destination), not two', async () => {
    const { kms, keyStore, dst, blob } = await setup(() => true);
    keyStore.aliasReads = 0;
    const out = await kms.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: CTX, DestinationKeyId: 'alias/dst' });
    expect(out.KeyId).toBe(dst.Arn);
    expect(keyStore.aliasReads).toBe(1);
  });

  test('a role named by a custom key policy with no condition on it: one alias read; with a condition on kms:ReEncryptOnSameKey: two, and the condition holds', async () => {
    const { kms, keyStore, src, dst, blob } = await setup(() => false);
    const app = kms.as(SESSION_APP);
    const roleMay = (extra = {}) => ({ Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:role/App` }, Action: 'kms:ReEncrypt*', ...extra });
    await kms.putKeyPolicy({ KeyId: src.KeyId!, Policy: policy(rootAll(), roleMay()) });
    await kms.putKeyPolicy({ KeyId: dst.KeyId!, Policy: policy(rootAll(), roleMay()) });
    keyStore.aliasReads = 0;
    await app.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: CTX, DestinationKeyId: 'alias/dst' });
    expect(keyStore.aliasReads).toBe(1);
    await kms.putKeyPolicy({ KeyId: src.KeyId!, Policy: policy(rootAll(), roleMay({ Condition: { Bool: { 'kms:ReEncryptOnSameKey': 'false' } } })) });
    keyStore.aliasReads = 0;
    await app.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: CTX, DestinationKeyId: 'alias/dst' });
    expect(keyStore.aliasReads).toBe(2);
    await expect(app.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: CTX, DestinationKeyId: 'alias/src' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

