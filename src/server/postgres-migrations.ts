/**
 * The PostgreSQL schema of PostgresKeyStore (postgres-store.ts) and its migrations. Node only.
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
 * Child rows are deleted with their key (ON DELETE CASCADE). How a key's snapshot JSON maps to
 * these rows is postgres-rows.ts.
 *
 * Migrations run at connect, in one transaction under an advisory lock, so servers starting
 * together apply each exactly once. A database of a newer schema version is refused.
 */
import type { PoolClient } from 'pg';

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

/**
 * Brings the database to SCHEMA_VERSION inside transaction `c` (the caller's BEGIN … COMMIT):
 * the advisory lock serializes servers starting together, so each migration runs exactly once.
 * Throws when the database is at a newer version than this kms-core knows.
 */
export async function applyMigrations(c: PoolClient): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
  await c.query('CREATE TABLE IF NOT EXISTS kms_core_schema (version integer NOT NULL)');
  const { rows } = await c.query<{ version: number }>('SELECT version FROM kms_core_schema');
  const at = rows[0]?.version ?? 0;
  if (at > SCHEMA_VERSION) throw new Error(`kms-core: the database is at schema version ${at}, newer than this kms-core's ${SCHEMA_VERSION}`);
  for (let v = at; v < SCHEMA_VERSION; v++) await c.query(MIGRATIONS[v] as string);
  if (rows.length === 0) await c.query('INSERT INTO kms_core_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
  else if (at < SCHEMA_VERSION) await c.query('UPDATE kms_core_schema SET version = $1', [SCHEMA_VERSION]);
}
