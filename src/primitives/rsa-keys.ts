/**
 * RSA private keys as key material someone else made (ImportKeyMaterial): the checks the
 * Developer Guide's "Requirements for imported key material" names — "Modulus: 2048 bits, 3072
 * bits or 4096 bits", "Number of primes: 2 (multi-prime RSA keys are not supported)", a key pair
 * that "conforms to RFC 3447" — and the canonical encodings kms-core keeps: PKCS#8 (RFC 5208)
 * holding an RSAPrivateKey (RFC 8017 §A.1.2) and the SubjectPublicKeyInfo (RFC 8017 §A.1.1),
 * so that the imported key signs, decrypts and answers GetPublicKey exactly like a generated one.
 *
 * Parsing is primitives/rsassa.ts `rsaPkcs8Decode` (strict DER). BigInt values cannot be
 * zeroed; the DER buffers built here can, and are, except the returned ones.
 * @module
 */
import { derBitString, derInteger, derNull, derOctetString, derOid, derSequence } from './der.js';
import { RsaKeyError, rsaPkcs8Decode, type RsaPrivateParts } from './rsassa.js';
import { wipe } from '../util/bytes.js';

const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

const bitLength = (x: bigint) => (x === 0n ? 0 : x.toString(2).length);

/** Whether the CRT parts describe one two-prime RSA key pair (RFC 8017 §3.2: n = p·q, e·d ≡ 1, CRT values). */
function consistent(k: RsaPrivateParts): boolean {
  const { n, e, d, p, q, dp, dq, qi } = k;
  if (p < 3n || q < 3n || e < 3n || (e & 1n) === 0n || d < 1n) return false;
  if (p * q !== n) return false;
  const p1 = p - 1n;
  const q1 = q - 1n;
  if (dp !== d % p1 || dq !== d % q1) return false;
  if ((e * dp) % p1 !== 1n || (e * dq) % q1 !== 1n) return false;
  return qi > 0n && qi < p && (qi * q) % p === 1n;
}

function algorithmId(): Uint8Array {
  return derSequence(derOid(OID_RSA_ENCRYPTION), derNull());
}

/** SubjectPublicKeyInfo of (n, e). */
export function rsaSpkiEncode(n: bigint, e: bigint): Uint8Array {
  return derSequence(algorithmId(), derBitString(derSequence(derInteger(n), derInteger(e))));
}

/** PKCS#8 PrivateKeyInfo of a two-prime key. */
export function rsaPkcs8Encode(k: RsaPrivateParts): Uint8Array {
  const inner = derSequence(derInteger(0n), ...[k.n, k.e, k.d, k.p, k.q, k.dp, k.dq, k.qi].map((x) => derInteger(x)));
  const octets = derOctetString(inner);
  const out = derSequence(derInteger(0n), algorithmId(), octets);
  wipe(inner, octets);
  return out;
}

/**
 * Reads an imported RSA private key (PKCS#8 DER) whose modulus must be `modulusBits` long, and
 * returns its canonical PKCS#8 and its SPKI. Throws RsaKeyError for anything else (malformed,
 * multi-prime, another size, inconsistent parts).
 */
export function rsaImportPrivateKey(pkcs8: Uint8Array, modulusBits: number): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const k = rsaPkcs8Decode(pkcs8);
  if (bitLength(k.n) !== modulusBits) throw new RsaKeyError(`RSA: the modulus is not ${modulusBits} bits`);
  if (!consistent(k)) throw new RsaKeyError('RSA: the private key parts do not form one key pair');
  return { privateKey: rsaPkcs8Encode(k), publicKey: rsaSpkiEncode(k.n, k.e) };
}
