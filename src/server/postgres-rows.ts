/**
 * The mapping between a key's (or alias's) snapshot JSON (keys/snapshot.ts, through
 * record-json.ts) and its PostgreSQL rows (the tables of postgres-migrations.ts). Node only.
 *
 * A member of the snapshot JSON that has a column goes there when its value has the column's
 * type; anything else (a field this schema does not know, a value of another type) goes to the
 * row's jsonb (`record` or `extra`), so every field the snapshot codec writes comes back, and
 * the codec checks it.
 * A list member (KeyMaterial, Grants, Tags) goes to its table when every entry is an object
 * with a distinct string id (KeyMaterialId, GrantId, TagKey); otherwise it stays in `record`.
 *
 * Strings go through postgres-escape.ts first (PostgreSQL text cannot hold U+0000). The tables
 * below are constants: the SQL built from them (postgres-sql.ts) never holds request data.
 */
import { escapeJson, unescapeJson } from './postgres-escape.js';
import type { Json } from './record-json.js';

export type Kind = 'text' | 'bool' | 'date' | 'bytes' | 'texts' | 'json';
export interface Column {
  member: string;
  column: string;
  kind: Kind;
}
export interface Table {
  table: string;
  columns: readonly Column[];
  /** The jsonb column holding the members without a column. */
  rest: string;
}
export interface ChildTable extends Table {
  /** The key's list member this table holds, and the member (and column) naming an entry. */
  list: string;
  id: Column;
}

const col = (member: string, column: string, kind: Kind = 'text'): Column => ({ member, column, kind });

export const KEYS: Table = {
  table: 'kms_core_keys',
  rest: 'record',
  columns: [
    col('Arn', 'arn'),
    col('Region', 'region'),
    col('AccountId', 'account_id'),
    col('KeyId', 'key_id'),
    col('KeySpec', 'key_spec'),
    col('KeyUsage', 'key_usage'),
    col('Origin', 'origin'),
    col('KeyState', 'key_state'),
    col('Description', 'description'),
    col('MultiRegion', 'multi_region', 'bool'),
    col('CreationDate', 'creation_date', 'date'),
    col('DeletionDate', 'deletion_date', 'date'),
    col('Policy', 'policy'),
  ],
};

const child = (list: string, table: string, id: Column, columns: Column[]): ChildTable => ({ list, table, id, rest: 'extra', columns: [id, ...columns] });

export const CHILDREN: readonly ChildTable[] = [
  child('KeyMaterial', 'kms_core_key_material', col('KeyMaterialId', 'key_material_id'), [
    col('Material', 'material', 'bytes'),
    col('PublicKey', 'public_key', 'bytes'),
    col('CreatedAt', 'created_at', 'date'),
    col('RotationType', 'rotation_type'),
  ]),
  child('Grants', 'kms_core_grants', col('GrantId', 'grant_id'), [
    col('Name', 'name'),
    col('GranteePrincipal', 'grantee_principal'),
    col('RetiringPrincipal', 'retiring_principal'),
    col('IssuingAccount', 'issuing_account'),
    col('Operations', 'operations', 'texts'),
    col('Constraints', 'constraints', 'json'),
    col('CreationDate', 'creation_date', 'date'),
    col('GrantTokenNonces', 'token_nonces', 'texts'),
  ]),
  // Ready for key tags ("Tags": [{"TagKey", "TagValue"}] in the snapshot, TagResource).
  child('Tags', 'kms_core_tags', col('TagKey', 'tag_key'), [col('TagValue', 'tag_value')]),
];

