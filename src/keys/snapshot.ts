/**
 * The key-store snapshot: a versioned JSON document holding every key record (metadata and
 * material) and alias of a store, so that an embedding emulator can persist keys and load
 * them again. Format (version 1), documented in README.md "Key-store snapshot":
 *
 *   { "format": "kms-core/key-store", "version": 1,
 *     "keys": [ { "KeyId", "Arn", "AccountId", "Region", "KeySpec", "KeyUsage", "Origin",
 *                 "Description", "MultiRegion", "CreationDate", "KeyState",
 *                 "DeletionDate"?, "PendingWindowInDays"?,
 *                 "RotationEnabled", "RotationPeriodInDays"?, "NextRotationDate"?,
 *                 "OnDemandRotationStartDate"?,
 *                 "KeyMaterial": [ { "KeyMaterialId", "Material" (base64), "PublicKey"? (base64),
 *                                    "CreatedAt", "RotationType"? } ],
 *                 "Policy"? (the key policy text; absent: the default key policy),
 *                 "Grants"?: [ { "GrantId", "Name"?, "GranteePrincipal", "RetiringPrincipal"?,
 *                                "IssuingAccount", "Operations": [..], "Constraints"?:
 *                                { "EncryptionContextEquals"?: {..}, "EncryptionContextSubset"?: {..} },
 *                                "CreationDate", "GrantTokenNonces": [ 32 hex, .. ] } ],
 *                 "Tags"?: [ { "TagKey", "TagValue" } ],
 *                 "LastUsage"?: { "Operation", "Timestamp", "KmsRequestId"? },
 *                 "UsageTrackingStartDate"?,
 *                 "PrimaryRegion"?, "ReplicaRegions"?: [ .. ] (multi-Region sets; keys/multi-region.ts),
 *                 "ImportParameters"?: [ { "Id" (32 hex), "WrappingAlgorithm", "WrappingKeySpec",
 *                                          "PrivateKey" (base64 PKCS#8), "PublicKey" (base64 SPKI),
 *                                          "ParametersValidTo" } ],
 *                 "PendingRotationKeyMaterial"?: { a KeyMaterial entry } } ],
 *     "aliases": [ { "AliasName", "AliasArn", "AccountId", "Region", "TargetKeyId",
 *                    "CreationDate", "LastUpdatedDate" } ] }
 *
 * Dates are ISO 8601 strings. The snapshot holds key material in the clear: protect it as you
 * would the keys themselves. LastUsage and UsageTrackingStartDate are GetKeyLastUsage's record
 * (src/keys/usage.ts). Policy, Grants, Tags, the usage fields, PrimaryRegion and ReplicaRegions
 * are optional, so snapshots written before them load unchanged (still version 1): a
 * multi-Region key without PrimaryRegion is a primary that has no replicas.
 *
 * Imported key material (Origin EXTERNAL, src/keys/imported.ts) adds, all optional: per
 * KeyMaterial entry "ImportState" (IMPORTED | PENDING_IMPORT; absent: IMPORTED), "ExpirationModel",
 * "ValidTo", "KeyMaterialDescription", and no "Material" while PENDING_IMPORT (deleted or
 * expired material); per key the outstanding "ImportParameters" (wrapping private keys: secret)
 * and the "PendingRotationKeyMaterial" (imported with ImportType NEW_KEY_MATERIAL, not yet
 * rotated to). Snapshots without them load as before.
 */
import { isRegionName } from './region.js';
import { parseKeyPolicy } from '../auth/policy.js';
import { GRANT_OPERATIONS } from '../auth/grants.js';
import { parsePrincipal } from '../auth/principals.js';
import { KmsError, ValidationException } from '../errors.js';
import { fromBase64, toBase64 } from '../util/bytes.js';
import { aliasArn, isAccountId, isKeyId, keyArn } from './arn.js';
import { validateTags, type ApiTag } from './tags.js';
import { TRACKED_OPERATIONS, type KeyUsageRecord } from './usage.js';
import type { KeyLastUsageTrackingOperation } from '../model/api.js';
import { SHAPES } from '../model/shapes.js';
import { WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from '../algorithms/wrapping.js';
import type { ImportParameters } from './import-token.js';
import { KEY_STATES, type AliasRecord, type BackingKey, type GrantConstraintsRecord, type GrantRecord, type KeyRecord, type KeySpec, type KeyUsage } from './record.js';

export const SNAPSHOT_FORMAT = 'kms-core/key-store';
export const SNAPSHOT_VERSION = 1;

export interface KeyStoreSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  keys: Record<string, unknown>[];
  aliases: Record<string, unknown>[];
}

