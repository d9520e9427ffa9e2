/**
 * A local KMS endpoint: node:http in front of the protocol adapter (src/protocol). Node only.
 *
 *   const server = await startServer({ port: 0, dataDir: './kms-data' });
 *   // AWS SDK / CLI: endpoint server.url, any region, any (fake) credentials
 *   await server.close();
 *
 * Account and region of each request come from its SigV4 credential scope
 * (`Credential=AKID/20260101/eu-west-1/kms/aws4_request`): the region as written, the account
 * from `accessKeys` (access key ID → account ID), else the default account. Without
 * `credentials` the signature is not verified. Every (account, region) has its own Kms; all
 * accounts and Regions of a partition share that partition's KeyStore, so a key ARN of another
 * account resolves (and is refused by the default key policy, as in AWS), and a multi-Region
 * key's replicas in other Regions are found and changed with it.
 *
 * Without `dataDir` or `keyStore` keys live in memory (one store per partition); with
 * `dataDir`, in one journaled FileKeyStore per partition, written durably before any call that
 * creates or changes a key returns; with `keyStore` (e.g. a PostgresKeyStore, shared with other
 * servers), in that store for every region.
 *
 * `credentials` turns SigV4 verification on (server/sigv4-verify.ts, server/credentials.ts):
 * every request must then be signed with a listed access key, and its verified key decides the
 * account and principal. `allowOrigin` is the CORS policy (server/cors.ts; default: pages on the
 * loopback interface). `seed` creates keys before the server listens (server/seed.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessDeniedException, InvalidSignatureException, type KmsError, LimitExceededException, UnknownOperationException, ValidationException } from '../errors.js';
import { isRegionName } from '../keys/region.js';
import { InMemoryKeyStore, type KeyStore } from '../keys/store.js';
import { flushKeyUsage } from '../keys/usage.js';
import { partitionOf } from '../keys/arn.js';
import { Kms, type KmsOptions } from '../kms.js';
import { createProtocolHandler, errorResponse, randomRequestId, type RequestScope } from '../protocol/json.js';
import { parseCredentialScope } from '../protocol/sigv4.js';
import { corsPolicy, type CorsPolicy } from './cors.js';
import { headerPairs, verifiedCallers, verifyRequest, type Credentials } from './credentials.js';
import { nodeBase64 } from './base64.js';
import { DataDir } from './data-dir.js';
import { applySeed, type Seed } from './seed.js';

export interface ServerOptions {
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** TCP port; default 4599; 0 picks a free port (see `port` of the result). */
  port?: number;
  /** Directory for durable key stores; default none (in memory). */
  dataDir?: string;
  /**
   * One key store for every region (records are addressed by ARN), e.g. a PostgresKeyStore
   * shared by several servers; instead of `dataDir`. The caller closes it after `close()`.
   */
  keyStore?: KeyStore;
  /** How `store` names `keyStore` (default "custom key store"). */
  keyStoreName?: string;
  /** Warnings and notices of the file store (a dropped torn record, a migration); default console.warn. */
  log?: (message: string) => void;
  /** Account of requests whose access key is not in `accessKeys`; default 111122223333. */
  accountId?: string;
  /** Region of requests without a SigV4 credential scope; default us-east-1. */
  region?: string;
  /** Access key ID → 12-digit account ID. */
  accessKeys?: Record<string, string>;
  /** Largest request body accepted; default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Most distinct regions the server creates a key store for (each is a file with `dataDir`);
   * a request scoped to one more is LimitExceededException. Default 32 (DEFAULT_MAX_REGIONS).
   */
  maxRegions?: number;
  /** Extra options for every Kms (clock, random source, backend). */
  kmsOptions?: Omit<KmsOptions, 'accountId' | 'region' | 'keyStore'>;
  /**
   * SigV4 verification: access key ID → credential (server/credentials.ts `loadCredentials`).
   * Absent: signatures are not checked and anyone who reaches the port acts as any account
   * (loopback use only).
   */
  credentials?: Credentials;
  /** CORS: 'loopback', '*' or origins whose pages may call the endpoint; default ['loopback']; [] for none. */
  allowOrigin?: readonly string[];
  /** Keys and aliases to create before listening, idempotently (server/seed.ts `loadSeed`). */
  seed?: Seed;
  /** Called after each request. */
  onRequest?: (info: { target: string | undefined; status: number; ms: number; accountId: string; region: string }) => void;
}

