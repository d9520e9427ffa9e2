/**
 * Sign / Verify through the Kms API, interop both ways for every key spec × signing algorithm,
 * on every backend of this vitest project (the pure-JS noble backend too, on the webcrypto
 * project; it has no RSA):
 *
 * - kms.sign signatures verify with `openssl dgst` / `pkeyutl -verify` (SM2 with
 *   `-sigopt distid:1234567812345678`), node:crypto, Python `cryptography` (ML-DSA, which
 *   OpenSSL 3.0 lacks) and noble's Ed25519ph (no OpenSSL 3.0 / node:crypto Ed25519ph), using
 *   the SPKI from kms.getPublicKey;
 * - signatures those make with the key's private half (read from the key-store snapshot)
 *   verify with kms.verify;
 * - keys made elsewhere (OpenSSL genpkey, Python for ML-DSA) come in through the snapshot and
 *   sign and verify with OpenSSL's signatures;
 * - DIGEST of a message signs and verifies as RAW of it (API_Verify: "The message type does
 *   not need to be the same as the one used for signing");
 * - the RFC 8032 §7.3 Ed25519ph vector through the ED25519_PH_SHA_512 row.
 *
 * This suite replaced test/signing.interop.test.ts (the same oracles, both ways, at the
 * algorithm-row level): the Kms API runs the same rows, and the specs it leaves out on the noble
 * backend (secp256k1, SM2DSA, Ed25519ph, ML-DSA) never reach a backend method there, so they
 * are the very code the webcrypto backend runs. RSA_3072 / RSA_4096 come from OpenSSL here;
 * kms-core's own generation of them is checked against OpenSSL and Python in
 * test/data-key-pairs.test.ts.
 */
import { createPrivateKey, createPublicKey, constants, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type KeyStoreSnapshot, type SigningAlgorithmSpec } from '../src/index.js';
import type { KeySpec } from '../src/keys/record.js';
import { sm2Digest } from '../src/primitives/sm2dsa.js';
import { sm2SpkiDecode } from '../src/primitives/sm2-keys.js';
import { openssl } from './helpers/oracles.js';
import { fixtureRsaPair } from './helpers/wrap.js';
import { SIGNING_ALGORITHMS } from '../src/algorithms/signing/index.js';
import { ed25519Pkcs8Encode, ed25519SpkiEncode } from '../src/primitives/ed25519-keys.js';
import { BACKENDS, HASH, backingKey, der2pem, envFor, hex, opensslOk, python, unhex } from './helpers/signing.js';

const MSG = new TextEncoder().encode('kms.sign signs this for OpenSSL, node:crypto and Python');
const RSA_ALGS = (['256', '384', '512'] as const).flatMap((b) => [`RSASSA_PSS_SHA_${b}`, `RSASSA_PKCS1_V1_5_SHA_${b}`]) as SigningAlgorithmSpec[];