/** Every KeySpec and KeyUsage of the API model (the snapshot holds what the model can name). */
const KEY_SPECS = SHAPES.KeySpec?.enum as readonly KeySpec[];
const KEY_USAGES = SHAPES.KeyUsageType?.enum as readonly KeyUsage[];
const MATERIAL_ID = /^[0-9a-f]{64}$/;
const GRANT_ID = /^[0-9a-f]{64}$/;
const TOKEN_NONCE = /^[0-9a-f]{32}$/;
const GRANT_NAME = /^[a-zA-Z0-9:/_-]{1,256}$/;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;

const iso = (ms: number) => new Date(ms).toISOString();

function keyToJson(r: KeyRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {
    KeyId: r.keyId,
    Arn: r.arn,
    AccountId: r.accountId,
    Region: r.region,
    KeySpec: r.keySpec,
    KeyUsage: r.keyUsage,
    Origin: r.origin,
    Description: r.description,
    MultiRegion: r.multiRegion,
    CreationDate: iso(r.creationDate),
    KeyState: r.keyState,
  };
  if (r.deletionDate !== undefined) o.DeletionDate = iso(r.deletionDate);
  if (r.pendingWindowInDays !== undefined) o.PendingWindowInDays = r.pendingWindowInDays;
  o.RotationEnabled = r.rotationEnabled;
  if (r.rotationPeriodInDays !== undefined) o.RotationPeriodInDays = r.rotationPeriodInDays;
  if (r.nextRotationDate !== undefined) o.NextRotationDate = iso(r.nextRotationDate);
  if (r.onDemandRotationStartDate !== undefined) o.OnDemandRotationStartDate = iso(r.onDemandRotationStartDate);
  o.KeyMaterial = r.material.map(materialToJson);
  if (r.policy !== undefined) o.Policy = r.policy;
  if (r.grants && r.grants.length) o.Grants = r.grants.map(grantToJson);
  if (r.tags && r.tags.length) o.Tags = r.tags.map((t) => ({ TagKey: t.key, TagValue: t.value }));
  if (r.lastUsage) {
    const u: Record<string, unknown> = { Operation: r.lastUsage.operation, Timestamp: iso(r.lastUsage.timestamp) };
    if (r.lastUsage.requestId !== undefined) u.KmsRequestId = r.lastUsage.requestId;
    o.LastUsage = u;
  }
  if (r.usageTrackedSince !== undefined) o.UsageTrackingStartDate = iso(r.usageTrackedSince);
  if (r.primaryRegion !== undefined) o.PrimaryRegion = r.primaryRegion;
  if (r.replicaRegions !== undefined) o.ReplicaRegions = [...r.replicaRegions];
  if (r.importParameters && r.importParameters.length) o.ImportParameters = r.importParameters.map(importParametersToJson);
  if (r.pendingRotation) o.PendingRotationKeyMaterial = materialToJson(r.pendingRotation);
  return o;
}

function materialToJson(m: BackingKey): Record<string, unknown> {
  const j: Record<string, unknown> = { KeyMaterialId: m.id };
  // Deleted or expired imported material (PENDING_IMPORT) is gone: only its ID stays.
  if (m.importState !== 'PENDING_IMPORT') j.Material = toBase64(m.material);
  if (m.publicKey) j.PublicKey = toBase64(m.publicKey);
  j.CreatedAt = iso(m.createdAt);
  if (m.rotationType) j.RotationType = m.rotationType;
  if (m.importState !== undefined) j.ImportState = m.importState;
  if (m.expirationModel !== undefined) j.ExpirationModel = m.expirationModel;
  if (m.validTo !== undefined) j.ValidTo = iso(m.validTo);
  if (m.description !== undefined) j.KeyMaterialDescription = m.description;
  return j;
}

