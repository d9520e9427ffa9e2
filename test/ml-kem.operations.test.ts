/**
 * Encapsulate / Decapsulate through the Kms API on every backend: ML_KEM_512/768/1024 keys
 * from CreateKey (GetPublicKey's SPKI read by node-forge's ASN.1 parser), round trips,
 * encapsulation with given randomness (K = G(m‖H(ek))[0:32] by node:crypto's SHA3), Wycheproof
 * mlkem_512/768/1024 through kms.decapsulate with each vector's seed loaded as a key through the
 * key-store snapshot (valid K, implicit rejection K̄ = J(z‖c) by node:crypto's SHAKE256,
 * wrong-length ciphertexts → InvalidCiphertextException; every case on the node and WebCrypto
 * backends, every fourth on noble, as ML-KEM never reaches the backend; the seeds that are not 64 bytes are
 * keys no KMS key can hold and run only in test/ml-kem.test.ts), and the refusals in AWS's order.
 */
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, test } from 'vitest';
import { ML_KEM_KEY_SPEC_SETS, mlKemKeyPairFromSeed, type MlKemKeySpec } from '../src/algorithms/ml-kem.js';
import type { Backend } from '../src/backend/types.js';
import { InMemoryKeyStore, Kms } from '../src/index.js';
import { hex, projectBackends, toHexString } from './helpers/env.js';
import { refuses, seededRandom } from './helpers/keys.js';
import { storeWith } from './helpers/snapshot-keys.js';
import { wycheproof } from './helpers/wycheproof.js';

const BACKENDS: Backend[] = await projectBackends();
const SPECS = ['ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024'] as const satisfies readonly MlKemKeySpec[];
const FILE = { ML_KEM_512: 'mlkem_512_test.json', ML_KEM_768: 'mlkem_768_test.json', ML_KEM_1024: 'mlkem_1024_test.json' } as const;
const OID = { ML_KEM_512: '2.16.840.1.101.3.4.4.1', ML_KEM_768: '2.16.840.1.101.3.4.4.2', ML_KEM_1024: '2.16.840.1.101.3.4.4.3' } as const;
const EK_BYTES = { ML_KEM_512: 800, ML_KEM_768: 1184, ML_KEM_1024: 1568 } as const;
const CT_BYTES = { ML_KEM_512: 768, ML_KEM_768: 1088, ML_KEM_1024: 1568 } as const;

/** FIPS 203 §4.1: H = SHA3-256, G = SHA3-512, J(s) = SHAKE256(s, 32 bytes), from node:crypto. */
const H = (b: Uint8Array) => createHash('sha3-256').update(b).digest();
const G = (...b: Uint8Array[]) => b.reduce((h, x) => h.update(x), createHash('sha3-512')).digest();
const J = (...b: Uint8Array[]) => toHexString(b.reduce((h, x) => h.update(x), createHash('shake256', { outputLength: 32 })).digest());

/** The encapsulation key of an SPKI, read by node-forge (not by kms-core's DER code). */
function forgeSpki(spki: Uint8Array): { oid: string; params: number; ek: Uint8Array } {
  const asn = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(spki).toString('binary')));
  const [alg, bits] = asn.value as forge.asn1.Asn1[];
  const algParts = alg!.value as forge.asn1.Asn1[];
  const bitString = Buffer.from(bits!.value as string, 'binary');
  expect(bitString[0]).toBe(0); // no unused bits
  return { oid: forge.asn1.derToOid(algParts[0]!.value as string), params: algParts.length - 1, ek: new Uint8Array(bitString.subarray(1)) };
}

const ML_KEM = 'ML_KEM' as const;

