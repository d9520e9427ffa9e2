/**
 * RSA signature encodings (RFC 8017 §9) and RSA key parsing, for the RSASSA_PSS_SHA_* and
 * RSASSA_PKCS1_V1_5_SHA_* algorithms of AWS KMS (Developer Guide, "RSA key specs for signing
 * and verification": PSS with MGF1 over the same hash and a salt as long as the hash).
 *
 * Encoding and verification happen here, in the core, so that a caller's DIGEST (the hash it
 * computed) and a RAW message take the same path, and so that verification needs from the
 * platform only the raw public operation RSAVP1 (which every backend has, see
 * `Backend.rsaPublicRaw`). Verification is encode-and-compare for PKCS#1 v1.5 (§8.2.2 step 3–4:
 * no ASN.1 parsing of attacker data) and EMSA-PSS-VERIFY (§9.1.2) with sLen fixed to hLen.
 * @module
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bytesToBigInt, bigIntToBytes, modPow } from '../util/bigint.js';
import { concat, equalBytes, fromHex, wipe } from '../util/bytes.js';
import { DerReader, DerTag, derDecode } from './der.js';

export type ShaName = 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface Sha {
  readonly name: ShaName;
  readonly hLen: number;
  readonly digest: (m: Uint8Array) => Uint8Array;
  /** DER of DigestInfo up to the digest (RFC 8017 §9.2 note 1). */
  readonly digestInfoPrefix: Uint8Array;
}

export const SHA: Readonly<Record<ShaName, Sha>> = Object.freeze({
  'SHA-256': { name: 'SHA-256', hLen: 32, digest: sha256, digestInfoPrefix: fromHex('3031300d060960864801650304020105000420') as Uint8Array },
  'SHA-384': { name: 'SHA-384', hLen: 48, digest: sha384, digestInfoPrefix: fromHex('3041300d060960864801650304020205000430') as Uint8Array },
  'SHA-512': { name: 'SHA-512', hLen: 64, digest: sha512, digestInfoPrefix: fromHex('3051300d060960864801650304020305000440') as Uint8Array },
});

/** MGF1 (RFC 8017 §B.2.1). */
function mgf1(h: Sha, seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  const view = new DataView(input.buffer);
  for (let counter = 0, o = 0; o < len; counter++, o += h.hLen) {
    view.setUint32(seed.length, counter);
    out.set(h.digest(input).subarray(0, Math.min(h.hLen, len - o)), o);
  }
  return out;
}

/** EMSA-PKCS1-v1_5-ENCODE (§9.2) of a digest, for a k-byte modulus. */
export function emsaPkcs1v15Encode(h: Sha, digest: Uint8Array, k: number): Uint8Array {
  const t = concat(h.digestInfoPrefix, digest);
  /* Precondition: emLen ≥ tLen + 11 (always true for 2048-bit and larger keys). */
  if (k < t.length + 11) throw new RangeError('RSA: modulus too short');
  const em = new Uint8Array(k).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[k - t.length - 1] = 0x00;
  em.set(t, k - t.length);
  return em;
}

/** EMSA-PSS-ENCODE (§9.1.1) of mHash with `salt` (sLen = salt.length), emBits = modBits − 1. */
export function emsaPssEncode(h: Sha, mHash: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const emLen = Math.ceil(emBits / 8);
  const { hLen } = h;
  /* Precondition: emLen ≥ hLen + sLen + 2 (§9.1.1 step 3). */
  if (emLen < hLen + salt.length + 2) throw new RangeError('RSA: modulus too short for PSS');
  const mPrime = concat(new Uint8Array(8), mHash, salt);
  const H = h.digest(mPrime);
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - salt.length - hLen - 2] = 0x01;
  db.set(salt, emLen - salt.length - hLen - 1);
  const mask = mgf1(h, H, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >>> (8 * emLen - emBits);
  const em = new Uint8Array(emLen);
  em.set(db);
  em.set(H, db.length);
  em[emLen - 1] = 0xbc;
  wipe(mPrime, mask);
  return em;
}

