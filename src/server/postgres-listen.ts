/**
 * The LISTEN connection of PostgresKeyStore (postgres-store.ts): one dedicated client (not a
 * pooled one: a pooled connection is shared, and LISTEN lasts as long as the session) that
 * receives the change notifications of every writer (postgres-sql.ts NOTIFY_CHANNEL) and hands
 * them to the read cache (postgres-cache.ts). Node only.
 *
 * When the connection is lost (a server restart, a network cut) the cache stops serving until
 * it is back, since notifications sent meanwhile are gone: `lost` is called, and reconnecting is
 * retried with backoff (100 ms doubling to 5 s); once listening again, `listening` is called and
 * the cache starts empty.
 */
import type { Client } from 'pg';
import type { PgModule } from './postgres-connection.js';
import { NOTIFY_CHANNEL } from './postgres-sql.js';

export interface ListenerEvents {
  /** A notification's payload. */
  change(payload: string): void;
  /** The connection is gone: notifications may be missed from now on. */
  lost(): void;
  /** Listening (again): nothing is missed from now on. */
  listening(): void;
}

const ignore = () => undefined;

export class ChangeListener {
  private client: Client | undefined;
  private stopped = false;
  private reconnect: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly pg: PgModule,
    private readonly connectionString: string | undefined,
    private readonly log: (message: string) => void,
    private readonly events: ListenerEvents,
  ) {}

  /** Connects and LISTENs; throws when it cannot. */
  async start(): Promise<void> {
    const c = new this.pg.Client({ connectionString: this.connectionString });
    c.on('notification', (n) => {
      if (n.channel === NOTIFY_CHANNEL && n.payload) this.events.change(n.payload);
    });
    const lost = () => {
      if (this.client !== c) return;
      this.client = undefined;
      this.events.lost();
      c.end().catch(ignore);
      if (this.stopped) return;
      this.log('PostgreSQL store: lost the LISTEN connection; reading through to the database until it is back');
      this.schedule(100);
    };
    c.on('error', lost);
    c.on('end', lost);
    try {
      await c.connect();
      await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (e) {
      await c.end().catch(ignore);
      throw e;
    }
    this.client = c;
    // Whatever changed while nobody listened is unknown: start from an empty cache.
    this.events.listening();
  }

  private schedule(ms: number): void {
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      if (this.stopped) return;
      this.start().then(
        () => this.log('PostgreSQL store: listening for changes again'),
        () => this.schedule(Math.min(ms * 2, 5000)),
      );
    }, ms);
    this.reconnect.unref?.();
  }

  /** Stops reconnecting and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    const l = this.client;
    this.client = undefined;
    await l?.end().catch(ignore);
  }
}
