/**
 * Key policies: the default policy as AWS writes it, PutKeyPolicy/GetKeyPolicy, the
 * MalformedPolicyDocumentException and LimitExceededException refusals, the lockout safety check,
 * and a table of policy documents × callers × actions × encryption contexts with the expected
 * decision (explicit deny, wildcard actions, encryption-context conditions, cross-account).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Kms, type KeyMetadata } from '../src/index.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
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
  type Outcome,
  type StatementSpec,
} from './helpers/auth.js';
import { refuses } from './helpers/keys.js';

const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';
const LOCKOUT = 'The new key policy will not allow you to update the key policy in the future.';

describe('the default key policy', () => {
  test('GetKeyPolicy returns it exactly as AWS writes it (Id key-default-1, Sid "Enable IAM User Permissions")', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    const out = await kms.getKeyPolicy({ KeyId: key.KeyId });
    expect(out.PolicyName).toBe('default');
    expect(out.Policy).toBe(`{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`);
    expect((await kms.getKeyPolicy({ KeyId: key.Arn as string, PolicyName: 'default' })).Policy).toBe(out.Policy);
  });

  test('in the China Regions it names the aws-cn account principal', async () => {
    const kms = new Kms({ region: 'cn-north-1', accountId: ACCOUNT_B });
    const key = await keyWithPolicy(kms);
    expect(JSON.parse((await kms.getKeyPolicy({ KeyId: key.KeyId })).Policy as string).Statement[0].Principal.AWS).toBe(`arn:aws-cn:iam::${ACCOUNT_B}:root`);
  });

  test('it lets the account root user do everything and delegates every other principal of the account to IAM', async () => {
    const denyAll = () => false;
    const kms = new Kms({ identityPolicy: denyAll });
    const key = await keyWithPolicy(kms);
    const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') })).CiphertextBlob as Uint8Array;
    expect((await kms.decrypt({ CiphertextBlob: blob })).KeyId).toBe(key.Arn);
    await refuses(kms.as(ROLE_APP).decrypt({ CiphertextBlob: blob, KeyId: key.KeyId }), 'AccessDeniedException', deniedMessage(ROLE_APP, 'Decrypt', key.Arn as string, 'no-identity-policy'));
    expect(await outcomeOf(new Kms({ keyStore: kms.keyStore }).as(ROLE_APP).decrypt({ CiphertextBlob: blob }))).toBe('allowed');
  });

  test('a key created with a Policy reports that policy, verbatim', async () => {
    const kms = new Kms();
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"${ACCOUNT_A}"},"Action":"kms:*","Resource":"*"}]}`;
    const key = (await kms.createKey({ Policy: text })).KeyMetadata as KeyMetadata;
    expect((await kms.getKeyPolicy({ KeyId: key.KeyId })).Policy).toBe(text);
  });
});

describe('PutKeyPolicy', () => {
  test('replaces the policy; the document is kept byte for byte (whitespace included)', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    const text = policy(rootAll(), { Sid: 'Let App decrypt', Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:Decrypt' }) + '\n\t';
    expect(await kms.putKeyPolicy({ KeyId: key.KeyId, Policy: text })).toEqual({});
    expect((await kms.getKeyPolicy({ KeyId: key.KeyId })).Policy).toBe(text);
  });

  test('Precondition: PolicyName, if given, is "default" (API reference, GetKeyPolicy and PutKeyPolicy) — PolicyName other than "default" is NotFoundException', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    await refuses(kms.putKeyPolicy({ KeyId: key.KeyId, PolicyName: 'other', Policy: policy(rootAll()) }), 'NotFoundException');
    await refuses(kms.getKeyPolicy({ KeyId: key.KeyId, PolicyName: 'other' }), 'NotFoundException');
  });

  test('a missing Policy is the model ValidationException', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    await refuses(
      kms.putKeyPolicy({ KeyId: key.KeyId, Policy: undefined }),
      'ValidationException',
      "1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null",
    );
  });

  const malformed: [string, unknown, string | RegExp][] = [
    ['not JSON', '{"Version":', 'Syntax errors in policy.'],
    ['a JSON array', '[]', 'Syntax errors in policy.'],
    ['no statement', { Version: '2012-10-17', Statement: [] }, /at least one statement/],
    ['an unknown Version', { Version: '2020-01-01', Statement: [rootAll()] }, /Version/],
    ['an unknown top-level element', { Version: '2012-10-17', Statement: [{ ...rootAll(), Resource: '*' }], Extra: 1 }, /unknown element Extra/],
    ['Effect Permit', { Statement: [{ ...rootAll(), Effect: 'Permit', Resource: '*' }] }, /Effect/],
    ['no Principal', { Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }, INVALID_PRINCIPALS],
    ['a malformed principal', { Statement: [{ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 'kms:*', Resource: '*' }] }, INVALID_PRINCIPALS],
    ['a wildcard account', { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::*:root' }, Action: 'kms:*', Resource: '*' }] }, INVALID_PRINCIPALS],
    ['a CanonicalUser principal', { Statement: [{ Effect: 'Allow', Principal: { CanonicalUser: 'abc' }, Action: 'kms:*', Resource: '*' }] }, INVALID_PRINCIPALS],
    ['an empty principal list', { Statement: [{ Effect: 'Allow', Principal: { AWS: [] }, Action: 'kms:*', Resource: '*' }] }, INVALID_PRINCIPALS],
    ['NotPrincipal', { Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: ROOT_A }, Action: 'kms:*', Resource: '*' }] }, 'kms-core does not support NotPrincipal in key policies.'],
    ['NotResource', { Statement: [{ ...rootAll(), NotResource: 'x' }] }, 'kms-core does not support NotResource in key policies.'],
    ['neither Action nor NotAction', { Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT_A }, Resource: '*' }] }, /exactly one of the Action and NotAction/],
    ['both Action and NotAction', { Statement: [{ ...rootAll(), NotAction: 'kms:Decrypt', Resource: '*' }] }, /exactly one of the Action and NotAction/],
    ['an action without a service', { Statement: [{ ...rootAll(), Action: 'Decrypt', Resource: '*' }] }, 'Policy contains an invalid action: Decrypt'],
    ['no Resource', { Statement: [rootAll()] }, /without a Resource/],
    ['a key ARN as Resource', { Statement: [{ ...rootAll(), Resource: `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/*` }] }, /only Resource a key policy accepts is "\*"/],
    ['an unsupported condition operator', { Statement: [{ ...rootAll(), Resource: '*', Condition: { NumericLessThan: { 'kms:X': 1 } } }] }, /NumericLessThan, which kms-core does not support/],
    [
      'ForAllValues with kms:EncryptionContext:<key>',
      { Statement: [{ ...rootAll(), Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:Dept': 'IT' } } }] },
      /^OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a single-valued condition key/,
    ],
    ['a Bool condition that is not true/false', { Statement: [{ ...rootAll(), Resource: '*', Condition: { Bool: { 'kms:ReEncryptOnSameKey': 'yes' } } }] }, /not true or false/],
    ['a statement that is not an object', { Statement: ['Allow everything'] }, /not an object/],
  ];

  test.each(malformed)('refuses %s with MalformedPolicyDocumentException', async (_name, doc, message) => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
    await refuses(kms.putKeyPolicy({ KeyId: key.KeyId, Policy: text }), 'MalformedPolicyDocumentException', message);
    await refuses(kms.createKey({ Policy: text }), 'MalformedPolicyDocumentException', message);
    expect(JSON.parse((await kms.getKeyPolicy({ KeyId: key.KeyId })).Policy as string).Id).toBe('key-default-1');
  });

  test('characters outside printable Latin-1, tab, LF and CR are refused', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    const text = policy({ ...rootAll(), Sid: 'naïve is fine' });
    await kms.putKeyPolicy({ KeyId: key.KeyId, Policy: text });
    await refuses(kms.putKeyPolicy({ KeyId: key.KeyId, Policy: policy({ ...rootAll(), Sid: 'snow ☃' }) }), 'MalformedPolicyDocumentException', /characters/);
  });

  test('a policy of 32768 bytes is accepted; one byte more is LimitExceededException', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    const base = policy(rootAll());
    const exact = base + ' '.repeat(32768 - base.length);
    await kms.putKeyPolicy({ KeyId: key.KeyId, Policy: exact });
    await refuses(kms.putKeyPolicy({ KeyId: key.KeyId, Policy: exact + ' ' }), 'LimitExceededException', /32768 bytes/);
  });

  test('lockout safety check: a policy that would stop the caller from calling PutKeyPolicy again is refused unless bypassed', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    const onlyApp = policy({ Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:*' });
    await refuses(kms.putKeyPolicy({ KeyId: key.KeyId, Policy: onlyApp }), 'MalformedPolicyDocumentException', LOCKOUT);
    await refuses(kms.createKey({ Policy: onlyApp }), 'MalformedPolicyDocumentException', LOCKOUT);
    const denyPut = policy(rootAll(), { Effect: 'Deny', Principal: { AWS: ROOT_A }, Action: 'kms:PutKeyPolicy' });
    await refuses(kms.putKeyPolicy({ KeyId: key.KeyId, Policy: denyPut }), 'MalformedPolicyDocumentException', LOCKOUT);
    // The role itself may install it: the policy lets the role call PutKeyPolicy again.
    await kms.as(SESSION_APP).putKeyPolicy({ KeyId: key.KeyId, Policy: onlyApp });
    // From then on the root user is locked out of everything, PutKeyPolicy included.
    await refuses(kms.describeKey({ KeyId: key.KeyId }), 'AccessDeniedException', deniedMessage(ROOT_A, 'DescribeKey', key.Arn as string, 'no-resource-policy'));
    await refuses(kms.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll()) }), 'AccessDeniedException', deniedMessage(ROOT_A, 'PutKeyPolicy', key.Arn as string, 'no-resource-policy'));
    // BypassPolicyLockoutSafetyCheck skips the check.
    const other = (await kms.createKey({ Policy: onlyApp, BypassPolicyLockoutSafetyCheck: true })).KeyMetadata as KeyMetadata;
    expect((await kms.as(SESSION_APP).getKeyPolicy({ KeyId: other.KeyId })).Policy).toBe(onlyApp);
  });

  test('a policy allowing only the account principal passes the check for any principal of the account', async () => {
    const kms = new Kms();
    const key = await keyWithPolicy(kms);
    await kms.as(USER_ALICE).putKeyPolicy({ KeyId: key.KeyId, Policy: policy({ Effect: 'Allow', Principal: { AWS: ACCOUNT_A }, Action: 'kms:*' }) });
  });

  test('GetKeyPolicy and PutKeyPolicy are refused across accounts whatever the policy says (Cross-account use: No)', async () => {
    const { a, b } = twoAccounts();
    const key = await keyWithPolicy(a, policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ACCOUNT_B }, Action: 'kms:*' }));
    const arn = key.Arn as string;
    await refuses(b.getKeyPolicy({ KeyId: arn }), 'AccessDeniedException', deniedMessage(ROOT_B, 'GetKeyPolicy', arn, 'no-resource-policy'));
    await refuses(b.putKeyPolicy({ KeyId: arn, Policy: policy(rootAll(ACCOUNT_B)) }), 'AccessDeniedException', deniedMessage(ROOT_B, 'PutKeyPolicy', arn, 'no-resource-policy'));
    for (const call of [
      () => b.disableKey({ KeyId: arn }),
      () => b.enableKey({ KeyId: arn }),
      () => b.scheduleKeyDeletion({ KeyId: arn }),
      () => b.cancelKeyDeletion({ KeyId: arn }),
      () => b.enableKeyRotation({ KeyId: arn }),
      () => b.disableKeyRotation({ KeyId: arn }),
      () => b.rotateKeyOnDemand({ KeyId: arn }),
      () => b.listKeyRotations({ KeyId: arn }),
      () => b.createAlias({ AliasName: 'alias/b-steals-a', TargetKeyId: arn }),
    ]) {
      expect(await outcomeOf(call())).toBe('no-resource-policy');
    }
    // The operations AWS allows across accounts work, as the policy says.
    expect((await b.describeKey({ KeyId: arn })).KeyMetadata?.Arn).toBe(arn);
    expect((await b.getKeyRotationStatus({ KeyId: arn })).KeyRotationEnabled).toBe(false);
    expect((await b.encrypt({ KeyId: arn, Plaintext: enc('x') })).KeyId).toBe(arn);
    expect((await a.describeKey({ KeyId: arn })).KeyMetadata?.KeyState).toBe('Enabled');
  });
});

// ───────────────────────────── decision table ─────────────────────────────

type Action = 'Encrypt' | 'Decrypt' | 'GenerateDataKey' | 'DescribeKey';
type Ctx = Record<string, string> | undefined;

interface Row {
  policy: string;
  caller: string;
  action: Action;
  ctx?: Ctx;
  expect: Outcome;
}

const APP_DECRYPT = 'App may Decrypt';
const ALICE_DENIED_ENCRYPT = 'Alice explicitly denied Encrypt';
const WILDCARDS = 'Alice: kms:gEnErAtEdAtAkEy*, kms:Describe? is no match, kms:*Key';
const TENANT = 'App only with tenant=acme';
const NOT_TENANT = 'everyone of A, but never tenant=secret';
const CROSS = 'account B may Encrypt/Decrypt/DescribeKey';
const PARTNER_ONLY = 'only role Partner of B may DescribeKey';
const STAR_CALLER_ACCOUNT = '"*" limited by kms:CallerAccount = B';
const NOT_ACTION = 'Alice: everything but Decrypt (NotAction)';
const KEYS_ANY = 'App when EncryptionContextKeys has Tenant (case-sensitive)';

const POLICIES: Record<string, string> = {
  default: '',
  [APP_DECRYPT]: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:Decrypt' }),
  [ALICE_DENIED_ENCRYPT]: policy(rootAll(), { Effect: 'Deny', Principal: { AWS: USER_ALICE }, Action: ['kms:Encrypt', 'kms:ReEncrypt*'] }),
  [WILDCARDS]: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: [USER_ALICE] }, Action: ['kms:gEnErAtEdAtAkEy*', 'kms:Describe?', 'kms:*Key'] }),
  [TENANT]: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: ['kms:Encrypt', 'kms:Decrypt'], Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } } }),
  [NOT_TENANT]: policy(
    { Effect: 'Allow', Principal: { AWS: ACCOUNT_A }, Action: 'kms:*' },
    { Effect: 'Deny', Principal: '*', Action: 'kms:*', Condition: { StringEqualsIgnoreCase: { 'kms:encryptioncontext:TENANT': 'secret' } } },
  ),
  [CROSS]: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_B}:root` }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'] }),
  [PARTNER_ONLY]: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_PARTNER }, Action: 'kms:DescribeKey' }),
  [STAR_CALLER_ACCOUNT]: policy(rootAll(), { Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT_B } } }),
  [NOT_ACTION]: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: USER_ALICE }, NotAction: 'kms:Decrypt' }),
  [KEYS_ANY]: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:GenerateDataKey', Condition: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'Tenant' } } }),
};

const ROWS: Row[] = [
  // The default policy: root of A may; nobody of B may (the identity hook allows everything here).
  { policy: 'default', caller: ROOT_A, action: 'Decrypt', expect: 'allowed' },
  { policy: 'default', caller: SESSION_APP, action: 'Encrypt', expect: 'allowed' },
  { policy: 'default', caller: ROOT_B, action: 'Encrypt', expect: 'no-resource-policy' },
  { policy: 'default', caller: SESSION_PARTNER, action: 'DescribeKey', expect: 'no-resource-policy' },
  // A role named in the policy; its sessions match; a user does not.
  { policy: APP_DECRYPT, caller: SESSION_APP, action: 'Decrypt', expect: 'allowed' },
  { policy: APP_DECRYPT, caller: ROLE_APP, action: 'Decrypt', expect: 'allowed' },
  { policy: APP_DECRYPT, caller: SESSION_APP, action: 'Encrypt', expect: 'allowed' }, // through the root statement (IAM allows)
  { policy: APP_DECRYPT, caller: USER_BOB, action: 'Decrypt', expect: 'allowed' }, // likewise
  // Explicit deny beats the account statement.
  { policy: ALICE_DENIED_ENCRYPT, caller: USER_ALICE, action: 'Encrypt', expect: 'explicit-deny' },
  { policy: ALICE_DENIED_ENCRYPT, caller: USER_ALICE, action: 'Decrypt', expect: 'allowed' },
  { policy: ALICE_DENIED_ENCRYPT, caller: USER_BOB, action: 'Encrypt', expect: 'allowed' },
  { policy: ALICE_DENIED_ENCRYPT, caller: ROOT_A, action: 'Encrypt', expect: 'allowed' },
  // Wildcards: * and ?, case-insensitive action names.
  { policy: WILDCARDS, caller: USER_ALICE, action: 'GenerateDataKey', expect: 'allowed' },
  { policy: WILDCARDS, caller: USER_ALICE, action: 'DescribeKey', expect: 'allowed' },
  { policy: WILDCARDS, caller: USER_ALICE, action: 'Encrypt', expect: 'allowed' }, // root statement + IAM
  // Encryption-context conditions: the key part is case-insensitive, the value as the operator says.
  { policy: TENANT, caller: SESSION_APP, action: 'Encrypt', ctx: { tenant: 'acme' }, expect: 'allowed' },
  { policy: TENANT, caller: SESSION_APP, action: 'Decrypt', ctx: { Tenant: 'acme', other: 'x' }, expect: 'allowed' },
  { policy: TENANT, caller: SESSION_APP, action: 'Decrypt', ctx: { tenant: 'ACME' }, expect: 'allowed' }, // root statement + IAM
  { policy: NOT_TENANT, caller: USER_ALICE, action: 'Encrypt', ctx: { tenant: 'acme' }, expect: 'allowed' },
  { policy: NOT_TENANT, caller: USER_ALICE, action: 'Encrypt', ctx: { Tenant: 'SeCrEt' }, expect: 'explicit-deny' },
  { policy: NOT_TENANT, caller: ROOT_A, action: 'Decrypt', ctx: { tenant: 'secret' }, expect: 'explicit-deny' },
  { policy: NOT_TENANT, caller: ROOT_A, action: 'Decrypt', ctx: undefined, expect: 'allowed' },
  { policy: NOT_TENANT, caller: ROOT_A, action: 'DescribeKey', expect: 'allowed' },
  { policy: KEYS_ANY, caller: SESSION_APP, action: 'GenerateDataKey', ctx: { Tenant: 'x' }, expect: 'allowed' },
  // Cross-account: only through the key ARN, and only what the policy grants.
  { policy: CROSS, caller: ROOT_B, action: 'Encrypt', expect: 'allowed' },
  { policy: CROSS, caller: SESSION_PARTNER, action: 'Decrypt', expect: 'allowed' },
  { policy: CROSS, caller: ROOT_B, action: 'GenerateDataKey', expect: 'no-resource-policy' },
  { policy: PARTNER_ONLY, caller: SESSION_PARTNER, action: 'DescribeKey', expect: 'allowed' },
  { policy: PARTNER_ONLY, caller: ROOT_B, action: 'DescribeKey', expect: 'no-resource-policy' },
  { policy: STAR_CALLER_ACCOUNT, caller: ROOT_B, action: 'DescribeKey', expect: 'allowed' },
  { policy: STAR_CALLER_ACCOUNT, caller: SESSION_PARTNER, action: 'DescribeKey', expect: 'allowed' },
  { policy: STAR_CALLER_ACCOUNT, caller: ROOT_B, action: 'Encrypt', expect: 'no-resource-policy' },
  // NotAction.
  { policy: NOT_ACTION, caller: USER_ALICE, action: 'DescribeKey', expect: 'allowed' },
];

/** The same table with the identity hook denying everything: what the key policy grants by name survives in-account. */
const ROWS_IAM_DENIES: Row[] = [
  { policy: 'default', caller: ROOT_A, action: 'Decrypt', expect: 'allowed' },
  { policy: 'default', caller: SESSION_APP, action: 'Encrypt', expect: 'no-identity-policy' },
  { policy: APP_DECRYPT, caller: SESSION_APP, action: 'Decrypt', expect: 'allowed' },
  { policy: APP_DECRYPT, caller: SESSION_APP, action: 'Encrypt', expect: 'no-identity-policy' },
  { policy: APP_DECRYPT, caller: USER_BOB, action: 'Decrypt', expect: 'no-identity-policy' },
  { policy: ALICE_DENIED_ENCRYPT, caller: USER_ALICE, action: 'Encrypt', expect: 'explicit-deny' },
  { policy: WILDCARDS, caller: USER_ALICE, action: 'GenerateDataKey', expect: 'allowed' },
  { policy: WILDCARDS, caller: USER_ALICE, action: 'Encrypt', expect: 'no-identity-policy' },
  { policy: TENANT, caller: SESSION_APP, action: 'Encrypt', ctx: { TENANT: 'acme' }, expect: 'allowed' },
  { policy: TENANT, caller: SESSION_APP, action: 'Encrypt', ctx: { tenant: 'ACME' }, expect: 'no-identity-policy' },
  { policy: TENANT, caller: SESSION_APP, action: 'Encrypt', ctx: undefined, expect: 'no-identity-policy' },
  { policy: KEYS_ANY, caller: SESSION_APP, action: 'GenerateDataKey', ctx: { tenant: 'x' }, expect: 'no-identity-policy' },
  { policy: KEYS_ANY, caller: SESSION_APP, action: 'GenerateDataKey', ctx: undefined, expect: 'no-identity-policy' },
  { policy: NOT_ACTION, caller: USER_ALICE, action: 'Encrypt', expect: 'allowed' },
  { policy: NOT_ACTION, caller: USER_ALICE, action: 'Decrypt', expect: 'no-identity-policy' },
  // Cross-account callers always need their IAM too, even when named; their root users do not.
  { policy: CROSS, caller: ROOT_B, action: 'Encrypt', expect: 'allowed' },
  { policy: CROSS, caller: SESSION_PARTNER, action: 'Decrypt', expect: 'no-identity-policy' },
  { policy: PARTNER_ONLY, caller: SESSION_PARTNER, action: 'DescribeKey', expect: 'no-identity-policy' },
  { policy: STAR_CALLER_ACCOUNT, caller: SESSION_PARTNER, action: 'DescribeKey', expect: 'no-identity-policy' },
];

