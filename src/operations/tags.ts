/**
 * Tags: TagResource, UntagResource, ListResourceTags (API reference, each page), and the Tags
 * of CreateKey (and ReplicateKey: `checkRequestTags` + `initialTags`). The rules and their
 * messages are src/keys/tags.ts.
 *
 * Authorization: kms:TagResource / kms:UntagResource / kms:ListResourceTags in the key policy,
 * key ID or key ARN only, never across accounts (the rows in table.ts). The request's tags are
 * condition keys (`tagFacts`: aws:RequestTag/<key>, aws:TagKeys), and the key's current tags
 * (aws:ResourceTag/<key>) are read before the change: a request is authorized against the tags
 * the key has, not the ones it asks for (Developer Guide, "Controlling access to tags", "ABAC
 * for AWS KMS"). Tagging a key at creation needs kms:TagResource in an IAM policy that is not
 * restricted to particular keys (Developer Guide, "Controlling access to tags"; CreateKey Tags).
 */
import type { RequestFacts } from '../auth/evaluate.js';
import { NotFoundException } from '../errors.js';
import type { KeyRecord, TagRecord } from '../keys/record.js';
import { applyTagResource, applyUntagResource, listTags, validateTagKeys, validateTags, type ApiTag } from '../keys/tags.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { authorizeIam } from './authorize.js';
import type { OpContext } from './context.js';
import { keyNotFound } from './messages.js';

/**
 * A request's Tags as the data layer takes them. Validation against the model has made both
 * members strings; anything else becomes a value the tag rules refuse.
 */
export function apiTags(tags: readonly T.Tag[]): ApiTag[] {
  return tags.map((t) => ({ TagKey: typeof t.TagKey === 'string' ? t.TagKey : '', TagValue: typeof t.TagValue === 'string' ? t.TagValue : '' }));
}

/** The condition keys of a request that carries Tags (aws:RequestTag/<key>, aws:TagKeys). */
export function tagFacts(input: { readonly Tags?: readonly T.Tag[] | undefined }): RequestFacts {
  return input.Tags === undefined ? {} : { requestTags: apiTags(input.Tags) };
}

/** The condition keys of UntagResource (aws:TagKeys). */
export function untagFacts(input: { readonly TagKeys?: readonly string[] | undefined }): RequestFacts {
  return input.TagKeys === undefined ? {} : { tagKeys: input.TagKeys };
}

/* Precondition: TagResource's Tags follow AWS's tag rules (checked before the key is looked up). */
export function checkTags(input: Validated<'TagResource'>): void {
  validateTags(apiTags(input.Tags));
}

/* Precondition: UntagResource's TagKeys follow AWS's tag-key rules (checked before the key is looked up). */
export function checkTagKeys(input: Validated<'UntagResource'>): void {
  validateTagKeys(input.TagKeys);
}

/**
 * For CreateKey and ReplicateKey: checks the request's Tags (TagException, ValidationException)
 * and that the caller may tag a new key (IAM kms:TagResource on "*", with aws:RequestTag and
 * aws:TagKeys). Call it before anything is created; absent or empty Tags need nothing.
 */
export function checkRequestTags(ctx: OpContext, tags: readonly T.Tag[] | undefined): void {
  validateRequestTags(tags);
  authorizeTagging(ctx, tags);
}

/* Precondition: a new key's Tags follow AWS's tag rules. */
export function validateRequestTags(tags: readonly T.Tag[] | undefined): void {
  if (tags !== undefined && tags.length > 0) validateTags(apiTags(tags));
}

/* Precondition: the caller may tag a new key (IAM kms:TagResource, not restricted to a key). */
export function authorizeTagging(ctx: OpContext, tags: readonly T.Tag[] | undefined): void {
  if (tags !== undefined && tags.length > 0) authorizeIam(ctx, 'TagResource', '*', { requestTags: apiTags(tags) });
}

/** The tags a new key starts with (checked by `checkRequestTags`); undefined for none. */
export function initialTags(tags: readonly T.Tag[] | undefined): TagRecord[] | undefined {
  return tags === undefined || tags.length === 0 ? undefined : applyTagResource(undefined, apiTags(tags));
}

/** TagResource: new keys are added, existing ones get the new value; at most 50 tags per key. */
export async function tagResource(ctx: OpContext, input: Validated<'TagResource'>, rec: KeyRecord): Promise<Record<string, never>> {
  const tags = apiTags(input.Tags);
  // The quota is checked against the stored record inside the update, so two concurrent
  // TagResource calls cannot take a key past 50 tags together.
  const updated = await ctx.keyStore.updateKey(rec.arn, (r) => {
    r.tags = applyTagResource(r.tags, tags);
  });
  if (!updated) throw new NotFoundException(keyNotFound(rec.arn));
  return {};
}

/** UntagResource: removes the named tag keys; a key that has no such tag is not an error. */
export async function untagResource(ctx: OpContext, input: Validated<'UntagResource'>, rec: KeyRecord): Promise<Record<string, never>> {
  const keys = input.TagKeys;
  const updated = await ctx.keyStore.updateKey(rec.arn, (r) => {
    const next = applyUntagResource(r.tags, keys);
    // Undefined rather than deleted: a record keeps its layout (operations/keys.ts createKey).
    r.tags = next.length ? next : undefined;
  });
  if (!updated) throw new NotFoundException(keyNotFound(rec.arn));
  return {};
}

/** ListResourceTags: the key's tags in the order they were first added, Limit 1..50 (default 50). */
export async function listResourceTags(_ctx: OpContext, input: Validated<'ListResourceTags'>, rec: KeyRecord): Promise<T.ListResourceTagsResponse> {
  return listTags(rec.tags, { Limit: input.Limit, Marker: input.Marker });
}
