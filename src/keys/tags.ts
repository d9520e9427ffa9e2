/**
 * Tags on KMS keys: AWS's rules and the pure functions TagResource, UntagResource,
 * ListResourceTags and CreateKey/ReplicateKey({ Tags }) apply to a key record's `tags`.
 *
 *   validateTags(input.Tags);                                    // TagException / ValidationException
 *   await store.updateKey(arn, (r) => { r.tags = applyTagResource(r.tags, input.Tags); });
 *   await store.updateKey(arn, (r) => { r.tags = applyUntagResource(r.tags, input.TagKeys); });
 *   return listTags(rec.tags, { Limit: input.Limit, Marker: input.Marker });
 *
 * Rules (API reference, Tag / TagResource / CreateKey Tags; Developer Guide "Tagging keys";
 * messages as AWS sends them, recorded by LocalStack's KMS provider, localstack-core
 * services/kms/utils.py `validate_tag` and `validate_and_filter_tags`):
 * - TagKey 1..128 and TagValue 0..256 characters (the model's TagKeyType / TagValueType; an
 *   empty value is allowed): ValidationException in the model's words;
 * - two tags with one key in a request: TagException "Duplicate tag keys";
 * - more than 50 tags in one request: TagException "Too many tags"; more than 50 on the key once
 *   the request is applied: LimitExceededException (AWS's quota of 50 tags per KMS key, the
 *   quota error TagResource lists; the message is kms-core's, see notes/admin-endpoint.md);
 * - a key beginning with `aws:` (any case) is reserved: TagException "Tags beginning with aws:
 *   are reserved".
 * Keys and values are case-sensitive; tagging an existing key replaces its value; untagging a
 * key that is not there is not an error. Pure code (no node:*); records are replaced, never
 * mutated (a store may share arrays between copies of a record).
 */
import { InvalidMarkerException, LimitExceededException, TagException } from '../errors.js';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../util/bytes.js';
import { validationError } from '../validate.js';
import type { TagRecord } from './record.js';

export const MAX_TAGS_PER_KEY = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
/** ListResourceTags Limit: 1..50, default 50 (API reference, ListResourceTags). */
export const LIST_TAGS_DEFAULT_LIMIT = 50;

/** A tag as the API carries it. */
export interface ApiTag {
  TagKey: string;
  TagValue: string;
}

const RESERVED = 'aws:';
const reserved = (key: string) => key.slice(0, RESERVED.length).toLowerCase() === RESERVED;

const lengthViolation = (value: string, path: string, min: number, max: number): string | undefined =>
  value.length < min
    ? `Value '${value}' at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`
    : value.length > max
      ? `Value '${value}' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`
      : undefined;

/**
 * Checks the Tags of a CreateKey, ReplicateKey or TagResource request (`field`: the member's
 * lower-camel path for messages, default 'tags').
 */
export function validateTags(tags: readonly ApiTag[], field = 'tags'): void {
  const violations: string[] = [];
  tags.forEach((t, i) => {
    /* Precondition: TagKey and TagValue are strings (the protocol layer checks types first). */
    if (typeof t?.TagKey !== 'string' || typeof t?.TagValue !== 'string') throw new TagException('Each tag needs a TagKey and a TagValue string.');
    const k = lengthViolation(t.TagKey, `${field}.${i + 1}.member.tagKey`, 1, TAG_KEY_MAX);
    const v = lengthViolation(t.TagValue, `${field}.${i + 1}.member.tagValue`, 0, TAG_VALUE_MAX);
    if (k) violations.push(k);
    if (v) violations.push(v);
  });
  /* Precondition: tag keys are 1..128 and values 0..256 characters. */
  if (violations.length) throw validationError(violations);
  /* Precondition: no tag key appears twice in one request. */
  if (new Set(tags.map((t) => t.TagKey)).size !== tags.length) throw new TagException('Duplicate tag keys');
  /* Precondition: at most 50 tags in one request. */
  if (tags.length > MAX_TAGS_PER_KEY) throw new TagException('Too many tags');
  /* Precondition: the aws: prefix is reserved for AWS. */
  if (tags.some((t) => reserved(t.TagKey))) throw new TagException('Tags beginning with aws: are reserved');
}

