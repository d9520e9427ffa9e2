/**
 * Data key pairs (GenerateDataKeyPair below the handler): for every DataKeyPairSpec, OpenSSL
 * parses the PKCS#8 and the SPKI and derives that very SPKI from the private key (ML-KEM:
 * Python `cryptography`, OpenSSL 3.0 has no ML-KEM; it has no ML-KEM-512 either, so that one is
 * checked against @noble/post-quantum's key derivation); a signature made with the private
 * half verifies with the public half; region rules; pairs are fresh and the private key is the
 * caller's buffer.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { ml_kem512 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, test } from 'vitest';
import { dataKeyPairSpecInRegion, DATA_KEY_PAIR_SPECS, generateDataKeyPair, isDataKeyPairSpec } from '../src/algorithms/data-key-pair.js';
import { BACKENDS, der2pem, envFor, hex, python } from './helpers/signing.js';
import { openssl } from './helpers/oracles.js';

const PY_MLKEM = `
import json,sys
from cryptography.hazmat.primitives.serialization import load_der_private_key, load_der_public_key, Encoding, PublicFormat
d=json.load(sys.stdin); k=load_der_private_key(bytes.fromhex(d['pkcs8']), None)
pub=k.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
ss, ct = load_der_public_key(bytes.fromhex(d['spki'])).encapsulate()
print(json.dumps({'spki': pub.hex(), 'ok': k.decapsulate(ct) == ss}))`;

test('the DataKeyPairSpec list is the @aws-sdk/client-kms enum (ML-KEM included, no ML-DSA)', async () => {
  const { DataKeyPairSpec } = await import('@aws-sdk/client-kms');
  expect([...DATA_KEY_PAIR_SPECS].sort()).toEqual(Object.values(DataKeyPairSpec).sort());
  expect(isDataKeyPairSpec('ML_DSA_44')).toBe(false);
  expect(isDataKeyPairSpec('SYMMETRIC_DEFAULT')).toBe(false);
});

test('regions: SM2 only in China, ML-KEM everywhere but China (API_GenerateDataKeyPair: KeyPairSpec)', () => {
  expect(dataKeyPairSpecInRegion('SM2', 'cn-north-1')).toBe(true);
  expect(dataKeyPairSpecInRegion('SM2', 'us-east-1')).toBe(false);
  expect(dataKeyPairSpecInRegion('ML_KEM_768', 'cn-northwest-1')).toBe(false);
  expect(dataKeyPairSpecInRegion('ML_KEM_768', 'eu-west-1')).toBe(true);
  expect(dataKeyPairSpecInRegion('ECC_NIST_P256', 'cn-north-1')).toBe(true);
});

// Only RSA generation calls the backend (rsaGenerateKeyPair); every other generator is the same
// pure-JS code from env.random on every backend, so the noble backend would repeat the webcrypto
// one here: the project's default backend only. RSA_3072 / RSA_4096 (seconds of prime search
// each) are generated through this very row by test/data-key-pairs.test.ts, through the Kms API
// on each project's backend and checked there with OpenSSL and node:crypto; RSA_2048 stays here.
const ROW_SPECS = DATA_KEY_PAIR_SPECS.filter((s) => s !== 'RSA_3072' && s !== 'RSA_4096');
for (const backend of [BACKENDS[0]!]) {
  describe(`data key pairs on the ${backend.name} backend`, () => {
    const env = envFor(backend);
    const specs = ROW_SPECS;
    test.each(specs)('%s: PKCS#8 and SPKI parse in OpenSSL / Python and belong together', async (spec) => {
      const pair = await generateDataKeyPair(env, spec);
      if (!spec.startsWith('RSA')) {
        // Fresh per call (RSA freshness is the platform's prime generation; skipped for time).
        const again = await generateDataKeyPair(env, spec);
        expect(hex(again.privateKey)).not.toBe(hex(pair.privateKey));
      }
      if (spec.startsWith('ML_KEM')) {
        // Seed form: every ML-KEM private key has the same length (API_GenerateDataKeyPair),
        // 86 bytes, the same DER as Python cryptography's private_bytes(PKCS8).
        expect(pair.privateKey.length).toBe(86);
        expect(hex(pair.privateKey.subarray(18, 22))).toBe('04428040');
        if (spec === 'ML_KEM_512') {
          const seed = pair.privateKey.subarray(pair.privateKey.length - 64);
          expect(hex(pair.publicKey).endsWith(hex(ml_kem512.keygen(seed).publicKey))).toBe(true);
        } else {
          const out = python(PY_MLKEM, { pkcs8: hex(pair.privateKey), spki: hex(pair.publicKey) });
          expect(out.spki).toBe(hex(pair.publicKey));
          expect(out.ok).toBe(true);
        }
        return;
      }
      const derived = openssl(['pkey', '-in', 'key.pem', '-pubout', '-outform', 'DER', '-out', 'pub.der'], { 'key.pem': der2pem(pair.privateKey, 'PRIVATE KEY') }, 'pub.der');
      expect(hex(derived)).toBe(hex(pair.publicKey));
      const parsed = openssl(['pkey', '-pubin', '-in', 'pub.pem', '-noout', '-text', '-out', 'out.txt'], { 'pub.pem': der2pem(pair.publicKey, 'PUBLIC KEY') }, 'out.txt');
      expect(parsed.length).toBeGreaterThan(0);
      if (spec !== 'SM2') {
        const priv = createPrivateKey({ key: Buffer.from(pair.privateKey), format: 'der', type: 'pkcs8' });
        const pub = createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
        const md = spec === 'ECC_NIST_EDWARDS25519' ? null : 'sha256';
        expect(nodeVerify(md, Uint8Array.of(1, 2), pub, nodeSign(md, Uint8Array.of(1, 2), priv))).toBe(true);
      }
    });
  });
}
