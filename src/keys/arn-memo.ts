/**
 * Key ARNs by key ID (of one account and Region) and by the key reference a symmetric blob
 * carries (of one Region), in direct-mapped tables of the ARN strings of stored records.
 *
 * Why (issue 14): the key store is keyed by ARN, and a call that names its key by key ID (the
 * destination of a ReEncrypt, the key of an Encrypt) or by blob (the source of a Decrypt or a
 * ReEncrypt) built the ARN anew each time: a new string (~90 bytes, and ~300 more for a blob's
 * decoded key reference) that the store's Map lookup then hashes and compares in full with the
 * stored key. A table slot holds the ARN of a record the store answered (`keep`), the very string
 * the store's Map holds as key: its hash is computed already, and the Map's comparison is a
 * pointer comparison. A table holds only strings records own, so a miss promotes nothing.
 *
 * Bounded whatever the number of keys: a table starts at 256 slots (1,024 for blobs) and grows
 * four-fold, up to 2^17 slots (512 KiB of references), only while more than a quarter of its
 * lookups miss (over 10^5 keys in use, say), judged over windows of 4,096 lookups (and not
 * until as many lookups as it has slots after a growth: until then its misses are mostly keys
 * in use not kept again yet). Slots are indexed by the key ID's last five hex digits (random in
 * a UUID and in an `mrk-` ID); a slot keeps the last ARN kept there. A hit is decided by
 * comparing the whole identifier with the kept ARN, so an ID or blob never gets another key's
 * ARN. Nothing but ARNs is held (never anything secret).
 */
import { FORM_MRK, FORM_UUID, KEY_REF_LEN, MAGIC, OFF_FORM, OFF_KEY_ID, VERSION_1, VERSION_2, readKeyRef } from '../envelope/format.js';
import { isKeyId, keyArn, partitionOf } from './arn.js';

const MAX_SLOTS = 1 << 17;
/** Lookups between two decisions to grow. */
const WINDOW = 4096;

/** The value of each lowercase hex digit by char code, -1 for every other character. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

/** The value of a lowercase hex digit's char code (0–9: 0x30–0x39, a–f: 0x61–0x66), unchecked. */
const hexValue = (c: number) => (c & 0x0f) + 9 * (c >> 6);

/** The value of the last five hex digits of `s` (a key ID, or an ARN ending in one). */
function tail(s: string): number {
  const n = s.length;
  return hexValue(s.charCodeAt(n - 1)) | (hexValue(s.charCodeAt(n - 2)) << 4) | (hexValue(s.charCodeAt(n - 3)) << 8) | (hexValue(s.charCodeAt(n - 4)) << 12) | (hexValue(s.charCodeAt(n - 5)) << 16);
}

/** The same value read off a blob's key reference: the last 2.5 bytes of its key ID (bytes 21..24). */
function blobTail(blob: Uint8Array): number {
  return (blob[KEY_REF_LEN - 1] as number) | ((blob[KEY_REF_LEN - 2] as number) << 8) | (((blob[KEY_REF_LEN - 3] as number) & 0x0f) << 16);
}

/** A table of kept ARNs by the tail of their key ID, growing while it misses (see above). */
class ArnTable {
  #arns: (string | undefined)[];
  #mask: number;
  #lookups = 0;
  #misses = 0;
  /**
   * Whether the last lookup missed: a keep after a hit has nothing to do, and skipping it spares
   * reading the kept ARN's last characters, a cache miss of its own over 10^5 keys. Only a hint:
   * with an asynchronous store, lookups and keeps of several calls interleave, and a wrong hint
   * costs a keep or skips one, never a wrong answer.
   */
  lastMissed = false;
  /**
   * Lookups left before the next verdict after a growth: as many as the new table has slots, so
   * that the keys in use are kept again first (their misses until then are no verdict).
   */
  #quiet = 0;

  constructor(slots: number) {
    this.#arns = new Array<string | undefined>(slots).fill(undefined);
    this.#mask = slots - 1;
  }

  get slots(): number {
    return this.#arns.length;
  }

  /** The ARN kept in the slot of `t` (a tail value), for the caller to compare. */
  at(t: number): string | undefined {
    if (++this.#lookups === WINDOW) this.#decide();
    this.lastMissed = false;
    return this.#arns[t & this.#mask];
  }

  missed(): void {
    this.#misses++;
    this.lastMissed = true;
  }

  /** Keeps `arn` (already checked by the caller) in its slot. */
  put(arn: string): void {
    this.#arns[tail(arn) & this.#mask] = arn;
  }

  has(arn: string): boolean {
    return this.#arns[tail(arn) & this.#mask] === arn;
  }

  #decide(): void {
    const quiet = this.#quiet > 0;
    const grow = !quiet && this.#misses * 4 > WINDOW && this.#arns.length < MAX_SLOTS;
    this.#lookups = 0;
    this.#misses = 0;
    if (quiet) this.#quiet -= WINDOW;
    if (!grow) return;
    const old = this.#arns;
    this.#arns = new Array<string | undefined>(Math.min(MAX_SLOTS, old.length * 4)).fill(undefined);
    this.#mask = this.#arns.length - 1;
    for (const a of old) if (a !== undefined) this.put(a);
    this.#quiet = this.#arns.length;
  }
}

/** `arn:<partition>:kms:<region>:`: what every key ARN of a Region starts with. */
const regionPrefix = (region: string) => ['arn:', partitionOf(region), ':kms:', region, ':'].join('');

