/**
 * Fuzz suite, HTTP server (issue 12, Acceptance): raw HTTP/1.1 over TCP to 127.0.0.1 — bad
 * methods, paths and versions, missing / duplicate / oversized / invalid headers, wrong or
 * conflicting Content-Length, chunked bodies (valid, malformed, huge chunk sizes), slow bodies
 * (cut off by the client after a bound), oversized bodies, and the adapter's malformed JSON.
 * No answer may be a 5xx; a complete request must be answered; the server must keep serving
 * (also while slow clients hold connections open).
 *
 * Size: FUZZ_RUNS / 10 (default 60; FUZZ_SERVER_RUNS overrides); reproduce with FUZZ_SEED.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type KmsServer } from '../src/server/http.js';
import { Rng, fuzzRuns, fuzzSeed } from './fuzz/gen.js';
import { Findings } from './fuzz/outcome.js';

// A raw TCP exchange costs ~20 ms (a connection each, stalled bodies waited for): the server
// target runs a tenth of FUZZ_RUNS (FUZZ_SERVER_RUNS overrides), at least the default 60.
const RUNS = Number(process.env.FUZZ_SERVER_RUNS) > 0 ? Number(process.env.FUZZ_SERVER_RUNS) : Math.max(60, Math.floor(fuzzRuns(600) / 10));
const SEED = fuzzSeed();
const MAX_BODY = 64 * 1024;

interface Raw {
  /** Byte chunks sent in order, with a pause (ms) before each. */
  chunks: Array<{ pause: number; data: Uint8Array | string }>;
  /** Whether the request is complete, so that an answer is owed. */
  complete: boolean;
  /** HEAD: the answer has no body. */
  head?: boolean;
  describe: string;
}

const CRLF = '\r\n';

function jsonBody(rng: Rng): string {
  return rng.pick([
    '{}',
    '{"Limit":1}',
    '{"KeyId":"alias/none"}',
    '{"KeyId":',
    '[[[[[[[[',
    `{"Plaintext":"${'A'.repeat(6000)}","KeyId":"x"}`,
    '{"CiphertextBlob":"QR=="}',
    '\u0000\u00ff',
    '',
    '{"__proto__":{"a":1},"KeyId":"x"}',
    `{"GrantTokens":[${Array(20).fill('"t"').join(',')}]}`,
  ]);
}

