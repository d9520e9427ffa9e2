/**
 * The AWS CLI against the local endpoint: `aws kms re-encrypt --ciphertext-blob fileb://…
 * --source-key-id … --destination-key-id …` exactly as the AWS CLI reference shows it, plus
 * create-key, decrypt and an IncorrectKeyException.
 *
 * Every AWS CLI found is tested: the one `aws` on PATH resolves to, and Debian's
 * /usr/bin/aws (package awscli, AWS CLI v2) when that is another one. .ci/run installs
 * Debian's awscli. When no CLI exists the test cannot run; it then says so in its name and
 * its output, and fails when CI is set (process.env.CI): in CI a missing CLI is a broken
 * setup, not a pass.
 *
 * The CLI talks to the server over HTTP, so its wire format does not depend on the backend the
 * vitest project aliases: the CLI runs in the `node` project (an explicit check, not a skip);
 * test/server.sdk.test.ts drives the endpoint on both backends.
 */
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type KmsServer } from '../src/server/http.js';
import { dec } from './helpers/index.js';
import { findAwsClis } from './helpers/clients.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'eu-west-1';

// pyenv and similar shims resolve to different files that run the same CLI only by name; a
// shim and /usr/bin/aws stay two entries (test/helpers/clients.ts findAwsClis).
const findClis = findAwsClis;

const CLIS = findClis();

function cliEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_PAGER: '',
    AWS_CLI_AUTO_PROMPT: 'off',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs the CLI without blocking the event loop (the server runs in this process). */
function run(cli: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cli, args, { cwd, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('AWS CLI → kms-core endpoint', () => {
  let server: KmsServer;
  let sdk: KMSClient;
  let work: string;

  beforeAll(async () => {
    server = await startServer({ port: 0, region: REGION });
    sdk = new KMSClient({ endpoint: server.url, region: REGION, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
    work = await realpath(await mkdtemp(join(tmpdir(), 'kms-core-awscli-')));
  });
  afterAll(async () => {
    sdk.destroy();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  if (CLIS.length === 0) {
    test("aws kms re-encrypt: NOT RUN — no AWS CLI on this machine (apt-get install awscli; .ci/run does)", () => {
      const reason = 'no `aws` on PATH and no /usr/bin/aws';
      if (process.env.CI) throw new Error(`CI is set but ${reason}: the AWS CLI test must run in CI (see .ci/run)`);
      console.warn(`server.awscli.test.ts: ${reason}; the AWS CLI test did not run`);
      expect(findClis()).toEqual([]);
    });
  }

  for (const cli of CLIS) {
    test.concurrent(`${cli}: the README walk-through — create-key, encrypt, re-encrypt --ciphertext-blob fileb://… --source-key-id … --destination-key-id …, decrypt, IncorrectKeyException`, async ({ task }) => {
      if (task.file.projectName !== 'node') {
        expect(task.file.projectName).toBe('webcrypto');
        return;
      }
      // One directory per CLI: the tests run concurrently.
      const cwd = join(work, `cli-${CLIS.indexOf(cli)}`);
      await mkdir(cwd);
      const env = cliEnv(cwd);
      const aws = (...args: string[]) => run(cli, ['--endpoint-url', server.url, ...args], cwd, env);
      /** A shell pipeline, as the README writes it; `aws` is this CLI. */
      const sh = (line: string) => run('sh', ['-c', line.replaceAll('aws ', `'${cli}' --endpoint-url ${server.url} `)], cwd, env);

      // The README's walk-through: two keys, a file encrypted under the first…
      const [createdSrc, createdDst] = await Promise.all([
        aws('kms', 'create-key', '--description', 'source', '--output', 'json'),
        aws('kms', 'create-key', '--description', 'destination', '--output', 'json'),
      ]);
      expect(createdSrc.code, createdSrc.stderr).toBe(0);
      expect(createdDst.code, createdDst.stderr).toBe(0);
      const src = JSON.parse(createdSrc.stdout).KeyMetadata;
      const dst = JSON.parse(createdDst.stdout).KeyMetadata;
      expect(src.Arn).toMatch(new RegExp(`^arn:aws:kms:${REGION}:111122223333:key/`));
      expect(src.Description).toBe('source');
      await writeFile(join(cwd, 'plaintext.txt'), 'moved by the AWS CLI');
      const encrypted = await sh(`aws kms encrypt --key-id ${src.KeyId} --plaintext fileb://plaintext.txt --query CiphertextBlob --output text | base64 --decode > ExampleEncryptedFile`);
      expect(encrypted.code, encrypted.stderr).toBe(0);
      const { KeyId: encryptedUnder } = await sdk.send(new DecryptCommand({ CiphertextBlob: await readFile(join(cwd, 'ExampleEncryptedFile')) }));
      expect(encryptedUnder).toBe(src.Arn);

      // …moved to the second key, as in the AWS CLI reference (aws kms re-encrypt, example 1).
      const re = await aws(
        'kms', 're-encrypt',
        '--ciphertext-blob', 'fileb://ExampleEncryptedFile',
        '--source-key-id', src.KeyId,
        '--destination-key-id', dst.KeyId,
        '--output', 'json',
      );
      expect(re.code, re.stderr).toBe(0);
      const out = JSON.parse(re.stdout);
      expect(out.SourceKeyId).toBe(src.Arn);
      expect(out.KeyId).toBe(dst.Arn);
      expect(out.SourceEncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      expect(out.DestinationEncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      const moved = new Uint8Array(Buffer.from(out.CiphertextBlob, 'base64'));
      const d = await sdk.send(new DecryptCommand({ CiphertextBlob: moved }));
      expect(d.KeyId).toBe(dst.Arn);
      expect(dec(d.Plaintext)).toBe('moved by the AWS CLI');

      // Decrypt the moved ciphertext with the CLI; meanwhile, the wrong source key: the CLI
      // reports the AWS error by name.
      await writeFile(join(cwd, 'ExampleReEncryptedFile'), moved);
      const [plain, wrong] = await Promise.all([
        sh('aws kms decrypt --ciphertext-blob fileb://ExampleReEncryptedFile --query Plaintext --output text | base64 --decode'),
        aws('kms', 're-encrypt', '--ciphertext-blob', 'fileb://ExampleEncryptedFile', '--source-key-id', dst.KeyId, '--destination-key-id', src.KeyId),
      ]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toBe('moved by the AWS CLI');
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/An error occurred \(IncorrectKeyException\) when calling the ReEncrypt operation: The key ID in the request does not identify a CMK that can perform this operation\./);
    });
  }
});
