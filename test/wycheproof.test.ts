/**
 * Project Wycheproof (C2SP/wycheproof), an oracle nobody on this project wrote, mapped onto KMS
 * semantics as test/vectors/wycheproof/README.md says:
 * - RSA-OAEP: each private key imported as a KMS RSA key through the key-store snapshot;
 *   `valid` with an empty label → the message; anything else (invalid, a label, an MGF1 hash
 *   other than the OAEP hash) → the same InvalidCiphertextException.
 * (AES-GCM runs against every backend in test/backend.test.ts.)
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError } from '../src/index.js';
import { wycheproof } from './helpers/wycheproof.js';

interface OaepTest { tcId: number; comment: string; msg: string; ct: string; label: string; result: 'valid' | 'invalid' | 'acceptable' }
interface OaepGroup { keySize: number; sha: string; mgfSha: string; privateKeyPkcs8: string; tests: OaepTest[] }

const SPEC: Record<number, string> = { 2048: 'RSA_2048', 3072: 'RSA_3072', 4096: 'RSA_4096' };
const ALG: Record<string, 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256'> = { 'SHA-1': 'RSAES_OAEP_SHA_1', 'SHA-256': 'RSAES_OAEP_SHA_256' };

function kmsWith(group: OaepGroup, i: number) {
  const pkcs8 = Buffer.from(group.privateKeyPkcs8, 'hex');
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  const keyId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
  const snapshot = {
    format: 'kms-core/key-store',
    version: 1,
    keys: [{
      KeyId: keyId, Arn: arn, AccountId: '111122223333', Region: 'us-east-1', KeySpec: SPEC[group.keySize], KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS', Description: 'wycheproof', MultiRegion: false, CreationDate: '2026-01-01T00:00:00Z', KeyState: 'Enabled', RotationEnabled: false,
      KeyMaterial: [{ KeyMaterialId: 'ab'.repeat(32), Material: pkcs8.toString('base64'), PublicKey: spki.toString('base64'), CreatedAt: '2026-01-01T00:00:00Z' }],
    }],
    aliases: [],
  };
  return { kms: new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(snapshot) }), arn };
}

const files = [
  'rsa_oaep_2048_sha1_mgf1sha1_test.json',
  'rsa_oaep_2048_sha256_mgf1sha1_test.json',
  'rsa_oaep_2048_sha256_mgf1sha256_test.json',
  'rsa_oaep_3072_sha256_mgf1sha256_test.json',
  'rsa_oaep_4096_sha256_mgf1sha256_test.json',
  'rsa_oaep_misc_test.json',
];

describe('Wycheproof RSA-OAEP through Kms.decrypt', () => {
  let n = 0;
  for (const file of files) {
    const groups = (wycheproof<{ testGroups: OaepGroup[] }>(file).testGroups).filter((g) => SPEC[g.keySize] && ALG[g.sha]);
    test(`${file}: ${groups.reduce((s, g) => s + g.tests.length, 0)} cases`, async () => {
      expect(groups.length).toBeGreaterThan(0);
      let decrypted = 0;
      for (const g of groups) {
        const { kms, arn } = kmsWith(g, n++);
        const sameMgf = g.mgfSha === g.sha;
        for (const t of g.tests) {
          const call = kms.decrypt({ CiphertextBlob: Buffer.from(t.ct, 'hex'), KeyId: arn, EncryptionAlgorithm: ALG[g.sha]! });
          if (t.result === 'valid' && t.label === '' && sameMgf) {
            const out = await call;
            expect(Buffer.from(out.Plaintext!).toString('hex'), `tcId ${t.tcId} ${t.comment}`).toBe(t.msg);
            decrypted++;
          } else {
            const err = await call.then(() => undefined, (e) => e);
            expect(err, `tcId ${t.tcId} ${t.comment} must fail`).toBeInstanceOf(KmsError);
            // An empty CiphertextBlob breaks the API model's length ≥ 1 before any decryption.
            const want = t.ct === '' ? 'ValidationException' : 'InvalidCiphertextException';
            expect(err.name, `tcId ${t.tcId}`).toBe(want);
            if (want === 'InvalidCiphertextException') expect(err.message).toBe('');
          }
        }
      }
      if (!file.includes('sha256_mgf1sha1')) expect(decrypted).toBeGreaterThan(0);
    }, 60_000);
  }
});
