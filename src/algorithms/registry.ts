/**
 * The algorithm registry (DESIGN.md §4): one table of encryption algorithms and one of key
 * specs. Adding an algorithm is adding a row.
 */
import type { KeySpec } from '../keys/record.js';
import { symmetricDefault, symmetricSpec } from './symmetric.js';
import type { EncryptionAlgorithm, EncryptionAlgorithmSpec, KeySpecInfo } from './types.js';

export const ALGORITHMS: Readonly<Partial<Record<EncryptionAlgorithmSpec, EncryptionAlgorithm>>> = {
  SYMMETRIC_DEFAULT: symmetricDefault,
};

export const KEY_SPECS: Readonly<Partial<Record<KeySpec, KeySpecInfo>>> = {
  SYMMETRIC_DEFAULT: symmetricSpec,
};

export function algorithm(name: EncryptionAlgorithmSpec): EncryptionAlgorithm | undefined {
  return ALGORITHMS[name];
}

export function keySpecInfo(spec: KeySpec): KeySpecInfo | undefined {
  return KEY_SPECS[spec];
}