function tableSuite(title: string, rows: Row[], iam: boolean) {
  describe(title, () => {
    let kmsOf: (caller: string) => Kms;
    const keys = new Map<string, KeyMetadata>();
    const blobs = new Map<string, Uint8Array>();

    beforeAll(async () => {
      const identityPolicy = iam ? undefined : () => false;
      const { a, b } = twoAccounts(identityPolicy ? { identityPolicy } : {});
      kmsOf = (caller) => {
        const base = caller.includes(`::${ACCOUNT_B}:`) ? b : a;
        return caller === ROOT_A || caller === ROOT_B ? base : base.as(caller);
      };
      for (const [name, text] of Object.entries(POLICIES)) {
        const key = await keyWithPolicy(a);
        for (const ctx of [undefined, { tenant: 'acme' }, { Tenant: 'acme', other: 'x' }, { tenant: 'ACME' }, { tenant: 'secret' }] as (Record<string, string> | undefined)[]) {
          const blob = (await a.encrypt({ KeyId: key.KeyId, Plaintext: enc(name), EncryptionContext: ctx })).CiphertextBlob as Uint8Array;
          blobs.set(`${name}|${JSON.stringify(ctx)}`, blob);
        }
        if (text) await a.putKeyPolicy({ KeyId: key.KeyId, Policy: text, BypassPolicyLockoutSafetyCheck: true });
        keys.set(name, key);
      }
    });

    test.each(rows.map((r) => [r.policy, r.caller, r.action, JSON.stringify(r.ctx ?? null), r.expect, r] as const))(
      'policy "%s", caller %s, kms:%s, context %s → %s',
      async (_p, _c, _a, _x, _e, row) => {
        const key = keys.get(row.policy) as KeyMetadata;
        const kms = kmsOf(row.caller);
        const arn = key.Arn as string;
        const call = (): Promise<unknown> => {
          switch (row.action) {
            case 'Encrypt':
              return kms.encrypt({ KeyId: arn, Plaintext: enc('t'), EncryptionContext: row.ctx });
            case 'Decrypt': {
              const blob = blobs.get(`${row.policy}|${JSON.stringify(row.ctx)}`);
              expect(blob, 'a blob for this context').toBeDefined();
              return kms.decrypt({ CiphertextBlob: blob, KeyId: arn, EncryptionContext: row.ctx });
            }
            case 'GenerateDataKey':
              return kms.generateDataKey({ KeyId: arn, KeySpec: 'AES_256', EncryptionContext: row.ctx });
            case 'DescribeKey':
              return kms.describeKey({ KeyId: arn });
          }
        };
        expect(await outcomeOf(call())).toBe(row.expect);
        if (row.expect !== 'allowed') {
          await refuses(call(), 'AccessDeniedException', deniedMessage(row.caller, row.action, arn, row.expect));
        }
      },
    );
  });
}

