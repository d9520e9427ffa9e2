/**
 * From outside: the real `kms-core serve` (bin/kms-core.js, a child process) and an
 * @aws-sdk/client-kms v3 client over HTTP. The client creates an ECC_NIST_P256 SIGN_VERIFY key,
 * signs, and `openssl` verifies the signature with the SPKI from GetPublicKey; Verify answers
 * SignatureValid or the SDK's KMSInvalidSignatureException; GenerateDataKeyPair's private key
 * comes back through Decrypt; an unsupported usage is the SDK's InvalidKeyUsageException.
 * Needs dist/ (`npm run build`, which `npm test` runs first).
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  GenerateDataKeyPairCommand,
  GetPublicKeyCommand,
  InvalidKeyUsageException,
  KMSClient,
  KMSInvalidSignatureException,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openssl } from './helpers/oracles.js';
import { cleanup, serveBin, type Child } from './helpers/serve.js';
import { der2pem, hex, opensslOk } from './helpers/signing.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

describe('AWS SDK v3 against `kms-core serve`: Sign, Verify, GenerateDataKeyPair', () => {
  let child: Child;
  let kms: KMSClient;
  beforeAll(async () => {
    child = await serveBin(['--region', 'eu-west-1']);
    kms = new KMSClient({ endpoint: child.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, maxAttempts: 1 });
  });
  afterAll(() => {
    kms?.destroy();
    cleanup();
  });

  test('an ECC_NIST_P256 key signs through the SDK and `openssl dgst -sha256 -verify` verifies with the key from GetPublicKey', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'signer' }));
    expect(KeyMetadata!.SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
    expect(KeyMetadata!.Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    const message = new TextEncoder().encode('signed through kms-core serve');
    const signed = await kms.send(new SignCommand({ KeyId: KeyMetadata!.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(signed.KeyId).toBe(KeyMetadata!.Arn);
    expect(signed.SigningAlgorithm).toBe('ECDSA_SHA_256');
    expect(signed.Signature![0]).toBe(0x30); // DER ECDSA-Sig-Value
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.Arn }));
    expect(pub.KeySpec).toBe('ECC_NIST_P256');
    expect(pub.SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
    const files = { 'pub.pem': der2pem(pub.PublicKey!, 'PUBLIC KEY'), sig: signed.Signature!, msg: message };
    // `openssl dgst` exits 0 and prints "Verified OK" only for a signature that verifies.
    const out = openssl(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig', '-out', 'result.txt', 'msg'], files, 'result.txt').toString('utf8');
    expect(out.trim()).toBe('Verified OK');
    expect(opensslOk(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig', 'msg'], { ...files, msg: new TextEncoder().encode('another message') })).toBe(false);

    // And back: an OpenSSL-made DIGEST of the message verifies through the SDK as DIGEST.
    const digest = new Uint8Array(openssl(['dgst', '-sha256', '-binary', '-out', 'd.bin', 'msg'], { msg: message }, 'd.bin'));
    const ok = await kms.send(new VerifyCommand({ KeyId: KeyMetadata!.KeyId, Message: digest, MessageType: 'DIGEST', Signature: signed.Signature, SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(ok.SignatureValid).toBe(true);
    const bad = signed.Signature!.slice();
    bad[bad.length - 1]! ^= 1;
    const err = await kms.send(new VerifyCommand({ KeyId: KeyMetadata!.KeyId, Message: message, Signature: bad, SigningAlgorithm: 'ECDSA_SHA_256' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KMSInvalidSignatureException);
    expect((err as KMSInvalidSignatureException).$metadata.httpStatusCode).toBe(400);
  });

  test('GenerateDataKeyPair through the SDK: SPKI + PKCS#8 that OpenSSL pairs, and Decrypt of PrivateKeyCiphertextBlob; a signing key is InvalidKeyUsageException', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: KeyMetadata!.KeyId, KeyPairSpec: 'ECC_NIST_EDWARDS25519', EncryptionContext: { via: 'sdk' } }));
    expect(pair.KeyPairSpec).toBe('ECC_NIST_EDWARDS25519');
    expect(pair.KeyMaterialId).toBe(KeyMetadata!.CurrentKeyMaterialId);
    const derived = openssl(['pkey', '-in', 'key.pem', '-pubout', '-outform', 'DER', '-out', 'pub.der'], { 'key.pem': der2pem(pair.PrivateKeyPlaintext!, 'PRIVATE KEY') }, 'pub.der');
    expect(hex(derived)).toBe(hex(pair.PublicKey!));
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { via: 'sdk' } }));
    expect(hex(d.Plaintext!)).toBe(hex(pair.PrivateKeyPlaintext!));
    const signer = (await kms.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    const e = await kms.send(new GenerateDataKeyPairCommand({ KeyId: signer.KeyId, KeyPairSpec: 'RSA_2048' })).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(InvalidKeyUsageException);
    expect((e as Error).message).toBe(`${signer.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair.`);
  });
});
