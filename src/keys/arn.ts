/**
 * ARNs and identifiers of KMS keys and aliases.
 *
 * KMS accepts four forms wherever a key is named (API reference, "KeyId" parameter):
 * key ID, key ARN, alias name, alias ARN. Key ARN: arn:<partition>:kms:<region>:<account>:key/<id>.
 */
import type { Random } from '../random.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { toHex } from '../util/bytes.js';

/** The ARN partition of a region: aws-cn for the China Regions, aws-us-gov for GovCloud. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

// Key and alias ARNs are joined, not concatenated: a template literal of this length is a rope
// of cons strings in V8, which a record keeps for as long as the key lives and which every read
// of its characters (a Map lookup's comparison, a flatten on first hash) goes through. With
// 10^5 keys each rope is ~5 more objects in cold memory per key (issue 14); join gives one flat
// string.
export function keyArn(region: string, accountId: string, keyId: string): string {
  return ['arn:', partitionOf(region), ':kms:', region, ':', accountId, ':key/', keyId].join('');
}

export function aliasArn(region: string, accountId: string, aliasName: string): string {
  return ['arn:', partitionOf(region), ':kms:', region, ':', accountId, ':', aliasName].join('');
}

export function rootPrincipal(region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:iam::${accountId}:root`;
}

const MRK = /^mrk-[0-9a-f]{32}$/;
const ACCOUNT = /^\d{12}$/;
const ARN = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):(\d{12}):(key\/[^/].*|alias\/.+)$/;

/** A UUID in kms-core's form (8-4-4-4-12 lowercase hex), checked by char codes. */
function isLowerUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

export function isKeyId(s: string): boolean {
  return isLowerUuid(s) || MRK.test(s);
}

export function isAccountId(s: string): boolean {
  return ACCOUNT.test(s);
}

/** The AWS Region form kms-core accepts (the Kms constructor's, the key-store snapshot's). */
const REGION_FORM = /^[a-z]{2}(-[a-z]+)+-\d+$/;
export function isRegion(s: string): boolean {
  return REGION_FORM.test(s);
}

/** A parsed key identifier as a caller wrote it. */
export type KeyRef =
  | { kind: 'keyId'; keyId: string }
  | { kind: 'keyArn'; partition: string; region: string; accountId: string; keyId: string }
  | { kind: 'aliasName'; aliasName: string }
  | { kind: 'aliasArn'; partition: string; region: string; accountId: string; aliasName: string };

const refCache = new BoundedCache<string, KeyRef | undefined>(4096);

/**
 * Parses any of the four identifier forms; undefined when it is none of them. Memoized (hot
 * path: harnesses name the same few keys millions of times); the results are never mutated.
 */
export function parseKeyRef(id: string): Readonly<KeyRef> | undefined {
  // A key ID as kms-core writes it (lowercase UUID) is recognized in one pass, without the
  // cache: a harness naming 10^5 keys would only churn it (issue 14).
  if (isLowerUuid(id)) return { kind: 'keyId', keyId: id };
  let ref = refCache.get(id);
  if (ref !== undefined || refCache.has(id)) return ref;
  ref = parse(id);
  refCache.set(id, ref);
  return ref;
}

function parse(id: string): KeyRef | undefined {
  if (id.startsWith('alias/')) return { kind: 'aliasName', aliasName: id };
  if (id.startsWith('arn:')) {
    const m = ARN.exec(id);
    if (!m) return undefined;
    const [, partition, region, accountId, resource] = m as unknown as [string, string, string, string, string];
    if (resource.startsWith('key/')) {
      const keyId = resource.slice(4);
      // Key IDs are case-insensitive UUIDs in AWS; kms-core stores them in lowercase.
      return { kind: 'keyArn', partition, region, accountId, keyId: keyId.toLowerCase() };
    }
    return { kind: 'aliasArn', partition, region, accountId, aliasName: resource };
  }
  const lower = id.toLowerCase();
  if (isKeyId(lower)) return { kind: 'keyId', keyId: lower };
  return undefined;
}

/** A new key ID: a version-4 UUID (RFC 9562 §5.4), or `mrk-` + 32 hex for multi-Region keys. */
export function newKeyId(random: Random, multiRegion: boolean): string {
  const b = Uint8Array.from(random(16));
  // Joined, not concatenated: one flat string rather than a rope (see toHex), since the ID is
  // kept as long as the key and read on every call that names it.
  if (multiRegion) return ['mrk-', toHex(b)].join('');
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = toHex(b);
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-');
}