/** EMSA-PSS-VERIFY (§9.1.2) with a fixed sLen; false for every inconsistency. */
export function emsaPssVerify(h: Sha, mHash: Uint8Array, em: Uint8Array, emBits: number, sLen: number): boolean {
  const emLen = Math.ceil(emBits / 8);
  const { hLen } = h;
  if (em.length !== emLen || emLen < hLen + sLen + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >>> (8 * emLen - emBits);
  if ((maskedDb[0]! & ~topMask & 0xff) !== 0) return false;
  const db = mgf1(h, H, maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDb[i]!;
  db[0]! &= topMask;
  const ps = emLen - hLen - sLen - 2;
  for (let i = 0; i < ps; i++) if (db[i] !== 0) return false;
  if (db[ps] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  return equalBytes(h.digest(concat(new Uint8Array(8), mHash, salt)), H);
}

export class RsaKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RsaKeyError';
  }
}

const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

/** n and e of an rsaEncryption SubjectPublicKeyInfo (RFC 8017 §A.1.1, RFC 3279 §2.3.1). */
export function rsaSpkiDecode(spki: Uint8Array): { n: bigint; e: bigint; modulusBits: number } {
  try {
    const seq = derDecode(spki, DerTag.SEQUENCE);
    const alg = seq.sequence();
    if (alg.oid() !== OID_RSA_ENCRYPTION) throw new Error('not RSA');
    if (!alg.done) alg.null();
    alg.end();
    const key = derDecode(seq.bitStringBytes(), DerTag.SEQUENCE);
    seq.end();
    const n = key.integer();
    const e = key.integer();
    key.end();
    return { n, e, modulusBits: n.toString(2).length };
  } catch {
    throw new RsaKeyError('RSA: malformed SubjectPublicKeyInfo');
  }
}

/** The CRT private key of an rsaEncryption PKCS#8 (RFC 8017 §A.1.2, two-prime only). */
export interface RsaPrivateParts {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
}

export function rsaPkcs8Decode(pkcs8: Uint8Array): RsaPrivateParts {
  try {
    const seq = derDecode(pkcs8, DerTag.SEQUENCE);
    if (seq.integer() !== 0n) throw new Error('version');
    const alg = seq.sequence();
    if (alg.oid() !== OID_RSA_ENCRYPTION) throw new Error('not RSA');
    if (!alg.done) alg.null();
    alg.end();
    const k = new DerReader(seq.octetString()).sequence();
    if (k.integer() !== 0n) throw new Error('multi-prime');
    const parts = { n: k.integer(), e: k.integer(), d: k.integer(), p: k.integer(), q: k.integer(), dp: k.integer(), dq: k.integer(), qi: k.integer() };
    k.end();
    return parts;
  } catch {
    throw new RsaKeyError('RSA: malformed PKCS#8 private key');
  }
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  /* Postcondition: a is invertible mod m. */
  if (r0 !== 1n) throw new RangeError('RSA: not invertible');
  return ((s0 % m) + m) % m;
}

/**
 * x^d mod m for a secret exponent: fixed 4-bit windows with a multiplication in every window
 * (the sequence of operations depends only on the bit length of d, not on its bits). BigInt
 * arithmetic itself is not constant-time in any engine; the callers also blind (below).
 */
function modPowSecret(x: bigint, d: bigint, m: bigint): bigint {
  const table: bigint[] = [1n];
  for (let i = 1; i < 16; i++) table[i] = (table[i - 1]! * x) % m;
  const hex = d.toString(16);
  let r = 1n;
  for (let i = 0; i < hex.length; i++) {
    for (let j = 0; j < 4; j++) r = (r * r) % m;
    const w = parseInt(hex[i]!, 16);
    let t = table[0]!;
    for (let j = 1; j < 16; j++) t = j === w ? table[j]! : t;
    r = (r * t) % m;
  }
  return r;
}

/**
 * RSASP1 (§5.2.1) with the CRT (§5.1.2 2.b) in BigInt — the pure-JS RSA private operation for
 * runtimes whose platform cannot sign a precomputed digest (WebCrypto hashes every message
 * itself). Countermeasures: message blinding m·r^e (fresh r from `random`), exponent blinding
 * d_p + r_p·(p − 1) with fresh 64-bit r_p, r_q, and a check s^e ≡ m (mod n) against faults.
 */
export function rsaPrivateRawBigInt(key: RsaPrivateParts, em: Uint8Array, random: (n: number) => Uint8Array, k: number): Uint8Array {
  const { n, e, p, q, dp, dq, qi } = key;
  const m = bytesToBigInt(em);
  /* Precondition: 0 ≤ m < n (§5.2.1 step 1). */
  if (m >= n) throw new RangeError('RSA: message representative out of range');
  const rb = random(k);
  const r = (bytesToBigInt(rb) % (n - 3n)) + 2n;
  wipe(rb);
  const blind = random(16);
  const rp = bytesToBigInt(blind.subarray(0, 8));
  const rq = bytesToBigInt(blind.subarray(8));
  wipe(blind);
  const mb = (m * modPow(r, e, n)) % n;
  const s1 = modPowSecret(mb % p, dp + rp * (p - 1n), p);
  const s2 = modPowSecret(mb % q, dq + rq * (q - 1n), q);
  const h = (((s1 - s2) % p + p) % p * qi) % p;
  const sb = s2 + q * h;
  const s = (sb * modInverse(r, n)) % n;
  /* Postcondition: the signature opens to m (a faulty CRT half must not leak p or q). */
  if (modPow(s, e, n) !== m) throw new Error('kms-core: RSA private operation failed its check');
  return bigIntToBytes(s, k);
}