export interface KmsServer {
  /** http://host:port */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Absolute data directory, or undefined when keys live in memory or in `keyStore`. */
  readonly dataDir: string | undefined;
  /** Which store holds the keys, in words (the CLI prints it). */
  readonly store: string;
  readonly accountId: string;
  readonly region: string;
  /** The Kms serving one account and region (the one requests with that scope reach). */
  kmsFor(scope?: RequestScope): Promise<Kms>;
  /**
   * Stops accepting connections, lets the requests in progress finish (so every change they
   * made is durable), closes the connections and releases the data directory.
   */
  close(): Promise<void>;
}

const ACCOUNT = /^\d{12}$/;
/** How often recorded key usage is written to a durable store (README, "Key last usage"). */
export const USAGE_FLUSH_MS = 5 * 60_000;

/** Default of `maxRegions`: a local endpoint rarely serves more than a few of AWS's Regions; `--max-regions` raises it. */
export const DEFAULT_MAX_REGIONS = 32;

/**
 * AWS's answer to a credential scope whose region is not a Region (AWS JSON services answer
 * InvalidSignatureException "Credential should be scoped to a valid region, not '<region>'."
 * with HTTP 400; recorded in aws-sdk-js-v3#5576, aws-sdk-ruby#508, aws-sdk-java#1097).
 */
function invalidScopeRegion(region: string): KmsError {
  const shown = region.length > 64 ? `${region.slice(0, 64)}…` : region;
  return new InvalidSignatureException(`Credential should be scoped to a valid region, not '${shown}'.`);
}