describe.each(BACKENDS)('Encapsulate / Decapsulate on the $name backend', (backend) => {
  describe.each(SPECS)('%s', (spec) => {
    test('CreateKey ENCAPSULATE_DECAPSULATE: EncapsulationAlgorithms ML_KEM; GetPublicKey SPKI with the FIPS 203 OID and no parameters; round trips', async () => {
      const kms = new Kms({ backend });
      const md = (await kms.createKey({ KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
      expect(md.EncapsulationAlgorithms).toEqual(['ML_KEM']);
      expect(md.EncryptionAlgorithms).toBeUndefined();
      const pub = await kms.getPublicKey({ KeyId: md.KeyId });
      expect(pub.KeyUsage).toBe('ENCAPSULATE_DECAPSULATE');
      expect(pub.EncapsulationAlgorithms).toEqual(['ML_KEM']);
      const { oid, params, ek } = forgeSpki(pub.PublicKey!);
      expect([oid, params, ek.length]).toEqual([OID[spec], 0, EK_BYTES[spec]]);
      for (let i = 0; i < 3; i++) {
        const e = await kms.encapsulate({ KeyId: md.KeyId, EncapsulationAlgorithm: ML_KEM });
        expect(Object.keys(e).sort()).toEqual(['EncapsulationAlgorithm', 'KeyId', 'SharedSecret', 'SharedSecretCiphertextBlob']);
        expect(e).toMatchObject({ KeyId: md.Arn, EncapsulationAlgorithm: 'ML_KEM' });
        expect(e.SharedSecret).toHaveLength(32);
        expect(e.SharedSecretCiphertextBlob).toHaveLength(CT_BYTES[spec]);
        const d = await kms.decapsulate({ KeyId: md.Arn!, SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob, EncapsulationAlgorithm: ML_KEM });
        expect(d).toEqual({ KeyId: md.Arn, SharedSecret: e.SharedSecret, EncapsulationAlgorithm: 'ML_KEM' });
      }
    });

    test('encapsulation with given randomness: the one 32-byte draw of the Kms random is m, and K = G(m‖H(ek))[0:32] (node:crypto SHA3)', async () => {
      const drawn: number[] = [];
      const source = seededRandom(21);
      let last: Uint8Array = new Uint8Array(0);
      const kms = new Kms({ backend, random: (n) => {
        drawn.push(n);
        last = source(n);
        return last;
      } });
      const md = (await kms.createKey({ KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
      const ek = forgeSpki((await kms.getPublicKey({ KeyId: md.KeyId })).PublicKey!).ek;
      drawn.length = 0;
      const e = await kms.encapsulate({ KeyId: md.KeyId, EncapsulationAlgorithm: ML_KEM });
      expect(drawn).toEqual([32]);
      expect(toHexString(e.SharedSecret!)).toBe(G(last, H(ek)).subarray(0, 32).toString('hex'));
    });

    test('Wycheproof: each 64-byte seed loaded through the snapshot; Decapsulate gives K (implicit rejection K̄ = J(z‖c)); a wrong length is InvalidCiphertextException', async () => {
      interface KemTest { tcId: number; comment?: string; seed: string; ek?: string; c: string; K: string; result: 'valid' | 'invalid' }
      // ML-KEM never reaches the backend (pure JS in algorithms/ml-kem.ts), and the row-level
      // suite (test/ml-kem.test.ts) runs every case: through the API every fourth valid case, and
      // every invalid one, on every backend.
      const tests = wycheproof<{ testGroups: { tests: KemTest[] }[] }>(FILE[spec]).testGroups.flatMap((g) => g.tests).filter((t) => t.seed.length === 128 && (t.result === 'invalid' || t.tcId % 4 === 0));
      const { store, keyIds } = storeWith(tests.map((t) => {
        const { privateKey, publicKey } = mlKemKeyPairFromSeed(spec, hex(t.seed));
        return { keySpec: spec, keyUsage: 'ENCAPSULATE_DECAPSULATE' as const, material: privateKey, publicKey };
      }));
      const kms = new Kms({ backend, keyStore: store });
      const counts = { valid: 0, rejected: 0, badLength: 0 };
      for (const [i, t] of tests.entries()) {
        const KeyId = keyIds[i] as string;
        expect(toHexString(forgeSpki((await kms.getPublicKey({ KeyId })).PublicKey!).ek), `tcId ${t.tcId}`).toBe(t.ek);
        const call = kms.decapsulate({ KeyId, SharedSecretCiphertextBlob: hex(t.c), EncapsulationAlgorithm: ML_KEM });
        if (t.result === 'invalid') {
          await refuses(call, 'InvalidCiphertextException', '');
          counts.badLength++;
          continue;
        }
        const k = toHexString((await call).SharedSecret!);
        expect(k, `tcId ${t.tcId}`).toBe(t.K);
        if (k === J(hex(t.seed).subarray(32), hex(t.c))) counts.rejected++;
        else counts.valid++;
      }
      expect(counts.badLength).toBe(20);
      expect(counts.rejected).toBeGreaterThanOrEqual(4);
      expect(counts.valid).toBeGreaterThan(25);
    });

    test('implicit rejection through the API: a bit flip, another key\'s blob, zeros — 32 bytes J(z‖c), never an error', async () => {
      const store = new InMemoryKeyStore();
      const kms = new Kms({ backend, keyStore: store });
      const a = (await kms.createKey({ KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
      const b = (await kms.createKey({ KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
      const snap = store.exportSnapshot() as unknown as { keys: { Arn: string; KeyMaterial: { Material: string }[] }[] };
      const p8 = new Uint8Array(Buffer.from(snap.keys.find((k) => k.Arn === a.Arn)!.KeyMaterial[0]!.Material, 'base64'));
      expect(p8).toHaveLength(86); // the seed form AWS documents for ML-KEM private keys
      const z = p8.subarray(86 - 32);
      const e = await kms.encapsulate({ KeyId: a.KeyId, EncapsulationAlgorithm: ML_KEM });
      const flipped = Uint8Array.from(e.SharedSecretCiphertextBlob!);
      flipped[100]! ^= 0x10;
      const foreign = (await kms.encapsulate({ KeyId: b.KeyId, EncapsulationAlgorithm: ML_KEM })).SharedSecretCiphertextBlob!;
      for (const c of [flipped, foreign, new Uint8Array(CT_BYTES[spec])]) {
        const d = await kms.decapsulate({ KeyId: a.KeyId, SharedSecretCiphertextBlob: c, EncapsulationAlgorithm: ML_KEM });
        expect(d.SharedSecret).toHaveLength(32);
        expect(toHexString(d.SharedSecret!)).not.toBe(toHexString(e.SharedSecret!));
        expect(toHexString(d.SharedSecret!)).toBe(J(z, c));
      }
    });
  });
});

describe('Encapsulate / Decapsulate refusals, in AWS\'s order', () => {
  test("Precondition: the key's usage is the one the operation needs (InvalidKeyUsageException). A symmetric key, an ML-DSA key", async () => {
    const kms = new Kms();
    for (const input of [{}, { KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' }] as const) {
      const md = (await kms.createKey(input)).KeyMetadata!;
      await refuses(kms.encapsulate({ KeyId: md.KeyId, EncapsulationAlgorithm: ML_KEM }), 'InvalidKeyUsageException', `${md.Arn} key usage is ${md.KeyUsage} which is not valid for Encapsulate.`);
      await refuses(kms.decapsulate({ KeyId: md.KeyId, SharedSecretCiphertextBlob: new Uint8Array(768), EncapsulationAlgorithm: ML_KEM }), 'InvalidKeyUsageException', `${md.Arn} key usage is ${md.KeyUsage} which is not valid for Decapsulate.`);
    }
  });

  test("Precondition: the SharedSecretCiphertextBlob has the key spec's ciphertext length (InvalidCiphertextException). Shorter, longer, another spec's length", async () => {
    const kms = new Kms();
    const md = (await kms.createKey({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
    for (const n of [1, 767, 768, 1087, 1089, 1568, 6144]) {
      await refuses(kms.decapsulate({ KeyId: md.KeyId, SharedSecretCiphertextBlob: new Uint8Array(n), EncapsulationAlgorithm: ML_KEM }), 'InvalidCiphertextException', '');
    }
    // CiphertextType bounds the blob to 1..6144 bytes (ValidationException); the algorithm enum is ML_KEM.
    await refuses(kms.decapsulate({ KeyId: md.KeyId, SharedSecretCiphertextBlob: new Uint8Array(6145), EncapsulationAlgorithm: ML_KEM }), 'ValidationException');
    await refuses(kms.encapsulate({ KeyId: md.KeyId, EncapsulationAlgorithm: 'ML_KEM_768' as typeof ML_KEM }), 'ValidationException', /Member must satisfy enum value set: \[ML_KEM\]/);
  });

  test('Precondition: a DryRun request stops here, once every check has passed. A wrong-length blob still answers InvalidCiphertextException', async () => {
    const kms = new Kms();
    const md = (await kms.createKey({ KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
    await refuses(kms.encapsulate({ KeyId: md.KeyId, EncapsulationAlgorithm: ML_KEM, DryRun: true }), 'DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
    await refuses(kms.decapsulate({ KeyId: md.KeyId, SharedSecretCiphertextBlob: new Uint8Array(768), EncapsulationAlgorithm: ML_KEM, DryRun: true }), 'DryRunOperationException');
    await refuses(kms.decapsulate({ KeyId: md.KeyId, SharedSecretCiphertextBlob: new Uint8Array(767), EncapsulationAlgorithm: ML_KEM, DryRun: true }), 'InvalidCiphertextException');
  });

  test('key states and Regions: Disabled → DisabledException, PendingDeletion → KMSInvalidStateException; no ML-KEM keys in the China Regions', async () => {
    const kms = new Kms();
    const md = (await kms.createKey({ KeySpec: 'ML_KEM_1024', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
    await kms.disableKey({ KeyId: md.KeyId });
    await refuses(kms.encapsulate({ KeyId: md.KeyId, EncapsulationAlgorithm: ML_KEM }), 'DisabledException', `${md.Arn} is disabled.`);
    await kms.scheduleKeyDeletion({ KeyId: md.KeyId, PendingWindowInDays: 7 });
    await refuses(kms.decapsulate({ KeyId: md.KeyId, SharedSecretCiphertextBlob: new Uint8Array(1568), EncapsulationAlgorithm: ML_KEM }), 'KMSInvalidStateException', `${md.Arn} is pending deletion.`);
    await refuses(new Kms({ region: 'cn-north-1' }).createKey({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }), 'UnsupportedOperationException', 'KeySpec ML_KEM_768 is not supported in this Region');
    await refuses(kms.rotateKeyOnDemand({ KeyId: (await kms.createKey({ KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!.KeyId }), 'UnsupportedOperationException');
  });

  test('grants: Encapsulate, Decapsulate and GetPublicKey are grant operations of ML-KEM keys (DeriveSharedSecret, Encrypt are not); key policies decide kms:Encapsulate / kms:Decapsulate', async () => {
    const kms = new Kms();
    const bob = 'arn:aws:iam::111122223333:user/bob';
    const strict = new Kms({ keyStore: kms.keyStore, identityPolicy: () => false }).as(bob);
    const md = (await kms.createKey({ KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
    for (const op of ['DeriveSharedSecret', 'Encrypt', 'GenerateMac'] as const) {
      await refuses(kms.createGrant({ KeyId: md.KeyId, GranteePrincipal: bob, Operations: [op] }), 'ValidationException', new RegExp(`which does not support the grant operation ${op}`));
    }
    await refuses(strict.encapsulate({ KeyId: md.Arn!, EncapsulationAlgorithm: ML_KEM }), 'AccessDeniedException');
    await kms.createGrant({ KeyId: md.KeyId, GranteePrincipal: bob, Operations: ['Encapsulate'] });
    const e = await strict.encapsulate({ KeyId: md.Arn!, EncapsulationAlgorithm: ML_KEM });
    await refuses(strict.decapsulate({ KeyId: md.Arn!, SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob, EncapsulationAlgorithm: ML_KEM }), 'AccessDeniedException');
    await kms.createGrant({ KeyId: md.KeyId, GranteePrincipal: bob, Operations: ['Decapsulate', 'GetPublicKey'] });
    expect((await strict.decapsulate({ KeyId: md.Arn!, SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob, EncapsulationAlgorithm: ML_KEM })).SharedSecret).toEqual(e.SharedSecret);
    // A key policy that denies kms:Decapsulate overrides every grant.
    await kms.putKeyPolicy({
      KeyId: md.KeyId,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: bob }, Action: 'kms:Decapsulate', Resource: '*' },
      ] }),
    });
    await refuses(strict.decapsulate({ KeyId: md.Arn!, SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob, EncapsulationAlgorithm: ML_KEM }), 'AccessDeniedException', /explicit deny/);
    expect((await strict.encapsulate({ KeyId: md.Arn!, EncapsulationAlgorithm: ML_KEM })).SharedSecret).toHaveLength(32);
  });

  test('snapshot round trip and determinism: an ML-KEM key exported and loaded decapsulates the same; the same injected random gives the same key, blob and secret', async () => {
    const a = new Kms({ random: seededRandom(5) });
    const b = new Kms({ random: seededRandom(5) });
    const ka = (await a.createKey({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
    const kb = (await b.createKey({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
    expect(kb.KeyId).toBe(ka.KeyId);
    const ea = await a.encapsulate({ KeyId: ka.KeyId, EncapsulationAlgorithm: ML_KEM });
    const eb = await b.encapsulate({ KeyId: kb.KeyId, EncapsulationAlgorithm: ML_KEM });
    expect(eb).toEqual(ea);
    const loaded = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify((a.keyStore as InMemoryKeyStore).exportSnapshot())) });
    expect((await loaded.decapsulate({ KeyId: ka.KeyId, SharedSecretCiphertextBlob: ea.SharedSecretCiphertextBlob, EncapsulationAlgorithm: ML_KEM })).SharedSecret).toEqual(ea.SharedSecret);
    expect((await loaded.getPublicKey({ KeyId: ka.KeyId })).PublicKey).toEqual((await a.getPublicKey({ KeyId: ka.KeyId })).PublicKey);
  });
});
