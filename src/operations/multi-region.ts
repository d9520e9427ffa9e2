/**
 * Multi-Region keys: ReplicateKey, UpdatePrimaryRegion (API reference, each page; Developer
 * Guide, "Multi-Region keys in AWS KMS", "Create multi-Region replica keys", "Change the
 * primary key in a set of multi-Region keys"). CreateKey makes the primary (`MultiRegion: true`,
 * key ID `mrk-` + 32 hex); the record model is src/keys/multi-region.ts, the atomic set updates
 * src/operations/multi-region-sets.ts.
 *
 * Both operations work on keys of other Regions of the caller's partition, in the same
 * KeyStore: a `Kms` of each Region of a partition must share one store (README, "Key stores").
 * kms-core is synchronous, so the transient states AWS shows while it copies a replica
 * (Creating) or moves the primary (Updating) are over when the call returns; ReplicateKey's
 * response still reports the new replica as AWS's does, Creating.
 */
import { defaultKeyPolicy } from '../auth/policy.js';
import type { KeyFacts } from '../auth/evaluate.js';
import { AlreadyExistsException, NotFoundException, UnsupportedOperationException, ValidationException } from '../errors.js';
import { isRegion, partitionOf } from '../keys/arn.js';
import { designate, isPrimary, newReplica, primaryRegionOf, relatedArn, replicaRegionsOf, syncShared } from '../keys/multi-region.js';
import type { KeyRecord } from '../keys/record.js';
import { applyTagResource, validateTags, type ApiTag } from '../keys/tags.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { authorize, authorizeIam, checkPolicy } from './authorize.js';
import { nowMs, type OpContext } from './context.js';
import { ENABLED_ONLY, REPLICATE_KEY, checkKeyState } from './key-states.js';
import { keyNotFound } from './messages.js';
import { settleReplicaDeletions, updateSet } from './multi-region-sets.js';
import { getKey } from './resolve.js';
import { metadata } from './views.js';

/* Precondition: the key is a multi-Region key (single-Region keys cannot be replicated or converted). */
function checkMultiRegion(rec: KeyRecord): void {
  if (!rec.multiRegion) throw new UnsupportedOperationException(`${rec.arn} is not a multi-Region key.`);
}

/* Precondition: the key is its set's primary ("It's the only key that can be replicated": UpdatePrimaryRegion). */
function checkIsPrimary(rec: KeyRecord): void {
  if (!isPrimary(rec)) throw new UnsupportedOperationException(`${rec.arn} is not a multi-Region primary key; its primary key is ${relatedArn(rec, primaryRegionOf(rec))}.`);
}

/**
 * The request's tags. validateInput has refused a tag without TagKey or TagValue (the model
 * requires both: "Member must not be null"); the generated types keep them optional.
 */
function apiTags(list: readonly T.Tag[]): ApiTag[] {
  return list.map((t) => ({ TagKey: String(t.TagKey), TagValue: String(t.TagValue) }));
}

/** The key facts of the key of `rec`'s set in `region`, for condition keys before it exists. */
function factsIn(rec: KeyRecord, region: string, primaryRegion: string): KeyFacts {
  return { arn: relatedArn(rec, region), accountId: rec.accountId, keySpec: rec.keySpec, keyUsage: rec.keyUsage, origin: rec.origin, multiRegion: true, region, primaryRegion };
}

/**
 * ReplicateKey: a replica of the primary key in ReplicaRegion, a different Region of the same
 * partition, with the primary's shared properties and its own description, key policy (the
 * default one when Policy is omitted) and tags. kms:ReplicateKey on the primary (the runner),
 * kms:CreateKey in an IAM policy in the replica Region, and kms:TagResource (IAM) for Tags.
 * "You cannot create more than one replica of a primary key in any Region":
 * AlreadyExistsException, also when that replica is PendingDeletion.
 */
