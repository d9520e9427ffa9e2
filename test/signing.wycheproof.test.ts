/**
 * Project Wycheproof through the signing rows, on every backend of this project (see
 * test/vectors/wycheproof/README.md for the mapping): every `valid` signature verifies, every
 * `invalid` one is refused (false → KMSInvalidSignatureException in the handler), `acceptable`
 * ones are refused and counted. A message KMS cannot take as RAW (the empty message: Message is
 * 1..4096 bytes in the API model) is checked through DIGEST where the algorithm has one and
 * counted as inexpressible otherwise.
 */
import { describe, expect, test } from 'vitest';
import { SIGNING_ALGORITHMS, type SigningAlgorithmSpec } from '../src/algorithms/signing/index.js';
import { mlDsaPkcs8Decode, mlDsaPkcs8Encode, mlDsaSpkiDecode, mlDsaSpkiEncode, ML_DSA } from '../src/primitives/mldsa-keys.js';
import { BACKENDS, backingKey, envFor, HASH, hex, publicOnly, unhex } from './helpers/signing.js';
import { wycheproof } from './helpers/wycheproof.js';

interface SigTest { tcId: number; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable'; flags: string[]; ctx?: string; mu?: string; rnd?: string }
interface SigGroup { publicKeyDer?: string; publicKey?: unknown; sha?: string; mgfSha?: string; sLen?: string | number; privateKeyPkcs8?: string; tests: SigTest[] }

/**
 * `seam: false`: the row never calls a backend method for these vectors (secp256k1 is pure JS
 * on the webcrypto and noble backends alike: WebCrypto has no such curve), so the noble backend
 * would run the very code the webcrypto backend just ran; it skips them, as it skips ML-DSA.
 * `slow`: pure-JS P-384 / P-521 verification; see the stride below.
 */
const FILES: { file: string; alg: SigningAlgorithmSpec; hash?: string; rsaOnly?: boolean; seam?: false; slow?: true }[] = [
  { file: 'ecdsa_secp256r1_sha256_test.json', alg: 'ECDSA_SHA_256', hash: 'SHA-256' },
  { file: 'ecdsa_secp384r1_sha384_test.json', alg: 'ECDSA_SHA_384', hash: 'SHA-384', slow: true },
  { file: 'ecdsa_secp521r1_sha512_test.json', alg: 'ECDSA_SHA_512', hash: 'SHA-512', slow: true },
  { file: 'ecdsa_secp256k1_sha256_test.json', alg: 'ECDSA_SHA_256', hash: 'SHA-256', seam: false },
  { file: 'rsa_signature_2048_sha256_test.json', alg: 'RSASSA_PKCS1_V1_5_SHA_256', hash: 'SHA-256', rsaOnly: true },
  { file: 'rsa_signature_3072_sha384_test.json', alg: 'RSASSA_PKCS1_V1_5_SHA_384', hash: 'SHA-384', rsaOnly: true },
  { file: 'rsa_signature_4096_sha512_test.json', alg: 'RSASSA_PKCS1_V1_5_SHA_512', hash: 'SHA-512', rsaOnly: true },
  { file: 'rsa_pss_2048_sha256_mgf1_32_test.json', alg: 'RSASSA_PSS_SHA_256', hash: 'SHA-256', rsaOnly: true },
  { file: 'rsa_pss_2048_sha384_mgf1_48_test.json', alg: 'RSASSA_PSS_SHA_384', hash: 'SHA-384', rsaOnly: true },
  { file: 'rsa_pss_4096_sha512_mgf1_64_test.json', alg: 'RSASSA_PSS_SHA_512', hash: 'SHA-512', rsaOnly: true },
  { file: 'ed25519_test.json', alg: 'ED25519_SHA_512' },
];

for (const backend of BACKENDS) {
  describe(`Wycheproof signature verification on the ${backend.name} backend`, () => {
    const env = envFor(backend);
    for (const f of FILES) {
      if ((f.rsaOnly || f.seam === false) && backend.name === 'noble') continue;
      // Pure-JS P-384 / P-521 on the noble backend: every fourth `valid` test (every invalid and
      // acceptable one still runs). The node project verifies every one of them as DIGEST, which
      // is the same noble code the noble backend runs for RAW (the row hashes, then verifies).
      const stride = backend.name === 'noble' && f.slow ? 4 : 1;
      test(`${f.file}: valid verify, invalid and acceptable are refused`, async () => {
        const alg = SIGNING_ALGORITHMS[f.alg];
        const groups = wycheproof<{ testGroups: SigGroup[] }>(f.file).testGroups;
        const seen = { valid: 0, invalid: 0, acceptable: 0, inexpressible: 0 };
        for (const g of groups) {
          // PSS files: the group's MGF1 hash and salt length must be KMS's (same hash, hLen).
          const kmsPss = !f.file.startsWith('rsa_pss') || (g.mgfSha === g.sha && Number(g.sLen) === HASH[g.sha!]!(new Uint8Array()).length);
          const bk = publicOnly(unhex(g.publicKeyDer!));
          for (const t of g.tests) {
            if (t.result === 'valid' && t.tcId % stride !== 0) continue;
            const msg = unhex(t.msg);
            const sig = unhex(t.sig);
            const outcomes: boolean[] = [];
            if (msg.length > 0) outcomes.push(await alg.verify(env, bk, msg, 'RAW', sig));
            // DIGEST always runs the pure-JS path for ECDSA; the webcrypto project already runs
            // the noble backend (RAW through noble), so DIGEST is checked where it adds a path.
            if (f.hash && (backend.name === 'node' || f.rsaOnly || msg.length === 0)) outcomes.push(await alg.verify(env, bk, HASH[f.hash]!(msg), 'DIGEST', sig));
            if (outcomes.length === 0) {
              seen.inexpressible++;
              continue;
            }
            seen[t.result]++;
            const want = t.result === 'valid' && kmsPss;
            for (const o of outcomes) expect(o, `tcId ${t.tcId} (${t.result}, ${t.flags.join(',')})`).toBe(want);
          }
        }
        expect(seen.valid).toBeGreaterThan(5);
        expect(seen.invalid).toBeGreaterThan(5);
        expect(seen.inexpressible).toBeLessThan(5);
      });
    }

    // ML-DSA is @noble/post-quantum on every backend (the row calls no backend method), so every
    // backend and both projects would run the very same code: the node project runs it (an
    // explicit check, not a skip); test/sign.wycheproof.test.ts takes ML-DSA vectors through the
    // API in both projects.
    if (backend !== BACKENDS[0]) return;
    const nodeProject = (task: { file: { projectName?: string } }) => task.file.projectName === 'node' || void expect(task.file.projectName).toBe('webcrypto');
    for (const level of [44, 65, 87] as const) {
      test(`mldsa_${level}_verify_test.json: ML_DSA_SHAKE_256 RAW, empty context`, async ({ task }) => {
        if (!nodeProject(task)) return;
        const alg = SIGNING_ALGORITHMS.ML_DSA_SHAKE_256;
        const groups = wycheproof<{ testGroups: (SigGroup & { publicKey: string })[] }>(`mldsa_${level}_verify_test.json`).testGroups;
        let valid = 0;
        let refused = 0;
        for (const g of groups) {
          let keyOk = true;
          try {
            mlDsaSpkiDecode(ML_DSA[level], unhex(g.publicKeyDer!));
          } catch {
            keyOk = false;
          }
          // A public key of the wrong length cannot become a key record.
          expect(keyOk, `group key length ${g.publicKey.length / 2}`).toBe(g.publicKey.length / 2 === ML_DSA[level].publicKeyBytes);
          if (!keyOk) {
            refused += g.tests.length;
            continue;
          }
          const bk = publicOnly(unhex(g.publicKeyDer!));
          for (const t of g.tests) {
            const want = t.result === 'valid' && !t.ctx;
            const msg = unhex(t.msg);
            if (msg.length === 0) continue;
            expect(await alg.verify(env, bk, msg, 'RAW', unhex(t.sig)), `tcId ${t.tcId}`).toBe(want);
            if (want) valid++;
            else refused++;
          }
        }
        expect(valid).toBeGreaterThan(10);
        expect(refused).toBeGreaterThan(10);
      });
    }

    test('mldsa_44_sign_seed_test.json: seed-form PKCS#8 → publicKey; deterministic signatures of msg (RAW) and mu (EXTERNAL_MU)', async ({ task }) => {
      if (!nodeProject(task)) return;
      const alg = SIGNING_ALGORITHMS.ML_DSA_SHAKE_256;
      const p = ML_DSA[44];
      const groups = wycheproof<{ testGroups: (SigGroup & { privateSeed: string; privateKeyPkcs8: string; publicKey: string })[] }>('mldsa_44_sign_seed_test.json').testGroups;
      let signed = 0;
      for (const g of groups) {
        let pkcs8: Uint8Array = new Uint8Array(0);
        let pair: { publicKey: Uint8Array } | undefined;
        try {
          // Groups without privateKeyPkcs8 give the seed only: our seed-form encoding of it.
          pkcs8 = g.privateKeyPkcs8 ? unhex(g.privateKeyPkcs8) : mlDsaPkcs8Encode(p, unhex(g.privateSeed));
          pair = mlDsaPkcs8Decode(p, pkcs8);
        } catch {
          pair = undefined;
        }
        if (!pair) {
          // Only the IncorrectPrivateKeyLength groups may fail to load.
          expect(g.tests.every((t) => t.result === 'invalid' && t.flags.includes('IncorrectPrivateKeyLength'))).toBe(true);
          continue;
        }
        expect(hex(pair.publicKey)).toBe(g.publicKey);
        const bk = backingKey(pkcs8, mlDsaSpkiEncode(p, pair.publicKey));
        for (const t of g.tests) {
          const rnd = t.rnd ? unhex(t.rnd) : new Uint8Array(32);
          const seeded = envFor(backend, (n) => (n === 32 ? rnd.slice() : new Uint8Array(n)));
          const mu = t.mu ? unhex(t.mu) : undefined;
          if (mu && t.sig) {
            const sig = await alg.sign(seeded, bk, mu, 'EXTERNAL_MU');
            // EXTERNAL_MU signatures are the RAW ones (Developer Guide, "ML-DSA keys"), for μ of the empty context.
            if (!t.ctx) expect(hex(sig), `tcId ${t.tcId} (mu)`).toBe(t.sig);
            expect(await alg.verify(seeded, bk, mu, 'EXTERNAL_MU', unhex(t.sig))).toBe(true);
            signed++;
          }
          if (t.msg !== undefined && t.msg.length > 0 && t.result === 'valid') {
            const sig = await alg.sign(seeded, bk, unhex(t.msg), 'RAW');
            if (t.ctx) {
              // KMS signs with the empty context: not the vector's signature, and the vector's does not verify.
              expect(hex(sig)).not.toBe(t.sig);
              expect(await alg.verify(seeded, bk, unhex(t.msg), 'RAW', unhex(t.sig))).toBe(false);
            } else {
              expect(hex(sig), `tcId ${t.tcId} (msg)`).toBe(t.sig);
            }
            signed++;
          }
        }
      }
      expect(signed).toBeGreaterThan(50);
    });
  });
}
