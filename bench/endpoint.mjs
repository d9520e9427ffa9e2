// The endpoint section: servers in child processes on 127.0.0.1 (so the client has its own
// process, as a real one does), a bare keep-alive node:http client (no SDK, no signing), N
// requests in flight, ops/s and latency percentiles per server.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { median, quantile } from './harness.mjs';

const BIN = fileURLToPath(new URL('../bin/kms-core.js', import.meta.url));
const NOOP = fileURLToPath(new URL('./noop-server.mjs', import.meta.url));
// A SigV4-shaped Authorization header: both servers take account and region from its scope and
// neither verifies the signature.
const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000';

const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
});

function startChild(cmd, args, ready, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('exit', () => children.delete(child));
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${cmd} ${args.join(' ')} did not start in ${timeoutMs} ms: ${out.slice(-400)}`));
    }, timeoutMs);
    const onData = (d) => {
      out += d;
      const m = ready(out);
      if (m) {
        clearTimeout(timer);
        // From here on its output is drained unread (moto's server logs every request).
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.stdout.resume();
        child.stderr.resume();
        resolve({ child, url: m });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code}) before it was ready: ${out.slice(-400)}`));
    });
  });
}

async function stopChild(c) {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
  if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export async function startKmsCore() {
  const s = await startChild(process.execPath, [BIN, 'serve', '--port', '0'], (o) => /on (http:\/\/127\.0\.0\.1:\d+)/.exec(o)?.[1]);
  return { name: 'kms-core serve', ...s, stop: () => stopChild(s.child) };
}

export async function startNoop(bytes) {
  const s = await startChild(process.execPath, [NOOP, '--bytes', String(bytes)], (o) => /listening on (http:\/\/\S+)/.exec(o)?.[1]);
  return { name: 'do-nothing node:http', ...s, stop: () => stopChild(s.child) };
}

/** moto's own server (python3 -m moto.server, Flask/Werkzeug, threaded), or undefined with the reason. */
export async function startMotoServer(python = process.env.BENCH_PYTHON ?? 'python3') {
  const port = await freePort();
  try {
    const s = await startChild(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], (o) => (/Running on http/.test(o) ? `http://127.0.0.1:${port}` : undefined));
    return { name: 'moto server', ...s, stop: () => stopChild(s.child) };
  } catch (e) {
    return { absent: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

/** One AWS JSON 1.1 request; resolves with { status, text }. */
export function call(agent, url, op, input) {
  const body = Buffer.from(JSON.stringify(input));
  return send(agent, new URL(url), `TrentService.${op}`, body).then(({ status, text }) => {
    const json = text ? JSON.parse(text) : {};
    if (status !== 200) throw new Error(`${op} → ${status} ${text.slice(0, 200)}`);
    return json;
  });
}

function send(agent, u, target, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, 'x-amz-date': '20260101T000000Z', authorization: AUTH, 'content-length': body.length },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sets up the endpoint workload on one server through its own API: two keys, one blob of
 * `plaintext` under the first with `context`; returns the ReEncrypt body and the response size.
 */
export async function prepare(agent, url, plaintext, context) {
  const a = (await call(agent, url, 'CreateKey', {})).KeyMetadata.KeyId;
  const b = (await call(agent, url, 'CreateKey', {})).KeyMetadata.KeyId;
  const enc = await call(agent, url, 'Encrypt', { KeyId: a, Plaintext: plaintext.toString('base64'), ...(context ? { EncryptionContext: context } : {}) });
  const input = { CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: b, ...(context ? { SourceEncryptionContext: context, DestinationEncryptionContext: context } : {}) };
  const body = Buffer.from(JSON.stringify(input));
  const r = await send(agent, new URL(url), 'TrentService.ReEncrypt', body);
  if (r.status !== 200) throw new Error(`ReEncrypt → ${r.status} ${r.text.slice(0, 200)}`);
  return { body, responseBytes: Buffer.byteLength(r.text) };
}

/** `inflight` workers send `body` for ~`ms`; returns the completion rate and each latency (ms). */
async function burst(agent, url, body, inflight, ms) {
  const u = new URL(url);
  const lat = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const r = await send(agent, u, 'TrentService.ReEncrypt', body);
      lat.push(performance.now() - t);
      if (r.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const dt = performance.now() - t0;
  return { rate: (lat.length / dt) * 1000, lat, errors };
}

/**
 * CPU time (ms) a server process has used so far: utime + stime of /proc/PID/stat, all its
 * threads; undefined where /proc is absent. Clock ticks (USER_HZ, 100 on Linux) are 10 ms, so
 * only sums over many rounds are precise.
 */
function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * For each in-flight count, rounds of `ms` per server, the servers taking turns; each server's
 * rate is the median of its rounds, its latencies p50/p99 over all its requests.
 */
export async function measureEndpoints(targets, { inflights = [1, 8, 32], rounds = 9, ms = 250, warmMs = 300 } = {}) {
  const out = [];
  for (const inflight of inflights) {
    const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: inflight }));
    try {
      for (let i = 0; i < targets.length; i++) await burst(agents[i], targets[i].url, targets[i].body, inflight, warmMs);
      const per = targets.map(() => ({ rates: [], lat: [], errors: 0, cpuMs: 0 }));
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < targets.length; i++) {
          const c0 = cpuMsOf(targets[i].child.pid);
          const b = await burst(agents[i], targets[i].url, targets[i].body, inflight, ms);
          const c1 = cpuMsOf(targets[i].child.pid);
          per[i].cpuMs = c0 === undefined || c1 === undefined ? NaN : per[i].cpuMs + (c1 - c0);
          per[i].rates.push(b.rate);
          for (const x of b.lat) per[i].lat.push(x);
          per[i].errors += b.errors;
        }
      }
      out.push({
        inflight,
        servers: targets.map((t, i) => ({
          name: t.name,
          rate: median(per[i].rates),
          p50: quantile(per[i].lat, 0.5),
          p99: quantile(per[i].lat, 0.99),
          requests: per[i].lat.length,
          // The server's own CPU per request (its process only; the client is not in it).
          serverCpuMicros: (per[i].cpuMs * 1000) / per[i].lat.length,
          errors: per[i].errors,
          rounds: per[i].rates,
        })),
      });
    } finally {
      for (const a of agents) a.destroy();
    }
  }
  return out;
}
