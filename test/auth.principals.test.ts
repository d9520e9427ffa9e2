/**
 * Callers: the `principal` option, `kms.as(arn)` views, principal ARN forms and how a policy
 * principal covers them (a role covers its sessions), the identity hook (what it is asked and
 * when), IAM-only actions, and the protocol adapter's access-key → principal map.
 */
import { describe, expect, test } from 'vitest';
import { parsePrincipal, principalMatch } from '../src/auth/principals.js';
import { createProtocolHandler, Kms, principalsByAccessKey, type IdentityRequest, type KeyMetadata } from '../src/index.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ROLE_APP,
  ROLE_PARTNER,
  ROOT_A,
  SESSION_APP,
  SESSION_PARTNER,
  USER_ALICE,
  deniedMessage,
  enc,
  keyWithPolicy,
  outcomeOf,
  policy,
  rootAll,
  twoAccounts,
} from './helpers/auth.js';
import { refuses } from './helpers/keys.js';

describe('principal ARNs', () => {
  test.each([
    [ACCOUNT_A, 'root', `arn:aws:iam::${ACCOUNT_A}:root`],
    [`arn:aws:iam::${ACCOUNT_A}:root`, 'root', `arn:aws:iam::${ACCOUNT_A}:root`],
    [`arn:aws:iam::${ACCOUNT_A}:user/alice`, 'user', undefined],
    [`arn:aws:iam::${ACCOUNT_A}:user/division/team/alice`, 'user', undefined],
    [`arn:aws:iam::${ACCOUNT_A}:role/App`, 'role', undefined],
    [`arn:aws:iam::${ACCOUNT_A}:role/service-role/App`, 'role', undefined],
    [`arn:aws:sts::${ACCOUNT_A}:assumed-role/App/session@example.com`, 'assumed-role', undefined],
    [`arn:aws:sts::${ACCOUNT_A}:federated-user/carol`, 'federated-user', undefined],
    [`arn:aws-cn:iam::${ACCOUNT_A}:role/App`, 'role', undefined],
    [`arn:aws-us-gov:iam::${ACCOUNT_A}:user/alice`, 'user', undefined],
  ])('%s is a %s principal', (arn, kind, canonical) => {
    const p = parsePrincipal(arn);
    expect(p?.kind).toBe(kind);
    expect(p?.accountId).toBe(ACCOUNT_A);
    expect(p?.arn).toBe(canonical ?? arn);
  });

  test.each(['bob', '1111222233334', `arn:aws:iam::${ACCOUNT_A}:group/devs`, `arn:aws:iam::*:root`, `arn:aws:s3:::bucket`, `arn:aws:iam::${ACCOUNT_A}:role/`, `arn:aws:sts::${ACCOUNT_A}:assumed-role/App`, '*'])(
    '%s is not a principal',
    (s) => {
      expect(parsePrincipal(s)).toBeUndefined();
    },
  );

  test('a role (with or without path) covers its sessions; the account principal covers everyone of the account through IAM', () => {
    const session = parsePrincipal(SESSION_APP)!;
    expect(principalMatch(parsePrincipal(ROLE_APP)!, session)).toBe('name');
    expect(principalMatch(parsePrincipal(`arn:aws:iam::${ACCOUNT_A}:role/team/App`)!, session)).toBe('name');
    expect(principalMatch(parsePrincipal(`arn:aws:iam::${ACCOUNT_A}:role/Other`)!, session)).toBe(false);
    expect(principalMatch(parsePrincipal(`arn:aws:iam::${ACCOUNT_B}:role/App`)!, session)).toBe(false);
    expect(principalMatch(parsePrincipal(ACCOUNT_A)!, session)).toBe('account');
    expect(principalMatch(parsePrincipal(ACCOUNT_A)!, parsePrincipal(ROOT_A)!)).toBe('name');
    expect(principalMatch(parsePrincipal(USER_ALICE)!, parsePrincipal(USER_ALICE)!)).toBe('name');
    expect(principalMatch(parsePrincipal(SESSION_APP)!, parsePrincipal(`arn:aws:sts::${ACCOUNT_A}:assumed-role/App/other`)!)).toBe(false);
    expect(principalMatch(parsePrincipal(ACCOUNT_B)!, session)).toBe(false);
  });
});

