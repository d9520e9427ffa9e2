/**
 * Key agreement below the operations (src/algorithms/ecdh.ts, src/primitives/ec-keys.ts and
 * the backends' ecdhPrivateKey/ecdhDerive): both parties agree with node:crypto and
 * `openssl pkeyutl -derive`, Wycheproof ecdh_secp256r1/384r1/521r1 on every backend, peer keys
 * that are malformed, off the curve or on another curve refused with the one
 * ValidationException, and SM2 KEY_AGREEMENT keys against node:crypto's SM2 ECDH.
 */
import { createECDH, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ECC_NIST_CURVES, SHARED_SECRET_BYTES, ecdh, keyAgreementAlgorithm, type EccNistKeySpec } from '../src/algorithms/ecdh.js';
import { KEY_SPECS } from '../src/algorithms/registry.js';
import { sm2Spec } from '../src/algorithms/sm2pke.js';
import type { CryptoEnv, KeyAgreementAlgorithmSpec } from '../src/algorithms/types.js';
import type { Backend } from '../src/backend/types.js';
import { KmsError } from '../src/errors.js';
import type { BackingKey } from '../src/keys/record.js';
import { EC_CURVES, EcKeyError, ecPkcs8Decode, ecPkcs8Encode, ecSpkiDecode, ecSpkiEncode } from '../src/primitives/ec-keys.js';
import { derBitString, derNull, derOid, derSequence } from '../src/primitives/der.js';
import { sm2PrivateKeyFromPkcs8, sm2SpkiDecode, sm2SpkiEncode } from '../src/primitives/sm2-keys.js';
import { bigIntToBytes } from '../src/util/bigint.js';
import { defaultBackend } from './helpers/backend.js';
import { backingKey, cryptoEnv, hex, projectBackends, toHexString } from './helpers/env.js';
import { seededRandom } from './helpers/keys.js';
import { hasOpenssl, openssl } from './helpers/oracles.js';
import { wycheproof } from './helpers/wycheproof.js';

// Each backend once over the two vitest projects: node + noble in `node`, WebCrypto in `webcrypto`.
const BACKENDS: Backend[] = await projectBackends();
const SPECS = Object.keys(ECC_NIST_CURVES) as EccNistKeySpec[];
/** The registry's rows of the NIST curves: the signing layer's, with ECDH for KEY_AGREEMENT. */
const ECC_NIST_KEY_SPECS = { ECC_NIST_P256: KEY_SPECS.ECC_NIST_P256!, ECC_NIST_P384: KEY_SPECS.ECC_NIST_P384!, ECC_NIST_P521: KEY_SPECS.ECC_NIST_P521! };
const NODE_CURVE = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1', secp256k1: 'secp256k1' } as const;
const WYCHEPROOF_FILE = { ECC_NIST_P256: 'ecdh_secp256r1_test.json', ECC_NIST_P384: 'ecdh_secp384r1_test.json', ECC_NIST_P521: 'ecdh_secp521r1_test.json' } as const;

const der = (b: Uint8Array) => Buffer.from(b);
const pem = (spkiOrPkcs8: Uint8Array, type: 'spki' | 'pkcs8') =>
  (type === 'spki' ? createPublicKey({ key: der(spkiOrPkcs8), format: 'der', type }) : createPrivateKey({ key: der(spkiOrPkcs8), format: 'der', type })).export({ format: 'pem', type }) as string;

/** Awaits a rejection that must be the one peer-key ValidationException. */
async function refusedPeer(p: Promise<unknown>, keySpec: string): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, 'expected ValidationException').toBeInstanceOf(KmsError);
  expect((err as KmsError).name).toBe('ValidationException');
  expect((err as KmsError).$fault).toBe('client');
  expect((err as KmsError).message).toBe(`PublicKey must be a DER-encoded SubjectPublicKeyInfo of a point on the curve of key spec ${keySpec}.`);
}

async function kmsKey(env: CryptoEnv, spec: EccNistKeySpec): Promise<BackingKey> {
  return ECC_NIST_KEY_SPECS[spec].generate(env, 0);
}

