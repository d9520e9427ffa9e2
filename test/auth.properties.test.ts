/**
 * Properties of the decision (fast-check), on the pure evaluator and through Kms:
 *  - adding a Deny statement to any key policy never turns a refusal into an allowance;
 *  - removing a grant never widens access;
 *  - (and, for good measure) adding an Allow statement never turns an allowance into a refusal.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decide, evaluatePolicy, type AuthRequest, type KeyFacts } from '../src/auth/evaluate.js';
import { parseKeyPolicy } from '../src/auth/policy.js';
import { parsePrincipal } from '../src/auth/principals.js';
import { Kms, type GrantRecord, type KeyMetadata } from '../src/index.js';
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
  enc,
  outcomeOf,
  type StatementSpec,
} from './helpers/auth.js';

const NAMES = [ROOT_A, ACCOUNT_A, ROLE_APP, USER_ALICE, ROOT_B, ACCOUNT_B, ROLE_PARTNER];
const CALLERS = [ROOT_A, SESSION_APP, USER_ALICE, ROOT_B, SESSION_PARTNER];
const ACTION_PATTERNS = ['kms:*', '*', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:ReEncryptFrom', 'kms:Re?ncryptTo', 'kms:Describe*', 'kms:GenerateDataKey*', 'kms:CreateGrant'];
const ACTIONS = ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'DescribeKey', 'GenerateDataKey'];
const CONDITIONS: (Record<string, Record<string, unknown>> | undefined)[] = [
  undefined,
  { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
  { StringNotEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
  { StringEqualsIgnoreCase: { 'kms:EncryptionContext:TENANT': ['ACME', 'other'] } },
  { 'ForAnyValue:StringLike': { 'kms:EncryptionContextKeys': 't*' } },
  { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenant'] } },
  { Bool: { 'kms:ReEncryptOnSameKey': 'true' } },
  { StringEquals: { 'kms:CallerAccount': ACCOUNT_B } },
  { Null: { 'kms:EncryptionContextKeys': 'true' } },
  { StringLikeIfExists: { 'kms:EncryptionContext:tenant': 'a*' } },
];
const CONTEXTS: (Record<string, string> | undefined)[] = [undefined, { tenant: 'acme' }, { Tenant: 'ACME', x: '1' }, { tenant: 'other' }, { zone: 'eu' }];
const GRANT_OPS = ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'DescribeKey', 'GenerateDataKey'];

const statementArb = (effect?: 'Allow' | 'Deny'): fc.Arbitrary<StatementSpec> =>
  fc.record({
    effect: effect ? fc.constant(effect) : fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Deny'),
    principal: fc.oneof(fc.constant<'*'>('*'), fc.subarray(NAMES, { minLength: 1 })),
    actions: fc.subarray(ACTION_PATTERNS, { minLength: 1 }),
    not: fc.boolean(),
    condition: fc.constantFrom(...CONDITIONS),
  }).map(({ effect: e, principal, actions, not, condition }) => {
    const s: StatementSpec = { Effect: e, Principal: principal === '*' ? '*' : { AWS: principal }, Resource: '*' };
    if (not) s.NotAction = actions;
    else s.Action = actions;
    if (condition) s.Condition = condition;
    return s;
  });

const doc = (statements: StatementSpec[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const KEY: KeyFacts = { arn: KEY_ARN, accountId: ACCOUNT_A, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', multiRegion: false };

const requestArb = fc.record({
  caller: fc.constantFrom(...CALLERS),
  action: fc.constantFrom(...ACTIONS),
  ctx: fc.constantFrom(...CONTEXTS),
  sameKey: fc.boolean(),
  iam: fc.boolean(),
});
type Req = typeof requestArb extends fc.Arbitrary<infer R> ? R : never;

const grantArb: fc.Arbitrary<GrantRecord> = fc
  .record({
    id: fc.integer({ min: 0, max: 1e9 }),
    grantee: fc.constantFrom(ROLE_APP, USER_ALICE, ACCOUNT_A, ROLE_PARTNER, ACCOUNT_B),
    ops: fc.subarray(GRANT_OPS, { minLength: 1 }),
    constraint: fc.constantFrom(undefined, { encryptionContextSubset: { tenant: 'acme' } }, { encryptionContextEquals: { TENANT: 'acme' } }),
  })
  .map(({ id, grantee, ops, constraint }) => {
    const g: GrantRecord = { grantId: id.toString(16).padStart(64, '0'), granteePrincipal: grantee, issuingAccount: ROOT_A, operations: ops, creationDate: 0, tokens: [] };
    if (constraint) g.constraints = constraint;
    return g;
  });

function allowed(policyText: string, grants: readonly GrantRecord[], r: Req): boolean {
  const req: AuthRequest = {
    caller: parsePrincipal(r.caller)!,
    action: r.action,
    key: KEY,
    facts: { encryptionContext: r.ctx, encryptionAlgorithm: 'SYMMETRIC_DEFAULT', reEncryptPeer: r.sameKey ? KEY_ARN : 'arn:aws:kms:us-east-1:111122223333:key/other' },
  };
  return decide(evaluatePolicy(parseKeyPolicy(policyText), req), req, grants, () => r.iam, true).denial === undefined;
}

describe('the pure decision', () => {
  test('adding a Deny statement (anywhere) never turns a refusal into an allowance', () => {
    fc.assert(
      fc.property(fc.array(statementArb(), { minLength: 1, maxLength: 5 }), statementArb('Deny'), fc.nat(), fc.array(grantArb, { maxLength: 3 }), requestArb, (base, deny, at, grants, r) => {
        const withDeny = [...base];
        withDeny.splice(at % (base.length + 1), 0, deny);
        if (allowed(doc(withDeny), grants, r)) expect(allowed(doc(base), grants, r)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  test('removing a grant never widens access', () => {
    fc.assert(
      fc.property(fc.array(statementArb(), { minLength: 1, maxLength: 4 }), fc.array(grantArb, { minLength: 1, maxLength: 5 }), fc.nat(), requestArb, (statements, grants, i, r) => {
        const fewer = grants.filter((_, j) => j !== i % grants.length);
        if (allowed(doc(statements), fewer, r)) expect(allowed(doc(statements), grants, r)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  test('adding an Allow statement never turns an allowance into a refusal', () => {
    fc.assert(
      fc.property(fc.array(statementArb(), { minLength: 1, maxLength: 5 }), statementArb('Allow'), fc.array(grantArb, { maxLength: 3 }), requestArb, (base, allow, grants, r) => {
        if (allowed(doc(base), grants, r)) expect(allowed(doc([...base, allow]), grants, r)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('through Kms', () => {
  const callerArb = fc.constantFrom(ROOT_A, SESSION_APP, USER_ALICE, ROOT_B, SESSION_PARTNER);
  const opArb = fc.constantFrom('Encrypt', 'DescribeKey', 'GenerateDataKey');

  async function world() {
    const iam = { on: true };
    const store = new Kms().keyStore;
    const a = new Kms({ keyStore: store, accountId: ACCOUNT_A, identityPolicy: () => iam.on });
    const b = new Kms({ keyStore: store, accountId: ACCOUNT_B, identityPolicy: () => iam.on });
    const key = (await a.createKey()).KeyMetadata as KeyMetadata;
    const kmsOf = (caller: string) => {
      const base = caller.includes(`::${ACCOUNT_B}:`) ? b : a;
      return caller === ROOT_A || caller === ROOT_B ? base : base.as(caller);
    };
    const attempt = (caller: string, op: string, ctx: Record<string, string> | undefined) => {
      const kms = kmsOf(caller);
      const arn = key.Arn as string;
      if (op === 'Encrypt') return outcomeOf(kms.encrypt({ KeyId: arn, Plaintext: enc('p'), EncryptionContext: ctx }));
      if (op === 'GenerateDataKey') return outcomeOf(kms.generateDataKey({ KeyId: arn, NumberOfBytes: 16, EncryptionContext: ctx }));
      return outcomeOf(kms.describeKey({ KeyId: arn }));
    };
    const setPolicy = async (text: string) => {
      await store.updateKey(key.Arn as string, (r) => {
        r.policy = text;
      });
    };
    return { a, key, iam, attempt, setPolicy };
  }

  test('a Deny added with PutKeyPolicy never turns a refusal into an allowance', async () => {
    const w = await world();
    await fc.assert(
      fc.asyncProperty(fc.array(statementArb(), { minLength: 1, maxLength: 4 }), statementArb('Deny'), callerArb, opArb, fc.constantFrom(...CONTEXTS), fc.boolean(), async (base, deny, caller, op, ctx, iam) => {
        w.iam.on = iam;
        // Written straight into the store: a random policy may deny the root user PutKeyPolicy.
        await w.setPolicy(doc(base));
        const before = await w.attempt(caller, op, ctx);
        await w.setPolicy(doc([deny, ...base]));
        const after = await w.attempt(caller, op, ctx);
        if (after === 'allowed') expect(before).toBe('allowed');
      }),
      { numRuns: 150 },
    );
  });

  test('RevokeGrant never widens access', async () => {
    const w = await world();
    const granteeArb = fc.constantFrom(ROLE_APP, USER_ALICE, ACCOUNT_A, ROLE_PARTNER);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ grantee: granteeArb, ops: fc.subarray(['Encrypt', 'DescribeKey', 'GenerateDataKey'], { minLength: 1 }), subset: fc.boolean() }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        callerArb,
        opArb,
        fc.constantFrom(...CONTEXTS),
        fc.boolean(),
        async (specs, i, caller, op, ctx, iam) => {
          w.iam.on = iam;
          await w.a.putKeyPolicy({ KeyId: w.key.KeyId, Policy: doc([{ Effect: 'Allow', Principal: { AWS: ROOT_A }, Action: 'kms:*', Resource: '*' }]), BypassPolicyLockoutSafetyCheck: true });
          for (const g of (await w.a.listGrants({ KeyId: w.key.KeyId })).Grants ?? []) await w.a.revokeGrant({ KeyId: w.key.KeyId, GrantId: g.GrantId });
          const ids: string[] = [];
          for (const s of specs) {
            const created = await w.a.createGrant({ KeyId: w.key.KeyId, GranteePrincipal: s.grantee, Operations: s.ops as never, ...(s.subset ? { Constraints: { EncryptionContextSubset: { tenant: 'acme' } } } : {}) });
            ids.push(created.GrantId as string);
          }
          const before = await w.attempt(caller, op, ctx);
          await w.a.revokeGrant({ KeyId: w.key.KeyId, GrantId: ids[i % ids.length] });
          const after = await w.attempt(caller, op, ctx);
          if (after === 'allowed') expect(before).toBe('allowed');
        },
      ),
      { numRuns: 120 },
    );
  });
});