describe('the caller of a Kms', () => {
  test('defaults to the account root user; the principal option sets another caller of the account', async () => {
    expect(new Kms().principal).toBe(ROOT_A);
    expect(new Kms({ accountId: ACCOUNT_B, region: 'cn-north-1' }).principal).toBe(`arn:aws-cn:iam::${ACCOUNT_B}:root`);
    expect(new Kms({ principal: SESSION_APP }).principal).toBe(SESSION_APP);
    expect(new Kms({ principal: ACCOUNT_A }).principal).toBe(ROOT_A);
  });

  test.each([
    ['a malformed ARN', 'not-a-principal'],
    ['a principal of another account', ROLE_PARTNER],
    ['a principal of another partition', `arn:aws-cn:iam::${ACCOUNT_A}:role/App`],
  ])('Precondition: the caller is an IAM principal ARN of the Kms\'s partition… Precondition: …and of its account — refuses %s with ValidationException', (_name, principal) => {
    expect(() => new Kms({ principal })).toThrowError(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => new Kms().as(principal)).toThrowError(expect.objectContaining({ name: 'ValidationException' }));
  });

  test('kms.as(arn) is a view on the same store and caches, answering as that caller; the original is untouched', async () => {
    const kms = new Kms({ identityPolicy: (r) => r.principal !== USER_ALICE });
    const app = kms.as(SESSION_APP);
    expect(app).toBeInstanceOf(Kms);
    expect(app.principal).toBe(SESSION_APP);
    expect(kms.principal).toBe(ROOT_A);
    expect(app.keyStore).toBe(kms.keyStore);
    expect(app.accountId).toBe(kms.accountId);
    const key = (await app.createKey({ Description: 'made by App' })).KeyMetadata as KeyMetadata;
    expect((await kms.describeKey({ KeyId: key.KeyId })).KeyMetadata?.Description).toBe('made by App');
    const alice = app.as(USER_ALICE);
    expect(alice.principal).toBe(USER_ALICE);
    await refuses(alice.describeKey({ KeyId: key.KeyId }), 'AccessDeniedException', deniedMessage(USER_ALICE, 'DescribeKey', key.Arn as string, 'no-identity-policy'));
    expect((await app.describeKey({ KeyId: key.KeyId })).KeyMetadata?.Arn).toBe(key.Arn);
  });
});

