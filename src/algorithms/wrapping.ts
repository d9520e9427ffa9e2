/**
 * Import wrapping (BYOK): the wrapping key pairs GetParametersForImport hands out and the
 * unwrapping ImportKeyMaterial does, one row per AlgorithmSpec (API model `AlgorithmSpec`,
 * `WrappingKeySpec`; Developer Guide "Step 2: Download the wrapping public key and import
 * token" and "Step 3: Encrypt the key material").
 *
 * | WrappingAlgorithm        | wrapping key   | EncryptedKeyMaterial                                  |
 * |--------------------------|----------------|-------------------------------------------------------|
 * | RSAES_OAEP_SHA_1         | RSA_2048/3072/4096 | RSAES-OAEP(SHA-1, MGF1-SHA-1, empty label) of the material, k bytes |
 * | RSAES_OAEP_SHA_256       | RSA_*          | RSAES-OAEP(SHA-256, MGF1-SHA-256) of the material      |
 * | RSA_AES_KEY_WRAP_SHA_1   | RSA_*          | RSAES-OAEP-SHA-1(AES key) (k bytes) ‖ AES-KWP(AES key, material) (RFC 5649) |
 * | RSA_AES_KEY_WRAP_SHA_256 | RSA_*          | RSAES-OAEP-SHA-256(AES key) ‖ AES-KWP(AES key, material) |
 * | SM2PKE (China Regions)   | SM2            | SM2 encryption (GM/T 0003.4) of the material, GM/T 0009 DER |
 * | RSAES_PKCS1_V1_5         | —              | refused: "As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm" (API_GetParametersForImport) |
 *
 * The RSA_AES layout is the Developer Guide's: `cat aes-key-wrapped.bin key-material-wrapped.bin`,
 * where the first file is `openssl pkeyutl -encrypt … rsa_padding_mode:oaep` of a 32-byte AES key
 * and the second `openssl enc -id-aes256-wrap-pad -iv A65959A6` of the material. kms-core accepts
 * an AES key of 16, 24 or 32 bytes (the Guide generates 32; CKM_RSA_AES_KEY_WRAP allows all three).
 *
 * Every unwrap failure is `undefined` (a platform without RSA still throws its KmsError): the handler raises the one InvalidCiphertextException
 * ("From the ImportKeyMaterial operation, the request was rejected because KMS could not decrypt
 * the encrypted (wrapped) key material", API model). Intermediate AES keys are wiped.
 */
import type { Backend, RsaHash } from '../backend/types.js';
import { KmsError } from '../errors.js';
import { aesKeyUnwrapPad } from '../primitives/aes-kw.js';
import { sm2GenerateKey } from '../primitives/sm2-curve.js';
import { sm2Decrypt } from '../primitives/sm2-pke.js';
import { sm2Pkcs8Encode, sm2PrivateKeyFromPkcs8, sm2SpkiEncode } from '../primitives/sm2-keys.js';
import type { Random } from '../random.js';
import { wipe } from '../util/bytes.js';
import { SM2_REGIONS } from './sm2pke.js';

/** API model `AlgorithmSpec` (the WrappingAlgorithm of GetParametersForImport). */
export type WrappingAlgorithmSpec = 'RSAES_PKCS1_V1_5' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256' | 'SM2PKE';
/** API model `WrappingKeySpec`. */
export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'SM2';

export const WRAPPING_ALGORITHMS: readonly WrappingAlgorithmSpec[] = [
  'RSAES_PKCS1_V1_5',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
  'SM2PKE',
];
export const WRAPPING_KEY_SPECS: readonly WrappingKeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'];

/** Modulus bytes of the RSA wrapping key specs. */
const RSA_WRAPPING_BYTES: Readonly<Partial<Record<WrappingKeySpec, number>>> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };

/** A wrapping key pair: PKCS#8 private key (kept by kms-core) and SubjectPublicKeyInfo (returned as PublicKey). */
export interface WrappingKeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/** What an unwrap needs: the pair's private half and the choice made at GetParametersForImport. */
export interface WrappingKey {
  readonly wrappingAlgorithm: WrappingAlgorithmSpec;
  readonly wrappingKeySpec: WrappingKeySpec;
  /** PKCS#8 DER of the wrapping private key. */
  readonly privateKey: Uint8Array;
}

interface Row {
  /** Key specs this algorithm wraps with. */
  readonly keySpecs: readonly WrappingKeySpec[];
  /** Regions where AWS offers it; undefined: everywhere. */
  readonly regions?: (region: string) => boolean;
  /** false: refused in every Region (deprecated). */
  readonly supported: boolean;
  unwrap?(backend: Backend, key: WrappingKey, encrypted: Uint8Array): Promise<Uint8Array | undefined>;
}

const RSA_SPECS: readonly WrappingKeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];
const inChina = (region: string) => SM2_REGIONS.includes(region);

/** RSAES-OAEP-DECRYPT with `hash` for OAEP and MGF1 (backend seam); undefined on any failure. */
async function oaepDecrypt(backend: Backend, key: WrappingKey, hash: RsaHash, c: Uint8Array): Promise<Uint8Array | undefined> {
  if (c.length !== RSA_WRAPPING_BYTES[key.wrappingKeySpec]) return undefined;
  // A platform without RSA (the noble backend) throws its UnsupportedOperationException, which
  // passes through: that is not a ciphertext failure.
  const priv = await backend.rsaPrivateKey(key.privateKey, hash);
  return backend.rsaOaepDecrypt(priv, c);
}

