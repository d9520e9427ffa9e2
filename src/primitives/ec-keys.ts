/**
 * Elliptic-curve keys: the curves AWS KMS offers for signing and key agreement (Developer Guide,
 * "Key spec reference": ECC_NIST_P256/P384/P521 for SIGN_VERIFY or KEY_AGREEMENT,
 * ECC_SECG_P256K1 for SIGN_VERIFY), their key encodings and the DER signature form. The one
 * EC key module of kms-core: ECDSA (algorithms/signing/), ECDH (algorithms/ecdh.ts) and the
 * backends read and write EC keys here.
 *
 * - SubjectPublicKeyInfo (RFC 5480 §2): `SEQUENCE { SEQUENCE { id-ecPublicKey, namedCurve },
 *   BIT STRING 04‖x‖y }` — what AWS GetPublicKey returns and OpenSSL writes, and the peer key
 *   DeriveSharedSecret takes (API_DeriveSharedSecret: PublicKey "DER-encoded X.509 public key
 *   … (SPKI)"). Decoding is strict: DER, a namedCurve OID only (RFC 5480 §2.1.1: specifiedCurve
 *   and implicitCurve MUST NOT be used; NULL or absent parameters are refused), the point SEC 1
 *   v2 §2.3.3 uncompressed (04‖x‖y) or compressed (02/03‖x) — RFC 5480 §2.2: uncompressed MUST
 *   be supported, compressed MAY, the hybrid forms 06/07 are not allowed — with x, y < p, on
 *   the curve and not the identity.
 * - PKCS#8 (RFC 5208) holding an ECPrivateKey (RFC 5915): `SEQUENCE { INTEGER 0, SEQUENCE {
 *   id-ecPublicKey, namedCurve }, OCTET STRING ECPrivateKey }`, `ECPrivateKey = SEQUENCE {
 *   INTEGER 1, OCTET STRING d (field-size bytes), [1] BIT STRING 04‖x‖y }` — the form OpenSSL 3
 *   writes (`openssl genpkey`, `openssl pkcs8 -topk8 -nocrypt`).
 * - ECDSA-Sig-Value (RFC 3279 §2.2.3, ANSI X9.62): `SEQUENCE { INTEGER r, INTEGER s }`, the
 *   Signature AWS Sign returns for ECDSA_SHA_* (API_Sign: Signature).
 *
 * Curve arithmetic is @noble/curves; no `node:*`.
 * @module
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { bytesToBigInt, writeBigInt } from '../util/bigint.js';
import { wipe } from '../util/bytes.js';
import { DerError, DerTag, derBitString, derContext, derDecode, derInteger, derOctetString, derOid, derSequence, type DerReader } from './der.js';
import { readEcPkcs8 } from './ec-private-key.js';

export type EcCurveName = 'P-256' | 'P-384' | 'P-521' | 'secp256k1';

export interface EcCurve {
  readonly name: EcCurveName;
  /** Named-curve OID (RFC 5480 §2.1.1.1; SEC 2 for secp256k1). */
  readonly oid: string;
  /** Bytes of a field element and of the private scalar in ECPrivateKey (RFC 5915 §3). */
  readonly size: number;
  /** Group order n. */
  readonly n: bigint;
  readonly noble: ECDSA;
}

export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

function curve(name: EcCurveName, oid: string, size: number, noble: ECDSA): EcCurve {
  return Object.freeze({ name, oid, size, n: noble.Point.Fn.ORDER, noble });
}

export const EC_CURVES: Readonly<Record<EcCurveName, EcCurve>> = Object.freeze({
  'P-256': curve('P-256', '1.2.840.10045.3.1.7', 32, p256),
  'P-384': curve('P-384', '1.3.132.0.34', 48, p384),
  'P-521': curve('P-521', '1.3.132.0.35', 66, p521),
  secp256k1: curve('secp256k1', '1.3.132.0.10', 32, secp256k1),
});

/** Malformed or invalid EC key material (SPKI, PKCS#8, point, scalar). Messages never hold key bytes. */
export class EcKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EcKeyError';
  }
}

