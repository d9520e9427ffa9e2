/**
 * Envelope v2: seal and open symmetric ciphertext blobs under a 128-bit SM4 backing key (China
 * Regions' SYMMETRIC_DEFAULT). The layout is v1's with version byte 0x02 (format.ts); the data
 * key comes from HMAC-SM3 (kdf-v2.ts) and the cipher is SM4-GCM (primitives/sm4-gcm.ts), byte by
 * byte in vectors/FORMAT.md §7–§10. Randomness is drawn as in v1: derivation nonce (16 bytes),
 * then IV (12 bytes).
 */
import { sm4GcmDecrypt, sm4GcmEncrypt } from '../primitives/sm4-gcm.js';
import type { Random } from '../random.js';
import { wipe } from '../util/bytes.js';
import { HEADER_LEN, IV_LEN, MAGIC, NONCE_LEN, OFF_IV, OFF_NONCE, OVERHEAD, TAG_LEN, VERSION_2 } from './format.js';
import { type HmacSm3Key, deriveDataKeyV2 } from './kdf-v2.js';

function aad(header: Uint8Array, context: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_LEN + context.length);
  out.set(header.subarray(0, HEADER_LEN));
  out.set(context, HEADER_LEN);
  return out;
}

/**
 * Encrypts `plaintext` under the backing key whose keyed HMAC-SM3 state is `key`, binding
 * `context` (canonical bytes). `prefix` is bytes 0..56 of the v2 header for that backing key.
 */
export function sealV2(key: HmacSm3Key, prefix: Uint8Array, plaintext: Uint8Array, context: Uint8Array, random: Random): Uint8Array {
  /* Precondition: the prefix is a v2 header prefix (magic, version 0x02). */
  if (prefix.length !== OFF_NONCE || prefix[0] !== MAGIC || prefix[1] !== VERSION_2) throw new Error('kms-core: not a v2 header prefix');
  const blob = new Uint8Array(HEADER_LEN + plaintext.length + TAG_LEN);
  blob.set(prefix);
  blob.set(random(NONCE_LEN), OFF_NONCE);
  blob.set(random(IV_LEN), OFF_IV);
  const dataKey = deriveDataKeyV2(key, blob);
  try {
    sm4GcmEncrypt(dataKey, blob.subarray(OFF_IV, HEADER_LEN), plaintext, aad(blob, context), blob.subarray(HEADER_LEN));
    return blob;
  } finally {
    wipe(dataKey);
  }
}

/**
 * Decrypts a v2 blob whose header the caller has already matched to the backing key. Returns
 * undefined for every failure: the caller turns that into the one InvalidCiphertextException.
 */
export function openV2(key: HmacSm3Key, blob: Uint8Array, context: Uint8Array): Uint8Array | undefined {
  if (blob.length < OVERHEAD || blob[0] !== MAGIC || blob[1] !== VERSION_2) return undefined;
  const dataKey = deriveDataKeyV2(key, blob);
  try {
    return sm4GcmDecrypt(dataKey, blob.subarray(OFF_IV, HEADER_LEN), blob.subarray(HEADER_LEN), aad(blob, context));
  } finally {
    wipe(dataKey);
  }
}
