/**
 * Who may Sign, Verify and GenerateDataKeyPair*: grants (grant operations Sign / Verify on
 * SIGN_VERIFY keys, GenerateDataKeyPair* on symmetric keys, with encryption-context
 * constraints for the latter only), key-policy actions kms:Sign, kms:Verify,
 * kms:GenerateDataKeyPair, kms:GenerateDataKeyPairWithoutPlaintext, and the condition keys
 * kms:SigningAlgorithm, kms:MessageType (RAW when omitted) and kms:DataKeyPairSpec (Developer
 * Guide, "AWS KMS condition keys"; API_CreateGrant: Operations), across accounts too.
 */
import { describe, expect, test } from 'vitest';
import type { KeyMetadata, KeySpec, Kms } from '../src/index.js';
import type { KeyUsage } from '../src/keys/record.js';
import { ACCOUNT_B, ROLE_APP, SESSION_APP, SESSION_PARTNER, deniedMessage, enc, outcomeOf, policy, rootAll, twoAccounts } from './helpers/auth.js';
import { refuses } from './helpers/keys.js';

/** Account A's identity hook denies everything: its principals other than root hold only what grants and named policy statements give. */
function setup() {
  return twoAccounts({ identityPolicy: () => false }, {});
}

async function keyOf(kms: Kms, spec: KeySpec, usage: KeyUsage, text = policy(rootAll())): Promise<KeyMetadata> {
  return (await kms.createKey({ KeySpec: spec, KeyUsage: usage, Policy: text })).KeyMetadata!;
}

