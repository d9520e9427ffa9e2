/**
 * PostgresKeyStore's (postgres-store.ts) way to PostgreSQL: loading the optional `pg` package,
 * one statement on the pool, and a transaction on one pooled connection. Node only.
 *
 * `pg` is an optional peer dependency of kms-core, loaded only when a PostgreSQL store is
 * connected, so that neither the core bundle nor a file-store server needs it; its absence is
 * named with the command that fixes it.
 */
import type { Pool, PoolClient } from 'pg';
import type { Json } from './record-json.js';

export type PgModule = typeof import('pg');

export async function loadPg(): Promise<PgModule> {
  try {
    const m = (await import('pg')) as PgModule & { default?: PgModule };
    return m.default ?? m;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' || (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new Error("kms-core: the PostgreSQL store needs the 'pg' package (an optional peer dependency): npm install pg");
    }
    throw e;
  }
}

/** The rows of one statement, run on any pooled connection (autocommit). */
export async function queryRows(pool: Pool, text: string, params: unknown[]): Promise<Json[]> {
  return (await pool.query<Json>(text, params)).rows;
}

/**
 * Runs `fn` between BEGIN and COMMIT on one connection; ROLLBACK when it throws. A connection
 * whose ROLLBACK failed is released as broken, so the pool drops it instead of reusing it
 * mid-transaction.
 */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch((r: Error) => (broken = r));
    throw e;
  } finally {
    c.release(broken);
  }
}
