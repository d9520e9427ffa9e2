/**
 * The authorization hot path (issue 14: an IAM role under a custom key policy with a condition
 * stays as fast as the root user) answers exactly as IAM's rules do:
 *  - the statements of a policy are worked out once per action, and each action still gets its own;
 *  - encryption-context condition keys are matched case-insensitively without building lowercase
 *    strings, with Unicode's rules wherever a key is not ASCII;
 *  - the condition operators' set logic (ForAllValues, ForAnyValue, single-valued, negated) is
 *    the IAM User Guide's, checked against a model of it;
 *  - every caller, and the operation context of a Kms and of its as() views, has one property
 *    layout (the same keys in the same order), so V8 gives them one object shape; so has every
 *    key record CreateKey makes, whatever its policy, tags, grants, rotation or deletion did.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { conditionHolds, contextValues, evaluatePolicy, type AuthRequest, type KeyFacts } from '../src/auth/evaluate.js';
import { lowercaseIs } from '../src/auth/condition-keys.js';
import { parseKeyPolicy, type Condition } from '../src/auth/policy.js';
import { parsePrincipal, type Principal } from '../src/auth/principals.js';
import { ACCOUNT_A, ROLE_APP, ROOT_A, SESSION_APP, USER_ALICE } from './helpers/auth.js';

const KEY: KeyFacts = { arn: `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, accountId: ACCOUNT_A, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', multiRegion: false };
const session = parsePrincipal(SESSION_APP) as Principal;
const root = parsePrincipal(ROOT_A) as Principal;
const request = (caller: Principal, action: string, encryptionContext?: Record<string, string>): AuthRequest => ({ caller, action, key: KEY, facts: encryptionContext ? { encryptionContext } : {} });

describe('statements are chosen once per policy and action', () => {
  const policy = parseKeyPolicy(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:Encrypt', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: ROLE_APP }, NotAction: ['kms:Decrypt', 'kms:ReEncrypt*'], Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: 'kms:ReEncryptTo', Resource: '*' },
      ],
    }),
  );

  test('each action keeps its own answer, however the calls interleave', () => {
    const want: Record<string, { deny: boolean; allow: false | 'name' | 'account' }> = {
      Encrypt: { deny: false, allow: 'name' },
      Decrypt: { deny: false, allow: false },
      ReEncryptFrom: { deny: false, allow: false },
      ReEncryptTo: { deny: true, allow: false },
      DescribeKey: { deny: false, allow: 'name' },
    };
    const order = ['Encrypt', 'Decrypt', 'Encrypt', 'ReEncryptTo', 'DescribeKey', 'ReEncryptFrom', 'Decrypt', 'ReEncryptTo', 'Encrypt'];
    for (const action of order) expect(evaluatePolicy(policy, request(session, action)), action).toEqual(want[action]);
  });

  test('the same action under another caller is decided for that caller', () => {
    expect(evaluatePolicy(policy, request(session, 'Encrypt')).allow).toBe('name');
    expect(evaluatePolicy(policy, request(root, 'Encrypt')).allow).toBe(false);
    expect(evaluatePolicy(policy, request(session, 'Encrypt')).allow).toBe('name');
  });
});

describe('encryption-context condition keys are matched as toLowerCase would', () => {
  test('lowercaseIs(s, key, at) ≡ s.toLowerCase() === key.slice(at)', () => {
    // Near misses matter most: the key is often s lowercased, or a case variant of it.
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('İD', 'ΣΑΣ', 'ß', 'Tenant', 'TENANT', 'tenant', 'K', 'K'));
    fc.assert(
      fc.property(text, fc.constantFrom('', 'kms:encryptioncontext:'), fc.nat(3), text, (s, prefix, how, other) => {
        const tail = how === 0 ? s.toLowerCase() : how === 1 ? s : how === 2 ? s.toLowerCase().slice(0, -1) : other.toLowerCase();
        const key = prefix + tail;
        expect(lowercaseIs(s, key, prefix.length)).toBe(s.toLowerCase() === tail);
      }),
      { numRuns: 2000 },
    );
  });

  test('edge cases: uppercase ASCII, a prefix, a longer key, non-ASCII lowercasing to two units', () => {
    expect(lowercaseIs('TeNaNt', 'kms:encryptioncontext:tenant', 22)).toBe(true);
    expect(lowercaseIs('Ten', 'kms:encryptioncontext:tenant', 22)).toBe(false);
    expect(lowercaseIs('Tenants', 'kms:encryptioncontext:tenant', 22)).toBe(false);
    expect(lowercaseIs('İD', 'kms:encryptioncontext:i̇d', 22)).toBe(true); // U+0130 → i + U+0307
    expect(lowercaseIs('İD', 'kms:encryptioncontext:id', 22)).toBe(false);
    expect(lowercaseIs('KEY', 'kms:encryptioncontext:key', 22)).toBe(true); // U+212A KELVIN SIGN → k
  });

  test('contextValues reads every own key whose lowercase is the condition key, and nothing inherited', () => {
    const ctx = Object.assign(Object.create({ tenant: 'inherited' }) as Record<string, string>, { Tenant: 'a', TENANT: 'b', tenants: 'c', purpose: 'd' });
    expect(contextValues(request(session, 'Decrypt', ctx), 'kms:encryptioncontext:tenant')).toEqual(['a', 'b']);
    expect(contextValues(request(session, 'Decrypt', { İD: 'x' }), 'kms:encryptioncontext:i̇d')).toEqual(['x']);
    expect(contextValues(request(session, 'Decrypt', { purpose: 'd' }), 'kms:encryptioncontext:tenant')).toBeUndefined();
    // Not an encryption-context action: the key is absent.
    expect(contextValues(request(session, 'DescribeKey', ctx), 'kms:encryptioncontext:tenant')).toBeUndefined();
  });
});

describe('condition operators: the set logic of the IAM User Guide', () => {
  const OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike', 'ArnEquals', 'ArnNotEquals', 'ArnLike', 'ArnNotLike'] as const;
  const VALUES = ['a', 'A', 'b', 'a*', '?'];
  /** IAM User Guide, "Single-valued vs. multivalued context keys" and "Condition operators". */
  function model(c: Condition, got: readonly string[]): boolean {
    const neg = c.operator.includes('Not');
    const eq = (v: string, x: string) =>
      c.operator.includes('IgnoreCase') ? v.toLowerCase() === x.toLowerCase() : c.operator.includes('Like') ? (x === 'a*' ? v.startsWith('a') : x === '?' ? v.length === 1 : v === x) : v === x;
    const pos = (v: string) => c.values.some((x) => eq(v, x));
    if (got.length === 0) return c.ifExists || c.set === 'all' ? true : c.set === 'any' ? false : neg;
    if (c.set === 'all') return got.every((v) => pos(v) !== neg);
    if (c.set === 'any') return got.some((v) => pos(v) !== neg);
    return neg ? !got.some(pos) : got.some(pos);
  }

  test('conditionHolds agrees with the model on every operator, set and context', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPS),
        fc.constantFrom<Condition['set']>(undefined, 'any', 'all'),
        fc.boolean(),
        fc.subarray(VALUES, { minLength: 1 }),
        fc.subarray(['a', 'A', 'b', 'ab', 'c']),
        (operator, set, ifExists, values, got) => {
          const c: Condition = { operator, set, ifExists, key: 'kms:encryptioncontextkeys', values };
          const ctx = Object.fromEntries(got.map((k) => [k, 'v']));
          expect(conditionHolds(c, request(session, 'Decrypt', ctx))).toBe(model(c, got));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('one object layout for every caller and every view', () => {
  test('parsePrincipal gives the same keys, in the same order, for every kind of principal', () => {
    const layouts = [ACCOUNT_A, ROOT_A, USER_ALICE, ROLE_APP, SESSION_APP, `arn:aws:sts::${ACCOUNT_A}:federated-user/bob`].map((arn) => Object.keys(parsePrincipal(arn) as Principal).join());
    expect(new Set(layouts)).toEqual(new Set(['arn,partition,accountId,kind,roleName']));
  });

  test('V8 itself gives them one hidden class (%HaveSameMap, on the built dist/)', () => {
    // The same keys in the same order are not enough: a spread copy of the context had them
    // and still another map. Asked of V8 in a child process with natives syntax.
    const script = `
      const { Kms, contextOf } = await import(${JSON.stringify(pathToFileURL(resolve('dist/kms.js')).href)});
      const { parsePrincipal } = await import(${JSON.stringify(pathToFileURL(resolve('dist/auth/principals.js')).href)});
      const kms = new Kms({ accountId: '${ACCOUNT_A}', identityPolicy: () => true });
      const view = kms.as('${SESSION_APP}');
      const ps = ['${ROOT_A}', '${USER_ALICE}', '${ROLE_APP}', '${SESSION_APP}'].map((a) => parsePrincipal(a));
      console.log(JSON.stringify({ ctx: %HaveSameMap(contextOf(kms), contextOf(view)), callers: ps.every((p) => %HaveSameMap(p, ps[0])) }));`;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(out)).toEqual({ ctx: true, callers: true });
  });

  test('a key with a custom policy, tags, grants, rotation or a cancelled deletion has the hidden class of a key without (records made by CreateKey, %HaveSameMap on dist/)', () => {
    // The records the hot path reads on every call: a policy or tags added after the literal
    // gave those keys another map, and reads of either kind went polymorphic (issue 14).
    const script = `
      const { Kms, InMemoryKeyStore } = await import(${JSON.stringify(pathToFileURL(resolve('dist/index.js')).href)});
      const store = new InMemoryKeyStore();
      const seen = [];
      const getKey = store.getKey.bind(store);
      store.getKey = (arn) => { const r = getKey(arn); if (r) seen.push(r); return r; };
      const kms = new Kms({ keyStore: store, accountId: '${ACCOUNT_A}' });
      const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '${ROOT_A}' }, Action: 'kms:*', Resource: '*' }] });
      const plain = (await kms.createKey()).KeyMetadata.KeyId;
      const withPolicy = (await kms.createKey({ Policy: policy })).KeyMetadata.KeyId;
      const tagged = (await kms.createKey({ Tags: [{ TagKey: 't', TagValue: 'v' }] })).KeyMetadata.KeyId;
      const untagged = (await kms.createKey({ Tags: [{ TagKey: 't', TagValue: 'v' }] })).KeyMetadata.KeyId;
      await kms.untagResource({ KeyId: untagged, TagKeys: ['t'] });
      const later = (await kms.createKey()).KeyMetadata.KeyId;
      await kms.putKeyPolicy({ KeyId: later, Policy: policy });
      const granted = (await kms.createKey()).KeyMetadata.KeyId;
      const g = await kms.createGrant({ KeyId: granted, GranteePrincipal: '${USER_ALICE}', Operations: ['Decrypt'] });
      const revoked = (await kms.createKey()).KeyMetadata.KeyId;
      const g2 = await kms.createGrant({ KeyId: revoked, GranteePrincipal: '${USER_ALICE}', Operations: ['Decrypt'] });
      await kms.revokeGrant({ KeyId: revoked, GrantId: g2.GrantId });
      const rotating = (await kms.createKey()).KeyMetadata.KeyId;
      await kms.enableKeyRotation({ KeyId: rotating });
      const unrotated = (await kms.createKey()).KeyMetadata.KeyId;
      await kms.enableKeyRotation({ KeyId: unrotated });
      await kms.disableKeyRotation({ KeyId: unrotated });
      const cancelled = (await kms.createKey()).KeyMetadata.KeyId;
      await kms.scheduleKeyDeletion({ KeyId: cancelled, PendingWindowInDays: 7 });
      await kms.cancelKeyDeletion({ KeyId: cancelled });
      const records = [];
      for (const id of [plain, withPolicy, tagged, untagged, later, granted, revoked, rotating, unrotated, cancelled]) { seen.length = 0; await kms.describeKey({ KeyId: id }); records.push(seen[seen.length - 1]); }
      console.log(JSON.stringify(records.map((r) => %HaveSameMap(r, records[0]))));`;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(out), 'plain, custom policy, tagged, untagged again, policy put later, granted, grant revoked, rotating, rotation disabled, deletion cancelled').toEqual(Array(10).fill(true));
  });
});
