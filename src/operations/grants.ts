/**
 * Grants: CreateGrant, ListGrants, RetireGrant, RevokeGrant, ListRetirableGrants (API
 * reference; Developer Guide, "Grants in AWS KMS"). Grants take effect at once in kms-core.
 */
import type { AuthRequest, RequestFacts } from '../auth/evaluate.js';
import { accessDeniedMessage } from '../auth/evaluate.js';
import { CONSTRAINT_MAX_PAIRS, CONSTRAINT_MAX_VALUE, GRANT_ID, constraintsOf, encodeGrantToken, newGrantId, sameConstraints, sameOperations } from '../auth/grants.js';
import { parsePrincipal, principalMatch, rootArn } from '../auth/principals.js';
import {
  AccessDeniedException,
  InvalidGrantIdException,
  InvalidGrantTokenException,
  LimitExceededException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors.js';
import { partitionOf } from '../keys/arn.js';
import type { GrantConstraintsRecord, GrantRecord, KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { toHex } from '../util/bytes.js';
import { validationError } from '../validate.js';
import { authorizeIam, grantOfToken, identityAllows } from './authorize.js';
import { dryRun } from './checks.js';
import { nowMs, type OpContext } from './context.js';
import { INVALID_GRANT_TOKEN, keyNotFound } from './messages.js';
import { lookup, refresh } from './resolve.js';
import { grantOperationSupported, keySpecRow } from './spec.js';
import type { OperationRow } from './types.js';
import { grantEntry, paginate } from './views.js';

/** AWS quota: grants per KMS key. */
const GRANTS_PER_KEY = 50000;

const invalidPrincipal = (member: string, value: string) => new ValidationException(`Invalid ${member} '${value}': expected an AWS account ID or an IAM principal ARN.`);

/**
 * What CreateGrant checks before the key is looked up. The model makes GranteePrincipal
 * optional beside GranteeServicePrincipal (grants for AWS service principals); kms-core's
 * callers are IAM principals, so one is required and a service principal is unsupported.
 */
export function checkGrantRequestShape(input: Validated<'CreateGrant'>): void {
  /* Precondition: grants name IAM principals, not AWS service principals. */
  if (input.GranteeServicePrincipal !== undefined || input.RetiringServicePrincipal !== undefined) {
    throw new UnsupportedOperationException('Grants for AWS service principals (GranteeServicePrincipal, RetiringServicePrincipal) are not supported by kms-core.');
  }
  /* Precondition: a grant has a grantee. */
  if (input.GranteePrincipal === undefined) throw validationError([`Value null at 'granteePrincipal' failed to satisfy constraint: Member must not be null`]);
}

/** The condition keys of a CreateGrant request (kms:GrantOperations, kms:GranteePrincipal, …). */
export function grantFacts(input: Validated<'CreateGrant'>): RequestFacts {
  const constraints = constraintsOf(input.Constraints);
  const ec = constraints && { ...constraints.encryptionContextSubset, ...constraints.encryptionContextEquals };
  return {
    grant: { operations: [...input.Operations], granteePrincipal: input.GranteePrincipal as string, retiringPrincipal: input.RetiringPrincipal, constraints },
    encryptionContext: ec,
  };
}

/* Precondition: what CreateGrant refuses once the caller is authorized (API reference, CreateGrant). */
function checkGrant(rec: KeyRecord, operations: readonly string[], grantee: string, retiring: string | undefined, constraints: GrantConstraintsRecord | undefined): void {
  const partition = partitionOf(rec.region);
  if (!parsePrincipal(grantee, partition)) throw invalidPrincipal('GranteePrincipal', grantee);
  if (retiring !== undefined && !parsePrincipal(retiring, partition)) throw invalidPrincipal('RetiringPrincipal', retiring);
  if (operations.length === 0) throw validationError([`Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1`]);
  // Recorded AWS response (ansible/ansible#31960).
  if (operations.every((op) => op === 'CreateGrant')) throw new ValidationException('Grants must not contain only the CreateGrant operation.');
  for (const op of operations) {
    if (!grantOperationSupported(rec, op)) throw new ValidationException(`${rec.arn} key usage is ${rec.keyUsage} with key spec ${rec.keySpec}, which does not support the grant operation ${op}.`);
  }
  if (!constraints) return;
  if (!keySpecRow(rec).bindsContext) throw new ValidationException(`Grant constraints are not supported for ${rec.arn}: asymmetric KMS keys take no encryption context.`);
  for (const [name, ctx] of [
    ['EncryptionContextEquals', constraints.encryptionContextEquals],
    ['EncryptionContextSubset', constraints.encryptionContextSubset],
  ] as const) {
    if (!ctx) continue;
    const values = Object.keys(ctx).map((k) => ctx[k] as string);
    if (values.length > CONSTRAINT_MAX_PAIRS) throw new ValidationException(`${name} holds more than ${CONSTRAINT_MAX_PAIRS} encryption context pairs.`);
    if (values.some((v) => v.length > CONSTRAINT_MAX_VALUE)) throw new ValidationException(`${name} holds a value longer than ${CONSTRAINT_MAX_VALUE} characters.`);
  }
}

/**
 * CreateGrant: a grant on a key for a grantee principal, with its operations, an optional
 * retiring principal and encryption-context constraints. With a Name, a retry with the same
 * parameters returns the existing GrantId (and a new token).
 */
export async function createGrant(ctx: OpContext, input: Validated<'CreateGrant'>, rec: KeyRecord): Promise<T.CreateGrantResponse> {
  const operations = [...input.Operations];
  const grantee = input.GranteePrincipal as string;
  const retiring = input.RetiringPrincipal;
  const constraints = constraintsOf(input.Constraints);
  checkGrant(rec, operations, grantee, retiring, constraints);
  dryRun(input);
  const nonce = toHex(Uint8Array.from(ctx.env.random(16)));
  const fresh: GrantRecord = {
    grantId: newGrantId(ctx.env.random),
    granteePrincipal: grantee,
    issuingAccount: rootArn(ctx.partition, ctx.caller.accountId),
    operations,
    creationDate: nowMs(ctx),
    tokens: [nonce],
  };
  if (input.Name !== undefined) fresh.name = input.Name;
  if (retiring !== undefined) fresh.retiringPrincipal = retiring;
  if (constraints) fresh.constraints = constraints;
  let grantId = fresh.grantId;
  let tooMany = false;
  const updated = await ctx.keyStore.updateKey(rec.arn, (r) => {
    const grants = r.grants ?? [];
    // CreateGrant Name: "if the grant already exists, the original GrantId is returned without
    // creating a new grant. ... the returned grant token is unique with every CreateGrant request".
    const same =
      input.Name === undefined
        ? undefined
        : grants.find(
            (g) =>
              g.name === input.Name &&
              g.granteePrincipal === grantee &&
              g.retiringPrincipal === retiring &&
              g.issuingAccount === fresh.issuingAccount &&
              sameOperations(g.operations, operations) &&
              sameConstraints(g.constraints, constraints),
          );
    if (same) {
      grantId = same.grantId;
      r.grants = grants.map((g) => (g === same ? { ...g, tokens: [...g.tokens, nonce] } : g));
    } else if (grants.length >= GRANTS_PER_KEY) {
      tooMany = true;
    } else {
      r.grants = [...grants, fresh];
    }
  });
  if (!updated) throw new NotFoundException(keyNotFound(rec.arn));
  if (tooMany) throw new LimitExceededException(`The grants quota of ${GRANTS_PER_KEY} per KMS key has been reached for ${rec.arn}.`);
  return { GrantToken: encodeGrantToken(rec.arn, grantId, nonce), GrantId: grantId };
}

/** The grant `grantId` of `rec`: InvalidGrantIdException when malformed, NotFoundException when absent. */
function grantOf(rec: KeyRecord, grantId: string): GrantRecord {
  /* Precondition: a GrantId is 64 lowercase hex characters. */
  if (!GRANT_ID.test(grantId)) throw new InvalidGrantIdException(`Invalid grant ID '${grantId}'.`);
  const g = rec.grants?.find((x) => x.grantId === grantId);
  if (!g) throw new NotFoundException(`Grant ID ${grantId} not found for ${rec.arn}.`);
  return g;
}

async function dropGrant(ctx: OpContext, arn: string, grantId: string): Promise<void> {
  await ctx.keyStore.updateKey(arn, (r) => {
    const rest = (r.grants ?? []).filter((g) => g.grantId !== grantId);
    // Undefined rather than deleted: a record keeps its layout (operations/keys.ts createKey).
    r.grants = rest.length ? rest : undefined;
  });
}

/** ListGrants: the grants of a key (Limit 1..100, default 50), filtered by GrantId or GranteePrincipal. */
export async function listGrants(_ctx: OpContext, input: Validated<'ListGrants'>, rec: KeyRecord): Promise<T.ListGrantsResponse> {
  let grants = rec.grants ?? [];
  if (input.GrantId !== undefined) grants = grants.filter((g) => g.grantId === input.GrantId);
  if (input.GranteePrincipal !== undefined) grants = grants.filter((g) => g.granteePrincipal === input.GranteePrincipal);
  const page = paginate(grants, (g) => g.grantId, Math.min(input.Limit ?? 50, 100), input.Marker);
  return { Grants: page.items.map((g) => grantEntry(rec.arn, g)), ...page.more };
}

/**
 * Who may retire a grant: its retiring principal, its grantee when it lists RetireGrant, and
 * the key's account (the root user, or a principal the identity hook allows kms:RetireGrant).
 * Key policies play no part (Developer Guide, "Retiring and revoking grants").
 */
function mayRetire(ctx: OpContext, rec: KeyRecord, g: GrantRecord): boolean {
  const caller = ctx.caller;
  const partition = partitionOf(rec.region);
  const req: AuthRequest = { caller, action: 'RetireGrant', key: rec, facts: {} };
  const covers = (principal: string | undefined) => {
    const p = principal === undefined ? undefined : parsePrincipal(principal, partition);
    const m = p ? principalMatch(p, caller) : false;
    return m === 'name' || (m === 'account' && identityAllows(ctx, req, rec.arn));
  };
  if (covers(g.retiringPrincipal)) return true;
  if (g.operations.includes('RetireGrant') && covers(g.granteePrincipal)) return true;
  return caller.accountId === rec.accountId && (caller.kind === 'root' || identityAllows(ctx, req, rec.arn));
}

/** RetireGrant, by GrantToken or by KeyId and GrantId. */
export async function retireGrant(ctx: OpContext, input: Validated<'RetireGrant'>, op: OperationRow<'RetireGrant'>): Promise<Record<string, never>> {
  let rec: KeyRecord;
  let grant: GrantRecord;
  if (input.GrantToken !== undefined) {
    const found = await grantOfToken(ctx, input.GrantToken);
    /* Precondition: the grant token names a live grant. */
    if (!found) throw new InvalidGrantTokenException(INVALID_GRANT_TOKEN);
    ({ rec, grant } = found);
  } else {
    /* Precondition: a grant is named by its token, or by its key and grant ID. */
    if (input.KeyId === undefined || input.GrantId === undefined) throw new ValidationException('RetireGrant needs either GrantToken, or both KeyId and GrantId.');
    rec = await lookup(ctx, input.KeyId, op.keyIdForms.KeyId);
    grant = grantOf(rec, input.GrantId);
  }
  /* Precondition: the caller may retire the grant. */
  if (!mayRetire(ctx, rec, grant)) throw new AccessDeniedException(accessDeniedMessage(ctx.caller.arn, 'RetireGrant', rec.arn, 'no-resource-policy'));
  dryRun(input);
  await dropGrant(ctx, rec.arn, grant.grantId);
  return {};
}

/** RevokeGrant: deletes a grant; needs kms:RevokeGrant on the key (key policy). */
export async function revokeGrant(ctx: OpContext, input: Validated<'RevokeGrant'>, rec: KeyRecord): Promise<Record<string, never>> {
  const grant = grantOf(rec, input.GrantId);
  dryRun(input);
  await dropGrant(ctx, rec.arn, grant.grantId);
  return {};
}

/**
 * ListRetirableGrants: every grant, on keys of any account in this Region, whose retiring
 * principal is `RetiringPrincipal` (a principal of the caller's account). Authorized by IAM
 * alone (kms:ListRetirableGrants on that principal). Stores without `listAllKeys` are searched
 * in the caller's account only.
 */
export async function listRetirableGrants(ctx: OpContext, input: Validated<'ListRetirableGrants'>): Promise<T.ListGrantsResponse> {
  // RetiringPrincipal or RetiringServicePrincipal (model); kms-core grants never name a
  // service principal, so a search by one finds nothing.
  if (input.RetiringPrincipal === undefined && input.RetiringServicePrincipal !== undefined) {
    authorizeIam(ctx, 'ListRetirableGrants', '*');
    return { Grants: [], Truncated: false };
  }
  /* Precondition: a retiring principal is given. */
  if (input.RetiringPrincipal === undefined) throw validationError([`Value null at 'retiringPrincipal' failed to satisfy constraint: Member must not be null`]);
  const retiring = input.RetiringPrincipal;
  const p = parsePrincipal(retiring, ctx.partition);
  if (!p) throw invalidPrincipal('RetiringPrincipal', retiring);
  /* Precondition: the retiring principal is of the caller's account. */
  if (p.accountId !== ctx.caller.accountId) throw new AccessDeniedException(accessDeniedMessage(ctx.caller.arn, 'ListRetirableGrants', retiring, 'no-identity-policy'));
  authorizeIam(ctx, 'ListRetirableGrants', retiring);
  const store = ctx.keyStore;
  const records = store.listAllKeys ? await store.listAllKeys(ctx.region) : await store.listKeys(ctx.region, ctx.accountId);
  const found: { arn: string; g: GrantRecord }[] = [];
  for (const r of records) {
    const live = await refresh(ctx, r);
    for (const g of live?.grants ?? []) if (g.retiringPrincipal === retiring) found.push({ arn: (live as KeyRecord).arn, g });
  }
  const page = paginate(found, (x) => x.g.grantId, Math.min(input.Limit ?? 50, 100), input.Marker);
  return { Grants: page.items.map((x) => grantEntry(x.arn, x.g)), ...page.more };
}
