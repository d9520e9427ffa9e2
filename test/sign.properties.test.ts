/**
 * Sign and Verify through the Kms API: properties (round trip for any message of 1..4096
 * bytes; a flipped bit of the message or of the signature, or any other bytes, is
 * KMSInvalidSignatureException and never SignatureValid false), the preconditions in AWS's
 * order (key usage, algorithm for the key spec, MessageType and length, DryRun), key states,
 * identifiers, ECDSA signatures not low-S normalised (as AWS), and the Message wiped after use.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type MessageType, type SigningAlgorithmSpec } from '../src/index.js';
import type { KeySpec } from '../src/keys/record.js';
import { EC_CURVES, ecdsaDerDecode, ecdsaDerEncode } from '../src/primitives/ec-keys.js';
import { refuses } from './helpers/keys.js';

const enc = (s: string) => new TextEncoder().encode(s);
const RAW_TOO_LONG = "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096";

async function signingKey(kms: Kms, spec: KeySpec) {
  return (await kms.createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
}

/** One key per (Kms, spec) for the tests that leave it as they found it (RSA key generation is slow). */
const shared = new WeakMap<Kms, Map<KeySpec, ReturnType<typeof signingKey>>>();
function sharedKey(kms: Kms, spec: KeySpec) {
  const m = shared.get(kms) ?? (shared.set(kms, new Map()), shared.get(kms)!);
  if (!m.has(spec)) m.set(spec, signingKey(kms, spec));
  return m.get(spec)!;
}

const PAIRS: [KeySpec, SigningAlgorithmSpec, MessageType, number | undefined][] = [
  ['RSA_2048', 'RSASSA_PSS_SHA_256', 'RAW', undefined],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384', 'DIGEST', 48],
  ['ECC_NIST_P256', 'ECDSA_SHA_256', 'RAW', undefined],
  ['ECC_NIST_P521', 'ECDSA_SHA_512', 'DIGEST', 64],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'RAW', undefined],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'RAW', undefined],
  ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST', 64],
  ['SM2', 'SM2DSA', 'RAW', undefined],
  ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'RAW', undefined],
  ['ML_DSA_65', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', 64],
];