export async function startServer(options: ServerOptions = {}): Promise<KmsServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 4599;
  const defaultAccount = options.accountId ?? '111122223333';
  const defaultRegion = options.region ?? 'us-east-1';
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const maxRegions = options.maxRegions ?? DEFAULT_MAX_REGIONS;
  /* Precondition: the defaults are a valid account and region; the port is a port; the region cap a positive integer. */
  if (!ACCOUNT.test(defaultAccount)) throw new ValidationException(`Invalid account '${defaultAccount}': must be 12 digits`);
  if (!isRegionName(defaultRegion)) throw new ValidationException(`Invalid region '${String(defaultRegion).slice(0, 64)}'`);
  if (!Number.isSafeInteger(maxRegions) || maxRegions < 1) throw new ValidationException(`Invalid maxRegions '${String(maxRegions)}': must be a positive integer`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ValidationException(`Invalid port '${String(port)}'`);
  const accessKeys = new Map(Object.entries(options.accessKeys ?? {}));
  const credentials = options.credentials;
  /* Precondition: verified credentials carry their accounts; --access-key is for unsigned use. */
  if (credentials && accessKeys.size > 0) throw new ValidationException('accessKeys cannot be combined with credentials: give each credential its accountId instead.');
  let cors: CorsPolicy;
  try {
    cors = corsPolicy(options.allowOrigin ?? ['loopback']);
  } catch (e) {
    throw new ValidationException((e as Error).message);
  }
  for (const [akid, account] of accessKeys) {
    if (!ACCOUNT.test(account)) throw new ValidationException(`Invalid account '${account}' for access key ${akid}: must be 12 digits`);
  }

  /* Precondition: one place for the keys. */
  if (options.dataDir !== undefined && options.keyStore !== undefined) throw new ValidationException('Give dataDir or keyStore, not both');
  const data = options.dataDir === undefined ? undefined : await DataDir.open(options.dataDir, undefined, options.log ? { log: options.log } : {});
  const memoryStores = new Map<string, KeyStore>();
  const kmsCache = new Map<string, Promise<Kms>>();
  const shared = options.keyStore;
  const usageStores = new Set<KeyStore>();
  const storeName = data ? `journaled files in ${data.dir}` : shared ? (options.keyStoreName ?? 'custom key store') : 'memory';
  // The Regions served (each has its Kms instances; the stores are one per partition): those that
  // hold keys in the data directory, then each new one, up to maxRegions.
  const regions = new Set<string>(data ? await data.regions() : []);

  /** One store per partition: the Regions of a partition share one (multi-Region keys span them). */
  async function storeFor(region: string): Promise<KeyStore> {
    if (data) return data.store(region);
    if (shared) return shared;
    const partition = partitionOf(region);
    let s = memoryStores.get(partition);
    if (!s) memoryStores.set(partition, (s = new InMemoryKeyStore()));
    return s;
  }

  function kmsFor(scope: RequestScope = {}): Promise<Kms> {
    const accountId = scope.accountId ?? defaultAccount;
    const region = scope.region ?? defaultRegion;
    const id = `${accountId}/${region}`;
    let k = kmsCache.get(id);
    if (!k) {
      /* Precondition: the scope's region is a Region name of AWS's form, at most 32 characters (it also names a file). */
      if (!isRegionName(region)) return Promise.reject(invalidScopeRegion(region));
      /* Precondition: a new region stays within maxRegions (each is a store, and a file with --data). */
      if (!regions.has(region)) {
        if (regions.size >= maxRegions) {
          return Promise.reject(
            new LimitExceededException(`This kms-core server serves at most ${maxRegions} regions (--max-regions) and already serves ${maxRegions}; the credential scope names another: '${region}'.`),
          );
        }
        regions.add(region);
      }
      k = (async () => {
        const keyStore = await storeFor(region);
        // A durable store gets the key usage its Kms instances record (keys/usage.ts), lazily.
        if (data || shared) usageStores.add(keyStore);
        return new Kms({ ...options.kmsOptions, accountId, region, keyStore });
      })();
      kmsCache.set(id, k);
      k.catch(() => kmsCache.delete(id));
    }
    return k;
  }

  // Seeded keys (server/seed.ts) exist before the first request can arrive.
  if (options.seed) {
    try {
      await applySeed(options.seed, { storeFor: (region: string) => storeFor(region), defaultAccount, defaultRegion, ...(options.kmsOptions?.now ? { now: options.kmsOptions.now } : {}) });
    } catch (e) {
      await data?.close();
      throw e;
    }
  }
  const protocol = createProtocolHandler({ kms: credentials ? verifiedCallers(credentials, kmsFor) : kmsFor, base64: nodeBase64 });
  const inflight = new Set<Promise<void>>();
  let closing = false;

  function scopeOf(req: IncomingMessage): { accountId: string; region: string; accessKeyId?: string } {
    const cred = parseCredentialScope(req.headers.authorization);
    const scope: { accountId: string; region: string; accessKeyId?: string } = {
      accountId: (cred && accessKeys.get(cred.accessKeyId)) ?? defaultAccount,
      region: cred?.region ?? defaultRegion,
    };
    if (cred) scope.accessKeyId = cred.accessKeyId;
    return scope;
  }

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string, lastOnConnection = false, extra: Record<string, string> = {}): void {
    const h: Record<string, string | number> = { ...extra, ...headers, 'content-length': Buffer.byteLength(body) };
    if (closing || lastOnConnection) h.connection = 'close';
    res.writeHead(status, h);
    res.end(body);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
    let scope = credentials ? { accountId: defaultAccount, region: defaultRegion } : scopeOf(req);
    let status = 500;
    let extra: Record<string, string> = {};
    try {
      // CORS (server/cors.ts): preflights are answered here, unsigned, as AWS answers them; a
      // page from an origin --allow-origin does not admit goes no further.
      const pre = cors.preflight(req.method, req.headers);
      if (pre) {
        status = pre.status;
        const r = pre.refusal === undefined ? { headers: {}, body: '' } : errorResponse(new AccessDeniedException(pre.refusal));
        send(res, status, { ...pre.headers, ...r.headers }, r.body);
        req.resume();
        return;
      }
      const origin = cors.check(typeof req.headers.origin === 'string' ? req.headers.origin : undefined);
      if (origin.kind === 'refused') {
        const r = errorResponse(new AccessDeniedException(origin.message));
        status = 403;
        send(res, status, r.headers, r.body);
        req.resume();
        return;
      }
      if (origin.kind === 'allowed') extra = origin.headers;
      if (req.method !== 'POST') {
        const r = errorResponse(new UnknownOperationException('kms-core serves the AWS JSON 1.1 protocol: POST / with X-Amz-Target: TrentService.<Operation>'));
        status = 405;
        send(res, status, { ...r.headers, allow: 'POST' }, r.body, false, extra);
        req.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBody) {
          const r = errorResponse(new ValidationException(`The request body is larger than ${maxBody} bytes.`));
          status = 413;
          send(res, status, r.headers, r.body, true, extra);
          res.on('finish', () => req.destroy());
          return;
        }
        chunks.push(chunk);
      }
      const body = Buffer.concat(chunks);
      if (credentials) {
        try {
          scope = verifyRequest(credentials, { method: req.method ?? 'POST', url: req.url ?? '/', headers: headerPairs(req.rawHeaders), body }, (r) => isRegionName(r));
        } catch (e) {
          const r = errorResponse(e);
          status = r.status;
          send(res, status, r.headers, r.body, false, extra);
          return;
        }
      }
      const r = await protocol.handle(target, body, scope);
      status = r.status;
      send(res, r.status, r.headers, r.body, false, extra);
    } catch {
      // The client went away mid-body, or writing failed: nothing useful left to say.
      if (!res.headersSent) {
        const r = errorResponse(undefined, randomRequestId());
        send(res, 500, r.headers, r.body, false, extra);
      } else res.destroy();
    } finally {
      options.onRequest?.({ target, status, ms: performance.now() - t0, accountId: scope.accountId, region: scope.region });
    }
  }

  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    const p = serve(req, res).finally(() => inflight.delete(p));
    inflight.add(p);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await data?.close();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;

  // Key last usage is kept in memory and written to the durable stores every USAGE_FLUSH_MS and
  // on close: one updateKey per key used since the last flush, never on the request path.
  let flushing: Promise<void> | undefined;
  async function flushUsage(): Promise<void> {
    for (const s of usageStores) {
      try {
        await flushKeyUsage(s);
      } catch (e) {
        (options.log ?? console.warn)(`key usage not persisted this time (kept in memory, retried): ${(e as Error).message}`);
      }
    }
  }
  const flushTimer = setInterval(() => {
    flushing ??= flushUsage().finally(() => (flushing = undefined));
  }, USAGE_FLUSH_MS);
  flushTimer.unref();

  let closed: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing = true;
    clearInterval(flushTimer);
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
    server.closeIdleConnections();
    // Connections still open now are idle keep-alives racing us, or stuck clients.
    const timer = setTimeout(() => server.closeAllConnections(), 2000);
    await stopped;
    clearTimeout(timer);
    await flushing;
    await flushUsage();
    await data?.close();
  }

  return {
    url: `http://${urlHost}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    dataDir: data?.dir,
    store: storeName,
    accountId: defaultAccount,
    region: defaultRegion,
    kmsFor,
    close: () => (closed ??= close()),
  };
}
