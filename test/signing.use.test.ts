/** The Sign / Verify cores the handlers call (src/algorithms/signing/use.ts). */
import { expect, test } from 'vitest';
import { signWithKey, verifyWithKey, signingRowFor } from '../src/algorithms/signing/use.js';
import type { KeyRecord, KeySpec, KeyUsage } from '../src/keys/record.js';
import { nobleBackend } from '../src/backend/noble.js';
import { envFor, newSigningKey } from './helpers/signing.js';
import { refuses, refusesSync } from './helpers/keys.js';

const env = envFor(nobleBackend);

async function record(keySpec: KeySpec, keyUsage: KeyUsage = 'SIGN_VERIFY'): Promise<KeyRecord> {
  const arn = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001';
  return {
    keyId: '00000000-0000-4000-8000-000000000001', arn, accountId: '111122223333', region: 'us-east-1', keySpec, keyUsage, origin: 'AWS_KMS',
    description: '', multiRegion: false, creationDate: 0, keyState: 'Enabled', rotationEnabled: false, material: [await newSigningKey(env, keySpec)],
  };
}

test("Precondition: the key's KeyUsage is SIGN_VERIFY.", async () => {
  const rec = await record('SM2', 'ENCRYPT_DECRYPT');
  refusesSync(() => signingRowFor(rec, 'SM2DSA', 'Sign'), 'InvalidKeyUsageException', `${rec.arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`);
});

test("Precondition: the algorithm is one of the key spec's signing algorithms.", async () => {
  const rec = await record('ECC_NIST_P384');
  for (const alg of ['ECDSA_SHA_256', 'ECDSA_SHA_512', 'RSASSA_PSS_SHA_384', 'SYMMETRIC_DEFAULT', 'toString', '__proto__']) {
    await refuses(signWithKey(env, rec, alg, new Uint8Array(8)), 'InvalidKeyUsageException', `Algorithm ${alg} is incompatible with key spec ECC_NIST_P384.`);
  }
  expect(signingRowFor(rec, 'ECDSA_SHA_384', 'Sign').name).toBe('ECDSA_SHA_384');
});

test('Sign then Verify; a wrong signature, message or MessageType is KMSInvalidSignatureException, a bad length ValidationException', async () => {
  const rec = await record('ECC_NIST_EDWARDS25519');
  const msg = new TextEncoder().encode('hello');
  const sig = await signWithKey(env, rec, 'ED25519_SHA_512', msg);
  await expect(verifyWithKey(env, rec, 'ED25519_SHA_512', msg, 'RAW', sig)).resolves.toBeUndefined();
  await refuses(verifyWithKey(env, rec, 'ED25519_SHA_512', new TextEncoder().encode('hellO'), 'RAW', sig), 'KMSInvalidSignatureException', '');
  await refuses(verifyWithKey(env, rec, 'ED25519_SHA_512', msg, 'RAW', sig.subarray(1)), 'KMSInvalidSignatureException', '');
  await refuses(verifyWithKey(env, rec, 'ED25519_PH_SHA_512', new Uint8Array(64), 'DIGEST', sig), 'KMSInvalidSignatureException', '');
  await refuses(verifyWithKey(env, rec, 'ED25519_PH_SHA_512', new Uint8Array(63), 'DIGEST', sig), 'ValidationException', 'Digest is invalid length for algorithm ED25519_PH_SHA_512.');
  await refuses(signWithKey(env, rec, 'ED25519_SHA_512', new Uint8Array(64), 'DIGEST'), 'ValidationException', 'Message type DIGEST is incompatible with algorithm ED25519_SHA_512.');
});
