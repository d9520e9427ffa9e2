/**
 * Key lifecycle: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, ScheduleKeyDeletion,
 * CancelKeyDeletion, UpdateKeyDescription (API reference, each page; Developer Guide, "Key states").
 */
import { importRow } from '../algorithms/importable.js';
import { keySpecInfo } from '../algorithms/registry.js';
import { CustomKeyStoreNotFoundException, KMSInternalException, NotFoundException, UnsupportedOperationException, ValidationException } from '../errors.js';
import { keyArn, newKeyId } from '../keys/arn.js';
import { isReplica } from '../keys/multi-region.js';
import { allMaterialImported } from '../keys/imported.js';
import type { KeyRecord, KeySpec } from '../keys/record.js';
import { DAY_MS } from '../keys/rotation.js';
import { startUsageTracking } from '../keys/usage.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { rangeViolation, validationError } from '../validate.js';
import { authorizeIam, checkPolicy } from './authorize.js';
import { nowMs, type OpContext } from './context.js';
import { CUSTOM_KEY_STORE_NOT_FOUND, keyNotFound } from './messages.js';
import { authorizeTagging, initialTags, tagFacts, validateRequestTags } from './tags.js';
import { scheduleDeletion, settleReplicaDeletions } from './multi-region-sets.js';
import { refresh } from './resolve.js';
import { unsupportedSpec } from './spec.js';
import { metadata, paginate } from './views.js';

/** CreateKey's KeySpec when the request names none (API reference, CreateKey KeySpec). */
const DEFAULT_KEY_SPEC = 'SYMMETRIC_DEFAULT';

