/**
 * ML-KEM below the operations (src/algorithms/ml-kem.ts, src/primitives/ml-kem-keys.ts):
 * Wycheproof mlkem_512/768/1024 (key generation from the seed, decapsulation, implicit
 * rejection, wrong lengths), encapsulation with given randomness checked against FIPS 203's
 * K = G(m‖H(ek)) computed with node:crypto's SHA3, implicit rejection K̄ = J(z‖c) with
 * node:crypto's SHAKE256, round trips in both vitest projects, and the key encodings read by
 * node-forge's ASN.1 parser.
 */
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, test } from 'vitest';
import {
  ML_KEM_KEY_SPECS,
  ML_KEM_KEY_SPEC_SETS,
  encapsulationAlgorithm,
  mlKem,
  mlKemKeyPairFromSeed,
  type MlKemKeySpec,
} from '../src/algorithms/ml-kem.js';
import type { EncapsulationAlgorithmSpec } from '../src/algorithms/types.js';
import { derOctetString, derOid, derSequence, derInteger, derTlv } from '../src/primitives/der.js';
import { MlKemKeyError, ML_KEM_SETS, mlKemSeedFromPkcs8, mlKemSpkiDecode } from '../src/primitives/ml-kem-keys.js';
import { defaultBackend } from './helpers/backend.js';
import { backingKey, cryptoEnv, hex, toHexString } from './helpers/env.js';
import { seededRandom } from './helpers/keys.js';
import { wycheproof } from './helpers/wycheproof.js';

const SPECS = Object.keys(ML_KEM_KEY_SPECS) as MlKemKeySpec[];
const FILE = { ML_KEM_512: 'mlkem_512_test.json', ML_KEM_768: 'mlkem_768_test.json', ML_KEM_1024: 'mlkem_1024_test.json' } as const;
const OID = { ML_KEM_512: '2.16.840.1.101.3.4.4.1', ML_KEM_768: '2.16.840.1.101.3.4.4.2', ML_KEM_1024: '2.16.840.1.101.3.4.4.3' } as const;
const EK_BYTES = { ML_KEM_512: 800, ML_KEM_768: 1184, ML_KEM_1024: 1568 } as const;
const CT_BYTES = { ML_KEM_512: 768, ML_KEM_768: 1088, ML_KEM_1024: 1568 } as const;

/** FIPS 203 §4.1: H = SHA3-256, G = SHA3-512, J(s) = SHAKE256(s, 32 bytes) — from node:crypto. */
const H = (b: Uint8Array) => createHash('sha3-256').update(b).digest();
const G = (...b: Uint8Array[]) => b.reduce((h, x) => h.update(x), createHash('sha3-512')).digest();
const J = (...b: Uint8Array[]) => toHexString(b.reduce((h, x) => h.update(x), createHash('shake256', { outputLength: 32 })).digest());

async function newKey(spec: MlKemKeySpec, seed = 1) {
  const env = cryptoEnv(defaultBackend, seededRandom(seed));
  return { env, bk: await ML_KEM_KEY_SPECS[spec].generate(env, 0) };
}

