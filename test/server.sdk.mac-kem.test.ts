/**
 * `kms-core serve --data DIR` (bin/kms-core.js, the built CLI, as a child process) driven by the
 * AWS SDK for JavaScript v3 (@aws-sdk/client-kms ≥ 3.1160): GenerateMac / VerifyMac,
 * DeriveSharedSecret (equal to what node:crypto derives from the other side), Encapsulate /
 * Decapsulate (EncapsulateCommand, DecapsulateCommand), GenerateRandom, the SDK's own error
 * classes, and the HMAC, KEY_AGREEMENT and ML-KEM keys surviving a restart on the same
 * directory (the journaled file store).
 */
import {
  CreateKeyCommand,
  DecapsulateCommand,
  DeriveSharedSecretCommand,
  EncapsulateCommand,
  GenerateMacCommand,
  GenerateRandomCommand,
  GetPublicKeyCommand,
  InvalidCiphertextException,
  KMSClient,
  KMSInvalidMacException,
  KMSServiceException,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { enc } from './helpers/index.js';
import { cleanup, serveBin, type Child } from './helpers/serve.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let dir: string;
let server: Child;
const clients: KMSClient[] = [];

function connect(url: string): KMSClient {
  const c = new KMSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, maxAttempts: 1 });
  clients.push(c);
  return c;
}

async function sdkRejects(p: Promise<unknown>, cls: abstract new (...a: never[]) => KMSServiceException, name: string): Promise<KMSServiceException> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${name}`).toBeInstanceOf(cls);
  expect((err as KMSServiceException).name).toBe(name);
  expect((err as KMSServiceException).$metadata.httpStatusCode).toBe(400);
  return err as KMSServiceException;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-core-mac-kem-'));
  server = await serveBin(['--data', dir]);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  cleanup();
  await rm(dir, { recursive: true, force: true });
});

test('GenerateMac, VerifyMac, DeriveSharedSecret, Encapsulate, Decapsulate, GenerateRandom through the SDK; the keys work the same after a restart on the same directory', async () => {
  let kms = connect(server.url);
  // ── HMAC ──
  const hmacKey = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
  expect(hmacKey.MacAlgorithms).toEqual(['HMAC_SHA_384']);
  const message = enc('invoice 42');
  const mac = await kms.send(new GenerateMacCommand({ KeyId: hmacKey.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_384' }));
  expect(mac.Mac).toHaveLength(48);
  expect(mac.KeyId).toBe(hmacKey.Arn);
  const ok = await kms.send(new VerifyMacCommand({ KeyId: hmacKey.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_384', Mac: mac.Mac }));
  expect(ok).toMatchObject({ KeyId: hmacKey.Arn, MacValid: true, MacAlgorithm: 'HMAC_SHA_384' });
  const flipped = Uint8Array.from(mac.Mac!);
  flipped[0]! ^= 1;
  await sdkRejects(kms.send(new VerifyMacCommand({ KeyId: hmacKey.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_384', Mac: flipped })), KMSInvalidMacException, 'KMSInvalidMacException');

  // ── ECDH: KMS derives what node:crypto derives from the other side ──
  const ecKey = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }))).KeyMetadata!;
  const ecPub = (await kms.send(new GetPublicKeyCommand({ KeyId: ecKey.KeyId }))).PublicKey!;
  const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const peerSpki = new Uint8Array(peer.publicKey.export({ format: 'der', type: 'spki' }));
  const derived = await kms.send(new DeriveSharedSecretCommand({ KeyId: ecKey.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki }));
  const theirs = diffieHellman({ privateKey: peer.privateKey, publicKey: createPublicKey({ key: Buffer.from(ecPub), format: 'der', type: 'spki' }) });
  expect(Buffer.from(derived.SharedSecret!).toString('hex')).toBe(theirs.toString('hex'));
  expect(derived).toMatchObject({ KeyId: ecKey.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
  await sdkRejects(kms.send(new DeriveSharedSecretCommand({ KeyId: ecKey.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: enc('InvalidPublicKey') })), KMSServiceException, 'ValidationException');

  // ── ML-KEM ──
  const kemKey = (await kms.send(new CreateKeyCommand({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }))).KeyMetadata!;
  expect(kemKey.EncapsulationAlgorithms).toEqual(['ML_KEM']);
  const e = await kms.send(new EncapsulateCommand({ KeyId: kemKey.KeyId, EncapsulationAlgorithm: 'ML_KEM' }));
  expect(e.SharedSecret).toHaveLength(32);
  expect(e.SharedSecretCiphertextBlob).toHaveLength(1088);
  const d = await kms.send(new DecapsulateCommand({ KeyId: kemKey.KeyId, SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob, EncapsulationAlgorithm: 'ML_KEM' }));
  expect(d.SharedSecret).toEqual(e.SharedSecret);
  expect(d.KeyId).toBe(kemKey.Arn);
  await sdkRejects(kms.send(new DecapsulateCommand({ KeyId: kemKey.KeyId, SharedSecretCiphertextBlob: new Uint8Array(1087), EncapsulationAlgorithm: 'ML_KEM' })), InvalidCiphertextException, 'InvalidCiphertextException');

  // ── GenerateRandom ──
  const r = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }));
  expect(r.Plaintext).toHaveLength(1024);
  await sdkRejects(kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), KMSServiceException, 'ValidationException');

  // ── restart on the same directory: the three keys are read back from the journal ──
  kms.destroy();
  server.proc.kill('SIGTERM');
  expect(await server.exit).toEqual({ code: 0, signal: null });
  server = await serveBin(['--data', dir]);
  kms = connect(server.url);
  expect((await kms.send(new GenerateMacCommand({ KeyId: hmacKey.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_384' }))).Mac).toEqual(mac.Mac);
  expect((await kms.send(new DeriveSharedSecretCommand({ KeyId: ecKey.Arn, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki }))).SharedSecret).toEqual(derived.SharedSecret);
  expect((await kms.send(new DecapsulateCommand({ KeyId: kemKey.Arn, SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob, EncapsulationAlgorithm: 'ML_KEM' }))).SharedSecret).toEqual(e.SharedSecret);
  expect((await kms.send(new GetPublicKeyCommand({ KeyId: ecKey.KeyId }))).PublicKey).toEqual(ecPub);
}, 120_000);