/** Checks the TagKeys of an UntagResource request. */
export function validateTagKeys(keys: readonly string[], field = 'tagKeys'): void {
  const violations: string[] = [];
  keys.forEach((k, i) => {
    if (typeof k !== 'string') throw new TagException('Each tag key must be a string.');
    const v = lengthViolation(k, `${field}.${i + 1}.member`, 1, TAG_KEY_MAX);
    if (v) violations.push(v);
  });
  /* Precondition: tag keys are 1..128 characters. */
  if (violations.length) throw validationError(violations);
  /* Precondition: the aws: prefix is reserved for AWS. */
  if (keys.some(reserved)) throw new TagException('Tags beginning with aws: are reserved');
}

/** The key's tags after TagResource (or CreateKey) with `request`: new keys appended, existing ones replaced. */
export function applyTagResource(current: readonly TagRecord[] | undefined, request: readonly ApiTag[]): TagRecord[] {
  validateTags(request);
  const out = (current ?? []).map((t) => ({ key: t.key, value: t.value }));
  const index = new Map(out.map((t, i) => [t.key, i]));
  for (const t of request) {
    const i = index.get(t.TagKey);
    if (i === undefined) {
      index.set(t.TagKey, out.length);
      out.push({ key: t.TagKey, value: t.TagValue });
    } else out[i] = { key: t.TagKey, value: t.TagValue };
  }
  /* Precondition: a key holds at most 50 tags. */
  if (out.length > MAX_TAGS_PER_KEY) throw new LimitExceededException(`The request would exceed the quota of ${MAX_TAGS_PER_KEY} tags per KMS key.`);
  return out;
}

/** The key's tags after UntagResource with `tagKeys` (keys that are not there are ignored). */
export function applyUntagResource(current: readonly TagRecord[] | undefined, tagKeys: readonly string[]): TagRecord[] {
  validateTagKeys(tagKeys);
  const drop = new Set(tagKeys);
  return (current ?? []).filter((t) => !drop.has(t.key)).map((t) => ({ key: t.key, value: t.value }));
}

export interface ListTagsPage {
  Tags: ApiTag[];
  Truncated: boolean;
  NextMarker?: string;
}

/**
 * One page of ListResourceTags. The marker names the first tag of the next page (base64url of
 * its key, so it fits MarkerType's [\u0020-\u00FF] pattern whatever the key holds); a marker
 * naming no tag is InvalidMarkerException.
 */
export function listTags(current: readonly TagRecord[] | undefined, page: { Limit?: number | undefined; Marker?: string | undefined } = {}): ListTagsPage {
  const tags = current ?? [];
  // Limit 1..50 (API reference); a larger Limit returns at most 50, as ListAliases caps at 100.
  const limit = Math.min(page.Limit ?? LIST_TAGS_DEFAULT_LIMIT, LIST_TAGS_DEFAULT_LIMIT);
  let start = 0;
  if (page.Marker !== undefined) {
    const bytes = fromBase64Url(page.Marker);
    let key: string | undefined;
    try {
      key = bytes && fromUtf8(bytes);
    } catch {
      key = undefined;
    }
    start = key === undefined ? -1 : tags.findIndex((t) => t.key === key);
    /* Precondition: the marker is one ListResourceTags returned. */
    if (start < 0) throw new InvalidMarkerException('The marker that specifies where pagination should next begin is not valid.');
  }
  const slice = tags.slice(start, start + limit);
  const next = tags[start + limit];
  const out: ListTagsPage = { Tags: slice.map((t) => ({ TagKey: t.key, TagValue: t.value })), Truncated: next !== undefined };
  if (next !== undefined) out.NextMarker = toBase64Url(utf8(next.key));
  return out;
}
