/**
 * Key and alias records through PostgreSQL rows, for PostgresKeyStore (postgres-store.ts): what
 * a SELECT_KEY or SELECT_ALIAS row decodes to, the parameters of INSERT_KEYS, and the update of
 * one key that writes only the child rows that changed (postgres-sql.ts holds the statements,
 * postgres-rows.ts the mapping of snapshot JSON to rows). Node only.
 */
import type { PoolClient } from 'pg';
import type { AliasRecord, KeyRecord } from '../keys/record.js';
import { ALIASES, CHILDREN, fromRow, keyFromRows, keyToRows, stableJson, toRow } from './postgres-rows.js';
import { UPDATE_KEY } from './postgres-sql.js';
import { aliasFromJson, aliasToJson, keyFromJson, keyToJson, type Json } from './record-json.js';

/** Decodes a key read by SELECT_KEY; the row's version comes along. */
export function decodeKey(row: Json): { record: KeyRecord; version: number } {
  const k = row.k as Json;
  const json = keyFromRows(
    k,
    CHILDREN.map((_, i) => row[`c${i}`] as Json[]),
  );
  return { record: keyFromJson(json), version: Number(k.version) };
}

/** Writes `record` over the key row `row` read (under its lock) in transaction `c`: the key row and the child rows that changed. Returns the new version. */
export async function writeKey(c: PoolClient, arn: string, row: Json, record: KeyRecord): Promise<number> {
  const before = keyToRows(keyFromRows(row.k as Json, CHILDREN.map((_, i) => row[`c${i}`] as Json[])));
  const after = keyToRows(keyToJson(record));
  const params: unknown[] = [arn, JSON.stringify(after.key)];
  CHILDREN.forEach((t, i) => {
    const old = new Map((before.children[i] ?? []).map((r) => [r[t.id.column] as string, stableJson(r)]));
    const rows = after.children[i] ?? [];
    params.push(
      rows.map((r) => r[t.id.column] as string),
      JSON.stringify(rows.filter((r) => old.get(r[t.id.column] as string) !== stableJson(r))),
    );
  });
  const { rows: updated } = await c.query<{ version: string }>(UPDATE_KEY, params);
  return Number(updated[0]?.version);
}

/** The parameters of INSERT_KEYS for `records`: the key rows ($1), then each child table's rows. */
export function insertKeysParams(records: readonly KeyRecord[]): string[] {
  const batch = records.map((k) => keyToRows(keyToJson(k)));
  return [JSON.stringify(batch.map((b) => b.key)), ...CHILDREN.map((_, j) => JSON.stringify(batch.flatMap((b) => b.children[j] ?? [])))];
}

export function decodeAlias(row: Json): AliasRecord {
  return aliasFromJson(fromRow(ALIASES, row.a as Json));
}

/** The alias rows parameter ($1) of PUT_ALIAS and CREATE_ALIAS. */
export function aliasRowsParam(aliases: readonly AliasRecord[]): string {
  return JSON.stringify(aliases.map((a) => toRow(ALIASES, aliasToJson(a))));
}