function importParametersToJson(p: ImportParameters): Record<string, unknown> {
  return {
    Id: p.id,
    WrappingAlgorithm: p.wrappingAlgorithm,
    WrappingKeySpec: p.wrappingKeySpec,
    PrivateKey: toBase64(p.privateKey),
    PublicKey: toBase64(p.publicKey),
    ParametersValidTo: iso(p.validTo),
  };
}

function grantToJson(g: GrantRecord): Record<string, unknown> {
  const o: Record<string, unknown> = { GrantId: g.grantId };
  if (g.name !== undefined) o.Name = g.name;
  o.GranteePrincipal = g.granteePrincipal;
  if (g.retiringPrincipal !== undefined) o.RetiringPrincipal = g.retiringPrincipal;
  o.IssuingAccount = g.issuingAccount;
  o.Operations = [...g.operations];
  if (g.constraints) {
    const c: Record<string, unknown> = {};
    if (g.constraints.encryptionContextEquals) c.EncryptionContextEquals = { ...g.constraints.encryptionContextEquals };
    if (g.constraints.encryptionContextSubset) c.EncryptionContextSubset = { ...g.constraints.encryptionContextSubset };
    o.Constraints = c;
  }
  o.CreationDate = iso(g.creationDate);
  o.GrantTokenNonces = [...g.tokens];
  return o;
}

function aliasToJson(a: AliasRecord): Record<string, unknown> {
  return {
    AliasName: a.aliasName,
    AliasArn: a.aliasArn,
    AccountId: a.accountId,
    Region: a.region,
    TargetKeyId: a.targetKeyId,
    CreationDate: iso(a.creationDate),
    LastUpdatedDate: iso(a.lastUpdatedDate),
  };
}

export function toSnapshot(keys: readonly KeyRecord[], aliases: readonly AliasRecord[]): KeyStoreSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    keys: keys.map(keyToJson),
    aliases: aliases.map(aliasToJson),
  };
}

/** Reads a field; every failure names the field, never its value (it may be key material). */
class Reader {
  constructor(
    private readonly o: Record<string, unknown>,
    private readonly where: string,
  ) {}

  fail(field: string, why: string): never {
    throw new ValidationException(`Invalid key-store snapshot: ${this.where}.${field} ${why}`);
  }

  str(f: string, test?: (s: string) => boolean): string {
    const v = this.o[f];
    if (typeof v !== 'string') this.fail(f, 'must be a string');
    if (test && !test(v)) this.fail(f, 'is malformed');
    return v;
  }

  optStr(f: string): string | undefined {
    return this.o[f] === undefined ? undefined : this.str(f);
  }

  bool(f: string): boolean {
    const v = this.o[f];
    if (typeof v !== 'boolean') this.fail(f, 'must be a boolean');
    return v;
  }

  int(f: string, min: number, max: number): number {
    const v = this.o[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(f, `must be an integer in ${min}..${max}`);
    return v;
  }

  optInt(f: string, min: number, max: number): number | undefined {
    return this.o[f] === undefined ? undefined : this.int(f, min, max);
  }

  date(f: string): number {
    const v = this.str(f);
    const t = Date.parse(v);
    if (!Number.isFinite(t)) this.fail(f, 'must be an ISO 8601 date');
    return t;
  }

  optDate(f: string): number | undefined {
    return this.o[f] === undefined ? undefined : this.date(f);
  }

  bytes(f: string): Uint8Array {
    const b = fromBase64(this.str(f));
    if (!b || b.length === 0) this.fail(f, 'must be non-empty standard base64');
    return b;
  }

  oneOf<T extends string>(f: string, values: readonly T[]): T {
    const v = this.str(f);
    if (!(values as readonly string[]).includes(v)) this.fail(f, `must be one of ${values.join(', ')}`);
    return v as T;
  }
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ValidationException(`Invalid key-store snapshot: ${where} must be an object`);
  }
  return v as Record<string, unknown>;
}

