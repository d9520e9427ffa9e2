// Sign / Verify rows of `npm run bench`, one pair per SIGN_VERIFY key spec: kms.sign and
// kms.verify (node backend, 256-byte RAW message) beside the same signature made with the same
// key by node:crypto in the same run, or by noble where node:crypto has none (Ed25519ph; ML-DSA,
// which Node 20's OpenSSL lacks). Called from bench/run.mjs with its `row` function;
// alone: `node bench/signing.mjs [--quick]` after `npm run build`.
import { createPrivateKey, createPublicKey, constants, randomBytes, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { InMemoryKeyStore, Kms } from 'kms-core';
import { nodeBackend } from 'kms-core/backend/node';

const MLDSA = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 };

/** [key spec, signing algorithm, node:crypto digest (null: none), PSS salt] */
const CASES = [
  ['RSA_2048', 'RSASSA_PSS_SHA_256', 'sha256', 32],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', 'sha256'],
  ['RSA_3072', 'RSASSA_PKCS1_V1_5_SHA_384', 'sha384'],
  ['RSA_4096', 'RSASSA_PSS_SHA_512', 'sha512', 64],
  ['ECC_NIST_P256', 'ECDSA_SHA_256', 'sha256'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384', 'sha384'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512', 'sha512'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'sha256'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', null],
  ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'noble'],
  ['SM2', 'SM2DSA', 'sm3'],
  ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'noble'],
  ['ML_DSA_65', 'ML_DSA_SHAKE_256', 'noble'],
  ['ML_DSA_87', 'ML_DSA_SHAKE_256', 'noble'],
];

/** The key's PKCS#8 from the store's snapshot (the baselines sign with the very same key). */
function pkcs8Of(store, arn) {
  const k = store.exportSnapshot().keys.find((x) => x.Arn === arn);
  return new Uint8Array(Buffer.from(k.KeyMaterial[0].Material, 'base64'));
}

/** Baseline sign / verify closures for a case, over the same key and message. */
function baselineOf(spec, alg, md, salt, pkcs8, spki, msg) {
  if (md === 'noble' && spec.startsWith('ML_DSA')) {
    // Seed-form PKCS#8 (RFC 9881): the 32-byte seed is the last OCTET STRING.
    const { secretKey, publicKey } = MLDSA[spec].keygen(pkcs8.subarray(pkcs8.length - 32));
    const sig = MLDSA[spec].sign(msg, secretKey);
    return { name: 'noble ml_dsa', sign: () => MLDSA[spec].sign(msg, secretKey), verify: () => MLDSA[spec].verify(sig, msg, publicKey) };
  }
  if (md === 'noble') {
    const seed = pkcs8.subarray(pkcs8.length - 32);
    const pub = spki.subarray(spki.length - 32);
    const m64 = msg.subarray(0, 64);
    const sig = ed25519ph.sign(m64, seed);
    return { name: 'noble ed25519ph', sign: () => ed25519ph.sign(m64, seed), verify: () => ed25519ph.verify(sig, m64, pub) };
  }
  const sk = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const pk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const opts = salt ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt } : {};
  const sig = nodeSign(md, msg, { key: sk, ...opts });
  // SM2: node:crypto signs with OpenSSL's default distinguishing ID, not KMS's 1234567812345678: the same work.
  return { name: `node:crypto ${md ?? 'ed25519'}`, sign: () => nodeSign(md, msg, { key: sk, ...opts }), verify: () => nodeVerify(md, msg, { key: pk, ...opts }, sig) };
}

/** Runs every case through `row(name, subject, baselineName, baseline)`; returns the rows' names. */
export async function runSigning({ row }) {
  const store = new InMemoryKeyStore();
  const kms = new Kms({ backend: nodeBackend, region: 'cn-north-1', keyStore: store }); // SM2 exists only in China Regions
  const keys = new Map();
  const msg = randomBytes(256);
  for (const [spec, alg, md, salt] of CASES) {
    if (!keys.has(spec)) keys.set(spec, (await kms.createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' })).KeyMetadata);
    const key = keys.get(spec);
    const spki = (await kms.getPublicKey({ KeyId: key.KeyId })).PublicKey;
    const pkcs8 = pkcs8Of(store, key.Arn);
    const ph = alg === 'ED25519_PH_SHA_512';
    const input = ph ? { Message: msg.subarray(0, 64), MessageType: 'DIGEST' } : { Message: msg, MessageType: 'RAW' };
    const { Signature } = await kms.sign({ KeyId: key.KeyId, SigningAlgorithm: alg, ...input });
    const base = baselineOf(spec, alg, md, salt, pkcs8, spki, msg);
    await row(`Sign ${spec} ${alg}`, () => kms.sign({ KeyId: key.KeyId, SigningAlgorithm: alg, ...input }), `${base.name} sign`, base.sign);
    await row(`Verify ${spec} ${alg}`, () => kms.verify({ KeyId: key.KeyId, SigningAlgorithm: alg, Signature, ...input }), `${base.name} verify`, base.verify);
  }
}

// Alone: a minimal `row` printing the same columns.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { compare } = await import('./harness.mjs');
  const ms = process.argv.includes('--quick') ? 150 : 500;
  await runSigning({
    row: async (name, subject, baselineName, baseline) => {
      const r = await compare(subject, baseline, { ms });
      console.log(`${name.padEnd(44)} ${r.subject.toFixed(0).padStart(9)} ops/s  ${baselineName.padEnd(28)} ${r.baseline.toFixed(0).padStart(9)} ops/s  ${r.ratio.toFixed(2).padStart(5)}×`);
    },
  });
}
