/**
 * Sign / Verify interop, both ways, for every key spec × signing algorithm and every backend:
 * kms-core's signatures verify with `openssl` (dgst / pkeyutl; SM2 with distid
 * 1234567812345678) and node:crypto (RSA, ECDSA, Ed25519) or Python `cryptography` (ML-DSA,
 * which OpenSSL 3.0 lacks); signatures OpenSSL / node:crypto / Python make with the private
 * half verify in kms-core; DIGEST of a message verifies as RAW of it and the other way round.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, constants } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { describe, expect, test } from 'vitest';
import { SIGNING_ALGORITHMS, type SigningAlgorithmSpec } from '../src/algorithms/signing/index.js';
import type { KeySpec } from '../src/keys/record.js';
import { sm2Digest } from '../src/primitives/sm2dsa.js';
import { sm2SpkiDecode } from '../src/primitives/sm2-keys.js';
import { BACKENDS, backingKey, der2pem, envFor, HASH, hex, newSigningKey, opensslOk, python, unhex } from './helpers/signing.js';
import { openssl } from './helpers/oracles.js';

const MSG = new TextEncoder().encode('kms-core signs this message for OpenSSL and node:crypto');

interface Case {
  spec: KeySpec;
  alg: SigningAlgorithmSpec;
  hash?: 'SHA-256' | 'SHA-384' | 'SHA-512';
}

const CASES: Case[] = [
  ...(['RSA_2048', 'RSA_3072', 'RSA_4096'] as const).flatMap((spec) =>
    (['256', '384', '512'] as const).flatMap((b) => [
      { spec, alg: `RSASSA_PSS_SHA_${b}` as SigningAlgorithmSpec, hash: `SHA-${b}` as const },
      { spec, alg: `RSASSA_PKCS1_V1_5_SHA_${b}` as SigningAlgorithmSpec, hash: `SHA-${b}` as const },
    ]),
  ),
  { spec: 'ECC_NIST_P256', alg: 'ECDSA_SHA_256', hash: 'SHA-256' },
  { spec: 'ECC_NIST_P384', alg: 'ECDSA_SHA_384', hash: 'SHA-384' },
  { spec: 'ECC_NIST_P521', alg: 'ECDSA_SHA_512', hash: 'SHA-512' },
  { spec: 'ECC_SECG_P256K1', alg: 'ECDSA_SHA_256', hash: 'SHA-256' },
  { spec: 'ECC_NIST_EDWARDS25519', alg: 'ED25519_SHA_512' },
  { spec: 'ECC_NIST_EDWARDS25519', alg: 'ED25519_PH_SHA_512' },
  { spec: 'SM2', alg: 'SM2DSA' },
  { spec: 'ML_DSA_44', alg: 'ML_DSA_SHAKE_256' },
  { spec: 'ML_DSA_65', alg: 'ML_DSA_SHAKE_256' },
  { spec: 'ML_DSA_87', alg: 'ML_DSA_SHAKE_256' },
];

const mdName = (h: string) => h.replace('-', '').toLowerCase();

/** openssl arguments that verify `sig` over `msg` with `pub.pem` for the case (RAW message). */
function opensslVerifyArgs(c: Case): string[] {
  if (c.alg.startsWith('RSASSA_PSS')) {
    const md = mdName(c.hash!);
    const salt = String(HASH[c.hash!]!(new Uint8Array()).length);
    return ['dgst', `-${md}`, '-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${salt}`, '-sigopt', `rsa_mgf1_md:${md}`, '-verify', 'pub.pem', '-signature', 'sig', 'msg'];
  }
  if (c.hash) return ['dgst', `-${mdName(c.hash)}`, '-verify', 'pub.pem', '-signature', 'sig', 'msg'];
  if (c.alg === 'SM2DSA') return ['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-verify', 'pub.pem', '-signature', 'sig', 'msg'];
  return ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg', '-sigfile', 'sig'];
}

function opensslSignArgs(c: Case): string[] {
  if (c.alg.startsWith('RSASSA_PSS')) {
    const md = mdName(c.hash!);
    const salt = String(HASH[c.hash!]!(new Uint8Array()).length);
    return ['dgst', `-${md}`, '-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${salt}`, '-sigopt', `rsa_mgf1_md:${md}`, '-sign', 'key.pem', '-out', 'sig', 'msg'];
  }
  if (c.hash) return ['dgst', `-${mdName(c.hash)}`, '-sign', 'key.pem', '-out', 'sig', 'msg'];
  if (c.alg === 'SM2DSA') return ['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-sign', 'key.pem', '-out', 'sig', 'msg'];
  return ['pkeyutl', '-sign', '-inkey', 'key.pem', '-rawin', '-in', 'msg', '-out', 'sig'];
}

const PY_MLDSA_VERIFY = `
import json,sys
from cryptography.hazmat.primitives.serialization import load_der_public_key
d=json.load(sys.stdin); k=load_der_public_key(bytes.fromhex(d['spki']))
try:
  k.verify(bytes.fromhex(d['sig']), bytes.fromhex(d['msg'])); print('true')
except Exception: print('false')`;

const PY_MLDSA_SIGN = `
import json,sys
from cryptography.hazmat.primitives.serialization import load_der_private_key, Encoding, PublicFormat
d=json.load(sys.stdin); k=load_der_private_key(bytes.fromhex(d['pkcs8']), None)
print(json.dumps({'sig': k.sign(bytes.fromhex(d['msg'])).hex(), 'spki': k.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo).hex()}))`;

/** The DIGEST-mode message of MSG for the case (what a caller would pass), if DIGEST is offered. */
function digestOf(c: Case, spki: Uint8Array): Uint8Array | undefined {
  if (c.hash) return HASH[c.hash]!(MSG);
  if (c.alg === 'SM2DSA') return sm2Digest(sm2SpkiDecode(spki), MSG);
  return undefined;
}

for (const backend of BACKENDS) {
  describe(`Sign / Verify interop on the ${backend.name} backend`, () => {
    const env = envFor(backend);
    const cases = backend.name === 'noble' ? CASES.filter((c) => !c.spec.startsWith('RSA')) : CASES;
    const keys = new Map<KeySpec, Promise<Awaited<ReturnType<typeof newSigningKey>>>>();
    const keyFor = (spec: KeySpec) => {
      if (!keys.has(spec)) keys.set(spec, newSigningKey(env, spec));
      return keys.get(spec)!;
    };

    test.each(cases)('$spec $alg: ours verify with OpenSSL / node:crypto / Python, theirs verify with ours', async (c) => {
      const alg = SIGNING_ALGORITHMS[c.alg];
      expect(alg.keySpecs).toContain(c.spec);
      const bk = await keyFor(c.spec);
      const spki = bk.publicKey!;
      const ph = c.alg === 'ED25519_PH_SHA_512';
      // ED25519_PH_SHA_512 takes DIGEST only: the 64 bytes are HashEdDSA's message M.
      const msg = ph ? HASH['SHA-512']!(MSG) : MSG;
      const type = ph ? 'DIGEST' : 'RAW';
      const sig = await alg.sign(env, bk, msg, type);
      expect(await alg.verify(env, bk, msg, type, sig)).toBe(true);

      if (c.spec.startsWith('ML_DSA')) {
        expect(python(PY_MLDSA_VERIFY, { spki: hex(spki), sig: hex(sig), msg: hex(msg) })).toBe(true);
        expect(python(PY_MLDSA_VERIFY, { spki: hex(spki), sig: hex(sig), msg: hex(Uint8Array.of(...msg, 0)) })).toBe(false);
        const theirs = python(PY_MLDSA_SIGN, { pkcs8: hex(bk.material), msg: hex(msg) });
        expect(theirs.spki).toBe(hex(spki)); // Python derives the same public key from our seed-form PKCS#8
        expect(await alg.verify(env, bk, msg, 'RAW', unhex(theirs.sig))).toBe(true);
        return;
      }
      if (ph) {
        // No OpenSSL 3.0 / node:crypto Ed25519ph: an independent check is RFC 8032 §7.3 below;
        // here noble's HashEdDSA (called directly, not through the row) agrees both ways.
        const pub = new Uint8Array(spki.subarray(spki.length - 32));
        expect(ed25519ph.verify(sig, msg, pub)).toBe(true);
        expect(ed25519ph.verify(sig, MSG, pub)).toBe(false); // not the single-hashed message
        return;
      }
      const files = { 'pub.pem': der2pem(spki, 'PUBLIC KEY'), sig, msg };
      expect(opensslOk(opensslVerifyArgs(c), files), 'openssl verifies our signature').toBe(true);
      expect(opensslOk(opensslVerifyArgs(c), { ...files, msg: Uint8Array.of(...msg, 1) }), 'openssl refuses it for another message').toBe(false);
      const theirSig = openssl(opensslSignArgs(c), { 'key.pem': der2pem(bk.material, 'PRIVATE KEY'), msg }, 'sig');
      expect(await alg.verify(env, bk, msg, 'RAW', new Uint8Array(theirSig)), 'ours verifies OpenSSL signature').toBe(true);

      if (c.alg !== 'SM2DSA') {
        const pubKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
        const privKey = createPrivateKey({ key: Buffer.from(bk.material), format: 'der', type: 'pkcs8' });
        const md = c.hash ? mdName(c.hash) : null;
        const pss = c.alg.startsWith('RSASSA_PSS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH[c.hash!]!(new Uint8Array()).length } : {};
        expect(nodeVerify(md, msg, { key: pubKey, ...pss }, sig), 'node:crypto verifies ours').toBe(true);
        const nodeSig = nodeSign(md, msg, { key: privKey, ...pss });
        expect(await alg.verify(env, bk, msg, 'RAW', new Uint8Array(nodeSig)), 'ours verifies node:crypto').toBe(true);
      }

      const digest = digestOf(c, spki);
      if (digest) {
        // DIGEST mode equals RAW of the same message, both ways (API_Verify: "A message and its hash digest are considered to be the same message").
        const dsig = await alg.sign(env, bk, digest, 'DIGEST');
        expect(await alg.verify(env, bk, MSG, 'RAW', dsig)).toBe(true);
        expect(await alg.verify(env, bk, digest, 'DIGEST', sig)).toBe(true);
        expect(opensslOk(opensslVerifyArgs(c), { ...files, sig: dsig }), 'openssl verifies the DIGEST-mode signature of the message').toBe(true);
        if (c.alg.startsWith('RSASSA_PKCS1')) expect(hex(dsig)).toBe(hex(sig)); // deterministic: the same bytes
      } else {
        expect(alg.messageTypes).not.toContain('DIGEST');
      }
    });
  });
}

test('Ed25519ph: RFC 8032 §7.3 test vector ("abc") through ED25519_PH_SHA_512 with MessageType DIGEST', async () => {
  // RFC 8032 §7.3 signs M = "abc" with PH(M) = SHA-512(M). A KMS DIGEST is 64 bytes and KMS
  // applies PH to it again (API_Sign: "hashed twice"), so the RFC vector checks the primitive
  // and the row is checked to sign its 64 bytes as HashEdDSA's M.
  const secret = unhex('833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42');
  const pub = unhex('ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf');
  const expected = '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406';
  expect(hex(ed25519ph.sign(new TextEncoder().encode('abc'), secret))).toBe(expected);
  // Through the row: DIGEST = 64 bytes M; signature = Ed25519ph(M) (SHA-512 applied by KMS).
  const { ed25519Pkcs8Encode, ed25519SpkiEncode } = await import('../src/primitives/ed25519-keys.js');
  const env = envFor(BACKENDS[0]!);
  const bk = backingKey(ed25519Pkcs8Encode(secret), ed25519SpkiEncode(pub));
  const m64 = HASH['SHA-512']!(new TextEncoder().encode('abc'));
  const sig = await SIGNING_ALGORITHMS.ED25519_PH_SHA_512.sign(env, bk, m64, 'DIGEST');
  expect(hex(sig)).toBe(hex(ed25519ph.sign(m64, secret)));
  expect(hex(sig)).not.toBe(expected); // hashed twice, as API_Sign says
});
