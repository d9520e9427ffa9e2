/**
 * The `kms-core` command (bin/kms-core.js). Node only.
 *
 *   kms-core serve [--host 127.0.0.1] [--port 4599] [--data DIR | --store postgres://…]
 *                  [--account ID] [--region R] [--access-key AKID=ACCOUNT]… [--credentials FILE]
 *                  [--allow-origin ORIGIN]… [--seed FILE] [--max-regions N] [--verbose]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { KeyStore } from '../keys/store.js';
import { loadCredentials, type Credentials } from '../server/credentials.js';
import { DEFAULT_MAX_REGIONS, startServer, type KmsServer } from '../server/http.js';
import { loadSeed, type Seed } from '../server/seed.js';

const USAGE = `Usage: kms-core serve [options]

Serves the AWS KMS API (TrentService, AWS JSON 1.1) on a local HTTP endpoint for the AWS SDKs
and the AWS CLI (--endpoint-url).

Options:
  --host HOST              interface to bind (default 127.0.0.1: this machine only)
  --port PORT              TCP port (default 4599; 0 picks a free one)
  --data DIR               keep keys in DIR (a journal per partition, each change fsynced
                           before its call returns; default: in memory, lost on exit)
  --store postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE
                           keep keys in PostgreSQL, shared with every kms-core serve on the
                           same database (needs the pg package: npm install pg)
  --max-staleness MS       with --store: longest a change made by another server can go
                           unseen here (default 1000)
  --account ID             12-digit account of requests (default 111122223333)
  --region REGION          region of requests without a SigV4 credential scope (default us-east-1)
  --access-key AKID=ID     requests signed with access key AKID act as account ID (repeatable)
  --credentials FILE       verify every request's SigV4 signature against FILE, a JSON object
                           { "AKID": { "secretAccessKey", "accountId"?, "principal"?,
                           "sessionToken"? } }; unsigned requests and unknown keys are refused
  --allow-origin ORIGIN    web pages of ORIGIN may call the endpoint (CORS; repeatable):
                           an origin such as http://localhost:3000, 'loopback' (the default:
                           pages served from this machine), '*' (any page), or 'none'
  --seed FILE              create the keys and aliases of FILE (JSON, see README) at start;
                           keys already there as the seed describes them are left alone
  --max-regions N          serve at most N distinct regions, each with its own key store
                           (default 32); requests scoped to another one are refused
  --verbose                log every request to stderr
  -h, --help               this text
  -v, --version            the kms-core version

The region and access key are read from each request's SigV4 credential scope; without
--credentials the signature itself is not verified, so anyone who can reach the port acts as
any account: keep such an endpoint on the loopback interface. Stop with Ctrl-C (SIGINT) or
SIGTERM.`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

class UsageError extends Error {}

interface ServeArgs {
  host: string;
  port: number;
  data: string | undefined;
  store: string | undefined;
  maxStaleness: number | undefined;
  account: string;
  region: string;
  accessKeys: Record<string, string>;
  credentials: string | undefined;
  allowOrigin: string[];
  seed: string | undefined;
  maxRegions: number;
  verbose: boolean;
}

function parseServe(args: string[]): ServeArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '4599' },
        data: { type: 'string' },
        store: { type: 'string' },
        'max-staleness': { type: 'string' },
        account: { type: 'string', default: '111122223333' },
        region: { type: 'string', default: 'us-east-1' },
        'access-key': { type: 'string', multiple: true, default: [] },
        credentials: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true, default: [] },
        seed: { type: 'string' },
        'max-regions': { type: 'string', default: String(DEFAULT_MAX_REGIONS) },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (!/^\d+$/.test(v.port) || Number(v.port) > 65535) throw new UsageError(`--port must be 0..65535, not '${v.port}'`);
  if (!/^\d{12}$/.test(v.account)) throw new UsageError(`--account must be 12 digits, not '${v.account}'`);
  const accessKeys: Record<string, string> = {};
  for (const pair of v['access-key']) {
    const m = /^([^=]+)=(\d{12})$/.exec(pair);
    if (!m) throw new UsageError(`--access-key takes AKID=ACCOUNT (12 digits), not '${pair}'`);
    accessKeys[m[1] as string] = m[2] as string;
  }
  if (v.data === '') throw new UsageError('--data needs a directory');
  const maxRegions = v['max-regions'];
  if (!/^[1-9]\d{0,5}$/.test(maxRegions)) throw new UsageError(`--max-regions must be a positive integer, not '${maxRegions}'`);
  if (v.credentials === '') throw new UsageError('--credentials needs a file');
  if (v.seed === '') throw new UsageError('--seed needs a file');
  if (v.credentials !== undefined && Object.keys(accessKeys).length) throw new UsageError('--access-key and --credentials cannot be combined: give each credential its "accountId" in the file');
  const origins = v['allow-origin'];
  if (origins.includes('none') && origins.length > 1) throw new UsageError("--allow-origin none cannot be combined with other origins");
  const allowOrigin = origins.length === 0 ? ['loopback'] : origins.includes('none') ? [] : origins;
  if (v.store !== undefined && !/^postgres(ql)?:\/\//.test(v.store)) throw new UsageError('--store takes a postgres:// (or postgresql://) URL');
  if (v.store !== undefined && v.data !== undefined) throw new UsageError('--data and --store are two places for the keys: give one');
  const ms = v['max-staleness'];
  if (ms !== undefined && (v.store === undefined || !/^\d{1,9}$/.test(ms))) throw new UsageError('--max-staleness takes milliseconds (0..999999999), with --store');
  return {
    host: v.host,
    port: Number(v.port),
    data: v.data,
    store: v.store,
    maxStaleness: ms === undefined ? undefined : Number(ms),
    account: v.account,
    region: v.region,
    accessKeys,
    credentials: v.credentials,
    allowOrigin,
    seed: v.seed,
    maxRegions: Number(maxRegions),
    verbose: v.verbose,
  };
}

function banner(s: KmsServer, a: ServeArgs, io: Io): void {
  io.out(`kms-core ${version()} serving AWS KMS (TrentService, AWS JSON 1.1) on ${s.url}`);
  if (a.credentials) io.out(`  signatures verified against ${a.credentials}: each access key acts as its own account and principal; region from the credential scope (default ${s.region})`);
  else io.out(`  account ${s.accountId}, region ${s.region} unless the request's SigV4 credential scope says otherwise (signatures are not verified: loopback use only)`);
  io.out(`  browsers: ${a.allowOrigin.length === 0 ? 'no cross-origin pages (CORS off)' : `pages of ${a.allowOrigin.map((o) => (o === 'loopback' ? 'any loopback origin' : o)).join(', ')} may call it (CORS)`}`);
  if (a.seed) io.out(`  seeded from ${a.seed}`);
  io.out(`  keys: ${s.store}${s.dataDir ? ' (each change is on disk before its call returns)' : s.store === 'memory' ? ', lost on exit (use --data DIR to keep them)' : ''}`);
  io.out('Try it with the AWS CLI:');
  io.out(a.credentials ? `  export AWS_ACCESS_KEY_ID=<an access key of ${a.credentials}> AWS_SECRET_ACCESS_KEY=<its secretAccessKey> AWS_DEFAULT_REGION=${s.region}` : `  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=${s.region}`);
  io.out(`  aws --endpoint-url ${s.url} kms create-key --description demo`);
  io.out(`  aws --endpoint-url ${s.url} kms encrypt --key-id <KeyId> --plaintext fileb://secret.txt --query CiphertextBlob --output text | base64 --decode > secret.bin`);
  io.out(`  aws --endpoint-url ${s.url} kms re-encrypt --ciphertext-blob fileb://secret.bin --destination-key-id <OtherKeyId>`);
  io.out('Stop with Ctrl-C or SIGTERM.');
}

/** `kms-core serve`: resolves with the exit code once the server has stopped (SIGTERM/SIGINT). */
/** The URL without its password, for printing. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

async function serve(a: ServeArgs, io: Io): Promise<number> {
  let server: KmsServer;
  let store: { close(): Promise<void> } | undefined;
  try {
    let credentials: Credentials | undefined;
    let seed: Seed | undefined;
    if (a.credentials !== undefined) credentials = await loadCredentials(a.credentials, a.account);
    if (a.seed !== undefined) seed = await loadSeed(a.seed);
    let shared: { keyStore: KeyStore; keyStoreName: string } | undefined;
    if (a.store !== undefined) {
      // Loaded only here: the PostgreSQL store and its pg client stay out of everything else.
      const { PostgresKeyStore } = await import('../server/postgres-store.js');
      const maxStalenessMs = a.maxStaleness ?? 1000;
      const pg = await PostgresKeyStore.connect({ connectionString: a.store, maxStalenessMs, log: (m) => io.err(`kms-core: ${m}`) });
      store = pg;
      shared = { keyStore: pg, keyStoreName: `PostgreSQL ${redact(a.store)} (shared by every server on it; another server's change is seen here within ${maxStalenessMs} ms)` };
    }
    server = await startServer({
      host: a.host,
      port: a.port,
      dataDir: a.data,
      ...shared,
      log: (m) => io.err(`kms-core: ${m}`),
      accountId: a.account,
      region: a.region,
      accessKeys: a.accessKeys,
      allowOrigin: a.allowOrigin,
      ...(credentials ? { credentials } : {}),
      ...(seed ? { seed } : {}),
      maxRegions: a.maxRegions,
      ...(a.verbose ? { onRequest: (i) => io.err(`${i.target ?? '-'} ${i.status} ${i.ms.toFixed(1)}ms ${i.accountId} ${i.region}`) } : {}),
    });
  } catch (e) {
    await store?.close().catch(() => undefined);
    io.err(`kms-core: cannot start: ${(e as Error).message}`);
    return 1;
  }
  banner(server, a, io);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second signal: give up waiting.
        io.err(`kms-core: ${signal} again, exiting now`);
        resolve(signal === 'SIGINT' ? 130 : 143);
        return;
      }
      stopping = true;
      io.err(`kms-core: ${signal}, finishing requests in progress`);
      server
        .close()
        .then(() => store?.close())
        .then(
          () => {
            io.err('kms-core: stopped');
            resolve(0);
          },
          (e: unknown) => {
            io.err(`kms-core: error while stopping: ${(e as Error).message}`);
            resolve(1);
          },
        );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** Runs the command line `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const a = parseServe(rest);
        if (a === 'help') {
          io.out(USAGE);
          return 0;
        }
        return await serve(a, io);
      }
      case '-v':
      case '--version':
      case 'version':
        io.out(version());
        return 0;
      case '-h':
      case '--help':
      case 'help':
        io.out(USAGE);
        return 0;
      default:
        io.err(command === undefined ? USAGE : `kms-core: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`kms-core: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}
