/**
 * DeriveSharedSecret through the Kms API on every backend (node + noble in the `node` project,
 * WebCrypto in `webcrypto`): KEY_AGREEMENT keys from CreateKey agree with each other, with
 * node:crypto `diffieHellman` and with `openssl pkeyutl -derive` from either side; Wycheproof
 * ecdh_secp256r1/384r1/521r1 with the vectors' private keys loaded through a key-store
 * snapshot (valid → `shared`, invalid public keys → the one ValidationException; a subset:
 * every invalid and acceptable case, every fourth valid one, every sixteenth on the pure-JS
 * noble backend — the algorithm-layer suite, test/ecdh.test.ts, runs them all); the refusals in
 * AWS's order; grants, the kms:KeyAgreementAlgorithm condition key, SM2 in the China Regions,
 * and who owns the secret.
 */
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ECC_NIST_CURVES, SHARED_SECRET_BYTES, type EccNistKeySpec } from '../src/algorithms/ecdh.js';
import type { Backend } from '../src/backend/types.js';
import { InMemoryKeyStore, Kms, KmsError, createProtocolHandler, type KeyStoreSnapshot } from '../src/index.js';
import { EC_CURVES } from '../src/primitives/ec-keys.js';
import { sm2SpkiDecode, sm2SpkiEncode } from '../src/primitives/sm2-keys.js';
import { bigIntToBytes } from '../src/util/bigint.js';
import { defaultBackend } from './helpers/backend.js';
import { hex, projectBackends, toHexString } from './helpers/env.js';
import { refuses, seededRandom } from './helpers/keys.js';
import { hasOpenssl, openssl } from './helpers/oracles.js';
import { storeWith, type SnapshotKey } from './helpers/snapshot-keys.js';
import { wycheproof } from './helpers/wycheproof.js';

const BACKENDS: Backend[] = await projectBackends();
const SPECS = Object.keys(ECC_NIST_CURVES) as EccNistKeySpec[];
const NODE_CURVE = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1' } as const;
const WYCHEPROOF_FILE = { ECC_NIST_P256: 'ecdh_secp256r1_test.json', ECC_NIST_P384: 'ecdh_secp384r1_test.json', ECC_NIST_P521: 'ecdh_secp521r1_test.json' } as const;
const peerMessage = (spec: string) => `PublicKey must be a DER-encoded SubjectPublicKeyInfo of a point on the curve of key spec ${spec}.`;