describe.each(SPECS)('%s', (spec) => {
  test('Precondition: the seed is d‖z, 64 bytes (FIPS 203 §7.1) — Wycheproof: the seed gives the test’s encapsulation key; decapsulation gives K, implicit rejection K̄ = J(z‖c); wrong lengths are refused', async ({ task }) => {
    // ML-KEM is pure JS (@noble/post-quantum) whatever backend a project aliases: the webcrypto
    // project would repeat this run byte for byte, so the node project runs every case (an
    // explicit check, not a skip); test/ml-kem.operations.test.ts takes the cases through the
    // API in both projects.
    if (task.file.projectName !== 'node') return void expect(task.file.projectName).toBe('webcrypto');
    interface KemTest { tcId: number; comment?: string; seed: string; ek?: string; c: string; K: string; result: 'valid' | 'invalid' }
    const groups = wycheproof<{ testGroups: { parameterSet: string; tests: KemTest[] }[] }>(FILE[spec]).testGroups;
    const env = cryptoEnv(defaultBackend);
    const counts = { valid: 0, rejected: 0, badCiphertext: 0, badSeed: 0 };
    for (const g of groups) {
      expect(g.parameterSet).toBe(ML_KEM_KEY_SPEC_SETS[spec].set);
      for (const t of g.tests) {
        const seed = hex(t.seed);
        if (seed.length !== 64) {
          // "Private key too short/long": no KMS key can hold it.
          expect(t.result).toBe('invalid');
          expect(() => mlKemKeyPairFromSeed(spec, seed), `tcId ${t.tcId}`).toThrow(MlKemKeyError);
          counts.badSeed++;
          continue;
        }
        const { privateKey, publicKey } = mlKemKeyPairFromSeed(spec, seed);
        expect(toHexString(mlKemSpkiDecode(ML_KEM_KEY_SPEC_SETS[spec].set, publicKey)), `tcId ${t.tcId}`).toBe(t.ek);
        const bk = backingKey(privateKey, publicKey, createHash('sha256').update(seed).digest('hex'));
        const c = hex(t.c);
        const k = await mlKem.decapsulate(env, spec, bk, c);
        if (t.result === 'invalid') {
          // "Ciphertext too short/long": InvalidCiphertextException at the operation.
          expect(c.length).not.toBe(CT_BYTES[spec]);
          expect(k, `tcId ${t.tcId}`).toBeUndefined();
          counts.badCiphertext++;
          continue;
        }
        expect(toHexString(k as Uint8Array), `tcId ${t.tcId}`).toBe(t.K);
        if (toHexString(k as Uint8Array) === J(seed.subarray(32), c)) counts.rejected++;
        else counts.valid++;
        if (t.comment === 'Random ciphertext' || t.comment === 'Bit flipped ciphertext') expect(t.K, `tcId ${t.tcId}`).toBe(J(seed.subarray(32), c));
      }
    }
    expect(counts.badSeed).toBe(20);
    expect(counts.badCiphertext).toBe(20);
    expect(counts.rejected).toBeGreaterThanOrEqual(20);
    expect(counts.valid).toBeGreaterThan(100);
  });

  test('encapsulation with given randomness: m from the Kms random source, K = G(m‖H(ek))[0:32] (node:crypto SHA3), c of the spec’s length, and decapsulation recovers K', async () => {
    const { bk } = await newKey(spec);
    const ek = mlKemSpkiDecode(ML_KEM_KEY_SPEC_SETS[spec].set, bk.publicKey as Uint8Array);
    for (let i = 0; i < 5; i++) {
      const drawn: Uint8Array[] = [];
      const source = seededRandom(100 + i);
      const env = cryptoEnv(defaultBackend, (n) => {
        const b = source(n);
        drawn.push(Uint8Array.from(b));
        return b;
      });
      const { sharedSecret, ciphertext } = await mlKem.encapsulate(env, spec, bk);
      expect(drawn.map((d) => d.length)).toEqual([32]);
      expect(sharedSecret.length).toBe(32);
      expect(ciphertext.length).toBe(CT_BYTES[spec]);
      expect(toHexString(sharedSecret)).toBe(G(drawn[0]!, H(ek)).subarray(0, 32).toString('hex'));
      expect(toHexString((await mlKem.decapsulate(env, spec, bk, ciphertext)) as Uint8Array)).toBe(toHexString(sharedSecret));
    }
  });

  test('implicit rejection: any right-length ciphertext gives 32 bytes and no error — a bit flip gives J(z‖c′), another key’s ciphertext J(z‖c)', async () => {
    const { env, bk } = await newKey(spec, 3);
    const other = await newKey(spec, 4);
    const z = mlKemSeedFromPkcs8(ML_KEM_KEY_SPEC_SETS[spec].set, bk.material).subarray(32);
    const { sharedSecret, ciphertext } = await mlKem.encapsulate(env, spec, bk);
    for (const bit of [0, 7, 8 * 100 + 3, ciphertext.length * 8 - 1]) {
      const bad = Uint8Array.from(ciphertext);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      const k = (await mlKem.decapsulate(env, spec, bk, bad)) as Uint8Array;
      expect(k.length).toBe(32);
      expect(toHexString(k)).not.toBe(toHexString(sharedSecret));
      expect(toHexString(k)).toBe(J(z, bad));
    }
    const foreign = await mlKem.encapsulate(other.env, spec, other.bk);
    expect(toHexString((await mlKem.decapsulate(env, spec, bk, foreign.ciphertext)) as Uint8Array)).toBe(J(z, foreign.ciphertext));
    expect(toHexString((await mlKem.decapsulate(env, spec, bk, new Uint8Array(CT_BYTES[spec]))) as Uint8Array)).toBe(J(z, new Uint8Array(CT_BYTES[spec])));
  });

  test("Precondition: the ciphertext has the spec's length (API_Decapsulate: otherwise InvalidCiphertextException) — shorter, longer, empty, and other specs’ lengths are undefined", async () => {
    const { env, bk } = await newKey(spec);
    for (const n of [0, 1, CT_BYTES[spec] - 1, CT_BYTES[spec] + 1, ...Object.values(CT_BYTES).filter((x) => x !== CT_BYTES[spec])]) {
      expect(await mlKem.decapsulate(env, spec, bk, new Uint8Array(n)), `length ${n}`).toBeUndefined();
    }
  });

  test('round trip and determinism: the same injected randomness gives the same key, ciphertext and secret', async () => {
    const a = await newKey(spec, 11);
    const b = await newKey(spec, 11);
    expect(b.bk).toEqual(a.bk);
    const ea = await mlKem.encapsulate(a.env, spec, a.bk);
    const eb = await mlKem.encapsulate(b.env, spec, b.bk);
    expect(toHexString(eb.ciphertext)).toBe(toHexString(ea.ciphertext));
    expect(toHexString(eb.sharedSecret)).toBe(toHexString(ea.sharedSecret));
    const c = await newKey(spec, 12);
    expect(toHexString(c.bk.publicKey as Uint8Array)).not.toBe(toHexString(a.bk.publicKey as Uint8Array));
  });

  test('key encodings: SPKI with the FIPS 203 OID and no parameters; PKCS#8 in the 86-byte seed form AWS documents, read by node-forge', async () => {
    const { bk } = await newKey(spec);
    const spki = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bk.publicKey as Uint8Array).toString('binary')), true);
    const [alg, key] = spki.value as forge.asn1.Asn1[];
    const algItems = alg!.value as forge.asn1.Asn1[];
    expect(algItems.length).toBe(1);
    expect(forge.asn1.derToOid(algItems[0]!.value as string)).toBe(OID[spec]);
    expect(key!.type).toBe(forge.asn1.Type.BITSTRING);
    expect((key!.value as string).length).toBe(EK_BYTES[spec] + 1);
    expect(bk.material.length).toBe(86);
    const p8 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bk.material).toString('binary')), true);
    const [version, p8alg, octets] = p8.value as forge.asn1.Asn1[];
    expect(forge.asn1.derToInteger(version!.value as string)).toBe(0);
    expect(forge.asn1.derToOid(((p8alg!.value as forge.asn1.Asn1[])[0]!.value) as string)).toBe(OID[spec]);
    const inner = Buffer.from(octets!.value as string, 'binary');
    expect(inner.subarray(0, 2).toString('hex')).toBe('8040');
    expect(inner.length).toBe(66);
  });
});

