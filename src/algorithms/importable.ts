/**
 * Which key specs take imported key material (CreateKey Origin EXTERNAL, ImportKeyMaterial),
 * one row per key spec, and how each row reads the material. Developer Guide, "Requirements
 * for imported key material" (importing-keys-conceptual):
 *
 * | KeySpec | material | kms-core keeps |
 * |---|---|---|
 * | SYMMETRIC_DEFAULT | "256-bits (32 bytes) of binary data. In China Regions, it must be a 128-bits (16 bytes)" | the bytes (the key's suite: AES-256-GCM or SM4) |
 * | HMAC_224/256/384/512 | "at least the same length specified by the key spec. The maximum key length is 1024-bits" | the bytes |
 * | RSA_2048/3072/4096 | two-prime RSA private key of that modulus, PKCS#8 | canonical PKCS#8 DER + SPKI |
 * | ECC_NIST_P256/P384/P521, ECC_SECG_P256K1 | RFC 5915 key in PKCS#8, named curve only | canonical PKCS#8 DER + SPKI |
 * | SM2 (China Regions) | GM/T 0003 key in PKCS#8, named curve only | canonical PKCS#8 DER + SPKI |
 *
 * No row: ML_DSA_* ("Importing ML-DSA keys is not supported"), and the specs the Guide's list
 * does not name (ECC_NIST_EDWARDS25519, ML_KEM_*): CreateKey refuses Origin EXTERNAL for them.
 *
 * Asymmetric material is re-encoded, so the same key pair always has the same bytes (and so the
 * same KeyMaterialId, src/keys/import-material.ts), whatever optional fields the PKCS#8 carried.
 * kms-core reads DER; BER that is not DER is IncorrectKeyMaterialException.
 */
import { IncorrectKeyMaterialException } from '../errors.js';
import { checkHmacMaterial, checkSm2Material, checkSymmetricMaterial, expectedSymmetricSuite } from '../keys/import-material.js';
import type { BackingKey, KeySpec } from '../keys/record.js';
import { EC_CURVES, EcKeyError, ecPkcs8Decode, ecPkcs8Encode, ecPublicFromPrivate, ecSpkiEncode, type EcCurveName } from '../primitives/ec-keys.js';
import { rsaImportPrivateKey } from '../primitives/rsa-keys.js';
import { sm2PublicFromPrivate } from '../primitives/sm2-curve.js';
import { sm2Pkcs8Encode, sm2PrivateKeyFromPkcs8, sm2SpkiEncode } from '../primitives/sm2-keys.js';
import { wipe } from '../util/bytes.js';
import type { WrappingAlgorithmSpec, WrappingKeySpec } from './wrapping.js';

/** Imported material as kms-core keeps it: fresh buffers, the caller's to store or zero. */
export interface ReadMaterial {
  material: Uint8Array;
  publicKey?: Uint8Array;
}

export interface ImportRow {
  /**
   * Several material versions (ImportType, KeyMaterialId, KeyMaterialDescription, on-demand
   * rotation): symmetric encryption keys only ("This parameter is optional and only usable with
   * symmetric encryption keys", API_ImportKeyMaterial). Other keys hold one material forever:
   * "For asymmetric and HMAC keys, you cannot change the key material after the initial import."
   */
  readonly versions: boolean;
  /**
   * Why a wrapping choice cannot carry this material (API_GetParametersForImport,
   * WrappingAlgorithm), or undefined.
   */
  wrappingRefusal?(algorithm: WrappingAlgorithmSpec, keySpec: WrappingKeySpec): string | undefined;
  /**
   * The material as kms-core keeps it, read from the unwrapped bytes (which stay the caller's).
   * `existing`: the key's material versions (a symmetric key keeps its suite). Throws
   * IncorrectKeyMaterialException for material that does not fit the key spec.
   */
  read(material: Uint8Array, region: string, existing: readonly BackingKey[]): ReadMaterial;
}