function request(rng: Rng, port: number): Raw {
  const method = rng.chance(0.8) ? 'POST' : rng.pick(['GET', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'FOO', 'post', 'P OST', '', 'CONNECT', 'TRACE']);
  const path = rng.chance(0.8) ? '/' : rng.pick(['/x', '*', '//', '/?a=b', `/${'a'.repeat(20_000)}`, 'http://evil/', '/%00', '']);
  const version = rng.chance(0.9) ? 'HTTP/1.1' : rng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTX/1.1', '']);
  let body: string | Uint8Array = rng.chance(0.05) ? 'x'.repeat(MAX_BODY + 1 + rng.int(1000)) : jsonBody(rng);
  const headers: string[] = [`Host: 127.0.0.1:${port}`];
  const target = rng.chance(0.85) ? `TrentService.${rng.pick(['ListKeys', 'CreateKey', 'Encrypt', 'Decrypt', 'DescribeKey', 'TagResource', 'Nope'])}` : rng.pick(['', 'x', 'TrentService.', 'TrentService.__proto__', '\u00ff']);
  if (rng.chance(0.95)) headers.push(`X-Amz-Target: ${target}`);
  if (rng.chance(0.05)) headers.push('X-Amz-Target: TrentService.CreateKey');
  if (rng.chance(0.8)) headers.push('Content-Type: application/x-amz-json-1.1');
  if (rng.chance(0.3)) {
    headers.push(`Authorization: ${rng.pick([
      'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0',
      `AWS4-HMAC-SHA256 Credential=AKID/20260101/${'a'.repeat(300)}/kms/aws4_request, SignedHeaders=host, Signature=0`,
      `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-${'a'.repeat(250 + rng.int(100))}-1/kms/aws4_request, SignedHeaders=host, Signature=0`,
      `AWS4-HMAC-SHA256 Credential=AKID/20260101/zz-fuzz-${rng.int(100)}/kms/aws4_request, SignedHeaders=host, Signature=0`,
      'AWS4-HMAC-SHA256 Credential=../../etc/passwd',
      'Basic Zm9vOmJhcg==',
      'AWS4-HMAC-SHA256 ' + 'Credential='.repeat(2000),
    ])}`);
  }
  if (rng.chance(0.03)) headers.push(`X-Big: ${'b'.repeat(rng.pick([8000, 20_000, 70_000]))}`);
  if (rng.chance(0.03)) for (let i = 0; i < rng.pick([100, 2500]); i++) headers.push(`X-H${i}: v`);
  if (rng.chance(0.03)) headers.push(rng.pick(['Bad Header: x', 'X-Nul: a\u0000b', 'X-Ctl: \u0007', ': empty', 'NoColon']));
  if (rng.chance(0.05)) headers.push('Expect: 100-continue');
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  let complete = !['', 'P OST'].includes(method) && version !== '';
  let framing = rng.int(10);
  let payload: Uint8Array | string = bytes;
  if (framing <= 5) headers.push(`Content-Length: ${bytes.length}`);
  else if (framing === 6) {
    // Content-Length larger than the body: a slow / stalled body, cut off by the client.
    headers.push(`Content-Length: ${bytes.length + 1 + rng.int(1 << 20)}`);
    complete = false;
  } else if (framing === 7) {
    // Malformed values (" 2" would be a valid 2 with optional whitespace: not among them).
    headers.push(`Content-Length: ${rng.pick(['-1', 'abc', '1e3', `${bytes.length}, ${bytes.length + 1}`, '99999999999999999999', '0x10', '+2'])}`);
    if (rng.chance(0.5)) headers.push(`Content-Length: ${bytes.length + 3}`);
  } else if (framing === 8) {
    headers.push('Transfer-Encoding: chunked');
    if (rng.chance(0.2)) headers.push(`Content-Length: ${bytes.length}`);
    const parts: string[] = [];
    const text = Buffer.from(bytes).toString('latin1');
    for (let i = 0; i < text.length; ) {
      const n = 1 + rng.int(Math.max(1, Math.min(4096, text.length - i)));
      parts.push(`${n.toString(16)}${CRLF}${text.slice(i, i + n)}${CRLF}`);
      i += n;
    }
    const end = rng.pick(['0\r\n\r\n', '0\r\n\r\n', '0\r\n\r\n', 'zz\r\n\r\n', 'ffffffffffffffff\r\nab\r\n', '', '5\r\nab\r\n0\r\n\r\n', '-1\r\n\r\n']);
    if (end === '') complete = false;
    if (end.startsWith('ffff')) complete = false;
    payload = Buffer.from(parts.join('') + end, 'latin1');
  } else {
    // No framing at all: an HTTP/1.1 POST without a body length has an empty body.
    payload = rng.chance(0.5) ? '' : bytes;
  }
  if (rng.chance(0.7)) headers.push('Connection: close');
  const head = `${method} ${path} ${version}${CRLF}${headers.join(CRLF)}${CRLF}${CRLF}`;
  const chunks: Raw['chunks'] = [];
  if (rng.chance(0.1)) {
    // Slowly: the head, then the payload in small pieces with pauses.
    chunks.push({ pause: 0, data: head });
    const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
    for (let i = 0; i < p.length && chunks.length < 12; i += Math.ceil(p.length / 10) || 1) chunks.push({ pause: 5 + rng.int(30), data: p.subarray(i, i + (Math.ceil(p.length / 10) || 1)) });
  } else chunks.push({ pause: 0, data: Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(payload as Uint8Array)]) });
  return { chunks, complete, head: method === 'HEAD', describe: `${head.slice(0, 300).replace(/\r\n/g, '⏎')} [framing ${framing}, ${bytes.length} B]` };
}

