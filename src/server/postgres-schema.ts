/**
 * The PostgreSQL schema of PostgresKeyStore (postgres-store.ts), as one import: this module
 * re-exports its parts, each in the file named after it. Node only.
 *
 *   postgres-migrations.ts  the tables (schema version 1, described there) and the migrations
 *                           that create them, applied at connect under an advisory lock
 *   postgres-rows.ts        the mapping between a key's snapshot JSON and its rows
 *   postgres-escape.ts      how strings PostgreSQL cannot hold (U+0000, lone surrogates) are stored
 *   postgres-sql.ts         the SQL statements, built from the constant table maps only
 */
export { MIGRATIONS, MIGRATION_LOCK, SCHEMA_VERSION, applyMigrations } from './postgres-migrations.js';
export { ALIASES, CHILDREN, KEYS, fromRow, keyFromRows, keyToRows, stableJson, toRow, type KeyRows } from './postgres-rows.js';
export { escapeJson, unescapeJson } from './postgres-escape.js';
export { CREATE_ALIAS, DELETE_ALIAS, DELETE_KEY, INSERT_KEYS, NOTIFY_CHANNEL, PUT_ALIAS, SELECT_ALIAS, SELECT_KEY, UPDATE_KEY } from './postgres-sql.js';