const der = (b: Uint8Array) => Buffer.from(b);
const spkiPem = (spki: Uint8Array) => createPublicKey({ key: der(spki), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }) as string;
const pkcs8Pem = (p8: Uint8Array) => createPrivateKey({ key: der(p8), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string;

/** The PKCS#8 private key of a key, read back from the store's snapshot (to hand to OpenSSL). */
function privateKeyOf(store: InMemoryKeyStore, arn: string): Uint8Array {
  const k = (store.exportSnapshot() as KeyStoreSnapshot).keys.find((x) => x.Arn === arn) as { KeyMaterial: { Material: string }[] };
  return new Uint8Array(Buffer.from(k.KeyMaterial[0]!.Material, 'base64'));
}

describe.each(BACKENDS)('DeriveSharedSecret on the $name backend', (backend) => {
  describe.each(SPECS)('%s', (spec) => {
    test('CreateKey KEY_AGREEMENT: ECDH listed; two KMS keys agree; node:crypto diffieHellman from the other side gives the same raw secret', async () => {
      const kms = new Kms({ backend });
      const a = (await kms.createKey({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
      const b = (await kms.createKey({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
      expect(a.KeyAgreementAlgorithms).toEqual(['ECDH']);
      expect(a.SigningAlgorithms).toBeUndefined();
      const pa = await kms.getPublicKey({ KeyId: a.KeyId });
      const pb = await kms.getPublicKey({ KeyId: b.KeyId });
      expect(pa.KeyUsage).toBe('KEY_AGREEMENT');
      expect(pa.KeyAgreementAlgorithms).toEqual(['ECDH']);
      const ab = await kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pb.PublicKey });
      const ba = await kms.deriveSharedSecret({ KeyId: b.Arn, KeyAgreementAlgorithm: 'ECDH', PublicKey: pa.PublicKey });
      // API_DeriveSharedSecret response: KeyId (ARN), SharedSecret, KeyAgreementAlgorithm, KeyOrigin; no KeyMaterialId.
      expect(Object.keys(ab).sort()).toEqual(['KeyAgreementAlgorithm', 'KeyId', 'KeyOrigin', 'SharedSecret']);
      expect(ab).toMatchObject({ KeyId: a.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
      expect(ab.SharedSecret).toHaveLength(SHARED_SECRET_BYTES[spec]);
      expect(toHexString(ab.SharedSecret!)).toBe(toHexString(ba.SharedSecret!));
      const peer = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[spec] });
      const ours = await kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(peer.publicKey.export({ format: 'der', type: 'spki' })) });
      const theirs = diffieHellman({ privateKey: peer.privateKey, publicKey: createPublicKey({ key: der(pa.PublicKey!), format: 'der', type: 'spki' }) });
      expect(toHexString(ours.SharedSecret!)).toBe(theirs.toString('hex'));
    });

    test.runIf(hasOpenssl())('openssl pkeyutl -derive agrees from both sides (their key with our public key; our exported private key with theirs)', async () => {
      const store = new InMemoryKeyStore();
      const kms = new Kms({ backend, keyStore: store });
      const a = (await kms.createKey({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
      const ourSpki = (await kms.getPublicKey({ KeyId: a.KeyId })).PublicKey!;
      const peer = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[spec] });
      const peerSpki = new Uint8Array(peer.publicKey.export({ format: 'der', type: 'spki' }));
      const ours = toHexString((await kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki })).SharedSecret!);
      const theirSide = openssl(['pkeyutl', '-derive', '-inkey', 'peer.pem', '-peerkey', 'kms.pem', '-out', 'z.bin'], { 'peer.pem': peer.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'kms.pem': spkiPem(ourSpki) }, 'z.bin');
      const ourSide = openssl(['pkeyutl', '-derive', '-inkey', 'kms.pem', '-peerkey', 'peer.pem', '-out', 'z.bin'], { 'kms.pem': pkcs8Pem(privateKeyOf(store, a.Arn!)), 'peer.pem': spkiPem(peerSpki) }, 'z.bin');
      expect(theirSide.toString('hex')).toBe(ours);
      expect(ourSide.toString('hex')).toBe(ours);
    });

    test('Wycheproof: valid → the shared secret, invalid public keys → ValidationException, the compressed point accepted (private keys through the snapshot)', async () => {
      interface EcdhTest { tcId: number; public: string; private: string; shared: string; result: 'valid' | 'invalid' | 'acceptable'; flags: string[] }
      const tests = wycheproof<{ testGroups: { tests: EcdhTest[] }[] }>(WYCHEPROOF_FILE[spec]).testGroups.flatMap((g) => g.tests);
      const curve = EC_CURVES[ECC_NIST_CURVES[spec]];
      // One KMS key per distinct private key of the file.
      const index = new Map<string, number>();
      const keys: SnapshotKey[] = [];
      for (const t of tests) {
        const d = bigIntToBytes(BigInt('0x' + t.private), curve.size);
        const id = toHexString(d);
        if (index.has(id)) continue;
        index.set(id, keys.length);
        // PKCS#8 and SPKI as OpenSSL writes them (node:crypto from the scalar): keys made elsewhere.
        const ec = createECDH(NODE_CURVE[spec]);
        ec.setPrivateKey(Buffer.from(d));
        const pub = ec.getPublicKey();
        const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
        const jwk = { kty: 'EC', crv: curve.name, d: b64u(d), x: b64u(pub.subarray(1, 1 + curve.size)), y: b64u(pub.subarray(1 + curve.size)) };
        const priv = createPrivateKey({ key: jwk, format: 'jwk' });
        keys.push({ keySpec: spec, keyUsage: 'KEY_AGREEMENT', material: new Uint8Array(priv.export({ format: 'der', type: 'pkcs8' })), publicKey: new Uint8Array(createPublicKey(priv).export({ format: 'der', type: 'spki' })) });
      }
      const { store, keyIds } = storeWith(keys);
      const kms = new Kms({ backend, keyStore: store });
      const counts = { valid: 0, invalid: 0, acceptedAcceptable: 0, refusedAcceptable: 0 };
      // The slow multiplications: pure JS (noble) everywhere, Node's WebCrypto on P-384/P-521.
      const slow = backend.name === 'noble' || (backend.name === 'webcrypto' && spec !== 'ECC_NIST_P256');
      for (const t of tests) {
        // A subset of the valid cases (the algorithm-layer suite, test/ecdh.test.ts, runs them all
        // on the node backend, through the same code above the seam).
        if (t.result === 'valid' && t.tcId % (slow ? 16 : 4) !== 0) continue;
        const KeyId = keyIds[index.get(toHexString(bigIntToBytes(BigInt('0x' + t.private), curve.size))) as number] as string;
        const call = kms.deriveSharedSecret({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: hex(t.public) });
        if (t.result === 'valid') {
          expect(toHexString((await call).SharedSecret!), `tcId ${t.tcId}`).toBe(t.shared);
          counts.valid++;
        } else if (t.result === 'invalid') {
          await refuses(call, 'ValidationException', peerMessage(spec));
          counts.invalid++;
        } else {
          const compressed = t.flags.some((f) => f === 'CompressedPoint' || f === 'CompressedPublic');
          try {
            expect(toHexString((await call).SharedSecret!), `tcId ${t.tcId}`).toBe(t.shared);
            expect(compressed, `tcId ${t.tcId} accepted: ${t.flags}`).toBe(true);
            counts.acceptedAcceptable++;
          } catch (e) {
            if (!(e instanceof KmsError)) throw e;
            expect(e.name).toBe('ValidationException');
            expect(compressed, `tcId ${t.tcId} refused: ${t.flags}`).toBe(false);
            counts.refusedAcceptable++;
          }
        }
      }
      expect(counts.valid).toBeGreaterThan(slow ? 15 : 70);
      expect(counts.invalid).toBeGreaterThan(40);
      expect(counts.acceptedAcceptable).toBe(1);
      expect(counts.refusedAcceptable).toBeGreaterThan(200);
    }, 240_000);
  });
});

describe('DeriveSharedSecret refusals, in AWS\'s order', () => {
  test("Precondition: the key's usage is the one the operation needs (InvalidKeyUsageException). A SIGN_VERIFY key of the same curve, a symmetric key, an HMAC key", async () => {
    const kms = new Kms();
    const peer = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }));
    for (const input of [{ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, {}, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }] as const) {
      const md = (await kms.createKey(input)).KeyMetadata!;
      await refuses(kms.deriveSharedSecret({ KeyId: md.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer }), 'InvalidKeyUsageException', `${md.Arn} key usage is ${md.KeyUsage} which is not valid for DeriveSharedSecret.`);
    }
  });

  test('peer public keys: malformed bytes, a key of another curve or algorithm, a point off the curve → the one ValidationException; the usage check comes first', async () => {
    const kms = new Kms();
    const a = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    const spki = (k: import('node:crypto').KeyObject) => new Uint8Array(k.export({ format: 'der', type: 'spki' }));
    const good = (await kms.getPublicKey({ KeyId: a.KeyId })).PublicKey!;
    const offCurve = Uint8Array.from(good);
    offCurve[offCurve.length - 1]! ^= 1;
    const bad = [
      new TextEncoder().encode('InvalidPublicKey'), // AWS-validated LocalStack case: ValidationException
      spki(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey),
      spki(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey),
      spki(generateKeyPairSync('x25519').publicKey),
      spki(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey),
      offCurve,
      Uint8Array.from([...good, 0]),
    ];
    for (const PublicKey of bad) await refuses(kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey }), 'ValidationException', peerMessage('ECC_NIST_P256'));
    // Length limits of PublicKeyType (1..8192) are the model's.
    await refuses(kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(8193) }), 'ValidationException', /Member must have length less than or equal to 8192/);
    await refuses(kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH_COFACTOR' as 'ECDH', PublicKey: good }), 'ValidationException', /Member must satisfy enum value set: \[ECDH\]/);
    const signing = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
    await refuses(kms.deriveSharedSecret({ KeyId: signing.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: bad[0]! }), 'InvalidKeyUsageException');
  });

  test('Precondition: a DryRun request stops here, once every check has passed. A bad peer key still answers ValidationException', async () => {
    const kms = new Kms();
    const a = (await kms.createKey({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    const PublicKey = (await kms.getPublicKey({ KeyId: a.KeyId })).PublicKey!;
    await refuses(kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey, DryRun: true }), 'DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
    await refuses(kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: PublicKey.subarray(1), DryRun: true }), 'ValidationException', peerMessage('ECC_NIST_P384'));
  });

  test('Precondition: no Recipient (Nitro Enclaves attestation is not modelled). Refused before the key is looked up', async () => {
    const kms = new Kms();
    await refuses(
      kms.deriveSharedSecret({ KeyId: 'alias/none', KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(1), Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(8) } }),
      'UnsupportedOperationException',
      'Recipient (Nitro Enclaves attestation) is not supported by kms-core.',
    );
  });

  test('key specs: only the NIST curves (and SM2 in the China Regions) take KEY_AGREEMENT; a disabled key answers DisabledException', async () => {
    const kms = new Kms();
    for (const KeySpec of ['RSA_2048', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'ML_KEM_768'] as const) {
      await refuses(kms.createKey({ KeySpec, KeyUsage: 'KEY_AGREEMENT' }), 'UnsupportedOperationException', /KeyUsage KEY_AGREEMENT is not supported/);
    }
    const a = (await kms.createKey({ KeySpec: 'ECC_NIST_P521', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    const PublicKey = (await kms.getPublicKey({ KeyId: a.KeyId })).PublicKey!;
    await kms.disableKey({ KeyId: a.KeyId });
    await refuses(kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey }), 'DisabledException', `${a.Arn} is disabled.`);
  });

  test('SM2 KEY_AGREEMENT (cn-north-1): ECDH on the SM2 curve, 32 bytes, equal to node:crypto createECDH("SM2") from the other side', async () => {
    const kms = new Kms({ region: 'cn-north-1' });
    const a = (await kms.createKey({ KeySpec: 'SM2', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    expect(a.KeyAgreementAlgorithms).toEqual(['ECDH']);
    const ours = (await kms.getPublicKey({ KeyId: a.KeyId })).PublicKey!;
    const peer = createECDH('SM2');
    peer.generateKeys();
    const { SharedSecret } = await kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: sm2SpkiEncode(new Uint8Array(peer.getPublicKey())) });
    expect(SharedSecret).toHaveLength(32);
    expect(toHexString(SharedSecret!)).toBe(peer.computeSecret(Buffer.from(sm2SpkiDecode(ours))).toString('hex'));
    await refuses(
      kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' })) }),
      'ValidationException',
      peerMessage('SM2'),
    );
  });

  test('grants: DeriveSharedSecret and GetPublicKey are grant operations of KEY_AGREEMENT keys (GenerateMac, Sign are not)', async () => {
    const kms = new Kms();
    const bob = 'arn:aws:iam::111122223333:user/bob';
    const strict = new Kms({ keyStore: kms.keyStore, identityPolicy: () => false }).as(bob);
    const a = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    const PublicKey = (await kms.getPublicKey({ KeyId: a.KeyId })).PublicKey!;
    for (const op of ['GenerateMac', 'Sign', 'Encapsulate'] as const) {
      await refuses(kms.createGrant({ KeyId: a.KeyId, GranteePrincipal: bob, Operations: [op] }), 'ValidationException', new RegExp(`which does not support the grant operation ${op}`));
    }
    await refuses(strict.deriveSharedSecret({ KeyId: a.Arn!, KeyAgreementAlgorithm: 'ECDH', PublicKey }), 'AccessDeniedException');
    await kms.createGrant({ KeyId: a.KeyId, GranteePrincipal: bob, Operations: ['DeriveSharedSecret', 'GetPublicKey'] });
    expect((await strict.deriveSharedSecret({ KeyId: a.Arn!, KeyAgreementAlgorithm: 'ECDH', PublicKey })).SharedSecret).toHaveLength(32);
    expect((await strict.getPublicKey({ KeyId: a.Arn! })).PublicKey).toEqual(PublicKey);
  });

  test('key policy condition kms:KeyAgreementAlgorithm is the request\'s KeyAgreementAlgorithm', async () => {
    const kms = new Kms({ identityPolicy: () => false });
    const alice = kms.as('arn:aws:iam::111122223333:user/alice');
    const a = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    const PublicKey = (await kms.getPublicKey({ KeyId: a.KeyId })).PublicKey!;
    const withCondition = (value: string) => JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: alice.principal }, Action: 'kms:DeriveSharedSecret', Resource: '*', Condition: { StringEquals: { 'kms:KeyAgreementAlgorithm': value } } },
      ],
    });
    await kms.putKeyPolicy({ KeyId: a.KeyId, Policy: withCondition('ECDH_NONE') });
    await refuses(alice.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey }), 'AccessDeniedException');
    await kms.putKeyPolicy({ KeyId: a.KeyId, Policy: withCondition('ECDH') });
    expect((await alice.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey })).SharedSecret).toHaveLength(32);
  });

  test('snapshot round trip and determinism: a KEY_AGREEMENT key exported and loaded derives the same secret; the same injected random makes the same key', async () => {
    const a = new Kms({ random: seededRandom(11) });
    const b = new Kms({ random: seededRandom(11), backend: (await import('../src/backend/noble.js')).nobleBackend });
    const ka = (await a.createKey({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    const kb = (await b.createKey({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    const pub = (await a.getPublicKey({ KeyId: ka.KeyId })).PublicKey!;
    expect((await b.getPublicKey({ KeyId: kb.KeyId })).PublicKey).toEqual(pub);
    const peer = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'der', type: 'spki' }));
    const z = (await a.deriveSharedSecret({ KeyId: ka.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })).SharedSecret!;
    expect((await b.deriveSharedSecret({ KeyId: kb.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })).SharedSecret).toEqual(z);
    const loaded = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify((a.keyStore as InMemoryKeyStore).exportSnapshot())) });
    expect((await loaded.deriveSharedSecret({ KeyId: ka.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })).SharedSecret).toEqual(z);
    expect((await loaded.describeKey({ KeyId: ka.KeyId })).KeyMetadata!.KeyAgreementAlgorithms).toEqual(['ECDH']);
  });

  test('ownership of the secret: the library caller gets the backend\'s fresh buffer; the protocol adapter zeroes it once the JSON is built', async () => {
    const made: Uint8Array[] = [];
    const backend: Backend = { ...defaultBackend, ecdhDerive: async (k, spki) => {
      const z = await defaultBackend.ecdhDerive(k, spki);
      made.push(z);
      return z;
    } };
    const kms = new Kms({ backend });
    const a = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
    const PublicKey = (await kms.getPublicKey({ KeyId: a.KeyId })).PublicKey!;
    const lib = await kms.deriveSharedSecret({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey });
    expect(lib.SharedSecret).toBe(made[0]);
    expect(lib.SharedSecret!.some((x) => x !== 0)).toBe(true);
    const handler = createProtocolHandler({ kms });
    const res = await handler.handle('TrentService.DeriveSharedSecret', JSON.stringify({ KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: Buffer.from(PublicKey).toString('base64') }));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body as string) as { SharedSecret: string };
    expect(body.SharedSecret).toBe(Buffer.from(lib.SharedSecret!).toString('base64'));
    expect(made).toHaveLength(2);
    expect(made[1]!.every((x) => x === 0)).toBe(true);
  });
});
