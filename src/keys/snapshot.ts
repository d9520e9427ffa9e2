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
 *
 * This file holds the document (format, version, the cross-record checks); the records are
 * (de)serialised in snapshot-key.ts, snapshot-grant.ts and snapshot-alias.ts, with the field
 * reader of snapshot-fields.ts.
 */
import { ValidationException, KmsError } from '../errors.js';
import { keyArn } from './arn.js';
import type { AliasRecord, KeyRecord } from './record.js';
import { aliasFromJson, aliasToJson } from './snapshot-alias.js';
import { asObject } from './snapshot-fields.js';
import { keyFromJson, keyToJson } from './snapshot-key.js';

export const SNAPSHOT_FORMAT = 'kms-core/key-store';
export const SNAPSHOT_VERSION = 1;

export interface KeyStoreSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  keys: Record<string, unknown>[];
  aliases: Record<string, unknown>[];
}

export function toSnapshot(keys: readonly KeyRecord[], aliases: readonly AliasRecord[]): KeyStoreSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    keys: keys.map(keyToJson),
    aliases: aliases.map(aliasToJson),
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