/** CreateKey: a key of any spec kms-core implements, for a usage its row offers. */
export async function createKey(ctx: OpContext, input: Validated<'CreateKey'>): Promise<T.CreateKeyResponse> {
  /* Precondition: KeySpec and the deprecated CustomerMasterKeySpec are not both given. */
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
    throw new ValidationException('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  /* Precondition: the Tags follow AWS's tag rules (before anything is created). */
  validateRequestTags(input.Tags);
  const spec = (input.KeySpec ?? input.CustomerMasterKeySpec ?? DEFAULT_KEY_SPEC) as KeySpec;
  // Recorded AWS responses: only symmetric encryption keys (the default spec) may omit
  // KeyUsage, and they take ENCRYPT_DECRYPT only.
  /* Precondition: every key but a symmetric encryption key names its KeyUsage. */
  if (input.KeyUsage === undefined && spec !== DEFAULT_KEY_SPEC) throw new ValidationException('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  const usage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  /* Precondition: a symmetric encryption key has KeyUsage ENCRYPT_DECRYPT. */
  if (spec === DEFAULT_KEY_SPEC && usage !== 'ENCRYPT_DECRYPT') {
    throw new ValidationException(`The operation failed because the KeyUsage value of the CMK is ${usage}. To perform this operation, the KeyUsage value must be ENCRYPT_DECRYPT.`);
  }
  const origin = input.Origin ?? 'AWS_KMS';
  const info = keySpecInfo(spec);
  /* Invariant: kms-core implements the key spec (every KeySpec of the model has a registry row; validation admits no other). */
  if (!info) throw unsupportedSpec(spec);
  /* Precondition: kms-core offers the key usage for the spec. */
  if (!info.keyUsages.includes(usage)) throw new UnsupportedOperationException(`KeyUsage ${usage} is not supported by kms-core for key spec ${spec}; it offers ${info.keyUsages.join(', ')}.`);
  /* Precondition: AWS offers the key spec in this Region (SM2: China Regions only). */
  if (info.regions && !info.regions(ctx.region)) throw new UnsupportedOperationException(`KeySpec ${spec} is not supported in this Region`);
  // Custom key stores: kms-core's account has none (src/operations/custom-key-stores.ts), so a
  // CustomKeyStoreId names nothing (CreateKey lists CustomKeyStoreNotFoundException).
  /* Precondition: a CustomKeyStoreId names a custom key store of the account. */
  if (input.CustomKeyStoreId !== undefined) throw new CustomKeyStoreNotFoundException(CUSTOM_KEY_STORE_NOT_FOUND);
  // Without one, Origin AWS_CLOUDHSM / EXTERNAL_KEY_STORE and XksKeyId stay unsupported, as before
  // (AWS's answer to an Origin that needs a store but names none is not recorded).
  /* Precondition: Origin AWS_CLOUDHSM and EXTERNAL_KEY_STORE come with a CustomKeyStoreId; XksKeyId only with EXTERNAL_KEY_STORE. */
  if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE' || input.XksKeyId !== undefined) {
    throw new UnsupportedOperationException(`Origin ${origin}${input.XksKeyId !== undefined ? ' with an XksKeyId' : ''} needs a custom key store: name it with CustomKeyStoreId (kms-core's account has none).`);
  }
  /* Precondition: imported key material (Origin EXTERNAL) only for the key specs AWS imports (src/algorithms/importable.ts). */
  if (origin === 'EXTERNAL' && !importRow(spec)) {
    throw new UnsupportedOperationException(`KeySpec ${spec} does not support imported key material (Origin EXTERNAL).`);
  }
  // kms:CreateKey is an IAM-only permission; the new key's policy must pass the lockout safety
  // check unless the caller bypasses it (API reference, CreateKey Policy).
  const bypass = input.BypassPolicyLockoutSafetyCheck === true;
  const multiRegion = input.MultiRegion === true;
  const keyFacts = { arn: '*', accountId: ctx.accountId, keySpec: spec, keyUsage: usage, origin, multiRegion };
  // kms:BypassPolicyLockoutSafetyCheck is absent when the request omits it (conditions-kms, Null example).
  authorizeIam(ctx, 'CreateKey', '*', { bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck, ...tagFacts(input) }, keyFacts);
  authorizeTagging(ctx, input.Tags);
  if (input.Policy !== undefined) checkPolicy(ctx, input.Policy, bypass, keyFacts);
  const now = nowMs(ctx);
  const keyId = await freshKeyId(ctx, multiRegion);
  const rec: KeyRecord = {
    keyId,
    arn: keyArn(ctx.region, ctx.accountId, keyId),
    accountId: ctx.accountId,
    region: ctx.region,
    keySpec: spec,
    keyUsage: usage,
    origin,
    description: input.Description ?? '',
    multiRegion,
    creationDate: now,
    keyState: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    rotationEnabled: false,
    material: origin === 'EXTERNAL' ? [] : [await info.generate(ctx.env, now, ctx.region)],
    // Present on every new record, undefined when absent, in this order: a key with a custom
    // policy, tags, grants, rotation or a scheduled deletion then has the hidden class of one
    // without, and the hot path's reads of a record stay monomorphic when both kinds of key are
    // in use (issue 14: a role under a custom policy beside the root under the default one).
    // The operations that set these change a value, never the record's layout, and clear them
    // by setting undefined: deleting a property that is not the last one sends a V8 object to
    // dictionary mode.
    deletionDate: undefined,
    pendingWindowInDays: undefined,
    rotationPeriodInDays: undefined,
    nextRotationDate: undefined,
    onDemandRotationStartDate: undefined,
    policy: input.Policy,
    grants: undefined,
    tags: initialTags(input.Tags),
    usageTrackedSince: undefined,
  };
  await ctx.keyStore.createKey(startUsageTracking(rec));
  return { KeyMetadata: metadata(rec) };
}

/** A key ID not yet in this account's store (an injected random source may repeat itself). */
async function freshKeyId(ctx: OpContext, multiRegion: boolean): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = newKeyId(ctx.env.random, multiRegion);
    if (!(await ctx.keyStore.getKey(keyArn(ctx.region, ctx.accountId, id)))) return id;
  }
  throw new KMSInternalException('Could not draw an unused key ID: the random source repeats itself.');
}

export async function describeKey(ctx: OpContext, _input: Validated<'DescribeKey'>, rec: KeyRecord): Promise<T.DescribeKeyResponse> {
  // "For multi-Region keys, DescribeKey displays the primary key and all related replica keys":
  // replicas whose waiting period is over are gone first.
  return { KeyMetadata: metadata((await settleReplicaDeletions(ctx, rec)) ?? rec) };
}