describe.each(BACKENDS)('ECDH on the $name backend', (backend) => {
  describe.each(SPECS)('%s', (spec) => {
    const curve = EC_CURVES[ECC_NIST_CURVES[spec]];

    test('two KMS keys agree, and node:crypto diffieHellman derives the same raw secret from either side (field-size x-coordinate)', async () => {
      const env = cryptoEnv(backend);
      const a = await kmsKey(env, spec);
      const b = await kmsKey(env, spec);
      const ab = await ecdh.deriveSharedSecret(env, spec, a, b.publicKey as Uint8Array);
      const ba = await ecdh.deriveSharedSecret(env, spec, b, a.publicKey as Uint8Array);
      expect(ab.length).toBe(SHARED_SECRET_BYTES[spec]);
      expect(toHexString(ab)).toBe(toHexString(ba));
      // The other party outside KMS: node:crypto with its own key pair.
      const peer = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve.name] });
      const peerSpki = new Uint8Array(peer.publicKey.export({ format: 'der', type: 'spki' }));
      const ours = await ecdh.deriveSharedSecret(env, spec, a, peerSpki);
      const theirs = diffieHellman({ privateKey: peer.privateKey, publicKey: createPublicKey({ key: der(a.publicKey as Uint8Array), format: 'der', type: 'spki' }) });
      expect(toHexString(ours)).toBe(theirs.toString('hex'));
      expect(ours.length).toBe(curve.size);
    });

    test.runIf(hasOpenssl())('openssl pkeyutl -derive with the peer key gives the same raw secret; OpenSSL reads the PKCS#8 and SPKI as written', async () => {
      const env = cryptoEnv(backend);
      const a = await kmsKey(env, spec);
      const peer = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve.name] });
      const peerSpki = new Uint8Array(peer.publicKey.export({ format: 'der', type: 'spki' }));
      const ours = await ecdh.deriveSharedSecret(env, spec, a, peerSpki);
      // OpenSSL from our side (our private key, their public key) and from theirs.
      const fromOurs = openssl(['pkeyutl', '-derive', '-inkey', 'a.pem', '-peerkey', 'peer.pem', '-out', 'ss.bin'], { 'a.pem': pem(a.material, 'pkcs8'), 'peer.pem': pem(peerSpki, 'spki') }, 'ss.bin');
      const fromTheirs = openssl(
        ['pkeyutl', '-derive', '-inkey', 'peer.pem', '-peerkey', 'a.pem', '-out', 'ss.bin'],
        { 'peer.pem': peer.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'a.pem': pem(a.publicKey as Uint8Array, 'spki') },
        'ss.bin',
      );
      expect(fromOurs.toString('hex')).toBe(toHexString(ours));
      expect(fromTheirs.toString('hex')).toBe(toHexString(ours));
      // Byte-identical encodings: OpenSSL re-encodes what we wrote to the same DER.
      const pkcs8Back = openssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'a.der', '-inform', 'DER', '-outform', 'DER', '-out', 'b.der'], { 'a.der': a.material }, 'b.der');
      expect(pkcs8Back.toString('hex')).toBe(toHexString(a.material));
      const spkiBack = openssl(['pkey', '-pubin', '-in', 'a.der', '-inform', 'DER', '-pubout', '-outform', 'DER', '-out', 'b.der'], { 'a.der': a.publicKey as Uint8Array }, 'b.der');
      expect(spkiBack.toString('hex')).toBe(toHexString(a.publicKey as Uint8Array));
    });

    test('Wycheproof: valid public keys give the shared secret (noble, and webcrypto on P-384/P-521: every eighth EdgeCaseDoubling one); invalid ones are the one ValidationException', async () => {
      interface EcdhTest { tcId: number; public: string; private: string; shared: string; result: 'valid' | 'invalid' | 'acceptable'; flags: string[] }
      const groups = wycheproof<{ testGroups: { curve: string; encoding: string; tests: EcdhTest[] }[] }>(WYCHEPROOF_FILE[spec]).testGroups;
      const env = cryptoEnv(backend);
      const counts = { valid: 0, invalid: 0, acceptedAcceptable: 0, refusedAcceptable: 0 };
      const thin = backend.name === 'noble' || (backend.name !== 'node' && spec !== 'ECC_NIST_P256');
      // The files use a few dozen private keys: one material version (and cached key object) each.
      const keys = new Map<string, BackingKey>();
      const keyFor = (privateHex: string) => {
        const d = bigIntToBytes(BigInt('0x' + privateHex), curve.size);
        let bk = keys.get(toHexString(d));
        if (!bk) keys.set(toHexString(d), (bk = backingKey(ecPkcs8Encode(curve, d), undefined, createHash('sha256').update(d).digest('hex'))));
        return bk;
      };
      for (const g of groups) {
        expect(g.encoding).toBe('asn');
        for (const t of g.tests) {
          // Multiplications are slow in pure JS (every curve) and in Node's WebCrypto on P-384 /
          // P-521 (deriveBits about 50 ms on P-521): there the `valid` EdgeCaseDoubling cases
          // (204 of 330 on P-256, 665 of 771 on P-384, 530 of 632 on P-521) run every eighth;
          // every other valid case and
          // every invalid and acceptable one still runs. All of them run on the node backend,
          // through the same code above the seam (the peer-key checks of algorithms/ecdh.ts);
          // only the backend's ecdhDerive differs.
          if (thin && t.result === 'valid' && t.flags.includes('EdgeCaseDoubling') && t.tcId % 8 !== 0) continue;
          const call = ecdh.deriveSharedSecret(env, spec, keyFor(t.private), hex(t.public));
          if (t.result === 'valid') {
            expect(toHexString(await call), `tcId ${t.tcId}`).toBe(t.shared);
            counts.valid++;
          } else if (t.result === 'invalid') {
            await refusedPeer(call, spec);
            counts.invalid++;
          } else {
            // "acceptable": a compressed point is accepted (RFC 5480 §2.2 allows it) and must
            // give the right secret; lax DER, unnamed curves, odd parameters are refused.
            try {
              expect(toHexString(await call), `tcId ${t.tcId}`).toBe(t.shared);
              expect(t.flags.some((f) => f === 'CompressedPoint' || f === 'CompressedPublic'), `tcId ${t.tcId} accepted: ${t.flags}`).toBe(true);
              counts.acceptedAcceptable++;
            } catch (e) {
              if (!(e instanceof KmsError)) throw e;
              expect(e.name).toBe('ValidationException');
              expect(t.flags.some((f) => f === 'CompressedPoint' || f === 'CompressedPublic'), `tcId ${t.tcId} refused: ${t.flags}`).toBe(false);
              counts.refusedAcceptable++;
            }
          }
        }
      }
      expect(counts.valid).toBeGreaterThan(thin ? 120 : 300);
      expect(counts.invalid).toBeGreaterThan(40);
      // tcId 2, the one compressed public key (flags CompressedPublic, CompressedPoint).
      expect(counts.acceptedAcceptable).toBe(1);
      expect(counts.refusedAcceptable).toBeGreaterThan(200);
    }, 240_000);
  });
});

