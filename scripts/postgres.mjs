#!/usr/bin/env node
/**
 * A throwaway PostgreSQL server for the tests and the bench (the PostgreSQL key store):
 * `initdb` in a new temporary directory, `pg_ctl start` on 127.0.0.1 with a free port, trust
 * authentication for user `kms`; `stop()` stops it (immediate mode) and removes the directory.
 *
 * initdb and pg_ctl come from PATH, else from /usr/lib/postgresql/<version>/bin (Debian's
 * `postgresql` package, which .ci/run installs; Debian puts neither on PATH). initdb refuses to
 * run as root: as root, both run as the `postgres` user (created by that package), else as
 * `nobody`, through Node's spawn uid/gid (no su/sudo needed). Any failure throws with the
 * tools' output and the server log: callers fail loudly, never skip.
 *
 *   node scripts/postgres.mjs     starts one and prints its URL; Ctrl-C stops and removes it
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const executable = (p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The directory holding both initdb and pg_ctl: PATH first, then Debian's newest version. */
export function findPostgresBin() {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) dirs.push(join(debian, v, 'bin'));
  }
  for (const d of dirs) if (executable(join(d, 'initdb')) && executable(join(d, 'pg_ctl'))) return d;
  throw new Error(
    `PostgreSQL is not installed: no initdb and pg_ctl on PATH or in ${debian}/*/bin. Install Debian's package (apt-get install postgresql; .ci/run does) or put a PostgreSQL bin directory on PATH.`,
  );
}

/** uid/gid to run the server as when we are root (initdb refuses root), else undefined. */
function serverUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const e = passwd.find((f) => f[0] === name);
    if (e) return { name, uid: Number(e[2]), gid: Number(e[3]) };
  }
  throw new Error('Running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as (initdb refuses root)');
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const running = new Set();
process.once('exit', () => {
  // A test process that ends without stop(): do not leave servers behind.
  for (const stop of running) stop();
});

/**
 * Starts a server. `durable: true` keeps PostgreSQL's fsync on (the bench: a fair comparison
 * with the file store, which fsyncs); the tests turn it off (they kill kms-core, never PostgreSQL).
 * Resolves with { url(database = 'postgres'), port, dir, bin, user, createDatabase(name), stop() }.
 */
export async function startPostgres({ durable = false } = {}) {
  const bin = findPostgresBin();
  const user = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'kms-core-pg-'));
  const data = join(dir, 'data');
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  if (user) chownSync(dir, user.uid, user.gid);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const opts = { ...as, cwd: dir, env };
  const fail = async (what, r) => {
    let log = '';
    try {
      log = readFileSync(join(dir, 'server.log'), 'utf8');
    } catch {}
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw new Error(`PostgreSQL ${what} failed (${bin}${user ? `, as user ${user.name}` : ''}; exit ${r.code ?? r.signal}):\n${r.out}${log ? `\nserver log:\n${log}` : ''}`);
  };
  const init = await run(join(bin, 'initdb'), ['-D', data, '-U', 'kms', '--auth=trust', '-E', 'UTF8', '--locale=C', ...(durable ? [] : ['--no-sync'])], opts);
  if (init.code !== 0) await fail('initdb', init);

  let port;
  let started;
  for (let attempt = 0; attempt < 3; attempt++) {
    port = await freePort();
    const settings = [`-c listen_addresses=127.0.0.1`, `-p ${port}`, `-k '${dir}'`, '-c max_connections=200', ...(durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'])];
    started = await run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', settings.join(' '), 'start'], opts);
    if (started.code === 0) break;
    // Another process may have taken the port between freePort() and the server's bind.
    if (!/could not bind|Address already in use/.test(readFileSync(join(dir, 'server.log'), 'utf8'))) break;
  }
  if (started.code !== 0) await fail('start (pg_ctl)', started);

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...opts, stdio: 'ignore' });
  };
  running.add(stopSync);
  const url = (database = 'postgres') => `postgres://kms@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    dir,
    bin,
    user: user?.name,
    /** CREATE DATABASE through psql-free means: pg, from this package's devDependencies. */
    async createDatabase(name) {
      /* Precondition: a database name here is an identifier we chose, never input. */
      if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    async stop() {
      running.delete(stopSync);
      if (!stopped) {
        stopped = true;
        const r = await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], opts);
        if (r.code !== 0) console.warn(`pg_ctl stop: ${r.out}`);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pg = await startPostgres();
  console.log(`PostgreSQL ${pg.bin} on ${pg.url()} (data in ${pg.dir}); Ctrl-C stops it`);
  const stop = () => pg.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => undefined, 1 << 30);
}
