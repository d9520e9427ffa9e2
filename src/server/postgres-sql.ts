/**
 * The SQL statements of PostgresKeyStore (postgres-store.ts), built once at load from the
 * constant table maps of postgres-rows.ts, never from request data: values travel as
 * parameters (rows as one jsonb array each, read by jsonb_populate_recordset). Node only.
 *
 * Every write notifies NOTIFY_CHANNEL (delivered at commit) with what it changed, which the
 * listening stores use to drop their cached entries (postgres-cache.ts):
 *
 *   k <version> <key arn>    a key changed to that version
 *   k - <key arn>            a key was deleted
 *   a <alias arn>            an alias changed or was deleted
 */
import { ALIASES, CHILDREN, KEYS, type Column, type Table } from './postgres-rows.js';

export const NOTIFY_CHANNEL = 'kms_core_changes';

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
