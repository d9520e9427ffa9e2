/**
 * The PKCS#8 PrivateKeyInfo (RFC 5208) / OneAsymmetricKey (RFC 5958) around an RFC 5915
 * ECPrivateKey, read once for every Weierstrass curve kms-core holds (NIST, secp256k1 in
 * ec-keys.ts; SM2 in sm2-keys.ts): version 0 or 1, the AlgorithmIdentifier (checked by the
 * caller's `readAlgorithm`), then `ECPrivateKey { 1, privateKey OCTET STRING, [0] parameters
 * OPTIONAL, [1] publicKey OPTIONAL }`. Trailing PKCS#8 attributes / publicKey must still be
 * well-formed TLVs; optional [0] parameters must name `curveOid`. Throws DerError; the private
 * key bytes are returned as written (the caller checks their length and range, and copies).
 */
import { DerError, DerTag, derDecode, type DerReader } from './der.js';

export interface EcPrivateKeyFields {
  /** The privateKey octet string (a view into the input). */
  readonly privateKey: Uint8Array;
  /** The [1] publicKey bit string's bytes, when present. */
  readonly publicKey: Uint8Array | undefined;
}

export function readEcPkcs8(pkcs8: Uint8Array, readAlgorithm: (r: DerReader) => void, curveOid: string): EcPrivateKeyFields {
  const seq = derDecode(pkcs8, DerTag.SEQUENCE);
  const version = seq.integer();
  if (version !== 0n && version !== 1n) throw new DerError('PKCS#8: unsupported version');
  readAlgorithm(seq);
  const inner = derDecode(seq.octetString(), DerTag.SEQUENCE);
  while (!seq.done) seq.next(); // RFC 5958 attributes / publicKey: well-formed TLVs only
  if (inner.integer() !== 1n) throw new DerError('ECPrivateKey: unsupported version');
  const privateKey = inner.octetString();
  const params = inner.optionalContext(0);
  if (params) {
    if (params.oid() !== curveOid) throw new DerError('ECPrivateKey: wrong named curve');
    params.end();
  }
  let publicKey: Uint8Array | undefined;
  const pubField = inner.optionalContext(1);
  if (pubField) {
    publicKey = pubField.bitStringBytes();
    pubField.end();
  }
  inner.end();
  return { privateKey, publicKey };
}