describe('the identity hook (IAM of the caller\'s account)', () => {
  test('is asked with the principal, kms:<Action>, the key ARN and the request\'s condition keys', async () => {
    const asked: IdentityRequest[] = [];
    const kms = new Kms({ identityPolicy: (r) => (asked.push(r), true) });
    const key = await keyWithPolicy(kms);
    await kms.as(SESSION_APP).encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: { Tenant: 'acme', app: 'orders' } });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toEqual({
      principal: SESSION_APP,
      action: 'kms:Encrypt',
      resource: key.Arn,
      context: {
        'kms:CallerAccount': ACCOUNT_A,
        'aws:PrincipalArn': ROLE_APP, // the role of the session
        'aws:PrincipalAccount': ACCOUNT_A,
        'kms:EncryptionContextKeys': ['Tenant', 'app'],
        'kms:EncryptionContext:Tenant': 'acme',
        'kms:EncryptionContext:app': 'orders',
        'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT',
        'kms:KeySpec': 'SYMMETRIC_DEFAULT',
        'kms:KeyUsage': 'ENCRYPT_DECRYPT',
        'kms:KeyOrigin': 'AWS_KMS',
        'kms:MultiRegion': 'false',
      },
    });
  });

  test('is never asked about the root user, nor when the key policy names the caller in its own account', async () => {
    const kms = new Kms({
      identityPolicy: () => {
        throw new Error('must not be asked');
      },
    });
    const key = await keyWithPolicy(kms, policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:DescribeKey' }));
    expect((await kms.describeKey({ KeyId: key.KeyId })).KeyMetadata?.Arn).toBe(key.Arn);
    expect((await kms.as(SESSION_APP).describeKey({ KeyId: key.KeyId })).KeyMetadata?.Arn).toBe(key.Arn);
    await kms.listKeys();
    await kms.listAliases();
  });

  test('Precondition: the caller may perform `action` on the key (key policy, grants, IAM) — cross-account: the key policy must allow the account or principal AND the caller\'s IAM must allow', async () => {
    const iamB = new Set<string>();
    const { a, b } = twoAccounts({}, { identityPolicy: (r) => iamB.has(`${r.principal} ${r.action}`) });
    const key = await keyWithPolicy(a, policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_PARTNER }, Action: ['kms:Encrypt', 'kms:DescribeKey'] }));
    const partner = b.as(SESSION_PARTNER);
    const arn = key.Arn as string;
    expect(await outcomeOf(partner.describeKey({ KeyId: arn }))).toBe('no-identity-policy');
    iamB.add(`${SESSION_PARTNER} kms:DescribeKey`);
    expect(await outcomeOf(partner.describeKey({ KeyId: arn }))).toBe('allowed');
    iamB.add(`${SESSION_PARTNER} kms:GenerateDataKey`);
    await refuses(partner.generateDataKey({ KeyId: arn, KeySpec: 'AES_256' }), 'AccessDeniedException', deniedMessage(SESSION_PARTNER, 'GenerateDataKey', arn, 'no-resource-policy'));
  });

  test('IAM-only actions (kms:CreateKey, kms:ListKeys, kms:ListAliases) ask the hook with resource "*"', async () => {
    const asked: string[] = [];
    const kms = new Kms({ identityPolicy: (r) => (asked.push(`${r.action} ${r.resource}`), false) });
    const alice = kms.as(USER_ALICE);
    await refuses(alice.createKey(), 'AccessDeniedException', deniedMessage(USER_ALICE, 'CreateKey', '*', 'no-identity-policy'));
    await refuses(alice.listKeys(), 'AccessDeniedException', deniedMessage(USER_ALICE, 'ListKeys', '*', 'no-identity-policy'));
    await refuses(alice.listAliases(), 'AccessDeniedException', deniedMessage(USER_ALICE, 'ListAliases', '*', 'no-identity-policy'));
    expect(asked).toEqual(['kms:CreateKey *', 'kms:ListKeys *', 'kms:ListAliases *']);
    expect((await kms.listKeys()).Keys).toEqual([]);
  });

  test('alias operations need kms:<op> on the alias (IAM) and on the key (key policy)', async () => {
    let allowAliasArn = false;
    const kms = new Kms({ identityPolicy: (r) => !r.resource.includes(':alias/') || allowAliasArn });
    const key = await keyWithPolicy(kms, policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: ['kms:CreateAlias', 'kms:DeleteAlias'] }));
    const app = kms.as(SESSION_APP);
    const aliasArn = `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/app`;
    await refuses(app.createAlias({ AliasName: 'alias/app', TargetKeyId: key.KeyId }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'CreateAlias', aliasArn, 'no-identity-policy'));
    allowAliasArn = true;
    await app.createAlias({ AliasName: 'alias/app', TargetKeyId: key.KeyId });
    await kms.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll(), { Effect: 'Deny', Principal: { AWS: ROLE_APP }, Action: 'kms:DeleteAlias' }) });
    await refuses(app.deleteAlias({ AliasName: 'alias/app' }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'DeleteAlias', key.Arn as string, 'explicit-deny'));
    await kms.deleteAlias({ AliasName: 'alias/app' });
  });
});

