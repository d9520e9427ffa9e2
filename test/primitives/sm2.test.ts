/**
 * SM2PKE (GB/T 32918.4 §6/§7, GM/T 0009 DER ciphertext), key encodings and the SM2 curve
 * arithmetic. Oracles: the GM/T 0003.5 Annex C example, OpenSSL 3's CLI (both directions),
 * sm-crypto (both directions) and noble's own complete-formula multiplication.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { DerTag, derInteger, derOctetString, derOid, derSequence, derBitString, derContext, DerReader } from '../../src/primitives/der.js';
import { SM2_CURVE, sm2GenerateKey, sm2Point, sm2PrecomputePublic, sm2PublicFromPrivate } from '../../src/primitives/sm2-curve.js';
import { Sm2DecryptError, Sm2KeyError } from '../../src/primitives/sm2-errors.js';
import { _sm2MulSecretForTest } from '../../src/primitives/sm2-scalar-mul.js';
import { sm2Decrypt, sm2Encrypt, sm2Kdf } from '../../src/primitives/sm2-pke.js';
import { sm2Pkcs8Encode, sm2PrivateKeyFromPkcs8, sm2SpkiDecode, sm2SpkiEncode } from '../../src/primitives/sm2-keys.js';

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ascii = (s: string) => new TextEncoder().encode(s);
const rnd = (n: number) => new Uint8Array(randomBytes(n));
const { n: N, p: P } = SM2_CURVE;
const big32 = (x: bigint) => unhex(x.toString(16).padStart(64, '0'));

/** An affine point of the SM2 curve. */
type Point = { x: bigint; y: bigint };

/** A reproducible byte source (SHA-256 of a label and a counter), for k in the oracle tests. */
function drbg(label: string): (n: number) => Uint8Array {
  let ctr = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 32) out.set(createHash('sha256').update(`${label}/${ctr++}`).digest().subarray(0, Math.min(32, n - i)), i);
    return out;
  };
}

/** sm-crypto 0.5.8 ships no types: the two functions used here. */
interface SmCryptoSm2 {
  doEncrypt(msg: number[] | Uint8Array, publicKeyHex: string, cipherMode: 0 | 1): string;
  doDecrypt(cipherHex: string, privateKeyHex: string, cipherMode: 0 | 1, opts: { output: 'array' }): number[];
}
const smCrypto = (createRequire(import.meta.url)('sm-crypto') as { sm2: SmCryptoSm2 }).sm2;

/**
 * GM/T 0009 DER → sm-crypto's C1C3C2 hex (cipherMode 1). sm-crypto's README: the ciphertext is
 * hex without the `04` point prefix (doDecrypt prepends it) and C1 is read as the first 128 hex
 * digits, so each coordinate must be exactly 32 bytes, leading zero bytes included.
 */
function derToC1C3C2(der: Uint8Array): string {
  const seq = new DerReader(der).sequence();
  const x1 = seq.integer();
  const y1 = seq.integer();
  return hex(big32(x1)) + hex(big32(y1)) + hex(seq.octetString()) + hex(seq.octetString());
}

/** sm-crypto's C1C3C2 hex → GM/T 0009 DER. */
function c1c3c2ToDer(h: string): Uint8Array {
  const b = unhex(h);
  return derSequence(derInteger(b.subarray(0, 32)), derInteger(b.subarray(32, 64)), derOctetString(b.subarray(64, 96)), derOctetString(b.subarray(96)));
}

/** Builds a ciphertext DER from parts (for malformed-input tests). */
function cipherDer(x1: bigint | Uint8Array, y1: bigint | Uint8Array, c3: Uint8Array, c2: Uint8Array): Uint8Array {
  return derSequence(derInteger(x1), derInteger(y1), derOctetString(c3), derOctetString(c2));
}

function parseCipher(der: Uint8Array) {
  const seq = new DerReader(der).sequence();
  return { x1: seq.integer(), y1: seq.integer(), c3: seq.octetString(), c2: seq.octetString() };
}

/** Asserts that `f` throws exactly the fixed Sm2DecryptError. */
function expectDecryptError(f: () => unknown): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(Sm2DecryptError);
  expect((err as Error).message).toBe('SM2 decryption failed');
  expect((err as Error).name).toBe('Sm2DecryptError');
}

const pem = (der: Uint8Array, label: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
const unpem = (text: string) => new Uint8Array(Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));