/**
 * A private scalar d uniform in [1, n − 1] (FIPS 186-5 §A.2.2, rejection sampling) from the
 * caller's randomness, as `size` big-endian bytes. P-521's top byte keeps only its one bit, so
 * a draw is accepted with probability > 1/2 on every curve.
 */
export function ecGeneratePrivate(c: EcCurve, random: (n: number) => Uint8Array): Uint8Array {
  for (let attempt = 0; attempt < 64; attempt++) {
    const d = random(c.size);
    if (c.name === 'P-521') d[0]! &= 0x01;
    const x = bytesToBigInt(d);
    if (x >= 1n && x < c.n) return d;
    wipe(d);
  }
  throw new Error('kms-core: the random source keeps returning out-of-range EC scalars');
}

/** 04‖x‖y for the private scalar (size bytes). */
export function ecPublicFromPrivate(c: EcCurve, d: Uint8Array): Uint8Array {
  return c.noble.getPublicKey(d, false);
}

function algorithmId(c: EcCurve): Uint8Array {
  return derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(c.oid));
}

function readAlgorithm(r: DerReader, c: EcCurve): void {
  const alg = r.sequence();
  if (alg.oid() !== OID_EC_PUBLIC_KEY) throw new DerError('EC: algorithm is not id-ecPublicKey');
  /* Precondition: parameters are a namedCurve OID (RFC 5480 §2.1.1). */
  if (alg.peekTag() !== DerTag.OID) throw new DerError('EC: parameters are not a named curve');
  if (alg.oid() !== c.oid) throw new DerError('EC: wrong named curve');
  alg.end();
}

/**
 * SEC 1 point bytes on curve `c` → the validated point, uncompressed (04‖x‖y). Throws
 * {@link EcKeyError} for anything else.
 */
export function ecPointDecode(c: EcCurve, bytes: Uint8Array): Uint8Array {
  const tag = bytes[0];
  /* Precondition: SEC 1 §2.3.3 uncompressed (04, 1 + 2·size bytes) or compressed (02/03, 1 + size bytes); never the identity 00 or hybrid 06/07. */
  const shapeOk = (tag === 0x04 && bytes.length === 1 + 2 * c.size) || ((tag === 0x02 || tag === 0x03) && bytes.length === 1 + c.size);
  if (!shapeOk) throw new EcKeyError('EC: point is not a SEC 1 uncompressed or compressed point');
  try {
    // fromBytes checks x, y < p, the curve equation (decompression fails for a non-residue)
    // and refuses the identity (cofactor 1 on all four curves: on the curve is in the group).
    return c.noble.Point.fromBytes(bytes).toBytes(false);
  } catch {
    throw new EcKeyError('EC: public key is not a point on the curve');
  }
}

export function ecSpkiEncode(c: EcCurve, pub: Uint8Array): Uint8Array {
  return derSequence(algorithmId(c), derBitString(pub));
}

/**
 * The validated uncompressed point 04‖x‖y of an SPKI on curve `c` (compressed points accepted).
 * A key of another curve or algorithm, malformed DER, trailing bytes or a bad point: {@link EcKeyError}.
 */
export function ecSpkiDecode(c: EcCurve, spki: Uint8Array): Uint8Array {
  let point: Uint8Array;
  try {
    const seq = derDecode(spki, DerTag.SEQUENCE);
    readAlgorithm(seq, c);
    point = seq.bitStringBytes();
    seq.end();
  } catch (e) {
    if (e instanceof DerError) throw new EcKeyError('EC: malformed SubjectPublicKeyInfo');
    throw e;
  }
  return ecPointDecode(c, point);
}

/** The canonical SPKI (named curve, uncompressed point) of a validated SPKI on `c`. */
export function ecSpkiCanonical(c: EcCurve, spki: Uint8Array): Uint8Array {
  return ecSpkiEncode(c, ecSpkiDecode(c, spki));
}

