/**
 * The errors of the SM2 primitives (sm2-curve.ts, sm2-pke.ts, sm2-keys.ts): invalid key
 * material (GM/T 0003.1 §6.1 key pair, GM/T 0003.5 curve) and the one undifferentiated failure
 * of SM2 decryption (GM/T 0003.4 §7.1 B1–B6).
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

const DECRYPT_FAILED = 'SM2 decryption failed';

/**
 * The single error of {@link sm2Decrypt} for every ciphertext-dependent failure (malformed DER,
 * C1 not on the curve, KDF output all zero, C3 mismatch, …). The message is fixed and never
 * says which step failed, so a caller that maps it to InvalidCiphertextException leaks nothing.
 */
export class Sm2DecryptError extends Error {
  constructor() {
    super(DECRYPT_FAILED);
    this.name = 'Sm2DecryptError';
  }
}

/** Malformed or invalid key material (public point, SPKI, PKCS#8, private scalar). */
export class Sm2KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Sm2KeyError';
  }
}
