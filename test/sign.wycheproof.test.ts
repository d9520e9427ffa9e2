/**
 * Project Wycheproof through kms.verify and kms.sign (the Kms API, a bounded subset of each
 * file: about 10 `valid` and 20 other tests, evenly spread; test/signing.wycheproof.test.ts runs every test of
 * every file at the row level). Each test group's public key becomes a SIGN_VERIFY key of a
 * key-store snapshot; every `valid` signature verifies (SignatureValid true), every `invalid`
 * or `acceptable` one is KMSInvalidSignatureException — never SignatureValid false, never
 * another error. Messages KMS cannot take as RAW (empty) go through DIGEST where the algorithm
 * has one. mldsa_44_sign_seed: the seed-form private key signs through kms.sign with the
 * vector's randomness and gives the vector's signature.
 */
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError, type KeyStoreSnapshot, type MessageType, type SigningAlgorithmSpec } from '../src/index.js';
import type { KeySpec } from '../src/keys/record.js';
import { ML_DSA, mlDsaPkcs8Decode, mlDsaPkcs8Encode, mlDsaSpkiDecode, mlDsaSpkiEncode } from '../src/primitives/mldsa-keys.js';
import { BACKENDS, HASH, hex, unhex } from './helpers/signing.js';
import { wycheproof } from './helpers/wycheproof.js';