describe('the protocol adapter: access key → principal', () => {
  test('requests signed with an access key run as its principal; unknown keys as the Kms\'s own (or are refused)', async () => {
    const { a, b } = twoAccounts();
    const key = await keyWithPolicy(a, policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_PARTNER }, Action: 'kms:DescribeKey' }));
    const accounts: Record<string, Kms> = { [ACCOUNT_A]: a, [ACCOUNT_B]: b };
    const principals = { AKIDPARTNER: SESSION_PARTNER, AKIDAPP: SESSION_APP };
    const handler = createProtocolHandler({ kms: principalsByAccessKey({ kms: (account) => accounts[account] ?? a, principals }) });
    const describe = (accessKeyId: string, keyId = key.Arn as string) =>
      handler.handle('TrentService.DescribeKey', JSON.stringify({ KeyId: keyId }), { accessKeyId, accountId: ACCOUNT_A, region: 'us-east-1' });
    const ok = await describe('AKIDPARTNER');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).KeyMetadata.Arn).toBe(key.Arn);
    await a.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll(), { Effect: 'Deny', Principal: { AWS: ROLE_APP }, Action: 'kms:*' }) });
    const denied = await describe('AKIDAPP');
    expect(denied.status).toBe(400);
    expect(JSON.parse(denied.body)).toEqual({ __type: 'AccessDeniedException', message: deniedMessage(SESSION_APP, 'DescribeKey', key.Arn as string, 'explicit-deny') });
    const partnerNow = await describe('AKIDPARTNER');
    expect(JSON.parse(partnerNow.body).__type).toBe('AccessDeniedException');
    // An access key the map does not know: the Kms of the scope's account, as its own principal.
    expect((await describe('AKIDUNKNOWN')).status).toBe(200);
    const strict = createProtocolHandler({ kms: principalsByAccessKey({ kms: a, principals: new Map([['AKIDAPP', USER_ALICE]]), unknown: 'deny' }) });
    expect(JSON.parse((await strict.handle('TrentService.ListKeys', '{}', { accessKeyId: 'AKIDNOPE' })).body).__type).toBe('AccessDeniedException');
    expect((await strict.handle('TrentService.ListKeys', '{}', { accessKeyId: 'AKIDAPP' })).status).toBe(200);
  });

  test('CreateGrant, ListGrants, RetireGrant, RevokeGrant, PutKeyPolicy and GetKeyPolicy are served over the JSON protocol', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    const handler = createProtocolHandler({ kms });
    const call = async (op: string, body: unknown) => {
      const res = await handler.handle(`TrentService.${op}`, JSON.stringify(body));
      return { status: res.status, body: JSON.parse(res.body || '{}') };
    };
    const created = await call('CreateGrant', { KeyId: key.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Decrypt'] });
    expect(created.status).toBe(200);
    expect(created.body.GrantId).toMatch(/^[0-9a-f]{64}$/);
    const listed = await call('ListGrants', { KeyId: key.KeyId });
    expect(listed.body.Grants[0].GrantId).toBe(created.body.GrantId);
    expect(typeof listed.body.Grants[0].CreationDate).toBe('number');
    expect((await call('RetireGrant', { GrantToken: created.body.GrantToken })).status).toBe(200);
    expect((await call('GetKeyPolicy', { KeyId: key.KeyId })).body.PolicyName).toBe('default');
    const bad = await call('PutKeyPolicy', { KeyId: key.KeyId, Policy: '{' });
    expect(bad.body).toEqual({ __type: 'MalformedPolicyDocumentException', message: 'Syntax errors in policy.' });
    const revoked = await call('RevokeGrant', { KeyId: key.KeyId, GrantId: 'f'.repeat(64) });
    expect(revoked.body.__type).toBe('NotFoundException');
  });
});
