/**
 * Finding keys: the four identifier forms (key ID, key ARN, alias name, alias ARN), the forms
 * each operation accepts, the key a symmetric blob names, and what time has done to a key
 * (scheduled deletion and rotation) before anyone reads it.
 */
import { OVERHEAD } from '../envelope/format.js';
import { NotFoundException, UnsupportedOperationException } from '../errors.js';
import { aliasArn, keyArn, parseKeyRef, type KeyRef } from '../keys/arn.js';
import type { BackingKey, KeyRecord } from '../keys/record.js';
import { expireImportedMaterial, importExpiryDue, type FreedMaterial } from '../keys/imported.js';
import { applyScheduledRotations, rotationDue } from '../keys/rotation.js';
import { isPrimary, isReplica, primaryRegionOf, relatedArn } from '../keys/multi-region.js';
import { settleReplicaDeletions, updateShared } from './multi-region-sets.js';
import type { KeyIdForms } from '../model/types.js';
import { nowMs, type OpContext } from './context.js';
import { aliasNotFound, invalidKeyId, keyNotFound, noRotation } from './messages.js';
import { keySpecRow } from './spec.js';
import { wipe } from '../util/bytes.js';
import { andThen, andThenWith, orUndefined, type MaybePromise } from '../util/maybe.js';

/**
 * Applies what time has done to a key: deletion once DeletionDate passed, due rotations. A key
 * time cannot change is answered synchronously (issue 14).
 */
export function refresh(ctx: OpContext, rec: KeyRecord | undefined): MaybePromise<KeyRecord | undefined> {
  if (!rec) return undefined;
  // Only a key pending deletion, with automatic rotation or with imported material has
  // anything time can change.
  if (rec.keyState !== 'PendingDeletion' && rec.keyState !== 'PendingReplicaDeletion' && !rec.rotationEnabled && rec.origin !== 'EXTERNAL') return rec;
  return refreshTimed(ctx, rec);
}

async function refreshTimed(ctx: OpContext, rec: KeyRecord | undefined): Promise<KeyRecord | undefined> {
  if (!rec) return undefined;
  const now = nowMs(ctx);
  if (importExpiryDue(rec, now)) {
    // ValidTo passed: the material goes, the key becomes PendingImport (src/keys/imported.ts).
    rec = await expireMaterial(ctx, rec.arn, now);
    if (!rec) return undefined;
  }
  // Multi-Region sets: a replica's deletion changes its whole set; a primary waits for its replicas.
  if (rec.keyState === 'PendingReplicaDeletion' || (isReplica(rec) && rec.keyState === 'PendingDeletion' && rec.deletionDate !== undefined && now >= rec.deletionDate)) {
    const settled = await settleReplicaDeletions(ctx, rec);
    return settled === rec ? rec : refresh(ctx, settled);
  }
  if (rec.keyState === 'PendingDeletion' && rec.deletionDate !== undefined && now >= rec.deletionDate) {
    const store = ctx.keyStore;
    for (const a of await store.listAliases(rec.region, rec.accountId)) if (a.targetKeyId === rec.keyId) await store.deleteAlias(a.aliasArn);
    await store.deleteKey(rec.arn);
    ctx.usage.forget(rec.arn);
    return undefined;
  }
  // A record that claims automatic rotation for a key spec without it (a hand-made store) is not
  // rotated: its key stays usable.
  if (rotationDue(rec, now) && keySpecRow(rec).rotatable) {
    // A multi-Region set rotates with its primary, which copies the new material to every replica.
    if (isReplica(rec)) return rotatedWithPrimary(ctx, rec);
    return updateShared(ctx, rec, 'automatic rotation happens', (r) => applyScheduledRotations(r, now, newVersion(ctx, r)));
  }
  return rec;
}

/** A replica whose copy of the rotation schedule is due: its primary rotates the set (if it is Enabled). */
async function rotatedWithPrimary(ctx: OpContext, rec: KeyRecord): Promise<KeyRecord | undefined> {
  const primary = await ctx.keyStore.getKey(relatedArn(rec, primaryRegionOf(rec)));
  if (primary && isPrimary(primary)) await refresh(ctx, primary);
  return ctx.keyStore.getKey(rec.arn);
}

/** Applies imported-material expiry to the stored key, then releases the expired material. */
async function expireMaterial(ctx: OpContext, arn: string, now: number): Promise<KeyRecord | undefined> {
  let freed: FreedMaterial[] = [];
  const updated = await ctx.keyStore.updateKey(arn, (r) => {
    freed = expireImportedMaterial(r, now);
  });
  releaseMaterial(ctx, freed);
  return updated;
}

/** Zeroes material a stored update removed and drops what the caches derived from it. */
export function releaseMaterial(ctx: OpContext, freed: readonly FreedMaterial[]): void {
  for (const f of freed) {
    wipe(f.material);
    ctx.env.forget?.(f.id);
  }
}

