/**
 * SM2 key encodings: SubjectPublicKeyInfo and PKCS#8 exactly as OpenSSL 3 writes them for SM2
 * (id-ecPublicKey with the SM2 curve OID 1.2.156.10197.1.301 as parameters). The key pair they
 * carry is that of GM/T 0003.1 (GB/T 32918.1) §6.1: d ∈ [1, n − 2], P = [d]G on the curve of
 * GM/T 0003.5; both are checked on decode (sm2-curve.ts).
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */
import { bytesToBigInt } from '../util/bigint.js';
import { DerError, DerReader, DerTag, derBitString, derContext, derDecode, derInteger, derOctetString, derOid, derSequence } from './der.js';
import { assertPrivateScalar, bigIntTo32, sm2Point, sm2PublicFromPrivate, toPublicPoint, type Sm2Point } from './sm2-curve.js';
import { readEcPkcs8 } from './ec-private-key.js';
import { Sm2KeyError } from './sm2-errors.js';

/** OIDs: id-ecPublicKey (RFC 5480) and the SM2 curve (GM/T 0006, "sm2p256v1"). */
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_SM2_CURVE = '1.2.156.10197.1.301';

// ---------------------------------------------------------------------------------------------
// Key encodings: SubjectPublicKeyInfo (RFC 5280 / RFC 5480) and PKCS#8 (RFC 5208 + RFC 5915)
// ---------------------------------------------------------------------------------------------

const ALGORITHM_ID = /* @__PURE__ */ derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(OID_SM2_CURVE));

function readAlgorithm(r: DerReader): void {
  const alg = r.sequence();
  if (alg.oid() !== OID_EC_PUBLIC_KEY) throw new DerError('SM2: algorithm is not id-ecPublicKey');
  if (alg.oid() !== OID_SM2_CURVE) throw new DerError('SM2: curve is not SM2');
  alg.end();
}

/**
 * DER SubjectPublicKeyInfo of an SM2 public key: `SEQUENCE { SEQUENCE { id-ecPublicKey,
 * sm2 }, BIT STRING 04‖x‖y }` — byte-identical to `openssl pkey -pubout -outform DER`.
 */
export function sm2SpkiEncode(pub65: Uint8Array): Uint8Array {
  const pt = toPublicPoint(pub65);
  return derSequence(ALGORITHM_ID, derBitString(pt.toBytes(false)));
}

/** Decodes an SM2 SubjectPublicKeyInfo to the validated 65-byte point 04‖x‖y. */
export function sm2SpkiDecode(spki: Uint8Array): Uint8Array {
  let point: Uint8Array;
  try {
    const seq = derDecode(spki, DerTag.SEQUENCE);
    readAlgorithm(seq);
    point = seq.bitStringBytes();
    seq.end();
  } catch (e) {
    if (e instanceof DerError) throw new Sm2KeyError('SM2: malformed SubjectPublicKeyInfo');
    throw e;
  }
  let pt: Sm2Point;
  try {
    // 65-byte uncompressed or 33-byte compressed SEC 1 forms; validated on the curve.
    pt = sm2Point.fromBytes(point);
  } catch {
    throw new Sm2KeyError('SM2: public key is not a point on the curve');
  }
  return pt.toBytes(false);
}

/**
 * DER PKCS#8 PrivateKeyInfo of an SM2 key, byte-identical to what OpenSSL 3 writes
 * (`openssl genpkey -algorithm SM2`, or `openssl pkcs8 -topk8 -nocrypt -outform DER`):
 * `SEQUENCE { INTEGER 0, SEQUENCE { id-ecPublicKey, sm2 }, OCTET STRING ECPrivateKey }` with
 * `ECPrivateKey = SEQUENCE { INTEGER 1, OCTET STRING d (32 bytes), [1] BIT STRING 04‖x‖y }`.
 */
export function sm2Pkcs8Encode(d: bigint): Uint8Array {
  assertPrivateScalar(d);
  // Every intermediate buffer that holds d is wiped; only the returned encoding keeps it.
  const dBytes = bigIntTo32(d);
  const dOctets = derOctetString(dBytes);
  const ecPrivateKey = derSequence(derInteger(1n), dOctets, derContext(1, derBitString(sm2PublicFromPrivate(d))));
  const wrapped = derOctetString(ecPrivateKey);
  const out = derSequence(derInteger(0n), ALGORITHM_ID, wrapped);
  for (const b of [dBytes, dOctets, ecPrivateKey, wrapped]) b.fill(0);
  return out;
}

/**
 * Private scalar d from a PKCS#8 PrivateKeyInfo (v1, or v2/OneAsymmetricKey with trailing
 * optional fields ignored only if well-formed) holding an SM2 ECPrivateKey. The optional
 * [0] parameters must name the SM2 curve and the optional [1] public key must equal [d]G.
 */
export function sm2PrivateKeyFromPkcs8(pkcs8: Uint8Array): bigint {
  let d: bigint;
  let pub: Uint8Array | undefined;
  try {
    const f = readEcPkcs8(pkcs8, readAlgorithm, OID_SM2_CURVE);
    if (f.privateKey.length !== 32) throw new DerError('ECPrivateKey: private key must be 32 bytes');
    d = bytesToBigInt(f.privateKey);
    pub = f.publicKey;
  } catch (e) {
    if (e instanceof DerError) throw new Sm2KeyError('SM2: malformed PKCS#8 private key');
    throw e;
  }
  assertPrivateScalar(d);
  if (pub) {
    const expected = sm2PublicFromPrivate(d);
    let same = pub.length === expected.length;
    if (same) for (let i = 0; i < pub.length; i++) same = same && pub[i] === expected[i];
    if (!same) throw new Sm2KeyError('SM2: PKCS#8 public key does not match the private key');
  }
  return d;
}