export const ALIASES: Table = {
  table: 'kms_core_aliases',
  rest: '',
  columns: [
    col('AliasArn', 'alias_arn'),
    col('Region', 'region'),
    col('AccountId', 'account_id'),
    col('AliasName', 'alias_name'),
    col('TargetKeyId', 'target_key_id'),
    col('CreationDate', 'creation_date', 'date'),
    col('LastUpdatedDate', 'last_updated_date', 'date'),
  ],
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether a JSON value fits the column (and comes back from it exactly). */
function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'text':
      return typeof v === 'string' && !v.includes('\u0000');
    case 'bool':
      return typeof v === 'boolean';
    case 'date': {
      if (typeof v !== 'string') return false;
      const t = Date.parse(v);
      return Number.isFinite(t) && new Date(t).toISOString() === v;
    }
    case 'bytes':
      return typeof v === 'string' && v.length % 4 === 0 && BASE64.test(v) && Buffer.from(v, 'base64').toString('base64') === v;
    case 'texts':
      return Array.isArray(v) && v.every((x) => typeof x === 'string' && !x.includes('\u0000'));
    case 'json':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

/** JSON value → the JSON form jsonb_populate_record reads into the column. */
function toPg(kind: Kind, v: unknown): unknown {
  return kind === 'bytes' ? `\\x${Buffer.from(v as string, 'base64').toString('hex')}` : v;
}

/** A column as to_jsonb renders it → the snapshot JSON value. */
function fromPg(kind: Kind, v: unknown): unknown {
  if (kind === 'bytes') return Buffer.from((v as string).slice(2), 'hex').toString('base64');
  if (kind === 'date') return new Date(v as string).toISOString();
  return v;
}

/** Splits one JSON object into its table's columns and the rest. */
export function toRow(t: Table, json: Json): Json {
  const row: Json = {};
  const rest: Json = {};
  for (const [member, v] of Object.entries(json)) {
    const c = t.columns.find((x) => x.member === member);
    if (c && fits(c.kind, v)) row[c.column] = toPg(c.kind, v);
    else rest[member] = v;
  }
  if (t.rest) row[t.rest] = rest;
  else if (Object.keys(rest).length) throw new Error(`kms-core: ${t.table} has no place for ${Object.keys(rest).join(', ')}`);
  return row;
}

/** One row (as to_jsonb renders it) back to its JSON object. */
export function fromRow(t: Table, row: Json): Json {
  const out: Json = t.rest ? { ...(row[t.rest] as Json) } : {};
  for (const c of t.columns) {
    const v = row[c.column];
    if (v !== null && v !== undefined) out[c.member] = fromPg(c.kind, v);
  }
  return out;
}

/** The entries of a list member a child table can hold, or undefined when it must stay in `record`. */
function entries(t: ChildTable, v: unknown): Json[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const ids = new Set<string>();
  for (const e of v) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return undefined;
    const id = (e as Json)[t.id.member];
    if (!fits('text', id) || ids.has(id as string)) return undefined;
    ids.add(id as string);
  }
  return v as Json[];
}

export interface KeyRows {
  key: Json;
  /** Per child table (CHILDREN order): its rows, each with key_arn and ordinal. */
  children: Json[][];
}

/** A key's snapshot JSON → its rows. */
export function keyToRows(snapshotJson: Json): KeyRows {
  const json = escapeJson(snapshotJson);
  const rest: Json = { ...json };
  const arn = json.Arn;
  const children = CHILDREN.map((t) => {
    const list = entries(t, rest[t.list]);
    if (!list) return [];
    delete rest[t.list];
    return list.map((e, ordinal) => ({ ...toRow(t, e), key_arn: arn, ordinal }));
  });
  return { key: toRow(KEYS, rest), children };
}

/** A key's rows (as to_jsonb renders them) → its snapshot JSON. */
export function keyFromRows(key: Json, children: Json[][]): Json {
  const out = fromRow(KEYS, key);
  CHILDREN.forEach((t, i) => {
    const rows = children[i] ?? [];
    // KeyMaterial is always present in a snapshot; Grants and Tags only when there are some.
    if (out[t.list] === undefined && (rows.length || t.list === 'KeyMaterial')) out[t.list] = rows.map((r) => fromRow(t, r));
  });
  return unescapeJson(out);
}

/** JSON text with object members sorted: equal values, equal text. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
