/**
 * Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases (API reference; Developer Guide,
 * "Aliases in AWS KMS"). kms:<Action> on the alias is an IAM permission; on the key, a key
 * policy one. An alias names a key of its own account and Region.
 */
import { accessDeniedMessage } from '../auth/evaluate.js';
import { AccessDeniedException, AlreadyExistsException, NotAuthorizedException, NotFoundException, ValidationException } from '../errors.js';
import { aliasArn, keyArn } from '../keys/arn.js';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { validationError } from '../validate.js';
import { resolveKey } from './access.js';
import { authorize, authorizeIam } from './authorize.js';
import { nowMs, type OpContext } from './context.js';
import { checkKeyState } from './key-states.js';
import { aliasNotFound, keyNotFound } from './messages.js';
import { getKey, lookup } from './resolve.js';
import { keySpecRow } from './spec.js';
import type { OperationRow } from './types.js';
import { paginate } from './views.js';

const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;

/* Precondition: an alias name starts with alias/, has only the allowed characters, and is not reserved. */
export function checkAliasName(name: string): void {
  if (!name.startsWith('alias/')) {
    // Recorded AWS response.
    throw new ValidationException('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  // The model's pattern admits ':', KMS does not: AWS answers this (hashicorp/terraform-provider-aws#12891).
  if (!ALIAS_NAME.test(name)) throw new ValidationException(`${name} contains invalid characters for an alias`);
  if (name === 'alias/aws' || name.startsWith('alias/aws/')) throw new NotAuthorizedException(`Alias names that begin with alias/aws/ are reserved for AWS managed keys: ${name}`);
}

/** The alias of the caller's account and Region named `name`; NotFoundException when absent. */
async function existingAlias(ctx: OpContext, name: string): Promise<AliasRecord> {
  const arn = aliasArn(ctx.region, ctx.accountId, name);
  const alias = await ctx.keyStore.getAlias(arn);
  if (!alias) throw new NotFoundException(aliasNotFound(arn));
  return alias;
}

/** The target of an alias: a key ID or key ARN of the caller's account, never an alias. */
async function aliasTarget<Op extends 'CreateAlias' | 'UpdateAlias'>(ctx: OpContext, op: OperationRow<Op>, id: string): Promise<KeyRecord> {
  // TargetKeyId takes a key ID or key ARN (model): an alias is NotFoundException like every
  // identifier form an operation does not take.
  const rec = await resolveKey(ctx, op, 'TargetKeyId', id, op.name);
  /* Invariant: the target is a key of the caller's account (authorize refused another account's key: CreateAlias and UpdateAlias do not work across accounts). */
  if (rec.accountId !== ctx.accountId) throw new NotFoundException(keyNotFound(rec.arn));
  checkKeyState(op.keyStates as NonNullable<typeof op.keyStates>, rec);
  return rec;
}

export async function createAlias(ctx: OpContext, input: Validated<'CreateAlias'>, op: OperationRow<'CreateAlias'>): Promise<Record<string, never>> {
  const name = input.AliasName;
  checkAliasName(name);
  const rec = await aliasTarget(ctx, op, input.TargetKeyId);
  const arn = aliasArn(ctx.region, ctx.accountId, name);
  authorizeIam(ctx, 'CreateAlias', arn);
  const exists = () => new AlreadyExistsException(`An alias with the name ${arn} already exists`);
  if (await ctx.keyStore.getAlias(arn)) throw exists();
  const now = nowMs(ctx);
  const alias: AliasRecord = { aliasName: name, aliasArn: arn, accountId: ctx.accountId, region: ctx.region, targetKeyId: rec.keyId, creationDate: now, lastUpdatedDate: now };
  // Insert-if-absent where the store offers it, so two concurrent CreateAlias calls of one name
  // cannot both succeed.
  if (ctx.keyStore.createAlias) {
    if (!(await ctx.keyStore.createAlias(alias))) throw exists();
  } else {
    await ctx.keyStore.putAlias(alias);
  }
  return {};
}

/** UpdateAlias: the new target must have the same key type and key usage (API reference). */
export async function updateAlias(ctx: OpContext, input: Validated<'UpdateAlias'>, op: OperationRow<'UpdateAlias'>): Promise<Record<string, never>> {
  const name = input.AliasName;
  checkAliasName(name);
  const alias = await existingAlias(ctx, name);
  const rec = await aliasTarget(ctx, op, input.TargetKeyId);
  authorizeIam(ctx, 'UpdateAlias', alias.aliasArn);
  const old = await ctx.keyStore.getKey(keyArn(ctx.region, ctx.accountId, alias.targetKeyId));
  // kms:UpdateAlias is needed on the current target too (API reference, UpdateAlias).
  if (old) authorize(ctx, 'UpdateAlias', old, undefined, op.crossAccount);
  if (old) {
    const was = keySpecRow(old).keyType;
    /* Precondition: the new target has the current target's key type and key usage. */
    if (was !== keySpecRow(rec).keyType || old.keyUsage !== rec.keyUsage) {
      throw new ValidationException(`${rec.arn} is not compatible with the alias's current key: the new target must have the same key type (${was === 'hmac' ? 'HMAC' : was}) and key usage (${old.keyUsage}).`);
    }
  }
  await ctx.keyStore.putAlias({ ...alias, targetKeyId: rec.keyId, lastUpdatedDate: nowMs(ctx) });
  return {};
}

export async function deleteAlias(ctx: OpContext, input: Validated<'DeleteAlias'>, op: OperationRow<'DeleteAlias'>): Promise<Record<string, never>> {
  const name = input.AliasName;
  checkAliasName(name);
  const alias = await existingAlias(ctx, name);
  // kms:DeleteAlias on the alias (IAM) and on its key (key policy).
  authorizeIam(ctx, 'DeleteAlias', alias.aliasArn);
  const target = await ctx.keyStore.getKey(keyArn(ctx.region, ctx.accountId, alias.targetKeyId));
  if (target) authorize(ctx, 'DeleteAlias', target, undefined, op.crossAccount);
  await ctx.keyStore.deleteAlias(alias.aliasArn);
  return {};
}

/** ListAliases: Limit 1..100, default 50; a larger Limit returns at most 100 (API reference). */
export async function listAliases(ctx: OpContext, input: Validated<'ListAliases'>, op: OperationRow<'ListAliases'>): Promise<T.ListAliasesResponse> {
  authorizeIam(ctx, 'ListAliases', '*');
  let targetId: string | undefined;
  if (input.KeyId !== undefined) {
    // kms:ListAliases is an IAM permission: the key's policy is not asked, and only the
    // caller's own keys have aliases it may list.
    const rec = await lookup(ctx, input.KeyId, op.keyIdForms.KeyId);
    if (rec.accountId !== ctx.accountId) throw new AccessDeniedException(accessDeniedMessage(ctx.caller.arn, 'ListAliases', rec.arn, 'no-resource-policy'));
    targetId = rec.keyId;
  }
  const live: AliasRecord[] = [];
  for (const a of await ctx.keyStore.listAliases(ctx.region, ctx.accountId)) {
    if (targetId !== undefined && a.targetKeyId !== targetId) continue;
    // An alias whose key has been deleted goes with it.
    if (await getKey(ctx, keyArn(ctx.region, ctx.accountId, a.targetKeyId))) live.push(a);
  }
  const page = paginate(live, (a) => a.aliasName, Math.min(input.Limit ?? 50, 100), input.Marker);
  return {
    Aliases: page.items.map((a) => ({ AliasName: a.aliasName, AliasArn: a.aliasArn, TargetKeyId: a.targetKeyId, CreationDate: new Date(a.creationDate), LastUpdatedDate: new Date(a.lastUpdatedDate) })),
    ...page.more,
  };
}