const symmetric: ImportRow = {
  versions: true,
  read(material, region, existing) {
    checkSymmetricMaterial(material, expectedSymmetricSuite(existing, region));
    return { material: material.slice() };
  },
};

function hmac(keySpec: KeySpec): ImportRow {
  return {
    versions: false,
    read(material) {
      checkHmacMaterial(keySpec, material);
      return { material: material.slice() };
    },
  };
}

// API_GetParametersForImport, WrappingAlgorithm: RSAES_OAEP_* is "Supported for all types of key
// material, except RSA key material (private key)"; "To import an RSA private key, you must use
// an RSA_AES wrapping algorithm."
const oaepOnly = (a: WrappingAlgorithmSpec) => a === 'RSAES_OAEP_SHA_1' || a === 'RSAES_OAEP_SHA_256';

function rsa(bits: number): ImportRow {
  return {
    versions: false,
    wrappingRefusal: (a) => (oaepOnly(a) ? `To import an RSA private key, you must use an RSA_AES wrapping algorithm (or SM2PKE in China Regions), not ${a}.` : undefined),
    read(material) {
      try {
        const { privateKey, publicKey } = rsaImportPrivateKey(material, bits);
        return { material: privateKey, publicKey };
      } catch {
        throw new IncorrectKeyMaterialException(`The key material must be a two-prime RSA private key with a ${bits}-bit modulus in PKCS #8 format.`);
      }
    },
  };
}

function ecc(name: EcCurveName, p521 = false): ImportRow {
  const c = EC_CURVES[name];
  return {
    versions: false,
    // API_GetParametersForImport: "You cannot use the RSAES_OAEP_SHA_256 wrapping algorithm with
    // the RSA_2048 wrapping key spec to wrap ECC_NIST_P521 key material" (and the same for SHA_1).
    wrappingRefusal: (a, s) => (p521 && oaepOnly(a) && s === 'RSA_2048' ? `You cannot use the ${a} wrapping algorithm with the RSA_2048 wrapping key spec to wrap ECC_NIST_P521 key material.` : undefined),
    read(material) {
      let d: Uint8Array;
      try {
        d = ecPkcs8Decode(c, material);
      } catch (e) {
        if (e instanceof EcKeyError) throw new IncorrectKeyMaterialException(`The key material must be an elliptic curve private key on ${name} (named curve) in PKCS #8 format.`);
        throw e;
      }
      try {
        return { material: ecPkcs8Encode(c, d), publicKey: ecSpkiEncode(c, ecPublicFromPrivate(c, d)) };
      } finally {
        wipe(d);
      }
    },
  };
}

const sm2: ImportRow = {
  versions: false,
  read(material) {
    checkSm2Material(material);
    const d = sm2PrivateKeyFromPkcs8(material);
    return { material: sm2Pkcs8Encode(d), publicKey: sm2SpkiEncode(sm2PublicFromPrivate(d)) };
  },
};

export const IMPORT_ROWS: Readonly<Partial<Record<KeySpec, ImportRow>>> = {
  SYMMETRIC_DEFAULT: symmetric,
  HMAC_224: hmac('HMAC_224'),
  HMAC_256: hmac('HMAC_256'),
  HMAC_384: hmac('HMAC_384'),
  HMAC_512: hmac('HMAC_512'),
  RSA_2048: rsa(2048),
  RSA_3072: rsa(3072),
  RSA_4096: rsa(4096),
  ECC_NIST_P256: ecc('P-256'),
  ECC_NIST_P384: ecc('P-384'),
  ECC_NIST_P521: ecc('P-521', true),
  ECC_SECG_P256K1: ecc('secp256k1'),
  SM2: sm2,
};

/** The import row of a key spec; undefined when AWS does not import material for it. */
export function importRow(spec: KeySpec): ImportRow | undefined {
  return Object.prototype.hasOwnProperty.call(IMPORT_ROWS, spec) ? IMPORT_ROWS[spec] : undefined;
}