function keyFromJson(v: unknown, i: number): KeyRecord {
  const where = `keys[${i}]`;
  const r = new Reader(asObject(v, where), where);
  const keyId = r.str('KeyId', isKeyId);
  const accountId = r.str('AccountId', isAccountId);
  const region = r.str('Region', (s) => isRegionName(s));
  const arn = r.str('Arn');
  if (arn !== keyArn(region, accountId, keyId)) r.fail('Arn', 'does not match KeyId, AccountId and Region');
  const keySpec = r.oneOf('KeySpec', KEY_SPECS);
  const symmetric = keySpec === 'SYMMETRIC_DEFAULT';
  // HMAC keys hold their raw key (28..128 bytes: the HMAC_224 minimum up to 1024 bits) and no public key.
  const hmac = keySpec.startsWith('HMAC_');
  const list: unknown = (v as Record<string, unknown>).KeyMaterial;
  if (!Array.isArray(list)) r.fail('KeyMaterial', 'must be a list');
  const origin = r.oneOf('Origin', ['AWS_KMS', 'EXTERNAL'] as const);
  const materialFromJson = (m: unknown, mw: string): BackingKey => {
    const mr = new Reader(asObject(m, mw), mw);
    const id = mr.str('KeyMaterialId', (s) => MATERIAL_ID.test(s));
    const is = mr.optStr('ImportState');
    const importState = is === undefined ? undefined : mr.oneOf('ImportState', ['IMPORTED', 'PENDING_IMPORT'] as const);
    if (importState !== undefined && origin !== 'EXTERNAL') mr.fail('ImportState', 'is only for keys with Origin EXTERNAL');
    const pending = importState === 'PENDING_IMPORT';
    if (pending && (m as Record<string, unknown>).Material !== undefined) mr.fail('Material', 'must be absent while PENDING_IMPORT');
    const bk: BackingKey = {
      id,
      material: pending ? new Uint8Array(0) : mr.bytes('Material'),
      createdAt: mr.date('CreatedAt'),
    };
    if (!pending && symmetric && bk.material.length !== 32 && bk.material.length !== 16) mr.fail('Material', 'must be 32 bytes (AES-256) or 16 bytes (SM4, China Regions) for a symmetric key');
    if (!pending && hmac && (bk.material.length < 28 || bk.material.length > 128)) mr.fail('Material', 'must be 28..128 bytes for an HMAC key');
    if (!symmetric && !hmac) bk.publicKey = mr.bytes('PublicKey');
    const rt = mr.optStr('RotationType');
    if (rt !== undefined) bk.rotationType = mr.oneOf('RotationType', ['AUTOMATIC', 'ON_DEMAND'] as const);
    if (importState !== undefined) bk.importState = importState;
    const em = mr.optStr('ExpirationModel');
    if (em !== undefined) bk.expirationModel = mr.oneOf('ExpirationModel', ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const);
    const vt = mr.optDate('ValidTo');
    if (vt !== undefined) bk.validTo = vt;
    if (bk.expirationModel === 'KEY_MATERIAL_EXPIRES' && vt === undefined) mr.fail('ValidTo', 'is required with ExpirationModel KEY_MATERIAL_EXPIRES');
    if (vt !== undefined && bk.expirationModel !== 'KEY_MATERIAL_EXPIRES') mr.fail('ValidTo', 'is only for ExpirationModel KEY_MATERIAL_EXPIRES');
    const desc = mr.optStr('KeyMaterialDescription');
    if (desc !== undefined) {
      if (desc.length > 256) mr.fail('KeyMaterialDescription', 'must be at most 256 characters');
      bk.description = desc;
    }
    return bk;
  };
  const material: BackingKey[] = (list as unknown[]).map((m, j) => materialFromJson(m, `${where}.KeyMaterial[${j}]`));
  const keyState = r.oneOf('KeyState', KEY_STATES);
  // A key with imported material may have none yet (PendingImport) and may be scheduled for
  // deletion (or be in a transient state) before any is imported. Only a key that can be
  // Enabled, Disabled or Updating must hold material.
  const usable = keyState === 'Enabled' || keyState === 'Disabled' || keyState === 'Updating';
  if (material.length === 0 && (usable || (origin !== 'EXTERNAL' && keyState !== 'PendingImport'))) {
    r.fail('KeyMaterial', 'must not be empty unless the key is PendingImport or has imported material not yet imported');
  }
  if (!symmetric && material.length > 1) r.fail('KeyMaterial', 'must hold one version for an asymmetric key');
  const rec: KeyRecord = {
    keyId,
    arn,
    accountId,
    region,
    keySpec,
    keyUsage: r.oneOf('KeyUsage', KEY_USAGES),
    origin,
    description: r.str('Description'),
    multiRegion: r.bool('MultiRegion'),
    creationDate: r.date('CreationDate'),
    keyState,
    rotationEnabled: r.bool('RotationEnabled'),
    material,
  };
  const dd = r.optDate('DeletionDate');
  if (dd !== undefined) rec.deletionDate = dd;
  if (keyState === 'PendingDeletion' && dd === undefined) r.fail('DeletionDate', 'is required when PendingDeletion');
  const pw = r.optInt('PendingWindowInDays', 7, 30);
  if (pw !== undefined) rec.pendingWindowInDays = pw;
  const rp = r.optInt('RotationPeriodInDays', 90, 2560);
  if (rp !== undefined) rec.rotationPeriodInDays = rp;
  const nr = r.optDate('NextRotationDate');
  if (nr !== undefined) rec.nextRotationDate = nr;
  const od = r.optDate('OnDemandRotationStartDate');
  if (od !== undefined) rec.onDemandRotationStartDate = od;
  if (rec.rotationEnabled && (rp === undefined || nr === undefined)) {
    r.fail('RotationEnabled', 'requires RotationPeriodInDays and NextRotationDate');
  }
  // Automatic rotation exists for symmetric encryption keys with AWS_KMS material only
  // (API_EnableKeyRotation): a record claiming it for another key could never rotate.
  if (rec.rotationEnabled && (!symmetric || origin !== 'AWS_KMS')) r.fail('RotationEnabled', 'is only for SYMMETRIC_DEFAULT keys of Origin AWS_KMS');
  const policy = r.optStr('Policy');
  if (policy !== undefined) {
    try {
      parseKeyPolicy(policy, arn.split(':')[1]);
    } catch (e) {
      if (e instanceof KmsError) r.fail('Policy', 'is not a valid key policy');
      throw e;
    }
    rec.policy = policy;
  }
  const grants: unknown = (v as Record<string, unknown>).Grants;
  if (grants !== undefined) {
    if (!Array.isArray(grants)) r.fail('Grants', 'must be a list');
    const partition = arn.split(':')[1] as string;
    const list = (grants as unknown[]).map((g, j) => grantFromJson(g, `${where}.Grants[${j}]`, partition));
    if (new Set(list.map((g) => g.grantId)).size !== list.length) r.fail('Grants', 'holds a GrantId twice');
    if (list.length) rec.grants = list;
  }
  const tags: unknown = (v as Record<string, unknown>).Tags;
  if (tags !== undefined) {
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'object' && t !== null && typeof t.TagKey === 'string' && typeof t.TagValue === 'string')) {
      r.fail('Tags', 'must be a list of { TagKey, TagValue } strings');
    }
    const list = tags as ApiTag[];
    try {
      validateTags(list);
    } catch (e) {
      if (e instanceof KmsError) r.fail('Tags', `is not a valid tag set (${e.name})`);
      throw e;
    }
    if (list.length) rec.tags = list.map((t) => ({ key: t.TagKey, value: t.TagValue }));
  }
  const lu: unknown = (v as Record<string, unknown>).LastUsage;
  if (lu !== undefined) {
    const uw = `${where}.LastUsage`;
    const ur = new Reader(asObject(lu, uw), uw);
    const usage: KeyUsageRecord = { operation: ur.oneOf('Operation', [...TRACKED_OPERATIONS] as KeyLastUsageTrackingOperation[]), timestamp: ur.date('Timestamp') };
    const id = ur.optStr('KmsRequestId');
    rec.lastUsage = id === undefined ? usage : { ...usage, requestId: id };
  }
  const ts = r.optDate('UsageTrackingStartDate');
  if (ts !== undefined) rec.usageTrackedSince = ts;
  readMultiRegionSet(v as Record<string, unknown>, r, rec);
  const params: unknown = (v as Record<string, unknown>).ImportParameters;
  if (params !== undefined) {
    if (origin !== 'EXTERNAL') r.fail('ImportParameters', 'is only for keys with Origin EXTERNAL');
    if (!Array.isArray(params)) r.fail('ImportParameters', 'must be a list');
    const sets = (params as unknown[]).map((p, j) => importParametersFromJson(p, `${where}.ImportParameters[${j}]`));
    if (new Set(sets.map((p) => p.id)).size !== sets.length) r.fail('ImportParameters', 'holds an Id twice');
    if (sets.length) rec.importParameters = sets;
  }
  const pendingJson: unknown = (v as Record<string, unknown>).PendingRotationKeyMaterial;
  if (pendingJson !== undefined) {
    if (origin !== 'EXTERNAL' || !symmetric) r.fail('PendingRotationKeyMaterial', 'is only for symmetric keys with Origin EXTERNAL');
    const p = materialFromJson(pendingJson, `${where}.PendingRotationKeyMaterial`);
    if (p.importState === 'PENDING_IMPORT') r.fail('PendingRotationKeyMaterial', 'must be imported material');
    if (material.some((m) => m.id === p.id)) r.fail('PendingRotationKeyMaterial', 'repeats a KeyMaterialId of KeyMaterial');
    rec.pendingRotation = p;
  }
  return rec;
}

