/**
 * Key encodings and key generation for the NIST curves of KMS (ECC_NIST_P256 / P384 / P521):
 *
 * - SubjectPublicKeyInfo (RFC 5280 §4.1, RFC 5480 §2): `SEQUENCE { SEQUENCE { id-ecPublicKey,
 *   namedCurve }, BIT STRING ECPoint }`, the form GetPublicKey returns and DeriveSharedSecret
 *   takes (API_DeriveSharedSecret: PublicKey "DER-encoded X.509 public key … (SPKI)").
 * - PKCS#8 PrivateKeyInfo (RFC 5208 / RFC 5958) holding an ECPrivateKey (RFC 5915), byte for
 *   byte what OpenSSL 3 and node:crypto write: `[1] publicKey` present, `[0] parameters`
 *   omitted (the curve is already named in the AlgorithmIdentifier).
 * - Key generation from the caller's randomness (FIPS 186-5 A.2.1 by way of noble's
 *   `mapHashToField`: 1.5× the order's length drawn, reduced into [1, n − 1]), so that a Kms
 *   with injected `random` makes the same keys on every backend.
 *
 * Decoding is strict: DER as primitives/der.ts reads it, a named curve only (explicit
 * ECParameters, implicitCA and NULL parameters are refused), the point uncompressed (04‖x‖y)
 * or compressed (02/03‖x) per SEC 1 v2 §2.3.3–2.3.4 (RFC 5480 §2.2: uncompressed MUST be
 * supported, compressed MAY; the hybrid forms 06/07 are not allowed), on the curve and not
 * the identity. Every failure is an {@link EccKeyError} whose `reason` says which check
 * failed; messages never hold key bytes.
 *
 * This file is the NIST-curve counterpart of the SM2 encodings in primitives/sm2.ts. It is
 * shared by key agreement (algorithms/ecdh.ts) and, once merged, ECDSA signing keys.
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { EcdhCurve } from '../backend/types.js';
import { wipe } from '../util/bytes.js';
import { DerError, DerReader, DerTag, derBitString, derContext, derDecode, derInteger, derOctetString, derOid, derSequence } from './der.js';

/** id-ecPublicKey (RFC 5480 §2.1.1). */
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

type NobleCurve = typeof p256;

export interface EccCurve {
  readonly name: EcdhCurve;
  /** The namedCurve OID (RFC 5480 §2.1.1.1): secp256r1, secp384r1, secp521r1. */
  readonly oid: string;
  /** Bytes of a field element (and of the ECDH shared secret): 32, 48, 66. */
  readonly fieldBytes: number;
  /** Bytes of the private scalar in ECPrivateKey (RFC 5915 §3: ⌈log2(n)/8⌉): 32, 48, 66. */
  readonly scalarBytes: number;
  readonly noble: NobleCurve;
}

export const ECC_CURVES: Readonly<Record<EcdhCurve, EccCurve>> = Object.freeze({
  'P-256': { name: 'P-256', oid: '1.2.840.10045.3.1.7', fieldBytes: 32, scalarBytes: 32, noble: p256 },
  'P-384': { name: 'P-384', oid: '1.3.132.0.34', fieldBytes: 48, scalarBytes: 48, noble: p384 },
  'P-521': { name: 'P-521', oid: '1.3.132.0.35', fieldBytes: 66, scalarBytes: 66, noble: p521 },
});

const BY_OID: ReadonlyMap<string, EccCurve> = new Map(Object.values(ECC_CURVES).map((c) => [c.oid, c]));

export type EccKeyErrorReason =
  /** Not the DER structure (SPKI / PKCS#8 / ECPrivateKey), or trailing bytes. */
  | 'malformed'
  /** Not an EC key (another algorithm OID), or parameters that are not a named curve. */
  | 'not-ec'
  /** A named curve other than the expected one (or one kms-core does not know). */
  | 'curve'
  /** The point encoding is not SEC 1 uncompressed/compressed, or the point is not on the curve or is the identity. */
  | 'point'
  /** The private scalar is out of [1, n − 1] or does not match the embedded public key. */
  | 'scalar';