describe('Sign / Verify properties through the Kms API', () => {
  const kms = new Kms({ region: 'cn-north-1' }); // every signing spec, SM2 included, exists here

  test.each(PAIRS)('%s %s %s: round trip; one flipped bit of message or signature, or other bytes → KMSInvalidSignatureException', async (spec, alg, type, fixed) => {
    const key = await sharedKey(kms, spec);
    const message = fixed ? fc.uint8Array({ minLength: fixed, maxLength: fixed }) : fc.uint8Array({ minLength: 1, maxLength: 4096 });
    await fc.assert(
      fc.asyncProperty(message, fc.nat(), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 6144 }), async (msg, mBit, sBit, garbage) => {
        const sig = (await kms.sign({ KeyId: key.KeyId, Message: msg, MessageType: type, SigningAlgorithm: alg })).Signature!;
        const ok = await kms.verify({ KeyId: key.Arn, Message: msg, MessageType: type, SigningAlgorithm: alg, Signature: sig });
        expect(ok).toEqual({ KeyId: key.Arn, SignatureValid: true, SigningAlgorithm: alg });
        const m2 = msg.slice();
        m2[(mBit >> 3) % m2.length]! ^= 1 << (mBit & 7);
        await refuses(kms.verify({ KeyId: key.KeyId, Message: m2, MessageType: type, SigningAlgorithm: alg, Signature: sig }), 'KMSInvalidSignatureException', '');
        const s2 = sig.slice();
        s2[(sBit >> 3) % s2.length]! ^= 1 << (sBit & 7);
        await refuses(kms.verify({ KeyId: key.KeyId, Message: msg, MessageType: type, SigningAlgorithm: alg, Signature: s2 }), 'KMSInvalidSignatureException', '');
        await refuses(kms.verify({ KeyId: key.KeyId, Message: msg, MessageType: type, SigningAlgorithm: alg, Signature: garbage }), 'KMSInvalidSignatureException', '');
        await refuses(kms.verify({ KeyId: key.KeyId, Message: msg, MessageType: type, SigningAlgorithm: alg, Signature: sig.subarray(0, sig.length - 1) }), 'KMSInvalidSignatureException', '');
      }),
      { numRuns: spec.startsWith('RSA') || spec.startsWith('ML_DSA') || spec === 'ECC_NIST_P521' ? 5 : 10 },
    );
  });

  test('a signature of another key of the same spec, or made with another algorithm of the key, is KMSInvalidSignatureException', async () => {
    const a = await sharedKey(kms, 'RSA_2048');
    const b = await signingKey(kms, 'RSA_2048');
    const m = enc('which key signed this?');
    const sig = (await kms.sign({ KeyId: a.KeyId, Message: m, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })).Signature!;
    await refuses(kms.verify({ KeyId: b.KeyId, Message: m, SigningAlgorithm: 'RSASSA_PSS_SHA_256', Signature: sig }), 'KMSInvalidSignatureException', '');
    await refuses(kms.verify({ KeyId: a.KeyId, Message: m, SigningAlgorithm: 'RSASSA_PSS_SHA_384', Signature: sig }), 'KMSInvalidSignatureException', '');
    await refuses(kms.verify({ KeyId: a.KeyId, Message: m, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', Signature: sig }), 'KMSInvalidSignatureException', '');
  });

  test('ECDSA signatures are not low-S normalised, as AWS (its secp256k1 signatures need EIP-2 flipping): both halves occur and both verify', async () => {
    for (const [spec, curve, alg] of [
      ['ECC_SECG_P256K1', 'secp256k1', 'ECDSA_SHA_256'],
      ['ECC_NIST_P256', 'P-256', 'ECDSA_SHA_256'],
    ] as const) {
      const key = await signingKey(kms, spec);
      const c = EC_CURVES[curve];
      const m = enc('low or high S?');
      let high = 0;
      for (let i = 0; i < 40; i++) {
        const sig = (await kms.sign({ KeyId: key.KeyId, Message: m, SigningAlgorithm: alg })).Signature!;
        const { r, s } = ecdsaDerDecode(c, sig)!;
        if (s > c.n >> 1n) high++;
        // The other half: (r, n − s) is the same signature to ECDSA verification; kms.verify takes it.
        const flipped = ecdsaDerEncode(r, c.n - s);
        expect((await kms.verify({ KeyId: key.KeyId, Message: m, SigningAlgorithm: alg, Signature: flipped })).SignatureValid).toBe(true);
      }
      expect(high, `${spec}: high-S among 40`).toBeGreaterThan(0);
      expect(high, `${spec}: low-S among 40`).toBeLessThan(40);
    }
  });

  test('ECDSA and ML-DSA signatures are randomised (AWS: not RFC 6979); PKCS#1 v1.5 and Ed25519 are deterministic', async () => {
    const m = enc('same message twice');
    const sigOf = async (spec: KeySpec, alg: SigningAlgorithmSpec, key?: string) => {
      const id = key ?? (await sharedKey(kms, spec)).KeyId!;
      const a = (await kms.sign({ KeyId: id, Message: m, SigningAlgorithm: alg })).Signature!;
      const b = (await kms.sign({ KeyId: id, Message: m, SigningAlgorithm: alg })).Signature!;
      return Buffer.from(a).equals(Buffer.from(b));
    };
    expect(await sigOf('ECC_NIST_P384', 'ECDSA_SHA_384')).toBe(false);
    expect(await sigOf('ML_DSA_44', 'ML_DSA_SHAKE_256')).toBe(false);
    expect(await sigOf('SM2', 'SM2DSA')).toBe(false);
    expect(await sigOf('ECC_NIST_EDWARDS25519', 'ED25519_SHA_512')).toBe(true);
    expect(await sigOf('RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256')).toBe(true);
  });
});

describe('Sign / Verify preconditions through the Kms API, in AWS order', () => {
  const kms = new Kms({ region: 'cn-north-1' });

  test("Precondition: the key's KeyUsage is SIGN_VERIFY. (InvalidKeyUsageException for Sign and Verify, before the algorithm is looked at)", async () => {
    const sym = (await kms.createKey()).KeyMetadata!;
    const rsa = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    const sm2 = (await kms.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    const p256 = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    for (const k of [sym, rsa, sm2, p256]) {
      // Even with an algorithm the spec has no signing row for, the usage is reported first.
      await refuses(kms.sign({ KeyId: k.KeyId, Message: enc('m'), SigningAlgorithm: 'ED25519_SHA_512' }), 'InvalidKeyUsageException', `${k.Arn} key usage is ${k.KeyUsage} which is not valid for Sign.`);
      await refuses(kms.verify({ KeyId: k.KeyId, Message: enc('m'), SigningAlgorithm: 'SM2DSA', Signature: new Uint8Array(64) }), 'InvalidKeyUsageException', `${k.Arn} key usage is ${k.KeyUsage} which is not valid for Verify.`);
    }
  });

  test("Precondition: the algorithm is one of the key spec's signing algorithms. (InvalidKeyUsageException through the API, before the message is looked at)", async () => {
    const cases: [KeySpec, SigningAlgorithmSpec[]][] = [
      ['ECC_NIST_P256', ['ECDSA_SHA_384', 'ECDSA_SHA_512', 'RSASSA_PSS_SHA_256', 'SM2DSA', 'ED25519_SHA_512']],
      ['ECC_NIST_P384', ['ECDSA_SHA_256', 'ECDSA_SHA_512']],
      ['ECC_NIST_P521', ['ECDSA_SHA_256', 'ECDSA_SHA_384']],
      ['ECC_SECG_P256K1', ['ECDSA_SHA_384']],
      ['RSA_2048', ['ECDSA_SHA_256', 'ML_DSA_SHAKE_256']],
      ['ECC_NIST_EDWARDS25519', ['ECDSA_SHA_512']],
      ['ML_DSA_65', ['ED25519_SHA_512', 'ECDSA_SHA_256']],
      ['SM2', ['ECDSA_SHA_256']],
    ];
    for (const [spec, bad] of cases) {
      const k = await sharedKey(kms, spec);
      for (const alg of bad) {
        // An empty Message would be a ValidationException of the model; a 5000-byte one of the
        // service: the algorithm is refused first (the model allows 1..4096, so 1 byte here).
        await refuses(kms.sign({ KeyId: k.KeyId, Message: new Uint8Array(1), MessageType: 'DIGEST', SigningAlgorithm: alg }), 'InvalidKeyUsageException', `Algorithm ${alg} is incompatible with key spec ${spec}.`);
        await refuses(kms.verify({ KeyId: k.KeyId, Message: new Uint8Array(1), SigningAlgorithm: alg, Signature: new Uint8Array(8) }), 'InvalidKeyUsageException', `Algorithm ${alg} is incompatible with key spec ${spec}.`);
      }
    }
  });

  test('Precondition: the algorithm accepts this MessageType. (ValidationException through the API)', async () => {
    const ed = await signingKey(kms, 'ECC_NIST_EDWARDS25519');
    const ml = await signingKey(kms, 'ML_DSA_44');
    const ec = await signingKey(kms, 'ECC_NIST_P256');
    for (const [k, alg, type] of [
      [ed, 'ED25519_SHA_512', 'DIGEST'],
      [ed, 'ED25519_SHA_512', 'EXTERNAL_MU'],
      [ed, 'ED25519_PH_SHA_512', 'RAW'],
      [ml, 'ML_DSA_SHAKE_256', 'DIGEST'],
      [ec, 'ECDSA_SHA_256', 'EXTERNAL_MU'],
    ] as const) {
      const msg = new Uint8Array(64);
      const want = `Message type ${type} is incompatible with algorithm ${alg}.`;
      await refuses(kms.sign({ KeyId: k.KeyId, Message: msg, MessageType: type, SigningAlgorithm: alg }), 'ValidationException', want);
      await refuses(kms.verify({ KeyId: k.KeyId, Message: msg, MessageType: type, SigningAlgorithm: alg, Signature: new Uint8Array(64) }), 'ValidationException', want);
    }
    // MessageType omitted is RAW (API_Sign: "The default value is RAW").
    await refuses(kms.sign({ KeyId: ed.KeyId, Message: new Uint8Array(64), SigningAlgorithm: 'ED25519_PH_SHA_512' }), 'ValidationException', 'Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.');
  });

  test("Precondition: a DIGEST is exactly the algorithm's hash length. (ValidationException \"Digest is invalid length for algorithm X.\" through the API)", async () => {
    const rsa = await sharedKey(kms, 'RSA_2048');
    const p384 = await sharedKey(kms, 'ECC_NIST_P384');
    const sm2 = await sharedKey(kms, 'SM2');
    const ed = await sharedKey(kms, 'ECC_NIST_EDWARDS25519');
    for (const [k, alg, good] of [
      [rsa, 'RSASSA_PKCS1_V1_5_SHA_256', 32],
      [rsa, 'RSASSA_PSS_SHA_512', 64],
      [p384, 'ECDSA_SHA_384', 48],
      [sm2, 'SM2DSA', 32],
      [ed, 'ED25519_PH_SHA_512', 64],
    ] as const) {
      for (const n of [1, good - 1, good + 1, 20, 4096].filter((x) => x !== good)) {
        const want = `Digest is invalid length for algorithm ${alg}.`;
        await refuses(kms.sign({ KeyId: k.KeyId, Message: new Uint8Array(n), MessageType: 'DIGEST', SigningAlgorithm: alg }), 'ValidationException', want);
        await refuses(kms.verify({ KeyId: k.KeyId, Message: new Uint8Array(n), MessageType: 'DIGEST', SigningAlgorithm: alg, Signature: new Uint8Array(64) }), 'ValidationException', want);
      }
      const sig = await kms.sign({ KeyId: k.KeyId, Message: new Uint8Array(good).fill(7), MessageType: 'DIGEST', SigningAlgorithm: alg });
      expect(sig.Signature!.length).toBeGreaterThan(0);
    }
  });

  test('Precondition: an EXTERNAL_MU is exactly 64 bytes. (ValidationException through the API)', async () => {
    const ml = await signingKey(kms, 'ML_DSA_87');
    for (const n of [1, 32, 63, 65, 4096]) {
      await refuses(kms.sign({ KeyId: ml.KeyId, Message: new Uint8Array(n), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' }), 'ValidationException', 'Digest is invalid length for algorithm ML_DSA_SHAKE_256.');
    }
    const mu = new Uint8Array(64).fill(3);
    const sig = (await kms.sign({ KeyId: ml.KeyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' })).Signature!;
    expect(sig.length).toBe(4627); // FIPS 204 ML-DSA-87 signature
    expect((await kms.verify({ KeyId: ml.KeyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256', Signature: sig })).SignatureValid).toBe(true);
  });

  test('Precondition: a RAW message is 1..4096 bytes (API model constraint on Message). (ValidationException through the API, also for Verify; Signature 1..6144)', async () => {
    const ec = await signingKey(kms, 'ECC_NIST_P256');
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: new Uint8Array(4097), SigningAlgorithm: 'ECDSA_SHA_256' }), 'ValidationException', RAW_TOO_LONG);
    await refuses(kms.verify({ KeyId: ec.KeyId, Message: new Uint8Array(4097), SigningAlgorithm: 'ECDSA_SHA_256', Signature: new Uint8Array(64) }), 'ValidationException', RAW_TOO_LONG);
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: new Uint8Array(0), SigningAlgorithm: 'ECDSA_SHA_256' }), 'ValidationException', /Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1/);
    await refuses(kms.verify({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256', Signature: new Uint8Array(6145) }), 'ValidationException', /Value at 'signature' failed to satisfy constraint: Member must have length less than or equal to 6144/);
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_999' as SigningAlgorithmSpec }), 'ValidationException', /signingAlgorithm/);
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: enc('m'), MessageType: 'HASH' as MessageType, SigningAlgorithm: 'ECDSA_SHA_256' }), 'ValidationException', /messageType/);
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: enc('m') } as never), 'ValidationException', /signingAlgorithm/);
    await refuses(kms.verify({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256' } as never), 'ValidationException', /signature/);
    // 4096 bytes exactly are taken.
    const m = new Uint8Array(4096).fill(0xab);
    const sig = (await kms.sign({ KeyId: ec.KeyId, Message: m, SigningAlgorithm: 'ECDSA_SHA_256' })).Signature!;
    expect((await kms.verify({ KeyId: ec.KeyId, Message: m, SigningAlgorithm: 'ECDSA_SHA_256', Signature: sig })).SignatureValid).toBe(true);
  });

  test('Precondition: a DryRun request stops here, once every check has passed. (Sign and Verify: DryRunOperationException, even for a signature that would not verify)', async () => {
    const ec = await signingKey(kms, 'ECC_NIST_P256');
    const dry = 'The request would have succeeded, but the DryRun option is set.';
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }), 'DryRunOperationException', dry);
    await refuses(kms.verify({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256', Signature: new Uint8Array(70), DryRun: true }), 'DryRunOperationException', dry);
    // …but not before the checks: a bad algorithm or length is reported as such.
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_384', DryRun: true }), 'InvalidKeyUsageException');
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: new Uint8Array(31), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }), 'ValidationException');
    expect((await kms.sign({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: false })).Signature!.length).toBeGreaterThan(8);
  });

  test('key states (Developer Guide key-state table, cryptographic operations): Disabled → DisabledException, PendingDeletion → KMSInvalidStateException, before any usage check', async () => {
    const ec = await signingKey(kms, 'ECC_NIST_P256');
    const sig = (await kms.sign({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256' })).Signature!;
    await kms.disableKey({ KeyId: ec.KeyId });
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_512' }), 'DisabledException', `${ec.Arn} is disabled.`);
    await refuses(kms.verify({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256', Signature: sig }), 'DisabledException', `${ec.Arn} is disabled.`);
    await kms.enableKey({ KeyId: ec.KeyId });
    expect((await kms.verify({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256', Signature: sig })).SignatureValid).toBe(true);
    await kms.scheduleKeyDeletion({ KeyId: ec.KeyId, PendingWindowInDays: 7 });
    await refuses(kms.sign({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256' }), 'KMSInvalidStateException', `${ec.Arn} is pending deletion.`);
    await refuses(kms.verify({ KeyId: ec.KeyId, Message: enc('m'), SigningAlgorithm: 'ECDSA_SHA_256', Signature: sig }), 'KMSInvalidStateException', `${ec.Arn} is pending deletion.`);
    // Asymmetric keys do not rotate (API_RotateKeyOnDemand, API_EnableKeyRotation).
    const ed = await signingKey(kms, 'ECC_NIST_EDWARDS25519');
    await refuses(kms.rotateKeyOnDemand({ KeyId: ed.KeyId }), 'UnsupportedOperationException');
    await refuses(kms.enableKeyRotation({ KeyId: ed.KeyId }), 'UnsupportedOperationException');
  });

  test('identifiers: key ID, key ARN, alias name and alias ARN sign; an unknown key is NotFoundException; another account reaches the key by ARN only', async () => {
    const store = new InMemoryKeyStore();
    const a = new Kms({ keyStore: store });
    const b = new Kms({ keyStore: store, accountId: '444455556666' });
    const k = await signingKey(a, 'ECC_NIST_P256');
    await a.createAlias({ AliasName: 'alias/signer', TargetKeyId: k.KeyId });
    const m = enc('by any name');
    for (const id of [k.KeyId!, k.Arn!, 'alias/signer', 'arn:aws:kms:us-east-1:111122223333:alias/signer']) {
      const out = await a.sign({ KeyId: id, Message: m, SigningAlgorithm: 'ECDSA_SHA_256' });
      expect(out.KeyId).toBe(k.Arn);
      expect((await a.verify({ KeyId: id, Message: m, SigningAlgorithm: 'ECDSA_SHA_256', Signature: out.Signature })).KeyId).toBe(k.Arn);
    }
    await refuses(a.sign({ KeyId: '00000000-0000-4000-8000-000000000000', Message: m, SigningAlgorithm: 'ECDSA_SHA_256' }), 'NotFoundException');
    await refuses(a.sign({ KeyId: 'alias/nope', Message: m, SigningAlgorithm: 'ECDSA_SHA_256' }), 'NotFoundException');
    // The default key policy gives account B nothing: by ARN it is AccessDenied, by key ID not found (B's own account).
    await refuses(b.sign({ KeyId: k.Arn, Message: m, SigningAlgorithm: 'ECDSA_SHA_256' }), 'AccessDeniedException');
    await refuses(b.sign({ KeyId: k.KeyId, Message: m, SigningAlgorithm: 'ECDSA_SHA_256' }), 'NotFoundException');
  });

  test("the Message (a sensitive member) is validation's own copy and wiped after use; the caller's buffer is untouched", async () => {
    const ec = await signingKey(kms, 'ECC_NIST_EDWARDS25519');
    const m = enc('the caller keeps this');
    const sig = (await kms.sign({ KeyId: ec.KeyId, Message: m, SigningAlgorithm: 'ED25519_SHA_512' })).Signature!;
    expect(new TextDecoder().decode(m)).toBe('the caller keeps this');
    await kms.verify({ KeyId: ec.KeyId, Message: m, SigningAlgorithm: 'ED25519_SHA_512', Signature: sig });
    expect(new TextDecoder().decode(m)).toBe('the caller keeps this');
    // No error message, property or JSON of a failure holds the message.
    const secret = 'SECRET-MESSAGE-7d1e';
    for (const call of [
      () => kms.sign({ KeyId: ec.KeyId, Message: enc(secret), SigningAlgorithm: 'ED25519_PH_SHA_512' }),
      () => kms.verify({ KeyId: ec.KeyId, Message: enc(secret), SigningAlgorithm: 'ED25519_SHA_512', Signature: sig }),
      () => kms.sign({ KeyId: ec.KeyId, Message: enc(secret.repeat(300)), SigningAlgorithm: 'ED25519_SHA_512' }),
    ]) {
      const e = await call().then(() => undefined, (x: unknown) => x);
      expect(e).toBeDefined();
      expect(JSON.stringify({ ...(e as object), message: (e as Error).message, stack: (e as Error).stack })).not.toContain(secret);
    }
  });
});
