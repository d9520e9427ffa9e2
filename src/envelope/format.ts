/**
 * Envelope v1 byte layout (vectors/FORMAT.md §1). All integers big-endian.
 *
 *   offset  size  field
 *        0     1  magic 0x4B ('K')
 *        1     1  format version 0x01
 *        2     5  account ID of the key, as an unsigned 40-bit integer (12 decimal digits)
 *        7     1  key-ID form: 0x01 UUID, 0x02 multi-Region (mrk-)
 *        8    16  key ID: the UUID's 16 bytes, or the 32 hex digits after "mrk-"
 *       24    32  KeyMaterialId: the backing key (HBK) that derived the data key
 *       56    16  derivation nonce (random per call)
 *       72    12  AES-GCM IV (random per call)
 *       84     n  AES-256-GCM ciphertext (n = plaintext length)
 *     84+n    16  AES-GCM tag
 *
 * Bytes 0..84 are the header; all of it is authenticated (AAD = header ‖ canonical context).
 *
 * Envelope v2 (SM4-GCM, China Regions; vectors/FORMAT.md "Format version 2") has the same
 * layout with version byte 0x02: the version names the cipher suite, the backing key the
 * version (a 32-byte HBK seals v1, a 16-byte one v2).
 */
import { isKeyId } from '../keys/arn.js';
import { hexInto, toHex } from '../util/bytes.js';

export const MAGIC = 0x4b;
export const VERSION_1 = 0x01;
/** Envelope v2: HMAC-SM3 KDF and SM4-GCM under a 128-bit backing key (FORMAT.md §7–§10). */
export const VERSION_2 = 0x02;
export const FORM_UUID = 0x01;
export const FORM_MRK = 0x02;

export const OFF_ACCOUNT = 2;
export const OFF_FORM = 7;
export const OFF_KEY_ID = 8;
export const OFF_MATERIAL_ID = 24;
export const OFF_NONCE = 56;
export const OFF_IV = 72;
export const HEADER_LEN = 84;
export const TAG_LEN = 16;
export const NONCE_LEN = 16;
export const IV_LEN = 12;
/** Bytes a v1 blob adds to the plaintext. */
export const OVERHEAD = HEADER_LEN + TAG_LEN;

export interface HeaderFields {
  accountId: string;
  keyId: string;
  keyMaterialId: string;
}

/** Bytes 0..56 (magic through KeyMaterialId): constant per backing key, so callers cache it. */
export function keyHeaderPrefix(f: HeaderFields, version: number = VERSION_1): Uint8Array {
  const out = new Uint8Array(OFF_NONCE);
  writeKeyHeader(out, f, version);
  return out;
}

/** True when `blob` starts with `prefix` (public header bytes: no need for constant time). */
export function hasPrefix(blob: Uint8Array, prefix: Uint8Array): boolean {
  if (blob.length < prefix.length) return false;
  for (let i = prefix.length - 1; i >= 0; i--) if (blob[i] !== prefix[i]) return false;
  return true;
}

/** Writes bytes 0..56 (magic through KeyMaterialId) into `out`. */
export function writeKeyHeader(out: Uint8Array, f: HeaderFields, version: number = VERSION_1): void {
  out[0] = MAGIC;
  out[1] = version;
  // 12 decimal digits < 2^40: fits; split in two parts to stay within 32-bit arithmetic.
  const acct = Number(f.accountId);
  const hi = Math.floor(acct / 0x100000000);
  const lo = acct >>> 0;
  out[2] = hi & 0xff;
  // Big-endian by shifts: a DataView would need `out.buffer`, which moves a small on-heap
  // Uint8Array's bytes into a new off-heap ArrayBuffer first (V8).
  out[3] = lo >>> 24;
  out[4] = (lo >>> 16) & 0xff;
  out[5] = (lo >>> 8) & 0xff;
  out[6] = lo & 0xff;
  // The IDs are decoded into `out` in place: no regex match, joined string or array per key.
  const k = f.keyId;
  /* Precondition: key IDs in the store are lowercase UUIDs or mrk- IDs. */
  if (!isKeyId(k)) throw new Error('kms-core: malformed key ID in key record');
  if (k.startsWith('mrk-')) {
    out[OFF_FORM] = FORM_MRK;
    hexInto(k, 4, out, OFF_KEY_ID, 16);
  } else {
    // 8-4-4-4-12 hex digits: the UUID's 16 bytes in order.
    out[OFF_FORM] = FORM_UUID;
    hexInto(k, 0, out, OFF_KEY_ID, 4);
    hexInto(k, 9, out, OFF_KEY_ID + 4, 2);
    hexInto(k, 14, out, OFF_KEY_ID + 6, 2);
    hexInto(k, 19, out, OFF_KEY_ID + 8, 2);
    hexInto(k, 24, out, OFF_KEY_ID + 10, 6);
  }
  /* Precondition: a KeyMaterialId is 64 hex digits (32 bytes). */
  if (f.keyMaterialId.length !== 64 || !hexInto(f.keyMaterialId, 0, out, OFF_MATERIAL_ID, 32)) throw new Error('kms-core: malformed KeyMaterialId in key record');
}

/** The key a blob names: its header bytes 0..24 (magic, version, account ID, key-ID form, key ID). */
export const KEY_REF_LEN = OFF_MATERIAL_ID;

/** The key a blob names (readKeyRef). */
export interface BlobKeyRef {
  version: typeof VERSION_1 | typeof VERSION_2;
  accountId: string;
  keyId: string;
}

/**
 * Reads the key reference of a blob (bytes 0..24); undefined when it is not a v1 or v2 blob
 * (both share this header, so Decrypt and ReEncrypt find the key the same way for either).
 */
export function readKeyRef(blob: Uint8Array): BlobKeyRef | undefined {
  const version = blob[1];
  if (blob.length < OVERHEAD || blob[0] !== MAGIC || (version !== VERSION_1 && version !== VERSION_2)) return undefined;
  // Big-endian 40 bits by arithmetic (no DataView: that needs `blob.buffer`).
  const acct = (blob[2] as number) * 0x100000000 + (((blob[3] as number) << 24) >>> 0) + ((blob[4] as number) << 16) + ((blob[5] as number) << 8) + (blob[6] as number);
  if (acct > 999_999_999_999) return undefined;
  const form = blob[OFF_FORM];
  const id = toHex(blob.subarray(OFF_KEY_ID, OFF_MATERIAL_ID));
  let keyId: string;
  if (form === FORM_MRK) keyId = `mrk-${id}`;
  else if (form === FORM_UUID) keyId = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
  else return undefined;
  return { version, accountId: String(acct).padStart(12, '0'), keyId };
}