/** PKCS#8 of the scalar d (size bytes), with the public key in ECPrivateKey [1] as OpenSSL writes it. */
export function ecPkcs8Encode(c: EcCurve, d: Uint8Array): Uint8Array {
  const dOctets = derOctetString(d);
  const ecPrivateKey = derSequence(derInteger(1n), dOctets, derContext(1, derBitString(ecPublicFromPrivate(c, d))));
  const wrapped = derOctetString(ecPrivateKey);
  const out = derSequence(derInteger(0n), algorithmId(c), wrapped);
  wipe(dOctets, ecPrivateKey, wrapped);
  return out;
}

/**
 * The private scalar (exactly `size` bytes, a fresh buffer the caller wipes) of a PKCS#8
 * PrivateKeyInfo / OneAsymmetricKey on curve `c`. Optional [0] parameters must name `c`; an
 * optional [1] public key must equal [d]G.
 */
export function ecPkcs8Decode(c: EcCurve, pkcs8: Uint8Array): Uint8Array {
  let d: Uint8Array;
  let pub: Uint8Array | undefined;
  try {
    const f = readEcPkcs8(pkcs8, (r) => readAlgorithm(r, c), c.oid);
    const dBytes = f.privateKey;
    // RFC 5915 §3: the octet string is ceiling(log2(n)/8) long; tolerate shorter (leading zeros dropped).
    if (dBytes.length === 0 || dBytes.length > c.size) throw new DerError('ECPrivateKey: bad private key length');
    d = new Uint8Array(c.size);
    d.set(dBytes, c.size - dBytes.length);
    pub = f.publicKey;
  } catch (e) {
    if (e instanceof DerError) throw new EcKeyError('EC: malformed PKCS#8 private key');
    throw e;
  }
  const x = bytesToBigInt(d);
  if (x < 1n || x >= c.n) {
    wipe(d);
    throw new EcKeyError('EC: private key out of range');
  }
  if (pub) {
    let same = false;
    try {
      const expected = ecPublicFromPrivate(c, d);
      const given = c.noble.Point.fromBytes(pub).toBytes(false);
      same = given.length === expected.length && given.every((b, i) => b === expected[i]);
    } catch {
      same = false;
    }
    if (!same) {
      wipe(d);
      throw new EcKeyError('EC: PKCS#8 public key does not match the private key');
    }
  }
  return d;
}

/** DER ECDSA-Sig-Value from r, s. */
export function ecdsaDerEncode(r: bigint, s: bigint): Uint8Array {
  return derSequence(derInteger(r), derInteger(s));
}

/**
 * Strict DER parse of an ECDSA-Sig-Value (minimal, non-negative INTEGERs, no trailing bytes)
 * with 1 ≤ r, s < n (FIPS 186-5 §6.4.2 step 1). undefined for anything else: a malformed
 * signature is an invalid one, never an exception.
 */
export function ecdsaDerDecode(c: EcCurve, sig: Uint8Array): { r: bigint; s: bigint } | undefined {
  try {
    const seq = derDecode(sig, DerTag.SEQUENCE);
    const rb = seq.unsignedIntegerBytes();
    const sb = seq.unsignedIntegerBytes();
    seq.end();
    if (rb.length > c.size || sb.length > c.size) return undefined;
    const r = bytesToBigInt(rb);
    const s = bytesToBigInt(sb);
    if (r < 1n || r >= c.n || s < 1n || s >= c.n) return undefined;
    return { r, s };
  } catch {
    return undefined;
  }
}

/** r‖s, each `size` bytes (IEEE P1363, what WebCrypto and noble's compact form use). */
export function ecdsaToCompact(c: EcCurve, r: bigint, s: bigint): Uint8Array {
  const out = new Uint8Array(2 * c.size);
  writeBigInt(r, out, 0, c.size);
  writeBigInt(s, out, c.size, c.size);
  return out;
}

/** DER from a P1363 r‖s (WebCrypto output). */
export function ecdsaCompactToDer(c: EcCurve, compact: Uint8Array): Uint8Array {
  return ecdsaDerEncode(bytesToBigInt(compact.subarray(0, c.size)), bytesToBigInt(compact.subarray(c.size)));
}
