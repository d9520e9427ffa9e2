/**
 * What operations return about keys and grants (KeyMetadata, GrantListEntry) and AWS's
 * Limit/Marker pagination.
 */
import { keySpecInfo } from '../algorithms/registry.js';
import { InvalidMarkerException } from '../errors.js';
import { multiRegionConfiguration } from '../keys/multi-region.js';
import { importedKeyMetadata } from '../keys/imported.js';
import { currentMaterial, type GrantConstraintsRecord, type GrantRecord, type KeyRecord } from '../keys/record.js';
import type * as T from '../types.js';
import { algorithmLists } from './spec.js';

export function metadata(rec: KeyRecord): T.KeyMetadata {
  const info = keySpecInfo(rec.keySpec);
  const md: T.KeyMetadata = {
    AWSAccountId: rec.accountId,
    KeyId: rec.keyId,
    Arn: rec.arn,
    CreationDate: new Date(rec.creationDate),
    Enabled: rec.keyState === 'Enabled',
    Description: rec.description,
    KeyUsage: rec.keyUsage,
    KeyState: rec.keyState,
    Origin: rec.origin,
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: rec.keySpec as T.CustomerMasterKeySpec,
    KeySpec: rec.keySpec,
    ...algorithmLists(rec),
    MultiRegion: rec.multiRegion,
  };
  // KeyMetadata reference: DeletionDate is present only while PendingDeletion;
  // PendingDeletionWindowInDays only while PendingReplicaDeletion (a primary waiting for its replicas).
  if (rec.deletionDate !== undefined && rec.keyState === 'PendingDeletion') md.DeletionDate = new Date(rec.deletionDate);
  if (rec.pendingWindowInDays !== undefined && rec.keyState === 'PendingReplicaDeletion') md.PendingDeletionWindowInDays = rec.pendingWindowInDays;
  // The set's designations, kept equal on every key of the set (src/keys/multi-region.ts).
  if (rec.multiRegion) md.MultiRegionConfiguration = multiRegionConfiguration(rec);
  Object.assign(md, importedKeyMetadata(rec));
  const cur = currentMaterial(rec);
  if (cur && info?.namesMaterial) md.CurrentKeyMaterialId = cur.id;
  return md;
}

/** Grant constraints as the API shows them (fresh objects: callers may keep them). */
export function constraintsView(c: GrantConstraintsRecord): T.GrantConstraints {
  const out: T.GrantConstraints = {};
  if (c.encryptionContextEquals) out.EncryptionContextEquals = { ...c.encryptionContextEquals };
  if (c.encryptionContextSubset) out.EncryptionContextSubset = { ...c.encryptionContextSubset };
  return out;
}

/** A grant as ListGrants shows it (Name is "" for a grant without one, as in AWS's output). */
export function grantEntry(keyArn: string, g: GrantRecord): T.GrantListEntry {
  const e: T.GrantListEntry = {
    KeyId: keyArn,
    GrantId: g.grantId,
    Name: g.name ?? '',
    CreationDate: new Date(g.creationDate),
    GranteePrincipal: g.granteePrincipal,
    IssuingAccount: g.issuingAccount,
    Operations: [...g.operations] as T.GrantOperation[],
  };
  if (g.retiringPrincipal !== undefined) e.RetiringPrincipal = g.retiringPrincipal;
  if (g.constraints) e.Constraints = constraintsView(g.constraints);
  return e;
}

/** Pagination with AWS's Limit/Marker/Truncated/NextMarker; the marker is an item's id. */
export function paginate<I>(items: readonly I[], id: (i: I) => string, limit: number, marker: string | undefined) {
  let start = 0;
  if (marker !== undefined) {
    const i = items.findIndex((x) => id(x) === marker);
    /* Precondition: a Marker is one a previous page returned. */
    if (i < 0) throw new InvalidMarkerException('The marker that specifies where pagination should next begin is not valid.');
    start = i;
  }
  const page = items.slice(start, start + limit);
  const next = items[start + limit];
  const more: { Truncated: boolean; NextMarker?: string } = { Truncated: next !== undefined };
  if (next !== undefined) more.NextMarker = id(next);
  return { items: page, more };
}
