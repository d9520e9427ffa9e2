/**
 * The Developer Guide's BYOK flow with the AWS CLI against `kms-core serve` (the real binary,
 * bin/kms-core.js, with a --data directory): create-key --origin EXTERNAL,
 * get-parameters-for-import, the wrapping with `openssl pkeyutl -encrypt` exactly as "Step 3:
 * Encrypt the key material" writes it, import-key-material with fileb:// files, and the key
 * encrypts — under exactly the imported material (the blob opens with PlaintextKeyMaterial.bin
 * by vectors/FORMAT.md and node:crypto alone) — and keeps it across a restart.
 *
 * Every AWS CLI found is tested (test/helpers/awscli.ts); with none, the test says so in its name
 * and fails when CI is set. Each `aws` start costs about a second of Python CPU: the first CLI
 * found runs the whole flow (the refusals, describe-key, the restart, delete-imported-key-material);
 * any other runs the Guide's flow itself — create-key, get-parameters-for-import, openssl
 * pkeyutl, import-key-material, encrypt, decrypt — since the server's answers to the rest do not
 * depend on which CLI asks (test/server.awscli.test.ts shows every CLI naming AWS errors). The CLI talks HTTP to a child process, so nothing here depends on the
 * vitest project's backend: the `node` project runs it (an explicit check, not a skip).
 */
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cliEnv, findClis, run } from './helpers/awscli.js';
import { cleanup, serveBin, type Child } from './helpers/serve.js';
import { openV1WithMaterial } from './helpers/wrap.js';

const REGION = 'eu-central-1';
const CLIS = findClis();

