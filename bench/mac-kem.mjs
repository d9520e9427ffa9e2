// Bench rows for GenerateMac, DeriveSharedSecret and Decapsulate, each beside the primitive
// work the operation cannot avoid, measured in the same run (bench/harness.mjs interleaves them):
//   GenerateMac         → node:crypto createHmac on the same key (imported once)
//   DeriveSharedSecret  → node:crypto diffieHellman with the same private key, parsing the
//                         peer's SPKI each call as the operation must (WebCrypto: deriveBits)
//   Decapsulate         → @noble/post-quantum ml_kem768.decapsulate with the expanded key
// `row(name, subject, baselineName, baseline)` is bench/run.mjs's; alone:
// `npm run build && node bench/mac-kem.mjs [--quick]` prints the same rows.
import { createHmac, createPrivateKey, createPublicKey, createSecretKey, diffieHellman, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { InMemoryKeyStore, Kms, webBackend } from 'kms-core';
import { nodeBackend } from 'kms-core/backend/node';

/** The material of a key, from the store's snapshot (the baselines use the same keys). */
function materialOf(store, arn) {
  const k = store.exportSnapshot().keys.find((x) => x.Arn === arn);
  return Buffer.from(k.KeyMaterial[0].Material, 'base64');
}

export async function macKemRows(row) {
  const store = new InMemoryKeyStore();
  const kms = new Kms({ backend: nodeBackend, keyStore: store });
  const web = new Kms({ backend: webBackend, keyStore: store });

  // ── GenerateMac ──
  const hmacKey = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata;
  const secret = createSecretKey(materialOf(store, hmacKey.Arn));
  for (const n of [32, 4096]) {
    const msg = randomBytes(n);
    await row(`GenerateMac HMAC_SHA_256 ${n >= 1024 ? `${n / 1024} KiB` : `${n} B`}`, () => kms.generateMac({ KeyId: hmacKey.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_256' }), 'node createHmac (key object)', () => createHmac('sha256', secret).update(msg).digest());
  }

  // ── DeriveSharedSecret ──
  for (const [spec, curve] of [['ECC_NIST_P256', 'prime256v1'], ['ECC_NIST_P384', 'secp384r1']]) {
    const k = (await kms.createKey({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata;
    const privateKey = createPrivateKey({ key: materialOf(store, k.Arn), format: 'der', type: 'pkcs8' });
    const peerSpki = new Uint8Array(generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ format: 'der', type: 'spki' }));
    const peerDer = Buffer.from(peerSpki);
    const req = { KeyId: k.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki };
    await row(`DeriveSharedSecret ${spec} (node)`, () => kms.deriveSharedSecret(req), 'node diffieHellman + createPublicKey', () => diffieHellman({ privateKey, publicKey: createPublicKey({ key: peerDer, format: 'der', type: 'spki' }) }));
    if (spec === 'ECC_NIST_P256') {
      const subtle = webcrypto.subtle;
      const wPriv = await subtle.importKey('pkcs8', materialOf(store, k.Arn), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
      await row(`DeriveSharedSecret ${spec} (webcrypto)`, () => web.deriveSharedSecret(req), 'WebCrypto importKey(spki) + deriveBits', async () => {
        const pub = await subtle.importKey('spki', peerSpki, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
        return subtle.deriveBits({ name: 'ECDH', public: pub }, wPriv, 256);
      });
    }
  }

  // ── Decapsulate ──
  const kem = (await kms.createKey({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata;
  const { SharedSecretCiphertextBlob } = await kms.encapsulate({ KeyId: kem.KeyId, EncapsulationAlgorithm: 'ML_KEM' });
  // The 86-byte PKCS#8 seed form: d‖z are its last 64 bytes; noble expands them as kms-core does (once).
  const seed = materialOf(store, kem.Arn).subarray(-64);
  const dk = ml_kem768.keygen(seed).secretKey;
  await row('Decapsulate ML_KEM_768', () => kms.decapsulate({ KeyId: kem.KeyId, SharedSecretCiphertextBlob, EncapsulationAlgorithm: 'ML_KEM' }), 'noble ml_kem768.decapsulate (expanded key)', () => ml_kem768.decapsulate(SharedSecretCiphertextBlob, dk));
}

// Alone: node bench/mac-kem.mjs [--quick]
if (import.meta.url === `file://${process.argv[1]}`) {
  const { compare } = await import('./harness.mjs');
  const ms = process.argv.includes('--quick') ? 150 : 500;
  await macKemRows(async (name, subject, baselineName, baseline) => {
    const r = await compare(subject, baseline, { ms });
    const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).padStart(9);
    console.log(`${name.padEnd(44)} ${f(r.subject)} ops/s  ${baselineName.padEnd(40)} ${f(r.baseline)} ops/s  ${r.ratio.toFixed(2).padStart(5)}×`);
  });
}