function rsaesOaep(hash: RsaHash): Row {
  return {
    keySpecs: RSA_SPECS,
    supported: true,
    unwrap: (backend, key, encrypted) => oaepDecrypt(backend, key, hash, encrypted),
  };
}

function rsaAesKeyWrap(hash: RsaHash): Row {
  return {
    keySpecs: RSA_SPECS,
    supported: true,
    // Developer Guide: "The RSA_AES_KEY_WRAP_SHA_256 and RSA_AES_KEY_WRAP_SHA_1 wrapping
    // algorithms are not supported in China Regions."
    regions: (region) => !inChina(region),
    async unwrap(backend, key, encrypted) {
      const k = RSA_WRAPPING_BYTES[key.wrappingKeySpec] as number;
      // k bytes of RSA-OAEP ciphertext, then an RFC 5649 blob of at least two semiblocks.
      if (encrypted.length < k + 16) return undefined;
      const aesKey = await oaepDecrypt(backend, key, hash, encrypted.subarray(0, k));
      if (!aesKey) return undefined;
      try {
        if (aesKey.length !== 16 && aesKey.length !== 24 && aesKey.length !== 32) return undefined;
        return aesKeyUnwrapPad(aesKey, encrypted.subarray(k));
      } finally {
        wipe(aesKey);
      }
    },
  };
}

const ROWS: Readonly<Record<WrappingAlgorithmSpec, Row>> = {
  RSAES_PKCS1_V1_5: { keySpecs: RSA_SPECS, supported: false },
  RSAES_OAEP_SHA_1: rsaesOaep('SHA-1'),
  RSAES_OAEP_SHA_256: rsaesOaep('SHA-256'),
  RSA_AES_KEY_WRAP_SHA_1: rsaAesKeyWrap('SHA-1'),
  RSA_AES_KEY_WRAP_SHA_256: rsaAesKeyWrap('SHA-256'),
  SM2PKE: {
    keySpecs: ['SM2'],
    supported: true,
    regions: inChina,
    async unwrap(_backend, key, encrypted) {
      try {
        return sm2Decrypt(sm2PrivateKeyFromPkcs8(key.privateKey), encrypted);
      } catch {
        return undefined;
      }
    },
  },
};

/** Why a (WrappingAlgorithm, WrappingKeySpec) pair cannot be used in a Region; undefined when it can. */
export type WrappingRefusal =
  /** RSAES_PKCS1_V1_5 (deprecated since 2023-10-10). */
  | 'deprecated'
  /** The algorithm or key spec is not offered in this Region (SM2/SM2PKE outside China, RSA_AES_* in China). */
  | 'region'
  /** The algorithm does not wrap with this key spec (SM2PKE needs SM2; the RSA algorithms need RSA_*). */
  | 'spec-mismatch';

/**
 * Checks a GetParametersForImport choice. The handler maps the refusal to an AWS error (see
 * notes/import-multiregion-sm4.md: the exact classes AWS uses here are not documented).
 */
export function checkWrappingChoice(algorithm: WrappingAlgorithmSpec, keySpec: WrappingKeySpec, region: string): WrappingRefusal | undefined {
  const row = ROWS[algorithm];
  if (!row.supported) return 'deprecated';
  // Developer Guide: "AWS KMS also supports the SM2 wrapping key spec (China Regions only)".
  if ((row.regions && !row.regions(region)) || (keySpec === 'SM2' && !inChina(region))) return 'region';
  if (!row.keySpecs.includes(keySpec)) return 'spec-mismatch';
  return undefined;
}

/**
 * A new wrapping key pair of `keySpec`: RSA by the platform (public exponent 65537), SM2 in pure JS
 * from `random`. The handler keeps `privateKey` with the import parameters and returns `publicKey`.
 */
export async function generateWrappingKeyPair(backend: Backend, keySpec: WrappingKeySpec, random: Random): Promise<WrappingKeyPair> {
  if (keySpec === 'SM2') {
    const { d, publicKey } = sm2GenerateKey(random);
    return { privateKey: sm2Pkcs8Encode(d), publicKey: sm2SpkiEncode(publicKey) };
  }
  const bytes = RSA_WRAPPING_BYTES[keySpec];
  /* Precondition: the key spec is one of the model's WrappingKeySpec values (validated upstream). */
  if (bytes === undefined) throw new Error(`kms-core: unknown wrapping key spec ${String(keySpec)}`);
  return backend.rsaGenerateKeyPair(bytes * 8);
}

/**
 * The unwrap side of ImportKeyMaterial: the plaintext key material, or `undefined` for every
 * failure (wrong algorithm, wrong wrapping key, damaged bytes, a deprecated or unknown
 * algorithm). The caller validates the material for the key spec and wipes it.
 */
export async function unwrapImportedMaterial(backend: Backend, key: WrappingKey, encrypted: Uint8Array): Promise<Uint8Array | undefined> {
  const row = ROWS[key.wrappingAlgorithm] as Row | undefined;
  if (!row?.unwrap || !row.keySpecs.includes(key.wrappingKeySpec)) return undefined;
  try {
    return await row.unwrap(backend, key, encrypted);
  } catch (e) {
    if (e instanceof KmsError) throw e;
    return undefined;
  }
}