function hasOpenssl(): boolean {
  try {
    return /^OpenSSL 3\./.test(execFileSync('openssl', ['version'], { stdio: 'pipe' }).toString());
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// GM/T 0003.5 Annex C
// ---------------------------------------------------------------------------------------------

const ANNEX_C = {
  d: 0x3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8n,
  k: unhex('59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21'),
  m: ascii('encryption standard'),
  der: unhex(`307C 0220 04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73
    0221 00 E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0
    0420 59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766
    0413 21886CA989CA9C7D58087307CA93092D651EFA`),
};

describe('GM/T 0003.5 Annex C example (GM/T 0009 DER)', () => {
  const pub = sm2PublicFromPrivate(ANNEX_C.d);

  test('encryption with the published k reproduces the published ciphertext byte for byte', () => {
    let calls = 0;
    const ct = sm2Encrypt(pub, ANNEX_C.m, (n) => {
      calls++;
      expect(n).toBe(32);
      return ANNEX_C.k.slice();
    });
    expect(hex(ct)).toBe(hex(ANNEX_C.der));
    expect(calls).toBe(1); // k in [1, n − 1] is used as is
  });

  test('decryption of the published ciphertext gives the published message', () => {
    expect(hex(sm2Decrypt(ANNEX_C.d, ANNEX_C.der))).toBe(hex(ANNEX_C.m));
  });

  test('same bytes whether the public key is bytes, a noble point or a precomputed point', () => {
    const k = () => ANNEX_C.k.slice();
    expect(hex(sm2Encrypt(sm2Point.fromBytes(pub), ANNEX_C.m, k))).toBe(hex(ANNEX_C.der));
    const pre = sm2PrecomputePublic(pub);
    expect(sm2PrecomputePublic(pre)).toBe(pre); // idempotent
    expect(hex(sm2Encrypt(pre, ANNEX_C.m, k))).toBe(hex(ANNEX_C.der));
    expect(hex(sm2Encrypt(pre, ANNEX_C.m, k))).toBe(hex(ANNEX_C.der));
  });

  test('out-of-range draws for k (0, n, 2^256 − 1) are rejected and redrawn (§6.1 A1)', () => {
    const draws = [new Uint8Array(32), big32(N), new Uint8Array(32).fill(0xff), ANNEX_C.k];
    let i = 0;
    const ct = sm2Encrypt(pub, ANNEX_C.m, () => draws[i++]!.slice());
    expect(i).toBe(4);
    expect(hex(ct)).toBe(hex(ANNEX_C.der));
  });

  test('KDF: t = KDF(x2 ‖ y2, klen) equals C2 ⊕ M of the example, with (x2, y2) = [k]P_B from noble', () => {
    const k = BigInt('0x' + hex(ANNEX_C.k));
    const s = sm2Point.fromBytes(pub).multiply(k).toAffine();
    const z = new Uint8Array([...big32(s.x), ...big32(s.y)]);
    const c2 = parseCipher(ANNEX_C.der).c2;
    const t = c2.map((b, i) => b ^ ANNEX_C.m[i]!);
    expect(hex(sm2Kdf(z, ANNEX_C.m.length))).toBe(hex(t));
    // and C3 = SM3(x2 ‖ M ‖ y2)
    const c3 = createHash('sm3').update(big32(s.x)).update(ANNEX_C.m).update(big32(s.y)).digest('hex');
    expect(hex(parseCipher(ANNEX_C.der).c3)).toBe(c3);
  });
});

// ---------------------------------------------------------------------------------------------
// KDF
// ---------------------------------------------------------------------------------------------

describe('sm2Kdf (GB/T 32918.4 §5.4.3)', () => {
  /** Independent KDF over node:crypto's SM3. */
  function nodeKdf(z: Uint8Array, klen: number): string {
    let out = '';
    for (let ct = 1; out.length < klen * 2; ct++) {
      const c = Buffer.alloc(4);
      c.writeUInt32BE(ct);
      out += createHash('sm3').update(z).update(c).digest('hex');
    }
    return out.slice(0, klen * 2);
  }

  test('property: equals SM3(Z ‖ ct) blocks from node:crypto, for any Z and klen', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.nat({ max: 300 }), (z, klen) => {
        expect(hex(sm2Kdf(z, klen))).toBe(nodeKdf(z, klen));
      }),
      { numRuns: 200 }
    );
  });

  test('klen 0 gives an empty key; invalid klen is refused', () => {
    expect(sm2Kdf(new Uint8Array(64), 0).length).toBe(0);
    expect(() => sm2Kdf(new Uint8Array(64), -1)).toThrow(RangeError);
    expect(() => sm2Kdf(new Uint8Array(64), 1.5)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// curve arithmetic
// ---------------------------------------------------------------------------------------------

describe('SM2 curve', () => {
  test('parameters of GB/T 32918.5 and a base point of order n', () => {
    expect(SM2_CURVE.a).toBe(P - 3n);
    expect(sm2Point.BASE.multiplyUnsafe(N - 1n).equals(sm2Point.BASE.negate())).toBe(true);
    expect(() => sm2Point.BASE.assertValidity()).not.toThrow();
  });

  const scalar = fc.bigInt({ min: 1n, max: N - 1n });

  const blind = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

  test('property: the fast secret-scalar multiplication equals noble’s multiply (random blinds)', () => {
    // fast-check's bigint arbitrary favours small scalars and values near n: exactly the ones
    // that can hit an exceptional addition (and the fallback) for some blinds.
    fc.assert(
      fc.property(scalar, scalar, blind, (a, k, r) => {
        const Q = sm2Point.BASE.multiply(a);
        const want = Q.multiply(k).toAffine();
        const got = _sm2MulSecretForTest(Q, k, r);
        expect([got.x, got.y]).toEqual([want.x, want.y]);
      }),
      { numRuns: 40 }
    );
  });

  test('property: uniformly random scalars never need the fallback', () => {
    fc.assert(
      fc.property(fc.noBias(scalar), fc.noBias(blind), (k, r) => {
        const Q = sm2Point.BASE.multiply(0x1234567890abcdefn);
        const got = _sm2MulSecretForTest(Q, k, r);
        const want = Q.multiply(k).toAffine();
        expect([got.x, got.y]).toEqual([want.x, want.y]);
        expect(got.fallback).toBe(false);
      }),
      { numRuns: 30 }
    );
  });

  test('small scalars hit the exceptional case for about 1 blind in 32, and stay correct', () => {
    const Q = sm2Point.BASE.multiply(0x77n);
    let fallbacks = 0;
    for (let r = 0n; r < 128n; r++) {
      for (const k of [1n, N - 1n]) {
        const got = _sm2MulSecretForTest(Q, k, (r * 0x9e3779b97f4a7c15n) & ((1n << 64n) - 1n));
        const want = Q.multiply(k).toAffine();
        expect([got.x, got.y]).toEqual([want.x, want.y]);
        if (got.fallback) fallbacks++;
      }
    }
    expect(fallbacks).toBeGreaterThan(0);
    expect(fallbacks).toBeLessThan(40);
  });

  test.each([1n, 2n, 3n, 15n, 16n, 17n, 31n, 32n, 33n, 64n, 1023n, 1n << 255n, N - 33n, N - 32n, N - 2n, N - 1n])(
    'edge scalar %s, unblinded and blinded',
    (k) => {
      const Q = sm2Point.BASE.multiply(0x1234567890abcdefn);
      const want = Q.multiply(k).toAffine();
      for (const r of [0n, 1n, (1n << 64n) - 1n]) {
        const got = _sm2MulSecretForTest(Q, k, r);
        expect([got.x, got.y]).toEqual([want.x, want.y]);
      }
    }
  );

  test('an exceptional addition (acc = T[d]) is detected and answered by noble’s complete formulas', () => {
    // k' = 2 + r·n with k' ≡ 33 (mod 64): the last digit is 1 and the accumulator before the
    // last addition is [k' − 1]P = P, so the last mixed addition would be a doubling.
    let nInv = 1n;
    while ((nInv * N) % 64n !== 1n) nInv += 2n;
    const r = (31n * nInv) % 64n;
    const Q = sm2Point.BASE.multiply(0xabcdefn);
    const got = _sm2MulSecretForTest(Q, 2n, r);
    expect(got.fallback).toBe(true);
    const want = Q.double().toAffine();
    expect([got.x, got.y]).toEqual([want.x, want.y]);
  });
});

// ---------------------------------------------------------------------------------------------
// keys
// ---------------------------------------------------------------------------------------------

describe('keys', () => {
  test('sm2PublicFromPrivate is 04 ‖ x ‖ y of [d]G', () => {
    const pub = sm2PublicFromPrivate(ANNEX_C.d);
    expect(pub.length).toBe(65);
    expect(hex(pub)).toBe(sm2Point.BASE.multiply(ANNEX_C.d).toHex(false));
  });

  test('sm2GenerateKey: d in [1, n − 2] by rejection sampling (GB/T 32918.1 §6.1)', () => {
    const draws = [new Uint8Array(32), big32(N - 1n), big32(N), big32(N - 2n)];
    let i = 0;
    const { d, publicKey } = sm2GenerateKey(() => draws[i++]!);
    expect(d).toBe(N - 2n);
    expect(hex(publicKey)).toBe(hex(sm2PublicFromPrivate(N - 2n)));
    const k2 = sm2GenerateKey(rnd);
    expect(k2.d >= 1n && k2.d <= N - 2n).toBe(true);
  });

  test.each([0n, N - 1n, N, -1n])('Precondition: a private key d is an integer in [1, n − 2] (GB/T 32918.1 §6.1) — private scalar %s is refused with Sm2KeyError', (d) => {
    expect(() => sm2PublicFromPrivate(d)).toThrow(Sm2KeyError);
    expect(() => sm2Pkcs8Encode(d)).toThrow(Sm2KeyError);
    expect(() => sm2Decrypt(d, ANNEX_C.der)).toThrow(Sm2KeyError);
  });

  test('a wrong random source is an error, not a silent short k', () => {
    expect(() => sm2GenerateKey(() => new Uint8Array(31))).toThrow();
    expect(() => sm2GenerateKey(() => new Uint8Array(32))).toThrow(/out-of-range/); // always 0
  });

  test('public keys: anything but a valid 65-byte 04‖x‖y (or SM2 point) is an Sm2KeyError', () => {
    const pub = sm2PublicFromPrivate(ANNEX_C.d);
    const off = pub.slice();
    off[64]! ^= 1;
    const compressed = sm2Point.fromBytes(pub).toBytes(true);
    for (const bad of [off, pub.subarray(0, 64), compressed, new Uint8Array(65), Uint8Array.of(0)]) {
      expect(() => sm2Encrypt(bad, ascii('x'), rnd)).toThrow(Sm2KeyError);
      expect(() => sm2SpkiEncode(bad)).toThrow(Sm2KeyError);
      expect(() => sm2PrecomputePublic(bad)).toThrow(Sm2KeyError);
    }
    expect(() => sm2Encrypt('04' as unknown as Uint8Array, ascii('x'), rnd)).toThrow(Sm2KeyError);
  });

  test('Precondition: non-empty message (klen = 0 would make t vacuously all-zero, §6.1 A5) — encryption refuses an empty message', () => {
    expect(() => sm2Encrypt(sm2PublicFromPrivate(ANNEX_C.d), new Uint8Array(0), rnd)).toThrow(RangeError);
  });

  test('SPKI: structure is id-ecPublicKey + SM2 curve OID + BIT STRING point; decode round trips', () => {
    const pub = sm2PublicFromPrivate(ANNEX_C.d);
    const spki = sm2SpkiEncode(pub);
    expect(hex(spki)).toBe(hex(derSequence(derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.156.10197.1.301')), derBitString(pub))));
    expect(hex(sm2SpkiDecode(spki))).toBe(hex(pub));
  });

  test('SPKI decode accepts the compressed point form and returns 65 bytes', () => {
    const pub = sm2PublicFromPrivate(ANNEX_C.d);
    const alg = derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.156.10197.1.301'));
    const spki = derSequence(alg, derBitString(sm2Point.fromBytes(pub).toBytes(true)));
    expect(hex(sm2SpkiDecode(spki))).toBe(hex(pub));
  });

  test('SPKI decode rejects other curves, off-curve points, trailing data, garbage — as Sm2KeyError', () => {
    const pub = sm2PublicFromPrivate(ANNEX_C.d);
    const ec = derOid('1.2.840.10045.2.1');
    const good = sm2SpkiEncode(pub);
    const off = pub.slice();
    off[64]! ^= 1;
    const bad = [
      derSequence(derSequence(ec, derOid('1.2.840.10045.3.1.7')), derBitString(pub)), // P-256 OID
      derSequence(derSequence(derOid('1.2.840.113549.1.1.1'), derOid('1.2.156.10197.1.301')), derBitString(pub)),
      derSequence(derSequence(ec, derOid('1.2.156.10197.1.301')), derBitString(off)),
      derSequence(derSequence(ec, derOid('1.2.156.10197.1.301'), derOid('1.2.3')), derBitString(pub)),
      Uint8Array.from([...good, 0]),
      good.subarray(0, good.length - 1),
      new Uint8Array(0),
    ];
    for (const b of bad) expect(() => sm2SpkiDecode(b)).toThrow(Sm2KeyError);
  });

  test('PKCS#8: round trip; ECPrivateKey variants with [0] parameters and without [1] are accepted', () => {
    const der = sm2Pkcs8Encode(ANNEX_C.d);
    expect(sm2PrivateKeyFromPkcs8(der)).toBe(ANNEX_C.d);
    const alg = derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.156.10197.1.301'));
    const wrap = (inner: Uint8Array) => derSequence(derInteger(0n), alg, derOctetString(inner));
    const dOct = derOctetString(big32(ANNEX_C.d));
    const pubBits = derContext(1, derBitString(sm2PublicFromPrivate(ANNEX_C.d)));
    const params = derContext(0, derOid('1.2.156.10197.1.301'));
    expect(sm2PrivateKeyFromPkcs8(wrap(derSequence(derInteger(1n), dOct)))).toBe(ANNEX_C.d);
    expect(sm2PrivateKeyFromPkcs8(wrap(derSequence(derInteger(1n), dOct, params, pubBits)))).toBe(ANNEX_C.d);
  });

  test('PKCS#8 decode rejects wrong versions, curves, lengths, mismatched public keys', () => {
    const alg = derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.156.10197.1.301'));
    const wrap = (inner: Uint8Array, a = alg) => derSequence(derInteger(0n), a, derOctetString(inner));
    const dOct = derOctetString(big32(ANNEX_C.d));
    const otherPub = derContext(1, derBitString(sm2PublicFromPrivate(ANNEX_C.d + 1n)));
    const bad = [
      wrap(derSequence(derInteger(1n), dOct, otherPub)),
      wrap(derSequence(derInteger(2n), dOct)),
      wrap(derSequence(derInteger(1n), derOctetString(big32(ANNEX_C.d).subarray(1)))),
      wrap(derSequence(derInteger(1n), derOctetString(new Uint8Array(32)))), // d = 0
      wrap(derSequence(derInteger(1n), derOctetString(big32(N - 1n)))), // d = n − 1
      wrap(derSequence(derInteger(1n), dOct, derContext(0, derOid('1.2.840.10045.3.1.7')))),
      wrap(derSequence(derInteger(1n), dOct), derSequence(derOid('1.2.840.10045.2.1'), derOid('1.3.132.0.10'))),
      Uint8Array.from([...sm2Pkcs8Encode(ANNEX_C.d), 0]),
      new Uint8Array(10),
    ];
    for (const b of bad) expect(() => sm2PrivateKeyFromPkcs8(b)).toThrow(Sm2KeyError);
  });
});

// ---------------------------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------------------------

describe('SM2PKE properties', () => {
  const key = sm2GenerateKey(rnd);
  const other = sm2GenerateKey(rnd);
  const pre = sm2PrecomputePublic(key.publicKey);

  test('property: round trip of 1..1024 bytes, through bytes and through the precomputed point', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 1024 }), fc.boolean(), (m, usePre) => {
        const ct = sm2Encrypt(usePre ? pre : key.publicKey, m, rnd);
        // C1 (2 INTEGERs) + C3 (32) + C2 (|M|) + DER overhead
        const { c3, c2 } = parseCipher(ct);
        expect(c3.length).toBe(32);
        expect(c2.length).toBe(m.length);
        expect(hex(sm2Decrypt(key.d, ct))).toBe(hex(m));
      }),
      { numRuns: 50 }
    );
  });

  test('ciphertexts are randomized: the same message twice gives different C1 and C2', () => {
    const a = parseCipher(sm2Encrypt(pre, ascii('same'), rnd));
    const b = parseCipher(sm2Encrypt(pre, ascii('same'), rnd));
    expect(a.x1).not.toBe(b.x1);
    expect(hex(a.c2)).not.toBe(hex(b.c2));
  });

  test('property: the wrong private key fails with Sm2DecryptError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (m) => {
        expectDecryptError(() => sm2Decrypt(other.d, sm2Encrypt(pre, m, rnd)));
      }),
      { numRuns: 20 }
    );
  });

  const fixedCt = sm2Encrypt(pre, ascii('a message under test: 0123456789'), rnd);

  test('property: any single flipped bit anywhere in the DER fails with Sm2DecryptError', () => {
    fc.assert(
      fc.property(fc.nat({ max: fixedCt.length * 8 - 1 }), (bit) => {
        const m = fixedCt.slice();
        m[bit >> 3]! ^= 1 << (bit & 7);
        expectDecryptError(() => sm2Decrypt(key.d, m));
      }),
      { numRuns: 150 }
    );
  });

  test('every bit of the DER header and of C1 flipped, exhaustively', () => {
    for (let bit = 0; bit < 8 * 72; bit++) {
      const m = fixedCt.slice();
      m[bit >> 3]! ^= 1 << (bit & 7);
      expectDecryptError(() => sm2Decrypt(key.d, m));
    }
  });

  test('property: truncated or extended DER fails with Sm2DecryptError', () => {
    fc.assert(
      fc.property(fc.nat({ max: fixedCt.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 8 }), (cut, extra) => {
        expectDecryptError(() => sm2Decrypt(key.d, fixedCt.subarray(0, cut)));
        expectDecryptError(() => sm2Decrypt(key.d, Uint8Array.from([...fixedCt, ...extra])));
      }),
      { numRuns: 100 }
    );
  });

  test('property: random bytes (and random DER-shaped ciphertexts) fail with Sm2DecryptError only', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ minLength: 0, maxLength: 33 }),
        fc.uint8Array({ minLength: 0, maxLength: 33 }),
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        (b, x, y, c3, c2) => {
          expectDecryptError(() => sm2Decrypt(key.d, b));
          expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x, y, c3, c2)));
        }
      ),
      { numRuns: 300 }
    );
  });

  test('property: C1 off the curve (x1 or y1 nudged) fails with Sm2DecryptError', () => {
    const { x1, y1, c3, c2 } = parseCipher(fixedCt);
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 64n }), fc.boolean(), (delta, onX) => {
        const x = onX ? (x1 + delta) % P : x1;
        const y = onX ? y1 : (y1 + delta) % P;
        expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x, y, c3, c2)));
      }),
      { numRuns: 50 }
    );
  });

  test('invalid-curve C1: a complete ciphertext built for [d]C1 on another curve is refused', () => {
    // Point formulas for a = −3 never use b, so an unchecked point of another curve
    // y² = x³ − 3x + b' would be multiplied on that curve: the invalid-curve attack builds
    // C3/C2 for a guessed [d]C1 and learns d mod small orders from success or failure.
    // Two defences stop it: the B1 on-curve check, and the scalar blinding k' = d + r·n
    // (n is not the order of C1 on that curve, so [k']C1 is random). This test pins the
    // outcome; it cannot tell which of the two defences acted.
    const inv = (a: bigint) => {
      let [r0, r1, s0, s1] = [((a % P) + P) % P, P, 1n, 0n];
      while (r1 !== 0n) {
        const q = r0 / r1;
        [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
      }
      return ((s0 % P) + P) % P;
    };
    type Aff = { x: bigint; y: bigint } | null;
    const mod = (v: bigint) => ((v % P) + P) % P;
    const dbl = (p: Aff): Aff => {
      if (!p || p.y === 0n) return null;
      const l = mod((3n * p.x * p.x - 3n) * inv(2n * p.y));
      const x = mod(l * l - 2n * p.x);
      return { x, y: mod(l * (p.x - x) - p.y) };
    };
    const add = (p: Aff, q: Aff): Aff => {
      if (!p) return q;
      if (!q) return p;
      if (p.x === q.x) return p.y === q.y ? dbl(p) : null;
      const l = mod((q.y - p.y) * inv(q.x - p.x));
      const x = mod(l * l - p.x - q.x);
      return { x, y: mod(l * (p.x - x) - p.y) };
    };
    const mul = (k: bigint, p: Aff): Aff => {
      let acc: Aff = null;
      for (const bit of k.toString(2)) {
        acc = dbl(acc);
        if (bit === '1') acc = add(acc, p);
      }
      return acc;
    };
    // the reference arithmetic agrees with noble on the real curve
    const G = { x: SM2_CURVE.Gx, y: SM2_CURVE.Gy };
    const dG = sm2Point.BASE.multiply(key.d).toAffine();
    expect(mul(key.d, G)).toEqual({ x: dG.x, y: dG.y });

    const C1 = { x: 0x1234567n, y: 0x89abcdefn }; // on y² = x³ − 3x + b' for b' = y² − x³ + 3x
    const S = mul(key.d, C1)!;
    const m = ascii('invalid curve');
    const z = new Uint8Array([...big32(S.x), ...big32(S.y)]);
    const c2 = sm2Kdf(z, m.length).map((t, i) => t ^ m[i]!);
    const c3 = new Uint8Array(createHash('sm3').update(big32(S.x)).update(m).update(big32(S.y)).digest());
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(C1.x, C1.y, c3, c2)));
    // control: the same construction with an on-curve C1 decrypts
    const k = 0x5eedn;
    const C1ok = mul(k, G)!;
    const Sok = mul(key.d, C1ok)!;
    const zOk = new Uint8Array([...big32(Sok.x), ...big32(Sok.y)]);
    const c2ok = sm2Kdf(zOk, m.length).map((t, i) => t ^ m[i]!);
    const c3ok = new Uint8Array(createHash('sm3').update(big32(Sok.x)).update(m).update(big32(Sok.y)).digest());
    expect(hex(sm2Decrypt(key.d, cipherDer(C1ok.x, C1ok.y, c3ok, c2ok)))).toBe(hex(m));
  });

  test('C1 edge cases: coordinates ≥ p, (0, 0), the point at infinity, −C1, G', () => {
    const { x1, y1, c3, c2 } = parseCipher(fixedCt);
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1 + P, y1, c3, c2)));
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1, y1 + P, c3, c2)));
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(0n, 0n, c3, c2)));
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(0n, 1n, c3, c2)));
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1, P - y1, c3, c2))); // −C1: on the curve
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(SM2_CURVE.Gx, SM2_CURVE.Gy, c3, c2)));
    // 33-byte magnitude (x1 + 2^256) is refused before any arithmetic
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1 + (1n << 256n), y1, c3, c2)));
  });

  test('C3 altered, C3 of the wrong length, C2 empty, extra element, reordered fields', () => {
    const { x1, y1, c3, c2 } = parseCipher(fixedCt);
    for (let i = 0; i < 32; i++) {
      const bad = c3.slice();
      bad[i]! ^= 0x80;
      expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1, y1, bad, c2)));
    }
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1, y1, c3.subarray(0, 31), c2)));
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1, y1, Uint8Array.from([...c3, 0]), c2)));
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1, y1, c3, new Uint8Array(0))));
    expectDecryptError(() => sm2Decrypt(key.d, derSequence(derInteger(x1), derInteger(y1), derOctetString(c3), derOctetString(c2), derOctetString(c2))));
    // C1C2C3 order (GM/T 0003-2010 draft order) is not accepted as C1C3C2
    expectDecryptError(() => sm2Decrypt(key.d, derSequence(derInteger(x1), derInteger(y1), derOctetString(c2), derOctetString(c3))));
    // a non-minimal INTEGER for x1 (leading 00 before a clear high bit)
    const x1b = big32(x1);
    const nonMinimal = Uint8Array.from([DerTag.INTEGER, 34, 0, 0, ...x1b]);
    expectDecryptError(() => sm2Decrypt(key.d, derSequence(nonMinimal, derInteger(y1), derOctetString(c3), derOctetString(c2))));
    // the untouched ciphertext still decrypts (the parts were rebuilt faithfully)
    expect(new TextDecoder().decode(sm2Decrypt(key.d, cipherDer(x1, y1, c3, c2)))).toBe('a message under test: 0123456789');
  });

  test('zeroization: a failed decryption wipes x2‖y2, t and the candidate plaintext', () => {
    // 45 bytes: a length no other wiped buffer (32-byte hash blocks, 64-byte x2‖y2) has
    const { x1, y1, c3, c2 } = parseCipher(sm2Encrypt(pre, new Uint8Array(45).fill(0x5a), rnd));
    const bad = c3.slice();
    bad[5]! ^= 4;
    const wiped: Uint8Array[] = [];
    const origFill = Uint8Array.prototype.fill;
    const spy = vi.spyOn(Uint8Array.prototype, 'fill').mockImplementation(function (this: Uint8Array, value: number, start?: number, end?: number) {
      wiped.push(this);
      return origFill.call(this, value, start, end);
    });
    try {
      expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1, y1, bad, c2)));
    } finally {
      spy.mockRestore();
    }
    const zeroed = (len: number) => wiped.filter((b) => b.length === len && b.every((x) => x === 0));
    expect(zeroed(64).length).toBeGreaterThanOrEqual(1); // x2 ‖ y2
    expect(zeroed(c2.length).length).toBeGreaterThanOrEqual(2); // t and M'
  });

  test('non-Uint8Array ciphertext is an Sm2DecryptError as well', () => {
    expectDecryptError(() => sm2Decrypt(key.d, 'abc' as unknown as Uint8Array));
  });
});

