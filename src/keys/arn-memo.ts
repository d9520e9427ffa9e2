/**
 * Key ARNs of one account and Region by key ID, in a small direct-mapped table.
 *
 * Why (issue 14): the key store is keyed by ARN, and a call that names its key by key ID (the
 * destination of a ReEncrypt, the key of an Encrypt) built the ARN anew each time. A new string
 * is flattened and hashed by the store's Map lookup: ~0.35 µs for 75 characters, more than the
 * lookup itself. A slot keeps the last key ID that fell into it and that ID's ARN, a string
 * whose hash V8 has already computed.
 *
 * Bounded whatever the number of keys: 256 slots, indexed by the ID's last two hex digits
 * (random in a UUID and in an `mrk-` ID); a miss builds the ARN as before and takes the slot.
 * No eviction policy to tune, no entry outlives its slot being reused, and nothing but IDs and
 * ARNs is held (never anything secret).
 */
import { KEY_REF_LEN, readKeyRef } from '../envelope/format.js';
import { keyArn } from './arn.js';

const SLOTS = 256;

/** The value of a lowercase hex digit's char code (0–9: 0x30–0x39, a–f: 0x61–0x66). */
const hexValue = (c: number) => (c & 0x0f) + 9 * (c >> 6);

export class KeyArnMemo {
  readonly #ids: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  readonly #arns: string[] = new Array<string>(SLOTS).fill('');

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** keyArn(region, accountId, keyId), for a key ID as kms-core stores it (keys/arn.ts isKeyId). */
  arn(keyId: string): string {
    const n = keyId.length;
    const slot = (hexValue(keyId.charCodeAt(n - 1)) | (hexValue(keyId.charCodeAt(n - 2)) << 4)) & (SLOTS - 1);
    if (this.#ids[slot] === keyId) return this.#arns[slot] as string;
    const arn = keyArn(this.region, this.accountId, keyId);
    this.#ids[slot] = keyId;
    this.#arns[slot] = arn;
    return arn;
  }
}

/** Slots of a BlobArnMemo: 1,024, so that a few dozen hot keys seldom share one. */
const BLOB_SLOTS = 1024;

/**
 * Key ARNs by the key reference a symmetric blob carries (header bytes 0..24: version, account,
 * key ID), in a direct-mapped table like KeyArnMemo's: Decrypt and ReEncrypt name their source
 * key this way on every call.
 *
 * Why (issue 14): the earlier memo was a two-generation Map keyed by a 24-character string built
 * from those bytes on every call, hit or miss. Over 10^5 keys it missed nearly always, and its
 * entries lived long enough to be promoted before they were dropped (~83 of the ~130 bytes a
 * ReEncrypt promoted at 10^5 keys). Here a hit compares the blob's bytes in place (no string),
 * and a miss only overwrites a slot: bounded (24 KiB of reference bytes and 1,024 ARNs) whatever
 * the number of keys. Slots are indexed by the key ID's last byte and two bits of the one before
 * (random in a UUID and in an `mrk-` ID). Nothing but public header bytes and ARNs is held.
 */
export class BlobArnMemo {
  readonly #refs = new Uint8Array(BLOB_SLOTS * KEY_REF_LEN);
  readonly #arns: (string | undefined)[] = new Array<string | undefined>(BLOB_SLOTS).fill(undefined);

  constructor(private readonly region: string) {}

  /** The ARN of the key `blob` names, in this Region; undefined when it is no kms-core envelope. */
  arn(blob: Uint8Array): string | undefined {
    if (blob.length < KEY_REF_LEN) return undefined;
    const slot = (blob[KEY_REF_LEN - 1] as number) | (((blob[KEY_REF_LEN - 2] as number) & 3) << 8);
    const hit = this.#arns[slot];
    if (hit !== undefined && this.#holds(slot, blob)) return hit;
    const ref = readKeyRef(blob);
    if (!ref) return undefined;
    const arn = keyArn(this.region, ref.accountId, ref.keyId);
    this.#refs.set(blob.subarray(0, KEY_REF_LEN), slot * KEY_REF_LEN);
    this.#arns[slot] = arn;
    return arn;
  }

  /** True when slot `slot` holds the key reference `blob` starts with. */
  #holds(slot: number, blob: Uint8Array): boolean {
    const refs = this.#refs;
    const base = slot * KEY_REF_LEN;
    for (let i = 0; i < KEY_REF_LEN; i++) if (refs[base + i] !== blob[i]) return false;
    return true;
  }
}