describe('ECDH peer public keys kms-core refuses (ValidationException, never a crash)', () => {
  const spec: EccNistKeySpec = 'ECC_NIST_P256';
  const curve = EC_CURVES['P-256'];
  const env = cryptoEnv(defaultBackend, seededRandom(5));
  const keyP = kmsKey(env, spec);

  test('Precondition: parameters are a namedCurve OID (RFC 5480 §2.1.1). NULL, absent, or explicit parameters are refused', async () => {
    const a = await keyP;
    const point = ecSpkiDecode(curve, a.publicKey as Uint8Array);
    const ecOid = derOid('1.2.840.10045.2.1');
    await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, derSequence(derSequence(ecOid, derNull()), derBitString(point))), spec);
    await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, derSequence(derSequence(ecOid), derBitString(point))), spec);
    await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, derSequence(derSequence(ecOid, derSequence(derOid('1.2.840.10045.1.1'))), derBitString(point))), spec);
  });

  test('Precondition: SEC 1 §2.3.3 uncompressed (04, 1 + 2·size bytes) or compressed (02/03, 1 + size bytes); never the identity 00 or hybrid 06/07. Wrong lengths are refused too; compressed gives the same secret', async () => {
    const a = await keyP;
    const b = await kmsKey(env, spec);
    const point = ecSpkiDecode(curve, b.publicKey as Uint8Array);
    const withPoint = (p: Uint8Array) => derSequence(derSequence(derOid('1.2.840.10045.2.1'), derOid(curve.oid)), derBitString(p));
    const reference = await ecdh.deriveSharedSecret(env, spec, a, b.publicKey as Uint8Array);
    const x = point.subarray(1, 33);
    const yOdd = (point[64]! & 1) === 1;
    expect(toHexString(await ecdh.deriveSharedSecret(env, spec, a, withPoint(Uint8Array.from([yOdd ? 3 : 2, ...x]))))).toBe(toHexString(reference));
    for (const bad of [
      Uint8Array.of(0),
      Uint8Array.from([yOdd ? 7 : 6, ...point.subarray(1)]),
      point.subarray(0, 64),
      Uint8Array.from([...point, 0]),
      Uint8Array.from([yOdd ? 2 : 3, ...x]).subarray(0, 32),
      new Uint8Array(0),
    ]) {
      await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, withPoint(bad)), spec);
    }
  });

  test('points off the curve, coordinates ≥ p, and the wrong sign of y still refused or correct (never a different secret)', async () => {
    const a = await keyP;
    const b = await kmsKey(env, spec);
    const point = ecSpkiDecode(curve, b.publicKey as Uint8Array);
    const withPoint = (p: Uint8Array) => derSequence(derSequence(derOid('1.2.840.10045.2.1'), derOid(curve.oid)), derBitString(p));
    const offCurve = Uint8Array.from(point);
    offCurve[64]! ^= 1;
    await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, withPoint(offCurve)), spec);
    const pBytes = bigIntToBytes(curve.noble.Point.Fp.ORDER, 32);
    await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, withPoint(Uint8Array.from([4, ...pBytes, ...point.subarray(33)]))), spec);
  });

  test('keys on another curve are refused: P-384, P-521, secp256k1 (not a KMS key-agreement curve), SM2, Ed25519, RSA', async () => {
    const a = await keyP;
    const others = [
      ...(['secp384r1', 'secp521r1', 'secp256k1', 'SM2'] as const).map((c) => generateKeyPairSync('ec', { namedCurve: c }).publicKey),
      generateKeyPairSync('ed25519').publicKey,
      generateKeyPairSync('x25519').publicKey,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey,
    ];
    for (const k of others) await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, new Uint8Array(k.export({ format: 'der', type: 'spki' }))), spec);
  });

  test('malformed DER: truncations, a trailing byte, a BER long-form length, and random bytes are refused', async () => {
    const a = await keyP;
    const good = (await kmsKey(env, spec)).publicKey as Uint8Array;
    for (let n = 0; n < good.length; n += 3) await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, good.subarray(0, n)), spec);
    await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, Uint8Array.from([...good, 0])), spec);
    // 30 59 → 30 81 59: a non-minimal length (BER, not DER).
    await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, Uint8Array.from([0x30, 0x81, ...good.subarray(1)])), spec);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (junk) => {
        await refusedPeer(ecdh.deriveSharedSecret(env, spec, a, junk), spec);
      }),
      { numRuns: 200 },
    );
  });

  test('the shared secret of a key with itself, and of a peer key given compressed or uncompressed, are equal; nothing else is', async () => {
    const a = await keyP;
    const self = await ecdh.deriveSharedSecret(env, spec, a, a.publicKey as Uint8Array);
    const dA = ecPkcs8Decode(curve, a.material);
    const node = createECDH('prime256v1');
    node.setPrivateKey(Buffer.from(dA));
    expect(toHexString(self)).toBe(node.computeSecret(node.getPublicKey()).toString('hex'));
  });
});