// ---------------------------------------------------------------------------------------------
// sm-crypto as a second oracle (C1C3C2 hex, cipherMode 1)
// ---------------------------------------------------------------------------------------------

describe('sm-crypto interop (both directions)', () => {
  // A fixed key, a fixed source of k and fixed fast-check seeds, so that any failure replays
  // exactly. (sm-crypto's doEncrypt draws its own k from its internal generator; it takes none.)
  const d = 0x4c154f1c58e57f55012e3b7498936c25bad9897df3182f9c1943f7b8677e8efbn;
  const publicKey = sm2PublicFromPrivate(d);
  // sm-crypto's key formats (README): the private key as 64 hex digits, the public key as 130 (04‖x‖y).
  const dHex = d.toString(16).padStart(64, '0');
  const pubHex = hex(publicKey);

  test('property: sm2Encrypt → sm-crypto doDecrypt', () => {
    const random = drbg('sm2Encrypt → sm-crypto');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (m) => {
        const ct = sm2Encrypt(publicKey, m, random);
        const out = smCrypto.doDecrypt(derToC1C3C2(ct), dHex, 1, { output: 'array' });
        expect(hex(Uint8Array.from(out))).toBe(hex(m));
      }),
      { numRuns: 15, seed: 0x5302 }
    );
  });

  test('property: sm-crypto doEncrypt → sm2Decrypt', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (m) => {
        const ct = smCrypto.doEncrypt(Array.from(m), pubHex, 1);
        // The documented form: lowercase hex C1 (64 bytes, no 04) ‖ C3 (32) ‖ C2 (|M|).
        expect(ct).toMatch(/^[0-9a-f]+$/);
        expect(ct.length).toBe(2 * (64 + 32 + m.length));
        expect(hex(sm2Decrypt(d, c1c3c2ToDer(ct)))).toBe(hex(m));
      }),
      { numRuns: 15, seed: 0x5303 }
    );
  });

  // k fixed so that one coordinate has a leading zero byte: C1's (a shorter DER INTEGER, or one
  // whose sign octet goes) and [k]P_B's (inside the KDF input and C3). Hex conversions that drop
  // leading zeros fail exactly here (sm-crypto before 0.2.1 did: JuneAndGreen/sm-crypto#17, #27).
  // Each k is checked to give its case, so the cases stay what their names say.
  const b32 = (x: bigint) => x.toString(16).padStart(64, '0');
  const zeroByte = (x: bigint) => b32(x).startsWith('00');
  const highBit = (x: bigint) => parseInt(b32(x)[2]!, 16) >= 8;
  test.each([
    ['x1 below 2^248, the DER INTEGER 31 bytes', 2109n, (c1: Point, _s: Point) => zeroByte(c1.x) && !highBit(c1.x)],
    ['x1 below 2^248 with its top bit set, the DER INTEGER 32 bytes with a sign octet', 327n, (c1: Point) => zeroByte(c1.x) && highBit(c1.x)],
    ['y1 below 2^248, the DER INTEGER 31 bytes', 107n, (c1: Point) => zeroByte(c1.y) && !highBit(c1.y)],
    ['y1 below 2^248 with its top bit set, the DER INTEGER 32 bytes with a sign octet', 206n, (c1: Point) => zeroByte(c1.y) && highBit(c1.y)],
    ['x2 of [k]P_B below 2^248', 38n, (_c1: Point, s: Point) => zeroByte(s.x)],
    ['y2 of [k]P_B below 2^248', 177n, (_c1: Point, s: Point) => zeroByte(s.y)],
  ] as const)('a leading zero byte, both ways: %s', (_name, k, holds) => {
    const c1 = sm2Point.BASE.multiply(k).toAffine();
    const s = sm2Point.fromBytes(publicKey).multiply(k).toAffine();
    expect(holds(c1, s)).toBe(true);
    const m = ascii(`leading zeros, k = ${k}`);
    const ct = sm2Encrypt(publicKey, m, () => unhex(b32(k)));
    expect(parseCipher(ct).x1).toBe(c1.x);
    const raw = derToC1C3C2(ct);
    expect(raw.length).toBe(2 * (64 + 32 + m.length));
    expect(hex(Uint8Array.from(smCrypto.doDecrypt(raw, dHex, 1, { output: 'array' })))).toBe(hex(m));
    // The converter the other direction uses gives back the same DER, and it decrypts.
    expect(hex(c1c3c2ToDer(raw))).toBe(hex(ct));
    expect(hex(sm2Decrypt(d, c1c3c2ToDer(raw)))).toBe(hex(m));
  });

  test('the Annex C ciphertext in C1C3C2 form decrypts with sm-crypto', () => {
    const out = smCrypto.doDecrypt(derToC1C3C2(ANNEX_C.der), ANNEX_C.d.toString(16).padStart(64, '0'), 1, { output: 'array' });
    expect(hex(Uint8Array.from(out))).toBe(hex(ANNEX_C.m));
  });
});

