/**
 * The PostgreSQL schema of PostgresKeyStore (postgres-store.ts), its migrations, and the mapping
 * between a key's snapshot JSON (keys/snapshot.ts, through record-json.ts) and its rows. Node only.
 *
 * Schema version 1 (README.md "PostgreSQL store" shows the same):
 *
 *   kms_core_schema        (version)                         one row: the schema version
 *   kms_core_keys          one row per key: arn (primary key), region, account_id, key_id
 *                          (unique together), key_spec, key_usage, origin, key_state,
 *                          description, multi_region, creation_date, deletion_date, policy
 *                          (the key policy text; NULL: the default policy), record (jsonb: every
 *                          other member of the key's snapshot JSON, e.g. RotationEnabled,
 *                          NextRotationDate, and members added after this schema), version
 *                          (+1 on every change), created_seq (creation order)
 *   kms_core_key_material  one row per backing-key version: key_arn, key_material_id, ordinal
 *                          (0 = original), material (bytea), public_key, created_at,
 *                          rotation_type, extra (jsonb: members added later)
 *   kms_core_grants        one row per grant: key_arn, grant_id, ordinal, name,
 *                          grantee_principal, retiring_principal, issuing_account, operations
 *                          (text[]), constraints (jsonb), creation_date, token_nonces (text[]), extra
 *   kms_core_tags          one row per tag: key_arn, tag_key, ordinal, tag_value, extra
 *   kms_core_aliases       one row per alias: alias_arn (primary key), region, account_id,
 *                          alias_name, target_key_id (a key of the same region and account),
 *                          creation_date, last_updated_date
 *
 * Child rows are deleted with their key (ON DELETE CASCADE). A member of the snapshot JSON
 * that has a column goes there when its value has the column's type; anything else (a field
 * this schema does not know, a value of another type) goes to the row's jsonb (`record` or
 * `extra`), so every field the snapshot codec writes comes back, and the codec checks it.
 * A list member (KeyMaterial, Grants, Tags) goes to its table when every entry is an object
 * with a distinct string id (KeyMaterialId, GrantId, TagKey); otherwise it stays in `record`.
 *
 * PostgreSQL text and jsonb cannot hold U+0000 or an unpaired surrogate, which a Description,
 * a tag or an encryption-context pair may contain: in every string (and member name) stored,
 * U+0001 is written U+0001 U+0001, U+0000 is written U+0001 "0", and an unpaired surrogate
 * U+0001 "u" and four hex digits. Other strings are stored as they are.
 *
 * Migrations run at connect, in one transaction under an advisory lock, so servers starting
 * together apply each exactly once. A database of a newer schema version is refused.
 */
import type { Json } from './record-json.js';

export const NOTIFY_CHANNEL = 'kms_core_changes';
/** pg_advisory_xact_lock key of the migration ("kmscore1" as a big-endian integer). */
export const MIGRATION_LOCK = '7741245008655250737';