tableSuite('policy × caller × action decisions (identity hook: default, allows everything)', ROWS, true);
tableSuite('policy × caller × action decisions (identity hook: denies everything)', ROWS_IAM_DENIES, false);

describe('cross-account callers reach another account\'s key only through its key ARN or alias ARN', () => {
  test('key ID and alias name resolve in the caller\'s account; key ARN and alias ARN reach account A', async () => {
    const { a, b } = twoAccounts();
    const key = await keyWithPolicy(a, policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ACCOUNT_B }, Action: ['kms:Encrypt', 'kms:DescribeKey'] }));
    await a.createAlias({ AliasName: 'alias/shared', TargetKeyId: key.KeyId });
    await refuses(b.describeKey({ KeyId: key.KeyId }), 'NotFoundException', `Key 'arn:aws:kms:us-east-1:${ACCOUNT_B}:key/${key.KeyId}' does not exist`);
    await refuses(b.describeKey({ KeyId: 'alias/shared' }), 'NotFoundException', `Alias arn:aws:kms:us-east-1:${ACCOUNT_B}:alias/shared is not found.`);
    expect((await b.describeKey({ KeyId: key.Arn as string })).KeyMetadata?.Arn).toBe(key.Arn);
    expect((await b.encrypt({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/shared`, Plaintext: enc('x') })).KeyId).toBe(key.Arn);
  });
});

describe('the kms:RequestAlias, kms:KeySpec and kms:CallerAccount condition keys', () => {
  test('a statement conditioned on kms:RequestAlias applies only when the request names the key by that alias', async () => {
    const kms = new Kms({ identityPolicy: () => false });
    const key = await keyWithPolicy(kms);
    await kms.createAlias({ AliasName: 'alias/finance', TargetKeyId: key.KeyId });
    await kms.putKeyPolicy({
      KeyId: key.KeyId,
      Policy: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:Encrypt', Condition: { StringEquals: { 'kms:RequestAlias': 'alias/finance' } } }),
    });
    const app = kms.as(SESSION_APP);
    expect(await outcomeOf(app.encrypt({ KeyId: 'alias/finance', Plaintext: enc('x') }))).toBe('allowed');
    expect(await outcomeOf(app.encrypt({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/finance`, Plaintext: enc('x') }))).toBe('allowed');
    expect(await outcomeOf(app.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') }))).toBe('no-identity-policy');
  });

  test('kms:KeySpec and StringLike', async () => {
    const kms = new Kms({ identityPolicy: () => false });
    const key = await keyWithPolicy(kms, policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:DescribeKey', Condition: { StringLike: { 'kms:KeySpec': 'SYMMETRIC_*' } } }));
    expect(await outcomeOf(kms.as(ROLE_APP).describeKey({ KeyId: key.KeyId }))).toBe('allowed');
    await kms.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:DescribeKey', Condition: { StringLike: { 'kms:KeySpec': 'RSA_*' } } }) });
    expect(await outcomeOf(kms.as(ROLE_APP).describeKey({ KeyId: key.KeyId }))).toBe('no-identity-policy');
  });

  test('Null, IfExists and StringNotEquals on an absent key', async () => {
    const kms = new Kms({ identityPolicy: () => false });
    const key = await keyWithPolicy(kms);
    const app = kms.as(ROLE_APP);
    const put = (condition: Record<string, Record<string, unknown>>) =>
      kms.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:Encrypt', Condition: condition }) });
    const tryEnc = (ctx?: Record<string, string>) => outcomeOf(app.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: ctx }));
    // Null false: some encryption context is required.
    await put({ Null: { 'kms:EncryptionContextKeys': 'false' } });
    expect(await tryEnc()).toBe('no-identity-policy');
    expect(await tryEnc({ a: 'b' })).toBe('allowed');
    // StringNotEquals on an absent key holds (IAM: a negated operator with no value matches).
    await put({ StringNotEquals: { 'kms:EncryptionContext:stage': 'prod' } });
    expect(await tryEnc()).toBe('allowed');
    expect(await tryEnc({ stage: 'prod' })).toBe('no-identity-policy');
    expect(await tryEnc({ stage: 'dev' })).toBe('allowed');
    // StringEqualsIfExists: absent passes, present must match.
    await put({ StringEqualsIfExists: { 'kms:EncryptionContext:stage': 'dev' } });
    expect(await tryEnc()).toBe('allowed');
    expect(await tryEnc({ stage: 'prod' })).toBe('no-identity-policy');
    // ForAllValues on EncryptionContextKeys: only the listed keys (none is fine).
    await put({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['a', 'b'] } });
    expect(await tryEnc()).toBe('allowed');
    expect(await tryEnc({ a: '1', b: '2' })).toBe('allowed');
    expect(await tryEnc({ a: '1', c: '2' })).toBe('no-identity-policy');
    // Several keys in one operator: AND; several values for one key: OR.
    await put({ StringEquals: { 'kms:EncryptionContext:a': ['1', '2'], 'kms:EncryptionContext:b': 'x' } });
    expect(await tryEnc({ a: '2', b: 'x' })).toBe('allowed');
    expect(await tryEnc({ a: '3', b: 'x' })).toBe('no-identity-policy');
    expect(await tryEnc({ a: '1' })).toBe('no-identity-policy');
    // kms:EncryptionAlgorithm holds the default algorithm when the request omits it.
    await put({ StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } });
    expect(await tryEnc()).toBe('allowed');
  });
});
