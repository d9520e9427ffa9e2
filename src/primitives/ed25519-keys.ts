/**
 * Ed25519 key encodings (RFC 8410): the ECC_NIST_EDWARDS25519 key spec of AWS KMS.
 *
 * - SubjectPublicKeyInfo (§4): `SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING A }`, A the
 *   32-byte encoded point; the AlgorithmIdentifier has no parameters (§3).
 * - PKCS#8 / OneAsymmetricKey (§7): `SEQUENCE { INTEGER 0, SEQUENCE { id-Ed25519 }, OCTET
 *   STRING CurvePrivateKey }` with `CurvePrivateKey ::= OCTET STRING` holding the 32-byte seed
 *   — byte-identical to what OpenSSL and node:crypto write. Version 1 with the optional [1]
 *   public key is read too (RFC 5958), and the public key must then match.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { equalBytes, wipe } from '../util/bytes.js';
import { DerError, DerReader, DerTag, derBitString, derDecode, derInteger, derOctetString, derOid, derSequence } from './der.js';

/** id-Ed25519 (RFC 8410 §3). */
export const OID_ED25519 = '1.3.101.112';

export class Ed25519KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Ed25519KeyError';
  }
}

const ALGORITHM_ID = /* @__PURE__ */ derSequence(derOid(OID_ED25519));

export function ed25519PublicFromSeed(seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(seed);
}

export function ed25519SpkiEncode(pub: Uint8Array): Uint8Array {
  if (pub.length !== 32) throw new Ed25519KeyError('Ed25519: public key must be 32 bytes');
  return derSequence(ALGORITHM_ID, derBitString(pub));
}

/** The 32-byte public key A of an Ed25519 SPKI (the encoding must be a valid point). */
export function ed25519SpkiDecode(spki: Uint8Array): Uint8Array {
  let pub: Uint8Array;
  try {
    const seq = derDecode(spki, DerTag.SEQUENCE);
    const alg = seq.sequence();
    if (alg.oid() !== OID_ED25519) throw new DerError('Ed25519: algorithm is not id-Ed25519');
    alg.end(); // RFC 8410 §3: parameters MUST be absent
    pub = seq.bitStringBytes();
    seq.end();
  } catch (e) {
    if (e instanceof DerError) throw new Ed25519KeyError('Ed25519: malformed SubjectPublicKeyInfo');
    throw e;
  }
  if (pub.length !== 32 || !ed25519.utils.isValidPublicKey(pub, false)) throw new Ed25519KeyError('Ed25519: public key is not a valid point');
  return pub;
}

export function ed25519Pkcs8Encode(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new Ed25519KeyError('Ed25519: private key must be 32 bytes');
  const inner = derOctetString(seed);
  const wrapped = derOctetString(inner);
  const out = derSequence(derInteger(0n), ALGORITHM_ID, wrapped);
  wipe(inner, wrapped);
  return out;
}

/** The 32-byte seed of an Ed25519 PKCS#8 (a fresh buffer the caller wipes). */
export function ed25519Pkcs8Decode(pkcs8: Uint8Array): Uint8Array {
  let seed: Uint8Array;
  let pub: Uint8Array | undefined;
  try {
    const seq = derDecode(pkcs8, DerTag.SEQUENCE);
    const version = seq.integer();
    if (version !== 0n && version !== 1n) throw new DerError('PKCS#8: unsupported version');
    const alg = seq.sequence();
    if (alg.oid() !== OID_ED25519) throw new DerError('Ed25519: algorithm is not id-Ed25519');
    alg.end();
    const curvePrivateKey = new DerReader(seq.octetString());
    seed = curvePrivateKey.octetString();
    curvePrivateKey.end();
    // RFC 5958: [0] attributes, then [1] IMPLICIT publicKey (tag 0x81, a BIT STRING body).
    while (!seq.done) {
      const el = seq.next();
      if (el.tag === 0x81) {
        if (el.content.length !== 33 || el.content[0] !== 0) throw new DerError('PKCS#8: bad public key');
        pub = el.content.subarray(1);
      }
    }
  } catch (e) {
    if (e instanceof DerError) throw new Ed25519KeyError('Ed25519: malformed PKCS#8 private key');
    throw e;
  }
  if (seed.length !== 32) throw new Ed25519KeyError('Ed25519: private key must be 32 bytes');
  const out = Uint8Array.from(seed);
  if (pub && !equalBytes(pub, ed25519PublicFromSeed(out))) {
    wipe(out);
    throw new Ed25519KeyError('Ed25519: PKCS#8 public key does not match the private key');
  }
  return out;
}