/** Every SIGN_VERIFY key spec and its SigningAlgorithms (Developer Guide, "Key spec reference"). */
const SPECS: { spec: KeySpec; algs: SigningAlgorithmSpec[]; region?: string }[] = [
  { spec: 'RSA_2048', algs: RSA_ALGS },
  { spec: 'RSA_3072', algs: RSA_ALGS },
  { spec: 'RSA_4096', algs: RSA_ALGS },
  { spec: 'ECC_NIST_P256', algs: ['ECDSA_SHA_256'] },
  { spec: 'ECC_NIST_P384', algs: ['ECDSA_SHA_384'] },
  { spec: 'ECC_NIST_P521', algs: ['ECDSA_SHA_512'] },
  { spec: 'ECC_SECG_P256K1', algs: ['ECDSA_SHA_256'] },
  { spec: 'ECC_NIST_EDWARDS25519', algs: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
  { spec: 'SM2', algs: ['SM2DSA'], region: 'cn-north-1' },
  { spec: 'ML_DSA_44', algs: ['ML_DSA_SHAKE_256'] },
  { spec: 'ML_DSA_65', algs: ['ML_DSA_SHAKE_256'] },
  { spec: 'ML_DSA_87', algs: ['ML_DSA_SHAKE_256'] },
];

/** The hash of an RSASSA / ECDSA algorithm (node:crypto and OpenSSL name it); undefined for the others. */
function hashOf(alg: SigningAlgorithmSpec): string | undefined {
  const m = /^(?:RSASSA_PSS|RSASSA_PKCS1_V1_5|ECDSA)_SHA_(256|384|512)$/.exec(alg);
  return m ? `SHA-${m[1]}` : undefined;
}
const md = (alg: SigningAlgorithmSpec) => hashOf(alg)!.replace('-', '').toLowerCase();

function pssOpts(alg: SigningAlgorithmSpec): string[] {
  if (!alg.startsWith('RSASSA_PSS')) return [];
  const salt = String(HASH[hashOf(alg)!]!(new Uint8Array()).length);
  return ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${salt}`, '-sigopt', `rsa_mgf1_md:${md(alg)}`];
}

/** openssl arguments that verify file `sig` over file `msg` with `pub.pem` (RAW message). */
function opensslVerify(alg: SigningAlgorithmSpec): string[] {
  if (alg === 'SM2DSA') return ['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-verify', 'pub.pem', '-signature', 'sig', 'msg'];
  if (alg === 'ED25519_SHA_512') return ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg', '-sigfile', 'sig'];
  return ['dgst', `-${md(alg)}`, ...pssOpts(alg), '-verify', 'pub.pem', '-signature', 'sig', 'msg'];
}

function opensslSign(alg: SigningAlgorithmSpec): string[] {
  if (alg === 'SM2DSA') return ['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-sign', 'key.pem', '-out', 'sig', 'msg'];
  if (alg === 'ED25519_SHA_512') return ['pkeyutl', '-sign', '-inkey', 'key.pem', '-rawin', '-in', 'msg', '-out', 'sig'];
  return ['dgst', `-${md(alg)}`, ...pssOpts(alg), '-sign', 'key.pem', '-out', 'sig', 'msg'];
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

const PY_MLDSA_NEW = `
import json,sys
from cryptography.hazmat.primitives.asymmetric import mldsa
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat, NoEncryption
k=getattr(mldsa, 'MLDSA%sPrivateKey' % json.load(sys.stdin)).generate()
print(json.dumps({'pkcs8': k.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()).hex(), 'spki': k.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo).hex()}))`;

/** The material of `arn` in `store`'s snapshot (PKCS#8 and SPKI DER). */
function materialOf(store: InMemoryKeyStore, arn: string): { pkcs8: Uint8Array; spki: Uint8Array } {
  const k = store.exportSnapshot().keys.find((x) => x.Arn === arn) as { KeyMaterial: { Material: string; PublicKey: string }[] };
  const m = k.KeyMaterial[0]!;
  return { pkcs8: new Uint8Array(Buffer.from(m.Material, 'base64')), spki: new Uint8Array(Buffer.from(m.PublicKey, 'base64')) };
}

/** A key pair made outside kms-core: OpenSSL genpkey (Python `cryptography` for ML-DSA). */
function foreignPair(spec: KeySpec): { pkcs8: Uint8Array; spki: Uint8Array } {
  if (spec.startsWith('ML_DSA_')) {
    const out = python(PY_MLDSA_NEW, spec.slice(7));
    return { pkcs8: unhex(out.pkcs8), spki: unhex(out.spki) };
  }
  const gen: Record<string, string[]> = {
    RSA_2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    ECC_NIST_P256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-pkeyopt', 'ec_param_enc:named_curve'],
    ECC_NIST_P384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-pkeyopt', 'ec_param_enc:named_curve'],
    ECC_NIST_P521: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-pkeyopt', 'ec_param_enc:named_curve'],
    ECC_SECG_P256K1: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1', '-pkeyopt', 'ec_param_enc:named_curve'],
    ECC_NIST_EDWARDS25519: ['-algorithm', 'ED25519'],
    SM2: ['-algorithm', 'SM2'],
  };
  // genpkey's PEM is PKCS#8 ("BEGIN PRIVATE KEY"); its DER would be the traditional SEC1 / PKCS#1 form.
  const pem = openssl(['genpkey', ...gen[spec]!, '-out', 'key.pem'], {}, 'key.pem').toString('utf8');
  expect(pem.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
  const pkcs8 = new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
  const spki = new Uint8Array(openssl(['pkey', '-inform', 'DER', '-in', 'key.der', '-pubout', '-outform', 'DER', '-out', 'pub.der'], { 'key.der': pkcs8 }, 'pub.der'));
  return { pkcs8, spki };
}

/** A Kms whose key `arn` holds the foreign key pair (of `spec`): the store's snapshot, edited and loaded. */
function withForeignMaterial(store: InMemoryKeyStore, arn: string, pair: { pkcs8: Uint8Array; spki: Uint8Array }, opts: ConstructorParameters<typeof Kms>[0], spec?: KeySpec) {
  const snap = JSON.parse(JSON.stringify(store.exportSnapshot())) as KeyStoreSnapshot;
  const k = snap.keys.find((x) => x.Arn === arn) as { KeySpec: string; KeyMaterial: { Material: string; PublicKey: string }[] };
  if (spec) k.KeySpec = spec;
  k.KeyMaterial[0]!.Material = Buffer.from(pair.pkcs8).toString('base64');
  k.KeyMaterial[0]!.PublicKey = Buffer.from(pair.spki).toString('base64');
  return new Kms({ ...opts, keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify(snap)) });
}

const IMPORTED_RSA: KeySpec[] = ['RSA_3072', 'RSA_4096'];

/** A large RSA pair made by OpenSSL (genpkey, test/fixtures/wrapping-keys): no seconds of prime search per run. */
function rsaPair(bits: 3072 | 4096): { pkcs8: Uint8Array; spki: Uint8Array } {
  const { privateKey, publicKey } = fixtureRsaPair(bits);
  return { pkcs8: privateKey, spki: publicKey };
}

/** The message a caller passes for `alg` in its only or first MessageType. ED25519_PH_SHA_512 takes DIGEST only. */
const messageFor = (alg: SigningAlgorithmSpec) => (alg === 'ED25519_PH_SHA_512' ? { Message: HASH['SHA-512']!(MSG), MessageType: 'DIGEST' as const } : { Message: MSG, MessageType: 'RAW' as const });

/** Verifies `sig` of messageFor(alg) with code we did not write; returns false when it does not. */
function theyVerify(alg: SigningAlgorithmSpec, spki: Uint8Array, sig: Uint8Array, msg: Uint8Array): boolean {
  if (alg === 'ML_DSA_SHAKE_256') return python(PY_MLDSA_VERIFY, { spki: hex(spki), sig: hex(sig), msg: hex(msg) }) === true;
  if (alg === 'ED25519_PH_SHA_512') return ed25519ph.verify(sig, msg, spki.subarray(spki.length - 32));
  return opensslOk(opensslVerify(alg), { 'pub.pem': der2pem(spki, 'PUBLIC KEY'), sig, msg });
}

/** A signature of messageFor(alg) made with `pkcs8` by code we did not write. */
function theySign(alg: SigningAlgorithmSpec, pkcs8: Uint8Array, msg: Uint8Array, spki?: Uint8Array): Uint8Array {
  if (alg === 'ML_DSA_SHAKE_256') {
    const out = python(PY_MLDSA_SIGN, { pkcs8: hex(pkcs8), msg: hex(msg) });
    // Python derives the same public key from the (seed-form) PKCS#8.
    if (spki) expect(out.spki).toBe(hex(spki));
    return unhex(out.sig);
  }
  // RFC 8410 PKCS#8: the 32-byte seed is the last OCTET STRING.
  if (alg === 'ED25519_PH_SHA_512') return ed25519ph.sign(msg, pkcs8.subarray(pkcs8.length - 32));
  return new Uint8Array(openssl(opensslSign(alg), { 'key.pem': der2pem(pkcs8, 'PRIVATE KEY'), msg }, 'sig'));
}

function nodeOpts(alg: SigningAlgorithmSpec) {
  return alg.startsWith('RSASSA_PSS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH[hashOf(alg)!]!(new Uint8Array()).length } : {};
}
const nodeMd = (alg: SigningAlgorithmSpec) => (alg === 'ED25519_SHA_512' ? null : md(alg));
/** node:crypto has RSA, ECDSA and pure Ed25519 (no SM2 signatures, no Ed25519ph, no ML-DSA in Node 20). */
const nodeHas = (alg: SigningAlgorithmSpec) => alg.startsWith('RSASSA') || alg.startsWith('ECDSA') || alg === 'ED25519_SHA_512';

/** The DIGEST-mode message of MSG, for algorithms that take both RAW and DIGEST. */
function digestOf(alg: SigningAlgorithmSpec, spki: Uint8Array): Uint8Array | undefined {
  if (alg === 'SM2DSA') return sm2Digest(sm2SpkiDecode(spki), MSG); // e = SM3(Z_A ‖ M), default ID
  const h = hashOf(alg);
  return h ? HASH[h]!(MSG) : undefined;
}

for (const backend of BACKENDS) {
  describe(`Sign / Verify through the Kms API on the ${backend.name} backend`, () => {
    // The noble backend (webcrypto project) has no RSA; it replaces the platform's ECDSA on the
    // NIST curves and Ed25519. secp256k1, SM2DSA, Ed25519ph and ML-DSA are the same pure-JS code
    // under WebCrypto, which the webcrypto project's default backend already runs.
    const NOBLE_OWN: KeySpec[] = ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_NIST_EDWARDS25519'];
    const specs = backend.name === 'noble' ? SPECS.filter((s) => NOBLE_OWN.includes(s.spec)) : SPECS;

    test.each(specs)('$spec: SigningAlgorithms listed; every algorithm interoperates both ways; DIGEST = RAW', async ({ spec, algs, region }) => {
      let store = new InMemoryKeyStore();
      let kms = new Kms({ backend, region, keyStore: store });
      let key = (await kms.createKey({ KeySpec: IMPORTED_RSA.includes(spec) ? 'ECC_NIST_P256' : spec, KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
      if (IMPORTED_RSA.includes(spec)) {
        // Large RSA keys come from OpenSSL through the snapshot (key generation time; kms-core's
        // own RSA_3072 / RSA_4096 generation is tested by data-key-pairs.test.ts).
        const pair = rsaPair(Number(spec.slice(4)) as 3072 | 4096);
        kms = withForeignMaterial(store, key.Arn!, pair, { backend, region }, spec);
        store = kms.keyStore as InMemoryKeyStore;
        key = (await kms.describeKey({ KeyId: key.KeyId })).KeyMetadata!;
        expect(key.KeySpec).toBe(spec);
      }
      expect([...key.SigningAlgorithms!].sort()).toEqual([...algs].sort());
      expect(key.EncryptionAlgorithms).toBeUndefined();
      const pub = await kms.getPublicKey({ KeyId: key.KeyId });
      expect(pub.SigningAlgorithms).toEqual(key.SigningAlgorithms);
      expect(pub.KeyUsage).toBe('SIGN_VERIFY');
      const spki = pub.PublicKey!;
      const { pkcs8, spki: stored } = materialOf(store, key.Arn!);
      expect(hex(stored)).toBe(hex(spki));

      for (const alg of algs) {
        const m = messageFor(alg);
        const out = await kms.sign({ KeyId: key.Arn, SigningAlgorithm: alg, ...m });
        expect(out.KeyId).toBe(key.Arn);
        expect(out.SigningAlgorithm).toBe(alg);
        const sig = out.Signature!;
        expect(await kms.verify({ KeyId: key.KeyId, SigningAlgorithm: alg, Signature: sig, ...m })).toEqual({ KeyId: key.Arn, SignatureValid: true, SigningAlgorithm: alg });
        expect(theyVerify(alg, spki, sig, m.Message), `${alg}: they verify kms.sign`).toBe(true);
        expect(theyVerify(alg, spki, sig, Uint8Array.of(...m.Message.subarray(1), 0x2a)), `${alg}: they refuse it for another message`).toBe(false);
        const theirs = theySign(alg, pkcs8, m.Message, spki);
        expect((await kms.verify({ KeyId: key.KeyId, SigningAlgorithm: alg, Signature: theirs, ...m })).SignatureValid, `${alg}: kms.verify verifies theirs`).toBe(true);
        if (nodeHas(alg)) {
          const pk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
          const sk = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
          expect(nodeVerify(nodeMd(alg), m.Message, { key: pk, ...nodeOpts(alg) }, sig), `${alg}: node:crypto verifies kms.sign`).toBe(true);
          const nodeSig = new Uint8Array(nodeSign(nodeMd(alg), m.Message, { key: sk, ...nodeOpts(alg) }));
          expect((await kms.verify({ KeyId: key.KeyId, SigningAlgorithm: alg, Signature: nodeSig, ...m })).SignatureValid, `${alg}: kms.verify verifies node:crypto`).toBe(true);
        }
        const digest = digestOf(alg, spki);
        if (digest) {
          const dsig = (await kms.sign({ KeyId: key.KeyId, SigningAlgorithm: alg, Message: digest, MessageType: 'DIGEST' })).Signature!;
          expect(theyVerify(alg, spki, dsig, MSG), `${alg}: the DIGEST-mode signature verifies as one of the message`).toBe(true);
          expect((await kms.verify({ KeyId: key.KeyId, SigningAlgorithm: alg, Signature: dsig, Message: MSG, MessageType: 'RAW' })).SignatureValid).toBe(true);
          expect((await kms.verify({ KeyId: key.KeyId, SigningAlgorithm: alg, Signature: sig, Message: digest, MessageType: 'DIGEST' })).SignatureValid).toBe(true);
          if (alg.startsWith('RSASSA_PKCS1')) expect(hex(dsig)).toBe(hex(sig)); // deterministic: the very same bytes
        }
      }
    });

    const foreign = specs.filter((s) => !['RSA_3072', 'RSA_4096'].includes(s.spec)); // key generation time; RSA is RSA_2048 here
    test.each(foreign)('$spec: a key pair made elsewhere comes in through the snapshot, verifies their signatures and signs for them', async ({ spec, algs, region }) => {
      const store = new InMemoryKeyStore();
      const first = new Kms({ backend, region, keyStore: store });
      const key = (await first.createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
      const pair = foreignPair(spec);
      const kms = withForeignMaterial(store, key.Arn!, pair, { backend, region });
      expect(hex((await kms.getPublicKey({ KeyId: key.KeyId })).PublicKey!)).toBe(hex(pair.spki));
      for (const alg of algs) {
        const m = messageFor(alg);
        const theirs = theySign(alg, pair.pkcs8, m.Message, pair.spki);
        expect((await kms.verify({ KeyId: key.KeyId, SigningAlgorithm: alg, Signature: theirs, ...m })).SignatureValid, `${alg}: their signature`).toBe(true);
        const ours = (await kms.sign({ KeyId: key.KeyId, SigningAlgorithm: alg, ...m })).Signature!;
        expect(theyVerify(alg, pair.spki, ours, m.Message), `${alg}: kms.sign with their key`).toBe(true);
        // The first Kms still holds its own key pair: the other key's signature does not verify there.
        await expect(first.verify({ KeyId: key.KeyId, SigningAlgorithm: alg, Signature: ours, ...m })).rejects.toMatchObject({ name: 'KMSInvalidSignatureException' });
      }
    });
  });
}

test('ED25519_PH_SHA_512: kms.sign of a 64-byte DIGEST is Ed25519ph over those bytes (KMS hashes them again, API_Sign)', async () => {
  const store = new InMemoryKeyStore();
  const kms = new Kms({ keyStore: store });
  const key = (await kms.createKey({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
  const { pkcs8, spki } = materialOf(store, key.Arn!);
  const m64 = HASH['SHA-512']!(MSG);
  const sig = (await kms.sign({ KeyId: key.KeyId, SigningAlgorithm: 'ED25519_PH_SHA_512', Message: m64, MessageType: 'DIGEST' })).Signature!;
  // Ed25519 is deterministic: noble's HashEdDSA of the 64 bytes gives the very same signature.
  expect(hex(sig)).toBe(hex(ed25519ph.sign(m64, pkcs8.subarray(pkcs8.length - 32))));
  expect(ed25519ph.verify(sig, MSG, spki.subarray(spki.length - 32))).toBe(false); // not a single hash of the message
});

test('Ed25519ph: RFC 8032 §7.3 test vector ("abc") through ED25519_PH_SHA_512 with MessageType DIGEST', async () => {
  // RFC 8032 §7.3 signs M = "abc" with PH(M) = SHA-512(M). A KMS DIGEST is 64 bytes and KMS
  // applies PH to it again (API_Sign: "hashed twice"), so the RFC vector checks the primitive
  // and the row is checked to sign its 64 bytes as HashEdDSA's M.
  const secret = unhex('833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42');
  const pub = unhex('ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf');
  const expected = '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406';
  expect(hex(ed25519ph.sign(new TextEncoder().encode('abc'), secret))).toBe(expected);
  // Through the row: DIGEST = 64 bytes M; signature = Ed25519ph(M) (SHA-512 applied by KMS).
  const env = envFor(BACKENDS[0]!);
  const bk = backingKey(ed25519Pkcs8Encode(secret), ed25519SpkiEncode(pub));
  const m64 = HASH['SHA-512']!(new TextEncoder().encode('abc'));
  const sig = await SIGNING_ALGORITHMS.ED25519_PH_SHA_512.sign(env, bk, m64, 'DIGEST');
  expect(hex(sig)).toBe(hex(ed25519ph.sign(m64, secret)));
  expect(hex(sig)).not.toBe(expected); // hashed twice, as API_Sign says
});