describe('ML-KEM key encodings refused (MlKemKeyError, never a crash)', () => {
  const set = ML_KEM_SETS['ML-KEM-768'];
  const seed = new Uint8Array(64).fill(7);
  const alg = derSequence(derOid(set.oid));
  const p8 = (inner: Uint8Array, a = alg) => derSequence(derInteger(0n), a, derOctetString(inner));

  test('Precondition: the private key is the seed CHOICE (the form AWS documents), not expandedKey or both — expandedKey, both, a 63- or 65-byte seed, another OID, trailing bytes are refused', () => {
    expect(mlKemSeedFromPkcs8('ML-KEM-768', p8(derTlv(0x80, seed)))).toEqual(seed);
    for (const bad of [
      p8(derOctetString(new Uint8Array(2400))),
      p8(derSequence(derOctetString(seed), derOctetString(new Uint8Array(2400)))),
      p8(derTlv(0x80, seed.subarray(0, 63))),
      p8(derTlv(0x80, new Uint8Array(65))),
      p8(derTlv(0x80, seed), derSequence(derOid(ML_KEM_SETS['ML-KEM-512'].oid))),
      Uint8Array.from([...p8(derTlv(0x80, seed)), 0]),
      new Uint8Array(0),
    ]) {
      expect(() => mlKemSeedFromPkcs8('ML-KEM-768', bad)).toThrow(MlKemKeyError);
    }
  });

  test('an SPKI of another parameter set, with parameters, or with a short key is refused', () => {
    const ek = new Uint8Array(set.publicKeyBytes);
    const bit = (b: Uint8Array) => derTlv(0x03, Uint8Array.from([0, ...b]));
    expect(mlKemSpkiDecode('ML-KEM-768', derSequence(alg, bit(ek)))).toEqual(ek);
    for (const bad of [
      derSequence(derSequence(derOid(ML_KEM_SETS['ML-KEM-512'].oid)), bit(ek)),
      derSequence(derSequence(derOid(set.oid), Uint8Array.of(5, 0)), bit(ek)),
      derSequence(alg, bit(ek.subarray(1))),
    ]) {
      expect(() => mlKemSpkiDecode('ML-KEM-768', bad)).toThrow(MlKemKeyError);
    }
  });
});

describe('ML-KEM rows', () => {
  test('ML_KEM is the only EncapsulationAlgorithmSpec; the specs take ENCAPSULATE_DECAPSULATE only and are not offered in the China Regions', () => {
    expect(encapsulationAlgorithm('ML_KEM')).toBe(mlKem);
    expect(encapsulationAlgorithm('ML_KEM_768' as EncapsulationAlgorithmSpec)).toBeUndefined();
    expect(encapsulationAlgorithm('__proto__' as EncapsulationAlgorithmSpec)).toBeUndefined();
    for (const spec of SPECS) {
      const row = ML_KEM_KEY_SPECS[spec];
      expect(row.keyUsages).toEqual(['ENCAPSULATE_DECAPSULATE']);
      expect(row.encapsulationAlgorithms).toEqual(['ML_KEM']);
      expect(row.encryptionAlgorithms).toEqual([]);
      expect(row.regions?.('us-east-1')).toBe(true);
      expect(row.regions?.('cn-north-1')).toBe(false);
      expect(row.regions?.('cn-northwest-1')).toBe(false);
    }
  });
});
