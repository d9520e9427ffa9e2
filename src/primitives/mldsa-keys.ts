/**
 * ML-DSA (FIPS 204) parameter sets and key encodings, for the ML_DSA_44/65/87 key specs of AWS
 * KMS, following the IETF LAMPS profile (RFC 9881, "Algorithm Identifiers for ML-DSA"):
 *
 * - OIDs id-ml-dsa-44/65/87 = 2.16.840.1.101.3.4.3.17/18/19; AlgorithmIdentifier parameters
 *   absent.
 * - SubjectPublicKeyInfo: the raw FIPS 204 public key (1312/1952/2592 bytes) in the BIT STRING.
 * - PKCS#8: `ML-DSA-PrivateKey ::= CHOICE { seed [0] IMPLICIT OCTET STRING (SIZE (32)),
 *   expandedKey OCTET STRING, both SEQUENCE { seed, expandedKey } }`. kms-core writes the seed
 *   form (34 bytes `80 20 ‖ ξ`, what Wycheproof's `privateKeyPkcs8` and Python `cryptography`
 *   use; AWS documents the seed form for ML-KEM data key pairs) and reads all three; `both`
 *   must be consistent.
 *
 * Key generation is ML-DSA.KeyGen_internal(ξ) (FIPS 204 Alg. 6) of @noble/post-quantum.
 * @module
 */
import { ml_dsa44, ml_dsa65, ml_dsa87, type DSA } from '@noble/post-quantum/ml-dsa.js';
import { equalBytes, wipe } from '../util/bytes.js';
import { DerError, DerReader, DerTag, derBitString, derDecode, derInteger, derOctetString, derOid, derSequence, derTlv } from './der.js';

export type MlDsaLevel = 44 | 65 | 87;

export interface MlDsaParams {
  readonly level: MlDsaLevel;
  readonly oid: string;
  readonly publicKeyBytes: number;
  readonly secretKeyBytes: number;
  readonly signatureBytes: number;
  readonly noble: DSA;
}

function params(level: MlDsaLevel, oidArc: number, noble: DSA): MlDsaParams {
  return Object.freeze({
    level,
    oid: `2.16.840.1.101.3.4.3.${oidArc}`,
    publicKeyBytes: noble.lengths.publicKey as number,
    secretKeyBytes: noble.lengths.secretKey as number,
    signatureBytes: noble.lengths.signature as number,
    noble,
  });
}

export const ML_DSA: Readonly<Record<MlDsaLevel, MlDsaParams>> = Object.freeze({
  44: params(44, 17, ml_dsa44),
  65: params(65, 18, ml_dsa65),
  87: params(87, 19, ml_dsa87),
});

export class MlDsaKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MlDsaKeyError';
  }
}

/** [0] IMPLICIT OCTET STRING: context-specific, primitive, tag 0. */
const SEED_TAG = 0x80;

export function mlDsaKeyPair(p: MlDsaParams, seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } {
  if (seed.length !== 32) throw new MlDsaKeyError('ML-DSA: seed must be 32 bytes');
  return p.noble.keygen(seed);
}

export function mlDsaSpkiEncode(p: MlDsaParams, pub: Uint8Array): Uint8Array {
  if (pub.length !== p.publicKeyBytes) throw new MlDsaKeyError('ML-DSA: wrong public key length');
  return derSequence(derSequence(derOid(p.oid)), derBitString(pub));
}

export function mlDsaSpkiDecode(p: MlDsaParams, spki: Uint8Array): Uint8Array {
  let pub: Uint8Array;
  try {
    const seq = derDecode(spki, DerTag.SEQUENCE);
    const alg = seq.sequence();
    if (alg.oid() !== p.oid) throw new DerError('ML-DSA: wrong algorithm');
    alg.end(); // parameters MUST be absent
    pub = seq.bitStringBytes();
    seq.end();
  } catch (e) {
    if (e instanceof DerError) throw new MlDsaKeyError('ML-DSA: malformed SubjectPublicKeyInfo');
    throw e;
  }
  if (pub.length !== p.publicKeyBytes) throw new MlDsaKeyError('ML-DSA: wrong public key length');
  return pub;
}

/** PKCS#8 in the seed form. */
export function mlDsaPkcs8Encode(p: MlDsaParams, seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new MlDsaKeyError('ML-DSA: seed must be 32 bytes');
  const choice = derTlv(SEED_TAG, seed);
  const wrapped = derOctetString(choice);
  const out = derSequence(derInteger(0n), derSequence(derOid(p.oid)), wrapped);
  wipe(choice, wrapped);
  return out;
}

/**
 * The signing key of an ML-DSA PKCS#8: the FIPS 204 expanded secret key (from the seed when
 * there is one) and the public key. Fresh buffers; the caller wipes `secretKey`.
 */
export function mlDsaPkcs8Decode(p: MlDsaParams, pkcs8: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  let seed: Uint8Array | undefined;
  let expanded: Uint8Array | undefined;
  try {
    const seq = derDecode(pkcs8, DerTag.SEQUENCE);
    const version = seq.integer();
    if (version !== 0n && version !== 1n) throw new DerError('PKCS#8: unsupported version');
    const alg = seq.sequence();
    if (alg.oid() !== p.oid) throw new DerError('ML-DSA: wrong algorithm');
    alg.end();
    const choice = new DerReader(seq.octetString());
    while (!seq.done) seq.next();
    const el = choice.next();
    choice.end();
    if (el.tag === SEED_TAG) seed = el.content;
    else if (el.tag === DerTag.OCTET_STRING) expanded = el.content;
    else if (el.tag === DerTag.SEQUENCE) {
      const both = new DerReader(el.content);
      seed = both.octetString();
      expanded = both.octetString();
      both.end();
    } else throw new DerError('ML-DSA: unknown private key form');
  } catch (e) {
    if (e instanceof DerError) throw new MlDsaKeyError('ML-DSA: malformed PKCS#8 private key');
    throw e;
  }
  if (seed !== undefined && seed.length !== 32) throw new MlDsaKeyError('ML-DSA: seed must be 32 bytes');
  if (expanded !== undefined && expanded.length !== p.secretKeyBytes) throw new MlDsaKeyError('ML-DSA: wrong expanded key length');
  if (seed) {
    const pair = mlDsaKeyPair(p, seed);
    if (expanded && !equalBytes(expanded, pair.secretKey)) {
      wipe(pair.secretKey);
      throw new MlDsaKeyError('ML-DSA: seed and expanded key do not match');
    }
    return pair;
  }
  const secretKey = Uint8Array.from(expanded as Uint8Array);
  // FIPS 204 Alg. 24 skDecode: ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0; the public key t1 is not in sk, so it
  // is recomputed by a sign/verify-free route: noble exposes getPublicKey for expanded keys.
  return { secretKey, publicKey: p.noble.getPublicKey(secretKey) };
}
