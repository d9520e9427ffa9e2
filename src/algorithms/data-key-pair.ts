/**
 * GenerateDataKeyPair / GenerateDataKeyPairWithoutPlaintext below the handler: a fresh key pair
 * for a DataKeyPairSpec (API model enum; @aws-sdk/client-kms ≥ 3.1160 adds ML_KEM_512/768/1024
 * to the botocore list), as SPKI and PKCS#8 DER (API_GenerateDataKeyPair: "The public key is a
 * DER-encoded X.509 SubjectPublicKeyInfo … The private key is a DER-encoded PKCS8
 * PrivateKeyInfo"; ML-KEM private keys in seed form).
 *
 * Regions (API_GenerateDataKeyPair: KeyPairSpec): "The SM2 key spec is only available in China
 * Regions. The ML-KEM key specs are not available in China Regions."
 *
 * The handler encrypts `privateKey` under the symmetric KMS key as an ordinary symmetric
 * ciphertext (PrivateKeyCiphertextBlob), returns it as PrivateKeyPlaintext only for
 * GenerateDataKeyPair, and wipes its own copy in `finally`.
 */
import { SM2_REGIONS } from './sm2pke.js';
import { KEY_PAIR_GENERATORS, type DerKeyPair } from './signing/pairs.js';
import type { CryptoEnv } from './types.js';

export type DataKeyPairSpec =
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'ECC_NIST_EDWARDS25519'
  | 'SM2'
  | 'ML_KEM_512'
  | 'ML_KEM_768'
  | 'ML_KEM_1024';

export const DATA_KEY_PAIR_SPECS: readonly DataKeyPairSpec[] = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'SM2',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
];

const CHINA = (region: string) => SM2_REGIONS.includes(region);

/** Whether AWS offers the data key pair spec in `region`. */
export function dataKeyPairSpecInRegion(spec: DataKeyPairSpec, region: string): boolean {
  if (spec === 'SM2') return CHINA(region);
  if (spec.startsWith('ML_KEM_')) return !CHINA(region);
  return true;
}

export function isDataKeyPairSpec(spec: string): spec is DataKeyPairSpec {
  return (DATA_KEY_PAIR_SPECS as readonly string[]).includes(spec);
}

/** A new data key pair; the caller owns `privateKey` and wipes it. */
export async function generateDataKeyPair(env: CryptoEnv, spec: DataKeyPairSpec): Promise<DerKeyPair> {
  const gen = KEY_PAIR_GENERATORS[spec];
  /* Precondition: every DataKeyPairSpec has a generator. */
  if (!gen) throw new Error(`kms-core: no key-pair generator for ${spec}`);
  return gen(env);
}