interface SigTest { tcId: number; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable'; ctx?: string; mu?: string; rnd?: string; flags: string[] }
interface SigGroup { publicKeyDer: string; publicKey?: string; sha?: string; mgfSha?: string; sLen?: number; tests: SigTest[] }

const FILES: { file: string; spec: KeySpec; alg: SigningAlgorithmSpec; hash?: string }[] = [
  { file: 'ecdsa_secp256r1_sha256_test.json', spec: 'ECC_NIST_P256', alg: 'ECDSA_SHA_256', hash: 'SHA-256' },
  { file: 'ecdsa_secp384r1_sha384_test.json', spec: 'ECC_NIST_P384', alg: 'ECDSA_SHA_384', hash: 'SHA-384' },
  { file: 'ecdsa_secp521r1_sha512_test.json', spec: 'ECC_NIST_P521', alg: 'ECDSA_SHA_512', hash: 'SHA-512' },
  { file: 'ecdsa_secp256k1_sha256_test.json', spec: 'ECC_SECG_P256K1', alg: 'ECDSA_SHA_256', hash: 'SHA-256' },
  { file: 'rsa_signature_2048_sha256_test.json', spec: 'RSA_2048', alg: 'RSASSA_PKCS1_V1_5_SHA_256', hash: 'SHA-256' },
  { file: 'rsa_signature_3072_sha384_test.json', spec: 'RSA_3072', alg: 'RSASSA_PKCS1_V1_5_SHA_384', hash: 'SHA-384' },
  { file: 'rsa_signature_4096_sha512_test.json', spec: 'RSA_4096', alg: 'RSASSA_PKCS1_V1_5_SHA_512', hash: 'SHA-512' },
  { file: 'rsa_pss_2048_sha256_mgf1_32_test.json', spec: 'RSA_2048', alg: 'RSASSA_PSS_SHA_256', hash: 'SHA-256' },
  { file: 'rsa_pss_2048_sha384_mgf1_48_test.json', spec: 'RSA_2048', alg: 'RSASSA_PSS_SHA_384', hash: 'SHA-384' },
  { file: 'rsa_pss_4096_sha512_mgf1_64_test.json', spec: 'RSA_4096', alg: 'RSASSA_PSS_SHA_512', hash: 'SHA-512' },
  { file: 'ed25519_test.json', spec: 'ECC_NIST_EDWARDS25519', alg: 'ED25519_SHA_512' },
  { file: 'mldsa_44_verify_test.json', spec: 'ML_DSA_44', alg: 'ML_DSA_SHAKE_256' },
  { file: 'mldsa_65_verify_test.json', spec: 'ML_DSA_65', alg: 'ML_DSA_SHAKE_256' },
  { file: 'mldsa_87_verify_test.json', spec: 'ML_DSA_87', alg: 'ML_DSA_SHAKE_256' },
];
const PER_FILE = 30;

/** A key-store snapshot with one SIGN_VERIFY key per public key, from a template key of the spec. */
async function snapshotWith(spec: KeySpec, keys: { publicKey: Uint8Array; material?: Uint8Array }[]) {
  // The template is a cheap key (no RSA key generation); its entry is rewritten to the spec.
  const store = new InMemoryKeyStore();
  const template = (await new Kms({ keyStore: store }).createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
  const snap = store.exportSnapshot() as KeyStoreSnapshot;
  const t: Record<string, unknown> = { ...snap.keys[0]!, KeySpec: spec };
  const ids: string[] = [];
  snap.keys = keys.map((k, i) => {
    const keyId = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    ids.push(keyId);
    const m = (t.KeyMaterial as Record<string, unknown>[])[0]!;
    // Verify reads the public key only: a verify-only key keeps the template's private half, never read.
    // Each key its own KeyMaterialId: kms-core caches decoded keys per material version.
    const material = { ...m, KeyMaterialId: (i + 1).toString(16).padStart(64, '0'), PublicKey: Buffer.from(k.publicKey).toString('base64'), ...(k.material ? { Material: Buffer.from(k.material).toString('base64') } : {}) };
    return { ...t, KeyId: keyId, Arn: (t.Arn as string).replace(template.KeyId!, keyId), KeyMaterial: [material] };
  });
  return { snapshot: JSON.stringify(snap), ids };
}

/** Every k-th `valid` test (about 10) and every k-th other one (about 20) of the file, with its group index. */
function subset<G extends { tests: SigTest[] }>(groups: G[], keep: (g: G) => boolean = () => true): { g: number; t: SigTest }[] {
  const all = groups.flatMap((g, i) => (keep(g) ? g.tests.map((t) => ({ g: i, t })) : []));
  const every = (xs: typeof all, n: number) => xs.filter((_, i) => i % Math.max(1, Math.ceil(xs.length / n)) === 0);
  return [...every(all.filter((x) => x.t.result === 'valid'), PER_FILE / 3), ...every(all.filter((x) => x.t.result !== 'valid'), (2 * PER_FILE) / 3)];
}

/** kms.verify's answer: true for SignatureValid, false for KMSInvalidSignatureException; anything else fails the test. */
async function verified(p: Promise<{ SignatureValid?: boolean | undefined }>): Promise<boolean> {
  try {
    const out = await p;
    expect(out.SignatureValid).toBe(true);
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    expect((e as KmsError).name).toBe('KMSInvalidSignatureException');
    return false;
  }
}

for (const backend of BACKENDS) {
  describe(`Wycheproof through kms.verify on the ${backend.name} backend`, () => {
    // The noble backend (webcrypto project) adds its own ECDSA-P256 and Ed25519 paths; ML-DSA and
    // secp256k1 are the same pure-JS code on every backend, and it has no RSA.
    // ML-DSA is that same pure JS in both vitest projects too: the node project takes it.
    const files = backend.name === 'noble' ? FILES.filter((f) => f.spec === 'ECC_NIST_P256' || f.spec === 'ECC_NIST_EDWARDS25519') : backend.name === 'node' ? FILES : FILES.filter((f) => !f.spec.startsWith('ML_DSA'));

    test.each(files)('$file (subset of about 30 tests): valid → SignatureValid, invalid and acceptable → KMSInvalidSignatureException', async (f) => {
      const groups = wycheproof<{ testGroups: SigGroup[] }>(f.file).testGroups;
      const mldsa = f.spec.startsWith('ML_DSA') ? ML_DSA[Number(f.spec.slice(7)) as 44 | 65 | 87] : undefined;
      // ML-DSA groups whose public key has the wrong length cannot become a key record
      // (the row-level suite checks the decoder refuses them).
      const usable = (g: SigGroup) => {
        if (!mldsa) return true;
        try {
          mlDsaSpkiDecode(mldsa, unhex(g.publicKeyDer));
          return true;
        } catch {
          return false;
        }
      };
      const picked = subset(groups, usable);
      const { snapshot, ids } = await snapshotWith(f.spec, groups.map((g) => ({ publicKey: unhex(g.publicKeyDer) })));
      const kms = new Kms({ backend, keyStore: InMemoryKeyStore.fromSnapshot(snapshot) });
      const seen = { valid: 0, refused: 0, inexpressible: 0 };
      for (const { g, t } of picked) {
        const group = groups[g]!;
        // PSS groups count as KMS signatures only with MGF1 of the same hash and salt = hash length.
        const kmsPss = !f.alg.startsWith('RSASSA_PSS') || (group.mgfSha === group.sha && Number(group.sLen) === HASH[group.sha!]!(new Uint8Array()).length);
        const want = t.result === 'valid' && kmsPss && !t.ctx;
        const msg = unhex(t.msg);
        const sig = unhex(t.sig);
        const calls: [Uint8Array, MessageType][] = [];
        // An empty Signature is a ValidationException of the model (Signature: 1..6144 bytes).
        if (sig.length === 0) {
          await expect(kms.verify({ KeyId: ids[g], Message: new Uint8Array(1), SigningAlgorithm: f.alg, Signature: sig })).rejects.toMatchObject({ name: 'ValidationException' });
          seen.inexpressible++;
          continue;
        }
        if (msg.length > 0) calls.push([msg, 'RAW']);
        if (f.hash) calls.push([HASH[f.hash]!(msg), 'DIGEST']);
        if (calls.length === 0) {
          seen.inexpressible++;
          continue;
        }
        for (const [message, type] of calls) {
          const got = await verified(kms.verify({ KeyId: ids[g], Message: message, MessageType: type, SigningAlgorithm: f.alg, Signature: sig }));
          expect(got, `tcId ${t.tcId} ${type} (${t.result}; ${t.flags.join(',')})`).toBe(want);
        }
        if (want) seen.valid++;
        else seen.refused++;
      }
      expect(seen.valid, 'valid vectors in the subset').toBeGreaterThan(2);
      expect(seen.refused, 'refused vectors in the subset').toBeGreaterThan(2);
      expect(seen.inexpressible).toBeLessThan(8);
    });

    // ML-DSA signing is the same pure-JS code on every backend and in both projects: once, in
    // the node project.
    if (backend.name !== 'node') return;
    test('mldsa_44_sign_seed_test.json (subset): kms.sign with the seed-form key and the vector randomness gives the vector signature, RAW and EXTERNAL_MU', async () => {
      const p = ML_DSA[44];
      const groups = wycheproof<{ testGroups: (SigGroup & { privateSeed: string; privateKeyPkcs8?: string })[] }>('mldsa_44_sign_seed_test.json').testGroups;
      const loadable = groups.map((g) => {
        try {
          const pkcs8 = g.privateKeyPkcs8 ? unhex(g.privateKeyPkcs8) : mlDsaPkcs8Encode(p, unhex(g.privateSeed));
          return { pkcs8, publicKey: mlDsaPkcs8Decode(p, pkcs8).publicKey };
        } catch {
          return undefined; // the IncorrectPrivateKeyLength groups (row-level suite)
        }
      });
      const keys = loadable.flatMap((l) => (l ? [l] : []));
      const { snapshot, ids } = await snapshotWith('ML_DSA_44', keys.map((l) => ({ publicKey: mlDsaSpkiEncode(p, l.publicKey), material: l.pkcs8 })));
      const store = InMemoryKeyStore.fromSnapshot(snapshot);
      let signed = 0;
      let n = 0;
      for (let gi = 0; gi < groups.length; gi++) {
        const l = loadable[gi];
        if (!l) continue;
        const id = ids[keys.indexOf(l)]!;
        expect(hex(l.publicKey)).toBe(groups[gi]!.publicKey);
        for (const t of groups[gi]!.tests) {
          if (t.result !== 'valid' || t.ctx || !t.sig || n++ % 5 !== 0) continue;
          const rnd = t.rnd ? unhex(t.rnd) : new Uint8Array(32);
          // The row draws ML-DSA's 32-byte rnd from the Kms random source: inject the vector's.
          const kms = new Kms({ backend, keyStore: store, random: (k) => (k === 32 ? rnd.slice() : new Uint8Array(k)) });
          if (t.msg !== undefined && t.msg.length > 0) {
            expect(hex((await kms.sign({ KeyId: id, Message: unhex(t.msg), SigningAlgorithm: 'ML_DSA_SHAKE_256' })).Signature!), `tcId ${t.tcId} RAW`).toBe(t.sig);
            signed++;
          }
          if (t.mu) {
            expect(hex((await kms.sign({ KeyId: id, Message: unhex(t.mu), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' })).Signature!), `tcId ${t.tcId} EXTERNAL_MU`).toBe(t.sig);
            expect((await kms.verify({ KeyId: id, Message: unhex(t.mu), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256', Signature: unhex(t.sig) })).SignatureValid).toBe(true);
            signed++;
          }
        }
      }
      expect(signed).toBeGreaterThan(6);
    });
  });
}
