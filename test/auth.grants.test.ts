/**
 * Grants: life cycles with grant tokens and constraints, Name idempotency, DryRun, who may
 * retire, RevokeGrant, CreateGrant from a grant, ListGrants and ListRetirableGrants, the
 * validation CreateGrant does, and grants and policies in the key-store snapshot.
 */
import { describe, expect, test } from 'vitest';
import { decodeGrantToken, encodeGrantToken } from '../src/auth/grants.js';
import { InMemoryKeyStore, Kms, type CreateGrantRequest, type KeyMetadata, type KeyStoreSnapshot } from '../src/index.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ciphertextDeniedMessage,
  ROLE_APP,
  ROLE_PARTNER,
  ROOT_A,
  ROOT_B,
  SESSION_APP,
  SESSION_PARTNER,
  USER_ALICE,
  USER_BOB,
  deniedMessage,
  enc,
  keyWithPolicy,
  outcomeOf,
  policy,
  rootAll,
  twoAccounts,
} from './helpers/auth.js';
import { ManualClock, refuses, snapshotKey } from './helpers/keys.js';

const INVALID_TOKEN = 'A grant token provided as part of the request is invalid.';
/**
 * The default key policy's statement. Account A's Kms below has an identity hook that denies
 * everything, so only A's root user gets anything from it: every other principal of A holds
 * only what grants give.
 */
const ROOT_ONLY = policy(rootAll());

async function setup(text = ROOT_ONLY) {
  const clock = new ManualClock();
  const { store, a, b } = twoAccounts({ now: clock.now, identityPolicy: () => false }, { now: clock.now });
  const key = await keyWithPolicy(a, text);
  return { store, a, b, key, arn: key.Arn as string, clock };
}

