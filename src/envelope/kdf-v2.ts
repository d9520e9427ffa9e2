/**
 * Envelope v2 data-key derivation (vectors/FORMAT.md §8): NIST SP 800-108r1 §4.1, KDF in counter
 * mode with PRF = HMAC-SM3 (RFC 2104 over SM3, GB/T 32905; the HMAC of GB/T 15852.2) keyed by the
 * 16-byte backing key, r = 32, L = 128 — one PRF block, whose leftmost 128 bits are the key:
 *
 *   K = first 16 bytes of HMAC-SM3(HBK, [1]_32 ‖ Label ‖ 0x00 ‖ Context ‖ [128]_32)
 *   Label   = ASCII "kms-core/v2 data key"
 *   Context = blob bytes 0..72 (magic, version 0x02, key reference, KeyMaterialId, nonce)
 *
 * Why HMAC-SM3: the whole v2 suite stays within the Chinese commercial algorithms (SM3, SM4) as
 * China Regions' SYMMETRIC_DEFAULT does, and SP 800-108 admits any approved-strength PRF. The
 * label differs from v1's, so even equal key bytes never derive equal data keys across versions.
 *
 * Pure JS (WebCrypto has no SM3): the keyed HMAC state is made once per backing key and cloned
 * per derivation.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sm3 } from '../primitives/sm3.js';
import { utf8 } from '../util/bytes.js';
import { counterModeInput } from './sp800-108.js';

export const KDF_V2_LABEL = utf8('kms-core/v2 data key');
export const KDF_V2_CONTEXT_LEN = 72;
/** SM4 data keys are 128 bits. */
export const DATA_KEY_V2_LEN = 16;

/** A keyed HMAC-SM3 state for one backing key (clone it per use; never update it directly). */
export type HmacSm3Key = ReturnType<typeof hmac.create>;

export function hmacSm3Key(hbk: Uint8Array): HmacSm3Key {
  return hmac.create(sm3, hbk);
}

/** The PRF input for one derivation; `context` is the first 72 bytes of the blob. L = 128. */
export function kdfV2Input(context: Uint8Array): Uint8Array {
  return counterModeInput(KDF_V2_LABEL, context, KDF_V2_CONTEXT_LEN, DATA_KEY_V2_LEN * 8);
}

/** The 16-byte SM4 data key. The caller wipes it after use. */
export function deriveDataKeyV2(key: HmacSm3Key, context: Uint8Array): Uint8Array {
  const h = key.clone();
  const block = h.update(kdfV2Input(context)).digest();
  h.destroy();
  const out = block.slice(0, DATA_KEY_V2_LEN);
  block.fill(0);
  return out;
}
