/**
 * ML-KEM (FIPS 203) key encodings, as AWS KMS uses them for ML_KEM_512 / 768 / 1024:
 *
 * - SubjectPublicKeyInfo with the FIPS 203 OIDs (NIST CSOR: id-alg-ml-kem-512 / 768 / 1024 =
 *   2.16.840.1.101.3.4.4.1 / .2 / .3; IETF LAMPS "Algorithm Identifiers for ML-KEM" (draft-ietf-lamps-kyber-certificates), which
 *   says the parameters field MUST be absent) and the encapsulation key ek as the BIT STRING:
 *   `SEQUENCE { SEQUENCE { OID }, BIT STRING ek }` (800 / 1184 / 1568 bytes of ek).
 * - PKCS#8 in the seed form, which AWS documents for ML-KEM data key pairs
 *   (API_GenerateDataKeyPair: "the DER-encoded PKCS8 PrivateKeyInfo contains the private key in
 *   seed format. As a result, the length of the private key is the same for all ML-KEM key pair
 *   specs"): `SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING ( [0] IMPLICIT OCTET STRING
 *   (64 bytes d‖z) ) }`, 86 bytes for every parameter set (same draft, ML-KEM-PrivateKey
 *   CHOICE `seed [0] OCTET STRING (SIZE (64))`).
 *
 * The expanded decapsulation key is recomputed from the seed (FIPS 203 Algorithm 16
 * ML-KEM.KeyGen_internal(d, z)) by the caller; it never leaves kms-core's memory.
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */
import { DerError, DerReader, DerTag, derDecode, derSequence, derBitString, derInteger, derOctetString, derOid, derTlv } from './der.js';
import { wipe } from '../util/bytes.js';

export type MlKemParameterSet = 'ML-KEM-512' | 'ML-KEM-768' | 'ML-KEM-1024';

/** FIPS 203 Table 3 sizes and the NIST OID of each parameter set. */
export const ML_KEM_SETS: Readonly<Record<MlKemParameterSet, { oid: string; publicKeyBytes: number; ciphertextBytes: number }>> = Object.freeze({
  'ML-KEM-512': { oid: '2.16.840.1.101.3.4.4.1', publicKeyBytes: 800, ciphertextBytes: 768 },
  'ML-KEM-768': { oid: '2.16.840.1.101.3.4.4.2', publicKeyBytes: 1184, ciphertextBytes: 1088 },
  'ML-KEM-1024': { oid: '2.16.840.1.101.3.4.4.3', publicKeyBytes: 1568, ciphertextBytes: 1568 },
});

/** The seed d‖z (FIPS 203 §7.1): 32 bytes each. */
export const ML_KEM_SEED_BYTES = 64;

/** Context-specific, primitive tag [0] IMPLICIT (X.690 §8.14): the seed CHOICE of the LAMPS ML-KEM-PrivateKey. */
const SEED_TAG = 0x80;

/** Malformed or mismatched ML-KEM key encoding. Messages hold no key bytes. */
export class MlKemKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MlKemKeyError';
  }
}

export function mlKemSpkiEncode(set: MlKemParameterSet, ek: Uint8Array): Uint8Array {
  const { oid, publicKeyBytes } = ML_KEM_SETS[set];
  /* Precondition: ek has the parameter set's length (FIPS 203 Table 3). */
  if (ek.length !== publicKeyBytes) throw new MlKemKeyError('ML-KEM: encapsulation key has the wrong length');
  return derSequence(derSequence(derOid(oid)), derBitString(ek));
}

/** The encapsulation key of an ML-KEM SPKI of parameter set `set` (strict DER, no parameters). */
export function mlKemSpkiDecode(set: MlKemParameterSet, spki: Uint8Array): Uint8Array {
  const { oid, publicKeyBytes } = ML_KEM_SETS[set];
  try {
    const seq = derDecode(spki, DerTag.SEQUENCE);
    const alg = seq.sequence();
    if (alg.oid() !== oid) throw new DerError('ML-KEM: algorithm is not ' + set);
    alg.end();
    const ek = seq.bitStringBytes();
    seq.end();
    if (ek.length !== publicKeyBytes) throw new DerError('ML-KEM: encapsulation key has the wrong length');
    return ek;
  } catch (e) {
    if (e instanceof DerError) throw new MlKemKeyError('ML-KEM: malformed SubjectPublicKeyInfo');
    throw e;
  }
}

/** PKCS#8, seed form (86 bytes). Intermediate copies of the seed are wiped. */
export function mlKemPkcs8Encode(set: MlKemParameterSet, seed: Uint8Array): Uint8Array {
  /* Precondition: the seed is d‖z, 64 bytes. */
  if (seed.length !== ML_KEM_SEED_BYTES) throw new MlKemKeyError('ML-KEM: seed must be 64 bytes');
  const choice = derTlv(SEED_TAG, seed);
  const wrapped = derOctetString(choice);
  try {
    return derSequence(derInteger(0n), derSequence(derOid(ML_KEM_SETS[set].oid)), wrapped);
  } finally {
    wipe(choice, wrapped);
  }
}

/** The 64-byte seed of a seed-form ML-KEM PKCS#8 of parameter set `set` (a copy: the caller wipes it). */
export function mlKemSeedFromPkcs8(set: MlKemParameterSet, pkcs8: Uint8Array): Uint8Array {
  try {
    const seq = derDecode(pkcs8, DerTag.SEQUENCE);
    const version = seq.integer();
    if (version !== 0n && version !== 1n) throw new DerError('PKCS#8: unsupported version');
    const alg = seq.sequence();
    if (alg.oid() !== ML_KEM_SETS[set].oid) throw new DerError('ML-KEM: algorithm is not ' + set);
    alg.end();
    /* Precondition: the private key is the seed CHOICE (the form AWS documents), not expandedKey or both. */
    const inner = new DerReader(seq.octetString());
    const seed = inner.expect(SEED_TAG, 'seed [0]');
    inner.end();
    // RFC 5208 attributes [0] and RFC 5958 publicKey [1] may follow; they must be well-formed.
    while (!seq.done) seq.next();
    if (seed.length !== ML_KEM_SEED_BYTES) throw new DerError('ML-KEM: seed must be 64 bytes');
    return Uint8Array.from(seed);
  } catch (e) {
    if (e instanceof DerError) throw new MlKemKeyError('ML-KEM: malformed PKCS#8 private key');
    throw e;
  }
}