/** MIGRATIONS[n] takes a database from schema version n to n + 1. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE kms_core_keys (
     arn text PRIMARY KEY,
     region text NOT NULL,
     account_id text NOT NULL,
     key_id text NOT NULL,
     key_spec text,
     key_usage text,
     origin text,
     key_state text,
     description text,
     multi_region boolean,
     creation_date timestamptz,
     deletion_date timestamptz,
     policy text,
     record jsonb NOT NULL DEFAULT '{}',
     version bigint NOT NULL DEFAULT 1,
     created_seq bigserial NOT NULL,
     UNIQUE (region, account_id, key_id)
   );
   CREATE INDEX kms_core_keys_by_account ON kms_core_keys (region, account_id, created_seq);
   CREATE TABLE kms_core_key_material (
     key_arn text NOT NULL REFERENCES kms_core_keys (arn) ON DELETE CASCADE,
     key_material_id text NOT NULL,
     ordinal integer NOT NULL,
     material bytea,
     public_key bytea,
     created_at timestamptz,
     rotation_type text,
     extra jsonb NOT NULL DEFAULT '{}',
     PRIMARY KEY (key_arn, key_material_id)
   );
   CREATE TABLE kms_core_grants (
     key_arn text NOT NULL REFERENCES kms_core_keys (arn) ON DELETE CASCADE,
     grant_id text NOT NULL,
     ordinal integer NOT NULL,
     name text,
     grantee_principal text,
     retiring_principal text,
     issuing_account text,
     operations text[],
     constraints jsonb,
     creation_date timestamptz,
     token_nonces text[],
     extra jsonb NOT NULL DEFAULT '{}',
     PRIMARY KEY (key_arn, grant_id)
   );
   CREATE INDEX kms_core_grants_by_retiring ON kms_core_grants (retiring_principal);
   CREATE TABLE kms_core_tags (
     key_arn text NOT NULL REFERENCES kms_core_keys (arn) ON DELETE CASCADE,
     tag_key text NOT NULL,
     ordinal integer NOT NULL,
     tag_value text,
     extra jsonb NOT NULL DEFAULT '{}',
     PRIMARY KEY (key_arn, tag_key)
   );
   CREATE TABLE kms_core_aliases (
     alias_arn text PRIMARY KEY,
     region text NOT NULL,
     account_id text NOT NULL,
     alias_name text NOT NULL,
     target_key_id text NOT NULL,
     creation_date timestamptz,
     last_updated_date timestamptz,
     FOREIGN KEY (region, account_id, target_key_id) REFERENCES kms_core_keys (region, account_id, key_id)
   );
   CREATE INDEX kms_core_aliases_by_account ON kms_core_aliases (region, account_id, alias_name);`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;

type Kind = 'text' | 'bool' | 'date' | 'bytes' | 'texts' | 'json';
interface Column {
  member: string;
  column: string;
  kind: Kind;
}
interface Table {
  table: string;
  columns: readonly Column[];
  /** The jsonb column holding the members without a column. */
  rest: string;
}
interface ChildTable extends Table {
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

const SPECIAL = /[\u0000\u0001\ud800-\udfff]/;
const ESC = '\u0001';

function escapeString(s: string): string {
  if (!SPECIAL.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) out += `${ESC}0`;
    else if (c === 1) out += ESC + ESC;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) out += s.slice(i, ++i + 1);
    else if (c >= 0xd800 && c <= 0xdfff) out += `${ESC}u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return out;
}

function unescapeString(s: string): string {
  if (!s.includes(ESC)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== ESC) {
      out += s[i];
      continue;
    }
    const n = s[++i];
    if (n === '0') out += '\u0000';
    else if (n === 'u') {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += ESC;
  }
  return out;
}

/** Applies `f` to every string and member name of a JSON value. */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (typeof v === 'object' && v !== null) {
    const o: Json = {};
    for (const [k, x] of Object.entries(v)) o[f(k)] = mapStrings(x, f);
    return o;
  }
  return v;
}

/** A snapshot JSON value → the form stored (see the header), and back. */
export const escapeJson = <T>(v: T): T => mapStrings(v, escapeString) as T;
export const unescapeJson = <T>(v: T): T => mapStrings(v, unescapeString) as T;

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

// ───────────────────────────── SQL (built from the constant tables above only) ─────────────────────────────

const names = (cs: readonly Column[]) => cs.map((c) => c.column);

function insertColumns(t: Table, extra: string[] = []): string[] {
  return [...extra, ...names(t.columns), ...(t.rest ? [t.rest] : [])];
}

function selectList(cols: string[], rest: string): string {
  return cols.map((c) => (c === rest ? `coalesce(r.${c}, '{}'::jsonb)` : `r.${c}`)).join(', ');
}

/** INSERT of rows given as a jsonb array parameter; `join` restricts them (a CTE of inserted keys). */
function insertRows(t: Table, param: string, opts: { extra?: string[]; join?: string; conflict?: string } = {}): string {
  const cols = insertColumns(t, opts.extra);
  return `INSERT INTO ${t.table} (${cols.join(', ')}) SELECT ${selectList(cols, t.rest)} FROM jsonb_populate_recordset(NULL::${t.table}, ${param}::jsonb) r${opts.join ?? ''}${opts.conflict ?? ''}`;
}

const CHILD_EXTRA = ['key_arn', 'ordinal'];

/** The select list that reads a key with its child rows (each as to_jsonb renders it). */
export const SELECT_KEY = `SELECT to_jsonb(k) AS k, ${CHILDREN.map(
  (t, i) => `(SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.ordinal), '[]'::jsonb) FROM ${t.table} c WHERE c.key_arn = k.arn) AS c${i}`,
).join(', ')} FROM kms_core_keys k`;

/** Inserts keys ($1) and their child rows ($2, $3, … in CHILDREN order); returns the inserted ARNs. */
export const INSERT_KEYS = `WITH k AS (${insertRows(KEYS, '$1', { conflict: ' ON CONFLICT DO NOTHING' })} RETURNING arn),
${CHILDREN.map((t, i) => `c${i} AS (${insertRows(t, `$${i + 2}`, { extra: CHILD_EXTRA, join: ' JOIN k ON k.arn = r.key_arn' })})`).join(',\n')}
SELECT arn FROM k`;

/**
 * Updates key $1 to row $2 (version + 1) and, per child table i, keeps the ids in
 * $(3 + 2i) and upserts the rows in $(4 + 2i); notifies; returns the new version.
 */
export const UPDATE_KEY = (() => {
  const set = [...names(KEYS.columns).filter((c) => c !== 'arn'), KEYS.rest]
    .map((c) => `${c} = ${c === KEYS.rest ? `coalesce(r.${c}, '{}'::jsonb)` : `r.${c}`}`)
    .join(', ');
  const parts = [`u AS (UPDATE kms_core_keys k SET ${set}, version = k.version + 1 FROM jsonb_populate_record(NULL::kms_core_keys, $2::jsonb) r WHERE k.arn = $1 RETURNING k.version)`];
  CHILDREN.forEach((t, i) => {
    const keep = `$${3 + 2 * i}`;
    const rows = `$${4 + 2 * i}`;
    const upd = [...names(t.columns).filter((c) => c !== t.id.column), 'ordinal', t.rest].map((c) => `${c} = EXCLUDED.${c}`).join(', ');
    parts.push(`d${i} AS (DELETE FROM ${t.table} WHERE key_arn = $1 AND ${t.id.column} <> ALL(${keep}::text[]))`);
    parts.push(`p${i} AS (${insertRows(t, rows, { extra: CHILD_EXTRA, conflict: ` ON CONFLICT (key_arn, ${t.id.column}) DO UPDATE SET ${upd}` })})`);
  });
  return `WITH ${parts.join(',\n')}
SELECT version, pg_notify('${NOTIFY_CHANNEL}', 'k ' || version || ' ' || $1) FROM u`;
})();

/** Deletes key $1 and the aliases that target it; notifies each. */
export const DELETE_KEY = `WITH a AS (DELETE FROM kms_core_aliases al USING kms_core_keys k WHERE k.arn = $1 AND al.region = k.region AND al.account_id = k.account_id AND al.target_key_id = k.key_id RETURNING al.alias_arn),
d AS (DELETE FROM kms_core_keys WHERE arn = $1 RETURNING arn)
SELECT pg_notify('${NOTIFY_CHANNEL}', 'k - ' || arn) FROM d UNION ALL SELECT pg_notify('${NOTIFY_CHANNEL}', 'a ' || alias_arn) FROM a`;

export const SELECT_ALIAS = 'SELECT to_jsonb(a) AS a FROM kms_core_aliases a';

const aliasUpdate = names(ALIASES.columns)
  .filter((c) => c !== 'alias_arn' && c !== 'creation_date')
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ');

/** Upserts alias $1 (creation date kept); notifies. */
export const PUT_ALIAS = `WITH p AS (${insertRows(ALIASES, '$1', { conflict: ` ON CONFLICT (alias_arn) DO UPDATE SET ${aliasUpdate}` })} RETURNING alias_arn)
SELECT pg_notify('${NOTIFY_CHANNEL}', 'a ' || alias_arn) FROM p`;

/** Inserts alias $1 unless its ARN is taken; returns a row when inserted. */
export const CREATE_ALIAS = `WITH p AS (${insertRows(ALIASES, '$1', { conflict: ' ON CONFLICT DO NOTHING' })} RETURNING alias_arn)
SELECT pg_notify('${NOTIFY_CHANNEL}', 'a ' || alias_arn) FROM p`;

export const DELETE_ALIAS = `WITH d AS (DELETE FROM kms_core_aliases WHERE alias_arn = $1 RETURNING alias_arn)
SELECT pg_notify('${NOTIFY_CHANNEL}', 'a ' || alias_arn) FROM d`;