/**
 * PrimaryRegion and ReplicaRegions (keys/multi-region.ts): both or neither, on multi-Region keys
 * only; Regions of the key's partition, sorted, none twice, the key's own Region among them.
 */
function readMultiRegionSet(o: Record<string, unknown>, r: Reader, rec: KeyRecord): void {
  if (o.PrimaryRegion === undefined && o.ReplicaRegions === undefined) return;
  if (!rec.multiRegion) r.fail('PrimaryRegion', 'is only for a multi-Region key');
  const partition = rec.arn.split(':')[1];
  const inPartition = (s: string) => isRegionName(s) && keyArn(s, rec.accountId, rec.keyId).split(':')[1] === partition;
  const primary = r.str('PrimaryRegion', inPartition);
  const list = o.ReplicaRegions;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && inPartition(x))) r.fail('ReplicaRegions', 'must be a list of Regions of the key\'s partition');
  const replicas = list as string[];
  if (replicas.some((x, i) => i > 0 && !((replicas[i - 1] as string) < x))) r.fail('ReplicaRegions', 'must be sorted, each Region once');
  if (replicas.includes(primary)) r.fail('ReplicaRegions', 'must not hold the PrimaryRegion');
  if (primary !== rec.region && !replicas.includes(rec.region)) r.fail('PrimaryRegion', 'and ReplicaRegions must include the key\'s own Region');
  rec.primaryRegion = primary;
  rec.replicaRegions = [...replicas];
}