describe('AWS CLI → kms-core serve: importing key material (BYOK)', () => {
  let work: string;
  beforeAll(async () => {
    work = await realpath(await mkdtemp(join(tmpdir(), 'kms-core-awscli-byok-')));
  });
  afterAll(async () => {
    cleanup();
    await rm(work, { recursive: true, force: true });
  });

  if (CLIS.length === 0) {
    test('aws kms import-key-material: NOT RUN — no AWS CLI on this machine (apt-get install awscli; .ci/run does)', () => {
      const reason = 'no `aws` on PATH and no /usr/bin/aws';
      if (process.env.CI) throw new Error(`CI is set but ${reason}: the AWS CLI test must run in CI (see .ci/run)`);
      console.warn(`server.awscli.import.test.ts: ${reason}; the AWS CLI BYOK test did not run`);
      expect(findClis()).toEqual([]);
    });
  }

  for (const cli of CLIS) {
    const full = CLIS.indexOf(cli) === 0;
    test(`${cli}: create-key --origin EXTERNAL, get-parameters-for-import, openssl pkeyutl -encrypt, import-key-material, encrypt / decrypt${full ? ', a restart' : ''}`, async ({ task }) => {
      if (task.file.projectName !== 'node') {
        expect(task.file.projectName).toBe('webcrypto');
        return;
      }
      const cwd = join(work, `cli-${CLIS.indexOf(cli)}`);
      const data = join(cwd, 'data');
      await mkdir(data, { recursive: true });
      const env = cliEnv(cwd, REGION);
      let server: Child = await serveBin(['--data', data, '--region', REGION]);
      const sh = (line: string) => run('sh', ['-c', line.replaceAll('aws ', `'${cli}' --endpoint-url ${server.url} `)], cwd, env);
      const ok = async (line: string) => {
        const r = await sh(line);
        expect(r.code, `${line}\n${r.stderr}`).toBe(0);
        return r.stdout;
      };

      // Step 1: a KMS key with no key material.
      const key = JSON.parse(await ok('aws kms create-key --origin EXTERNAL --description byok --output json')).KeyMetadata;
      expect(key).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false });
      const KeyId = key.KeyId as string;
      // Step 2: the wrapping public key and import token, saved as the Guide saves them.
      await ok(
        `aws kms get-parameters-for-import --key-id ${KeyId} --wrapping-algorithm RSAES_OAEP_SHA_256 --wrapping-key-spec RSA_2048 --output json > GetParametersForImport.json`,
      );
      const params = JSON.parse(await readFile(join(cwd, 'GetParametersForImport.json'), 'utf8'));
      expect(params.KeyId).toBe(key.Arn);
      // AWS CLI v1 prints timestamps as epoch seconds, v2 as ISO 8601: 24 hours from now either way.
      const validTo = typeof params.ParametersValidTo === 'number' ? params.ParametersValidTo * 1000 : Date.parse(params.ParametersValidTo);
      expect(Math.abs(validTo - (Date.now() + 24 * 3_600_000))).toBeLessThan(10 * 60_000);
      await writeFile(join(cwd, 'WrappingPublicKey.b64'), params.PublicKey);
      await writeFile(join(cwd, 'ImportToken.b64'), params.ImportToken);
      await ok('openssl enc -d -base64 -A -in WrappingPublicKey.b64 -out WrappingPublicKey.bin');
      await ok('openssl enc -d -base64 -A -in ImportToken.b64 -out ImportToken.bin');
      // Step 3: key material, encrypted with openssl pkeyutl as the Developer Guide writes it.
      await ok('openssl rand -out PlaintextKeyMaterial.bin 32');
      await ok(
        'openssl pkeyutl -encrypt -in PlaintextKeyMaterial.bin -out EncryptedKeyMaterial.bin -inkey WrappingPublicKey.bin -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256',
      );
      // Step 4: import. Without --expiration-model the default (KEY_MATERIAL_EXPIRES) needs --valid-to.
      if (full) {
        const noExpiry = await sh(`aws kms import-key-material --key-id ${KeyId} --encrypted-key-material fileb://EncryptedKeyMaterial.bin --import-token fileb://ImportToken.bin`);
        expect(noExpiry.code).not.toBe(0);
        expect(noExpiry.stderr).toMatch(/\(ValidationException\) when calling the ImportKeyMaterial operation: ValidTo is required/);
      }
      await ok(
        `aws kms import-key-material --key-id ${KeyId} --encrypted-key-material fileb://EncryptedKeyMaterial.bin --import-token fileb://ImportToken.bin --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE`,
      );
      await writeFile(join(cwd, 'plaintext.txt'), 'encrypted under my own key material');
      const encrypt = `aws kms encrypt --key-id ${KeyId} --plaintext fileb://plaintext.txt --query CiphertextBlob --output text | openssl enc -d -base64 -A -out ExampleEncryptedFile`;
      if (full) {
        // In parallel: the used token again, describe-key, and the key encrypting.
        const [used, described] = await Promise.all([
          sh(`aws kms import-key-material --key-id ${KeyId} --encrypted-key-material fileb://EncryptedKeyMaterial.bin --import-token fileb://ImportToken.bin --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE`),
          ok(`aws kms describe-key --key-id ${KeyId} --output json`),
          ok(encrypt),
        ]);
        expect(used.stderr).toMatch(/\(InvalidImportTokenException\) when calling the ImportKeyMaterial operation/);
        expect(JSON.parse(described).KeyMetadata).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
      } else {
        await ok(encrypt);
      }

      // The key encrypted with exactly the imported material.
      const blob = new Uint8Array(await readFile(join(cwd, 'ExampleEncryptedFile')));
      const material = new Uint8Array(await readFile(join(cwd, 'PlaintextKeyMaterial.bin')));
      expect(Buffer.from(openV1WithMaterial(material, blob) ?? []).toString()).toBe('encrypted under my own key material');
      expect(await ok('aws kms decrypt --ciphertext-blob fileb://ExampleEncryptedFile --query Plaintext --output text | openssl enc -d -base64 -A')).toBe('encrypted under my own key material');

      if (!full) {
        server.proc.kill('SIGTERM');
        await server.exit;
        return;
      }
      // A restart of kms-core serve on the same --data keeps the imported material.
      server.proc.kill('SIGTERM');
      await server.exit;
      server = await serveBin(['--data', data, '--region', REGION]);
      expect(await ok('aws kms decrypt --ciphertext-blob fileb://ExampleEncryptedFile --query Plaintext --output text | openssl enc -d -base64 -A')).toBe('encrypted under my own key material');
      // Delete the material: the key is PendingImport and the CLI shows AWS's error.
      await ok(`aws kms delete-imported-key-material --key-id ${KeyId}`);
      const refused = await sh('aws kms decrypt --ciphertext-blob fileb://ExampleEncryptedFile');
      expect(refused.stderr).toMatch(new RegExp(`\\(KMSInvalidStateException\\) when calling the Decrypt operation: ${key.Arn} is pending import\\.`));
      server.proc.kill('SIGTERM');
      await server.exit;
    });
  }
});
