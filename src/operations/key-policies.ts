/**
 * Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies (API reference). The only policy name is "default";
 * a policy is kept exactly as given, and the default key policy is spelled out as AWS writes it.
 */
import { DEFAULT_POLICY_NAME, defaultKeyPolicy } from '../auth/policy.js';
import { NotFoundException } from '../errors.js';
import { partitionOf } from '../keys/arn.js';
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { checkPolicy } from './authorize.js';
import type { OpContext } from './context.js';
import { keyNotFound } from './messages.js';
import { paginate } from './views.js';

/* Precondition: PolicyName, if given, is "default" (API reference, GetKeyPolicy and PutKeyPolicy). */
export function checkPolicyName(input: { readonly PolicyName?: string | undefined }): void {
  const name = input.PolicyName;
  if (name !== undefined && name !== DEFAULT_POLICY_NAME) throw new NotFoundException(`No such key policy: ${name}. The only policy name is ${DEFAULT_POLICY_NAME}.`);
}

export async function getKeyPolicy(_ctx: OpContext, _input: Validated<'GetKeyPolicy'>, rec: KeyRecord): Promise<T.GetKeyPolicyResponse> {
  return { Policy: rec.policy ?? defaultKeyPolicy(partitionOf(rec.region), rec.accountId), PolicyName: DEFAULT_POLICY_NAME };
}

/**
 * PutKeyPolicy: replaces the key policy. Refused: malformed documents, more than 32768 bytes,
 * and (unless BypassPolicyLockoutSafetyCheck) a policy that would not let the caller call
 * PutKeyPolicy again.
 */
export async function putKeyPolicy(ctx: OpContext, input: Validated<'PutKeyPolicy'>, rec: KeyRecord): Promise<Record<string, never>> {
  const policy = input.Policy;
  checkPolicy(ctx, policy, input.BypassPolicyLockoutSafetyCheck === true, rec);
  const updated = await ctx.keyStore.updateKey(rec.arn, (r) => {
    r.policy = policy;
  });
  if (!updated) throw new NotFoundException(keyNotFound(rec.arn));
  return {};
}

/**
 * ListKeyPolicies: `["default"]`, the one policy of every key, paged as the API page says (Limit
 * 1..1000, default 100; a Marker is only one a previous page returned — none ever is).
 */
export async function listKeyPolicies(_ctx: OpContext, input: Validated<'ListKeyPolicies'>, _rec: KeyRecord): Promise<T.ListKeyPoliciesResponse> {
  const page = paginate([DEFAULT_POLICY_NAME], (n) => n, input.Limit ?? 100, input.Marker);
  return { PolicyNames: page.items, ...page.more };
}