const PARAMETER_SET_ID = /^[0-9a-f]{32}$/;

function importParametersFromJson(v: unknown, where: string): ImportParameters {
  const r = new Reader(asObject(v, where), where);
  return {
    id: r.str('Id', (s) => PARAMETER_SET_ID.test(s)),
    wrappingAlgorithm: r.oneOf('WrappingAlgorithm', WRAPPING_ALGORITHMS),
    wrappingKeySpec: r.oneOf('WrappingKeySpec', WRAPPING_KEY_SPECS),
    privateKey: r.bytes('PrivateKey'),
    publicKey: r.bytes('PublicKey'),
    validTo: r.date('ParametersValidTo'),
  };
}

function contextMap(v: unknown, r: Reader, field: string): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    r.fail(field, 'must be a map of strings');
  }
  return { ...(v as Record<string, string>) };
}

function grantFromJson(v: unknown, where: string, partition: string): GrantRecord {
  const o = asObject(v, where);
  const r = new Reader(o, where);
  const principal = (s: string) => parsePrincipal(s, partition) !== undefined;
  const g: GrantRecord = {
    grantId: r.str('GrantId', (s) => GRANT_ID.test(s)),
    granteePrincipal: r.str('GranteePrincipal', principal),
    issuingAccount: r.str('IssuingAccount', principal),
    operations: [],
    creationDate: r.date('CreationDate'),
    tokens: [],
  };
  const name = r.optStr('Name');
  if (name !== undefined) {
    if (!GRANT_NAME.test(name)) r.fail('Name', 'is malformed');
    g.name = name;
  }
  const retiring = r.optStr('RetiringPrincipal');
  if (retiring !== undefined) {
    if (!principal(retiring)) r.fail('RetiringPrincipal', 'is malformed');
    g.retiringPrincipal = retiring;
  }
  const ops = o.Operations;
  if (!Array.isArray(ops) || ops.length === 0 || !ops.every((x) => typeof x === 'string' && (GRANT_OPERATIONS as readonly string[]).includes(x))) {
    r.fail('Operations', 'must be a non-empty list of grant operations');
  }
  g.operations = [...(ops as string[])];
  const tokens = o.GrantTokenNonces;
  if (!Array.isArray(tokens) || !tokens.every((x) => typeof x === 'string' && TOKEN_NONCE.test(x))) {
    r.fail('GrantTokenNonces', 'must be a list of 32 lowercase hex characters each');
  }
  g.tokens = [...(tokens as string[])];
  if (o.Constraints !== undefined) {
    const c = asObject(o.Constraints, `${where}.Constraints`);
    const cr = new Reader(c, `${where}.Constraints`);
    const out: GrantConstraintsRecord = {};
    for (const f of Object.keys(c)) if (f !== 'EncryptionContextEquals' && f !== 'EncryptionContextSubset') cr.fail(f, 'is not a grant constraint');
    if (c.EncryptionContextEquals !== undefined) out.encryptionContextEquals = contextMap(c.EncryptionContextEquals, cr, 'EncryptionContextEquals');
    if (c.EncryptionContextSubset !== undefined) out.encryptionContextSubset = contextMap(c.EncryptionContextSubset, cr, 'EncryptionContextSubset');
    if (out.encryptionContextEquals || out.encryptionContextSubset) g.constraints = out;
  }
  return g;
}

