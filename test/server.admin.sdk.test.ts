/**
 * Administration through `serve` with the AWS SDK for JavaScript v3: tags (CreateKey Tags,
 * TagResource, ListResourceTags, UntagResource), UpdateKeyDescription, ListKeyPolicies,
 * GetKeyLastUsage (its KmsRequestId is the request ID the SDK saw; ReEncrypt on both keys) and
 * the custom-key-store operations of an account that has none. With --data, tags and the usage
 * recorded in memory are there after a clean restart (the server flushes usage on close).
 */
import {
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyLastUsageCommand,
  KMSClient,
  KMSServiceException,
  ListKeyPoliciesCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServer, type KmsServer } from '../src/server/http.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'eu-west-1';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-core-admin-sdk-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function serve(): Promise<{ server: KmsServer; kms: KMSClient }> {
  const server = await startServer({ port: 0, region: REGION, dataDir: dir });
  const kms = new KMSClient({ endpoint: server.url, region: REGION, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
  return { server, kms };
}

async function fails(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KMSServiceException);
    const k = e as KMSServiceException;
    return { name: k.name, status: k.$metadata.httpStatusCode, message: k.message };
  }
  throw new Error('expected a failure');
}

test('@aws-sdk/client-kms: tags, descriptions, ListKeyPolicies, GetKeyLastUsage, custom key stores; tags and usage survive a restart', async () => {
  let { server, kms } = await serve();
  let src: string, dst: string, reRequestId: string | undefined;
  try {
    src = (await kms.send(new CreateKeyCommand({ Description: 'src', Tags: [{ TagKey: 'env', TagValue: 'dev' }] }))).KeyMetadata?.KeyId as string;
    dst = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
    await kms.send(new TagResourceCommand({ KeyId: src, Tags: [{ TagKey: 'team', TagValue: 'core' }, { TagKey: 'env', TagValue: 'test' }] }));
    await kms.send(new UntagResourceCommand({ KeyId: src, TagKeys: ['team'] }));
    expect((await kms.send(new ListResourceTagsCommand({ KeyId: src }))).Tags).toEqual([{ TagKey: 'env', TagValue: 'test' }]);
    expect(await fails(kms.send(new TagResourceCommand({ KeyId: src, Tags: [{ TagKey: 'aws:x', TagValue: '' }] })))).toEqual({ name: 'TagException', status: 400, message: 'Tags beginning with aws: are reserved' });

    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: src, Description: 'renamed' }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: src }))).KeyMetadata?.Description).toBe('renamed');
    const policies = await kms.send(new ListKeyPoliciesCommand({ KeyId: src }));
    expect([policies.PolicyNames, policies.Truncated]).toEqual([['default'], false]);

    const fresh = await kms.send(new GetKeyLastUsageCommand({ KeyId: dst }));
    expect(fresh.KeyLastUsage).toEqual({});
    expect(fresh.TrackingStartDate?.getTime()).toBe(fresh.KeyCreationDate?.getTime());
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: src, Plaintext: new TextEncoder().encode('usage') }));
    const re = await kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: dst }));
    reRequestId = re.$metadata.requestId;
    expect(reRequestId).toMatch(/^[0-9a-f-]{36}$/);
    for (const k of [src, dst]) {
      const u = await kms.send(new GetKeyLastUsageCommand({ KeyId: k }));
      expect(u.KeyLastUsage).toMatchObject({ Operation: 'ReEncrypt', KmsRequestId: reRequestId });
      expect(u.KeyLastUsage?.Timestamp).toBeInstanceOf(Date);
    }

    expect(await kms.send(new DescribeCustomKeyStoresCommand({}))).toMatchObject({ CustomKeyStores: [], Truncated: false });
    expect((await fails(kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'nope' })))).name).toBe('CustomKeyStoreNotFoundException');
    expect((await fails(kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0' })))).name).toBe('CustomKeyStoreNotFoundException');
    expect((await fails(kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'hsm', CloudHsmClusterId: 'cluster-234abcdefgh', KeyStorePassword: 'kmsPswd', TrustAnchorCertificate: 'c' })))).name).toBe('CloudHsmClusterNotFoundException');
    expect((await fails(kms.send(new CreateKeyCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0' })))).name).toBe('CustomKeyStoreNotFoundException');
  } finally {
    kms.destroy();
    await server.close();
  }

  ({ server, kms } = await serve());
  try {
    expect((await kms.send(new ListResourceTagsCommand({ KeyId: src }))).Tags).toEqual([{ TagKey: 'env', TagValue: 'test' }]);
    expect((await kms.send(new GetKeyLastUsageCommand({ KeyId: dst }))).KeyLastUsage).toMatchObject({ Operation: 'ReEncrypt', KmsRequestId: reRequestId });
  } finally {
    kms.destroy();
    await server.close();
  }
});