/** How a rotation of `rec` makes its next material version (its key spec's row). */
export function newVersion(ctx: OpContext, rec: KeyRecord): (createdAt: number) => BackingKey {
  const rotate = keySpecRow(rec).rotate;
  /* Precondition: only a key spec that rotates gets new material versions. */
  if (!rotate) throw new UnsupportedOperationException(noRotation(rec));
  return (at) => rotate(ctx.env, at, rec);
}

/** The live record stored under `arn`. */
export function getKey(ctx: OpContext, arn: string): MaybePromise<KeyRecord | undefined> {
  return andThenWith(ctx.keyStore.getKey(arn), refreshIn, ctx);
}

/**
 * The parsed identifier, checked against the forms the operation accepts: a malformed one, or
 * an alias where the API page says "Specify the key ID or key ARN", is NotFoundException.
 */
export function keyRef(id: string, forms: KeyIdForms = 'any'): Readonly<KeyRef> {
  const ref = parseKeyRef(id);
  /* Precondition: the identifier is one of the forms the operation accepts. */
  if (!ref || (forms === 'key' && (ref.kind === 'aliasName' || ref.kind === 'aliasArn'))) throw new NotFoundException(invalidKeyId(id));
  return ref;
}

/**
 * The key ARN an identifier names. Key IDs and alias names resolve in the caller's account
 * only; another account's key is named by key ARN or alias ARN. An ARN of another Region is
 * "Invalid arn <region>" (recorded AWS response).
 */
export function arnOf(ctx: OpContext, ref: Readonly<KeyRef>): MaybePromise<string> {
  switch (ref.kind) {
    case 'keyId':
      return ctx.keyArns.arn(ref.keyId);
    case 'keyArn':
      if (ref.region !== ctx.region || ref.partition !== ctx.partition) throw new NotFoundException(`Invalid arn ${ref.region}`);
      return keyArn(ref.region, ref.accountId, ref.keyId);
    case 'aliasName':
    case 'aliasArn': {
      const account = ref.kind === 'aliasArn' ? ref.accountId : ctx.accountId;
      if (ref.kind === 'aliasArn' && (ref.region !== ctx.region || ref.partition !== ctx.partition)) throw new NotFoundException(`Invalid arn ${ref.region}`);
      const aArn = aliasArn(ctx.region, account, ref.aliasName);
      return andThen(ctx.keyStore.getAlias(aArn), (alias) => {
        if (!alias) throw new NotFoundException(aliasNotFound(aArn));
        return account === ctx.accountId ? ctx.keyArns.arn(alias.targetKeyId) : keyArn(ctx.region, account, alias.targetKeyId);
      });
    }
  }
}

/** Resolves an identifier to a live record without authorizing anything. */
export function lookup(ctx: OpContext, id: string, forms: KeyIdForms = 'any'): MaybePromise<KeyRecord> {
  return andThenWith(arnOf(ctx, keyRef(id, forms)), lookupArn, ctx);
}

// Continuations as plain functions (util/maybe.ts andThenWith): no closure per call (issue 14).
function lookupArn(arn: string, ctx: OpContext): MaybePromise<KeyRecord> {
  return andThenWith(getKey(ctx, arn), found, arn, ctx);
}

function refreshIn(rec: KeyRecord | undefined, ctx: OpContext): MaybePromise<KeyRecord | undefined> {
  return refresh(ctx, rec);
}

function found(rec: KeyRecord | undefined, arn: string, ctx: OpContext): KeyRecord {
  if (!rec) throw new NotFoundException(keyNotFound(arn));
  // The record's own ARN string from now on, for a key named by ID (keys/arn-memo.ts).
  ctx.keyArns.keep(rec.arn);
  return rec;
}

/** The ARN an identifier names, or undefined when it names nothing (no error). */
export function arnIfAny(ctx: OpContext, id: string | undefined): MaybePromise<string | undefined> {
  const ref = id === undefined ? undefined : parseKeyRef(id);
  if (!ref) return undefined;
  // Synchronous for a key ID or ARN (and an alias in a synchronous store): ReEncrypt under a
  // key policy reads it on every call (kms:ReEncryptOnSameKey), and an async function here put
  // a promise and a microtask on that path (issue 14).
  try {
    return orUndefined(arnOf(ctx, ref));
  } catch {
    return undefined;
  }
}

/**
 * The ARN of the key a symmetric blob names (its header bytes 0..24 resolved in this Region),
 * or undefined when the blob is not a kms-core envelope. Memoized per key reference: blobs of
 * one key share those bytes (keys/arn-memo.ts BlobArnMemo).
 */
export function blobKeyArn(ctx: OpContext, blob: Uint8Array): string | undefined {
  if (blob.length < OVERHEAD) return undefined;
  return ctx.blobArns.arn(blob);
}
