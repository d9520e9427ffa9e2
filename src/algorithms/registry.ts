/**
 * The algorithm registry (docs/design.md, "Algorithms"): one table of encryption algorithms and one of key
 * specs. Adding an algorithm is adding a row.
 */
import type { KeySpec } from '../keys/record.js';
import { HMAC_KEY_SPECS } from './mac.js';
import { ML_KEM_KEY_SPECS } from './ml-kem.js';
import { SIGNING_KEY_SPECS } from './signing/index.js';
import { rsa2048, rsa3072, rsa4096, rsaesOaepSha1, rsaesOaepSha256 } from './rsa-oaep.js';
import { sm2Spec, sm2pke } from './sm2pke.js';
import { symmetricDefault, symmetricSpec } from './symmetric.js';
import type { EncryptionAlgorithm, EncryptionAlgorithmSpec, KeySpecInfo } from './types.js';

export const ALGORITHMS: Readonly<Partial<Record<EncryptionAlgorithmSpec, EncryptionAlgorithm>>> = {
  SYMMETRIC_DEFAULT: symmetricDefault,
  RSAES_OAEP_SHA_1: rsaesOaepSha1,
  RSAES_OAEP_SHA_256: rsaesOaepSha256,
  SM2PKE: sm2pke,
};

/** A NIST-curve row: its signing side (algorithms/signing/) and its key-agreement side (ECDH). */
function nistCurve(spec: 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521'): KeySpecInfo {
  const row = SIGNING_KEY_SPECS[spec];
  /* Invariant: the signing table has a row for every NIST curve (checked once, at module load). */
  if (!row) throw new Error(`kms-core: no key-spec row for ${spec}`);
  return Object.freeze({ ...row, keyAgreementAlgorithms: ['ECDH'] as const });
}

/**
 * One row per KeySpec (API_CreateKey: KeySpec; Developer Guide, "Key spec reference"): which
 * usages, algorithms and capabilities a key of the spec has.
 */
export const KEY_SPECS: Readonly<Partial<Record<KeySpec, KeySpecInfo>>> = {
  SYMMETRIC_DEFAULT: symmetricSpec,
  RSA_2048: rsa2048,
  RSA_3072: rsa3072,
  RSA_4096: rsa4096,
  SM2: sm2Spec,
  ECC_NIST_P256: nistCurve('ECC_NIST_P256'),
  ECC_NIST_P384: nistCurve('ECC_NIST_P384'),
  ECC_NIST_P521: nistCurve('ECC_NIST_P521'),
  ECC_SECG_P256K1: SIGNING_KEY_SPECS.ECC_SECG_P256K1,
  ECC_NIST_EDWARDS25519: SIGNING_KEY_SPECS.ECC_NIST_EDWARDS25519,
  ML_DSA_44: SIGNING_KEY_SPECS.ML_DSA_44,
  ML_DSA_65: SIGNING_KEY_SPECS.ML_DSA_65,
  ML_DSA_87: SIGNING_KEY_SPECS.ML_DSA_87,
  ...HMAC_KEY_SPECS,
  ...ML_KEM_KEY_SPECS,
};

export function algorithm(name: EncryptionAlgorithmSpec): EncryptionAlgorithm | undefined {
  return ALGORITHMS[name];
}

export function keySpecInfo(spec: KeySpec): KeySpecInfo | undefined {
  return Object.prototype.hasOwnProperty.call(KEY_SPECS, spec) ? KEY_SPECS[spec] : undefined;
}