function aliasFromJson(v: unknown, i: number): AliasRecord {
  const where = `aliases[${i}]`;
  const r = new Reader(asObject(v, where), where);
  const aliasName = r.str('AliasName', (s) => ALIAS.test(s) && s.length <= 256);
  const accountId = r.str('AccountId', isAccountId);
  const region = r.str('Region', (s) => isRegionName(s));
  const arn = r.str('AliasArn');
  if (arn !== aliasArn(region, accountId, aliasName)) r.fail('AliasArn', 'does not match AliasName, AccountId and Region');
  return {
    aliasName,
    aliasArn: arn,
    accountId,
    region,
    targetKeyId: r.str('TargetKeyId', isKeyId),
    creationDate: r.date('CreationDate'),
    lastUpdatedDate: r.date('LastUpdatedDate'),
  };
}

/** Parses and checks a snapshot (an object or its JSON text); throws ValidationException. */
export function fromSnapshot(input: unknown): { keys: KeyRecord[]; aliases: AliasRecord[] } {
  try {
    return readSnapshot(input);
  } catch (e) {
    // A Proxy or getter that throws, a revoked Proxy (issue 12.6): never a bare TypeError, and
    // never the thrown message (it could hold snapshot content).
    if (e instanceof KmsError) throw e;
    throw new ValidationException('Invalid key-store snapshot: it could not be read');
  }
}

function readSnapshot(input: unknown): { keys: KeyRecord[]; aliases: AliasRecord[] } {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch {
      throw new ValidationException('Invalid key-store snapshot: not JSON');
    }
  }
  const o = asObject(doc, 'snapshot');
  if (o.format !== SNAPSHOT_FORMAT) throw new ValidationException(`Invalid key-store snapshot: format must be "${SNAPSHOT_FORMAT}"`);
  if (o.version !== SNAPSHOT_VERSION) {
    // Echo the version only when it is a number: the message must never carry snapshot content.
    const v = typeof o.version === 'number' && Number.isFinite(o.version) ? String(o.version) : `of type ${typeof o.version}`;
    throw new ValidationException(`Unsupported key-store snapshot version ${v}; this kms-core reads version ${SNAPSHOT_VERSION}`);
  }
  if (!Array.isArray(o.keys) || !Array.isArray(o.aliases)) throw new ValidationException('Invalid key-store snapshot: keys and aliases must be lists');
  const keys = o.keys.map(keyFromJson);
  const aliases = o.aliases.map(aliasFromJson);
  const arns = new Set<string>();
  for (const k of keys) {
    if (arns.has(k.arn)) throw new ValidationException(`Invalid key-store snapshot: duplicate key ${k.arn}`);
    arns.add(k.arn);
  }
  for (const a of aliases) {
    if (!arns.has(keyArn(a.region, a.accountId, a.targetKeyId))) {
      throw new ValidationException(`Invalid key-store snapshot: alias ${a.aliasArn} targets a key that is not in the snapshot`);
    }
  }
  return { keys, aliases };
}
