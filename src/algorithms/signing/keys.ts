/**
 * Where the signing rows find their keys: the curve or parameter set named by a material
 * version's SubjectPublicKeyInfo, and the decoded private keys, each computed once per
 * material version (CryptoEnv.memo / keyObject caches, bounded, keyed by KeyMaterialId).
 *
 * A record's material is PKCS#8 DER (`bk.material`) and SPKI DER (`bk.publicKey`), so a key
 * loaded from a snapshot that OpenSSL, node:crypto or Python made signs the same as ours.
 */
import type { BackingKey } from '../../keys/record.js';
import { DerTag, derDecode } from '../../primitives/der.js';
import { EC_CURVES, ecPkcs8Decode, ecSpkiDecode, OID_EC_PUBLIC_KEY, type EcCurve } from '../../primitives/ec-keys.js';
import { ed25519Pkcs8Decode, ed25519SpkiDecode } from '../../primitives/ed25519-keys.js';
import { ML_DSA, mlDsaPkcs8Decode, mlDsaSpkiDecode, type MlDsaParams } from '../../primitives/mldsa-keys.js';
import type { CryptoEnv } from '../types.js';

function spkiOf(bk: BackingKey): Uint8Array {
  /* Precondition: an asymmetric material version carries its public key. */
  if (!bk.publicKey) throw new Error('kms-core: asymmetric key record holds no public key');
  return bk.publicKey;
}

/** The AlgorithmIdentifier OIDs of an SPKI: [algorithm, parameters OID if any]. */
function spkiOids(spki: Uint8Array): string[] {
  const seq = derDecode(spki, DerTag.SEQUENCE);
  const alg = seq.sequence();
  const oids = [alg.oid()];
  if (alg.peekTag() === DerTag.OID) oids.push(alg.oid());
  return oids;
}

export function ecCurveOf(env: CryptoEnv, bk: BackingKey): EcCurve {
  return env.memo(bk, 'ec-curve/', (b) => {
    const [alg, param] = spkiOids(spkiOf(b));
    const c = Object.values(EC_CURVES).find((x) => x.oid === param);
    /* Precondition: an ECDSA key record holds an EC public key on a KMS curve. */
    if (alg !== OID_EC_PUBLIC_KEY || !c) throw new Error('kms-core: key record holds no ECDSA public key');
    return c;
  });
}

export function ecPublic(env: CryptoEnv, bk: BackingKey): Uint8Array {
  return env.memo(bk, 'ec-public/', (b) => ecSpkiDecode(ecCurveOf(env, b), spkiOf(b)));
}

/** The private scalar (cached like SM2's, primitives/sm2-keys.ts; MaterialCache holds key objects only). */
export function ecPrivate(env: CryptoEnv, bk: BackingKey): Uint8Array {
  return env.memo(bk, 'ec-private/', (b) => ecPkcs8Decode(ecCurveOf(env, b), b.material));
}

export function ed25519Public(env: CryptoEnv, bk: BackingKey): Uint8Array {
  return env.memo(bk, 'ed25519-public/', (b) => ed25519SpkiDecode(spkiOf(b)));
}

export function ed25519Seed(env: CryptoEnv, bk: BackingKey): Uint8Array {
  return env.memo(bk, 'ed25519-seed/', (b) => ed25519Pkcs8Decode(b.material));
}

export function mlDsaParamsOf(env: CryptoEnv, bk: BackingKey): MlDsaParams {
  return env.memo(bk, 'mldsa-params/', (b) => {
    const [alg] = spkiOids(spkiOf(b));
    const p = Object.values(ML_DSA).find((x) => x.oid === alg);
    /* Precondition: an ML-DSA key record holds an ML-DSA public key. */
    if (!p) throw new Error('kms-core: key record holds no ML-DSA public key');
    return p;
  });
}

export function mlDsaPublic(env: CryptoEnv, bk: BackingKey): Uint8Array {
  return env.memo(bk, 'mldsa-public/', (b) => mlDsaSpkiDecode(mlDsaParamsOf(env, b), spkiOf(b)));
}

/** The FIPS 204 expanded secret key, from the PKCS#8 seed once per material version. */
export function mlDsaSecret(env: CryptoEnv, bk: BackingKey): Uint8Array {
  return env.memo(bk, 'mldsa-secret/', (b) => mlDsaPkcs8Decode(mlDsaParamsOf(env, b), b.material).secretKey);
}