describe('EC key encodings for key agreement (primitives/ec-keys.ts)', () => {
  test.each(SPECS)('%s: PKCS#8 and SPKI are what node:crypto exports, and deterministic under injected randomness', async (spec) => {
    const curve = EC_CURVES[ECC_NIST_CURVES[spec]];
    const a = await ECC_NIST_KEY_SPECS[spec].generate(cryptoEnv(defaultBackend, seededRandom(9)), 0);
    const b = await ECC_NIST_KEY_SPECS[spec].generate(cryptoEnv(defaultBackend, seededRandom(9)), 0);
    expect(b).toEqual(a);
    const priv = createPrivateKey({ key: der(a.material), format: 'der', type: 'pkcs8' });
    expect(priv.asymmetricKeyType).toBe('ec');
    expect(priv.asymmetricKeyDetails?.namedCurve).toBe(NODE_CURVE[curve.name]);
    expect(toHexString(new Uint8Array(priv.export({ format: 'der', type: 'pkcs8' })))).toBe(toHexString(a.material));
    expect(toHexString(new Uint8Array(createPublicKey(priv).export({ format: 'der', type: 'spki' })))).toBe(toHexString(a.publicKey as Uint8Array));
    // A key node:crypto made reads back to the same scalar and re-encodes to the same bytes.
    const theirs = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve.name] });
    const p8 = new Uint8Array(theirs.privateKey.export({ format: 'der', type: 'pkcs8' }));
    const d = ecPkcs8Decode(curve, p8);
    expect(d.length).toBe(curve.size);
    expect(toHexString(ecPkcs8Encode(curve, d))).toBe(toHexString(p8));
    const spki = new Uint8Array(theirs.publicKey.export({ format: 'der', type: 'spki' }));
    expect(toHexString(ecSpkiEncode(curve, ecSpkiDecode(curve, spki)))).toBe(toHexString(spki));
  });

  test('a PKCS#8 whose public key does not match its scalar, or on another curve, is refused with EcKeyError', async () => {
    const p256 = EC_CURVES['P-256'];
    const a = await ECC_NIST_KEY_SPECS.ECC_NIST_P256.generate(cryptoEnv(defaultBackend, seededRandom(1)), 0);
    const tampered = Uint8Array.from(a.material);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => ecPkcs8Decode(p256, tampered)).toThrow(EcKeyError);
    expect(() => ecPkcs8Decode(EC_CURVES['P-384'], a.material)).toThrow(EcKeyError);
    expect(() => ecPkcs8Encode(p256, new Uint8Array(32))).toThrow();
  });
});

