/**
 * The algorithm registry (docs/design.md, "Algorithms"): one table of encryption algorithms and one of key
 * specs. Adding an algorithm is adding a row.
 */
import type { KeySpec } from '../keys/record.js';
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

export const KEY_SPECS: Readonly<Partial<Record<KeySpec, KeySpecInfo>>> = {
  SYMMETRIC_DEFAULT: symmetricSpec,
  RSA_2048: rsa2048,
  RSA_3072: rsa3072,
  RSA_4096: rsa4096,
  SM2: sm2Spec,
};

export function algorithm(name: EncryptionAlgorithmSpec): EncryptionAlgorithm | undefined {
  return ALGORITHMS[name];
}

export function keySpecInfo(spec: KeySpec): KeySpecInfo | undefined {
  return KEY_SPECS[spec];
}