export async function replicateKey(ctx: OpContext, input: Validated<'ReplicateKey'>, found: KeyRecord): Promise<T.ReplicateKeyResponse> {
  checkMultiRegion(found);
  checkIsPrimary(found);
  const rec = (await settleReplicaDeletions(ctx, found)) ?? found;
  const region = input.ReplicaRegion;
  /* Precondition: the replica Region is a Region kms-core accepts (as for a Kms of that Region). */
  if (!isRegion(region)) throw new ValidationException(`ReplicaRegion ${region} is not a Region kms-core accepts (e.g. eu-west-1).`);
  /* Precondition: the replica Region is in the primary key's partition ("in the same AWS partition"). */
  if (partitionOf(region) !== partitionOf(rec.region)) {
    throw new ValidationException(`ReplicaRegion ${region} is not in the partition (${partitionOf(rec.region)}) of the primary key ${rec.arn}.`);
  }
  const alreadyThere = () => new AlreadyExistsException(`${relatedArn(rec, region)} already exists: a key of this multi-Region set is in ${region}.`);
  /* Precondition: one key of the set per Region (its primary's Region included). */
  if (region === rec.region || replicaRegionsOf(rec).includes(region)) throw alreadyThere();
  // Key specs offered in some Regions only (SM2: the China Regions; ML-KEM: not there) are
  // offered in every Region of their partition, so the partition rule above covers them.
  const facts = factsIn(rec, region, rec.region);
  authorizeIam(ctx, 'CreateKey', '*', { bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck }, facts);
  const tags = apiTags(input.Tags ?? []);
  if (tags.length) {
    validateTags(tags);
    authorizeIam(ctx, 'TagResource', facts.arn, undefined, facts);
  }
  if (input.Policy !== undefined) checkPolicy(ctx, input.Policy, input.BypassPolicyLockoutSafetyCheck === true, facts);
  const now = nowMs(ctx);
  const out = await updateSet(
    ctx,
    rec,
    (recs, arns) => {
      const primary = recs[0];
      if (!primary) throw new NotFoundException(keyNotFound(rec.arn));
      // Decided again on the newest records: another call may have changed the set meanwhile.
      checkKeyState(REPLICATE_KEY, primary);
      const slot = arns.indexOf(facts.arn);
      if (recs[slot]) throw alreadyThere();
      const regions = [...replicaRegionsOf(primary), region];
      recs[slot] = newReplica(primary, { region, now, description: input.Description ?? '', policy: input.Policy, tags: tags.length ? applyTagResource(undefined, tags) : undefined });
      for (const r of recs) if (r) designate(r, primary.region, regions);
    },
    [facts.arn],
  );
  const replica = out.records[out.arns.indexOf(facts.arn)] as KeyRecord;
  return {
    // "When this operation completes, the new replica key has a transient key state of Creating."
    ReplicaKeyMetadata: { ...metadata(replica), KeyState: 'Creating', Enabled: false },
    ReplicaPolicy: replica.policy ?? defaultKeyPolicy(partitionOf(region), replica.accountId),
    ReplicaTags: (replica.tags ?? []).map((t) => ({ TagKey: t.key, TagValue: t.value })),
  };
}

/**
 * UpdatePrimaryRegion: the replica in PrimaryRegion becomes the primary and the current primary
 * (KeyId) a replica. kms:UpdatePrimaryRegion on both keys, each by its own key policy; both
 * must be Enabled. The new primary holds every material version (it already does; merged
 * again in case a store without updateKeys was interrupted) and the set's rotation settings.
 * Its other properties (policy, description, state, aliases, tags) stay its own.
 */
export async function updatePrimaryRegion(ctx: OpContext, input: Validated<'UpdatePrimaryRegion'>, found: KeyRecord): Promise<Record<string, never>> {
  checkMultiRegion(found);
  checkIsPrimary(found);
  const rec = (await settleReplicaDeletions(ctx, found)) ?? found;
  const region = input.PrimaryRegion;
  /* Precondition: PrimaryRegion is another Region than the current primary's. */
  if (region === rec.region) throw new UnsupportedOperationException(`${rec.arn} is already the primary key of its multi-Region set.`);
  const target = relatedArn(rec, region);
  const replica = replicaRegionsOf(rec).includes(region) ? await getKey(ctx, target) : undefined;
  /* Precondition: "There must be an existing replica key in this Region." */
  if (!replica || primaryRegionOf(replica) !== rec.region) throw new NotFoundException(keyNotFound(target));
  authorize(ctx, 'UpdatePrimaryRegion', replica, { primaryRegion: region }, false);
  checkKeyState(ENABLED_ONLY, replica);
  await updateSet(ctx, rec, (recs, arns) => {
    const primary = recs[0];
    const next = recs[arns.indexOf(target)];
    if (!primary) throw new NotFoundException(keyNotFound(rec.arn));
    if (!next) throw new NotFoundException(keyNotFound(target));
    checkKeyState(ENABLED_ONLY, primary);
    checkKeyState(ENABLED_ONLY, next);
    syncShared(primary, next);
    const regions = [...replicaRegionsOf(primary).filter((r) => r !== region), primary.region];
    for (const r of recs) if (r) designate(r, region, regions);
  });
  return {};
}
