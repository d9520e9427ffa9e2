/** Types for scripts/postgres.mjs (imported by the PostgreSQL tests and the bench). */
export interface Postgres {
  /** postgres://kms@127.0.0.1:<port>/<database> (trust authentication). */
  url(database?: string): string;
  port: number;
  dir: string;
  bin: string;
  /** The user the server runs as when we are root. */
  user: string | undefined;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (immediate mode) and removes its directory. */
  stop(): Promise<void>;
}
export declare function findPostgresBin(): string;
export declare function startPostgres(options?: { durable?: boolean }): Promise<Postgres>;
