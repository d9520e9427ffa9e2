/**
 * HMAC KMS keys: the key specs HMAC_224 / 256 / 384 / 512 and the MacAlgorithmSpec rows
 * HMAC_SHA_224 / 256 / 384 / 512 used by GenerateMac and VerifyMac.
 *
 * AWS (Developer Guide, "HMAC keys in AWS KMS" / "Key specs for HMAC KMS keys"): each HMAC key
 * spec supports exactly one MAC algorithm, the one whose digest length equals the key length
 * ("The length of the key determines the MAC algorithm"); the HMAC is the standard, raw HMAC
 * of RFC 2104 (API_GenerateMac: Mac), never truncated; messages are 1..4096 bytes
 * (GenerateMacRequest.Message, PlaintextType). HMAC keys have no public key, cannot be rotated
 * automatically or on demand (API_EnableKeyRotation, API_RotateKeyOnDemand: "You cannot …
 * HMAC KMS keys") and take key usage GENERATE_VERIFY_MAC only (API_CreateKey: KeyUsage).
 *
 * The HMAC itself is the backend's (`hmacKeyWith` / `hmac`): node:crypto, WebCrypto (SHA-224
 * through @noble/hashes, WebCrypto has none) or @noble/hashes. The imported key object is
 * cached per key version; the comparison in {@link verifyMac} is constant-time.
 */
import type { HmacHash } from '../backend/types.js';
import type { BackingKey, KeySpec } from '../keys/record.js';
import { equalBytes, toHex, wipe } from '../util/bytes.js';
import type { CryptoEnv, KeySpecInfo, MacAlgorithmSpec } from './types.js';

export type HmacKeySpec = Extract<KeySpec, 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512'>;

/** One row per MacAlgorithmSpec. */
export interface MacAlgorithm {
  readonly name: MacAlgorithmSpec;
  readonly hash: HmacHash;
  /** Bytes of the MAC (the full digest: KMS never truncates): 28, 32, 48, 64. */
  readonly macBytes: number;
  /** The HMAC key spec this algorithm belongs to. */
  readonly keySpec: HmacKeySpec;
}

export const MAC_ALGORITHMS: Readonly<Record<MacAlgorithmSpec, MacAlgorithm>> = Object.freeze({
  HMAC_SHA_224: { name: 'HMAC_SHA_224', hash: 'SHA-224', macBytes: 28, keySpec: 'HMAC_224' },
  HMAC_SHA_256: { name: 'HMAC_SHA_256', hash: 'SHA-256', macBytes: 32, keySpec: 'HMAC_256' },
  HMAC_SHA_384: { name: 'HMAC_SHA_384', hash: 'SHA-384', macBytes: 48, keySpec: 'HMAC_384' },
  HMAC_SHA_512: { name: 'HMAC_SHA_512', hash: 'SHA-512', macBytes: 64, keySpec: 'HMAC_512' },
});

export function macAlgorithm(name: MacAlgorithmSpec): MacAlgorithm | undefined {
  return Object.prototype.hasOwnProperty.call(MAC_ALGORITHMS, name) ? MAC_ALGORITHMS[name] : undefined;
}

/**
 * Key lengths in bytes. `generated`: what KMS makes for the spec (224 / 256 / 384 / 512 bits,
 * the spec's name). `imported`: the range ImportKeyMaterial accepts for an EXTERNAL HMAC key
 * (Developer Guide, "Requirements for imported key material": from the digest length up to
 * the hash's block size — 28–64, 32–64, 48–128, 64–128 bytes).
 */
export const HMAC_KEY_BYTES: Readonly<Record<HmacKeySpec, { generated: number; imported: readonly [number, number] }>> = Object.freeze({
  HMAC_224: { generated: 28, imported: [28, 64] },
  HMAC_256: { generated: 32, imported: [32, 64] },
  HMAC_384: { generated: 48, imported: [48, 128] },
  HMAC_512: { generated: 64, imported: [64, 128] },
});

/** The backend key object of a version, imported once per (version, hash). */
function hmacKey(env: CryptoEnv, alg: MacAlgorithm, bk: BackingKey) {
  return env.keyObject(bk, `hmac/${alg.hash}/`, (b) => env.backend.hmacKeyWith(alg.hash, b.material));
}

/**
 * GenerateMac: HMAC of `message` under key version `bk` (the key's current version; HMAC keys
 * have only one). The caller has checked that `alg.keySpec` is the key's spec and that the
 * message is 1..4096 bytes; the result is the caller's to return and then wipe.
 */
export async function generateMac(env: CryptoEnv, alg: MacAlgorithm, bk: BackingKey, message: Uint8Array): Promise<Uint8Array> {
  return env.backend.hmac(await hmacKey(env, alg, bk), message);
}

/**
 * VerifyMac: whether `mac` is the HMAC of `message` (constant-time over the digest; a MAC of
 * another length is simply false, its length is not secret). The caller turns false into
 * KMSInvalidMacException (API_VerifyMac: "If the HMAC is not verified, … KMSInvalidMacException").
 */
export async function verifyMac(env: CryptoEnv, alg: MacAlgorithm, bk: BackingKey, message: Uint8Array, mac: Uint8Array): Promise<boolean> {
  const expected = await generateMac(env, alg, bk, message);
  try {
    return mac.length === expected.length && equalBytes(mac, expected);
  } finally {
    wipe(expected);
  }
}

function hmacSpec(keySpec: HmacKeySpec, macAlgorithm: MacAlgorithmSpec): KeySpecInfo {
  const bytes = HMAC_KEY_BYTES[keySpec].generated;
  return {
    keySpec,
    encryptionAlgorithms: [],
    keyUsages: ['GENERATE_VERIFY_MAC'],
    // HMAC keys: no public key, no rotation (API_EnableKeyRotation, API_RotateKeyOnDemand), no data keys.
    keyType: 'hmac',
    rotatable: false,
    hasPublicKey: false,
    wrapsDataKeys: false,
    bindsContext: false,
    namesMaterial: false,
    macAlgorithms: [macAlgorithm],
    async generate(env, createdAt) {
      return { id: toHex(env.random(32)), material: env.random(bytes), createdAt };
    },
  };
}

export const hmac224Spec = hmacSpec('HMAC_224', 'HMAC_SHA_224');
export const hmac256Spec = hmacSpec('HMAC_256', 'HMAC_SHA_256');
export const hmac384Spec = hmacSpec('HMAC_384', 'HMAC_SHA_384');
export const hmac512Spec = hmacSpec('HMAC_512', 'HMAC_SHA_512');

/** The key-spec rows of this file, for the registry's KEY_SPECS. */
export const HMAC_KEY_SPECS: Readonly<Record<HmacKeySpec, KeySpecInfo>> = Object.freeze({
  HMAC_224: hmac224Spec,
  HMAC_256: hmac256Spec,
  HMAC_384: hmac384Spec,
  HMAC_512: hmac512Spec,
});
