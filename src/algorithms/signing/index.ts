/**
 * The signing registry: one row per SigningAlgorithmSpec (SIGNING_ALGORITHMS) and the key-spec
 * rows of the signing-only key specs (SIGNING_KEY_SPECS). RSA and SM2 keep their rows in
 * rsa-oaep.ts / sm2pke.ts, which list their signing algorithms too.
 */
import { toHex } from '../../util/bytes.js';
import type { KeySpec } from '../../keys/record.js';
import type { KeySpecInfo } from '../types.js';
import { ecdsaSha256, ecdsaSha384, ecdsaSha512 } from './ecdsa.js';
import { ed25519PhSha512, ed25519Sha512 } from './eddsa.js';
import { mlDsaShake256 } from './mldsa.js';
import { KEY_PAIR_GENERATORS } from './pairs.js';
import { rsassaPkcs1Sha256, rsassaPkcs1Sha384, rsassaPkcs1Sha512, rsassaPssSha256, rsassaPssSha384, rsassaPssSha512 } from './rsassa.js';
import { sm2dsa } from './sm2dsa.js';
import type { SigningAlgorithm, SigningAlgorithmSpec } from './types.js';

export type { MessageType, SigningAlgorithm, SigningAlgorithmSpec } from './types.js';
export { checkSigningMessage } from './message.js';

export const SIGNING_ALGORITHMS: Readonly<Record<SigningAlgorithmSpec, SigningAlgorithm>> = {
  RSASSA_PSS_SHA_256: rsassaPssSha256,
  RSASSA_PSS_SHA_384: rsassaPssSha384,
  RSASSA_PSS_SHA_512: rsassaPssSha512,
  RSASSA_PKCS1_V1_5_SHA_256: rsassaPkcs1Sha256,
  RSASSA_PKCS1_V1_5_SHA_384: rsassaPkcs1Sha384,
  RSASSA_PKCS1_V1_5_SHA_512: rsassaPkcs1Sha512,
  ECDSA_SHA_256: ecdsaSha256,
  ECDSA_SHA_384: ecdsaSha384,
  ECDSA_SHA_512: ecdsaSha512,
  SM2DSA: sm2dsa,
  ML_DSA_SHAKE_256: mlDsaShake256,
  ED25519_SHA_512: ed25519Sha512,
  ED25519_PH_SHA_512: ed25519PhSha512,
};

export function signingAlgorithm(name: string): SigningAlgorithm | undefined {
  return Object.hasOwn(SIGNING_ALGORITHMS, name) ? SIGNING_ALGORITHMS[name as SigningAlgorithmSpec] : undefined;
}

function signingSpec(
  keySpec: KeySpec,
  keyUsages: KeySpecInfo['keyUsages'],
): KeySpecInfo {
  const gen = KEY_PAIR_GENERATORS[keySpec];
  /* Invariant: every signing key spec has a key-pair generator (checked once, at module load). */
  if (!gen) throw new Error(`kms-core: no key-pair generator for ${keySpec}`);
  return {
    keySpec,
    keyType: 'asymmetric',
    encryptionAlgorithms: [],
    rotatable: false,
    hasPublicKey: true,
    wrapsDataKeys: false,
    bindsContext: false,
    namesMaterial: false,
    signingAlgorithms: Object.values(SIGNING_ALGORITHMS)
      .filter((a) => a.keySpecs.includes(keySpec))
      .map((a) => a.name),
    keyUsages,
    async generate(env, createdAt) {
      const { publicKey, privateKey } = await gen(env);
      return { id: toHex(env.random(32)), material: privateKey, publicKey, createdAt };
    },
  };
}

/**
 * Key-spec rows of the signing-only specs. API_CreateKey: KeyUsage — "NIST-recommended elliptic
 * curve key pairs: SIGN_VERIFY or KEY_AGREEMENT"; ECC_SECG_P256K1, ML-DSA: SIGN_VERIFY;
 * ECC_NIST_EDWARDS25519: "signing and verification only" (API_CreateKey: KeySpec).
 */
export const SIGNING_KEY_SPECS: Readonly<Partial<Record<KeySpec, KeySpecInfo>>> = {
  ECC_NIST_P256: signingSpec('ECC_NIST_P256', ['SIGN_VERIFY', 'KEY_AGREEMENT']),
  ECC_NIST_P384: signingSpec('ECC_NIST_P384', ['SIGN_VERIFY', 'KEY_AGREEMENT']),
  ECC_NIST_P521: signingSpec('ECC_NIST_P521', ['SIGN_VERIFY', 'KEY_AGREEMENT']),
  ECC_SECG_P256K1: signingSpec('ECC_SECG_P256K1', ['SIGN_VERIFY']),
  ECC_NIST_EDWARDS25519: signingSpec('ECC_NIST_EDWARDS25519', ['SIGN_VERIFY']),
  ML_DSA_44: signingSpec('ML_DSA_44', ['SIGN_VERIFY']),
  ML_DSA_65: signingSpec('ML_DSA_65', ['SIGN_VERIFY']),
  ML_DSA_87: signingSpec('ML_DSA_87', ['SIGN_VERIFY']),
};