describe('grants', () => {
  test('a grant for Sign and Verify on a SIGN_VERIFY key lets its grantee sign and verify, and nothing else', async () => {
    const { a } = setup();
    const key = await keyOf(a, 'ECC_NIST_P256', 'SIGN_VERIFY');
    const app = a.as(SESSION_APP);
    const m = enc('granted');
    await refuses(app.sign({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'ECDSA_SHA_256' }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'Sign', key.Arn!, 'no-identity-policy'));
    const { GrantToken, GrantId } = await a.createGrant({ KeyId: key.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Sign'] });
    const sig = (await app.sign({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'ECDSA_SHA_256', GrantTokens: [GrantToken!] })).Signature!;
    await refuses(app.verify({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'ECDSA_SHA_256', Signature: sig }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'Verify', key.Arn!, 'no-identity-policy'));
    await refuses(app.getPublicKey({ KeyId: key.Arn }), 'AccessDeniedException');
    await a.createGrant({ KeyId: key.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Verify', 'GetPublicKey'] });
    expect((await app.verify({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'ECDSA_SHA_256', Signature: sig })).SignatureValid).toBe(true);
    expect((await app.getPublicKey({ KeyId: key.Arn })).PublicKey!.length).toBeGreaterThan(60);
    await a.revokeGrant({ KeyId: key.KeyId, GrantId: GrantId! });
    await refuses(app.sign({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'ECDSA_SHA_256' }), 'AccessDeniedException');
  });

  test('CreateGrant refuses operations the key does not support: Sign/Verify on symmetric keys, GenerateDataKeyPair* on asymmetric ones, constraints on SIGN_VERIFY keys', async () => {
    const { a } = setup();
    const sym = await keyOf(a, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const ed = await keyOf(a, 'ECC_NIST_EDWARDS25519', 'SIGN_VERIFY');
    const rsa = await keyOf(a, 'RSA_2048', 'ENCRYPT_DECRYPT');
    for (const op of ['Sign', 'Verify', 'GetPublicKey'] as const) await refuses(a.createGrant({ KeyId: sym.KeyId, GranteePrincipal: ROLE_APP, Operations: [op] }), 'ValidationException', new RegExp(`grant operation ${op}\\.$`));
    for (const op of ['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'Encrypt', 'Decrypt'] as const) {
      await refuses(a.createGrant({ KeyId: ed.KeyId, GranteePrincipal: ROLE_APP, Operations: [op] }), 'ValidationException', new RegExp(`grant operation ${op}\\.$`));
    }
    await refuses(a.createGrant({ KeyId: rsa.KeyId, GranteePrincipal: ROLE_APP, Operations: ['GenerateDataKeyPair'] }), 'ValidationException');
    await refuses(a.createGrant({ KeyId: rsa.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Sign'] }), 'ValidationException');
    await refuses(a.createGrant({ KeyId: ed.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Sign'], Constraints: { EncryptionContextSubset: { a: 'b' } } }), 'ValidationException');
    // The supported ones are accepted.
    await a.createGrant({ KeyId: sym.KeyId, GranteePrincipal: ROLE_APP, Operations: ['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'] });
    await a.createGrant({ KeyId: ed.KeyId, GranteePrincipal: ROLE_APP, Operations: ['Sign', 'Verify', 'GetPublicKey', 'DescribeKey'] });
  });

  test('a GenerateDataKeyPair grant with an EncryptionContextEquals constraint allows that context only; the two data-key-pair grant operations are separate', async () => {
    const { a } = setup();
    const sym = await keyOf(a, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const app = a.as(SESSION_APP);
    await a.createGrant({ KeyId: sym.KeyId, GranteePrincipal: ROLE_APP, Operations: ['GenerateDataKeyPair'], Constraints: { EncryptionContextEquals: { app: 'billing' } } });
    const ok = await app.generateDataKeyPair({ KeyId: sym.Arn, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { app: 'billing' } });
    expect(ok.PrivateKeyPlaintext![0]).toBe(0x30);
    await refuses(app.generateDataKeyPair({ KeyId: sym.Arn, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { app: 'billing', x: 'y' } }), 'AccessDeniedException');
    await refuses(app.generateDataKeyPair({ KeyId: sym.Arn, KeyPairSpec: 'ECC_NIST_P256' }), 'AccessDeniedException');
    await refuses(app.generateDataKeyPairWithoutPlaintext({ KeyId: sym.Arn, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { app: 'billing' } }), 'AccessDeniedException', deniedMessage(SESSION_APP, 'GenerateDataKeyPairWithoutPlaintext', sym.Arn!, 'no-identity-policy'));
    // The grantee cannot decrypt the private key it got back without a Decrypt permission.
    await refuses(app.decrypt({ CiphertextBlob: ok.PrivateKeyCiphertextBlob, EncryptionContext: { app: 'billing' } }), 'AccessDeniedException');
  });
});

describe('key policies and condition keys', () => {
  test('kms:SigningAlgorithm: an Allow for RSASSA_PSS_* only, an explicit Deny of RSASSA_PKCS1_V1_5_SHA_512; authorization before the algorithm check', async () => {
    const { a } = setup();
    const text = policy(
      rootAll(),
      { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: ['kms:Sign', 'kms:Verify'], Condition: { StringLike: { 'kms:SigningAlgorithm': 'RSASSA_PSS_*' } } },
      { Effect: 'Deny', Principal: { AWS: ROLE_APP }, Action: 'kms:Sign', Condition: { StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_512' } } },
    );
    const key = await keyOf(a, 'RSA_2048', 'SIGN_VERIFY', text);
    const app = a.as(SESSION_APP);
    const m = enc('policy');
    const sig = (await app.sign({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'RSASSA_PSS_SHA_384' })).Signature!;
    expect((await app.verify({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'RSASSA_PSS_SHA_384', Signature: sig })).SignatureValid).toBe(true);
    expect(await outcomeOf(app.sign({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }))).toBe('no-identity-policy');
    expect(await outcomeOf(app.sign({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_512' }))).toBe('explicit-deny');
    // Authorization comes before the algorithm check: a denied caller learns nothing about the key.
    expect(await outcomeOf(app.sign({ KeyId: key.Arn, Message: m, SigningAlgorithm: 'ECDSA_SHA_256' }))).toBe('no-identity-policy');
  });

  test('kms:MessageType: a statement for RAW matches a request that omits MessageType (its default), not a DIGEST', async () => {
    const { a } = setup();
    const text = policy(rootAll(), { Effect: 'Allow', Principal: { AWS: ROLE_APP }, Action: 'kms:Sign', Condition: { StringEquals: { 'kms:MessageType': 'RAW' } } });
    const key = await keyOf(a, 'ECC_NIST_P384', 'SIGN_VERIFY', text);
    const app = a.as(SESSION_APP);
    expect(await outcomeOf(app.sign({ KeyId: key.Arn, Message: enc('raw'), SigningAlgorithm: 'ECDSA_SHA_384' }))).toBe('allowed');
    expect(await outcomeOf(app.sign({ KeyId: key.Arn, Message: enc('raw'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_384' }))).toBe('allowed');
    expect(await outcomeOf(app.sign({ KeyId: key.Arn, Message: new Uint8Array(48), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_384' }))).toBe('no-identity-policy');
  });

  test('kms:DataKeyPairSpec with kms:EncryptionContext: only ECC pairs for the tenant; WithoutPlaintext is its own action', async () => {
    const { a } = setup();
    const text = policy(rootAll(), {
      Effect: 'Allow',
      Principal: { AWS: ROLE_APP },
      Action: 'kms:GenerateDataKeyPair',
      Condition: { StringLike: { 'kms:DataKeyPairSpec': 'ECC_*' }, StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
    });
    const key = (await a.createKey({ Policy: text })).KeyMetadata!;
    const app = a.as(SESSION_APP);
    const ctx = { tenant: 'acme' };
    expect(await outcomeOf(app.generateDataKeyPair({ KeyId: key.Arn, KeyPairSpec: 'ECC_NIST_EDWARDS25519', EncryptionContext: ctx }))).toBe('allowed');
    expect(await outcomeOf(app.generateDataKeyPair({ KeyId: key.Arn, KeyPairSpec: 'RSA_2048', EncryptionContext: ctx }))).toBe('no-identity-policy');
    expect(await outcomeOf(app.generateDataKeyPair({ KeyId: key.Arn, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { tenant: 'other' } }))).toBe('no-identity-policy');
    expect(await outcomeOf(app.generateDataKeyPairWithoutPlaintext({ KeyId: key.Arn, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: ctx }))).toBe('no-identity-policy');
  });

  test('the identity hook sees kms:SigningAlgorithm, kms:MessageType and kms:DataKeyPairSpec in the request context', async () => {
    const seen: { action: string; context: Record<string, unknown> }[] = [];
    const { a } = twoAccounts({
      identityPolicy: (r) => {
        seen.push({ action: r.action, context: r.context as Record<string, unknown> });
        return true;
      },
    });
    const ec = await keyOf(a, 'ECC_NIST_P256', 'SIGN_VERIFY');
    const sym = (await a.createKey()).KeyMetadata!;
    const app = a.as(SESSION_APP);
    await app.sign({ KeyId: ec.KeyId, Message: new Uint8Array(32), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
    await app.generateDataKeyPairWithoutPlaintext({ KeyId: sym.KeyId, KeyPairSpec: 'ECC_SECG_P256K1' });
    const sign = seen.find((s) => s.action === 'kms:Sign')!;
    const pair = seen.find((s) => s.action === 'kms:GenerateDataKeyPairWithoutPlaintext')!;
    expect(JSON.stringify(sign.context)).toContain('ECDSA_SHA_256');
    expect(JSON.stringify(sign.context)).toContain('DIGEST');
    expect(JSON.stringify(pair.context)).toContain('ECC_SECG_P256K1');
  });

  test('across accounts: Sign and Verify with another account\'s key by key ARN when its key policy allows it', async () => {
    const { a, b } = setup();
    const text = policy(rootAll(), { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_B}:root` }, Action: ['kms:Sign', 'kms:Verify', 'kms:GenerateDataKeyPair'] });
    const ec = await keyOf(a, 'ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', text);
    const partner = b.as(SESSION_PARTNER);
    const m = enc('across accounts');
    const sig = (await partner.sign({ KeyId: ec.Arn, Message: m, SigningAlgorithm: 'ED25519_SHA_512' })).Signature!;
    expect((await a.verify({ KeyId: ec.KeyId, Message: m, SigningAlgorithm: 'ED25519_SHA_512', Signature: sig })).SignatureValid).toBe(true);
    expect((await partner.verify({ KeyId: ec.Arn, Message: m, SigningAlgorithm: 'ED25519_SHA_512', Signature: sig })).KeyId).toBe(ec.Arn);
    await refuses(partner.sign({ KeyId: ec.KeyId, Message: m, SigningAlgorithm: 'ED25519_SHA_512' }), 'NotFoundException');
  });
});
