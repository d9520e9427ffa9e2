/**
 * Aliases in the key-store snapshot (keys/snapshot.ts): the "aliases" entries, written from and
 * read back into AliasRecord; the AliasArn must be the one AliasName, AccountId and Region give.
 */
import { aliasArn, isAccountId, isKeyId } from './arn.js';
import type { AliasRecord } from './record.js';
import { isRegionName } from './region.js';
import { Reader, asObject, iso } from './snapshot-fields.js';

const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;

export function aliasToJson(a: AliasRecord): Record<string, unknown> {
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

export function aliasFromJson(v: unknown, i: number): AliasRecord {
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