/** Sends one raw request; returns the status codes of every response seen, and whether the socket closed. */
function exchange(port: number, raw: Raw, bound: number): Promise<{ statuses: number[]; closed: boolean; error?: string }> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let data = '';
    let closed = false;
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const statuses = [...data.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve(error ? { statuses, closed, error } : { statuses, closed });
    };
    const timer = setTimeout(() => finish(), bound);
    sock.on('data', (d) => {
      data += d.toString('latin1');
      // A complete response (headers and Content-Length body; a HEAD answer has none) ends the exchange.
      const rest = data.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      const end = rest.indexOf('\r\n\r\n');
      const m = /content-length: (\d+)/i.exec(rest.slice(0, end));
      if (end >= 0 && (raw.head || (m && rest.length >= end + 4 + Number(m[1])))) finish();
    });
    sock.on('close', () => {
      closed = true;
      finish();
    });
    sock.on('error', () => undefined);
    sock.on('connect', async () => {
      for (const c of raw.chunks) {
        if (c.pause) await new Promise((r) => setTimeout(r, c.pause));
        if (done || sock.destroyed) return;
        sock.write(c.data);
      }
    });
  });
}

describe('fuzz: HTTP server (raw TCP on 127.0.0.1)', () => {
  let server: KmsServer;
  let dir: string;
  beforeAll(async () => {
    // With a data directory: regions name files (issue 12.4).
    dir = await mkdtemp(join(tmpdir(), 'kms-core-fuzz-'));
    server = await startServer({ port: 0, maxBodyBytes: MAX_BODY, dataDir: dir });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test(`raw requests (${RUNS} cases): no 5xx, every complete request answered, the server keeps serving`, async () => {
    const rng = new Rng(SEED);
    const findings = new Findings();
    // Slow clients holding connections open throughout (slowloris): they must not block anyone.
    const slow = Array.from({ length: 8 }, () => {
      const s = connect({ host: '127.0.0.1', port: server.port });
      s.on('error', () => undefined);
      s.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a`);
      return s;
    });
    try {
      for (let i = 0; i < RUNS; i++) {
        const raw = request(rng, server.port);
        const t0 = performance.now();
        const r = await exchange(server.port, raw, raw.complete ? 5000 : 150);
        if (process.env.FUZZ_TRACE) process.stderr.write(`case ${i}: ${(performance.now() - t0).toFixed(0)} ms ${JSON.stringify(r)} ${raw.describe.slice(0, 160)}\n`);
        findings.cases++;
        const bad = r.statuses.filter((s) => s >= 500);
        if (bad.length) findings.add('server', { ok: false, kind: `HTTP ${bad[0]}`, detail: 'a 5xx for client input' }, raw.describe, SEED, i);
        else if (raw.complete && r.statuses.length === 0 && !r.closed) findings.add('server', { ok: false, kind: 'hang', detail: 'a complete request got no answer' }, raw.describe, SEED, i);
      }
      // Still serving, slow clients notwithstanding.
      const ok = await fetch(server.url, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
      expect(ok.status).toBe(200);
    } finally {
      for (const s of slow) s.destroy();
    }
    console.log(findings.report(`fuzz server (seed ${SEED})`));
    expect(findings.list(), findings.report('findings')).toEqual([]);
  }, 60_000 + RUNS * 300);

  test('a slow body is read as it arrives; oversized bodies (also chunked) are 413 and the connection is closed', async () => {
    const slow = await exchange(
      server.port,
      {
        chunks: [
          { pause: 0, data: `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{` },
          { pause: 200, data: '}' },
        ],
        complete: true,
        describe: 'slow',
      },
      5000,
    );
    expect(slow.statuses).toEqual([200]);
    const big = 'x'.repeat(MAX_BODY + 1);
    const chunked = await exchange(
      server.port,
      { chunks: [{ pause: 0, data: `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\nTransfer-Encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n` }], complete: true, describe: 'chunked' },
      5000,
    );
    expect(chunked.statuses).toEqual([413]);
  });
});
