/**
 * One key or alias record in its key-store snapshot JSON form (keys/snapshot.ts), for stores
 * that persist records one at a time (the journal of file-store.ts, the PostgreSQL store).
 *
 * Keys go through the snapshot codec itself (`toSnapshot` / `fromSnapshot` of a one-key
 * snapshot), so every field the snapshot learns (tags, imported-material state, multi-Region
 * configuration, …) persists here without this file knowing it, and every record read back is
 * checked exactly as a snapshot is. Aliases are encoded by the snapshot too; they are decoded
 * here because the snapshot reader insists that an alias's target key be in the same document.
 */
import { isRegionName } from '../keys/region.js';
import { ValidationException } from '../errors.js';
import { aliasArn, isAccountId, isKeyId } from '../keys/arn.js';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, fromSnapshot, toSnapshot } from '../keys/snapshot.js';

export type Json = Record<string, unknown>;

export function keyToJson(record: KeyRecord): Json {
  return toSnapshot([record], []).keys[0] as Json;
}

/** Throws ValidationException naming the field (never its value) when `json` is not a valid key. */
export function keyFromJson(json: unknown): KeyRecord {
  return fromSnapshot({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, keys: [json], aliases: [] }).keys[0] as KeyRecord;
}

export function aliasToJson(alias: AliasRecord): Json {
  return toSnapshot([], [alias]).aliases[0] as Json;
}

// The same checks as the snapshot reader (keys/snapshot.ts aliasFromJson).
const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;

export function aliasFromJson(json: unknown): AliasRecord {
  const fail = (field: string, why: string): never => {
    throw new ValidationException(`Invalid alias record: ${field} ${why}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('record', 'must be an object');
  const o = json as Json;
  const str = (f: string, test: (s: string) => boolean): string => {
    const v = o[f];
    if (typeof v !== 'string') fail(f, 'must be a string');
    if (!test(v as string)) fail(f, 'is malformed');
    return v as string;
  };
  const date = (f: string): number => {
    const t = Date.parse(str(f, () => true));
    if (!Number.isFinite(t)) fail(f, 'must be an ISO 8601 date');
    return t;
  };
  const aliasName = str('AliasName', (s) => ALIAS.test(s) && s.length <= 256);
  const accountId = str('AccountId', isAccountId);
  const region = str('Region', (s) => isRegionName(s));
  const arn = str('AliasArn', (s) => s === aliasArn(region, accountId, aliasName));
  return {
    aliasName,
    aliasArn: arn,
    accountId,
    region,
    targetKeyId: str('TargetKeyId', isKeyId),
    creationDate: date('CreationDate'),
    lastUpdatedDate: date('LastUpdatedDate'),
  };
}