export class KeyArnMemo {
  readonly #table = new ArnTable(256);
  /** `arn:<partition>:kms:<region>:<account>:key/`. */
  readonly #prefix: string;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {
    this.#prefix = [regionPrefix(region), accountId, ':key/'].join('');
  }

  /** Slots in the table now (tests). */
  get slots(): number {
    return this.#table.slots;
  }

  /** keyArn(region, accountId, keyId), for a key ID as kms-core stores it (keys/arn.ts isKeyId). */
  arn(keyId: string): string {
    const kept = this.#table.at(tail(keyId));
    // A kept ARN is the prefix and a key ID (keep checks it): it is this ID's when it ends with it.
    if (kept !== undefined && kept.length === this.#prefix.length + keyId.length && kept.endsWith(keyId)) return kept;
    this.#table.missed();
    return keyArn(this.region, this.accountId, keyId);
  }

  /** Keeps a stored record's ARN, when it is a key ARN of this account and Region. */
  keep(arn: string): void {
    if (!this.#table.lastMissed || this.#table.has(arn)) return;
    if (arn.startsWith(this.#prefix) && isKeyId(arn.slice(this.#prefix.length))) this.#table.put(arn);
  }
}

/** Where a kept ARN's parts start, after the Region prefix: account (12 digits), `:key/`, key ID. */
const ACCOUNT_LEN = 12;
const KEY_PART = ACCOUNT_LEN + ':key/'.length;
/** Char offsets of the 16 key-ID bytes in a UUID (8-4-4-4-12) and in an `mrk-` ID. */
const UUID_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const MRK_AT = UUID_AT.map((_, i) => 4 + 2 * i);
const UUID_LEN = 36;

/**
 * Key ARNs by the key reference a symmetric blob carries (header bytes 0..24: magic, version,
 * account, key-ID form, key ID): Decrypt and ReEncrypt name their source key this way on every
 * call. A hit compares the blob's reference with the kept ARN in place (no string is built), so
 * a blob that differs from a key's reference in any byte never gets that key's ARN.
 */
export class BlobArnMemo {
  readonly #table = new ArnTable(1024);
  /** `arn:<partition>:kms:<region>:`. */
  readonly #prefix: string;

  constructor(private readonly region: string) {
    this.#prefix = regionPrefix(region);
  }

  /** Slots in the table now (tests). */
  get slots(): number {
    return this.#table.slots;
  }

  /** The ARN of the key `blob` names, in this Region; undefined when it is no kms-core envelope. */
  arn(blob: Uint8Array): string | undefined {
    if (blob.length < KEY_REF_LEN) return undefined;
    const kept = this.#table.at(blobTail(blob));
    if (kept !== undefined && this.#names(kept, blob)) return kept;
    this.#table.missed();
    const ref = readKeyRef(blob);
    return ref && keyArn(this.region, ref.accountId, ref.keyId);
  }

  /** Keeps a stored record's ARN, when it is a key ARN of this Region. */
  keep(arn: string): void {
    if (!this.#table.lastMissed || this.#table.has(arn)) return;
    const p = this.#prefix.length;
    if (!arn.startsWith(this.#prefix) || arn.length <= p + KEY_PART) return;
    for (let i = 0; i < ACCOUNT_LEN; i++) {
      const d = arn.charCodeAt(p + i) - 0x30;
      if (d < 0 || d > 9) return;
    }
    if (arn.slice(p + ACCOUNT_LEN, p + KEY_PART) !== ':key/' || !isKeyId(arn.slice(p + KEY_PART))) return;
    this.#table.put(arn);
  }

  /** True when the kept ARN `arn` is the key `blob`'s reference names: every byte compared. */
  #names(arn: string, blob: Uint8Array): boolean {
    const version = blob[1];
    if (blob[0] !== MAGIC || (version !== VERSION_1 && version !== VERSION_2)) return false;
    const p = this.#prefix.length;
    // The account: 40 bits big-endian against 12 decimal digits (kept ARNs have only digits there).
    const acct = (blob[2] as number) * 0x100000000 + (((blob[3] as number) << 24) >>> 0) + ((blob[4] as number) << 16) + ((blob[5] as number) << 8) + (blob[6] as number);
    let digits = 0;
    for (let i = 0; i < ACCOUNT_LEN; i++) digits = digits * 10 + (arn.charCodeAt(p + i) - 0x30);
    if (digits !== acct) return false;
    const k = p + KEY_PART;
    const form = blob[OFF_FORM];
    let at: readonly number[];
    if (form === FORM_UUID) {
      if (arn.length !== k + UUID_LEN || arn.charCodeAt(k + 8) !== 0x2d) return false;
      at = UUID_AT;
    } else if (form === FORM_MRK) {
      if (arn.length !== k + UUID_LEN || arn.charCodeAt(k + 3) !== 0x2d || arn.charCodeAt(k) !== 0x6d) return false;
      at = MRK_AT;
    } else return false;
    // Each key-ID byte against its two hex digits (exact: HEX is -1 for anything else).
    for (let i = 0; i < 16; i++) {
      const b = blob[OFF_KEY_ID + i] as number;
      const c = k + (at[i] as number);
      if (HEX[arn.charCodeAt(c)] !== b >> 4 || HEX[arn.charCodeAt(c + 1)] !== (b & 0x0f)) return false;
    }
    return true;
  }
}
