/**
 * Key-pair generation for the asymmetric key specs: SubjectPublicKeyInfo and PKCS#8 DER, the
 * encodings AWS uses (API_GetPublicKey: "DER-encoded X.509 public key … SubjectPublicKeyInfo";
 * API_GenerateDataKeyPair: "PKCS8 PrivateKeyInfo, as specified in RFC 5958").
 *
 * Every key but RSA is drawn from the Kms `random` (EC scalars by rejection sampling, the
 * Ed25519 and ML-DSA seeds, ML-KEM's d ‖ z, SM2 as before), so an injected random makes key
 * material reproducible on every backend, like symmetric backing keys. RSA keys are the
 * platform's (prime generation stays in node:crypto / WebCrypto).
 */
import type { KeySpec } from '../../keys/record.js';
import { EC_CURVES, ecGeneratePrivate, ecPkcs8Encode, ecPublicFromPrivate, ecSpkiEncode, type EcCurveName } from '../../primitives/ec-keys.js';
import { ed25519Pkcs8Encode, ed25519PublicFromSeed, ed25519SpkiEncode } from '../../primitives/ed25519-keys.js';
import { ML_DSA, mlDsaKeyPair, mlDsaPkcs8Encode, mlDsaSpkiEncode, type MlDsaLevel } from '../../primitives/mldsa-keys.js';
import { ML_KEM_SEED_BYTES } from '../../primitives/ml-kem-keys.js';
import { sm2GenerateKey } from '../../primitives/sm2-curve.js';
import { sm2Pkcs8Encode, sm2SpkiEncode } from '../../primitives/sm2-keys.js';
import { wipe } from '../../util/bytes.js';
import { mlKemKeyPairFromSeed, type MlKemKeySpec } from '../ml-kem.js';
import type { CryptoEnv } from '../types.js';

/** A key pair: `privateKey` (PKCS#8) is the caller's to wipe. */
export interface DerKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

function ecKeyPair(env: CryptoEnv, curve: EcCurveName): DerKeyPair {
  const c = EC_CURVES[curve];
  const d = ecGeneratePrivate(c, env.random);
  try {
    return { publicKey: ecSpkiEncode(c, ecPublicFromPrivate(c, d)), privateKey: ecPkcs8Encode(c, d) };
  } finally {
    wipe(d);
  }
}

function ed25519KeyPair(env: CryptoEnv): DerKeyPair {
  const seed = env.random(32);
  try {
    return { publicKey: ed25519SpkiEncode(ed25519PublicFromSeed(seed)), privateKey: ed25519Pkcs8Encode(seed) };
  } finally {
    wipe(seed);
  }
}

function mlDsaKeyPairDer(env: CryptoEnv, level: MlDsaLevel): DerKeyPair {
  const p = ML_DSA[level];
  const seed = env.random(32);
  const { publicKey, secretKey } = mlDsaKeyPair(p, seed);
  try {
    return { publicKey: mlDsaSpkiEncode(p, publicKey), privateKey: mlDsaPkcs8Encode(p, seed) };
  } finally {
    wipe(seed, secretKey);
  }
}

function sm2KeyPair(env: CryptoEnv): DerKeyPair {
  const { d, publicKey } = sm2GenerateKey(env.random);
  return { publicKey: sm2SpkiEncode(publicKey), privateKey: sm2Pkcs8Encode(d) };
}

function mlKemKeyPair(env: CryptoEnv, keySpec: MlKemKeySpec): DerKeyPair {
  const seed = env.random(ML_KEM_SEED_BYTES);
  try {
    return mlKemKeyPairFromSeed(keySpec, seed);
  } finally {
    wipe(seed);
  }
}

async function rsaKeyPair(env: CryptoEnv, bits: 2048 | 3072 | 4096): Promise<DerKeyPair> {
  return env.backend.rsaGenerateKeyPair(bits);
}

/** Generators for the key specs of SIGN_VERIFY keys and data key pairs. */
export const KEY_PAIR_GENERATORS: Readonly<Partial<Record<KeySpec | 'ML_KEM_512' | 'ML_KEM_768' | 'ML_KEM_1024', (env: CryptoEnv) => Promise<DerKeyPair>>>> = {
  RSA_2048: (env) => rsaKeyPair(env, 2048),
  RSA_3072: (env) => rsaKeyPair(env, 3072),
  RSA_4096: (env) => rsaKeyPair(env, 4096),
  ECC_NIST_P256: async (env) => ecKeyPair(env, 'P-256'),
  ECC_NIST_P384: async (env) => ecKeyPair(env, 'P-384'),
  ECC_NIST_P521: async (env) => ecKeyPair(env, 'P-521'),
  ECC_SECG_P256K1: async (env) => ecKeyPair(env, 'secp256k1'),
  ECC_NIST_EDWARDS25519: async (env) => ed25519KeyPair(env),
  ML_DSA_44: async (env) => mlDsaKeyPairDer(env, 44),
  ML_DSA_65: async (env) => mlDsaKeyPairDer(env, 65),
  ML_DSA_87: async (env) => mlDsaKeyPairDer(env, 87),
  SM2: async (env) => sm2KeyPair(env),
  ML_KEM_512: async (env) => mlKemKeyPair(env, 'ML_KEM_512'),
  ML_KEM_768: async (env) => mlKemKeyPair(env, 'ML_KEM_768'),
  ML_KEM_1024: async (env) => mlKemKeyPair(env, 'ML_KEM_1024'),
};
