/**
 * TagResource, UntagResource, ListResourceTags and CreateKey({ Tags }) through the Kms API, and
 * ABAC: aws:ResourceTag/<key> for IAM (the identity hook), aws:RequestTag/<key> and aws:TagKeys
 * in key policies and IAM, as the Developer Guide's "ABAC for AWS KMS" and "Controlling access
 * to tags" describe them. The tag rules' own messages are test/keys.tags.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type IdentityRequest } from '../src/index.js';
import { ACCOUNT_A, ACCOUNT_B, ROLE_APP, ROOT_A, deniedMessage } from './helpers/auth.js';
import { enc } from './helpers/index.js';
import { newKey, refuses } from './helpers/keys.js';

const tag = (TagKey: string, TagValue = '') => ({ TagKey, TagValue });
const NOT_IN_KEY_POLICY = 'These condition keys are not permitted in a key policy: aws:ResourceTag, kms:ResourceTag, kms:ResourceAliases';

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT_A }, Action: 'kms:*', Resource: '*' }, ...statements] });
}

describe('tags through the Kms API', () => {
  test('CreateKey stores its Tags (in order, case kept, empty value allowed); DescribeKey does not show them', async () => {
    const kms = new Kms();
    const key = await newKey(kms, { Tags: [tag('env', 'dev'), tag('Env', 'DEV'), tag('owner')] });
    expect(await kms.listResourceTags({ KeyId: key.KeyId })).toEqual({ Tags: [tag('env', 'dev'), tag('Env', 'DEV'), tag('owner')], Truncated: false });
    expect(JSON.stringify(await kms.describeKey({ KeyId: key.KeyId }))).not.toMatch(/env/);
  });

  test('Precondition: the Tags follow AWS\'s tag rules (before anything is created); Precondition: a new key\'s Tags follow AWS\'s tag rules — no key is created for bad Tags', async () => {
    const kms = new Kms();
    await refuses(kms.createKey({ Tags: [tag('a'), tag('a', 'x')] }), 'TagException', 'Duplicate tag keys');
    await refuses(kms.createKey({ Tags: [tag('AWS:name', 'x')] }), 'TagException', 'Tags beginning with aws: are reserved');
    await refuses(kms.createKey({ Tags: Array.from({ length: 51 }, (_, i) => tag(`k${i}`)) }), 'TagException', 'Too many tags');
    await refuses(kms.createKey({ Tags: [tag('k'.repeat(129))] }), 'ValidationException', /at 'tags\.1\.member\.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128$/);
    expect((await kms.listKeys()).Keys).toEqual([]);
  });

  test('Precondition: the caller may tag a new key (IAM kms:TagResource, not restricted to a key) — CreateKey with Tags needs it, without Tags not', async () => {
    const seen: IdentityRequest[] = [];
    const kms = new Kms({ principal: ROLE_APP, identityPolicy: (r) => (seen.push(r), r.action !== 'kms:TagResource') });
    await refuses(kms.createKey({ Tags: [tag('env', 'dev')] }), 'AccessDeniedException', deniedMessage(ROLE_APP, 'TagResource', '*', 'no-identity-policy'));
    expect((await kms.listKeys()).Keys).toEqual([]);
    await newKey(kms);
    const asked = seen.find((r) => r.action === 'kms:TagResource');
    expect(asked).toMatchObject({ resource: '*', context: { 'aws:RequestTag/env': 'dev', 'aws:TagKeys': ['env'] } });
    // CreateKey itself is asked with the request's tags and no resource tags (no key exists yet).
    const create = seen.find((r) => r.action === 'kms:CreateKey') as IdentityRequest;
    expect(create.context).toMatchObject({ 'aws:RequestTag/env': 'dev', 'aws:TagKeys': ['env'] });
    expect(Object.keys(create.context).some((k) => k.startsWith('aws:ResourceTag/'))).toBe(false);
  });

  test('TagResource adds and replaces, UntagResource removes (a missing key is no error), ListResourceTags pages', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    const KeyId = key.Arn as string;
    expect(await kms.listResourceTags({ KeyId })).toEqual({ Tags: [], Truncated: false });
    await kms.tagResource({ KeyId, Tags: [tag('a', '1'), tag('b', '2'), tag('c', '3')] });
    await kms.tagResource({ KeyId, Tags: [tag('b', 'two'), tag('d', '4')] });
    const p1 = await kms.listResourceTags({ KeyId, Limit: 3 });
    expect(p1).toMatchObject({ Tags: [tag('a', '1'), tag('b', 'two'), tag('c', '3')], Truncated: true });
    expect(await kms.listResourceTags({ KeyId, Marker: p1.NextMarker })).toEqual({ Tags: [tag('d', '4')], Truncated: false });
    await refuses(kms.listResourceTags({ KeyId, Marker: 'bm9wZQ' }), 'InvalidMarkerException');
    await kms.untagResource({ KeyId, TagKeys: ['a', 'c', 'not-there'] });
    expect((await kms.listResourceTags({ KeyId })).Tags).toEqual([tag('b', 'two'), tag('d', '4')]);
    await refuses(kms.untagResource({ KeyId, TagKeys: ['aws:x'] }), 'TagException', 'Tags beginning with aws: are reserved');
  });

  test('Precondition: a key holds at most 50 tags — LimitExceededException, the key unchanged', async () => {
    const kms = new Kms();
    const key = await newKey(kms, { Tags: Array.from({ length: 49 }, (_, i) => tag(`k${i}`)) });
    await kms.tagResource({ KeyId: key.KeyId, Tags: [tag('k0', 'replaced'), tag('k49')] });
    await refuses(kms.tagResource({ KeyId: key.KeyId, Tags: [tag('k50')] }), 'LimitExceededException', 'The request would exceed the quota of 50 tags per KMS key.');
    expect((await kms.listResourceTags({ KeyId: key.KeyId })).Tags).toHaveLength(50);
  });


  // A key that does not exist tells "checked before the key is looked up" from "checked when applied":
  // the tag rule's exception comes first, not NotFoundException.
  const MISSING = '1234abcd-12ab-34cd-56ef-1234567890ab';

  test('Precondition: TagResource\'s Tags follow AWS\'s tag rules (checked before the key is looked up) — a bad tag on a missing key is TagException, not NotFoundException', async () => {
    const kms = new Kms();
    await refuses(kms.tagResource({ KeyId: MISSING, Tags: [tag('aws:x')] }), 'TagException', 'Tags beginning with aws: are reserved');
    await refuses(kms.tagResource({ KeyId: MISSING, Tags: [tag('a'), tag('a', 'x')] }), 'TagException', 'Duplicate tag keys');
    await refuses(kms.tagResource({ KeyId: MISSING, Tags: [tag('a')] }), 'NotFoundException');
  });

  test('Precondition: UntagResource\'s TagKeys follow AWS\'s tag-key rules (checked before the key is looked up) — a reserved key on a missing key is TagException, not NotFoundException', async () => {
    const kms = new Kms();
    await refuses(kms.untagResource({ KeyId: MISSING, TagKeys: ['aws:x'] }), 'TagException', 'Tags beginning with aws: are reserved');
    await refuses(kms.untagResource({ KeyId: MISSING, TagKeys: ['a'] }), 'NotFoundException');
  });
  test('tags are not cross-account (another account\'s key ARN is refused even when its key policy allows) and survive a snapshot', async () => {
    const store = new InMemoryKeyStore();
    const a = new Kms({ accountId: ACCOUNT_A, keyStore: store });
    const b = new Kms({ accountId: ACCOUNT_B, keyStore: store });
    const key = await newKey(a, { Tags: [tag('env', 'dev')], Policy: policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_B}:root` }, Action: 'kms:*', Resource: '*' }) });
    await refuses(b.tagResource({ KeyId: key.Arn, Tags: [tag('x')] }), 'AccessDeniedException');
    await refuses(b.listResourceTags({ KeyId: key.Arn }), 'AccessDeniedException');
    const copy = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify(store.exportSnapshot())) });
    expect((await copy.listResourceTags({ KeyId: key.KeyId })).Tags).toEqual([tag('env', 'dev')]);
  });
});

describe('ABAC: tags in authorization', () => {
  test('an IAM policy allowing Decrypt only with aws:ResourceTag/env = dev: tagging the key grants and revokes Decrypt', async () => {
    const store = new InMemoryKeyStore();
    const admin = new Kms({ keyStore: store });
    // The default key policy delegates to IAM; IAM (the identity hook) allows kms:Decrypt only on keys tagged env=dev.
    const app = new Kms({
      keyStore: store,
      principal: ROLE_APP,
      identityPolicy: (r) => r.action !== 'kms:Decrypt' || r.context['aws:ResourceTag/env'] === 'dev',
    });
    const key = await newKey(admin, { Tags: [tag('env', 'dev')] });
    const { CiphertextBlob } = await admin.encrypt({ KeyId: key.KeyId, Plaintext: enc('abac') });
    expect((await app.decrypt({ CiphertextBlob })).KeyId).toBe(key.Arn);
    await admin.tagResource({ KeyId: key.KeyId, Tags: [tag('env', 'prod')] });
    await refuses(app.decrypt({ CiphertextBlob, KeyId: key.KeyId }), 'AccessDeniedException', deniedMessage(ROLE_APP, 'Decrypt', key.Arn as string, 'no-identity-policy'));
    await admin.untagResource({ KeyId: key.KeyId, TagKeys: ['env'] });
    await refuses(app.decrypt({ CiphertextBlob, KeyId: key.KeyId }), 'AccessDeniedException');
    await admin.tagResource({ KeyId: key.KeyId, Tags: [tag('env', 'dev')] });
    expect((await app.decrypt({ CiphertextBlob })).KeyId).toBe(key.Arn);
  });

  test('TagResource is authorized against the tags the key has, not the ones it asks for', async () => {
    const store = new InMemoryKeyStore();
    const admin = new Kms({ keyStore: store });
    const app = new Kms({ keyStore: store, principal: ROLE_APP, identityPolicy: (r) => r.action !== 'kms:TagResource' || r.context['aws:ResourceTag/stage'] === 'draft' });
    const key = await newKey(admin, { Tags: [tag('stage', 'draft')] });
    await app.tagResource({ KeyId: key.KeyId, Tags: [tag('stage', 'final')] });
    await refuses(app.tagResource({ KeyId: key.KeyId, Tags: [tag('stage', 'draft')] }), 'AccessDeniedException', deniedMessage(ROLE_APP, 'TagResource', key.Arn as string, 'no-identity-policy'));
  });

  test('key policy conditions on aws:RequestTag/<key> (tag key not case sensitive, value case sensitive) and aws:TagKeys', async () => {
    const store = new InMemoryKeyStore();
    const admin = new Kms({ keyStore: store });
    const key = await newKey(admin, {
      Policy: policy(
        { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:TagResource', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/ENV': 'dev' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } },
        { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:UntagResource', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } } },
      ),
    });
    // IAM allows App nothing: only the key policy's statements naming App count.
    const app = new Kms({ keyStore: store, principal: ROLE_APP, identityPolicy: () => false });
    await app.tagResource({ KeyId: key.KeyId, Tags: [tag('env', 'dev'), tag('team', 'a')] });
    await refuses(app.tagResource({ KeyId: key.KeyId, Tags: [tag('env', 'Dev')] }), 'AccessDeniedException', deniedMessage(ROLE_APP, 'TagResource', key.Arn as string, 'no-identity-policy'));
    await refuses(app.tagResource({ KeyId: key.KeyId, Tags: [tag('env', 'dev'), tag('owner', 'x')] }), 'AccessDeniedException');
    await refuses(app.untagResource({ KeyId: key.KeyId, TagKeys: ['env'] }), 'AccessDeniedException');
    await app.untagResource({ KeyId: key.KeyId, TagKeys: ['env', 'team'] });
    expect((await admin.listResourceTags({ KeyId: key.KeyId })).Tags).toEqual([]);
  });

  test('Precondition: a key policy conditions on no IAM-only key (aws:ResourceTag, kms:ResourceAliases) — MalformedPolicyDocumentException as AWS words it', async () => {
    const kms = new Kms();
    const abac = policy({ Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } });
    await refuses(kms.createKey({ Policy: abac }), 'MalformedPolicyDocumentException', NOT_IN_KEY_POLICY);
    const key = await newKey(kms);
    await refuses(kms.putKeyPolicy({ KeyId: key.KeyId, Policy: abac }), 'MalformedPolicyDocumentException', NOT_IN_KEY_POLICY);
    const aliases = policy({ Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:Decrypt', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/a' } } });
    await refuses(kms.putKeyPolicy({ KeyId: key.KeyId, Policy: aliases }), 'MalformedPolicyDocumentException', NOT_IN_KEY_POLICY);
    expect((await kms.getKeyPolicy({ KeyId: key.KeyId })).Policy).not.toMatch(/ResourceTag|ResourceAliases/);
  });
});