// ---------------------------------------------------------------------------------------------
// OpenSSL 3 interop
// ---------------------------------------------------------------------------------------------

describe('OpenSSL 3 interop (openssl CLI)', () => {
  // OpenSSL 3 is part of the test environment (Debian ships it); its absence is a failure, not a skip.
  test('the OpenSSL 3 CLI is available', () => {
    expect(hasOpenssl()).toBe(true);
  });

  let dir: string;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const file = (name: string) => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kms-core-sm2-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const key = sm2GenerateKey(rnd);
  const messages = [Uint8Array.of(0x42), ascii('encryption standard'), rnd(257), rnd(1024)];

  test('our SPKI and PKCS#8 are what OpenSSL writes for the same key (byte for byte)', () => {
    writeFileSync(file('ours.pem'), pem(sm2Pkcs8Encode(key.d), 'PRIVATE KEY'));
    // OpenSSL re-encodes the private key as PKCS#8 and derives the public key itself.
    openssl('pkcs8', '-topk8', '-nocrypt', '-in', 'ours.pem', '-outform', 'DER', '-out', 'p8.der');
    openssl('pkey', '-in', 'ours.pem', '-pubout', '-outform', 'DER', '-out', 'spki.der');
    expect(hex(readFileSync(file('p8.der')))).toBe(hex(sm2Pkcs8Encode(key.d)));
    expect(hex(readFileSync(file('spki.der')))).toBe(hex(sm2SpkiEncode(key.publicKey)));
    // and OpenSSL reads our SPKI as an SM2 key
    writeFileSync(file('ours.pub.pem'), pem(sm2SpkiEncode(key.publicKey), 'PUBLIC KEY'));
    const text = openssl('pkey', '-pubin', '-in', 'ours.pub.pem', '-text', '-noout').toString();
    expect(text).toMatch(/ASN1 OID: SM2/);
  });

  test('an `openssl genpkey -algorithm SM2` key is read by our PKCS#8 and SPKI decoders', () => {
    openssl('genpkey', '-algorithm', 'SM2', '-out', 'gen.pem');
    openssl('pkey', '-in', 'gen.pem', '-pubout', '-outform', 'DER', '-out', 'gen.spki.der');
    const p8 = unpem(readFileSync(file('gen.pem'), 'utf8'));
    const d = sm2PrivateKeyFromPkcs8(p8);
    const pub = sm2SpkiDecode(new Uint8Array(readFileSync(file('gen.spki.der'))));
    expect(hex(pub)).toBe(hex(sm2PublicFromPrivate(d)));
    expect(hex(sm2Pkcs8Encode(d))).toBe(hex(p8));
    // encrypt to the OpenSSL key with our code, decrypt with OpenSSL
    const m = ascii('to an OpenSSL-generated key');
    writeFileSync(file('gen.ct'), sm2Encrypt(pub, m, rnd));
    openssl('pkeyutl', '-decrypt', '-inkey', 'gen.pem', '-in', 'gen.ct', '-out', 'gen.pt');
    expect(hex(readFileSync(file('gen.pt')))).toBe(hex(m));
  });

  test('openssl pkeyutl -encrypt (PEM from our SPKI) → sm2Decrypt', () => {
    writeFileSync(file('pub.pem'), pem(sm2SpkiEncode(key.publicKey), 'PUBLIC KEY'));
    messages.forEach((m, i) => {
      writeFileSync(file(`m${i}`), m);
      openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', `m${i}`, '-out', `c${i}`);
      const ct = new Uint8Array(readFileSync(file(`c${i}`)));
      expect(hex(sm2Decrypt(key.d, ct))).toBe(hex(m));
    });
  });

  test('sm2Encrypt → openssl pkeyutl -decrypt (PEM from our PKCS#8)', () => {
    writeFileSync(file('key.pem'), pem(sm2Pkcs8Encode(key.d), 'PRIVATE KEY'));
    const pre = sm2PrecomputePublic(key.publicKey);
    messages.forEach((m, i) => {
      writeFileSync(file(`e${i}`), sm2Encrypt(i % 2 ? pre : key.publicKey, m, rnd));
      openssl('pkeyutl', '-decrypt', '-inkey', 'key.pem', '-in', `e${i}`, '-out', `d${i}`);
      expect(hex(readFileSync(file(`d${i}`)))).toBe(hex(m));
    });
  });

  test('OpenSSL refuses what we refuse: a ciphertext with C3 altered', () => {
    writeFileSync(file('key2.pem'), pem(sm2Pkcs8Encode(key.d), 'PRIVATE KEY'));
    const { x1, y1, c3, c2 } = parseCipher(sm2Encrypt(key.publicKey, ascii('tamper'), rnd));
    const bad = c3.slice();
    bad[0]! ^= 1;
    writeFileSync(file('bad.ct'), cipherDer(x1, y1, bad, c2));
    expect(() => openssl('pkeyutl', '-decrypt', '-inkey', 'key2.pem', '-in', 'bad.ct', '-out', 'bad.pt')).toThrow();
    expectDecryptError(() => sm2Decrypt(key.d, cipherDer(x1, y1, bad, c2)));
  });
});
