/**
 * Multi-Region keys, record by record (Developer Guide, "Multi-Region keys in AWS KMS"): a set
 * of related KMS keys with one key ID in several Regions of one partition, one of them the
 * primary. Each key of the set is a record of its own (own ARN, policy, grants, aliases, tags,
 * description, key state); the shared properties are copies kept equal by the operations that
 * change them, each change applied to every record of the set in one atomic store update
 * (KeyStore.updateKeys, src/keys/update-keys.ts):
 *
 *   shared, copied from the primary   key ID, key spec, key usage, origin; every material version
 *                                     (AWS_KMS origin: "AWS KMS securely transports all key
 *                                     materials from the primary to each replica when the replica
 *                                     is created or when new key material is created via automatic
 *                                     or on-demand rotation"; EXTERNAL origin: imported into each
 *                                     key itself); automatic rotation settings ("You can enable and
 *                                     disable automatic key rotation only on a primary key"); the
 *                                     primary and replica designations
 *   independent                       description, key policy, grants, key state, aliases, tags
 *
 * (Developer Guide, "Multi-Region keys in AWS KMS": Shared properties.) So a ciphertext's header,
 * which names its key by account and key ID only (vectors/FORMAT.md), resolves in every Region
 * of the set to that Region's key, which holds the same backing keys. Pure code.
 */
import type { MultiRegionConfiguration } from '../model/api.js';
import { keyArn } from './arn.js';
import type { BackingKey, KeyRecord } from './record.js';

/** The Region of the set's primary key. */
export function primaryRegionOf(rec: KeyRecord): string {
  return rec.primaryRegion ?? rec.region;
}

/** A multi-Region replica key (its set's primary is in another Region). */
export function isReplica(rec: KeyRecord): boolean {
  return rec.multiRegion && primaryRegionOf(rec) !== rec.region;
}

/** A multi-Region primary key (replicated or not). */
export function isPrimary(rec: KeyRecord): boolean {
  return rec.multiRegion && primaryRegionOf(rec) === rec.region;
}

export function replicaRegionsOf(rec: KeyRecord): readonly string[] {
  return rec.replicaRegions ?? [];
}

/** A primary key that has replicas (it waits for them before its own deletion). */
export function hasReplicas(rec: KeyRecord): boolean {
  return isPrimary(rec) && replicaRegionsOf(rec).length > 0;
}

/** The ARN of the key of the set in `region`. */
export function relatedArn(rec: KeyRecord, region: string): string {
  return keyArn(region, rec.accountId, rec.keyId);
}

/** Every key of the set, primary first: single-Region keys are a set of one. */
export function setArns(rec: KeyRecord): string[] {
  if (!rec.multiRegion) return [rec.arn];
  return [primaryRegionOf(rec), ...replicaRegionsOf(rec)].map((r) => relatedArn(rec, r));
}

/** Sorted by Region name (code units), so every record lists the set alike. */
export function sortRegions(regions: Iterable<string>): string[] {
  return [...new Set(regions)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Writes the set's designations on one of its records. A primary left without replicas goes
 * back to the form of a key never replicated (no designations), as snapshots made before
 * replicas existed hold it.
 */
export function designate(rec: KeyRecord, primaryRegion: string, replicaRegions: Iterable<string>): void {
  const replicas = sortRegions(replicaRegions);
  if (replicas.length === 0 && primaryRegion === rec.region) {
    delete rec.primaryRegion;
    delete rec.replicaRegions;
    return;
  }
  rec.primaryRegion = primaryRegion;
  rec.replicaRegions = replicas;
}

/**
 * KeyMetadata.MultiRegionConfiguration (API reference, MultiRegionConfiguration): PrimaryKey
 * "includes the current KMS key if it is the primary key", ReplicaKeys "includes the current
 * KMS key if it is a replica key". Every key of a set answers the same lists.
 */
export function multiRegionConfiguration(rec: KeyRecord): MultiRegionConfiguration {
  const primary = primaryRegionOf(rec);
  return {
    MultiRegionKeyType: primary === rec.region ? 'PRIMARY' : 'REPLICA',
    PrimaryKey: { Arn: relatedArn(rec, primary), Region: primary },
    ReplicaKeys: replicaRegionsOf(rec).map((r) => ({ Arn: relatedArn(rec, r), Region: r })),
  };
}

function copyVersion(m: BackingKey): BackingKey {
  const c: BackingKey = { id: m.id, material: Uint8Array.from(m.material), createdAt: m.createdAt };
  if (m.publicKey) c.publicKey = Uint8Array.from(m.publicKey);
  if (m.rotationType) c.rotationType = m.rotationType;
  return c;
}

/**
 * Adds to `to` the material versions of `from` it lacks, in `from`'s order (the last one is
 * current). Versions are never removed or replaced, so merging twice, or merges applied in any
 * order, end in the same versions.
 */
export function addMissingVersions(to: KeyRecord, from: readonly BackingKey[]): void {
  const have = new Set(to.material.map((m) => m.id));
  for (const m of from) if (!have.has(m.id)) to.material.push(copyVersion(m));
}

const ROTATION_FIELDS = ['rotationPeriodInDays', 'nextRotationDate', 'onDemandRotationStartDate'] as const;

/**
 * Copies the shared properties that change over a key's life from the primary to a key of its
 * set: the material versions (AWS_KMS origin only: imported material is imported into each key
 * of the set, Developer Guide "Importing key material into multi-Region keys") and the
 * automatic rotation settings.
 */
export function syncShared(from: KeyRecord, to: KeyRecord): void {
  if (from.origin === 'AWS_KMS') addMissingVersions(to, from.material);
  to.rotationEnabled = from.rotationEnabled;
  for (const f of ROTATION_FIELDS) {
    const v = from[f];
    if (v === undefined) delete to[f];
    else to[f] = v;
  }
}

/** What ReplicateKey gives the new replica beyond the shared properties (its independent ones). */
export interface ReplicaOptions {
  readonly region: string;
  readonly now: number;
  readonly description: string;
  readonly policy: string | undefined;
  readonly tags: KeyRecord['tags'];
}

/**
 * A new replica of `primary` in `o.region`: the shared properties of the primary, every material
 * version (none for imported material: "the replica key is created with no key material", it is
 * PendingImport until the same material is imported into it), and its own independent ones.
 */
export function newReplica(primary: KeyRecord, o: ReplicaOptions): KeyRecord {
  const imported = primary.origin === 'EXTERNAL';
  const rec: KeyRecord = {
    keyId: primary.keyId,
    arn: relatedArn(primary, o.region),
    accountId: primary.accountId,
    region: o.region,
    keySpec: primary.keySpec,
    keyUsage: primary.keyUsage,
    origin: primary.origin,
    description: o.description,
    multiRegion: true,
    creationDate: o.now,
    keyState: imported ? 'PendingImport' : 'Enabled',
    rotationEnabled: false,
    material: [],
  };
  syncShared(primary, rec);
  if (o.policy !== undefined) rec.policy = o.policy;
  if (o.tags && o.tags.length) rec.tags = o.tags;
  return rec;
}