describe('a grant life cycle', () => {
  test('create → use (with and without the token) → constraints → retire by token → the token is dead', async () => {
    const { a, key, arn } = await setup();
    const app = a.as(SESSION_APP);
    const blob = (await a.encrypt({ KeyId: key.KeyId, Plaintext: enc('payroll'), EncryptionContext: { tenant: 'acme' } })).CiphertextBlob as Uint8Array;
    await refuses(app.decrypt({ CiphertextBlob: blob, KeyId: arn, EncryptionContext: { tenant: 'acme' } }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'Decrypt', arn, 'no-identity-policy'));
    await refuses(app.decrypt({ CiphertextBlob: blob, EncryptionContext: { tenant: 'acme' } }), 'AccessDeniedException', ciphertextDeniedMessage(SESSION_APP, 'Decrypt'));

    const { GrantId, GrantToken } = await a.createGrant({
      KeyId: key.KeyId,
      GranteePrincipal: ROLE_APP,
      Operations: ['Decrypt', 'GenerateDataKey'],
      Constraints: { EncryptionContextSubset: { tenant: 'acme' } },
    });
    expect(GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(GrantToken).toMatch(/^[A-Za-z0-9_-]+$/);
    // The token authorises at once; kms-core grants are also effective without it.
    expect((await app.decrypt({ CiphertextBlob: blob, EncryptionContext: { tenant: 'acme' }, GrantTokens: [GrantToken as string] })).KeyId).toBe(arn);
    expect((await app.decrypt({ CiphertextBlob: blob, EncryptionContext: { tenant: 'acme' } })).KeyId).toBe(arn);
    // Constraint keys are case-insensitive, values case-sensitive; Subset allows extra pairs.
    expect(await outcomeOf(app.generateDataKey({ KeyId: arn, KeySpec: 'AES_256', EncryptionContext: { TENANT: 'acme', extra: '1' } }))).toBe('allowed');
    expect(await outcomeOf(app.generateDataKey({ KeyId: arn, KeySpec: 'AES_256', EncryptionContext: { tenant: 'ACME' } }))).toBe('no-identity-policy');
    expect(await outcomeOf(app.generateDataKey({ KeyId: arn, KeySpec: 'AES_256' }))).toBe('no-identity-policy');
    // Operations the grant does not list stay refused.
    await refuses(app.encrypt({ KeyId: arn, Plaintext: enc('x'), EncryptionContext: { tenant: 'acme' } }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'Encrypt', arn, 'no-identity-policy'));
    // The grantee may not retire it (no RetireGrant operation, not the retiring principal).
    await refuses(app.retireGrant({ GrantToken }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'RetireGrant', arn, 'no-resource-policy'));
    // The key's account may.
    await a.retireGrant({ GrantToken });
    expect((await a.listGrants({ KeyId: key.KeyId })).Grants).toEqual([]);
    await refuses(app.decrypt({ CiphertextBlob: blob, EncryptionContext: { tenant: 'acme' } }), 'AccessDeniedException', ciphertextDeniedMessage(SESSION_APP, 'Decrypt'));
    await refuses(a.decrypt({ CiphertextBlob: blob, EncryptionContext: { tenant: 'acme' }, GrantTokens: [GrantToken as string] }), 'InvalidGrantTokenException', INVALID_TOKEN);
    await refuses(a.retireGrant({ GrantToken }), 'InvalidGrantTokenException', INVALID_TOKEN);
  });

  test('EncryptionContextEquals: the request context must be exactly the constraint (keys case-insensitive)', async () => {
    const { a, arn } = await setup();
    await a.createGrant({ KeyId: arn, GranteePrincipal: USER_ALICE, Operations: ['Encrypt'], Constraints: { EncryptionContextEquals: { Dept: 'IT' } } });
    const alice = a.as(USER_ALICE);
    const tryEnc = (ctx?: Record<string, string>) => outcomeOf(alice.encrypt({ KeyId: arn, Plaintext: enc('x'), EncryptionContext: ctx }));
    expect(await tryEnc({ Dept: 'IT' })).toBe('allowed');
    expect(await tryEnc({ dept: 'IT' })).toBe('allowed');
    expect(await tryEnc({ Dept: 'it' })).toBe('no-identity-policy');
    expect(await tryEnc({ Dept: 'IT', Project: 'x' })).toBe('no-identity-policy');
    expect(await tryEnc()).toBe('no-identity-policy');
  });

  test('a grant to the account principal reaches its principals through IAM; a grant to a role reaches its sessions', async () => {
    let iam = true;
    const { store } = twoAccounts();
    const a = new Kms({ keyStore: store, accountId: ACCOUNT_A, identityPolicy: () => iam });
    const key = await keyWithPolicy(a, ROOT_ONLY);
    await a.createGrant({ KeyId: key.KeyId, GranteePrincipal: ACCOUNT_A, Operations: ['DescribeKey'] });
    await a.createGrant({ KeyId: key.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Encrypt'] });
    expect(await outcomeOf(a.as(USER_BOB).describeKey({ KeyId: key.KeyId }))).toBe('allowed');
    iam = false;
    expect(await outcomeOf(a.as(USER_BOB).describeKey({ KeyId: key.KeyId }))).toBe('no-identity-policy');
    expect(await outcomeOf(a.as(SESSION_APP).encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }))).toBe('allowed');
    expect(await outcomeOf(a.as(USER_BOB).encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }))).toBe('no-identity-policy');
  });

  test('an explicit Deny in the key policy overrides a grant', async () => {
    const { a, arn } = await setup(policy({ Effect: 'Allow', Principal: { AWS: ROOT_A }, Action: 'kms:*' }, { Effect: 'Deny', Principal: { AWS: ROLE_APP }, Action: 'kms:Encrypt' }));
    await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Encrypt', 'DescribeKey'] });
    await refuses(a.as(SESSION_APP).encrypt({ KeyId: arn, Plaintext: enc('x') }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'Encrypt', arn, 'explicit-deny'));
    expect(await outcomeOf(a.as(SESSION_APP).describeKey({ KeyId: arn }))).toBe('allowed');
  });

  test('cross-account grant: a principal of B uses A\'s key through the grant, by key ARN (its IAM must allow too)', async () => {
    let iamB = true;
    const { a, b, key, arn } = await setup(ROOT_ONLY);
    const partnerKms = new Kms({ keyStore: b.keyStore, accountId: ACCOUNT_B, identityPolicy: () => iamB }).as(SESSION_PARTNER);
    const blob = (await a.encrypt({ KeyId: key.KeyId, Plaintext: enc('shared') })).CiphertextBlob as Uint8Array;
    expect(await outcomeOf(partnerKms.decrypt({ CiphertextBlob: blob, KeyId: arn }))).toBe('no-resource-policy');
    const { GrantToken } = await a.createGrant({ KeyId: key.KeyId, GranteePrincipal: ROLE_PARTNER, Operations: ['Decrypt'], RetiringPrincipal: ROLE_PARTNER });
    expect(new TextDecoder().decode((await partnerKms.decrypt({ CiphertextBlob: blob, GrantTokens: [GrantToken as string] })).Plaintext)).toBe('shared');
    iamB = false;
    expect(await outcomeOf(partnerKms.decrypt({ CiphertextBlob: blob, KeyId: arn }))).toBe('no-identity-policy');
    // The retiring principal, in account B, retires it across accounts.
    await partnerKms.retireGrant({ KeyId: arn, GrantId: decodeGrantToken(GrantToken as string)?.grantId });
    expect((await a.listGrants({ KeyId: arn })).Grants).toEqual([]);
  });
});