describe('SM2 KEY_AGREEMENT (China Regions): ECDH on the SM2 curve', () => {
  test('two SM2 keys agree, and node:crypto createECDH("SM2") derives the same 32-byte secret from either side', async () => {
    for (const backend of BACKENDS) {
      const env = cryptoEnv(backend);
      const a = await sm2Spec.generate(env, 0);
      const b = await sm2Spec.generate(env, 0);
      const ab = await ecdh.deriveSharedSecret(env, 'SM2', a, b.publicKey as Uint8Array);
      expect(ab.length).toBe(32);
      expect(toHexString(ab)).toBe(toHexString(await ecdh.deriveSharedSecret(env, 'SM2', b, a.publicKey as Uint8Array)));
      const peer = createECDH('SM2');
      peer.generateKeys();
      const peerSpki = sm2SpkiEncode(new Uint8Array(peer.getPublicKey()));
      const ours = await ecdh.deriveSharedSecret(env, 'SM2', a, peerSpki);
      expect(toHexString(ours)).toBe(peer.computeSecret(Buffer.from(sm2SpkiDecode(a.publicKey as Uint8Array))).toString('hex'));
      const me = createECDH('SM2');
      me.setPrivateKey(Buffer.from(bigIntToBytes(sm2PrivateKeyFromPkcs8(a.material), 32)));
      expect(toHexString(ours)).toBe(me.computeSecret(peer.getPublicKey()).toString('hex'));
    }
  });

  test('an SM2 key refuses P-256 keys, off-curve points and junk with the one ValidationException', async () => {
    const env = cryptoEnv(defaultBackend);
    const a = await sm2Spec.generate(env, 0);
    await refusedPeer(ecdh.deriveSharedSecret(env, 'SM2', a, new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }))), 'SM2');
    const bad = Uint8Array.from(a.publicKey as Uint8Array);
    bad[bad.length - 1]! ^= 1;
    await refusedPeer(ecdh.deriveSharedSecret(env, 'SM2', a, bad), 'SM2');
    await refusedPeer(ecdh.deriveSharedSecret(env, 'SM2', a, Uint8Array.of(0x30, 0)), 'SM2');
  });

  test('the SM2 key-spec row lists ECDH for KEY_AGREEMENT among its key usages', () => {
    expect(sm2Spec.keyUsages).toEqual(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT']);
    expect(sm2Spec.keyAgreementAlgorithms).toEqual(['ECDH']);
  });
});

describe('key-agreement rows', () => {
  test('ECDH is the only KeyAgreementAlgorithmSpec; the NIST rows take SIGN_VERIFY or KEY_AGREEMENT', () => {
    expect(keyAgreementAlgorithm('ECDH')).toBe(ecdh);
    expect(keyAgreementAlgorithm('ECDH_COFACTOR' as KeyAgreementAlgorithmSpec)).toBeUndefined();
    expect(keyAgreementAlgorithm('constructor' as KeyAgreementAlgorithmSpec)).toBeUndefined();
    for (const spec of SPECS) {
      expect(ECC_NIST_KEY_SPECS[spec].keyUsages).toEqual(['SIGN_VERIFY', 'KEY_AGREEMENT']);
      expect(ECC_NIST_KEY_SPECS[spec].keyAgreementAlgorithms).toEqual(['ECDH']);
      expect(ECC_NIST_KEY_SPECS[spec].encryptionAlgorithms).toEqual([]);
    }
  });
});