/** ListKeys: Limit 1..1000, default 100 (API reference). kms:ListKeys is an IAM permission. */
export async function listKeys(ctx: OpContext, input: Validated<'ListKeys'>): Promise<T.ListKeysResponse> {
  authorizeIam(ctx, 'ListKeys', '*');
  const live: KeyRecord[] = [];
  for (const r of await ctx.keyStore.listKeys(ctx.region, ctx.accountId)) {
    const k = await refresh(ctx, r);
    if (k) live.push(k);
  }
  const page = paginate(live, (r) => r.keyId, input.Limit ?? 100, input.Marker);
  return { Keys: page.items.map((r) => ({ KeyId: r.keyId, KeyArn: r.arn })), ...page.more };
}

export async function enableKey(ctx: OpContext, _input: Validated<'EnableKey'>, rec: KeyRecord): Promise<Record<string, never>> {
  const now = nowMs(ctx);
  await ctx.keyStore.updateKey(rec.arn, (r) => {
    // A rotation that fell due while the key was disabled happens as it is re-enabled
    // (Developer Guide, "Rotate AWS KMS keys": disabled keys are not rotated). A multi-Region
    // replica's schedule is its primary's (a shared property): it is not moved here.
    if (r.keyState === 'Disabled' && !isReplica(r) && r.rotationEnabled && r.nextRotationDate !== undefined && r.nextRotationDate < now) r.nextRotationDate = now;
    if (r.keyState !== 'Unavailable') r.keyState = 'Enabled';
  });
  return {};
}

export async function disableKey(ctx: OpContext, _input: Validated<'DisableKey'>, rec: KeyRecord): Promise<Record<string, never>> {
  await ctx.keyStore.updateKey(rec.arn, (r) => {
    if (r.keyState !== 'Unavailable') r.keyState = 'Disabled';
  });
  return {};
}

/* Precondition: PendingWindowInDays is 7..30 (API reference; the model allows 1..365). */
export function checkPendingWindow(input: Validated<'ScheduleKeyDeletion'>): void {
  const bad = rangeViolation('pendingWindowInDays', input.PendingWindowInDays ?? 30, 7, 30);
  if (bad) throw validationError([bad]);
}

/**
 * ScheduleKeyDeletion: PendingWindowInDays 7..30 (default 30). A multi-Region primary with
 * replicas becomes PendingReplicaDeletion, without a DeletionDate, until its last replica is
 * deleted (src/operations/multi-region-sets.ts).
 */
export async function scheduleKeyDeletion(ctx: OpContext, input: Validated<'ScheduleKeyDeletion'>, rec: KeyRecord): Promise<T.ScheduleKeyDeletionResponse> {
  const days = input.PendingWindowInDays ?? 30;
  const now = nowMs(ctx);
  // Replicas already past their own waiting period do not hold the primary back.
  await settleReplicaDeletions(ctx, rec);
  const r = (await ctx.keyStore.updateKey(rec.arn, (r) => scheduleDeletion(r, now, days))) ?? rec;
  const out: T.ScheduleKeyDeletionResponse = { KeyId: rec.arn, KeyState: r.keyState, PendingWindowInDays: days };
  if (r.keyState === 'PendingDeletion' && r.deletionDate !== undefined) out.DeletionDate = new Date(r.deletionDate);
  return out;
}

/** CancelKeyDeletion: the key comes back Disabled, as in AWS. */
export async function cancelKeyDeletion(ctx: OpContext, _input: Validated<'CancelKeyDeletion'>, rec: KeyRecord): Promise<T.KeyIdResponse> {
  await ctx.keyStore.updateKey(rec.arn, (r) => {
    // A key with imported material whose material is absent (never imported, deleted or
    // expired) cannot be Disabled (or later Enabled): it goes back to PendingImport.
    r.keyState = allMaterialImported(r) ? 'Disabled' : 'PendingImport';
    // Undefined rather than deleted: the record keeps its layout (createKey above).
    r.deletionDate = undefined;
    r.pendingWindowInDays = undefined;
  });
  return { KeyId: rec.arn };
}

/** UpdateKeyDescription: the new Description (0..8192 characters, the model's DescriptionType) replaces the old. */
export async function updateKeyDescription(ctx: OpContext, input: Validated<'UpdateKeyDescription'>, rec: KeyRecord): Promise<Record<string, never>> {
  const description = input.Description;
  const updated = await ctx.keyStore.updateKey(rec.arn, (r) => {
    r.description = description;
  });
  if (!updated) throw new NotFoundException(keyNotFound(rec.arn));
  return {};
}
