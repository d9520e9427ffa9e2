/**
 * Administration through `serve` with an AWS CLI of this machine (test/helpers/clients.ts
 * findAwsClis): create-key --tags, tag-resource, list-resource-tags, untag-resource,
 * update-key-description, list-key-policies, get-key-last-usage after a re-encrypt,
 * describe-custom-key-stores and delete-custom-key-store, as the AWS CLI reference writes them.
 * With no CLI the test says so in its name and fails when CI is set (server.awscli.test.ts).
 *
 * One CLI runs this flow: the first one found (`command -v aws`; on this machine pyenv's
 * aws-cli 1.x, which has get-key-last-usage). Every `aws` start costs about a second of Python
 * CPU, and test/server.awscli.test.ts already drives every CLI of the machine (Debian's 2.x
 * too) through the core flow: create-key, encrypt, re-encrypt, decrypt and an AWS error. The
 * steps that only set up state (the second key, encrypt, re-encrypt, describe-key) go to serve
 * as the JSON a CLI would send, so each `aws` call here is an administration subcommand.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type KmsServer } from '../src/server/http.js';
import { cleanEnv, findAwsClis, run } from './helpers/clients.js';

const REGION = 'eu-west-1';
const CLIS = findAwsClis().slice(0, 1);
let server: KmsServer;
let work: string;
beforeAll(async () => {
  server = await startServer({ port: 0, region: REGION });
  work = await mkdtemp(join(tmpdir(), 'kms-core-admin-cli-'));
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

if (CLIS.length === 0) {
  test('aws kms tag-resource …: NOT RUN — no AWS CLI on this machine (apt-get install awscli; .ci/run does)', () => {
    if (process.env.CI) throw new Error('CI is set but there is no AWS CLI: the test must run in CI (see .ci/run)');
    console.warn('server.admin.awscli.test.ts: no AWS CLI; the test did not run');
    expect(findAwsClis()).toEqual([]);
  });
}

for (const cli of CLIS) {
  test(`${cli}: create-key --tags, tag-resource, list-resource-tags, untag-resource, update-key-description, list-key-policies, get-key-last-usage, custom key stores`, async ({ task }) => {
    if (task.file.projectName !== 'node') return void expect(task.file.projectName).toBe('webcrypto');
    const cwd = join(work, `cli-${CLIS.indexOf(cli)}`);
    await mkdir(cwd, { recursive: true });
    const env = cleanEnv({ HOME: cwd, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: join(cwd, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'credentials') });
    const aws = async (...args: string[]) => {
      const r = await run(cli, ['--endpoint-url', server.url, '--output', 'json', 'kms', ...args], env, cwd);
      return { ...r, json: r.code === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
    };
    const ok = async (...args: string[]) => {
      const r = await aws(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.json;
    };

    // GetKeyLastUsage is newer than some CLIs (Debian 12's aws-cli 2.9.19 does not ship it: it
    // exits 252, "Invalid choice"). With such a CLI the same request goes to serve as the JSON
    // the CLI would send; the CLI's own refusal is checked, so a CLI that has it never gets here.
    /** The request as JSON 1.1 straight to serve (what the CLI would send), for set-up steps. */
    const json = async (op: string, body: unknown) => {
      const res = await fetch(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `TrentService.${op}` }, body: JSON.stringify(body) });
      expect(res.status, op).toBe(200);
      return (await res.json()) as any;
    };
    const lastUsage = async (keyId: string) => {
      const r = await aws('get-key-last-usage', '--key-id', keyId);
      if (r.code === 252 && r.stderr.includes('Invalid choice')) {
        expect(r.stderr).not.toMatch(/get-key-last-usage\s/);
        return (await json('GetKeyLastUsage', { KeyId: keyId })) as { KeyId: string; KeyLastUsage: { Operation: string; KmsRequestId: string } };
      }
      expect(r.code, `get-key-last-usage: ${r.stderr}`).toBe(0);
      return r.json;
    };

    const a = (await ok('create-key', '--tags', 'TagKey=env,TagValue=dev', 'TagKey=team,TagValue=core')).KeyMetadata.KeyId as string;
    const b = (await json('CreateKey', {})).KeyMetadata.KeyId as string;
    await ok('tag-resource', '--key-id', a, '--tags', 'TagKey=env,TagValue=test');
    await ok('untag-resource', '--key-id', a, '--tag-keys', 'team');
    expect((await ok('list-resource-tags', '--key-id', a)).Tags).toEqual([{ TagKey: 'env', TagValue: 'test' }]);
    await ok('update-key-description', '--key-id', a, '--description', 'renamed by the CLI');
    expect((await json('DescribeKey', { KeyId: a })).KeyMetadata.Description).toBe('renamed by the CLI');
    // The CLI pages by itself (list-key-policies is paginated), so it prints the names only.
    expect(await ok('list-key-policies', '--key-id', a)).toEqual({ PolicyNames: ['default'] });

    const ct = (await json('Encrypt', { KeyId: a, Plaintext: Buffer.from('cli').toString('base64') })).CiphertextBlob as string;
    await json('ReEncrypt', { CiphertextBlob: ct, DestinationKeyId: b });
    // The CLI reads a's last use (ReEncrypt as its source); b's (the destination) is read as JSON.
    for (const [k, u] of [[a, await lastUsage(a)], [b, await json('GetKeyLastUsage', { KeyId: b })]] as const) {
      expect(u.KeyId).toBe(k);
      expect(u.KeyLastUsage.Operation).toBe('ReEncrypt');
      expect(u.KeyLastUsage.KmsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    }

    expect((await ok('describe-custom-key-stores')).CustomKeyStores).toEqual([]);
    const del = await aws('delete-custom-key-store', '--custom-key-store-id', 'cks-1234567890abcdef0');
    expect(del.code).not.toBe(0);
    expect(del.stderr).toMatch(/An error occurred \(CustomKeyStoreNotFoundException\) when calling the DeleteCustomKeyStore operation/);
    const reserved = await aws('tag-resource', '--key-id', a, '--tags', 'TagKey=aws:name,TagValue=x');
    expect(reserved.stderr).toMatch(/\(TagException\) when calling the TagResource operation: Tags beginning with aws: are reserved/);
  });
}
