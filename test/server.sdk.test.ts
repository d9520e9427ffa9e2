/**
 * The local endpoint (src/server) driven by the real AWS SDK for JavaScript v3
 * (@aws-sdk/client-kms): commands are signed with SigV4 and sent over HTTP to 127.0.0.1, and
 * errors come back as the SDK's own exception classes.
 */
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  KMSServiceException,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  NotFoundException,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
  DisabledException,
} from '@aws-sdk/client-kms';
import { createPublicKey, publicEncrypt, constants } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryKeyStore } from '../src/index.js';
import { FileKeyStore } from '../src/server/file-store.js';
import { startServer, type KmsServer } from '../src/server/http.js';
import { dec, enc } from './helpers/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const OTHER_ACCOUNT = '444455556666';

function client(server: KmsServer, region = 'us-east-1', accessKeyId = 'AKIDEXAMPLE'): KMSClient {
  return new KMSClient({
    endpoint: server.url,
    region,
    credentials: { accessKeyId, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });
}

/** Awaits an SDK rejection of class `cls`; returns it. */
async function sdkRejects<E extends KMSServiceException>(p: Promise<unknown>, cls: abstract new (...a: never[]) => E, name: string): Promise<E> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${name}`).toBeInstanceOf(cls);
  const e = err as E;
  expect(e.name).toBe(name);
  expect(e.$fault).toBe('client');
  expect(e.$metadata.httpStatusCode).toBe(400);
  expect(e.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  return e;
}

describe('AWS SDK v3 against `startServer` (in memory)', () => {
  let server: KmsServer;
  let kms: KMSClient;
  const clients: KMSClient[] = [];
  const open = (...a: [string?, string?]) => {
    const c = client(server, ...a);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer({ port: 0, accessKeys: { AKIDOTHERACCOUNT: OTHER_ACCOUNT } });
    kms = open();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.close();
  });

  test('binds to 127.0.0.1 on the port it was given (0: a free one)', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  test('CreateKey, Encrypt, ReEncryptCommand, Decrypt', async () => {
    const a = (await kms.send(new CreateKeyCommand({ Description: 'orders' }))).KeyMetadata!;
    const b = (await kms.send(new CreateKeyCommand({ Description: 'archive' }))).KeyMetadata!;
    expect(a.Arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    expect(a.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(a.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(a.KeyState).toBe('Enabled');

    const e = await kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: enc('order #4711'), EncryptionContext: { tenant: 'acme' } }));
    expect(e.CiphertextBlob).toBeInstanceOf(Uint8Array);
    expect(e.KeyId).toBe(a.Arn);
    expect(e.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');

    const re = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: e.CiphertextBlob,
        SourceKeyId: a.Arn,
        SourceEncryptionContext: { tenant: 'acme' },
        DestinationKeyId: b.KeyId,
        DestinationEncryptionContext: { tenant: 'acme', tier: 'cold' },
      }),
    );
    expect(re.SourceKeyId).toBe(a.Arn);
    expect(re.KeyId).toBe(b.Arn);
    expect(re.SourceKeyMaterialId).toBe(a.CurrentKeyMaterialId);
    expect(re.DestinationKeyMaterialId).toBe(b.CurrentKeyMaterialId);

    const d = await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { tenant: 'acme', tier: 'cold' } }));
    expect(dec(d.Plaintext)).toBe('order #4711');
    expect(d.KeyId).toBe(b.Arn);
    expect(d.KeyMaterialId).toBe(b.CurrentKeyMaterialId);
  });

  test('AWS error classes with $metadata.httpStatusCode 400: IncorrectKeyException, InvalidCiphertextException, …', async () => {
    const a = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const b = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: enc('s3cret') }));

    const inc = await sdkRejects(kms.send(new ReEncryptCommand({ CiphertextBlob, SourceKeyId: b.KeyId, DestinationKeyId: a.KeyId })), IncorrectKeyException, 'IncorrectKeyException');
    expect(inc.message).toBe('The key ID in the request does not identify a CMK that can perform this operation.');
    await sdkRejects(kms.send(new DecryptCommand({ CiphertextBlob, KeyId: b.KeyId })), IncorrectKeyException, 'IncorrectKeyException');

    const tampered = new Uint8Array(CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 0x80;
    const inv = await sdkRejects(kms.send(new DecryptCommand({ CiphertextBlob: tampered })), InvalidCiphertextException, 'InvalidCiphertextException');
    // No message member on the wire (as AWS sends it), which the SDK reports as its placeholder 'UnknownError';
    // botocore reports Error.Message '' and no top-level message, as in AWS-recorded responses.
    expect(inv.message).toBe('UnknownError');
    await sdkRejects(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { wrong: 'context' } })), InvalidCiphertextException, 'InvalidCiphertextException');

    await sdkRejects(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })), NotFoundException, 'NotFoundException');
    await kms.send(new DisableKeyCommand({ KeyId: a.KeyId }));
    const dis = await sdkRejects(kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: enc('x') })), DisabledException, 'DisabledException');
    expect(dis.message).toBe(`${a.Arn} is disabled.`);
    // An exception the SDK has no class for (ValidationException is common to AWS JSON services).
    const v = await sdkRejects(kms.send(new EncryptCommand({ KeyId: b.KeyId, Plaintext: new Uint8Array(4097) })), KMSServiceException, 'ValidationException');
    expect(v.message).toMatch(/Member must have length less than or equal to 4096/);
  });

  test('GenerateDataKey, GenerateDataKeyWithoutPlaintext, GetPublicKey (RSA: encrypt with node:crypto, Decrypt through the endpoint)', async () => {
    const k = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const g = await kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId, KeySpec: 'AES_256', EncryptionContext: { purpose: 'test' } }));
    expect(g.Plaintext).toHaveLength(32);
    expect(g.KeyMaterialId).toBe(k.CurrentKeyMaterialId);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: g.CiphertextBlob, EncryptionContext: { purpose: 'test' } }));
    expect(back.Plaintext).toEqual(g.Plaintext);
    const w = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: k.KeyId, NumberOfBytes: 64 }));
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: w.CiphertextBlob }))).Plaintext).toHaveLength(64);

    const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: rsa.KeyId }));
    expect(pub.KeySpec).toBe('RSA_2048');
    expect(pub.EncryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
    const spki = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
    const ct = publicEncrypt({ key: spki, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, enc('rsa through the wire'));
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: ct, KeyId: rsa.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(dec(d.Plaintext)).toBe('rsa through the wire');
  });

  test('rotation commands: RotateKeyOnDemand, ListKeyRotations, Enable/Disable/GetKeyRotationStatus', async () => {
    const k = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: enc('before rotation') }));
    expect(await kms.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))).toMatchObject({ KeyId: k.Arn });
    const rot = await kms.send(new ListKeyRotationsCommand({ KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    expect(rot.Rotations!.map((r) => r.KeyMaterialState)).toEqual(['NON_CURRENT', 'CURRENT']);
    expect(rot.Rotations![0]!.KeyMaterialId).toBe(k.CurrentKeyMaterialId);
    expect(rot.Rotations![1]!.RotationDate).toBeInstanceOf(Date);
    expect(rot.Rotations![1]!.RotationType).toBe('ON_DEMAND');
    const re = await kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: k.KeyId }));
    expect(re.SourceKeyMaterialId).toBe(rot.Rotations![0]!.KeyMaterialId);
    expect(re.DestinationKeyMaterialId).toBe(rot.Rotations![1]!.KeyMaterialId);

    await kms.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 180 }));
    const st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }));
    expect(st.KeyRotationEnabled).toBe(true);
    expect(st.RotationPeriodInDays).toBe(180);
    expect(st.NextRotationDate!.getTime() - Date.now()).toBeGreaterThan(179 * 86_400_000);
    await kms.send(new DisableKeyRotationCommand({ KeyId: k.KeyId }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).KeyRotationEnabled).toBe(false);
  });

  test('alias commands and key lifecycle: CreateAlias, UpdateAlias, ListAliases, DeleteAlias, ListKeys, Enable/Disable, Schedule/CancelKeyDeletion', async () => {
    const a = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const b = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/sdk-test', TargetKeyId: a.KeyId }));
    expect((await kms.send(new EncryptCommand({ KeyId: 'alias/sdk-test', Plaintext: enc('x') }))).KeyId).toBe(a.Arn);
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/sdk-test', TargetKeyId: b.Arn }));
    const aliasArn = a.Arn!.replace(/key\/.*$/, 'alias/sdk-test');
    expect((await kms.send(new DescribeKeyCommand({ KeyId: aliasArn }))).KeyMetadata!.Arn).toBe(b.Arn);
    const list = await kms.send(new ListAliasesCommand({ KeyId: b.KeyId }));
    expect(list.Aliases).toEqual([{ AliasName: 'alias/sdk-test', AliasArn: aliasArn, TargetKeyId: b.KeyId, CreationDate: expect.any(Date), LastUpdatedDate: expect.any(Date) }]);
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/sdk-test' }));
    await sdkRejects(kms.send(new DescribeKeyCommand({ KeyId: 'alias/sdk-test' })), NotFoundException, 'NotFoundException');

    const keys = await kms.send(new ListKeysCommand({ Limit: 1000 }));
    expect(keys.Keys!.map((k) => k.KeyArn)).toEqual(expect.arrayContaining([a.Arn, b.Arn]));
    await kms.send(new DisableKeyCommand({ KeyId: a.KeyId }));
    await kms.send(new EnableKeyCommand({ KeyId: a.KeyId }));
    const del = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: a.KeyId, PendingWindowInDays: 7 }));
    expect(del.KeyState).toBe('PendingDeletion');
    expect(del.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await kms.send(new CancelKeyDeletionCommand({ KeyId: a.KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: a.KeyId }))).KeyMetadata!.KeyState).toBe('Disabled');
  });

  test('region and account come from the SigV4 credential scope; regions share nothing, accounts share a region\'s store', async () => {
    const eu = open('eu-west-1');
    const k = (await eu.send(new CreateKeyCommand({}))).KeyMetadata!;
    expect(k.Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    expect((await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.map((x) => x.KeyArn)).not.toContain(k.Arn);
    const cn = open('cn-north-1');
    expect((await cn.send(new CreateKeyCommand({}))).KeyMetadata!.Arn).toMatch(/^arn:aws-cn:kms:cn-north-1:111122223333:key\//);

    // AKIDOTHERACCOUNT is mapped to account 444455556666 (--access-key AKIDOTHERACCOUNT=444455556666).
    const other = open('eu-west-1', 'AKIDOTHERACCOUNT');
    const o = (await other.send(new CreateKeyCommand({}))).KeyMetadata!;
    expect(o.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//);
    const { CiphertextBlob } = await other.send(new EncryptCommand({ KeyId: o.KeyId, Plaintext: enc('x') }));
    // The key of another account is found by ARN (same region, same store) and refused by its key policy.
    const denied = await sdkRejects(eu.send(new DecryptCommand({ CiphertextBlob })), KMSServiceException, 'AccessDeniedException');
    expect(denied.message).toMatch(/^The ciphertext refers to a customer master key that does not exist/);
    await sdkRejects(eu.send(new DescribeKeyCommand({ KeyId: o.Arn })), KMSServiceException, 'AccessDeniedException');
    await sdkRejects(eu.send(new DescribeKeyCommand({ KeyId: o.KeyId })), NotFoundException, 'NotFoundException');
  });

  test('raw HTTP: the endpoint answers other methods with 405 and oversized bodies with 413', async () => {
    const get = await fetch(server.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await get.json()).__type).toBe('UnknownOperationException');
    const big = await fetch(server.url, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys' }, body: 'x'.repeat((1 << 20) + 1) });
    expect(big.status).toBe(413);
    expect((await big.json()).__type).toBe('ValidationException');
    const ok = await fetch(server.url, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(ok.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await fetch(server.url, { method: 'POST', headers: { 'x-amz-target': 'TrentService.Encrypt' }, body: '{"KeyId":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ __type: 'SerializationException', message: 'The request body is not valid JSON.' });
    // An invalid region in the credential scope is refused, not turned into a file name.
    const evil = await fetch(server.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.ListKeys', authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/..%2F..%2Fetc/kms/aws4_request, SignedHeaders=host, Signature=0' },
      body: '{}',
    });
    expect(evil.status).toBe(400);
    expect((await evil.json()).__type).toBe('InvalidSignatureException');
  });

  test('raw HTTP: every KMS operation is served (TagResource, Sign, GenerateMac, Encapsulate reach their handlers); a made-up target is UnknownOperationException', async () => {
    const post = (target: string, body: unknown) =>
      fetch(server.url, { method: 'POST', headers: { 'x-amz-target': `TrentService.${target}`, 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
    for (const [op, body] of [
      ['TagResource', { KeyId: 'k', Tags: [{ TagKey: 'env', TagValue: 'dev' }] }],
      ['Sign', { KeyId: 'k', Message: 'aGk=', SigningAlgorithm: 'ECDSA_SHA_256' }],
      ['GenerateMac', { KeyId: 'k', Message: 'aGk=', MacAlgorithm: 'HMAC_SHA_256' }],
      ['Encapsulate', { KeyId: 'k', EncapsulationAlgorithm: 'ML_KEM' }],
    ] as const) {
      const res = await post(op, body);
      expect(res.status, op).toBe(400);
      expect(await res.json(), op).toEqual({ __type: 'NotFoundException', message: "Invalid keyId 'k'" });
    }
    const res = await post('Frobnicate', {});
    expect(res.status).toBe(400);
    expect((await res.json()).__type).toBe('UnknownOperationException');
  });
});

describe('persistence: --data survives a clean restart (in process)', () => {
  let dir: string;
  const servers: KmsServer[] = [];
  const clients: KMSClient[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-core-data-'));
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('keys, rotations and aliases written by one server are served by the next; a compacted snapshot is a key-store snapshot', async () => {
    const s1 = await startServer({ port: 0, dataDir: dir });
    servers.push(s1);
    const c1 = client(s1, 'eu-west-1');
    clients.push(c1);
    const k = (await c1.send(new CreateKeyCommand({ Description: 'durable' }))).KeyMetadata!;
    const before = await c1.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: enc('v1') }));
    await c1.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    const after = await c1.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: enc('v2') }));
    await c1.send(new CreateAliasCommand({ AliasName: 'alias/durable', TargetKeyId: k.KeyId }));
    // A second server on the same directory (even in this process) is refused while the first runs.
    await expect(startServer({ port: 0, dataDir: dir })).rejects.toThrow(/is in use/);
    await s1.close();

    // The journaled layout (server.store.test.ts): changes so far are in the journal; a
    // compaction writes them into the snapshot, which the library's own reader loads.
    // One store per partition: keystore.aws.* holds every Region of the aws partition.
    expect((await readdir(dir)).sort()).toEqual(['keystore.aws.journal.1']);
    expect((await stat(join(dir, 'keystore.aws.journal.1'))).mode & 0o777).toBe(0o600);
    const compacting = await FileKeyStore.open(join(dir, 'keystore.aws.json'), { partition: 'aws' });
    await compacting.compact();
    await compacting.close();
    expect((await readdir(dir)).sort()).toEqual(['keystore.aws.journal.2', 'keystore.aws.json']);
    const file = join(dir, 'keystore.aws.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const snap = JSON.parse(await readFile(file, 'utf8'));
    expect(snap).toMatchObject({ format: 'kms-core/key-store', version: 1, journal: { sequence: 4, generation: 2 } }); // CreateKey, RotateKeyOnDemand, CreateAlias, and the key's last usage the server wrote as it stopped (keys/usage.ts)
    expect(snap.keys[0].LastUsage).toMatchObject({ Operation: 'Encrypt' });
    expect(snap.keys).toHaveLength(1);
    expect(snap.keys[0].KeyMaterial).toHaveLength(2);
    expect(InMemoryKeyStore.fromSnapshot(snap).getKey(k.Arn!)?.material).toHaveLength(2);

    const s2 = await startServer({ port: 0, dataDir: dir });
    servers.push(s2);
    const c2 = client(s2, 'eu-west-1');
    clients.push(c2);
    expect(dec((await c2.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }))).Plaintext)).toBe('v1');
    expect(dec((await c2.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }))).Plaintext)).toBe('v2');
    expect((await c2.send(new DescribeKeyCommand({ KeyId: 'alias/durable' }))).KeyMetadata!.Description).toBe('durable');
    expect((await c2.send(new ListKeyRotationsCommand({ KeyId: k.KeyId }))).Rotations).toHaveLength(1);
  });
});