/** The one error of this module. `reason` names the failed check; the message holds no key bytes. */
export class EccKeyError extends Error {
  readonly reason: EccKeyErrorReason;
  constructor(reason: EccKeyErrorReason, message: string) {
    super(message);
    this.name = 'EccKeyError';
    this.reason = reason;
  }
}

function algorithmId(curve: EccCurve): Uint8Array {
  return derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(curve.oid));
}

/** Reads `AlgorithmIdentifier { id-ecPublicKey, namedCurve }`; returns the curve (or throws). */
function readAlgorithm(r: DerReader, expected?: EccCurve): EccCurve {
  const alg = r.sequence();
  if (alg.oid() !== OID_EC_PUBLIC_KEY) throw new EccKeyError('not-ec', 'EC key: algorithm is not id-ecPublicKey');
  /* Precondition: parameters are a namedCurve OID (RFC 5480 §2.1.1: specifiedCurve and implicitCurve MUST NOT be used). */
  if (alg.peekTag() !== DerTag.OID) throw new EccKeyError('not-ec', 'EC key: parameters are not a named curve');
  const curve = BY_OID.get(alg.oid());
  alg.end();
  if (!curve || (expected && curve !== expected)) throw new EccKeyError('curve', 'EC key: not on the expected curve');
  return curve;
}

/** SEC 1 point bytes → validated point, re-encoded uncompressed (04‖x‖y). */
export function eccPointDecode(curve: EccCurve, bytes: Uint8Array): Uint8Array {
  const f = curve.fieldBytes;
  const tag = bytes[0];
  /* Precondition: SEC 1 §2.3.3 uncompressed (04, 1 + 2f bytes) or compressed (02/03, 1 + f bytes); never the identity 00 or hybrid 06/07. */
  const shapeOk = (tag === 0x04 && bytes.length === 1 + 2 * f) || ((tag === 0x02 || tag === 0x03) && bytes.length === 1 + f);
  if (!shapeOk) throw new EccKeyError('point', 'EC key: point is not a SEC 1 uncompressed or compressed point');
  try {
    // fromBytes checks x, y < p and the curve equation (decompression fails for a non-residue).
    const pt = curve.noble.Point.fromBytes(bytes);
    if (pt.is0()) throw new Error('identity');
    pt.assertValidity();
    return pt.toBytes(false);
  } catch {
    throw new EccKeyError('point', 'EC key: point is not on the curve');
  }
}

/** DER SubjectPublicKeyInfo of a public point (any SEC 1 form in, uncompressed out). */
export function eccSpkiEncode(curve: EccCurve, point: Uint8Array): Uint8Array {
  return derSequence(algorithmId(curve), derBitString(eccPointDecode(curve, point)));
}

/**
 * Strictly decodes a SubjectPublicKeyInfo on the NIST curves. With `expected`, a key on any
 * other curve is an `EccKeyError('curve')`. Returns the curve and the validated point,
 * uncompressed, plus the canonical re-encoding of the SPKI.
 */
export function eccSpkiDecode(spki: Uint8Array, expected?: EccCurve): { curve: EccCurve; point: Uint8Array; spki: Uint8Array } {
  let curve: EccCurve;
  let raw: Uint8Array;
  try {
    const seq = derDecode(spki, DerTag.SEQUENCE);
    curve = readAlgorithm(seq, expected);
    raw = seq.bitStringBytes();
    seq.end();
  } catch (e) {
    if (e instanceof DerError) throw new EccKeyError('malformed', 'EC key: malformed SubjectPublicKeyInfo');
    throw e;
  }
  const point = eccPointDecode(curve, raw);
  return { curve, point, spki: derSequence(algorithmId(curve), derBitString(point)) };
}