describe('grant tokens', () => {
  test('Precondition: every grant token names a live grant. Precondition: the grant token names a live grant — a malformed, foreign, tampered or dead token is InvalidGrantTokenException on every operation that takes GrantTokens', async () => {
    const { a, key, arn } = await setup(ROOT_ONLY);
    const rsa = (await a.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata as KeyMetadata;
    const { GrantToken } = await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'] });
    const good = GrantToken as string;
    const d = decodeGrantToken(good)!;
    const otherStore = new Kms();
    const otherKey = (await otherStore.createKey()).KeyMetadata as KeyMetadata;
    const fromElsewhere = (await otherStore.createGrant({ KeyId: otherKey.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'] })).GrantToken as string;
    const bad = [
      'not a token',
      'AQ',
      good.slice(0, -4),
      encodeGrantToken(arn, d.grantId, '0'.repeat(32)), // a nonce this grant never issued
      encodeGrantToken(arn, 'a'.repeat(64), d.nonce), // no such grant
      fromElsewhere, // issued by another store
    ];
    const blob = (await a.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') })).CiphertextBlob as Uint8Array;
    for (const t of bad) {
      const GrantTokens = [good, t];
      await refuses(a.encrypt({ KeyId: arn, Plaintext: enc('x'), GrantTokens }), 'InvalidGrantTokenException', INVALID_TOKEN);
      await refuses(a.decrypt({ CiphertextBlob: blob, GrantTokens }), 'InvalidGrantTokenException', INVALID_TOKEN);
      await refuses(a.reEncrypt({ CiphertextBlob: blob, DestinationKeyId: arn, GrantTokens }), 'InvalidGrantTokenException', INVALID_TOKEN);
      await refuses(a.generateDataKey({ KeyId: arn, KeySpec: 'AES_128', GrantTokens }), 'InvalidGrantTokenException', INVALID_TOKEN);
      await refuses(a.generateDataKeyWithoutPlaintext({ KeyId: arn, NumberOfBytes: 8, GrantTokens }), 'InvalidGrantTokenException', INVALID_TOKEN);
      await refuses(a.describeKey({ KeyId: arn, GrantTokens }), 'InvalidGrantTokenException', INVALID_TOKEN);
      await refuses(a.getPublicKey({ KeyId: rsa.KeyId, GrantTokens }), 'InvalidGrantTokenException', INVALID_TOKEN);
      await refuses(a.createGrant({ KeyId: arn, GranteePrincipal: USER_ALICE, Operations: ['Encrypt'], GrantTokens }), 'InvalidGrantTokenException', INVALID_TOKEN);
      await refuses(a.retireGrant({ GrantToken: t }), 'InvalidGrantTokenException', INVALID_TOKEN);
    }
    // The good token alone is fine everywhere.
    expect((await a.describeKey({ KeyId: arn, GrantTokens: [good] })).KeyMetadata?.Arn).toBe(arn);
    // More than 10 tokens is the model's ValidationException.
    await refuses(a.describeKey({ KeyId: arn, GrantTokens: Array(11).fill(good) }), 'ValidationException', /Member must have length less than or equal to 10/);
  });

  test('revoking a grant kills its tokens; a token of a deleted key is dead', async () => {
    const { a, arn, clock } = await setup(ROOT_ONLY);
    const { GrantId, GrantToken } = await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'] });
    const second = await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Encrypt'] });
    await a.revokeGrant({ KeyId: arn, GrantId });
    await refuses(a.describeKey({ KeyId: arn, GrantTokens: [GrantToken as string] }), 'InvalidGrantTokenException');
    expect((await a.describeKey({ KeyId: arn, GrantTokens: [second.GrantToken as string] })).KeyMetadata?.Arn).toBe(arn);
    const other = await keyWithPolicy(a);
    await a.scheduleKeyDeletion({ KeyId: arn, PendingWindowInDays: 7 });
    clock.advanceDays(8);
    await refuses(a.describeKey({ KeyId: other.KeyId, GrantTokens: [second.GrantToken as string] }), 'InvalidGrantTokenException');
  });
});

describe('CreateGrant', () => {
  test('Name: a retry with the same parameters returns the same GrantId and a new, interchangeable token', async () => {
    const { a, arn } = await setup(ROOT_ONLY);
    const req: CreateGrantRequest = { KeyId: arn, GranteePrincipal: ROLE_APP, RetiringPrincipal: USER_ALICE, Operations: ['Decrypt', 'Encrypt'], Constraints: { EncryptionContextSubset: { a: '1' } }, Name: 'app-decrypt' };
    const first = await a.createGrant(req);
    const retry = await a.createGrant({ ...req, Operations: ['Encrypt', 'Decrypt'] });
    expect(retry.GrantId).toBe(first.GrantId);
    expect(retry.GrantToken).not.toBe(first.GrantToken);
    for (const t of [first.GrantToken, retry.GrantToken]) expect((await a.describeKey({ KeyId: arn, GrantTokens: [t as string] })).KeyMetadata?.Arn).toBe(arn);
    expect((await a.listGrants({ KeyId: arn })).Grants).toHaveLength(1);
    // Different parameters under the same Name: a new grant. No Name: always a new grant.
    const changed = await a.createGrant({ ...req, Operations: ['Decrypt'] });
    expect(changed.GrantId).not.toBe(first.GrantId);
    const unnamed1 = await a.createGrant({ ...req, Name: undefined });
    const unnamed2 = await a.createGrant({ ...req, Name: undefined });
    expect(unnamed1.GrantId).not.toBe(unnamed2.GrantId);
    expect((await a.listGrants({ KeyId: arn })).Grants).toHaveLength(4);
    // Retiring through either token of the retried grant removes the one grant.
    await a.retireGrant({ GrantToken: retry.GrantToken });
    await refuses(a.describeKey({ KeyId: arn, GrantTokens: [first.GrantToken as string] }), 'InvalidGrantTokenException');
  });

  test('DryRun: DryRunOperationException when everything passes (no grant is created), AccessDenied when not authorized', async () => {
    const { a, arn } = await setup(ROOT_ONLY);
    await refuses(a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'], DryRun: true }), 'DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
    expect((await a.listGrants({ KeyId: arn })).Grants).toEqual([]);
    const noIam = new Kms({ keyStore: a.keyStore, identityPolicy: () => false }).as(USER_ALICE);
    await refuses(noIam.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'], DryRun: true }), 'AccessDeniedException', deniedMessage(USER_ALICE, 'CreateGrant', arn, 'no-identity-policy'));
    await refuses(a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['GetPublicKey'], DryRun: true }), 'ValidationException');
  });

  test.each<[string, Partial<CreateGrantRequest>, string, string | RegExp]>([
    ['only CreateGrant', { Operations: ['CreateGrant'] }, 'ValidationException', 'Grants must not contain only the CreateGrant operation.'],
    ['no operations', { Operations: [] }, 'ValidationException', /at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1/],
    ['an operation symmetric keys do not support', { Operations: ['Decrypt', 'GetPublicKey'] }, 'ValidationException', /does not support the grant operation GetPublicKey/],
    ['Sign on an encryption key', { Operations: ['Sign'] }, 'ValidationException', /does not support the grant operation Sign/],
    ['an unknown operation', { Operations: ['Launch' as never] }, 'ValidationException', /Member must satisfy enum value set/],
    ['a grantee that is no principal', { GranteePrincipal: 'bob' }, 'ValidationException', /Invalid GranteePrincipal 'bob'/],
    ['a retiring principal that is no principal', { RetiringPrincipal: 'group/devs' }, 'ValidationException', /Invalid RetiringPrincipal/],
    ['nine constraint pairs', { Constraints: { EncryptionContextSubset: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'])) } }, 'ValidationException', /more than 8 encryption context pairs/],
    ['a constraint value over 384 characters', { Constraints: { EncryptionContextEquals: { k: 'v'.repeat(385) } } }, 'ValidationException', /longer than 384 characters/],
    ['a bad Name', { Name: 'has space' }, 'ValidationException', /at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern/],
  ])('refuses %s', async (_name, change, error, message) => {
    const { a, arn } = await setup(ROOT_ONLY);
    await refuses(a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'], ...change }), error, message);
    expect((await a.listGrants({ KeyId: arn })).Grants).toEqual([]);
  });

  test('Precondition: what CreateGrant refuses once the caller is authorized (API reference, CreateGrant) — asymmetric keys: no data-key operations, no constraints; GetPublicKey is fine', async () => {
    const kms = new Kms();
    const rsa = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata as KeyMetadata;
    await refuses(kms.createGrant({ KeyId: rsa.KeyId, GranteePrincipal: ROLE_APP, Operations: ['GenerateDataKey'] }), 'ValidationException', /GenerateDataKey/);
    await refuses(kms.createGrant({ KeyId: rsa.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { a: 'b' } } }), 'ValidationException', /constraints/);
    const { GrantToken } = await kms.createGrant({ KeyId: rsa.KeyId, GranteePrincipal: ROLE_APP, Operations: ['GetPublicKey', 'Encrypt'] });
    expect((await kms.as(SESSION_APP).getPublicKey({ KeyId: rsa.Arn as string, GrantTokens: [GrantToken as string] })).KeyId).toBe(rsa.Arn);
  });

  test('key states: Disabled → DisabledException, PendingDeletion → KMSInvalidStateException', async () => {
    const { a, arn } = await setup(ROOT_ONLY);
    await a.disableKey({ KeyId: arn });
    await refuses(a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'] }), 'DisabledException', `${arn} is disabled.`);
    await a.scheduleKeyDeletion({ KeyId: arn });
    await refuses(a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'] }), 'KMSInvalidStateException', `${arn} is pending deletion.`);
    // ListGrants, RevokeGrant and RetireGrant work in every state.
    expect((await a.listGrants({ KeyId: arn })).Grants).toEqual([]);
  });

  test('a grant with CreateGrant lets its grantee create only grants with a subset of its operations and constraints at least as strict', async () => {
    const { a, arn } = await setup();
    await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt', 'Encrypt', 'CreateGrant'], Constraints: { EncryptionContextSubset: { dept: 'IT' } } });
    const app = a.as(SESSION_APP);
    const child = (c: Partial<CreateGrantRequest>) => outcomeOf(app.createGrant({ KeyId: arn, GranteePrincipal: USER_ALICE, Operations: ['Decrypt'], ...c }));
    expect(await child({ Constraints: { EncryptionContextSubset: { dept: 'IT', project: 'x' } } })).toBe('allowed');
    expect(await child({ Constraints: { EncryptionContextSubset: { DEPT: 'IT' } } })).toBe('allowed');
    expect(await child({ Constraints: { EncryptionContextEquals: { dept: 'IT', project: 'y' } } })).toBe('allowed');
    expect(await child({ Operations: ['Decrypt', 'CreateGrant'], Constraints: { EncryptionContextSubset: { dept: 'IT' } } })).toBe('allowed');
    expect(await child({})).toBe('no-identity-policy');
    expect(await child({ Constraints: { EncryptionContextSubset: { dept: 'HR' } } })).toBe('no-identity-policy');
    expect(await child({ Constraints: { EncryptionContextSubset: { project: 'x' } } })).toBe('no-identity-policy');
    expect(await child({ Operations: ['GenerateDataKey'], Constraints: { EncryptionContextSubset: { dept: 'IT' } } })).toBe('no-identity-policy');
    // A child of an Equals parent must be that very Equals.
    await a.createGrant({ KeyId: arn, GranteePrincipal: USER_BOB, Operations: ['Decrypt', 'CreateGrant'], Constraints: { EncryptionContextEquals: { dept: 'IT' } } });
    const bob = a.as(USER_BOB);
    const bobChild = (c: Partial<CreateGrantRequest>) => outcomeOf(bob.createGrant({ KeyId: arn, GranteePrincipal: USER_ALICE, Operations: ['Decrypt'], ...c }));
    expect(await bobChild({ Constraints: { EncryptionContextEquals: { Dept: 'IT' } } })).toBe('allowed');
    expect(await bobChild({ Constraints: { EncryptionContextSubset: { dept: 'IT' } } })).toBe('no-identity-policy');
    expect(await bobChild({ Constraints: { EncryptionContextEquals: { dept: 'IT', x: '1' } } })).toBe('no-identity-policy');
  });

  test('key-policy conditions on CreateGrant: kms:GrantOperations, kms:GranteePrincipal, kms:GrantIsForAWSResource', async () => {
    const kms = new Kms({ identityPolicy: () => false });
    const key = await keyWithPolicy(
      kms,
      policy(
        rootAll(),
        { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:CreateGrant', Condition: { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'ReEncryptTo'] }, StringLike: { 'kms:GranteePrincipal': `arn:aws:iam::${ACCOUNT_A}:user/*` } } },
        { Effect: 'Allow', Principal: { AWS: USER_ALICE }, Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
      ),
    );
    const app = kms.as(SESSION_APP);
    const grant = (ops: string[], grantee = USER_BOB) => outcomeOf(app.createGrant({ KeyId: key.KeyId, GranteePrincipal: grantee, Operations: ops as never }));
    expect(await grant(['Encrypt'])).toBe('allowed');
    expect(await grant(['Encrypt', 'ReEncryptTo'])).toBe('allowed');
    expect(await grant(['Encrypt', 'Decrypt'])).toBe('no-identity-policy');
    expect(await grant(['Encrypt'], ROLE_APP)).toBe('no-identity-policy');
    expect(await outcomeOf(kms.as(USER_ALICE).createGrant({ KeyId: key.KeyId, GranteePrincipal: USER_BOB, Operations: ['Encrypt'] }))).toBe('no-identity-policy');
  });
});

describe('ListGrants', () => {
  test('lists grants as AWS shows them, filters by GrantId and GranteePrincipal, pages with Limit/Marker', async () => {
    const { a, arn, clock } = await setup(ROOT_ONLY);
    const made = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      made.push(await a.createGrant({ KeyId: arn, GranteePrincipal: i % 2 ? USER_BOB : ROLE_APP, Operations: ['Decrypt'], ...(i === 0 ? { Name: 'first', RetiringPrincipal: USER_ALICE, Constraints: { EncryptionContextEquals: { a: 'b' } } } : {}) }));
    }
    const all = (await a.listGrants({ KeyId: arn })).Grants ?? [];
    expect(all.map((g) => g.GrantId)).toEqual(made.map((m) => m.GrantId));
    expect(all[0]).toEqual({
      KeyId: arn,
      GrantId: made[0]?.GrantId,
      Name: 'first',
      CreationDate: new Date(Date.parse('2026-01-01T00:00:01.000Z')),
      GranteePrincipal: ROLE_APP,
      RetiringPrincipal: USER_ALICE,
      IssuingAccount: ROOT_A,
      Operations: ['Decrypt'],
      Constraints: { EncryptionContextEquals: { a: 'b' } },
    });
    expect(all[1]).toEqual(expect.objectContaining({ Name: '', GranteePrincipal: USER_BOB }));
    expect(all[1]).not.toHaveProperty('RetiringPrincipal');
    expect(all[1]).not.toHaveProperty('Constraints');
    expect(((await a.listGrants({ KeyId: arn, GranteePrincipal: USER_BOB })).Grants ?? []).map((g) => g.GrantId)).toEqual([made[1]?.GrantId, made[3]?.GrantId]);
    expect(((await a.listGrants({ KeyId: arn, GrantId: made[2]?.GrantId })).Grants ?? []).map((g) => g.GrantId)).toEqual([made[2]?.GrantId]);
    const p1 = await a.listGrants({ KeyId: arn, Limit: 2 });
    expect(p1.Truncated).toBe(true);
    const p2 = await a.listGrants({ KeyId: arn, Limit: 2, Marker: p1.NextMarker });
    const p3 = await a.listGrants({ KeyId: arn, Limit: 2, Marker: p2.NextMarker });
    expect([...(p1.Grants ?? []), ...(p2.Grants ?? []), ...(p3.Grants ?? [])].map((g) => g.GrantId)).toEqual(made.map((m) => m.GrantId));
    expect(p3.Truncated).toBe(false);
    await refuses(a.listGrants({ KeyId: arn, Marker: 'nope' }), 'InvalidMarkerException');
  });

  test('needs kms:ListGrants; works across accounts when the key policy allows', async () => {
    const { a, b, arn } = await setup(policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ACCOUNT_B }, Action: 'kms:ListGrants' }));
    await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'] });
    expect((await b.listGrants({ KeyId: arn })).Grants).toHaveLength(1);
    await refuses(b.as(SESSION_PARTNER).createGrant({ KeyId: arn, GranteePrincipal: ROLE_PARTNER, Operations: ['Decrypt'] }), 'AccessDeniedException', deniedMessage(SESSION_PARTNER, 'CreateGrant', arn, 'no-resource-policy'));
  });
});

describe('RetireGrant and RevokeGrant', () => {
  test('Precondition: the caller may retire the grant — who may retire: the retiring principal, the grantee when the grant lists RetireGrant, the key\'s account', async () => {
    const { store } = twoAccounts();
    let iamA = false;
    const a = new Kms({ keyStore: store, accountId: ACCOUNT_A, identityPolicy: () => iamA });
    const b = new Kms({ keyStore: store, accountId: ACCOUNT_B });
    const key = await keyWithPolicy(a, ROOT_ONLY);
    const arn = key.Arn as string;
    const make = async (extra: Partial<CreateGrantRequest> = {}) => (await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'], ...extra })).GrantId as string;
    const retire = (kms: Kms, GrantId: string) => outcomeOf(kms.retireGrant({ KeyId: arn, GrantId }));
    const app = a.as(SESSION_APP);

    const plain = await make();
    expect(await retire(app, plain)).toBe('no-resource-policy');
    expect(await retire(b, plain)).toBe('no-resource-policy');
    expect(await retire(a.as(USER_ALICE), plain)).toBe('no-resource-policy');
    iamA = true; // kms:RetireGrant in the IAM of the key's account
    expect(await retire(a.as(USER_ALICE), plain)).toBe('allowed');
    iamA = false;
    expect(await retire(a, await make())).toBe('allowed'); // the key account's root user

    expect(await retire(app, await make({ Operations: ['Decrypt', 'RetireGrant'] }))).toBe('allowed');
    expect(await retire(a.as(USER_BOB), await make({ RetiringPrincipal: USER_BOB }))).toBe('allowed');
    expect(await retire(b.as(SESSION_PARTNER), await make({ RetiringPrincipal: ACCOUNT_B }))).toBe('allowed');
    expect(await retire(b, await make({ RetiringPrincipal: ROOT_B }))).toBe('allowed');
    const partners = await make({ GranteePrincipal: ROLE_PARTNER });
    expect(await retire(b.as(SESSION_PARTNER), partners)).toBe('no-resource-policy');
    expect(await retire(b, partners)).toBe('no-resource-policy');
    await refuses(b.retireGrant({ KeyId: arn, GrantId: partners }), 'AccessDeniedException', deniedMessage(ROOT_B, 'RetireGrant', arn, 'no-resource-policy'));
    expect(((await a.listGrants({ KeyId: arn })).Grants ?? []).map((g) => g.GrantId)).toEqual([partners]);
  });

  test('Precondition: a GrantId is 64 lowercase hex characters. Precondition: a grant is named by its token, or by its key and grant ID — RetireGrant: bad identifiers and DryRun', async () => {
    const { a, arn } = await setup(ROOT_ONLY);
    const { GrantId, GrantToken } = await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'] });
    await refuses(a.retireGrant({ KeyId: arn, GrantId: 'not-a-grant-id' }), 'InvalidGrantIdException');
    await refuses(a.retireGrant({ KeyId: arn, GrantId: 'e'.repeat(64) }), 'NotFoundException');
    await refuses(a.retireGrant({ KeyId: arn }), 'ValidationException');
    await refuses(a.retireGrant({}), 'ValidationException');
    await refuses(a.retireGrant({ GrantToken, DryRun: true }), 'DryRunOperationException');
    await refuses(a.retireGrant({ KeyId: arn, GrantId, DryRun: true }), 'DryRunOperationException');
    expect((await a.listGrants({ KeyId: arn })).Grants).toHaveLength(1);
    await a.retireGrant({ KeyId: arn, GrantId });
    await refuses(a.retireGrant({ KeyId: arn, GrantId }), 'NotFoundException');
  });

  test('Precondition: a GrantId is 64 lowercase hex characters — RevokeGrant needs kms:RevokeGrant in the key policy (or IAM through the account principal); DryRun; bad ids', async () => {
    let iam = false;
    const { store } = twoAccounts();
    const a = new Kms({ keyStore: store, identityPolicy: () => iam });
    const key = await keyWithPolicy(a, ROOT_ONLY);
    const arn = key.Arn as string;
    const { GrantId } = await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt', 'RetireGrant'] });
    const app = a.as(SESSION_APP);
    // The grantee may retire (the grant says so) but not revoke.
    await refuses(app.revokeGrant({ KeyId: arn, GrantId }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'RevokeGrant', arn, 'no-identity-policy'));
    iam = true;
    await refuses(app.revokeGrant({ KeyId: arn, GrantId, DryRun: true }), 'DryRunOperationException');
    iam = false;
    await a.putKeyPolicy({ KeyId: arn, Policy: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:Revoke*' }) });
    await refuses(app.revokeGrant({ KeyId: arn, GrantId: 'xyz' }), 'InvalidGrantIdException');
    await refuses(app.revokeGrant({ KeyId: arn, GrantId: '0'.repeat(64) }), 'NotFoundException');
    await app.revokeGrant({ KeyId: arn, GrantId });
    expect((await a.listGrants({ KeyId: arn })).Grants).toEqual([]);
  });
});

describe('ListRetirableGrants', () => {
  test('lists the grants, on keys of any account, whose retiring principal is the given principal of the caller\'s account', async () => {
    const { a, b } = twoAccounts();
    const keyA = await keyWithPolicy(a);
    const keyB = await keyWithPolicy(b);
    const g1 = await a.createGrant({ KeyId: keyA.KeyId, GranteePrincipal: ROLE_PARTNER, RetiringPrincipal: ROLE_PARTNER, Operations: ['Decrypt'] });
    const g2 = await b.createGrant({ KeyId: keyB.KeyId, GranteePrincipal: ROLE_APP, RetiringPrincipal: ROLE_PARTNER, Operations: ['Encrypt'] });
    await b.createGrant({ KeyId: keyB.KeyId, GranteePrincipal: ROLE_APP, RetiringPrincipal: ROOT_B, Operations: ['Encrypt'] });
    await a.createGrant({ KeyId: keyA.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Encrypt'] });
    const out = await b.as(SESSION_PARTNER).listRetirableGrants({ RetiringPrincipal: ROLE_PARTNER });
    expect((out.Grants ?? []).map((g) => [g.KeyId, g.GrantId])).toEqual([
      [keyA.Arn, g1.GrantId],
      [keyB.Arn, g2.GrantId],
    ]);
    expect(out.Truncated).toBe(false);
    const page = await b.listRetirableGrants({ RetiringPrincipal: ROLE_PARTNER, Limit: 1 });
    expect(page.Truncated).toBe(true);
    expect((await b.listRetirableGrants({ RetiringPrincipal: ROLE_PARTNER, Limit: 1, Marker: page.NextMarker })).Grants?.[0]?.GrantId).toBe(g2.GrantId);
    expect((await b.listRetirableGrants({ RetiringPrincipal: ROOT_B })).Grants).toHaveLength(1);
  });

  test('Precondition: a retiring principal is given. Precondition: the retiring principal is of the caller\'s account — refuses a principal of another account, needs kms:ListRetirableGrants in IAM, and validates its input like the model', async () => {
    const kms = new Kms({ identityPolicy: (r) => r.action !== 'kms:ListRetirableGrants' });
    await refuses(kms.listRetirableGrants({ RetiringPrincipal: ROLE_PARTNER }), 'AccessDeniedException', deniedMessage(ROOT_A, 'ListRetirableGrants', ROLE_PARTNER, 'no-identity-policy'));
    await refuses(kms.as(USER_ALICE).listRetirableGrants({ RetiringPrincipal: USER_ALICE }), 'AccessDeniedException', deniedMessage(USER_ALICE, 'ListRetirableGrants', USER_ALICE, 'no-identity-policy'));
    expect((await kms.listRetirableGrants({ RetiringPrincipal: USER_ALICE })).Grants).toEqual([]);
    await refuses(
      kms.listRetirableGrants({ RetiringPrincipal: undefined }),
      'ValidationException',
      "1 validation error detected: Value null at 'retiringPrincipal' failed to satisfy constraint: Member must not be null",
    );
    await refuses(
      kms.listRetirableGrants({ RetiringPrincipal: 'a b', Limit: 0 }),
      'ValidationException',
      "2 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; Value 'a b' at 'retiringPrincipal' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\w+=,.@:/-]+$",
    );
    await refuses(kms.listRetirableGrants({ RetiringPrincipal: USER_ALICE, Marker: '' }), 'ValidationException', /at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1/);
    await refuses(kms.listRetirableGrants({ RetiringPrincipal: 'not-a-principal' }), 'ValidationException', /Invalid RetiringPrincipal/);
  });
});

describe('policies and grants in the key-store snapshot', () => {
  test('round-trip: the policy text, the grants and their tokens survive export and import', async () => {
    const { store, a, key, arn } = await setup(policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:DescribeKey' }));
    const { GrantToken } = await a.createGrant({ KeyId: arn, GranteePrincipal: USER_ALICE, RetiringPrincipal: USER_BOB, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { t: '1' } }, Name: 'n' });
    const json = JSON.stringify(store.exportSnapshot());
    const snap = JSON.parse(json) as KeyStoreSnapshot;
    expect(snap.version).toBe(1);
    const k = snapshotKey(snap, arn);
    expect(k.Policy).toBe((await a.getKeyPolicy({ KeyId: arn })).Policy);
    expect(k.Grants).toEqual([
      expect.objectContaining({ Name: 'n', GranteePrincipal: USER_ALICE, RetiringPrincipal: USER_BOB, IssuingAccount: ROOT_A, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { t: '1' } } }),
    ]);
    const loaded = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(json) });
    expect((await loaded.getKeyPolicy({ KeyId: key.KeyId })).Policy).toBe(k.Policy);
    expect(await outcomeOf(loaded.as(USER_ALICE).encrypt({ KeyId: arn, Plaintext: enc('x'), EncryptionContext: { t: '1' }, GrantTokens: [GrantToken as string] }))).toBe('allowed');
    expect(await outcomeOf(loaded.as(SESSION_APP).describeKey({ KeyId: arn }))).toBe('allowed');
    await loaded.as(USER_BOB).retireGrant({ GrantToken });
  });

  test('a key of the default policy and no grants is written without Policy or Grants; snapshots without them load', async () => {
    const { store, a } = twoAccounts();
    const key = await keyWithPolicy(a);
    const k = snapshotKey(store.exportSnapshot(), key.Arn as string);
    expect(k).not.toHaveProperty('Policy');
    expect(k).not.toHaveProperty('Grants');
    const again = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify(store.exportSnapshot())) });
    expect(JSON.parse((await again.getKeyPolicy({ KeyId: key.KeyId })).Policy as string).Id).toBe('key-default-1');
  });

  test.each<[string, (k: Record<string, unknown>) => void, RegExp]>([
    ['a malformed Policy', (k) => (k.Policy = '{"Statement": 1}'), /keys\[0\]\.Policy is not a valid key policy/],
    ['a Policy that is not a string', (k) => (k.Policy = { Statement: [] }), /keys\[0\]\.Policy must be a string/],
    ['Grants that are not a list', (k) => (k.Grants = {}), /keys\[0\]\.Grants must be a list/],
    ['a bad GrantId', (k) => ((k.Grants as Record<string, unknown>[])[0]!.GrantId = 'x'), /Grants\[0\]\.GrantId is malformed/],
    ['an unknown operation', (k) => ((k.Grants as Record<string, unknown>[])[0]!.Operations = ['Fly']), /Grants\[0\]\.Operations must be a non-empty list/],
    ['a bad grantee', (k) => ((k.Grants as Record<string, unknown>[])[0]!.GranteePrincipal = 'bob'), /Grants\[0\]\.GranteePrincipal is malformed/],
    ['a bad token nonce', (k) => ((k.Grants as Record<string, unknown>[])[0]!.GrantTokenNonces = ['zz']), /GrantTokenNonces must be a list/],
    ['a bad constraint', (k) => ((k.Grants as Record<string, unknown>[])[0]!.Constraints = { EncryptionContextEquals: { a: 1 } }), /EncryptionContextEquals must be a map of strings/],
    ['a duplicate grant', (k) => (k.Grants = [(k.Grants as unknown[])[0], (k.Grants as unknown[])[0]]), /holds a GrantId twice/],
  ])('refuses a snapshot with %s (ValidationException naming the field, never its value)', async (_name, edit, message) => {
    const { store, a, arn } = await setup(ROOT_ONLY);
    await a.createGrant({ KeyId: arn, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'] });
    const snap = JSON.parse(JSON.stringify(store.exportSnapshot())) as KeyStoreSnapshot;
    edit(snapshotKey(snap, arn));
    let err: unknown;
    try {
      InMemoryKeyStore.fromSnapshot(snap);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ name: 'ValidationException' });
    expect((err as Error).message).toMatch(message);
  });
});