/** The public point (uncompressed) of scalar bytes `d`. */
export function eccPublicFromPrivate(curve: EccCurve, d: Uint8Array): Uint8Array {
  /* Precondition: d is scalarBytes long and in [1, n − 1]. */
  if (d.length !== curve.scalarBytes || !curve.noble.utils.isValidSecretKey(d)) throw new EccKeyError('scalar', 'EC key: private scalar out of range');
  return curve.noble.getPublicKey(d, false);
}

/**
 * DER PKCS#8 of scalar `d` — `SEQUENCE { INTEGER 0, SEQUENCE { id-ecPublicKey, curve },
 * OCTET STRING ECPrivateKey }`, `ECPrivateKey = SEQUENCE { INTEGER 1, OCTET STRING d,
 * [1] BIT STRING 04‖x‖y }` — as `openssl pkey -outform DER` writes it. Intermediate copies of
 * d are wiped.
 */
export function eccPkcs8Encode(curve: EccCurve, d: Uint8Array): Uint8Array {
  const pub = eccPublicFromPrivate(curve, d);
  const dOctets = derOctetString(d);
  const ecPrivateKey = derSequence(derInteger(1n), dOctets, derContext(1, derBitString(pub)));
  const wrapped = derOctetString(ecPrivateKey);
  try {
    return derSequence(derInteger(0n), algorithmId(curve), wrapped);
  } finally {
    wipe(dOctets, ecPrivateKey, wrapped);
  }
}

/**
 * The scalar d (scalarBytes, big-endian; the caller wipes it) of a PKCS#8 EC private key on
 * `curve`. Optional ECPrivateKey `[0]` parameters must name the same curve and an optional
 * `[1]` public key must equal d·G.
 */
export function eccPrivateKeyFromPkcs8(curve: EccCurve, pkcs8: Uint8Array): Uint8Array {
  let d: Uint8Array;
  let pub: Uint8Array | undefined;
  try {
    const seq = derDecode(pkcs8, DerTag.SEQUENCE);
    const version = seq.integer();
    if (version !== 0n && version !== 1n) throw new DerError('PKCS#8: unsupported version');
    readAlgorithm(seq, curve);
    const inner = derDecode(seq.octetString(), DerTag.SEQUENCE);
    // RFC 5208 attributes [0] and RFC 5958 publicKey [1] may follow; they must be well-formed.
    while (!seq.done) seq.next();
    if (inner.integer() !== 1n) throw new DerError('ECPrivateKey: unsupported version');
    d = inner.octetString();
    const params = inner.optionalContext(0);
    if (params) {
      if (params.oid() !== curve.oid) throw new EccKeyError('curve', 'EC key: ECPrivateKey parameters name another curve');
      params.end();
    }
    const pubField = inner.optionalContext(1);
    if (pubField) {
      pub = pubField.bitStringBytes();
      pubField.end();
    }
    inner.end();
  } catch (e) {
    if (e instanceof DerError) throw new EccKeyError('malformed', 'EC key: malformed PKCS#8 private key');
    throw e;
  }
  const expected = eccPublicFromPrivate(curve, d);
  if (pub) {
    let same = pub.length === expected.length;
    for (let i = 0; same && i < pub.length; i++) same = pub[i] === expected[i];
    if (!same) throw new EccKeyError('scalar', 'EC key: PKCS#8 public key does not match the private key');
  }
  return Uint8Array.from(d);
}

/** A new key pair from `random`: the scalar d (scalarBytes) and its public point, uncompressed. */
export function eccGenerateKey(curve: EccCurve, random: (n: number) => Uint8Array): { d: Uint8Array; publicKey: Uint8Array } {
  const seed = random(curve.noble.lengths.seed as number);
  try {
    const d = curve.noble.utils.randomSecretKey(seed);
    return { d, publicKey: eccPublicFromPrivate(curve, d) };
  } finally {
    wipe(seed);
  }
}
