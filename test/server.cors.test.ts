/**
 * CORS on the endpoint (src/server/cors.ts), on the wire: preflights answered as AWS KMS answers
 * them, the allowed origins of --allow-origin (default: loopback pages), and refusals. The same
 * answers in a real browser: scripts/test-cors.mjs (headless Chromium, `npm run test:cors`).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { corsPolicy, isLoopbackOrigin } from '../src/server/cors.js';
import { startServer, type KmsServer } from '../src/server/http.js';

function send(url: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SDK_PREFLIGHT = 'amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256,x-amz-date,x-amz-target,x-amz-user-agent';
const preflight = (origin: string, headers = SDK_PREFLIGHT, extra: Record<string, string> = {}) => ({
  origin,
  'access-control-request-method': 'POST',
  'access-control-request-headers': headers,
  ...extra,
});

describe('CORS on the endpoint', () => {
  let loopback: KmsServer;
  let listed: KmsServer;
  let any: KmsServer;
  let none: KmsServer;

  beforeAll(async () => {
    [loopback, listed, any, none] = await Promise.all([
      startServer({ port: 0 }),
      startServer({ port: 0, allowOrigin: ['https://app.example.com', 'http://localhost:8080'] }),
      startServer({ port: 0, allowOrigin: ['*'] }),
      startServer({ port: 0, allowOrigin: [] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([loopback, listed, any, none].map((s) => s.close()));
  });

  test("a preflight from a loopback page: 200 with the origin, POST, the requested headers listed and x-amzn-RequestId exposed, as AWS KMS answers", async () => {
    const r = await send(loopback.url, 'OPTIONS', preflight('http://127.0.0.1:5173'));
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173');
    expect(r.headers.vary).toBe('Origin');
    expect(r.headers['access-control-allow-methods']).toBe('POST');
    // Explicit names, never '*': a wildcard does not cover Authorization (Fetch standard).
    expect(r.headers['access-control-allow-headers']).toBe(SDK_PREFLIGHT);
    expect(String(r.headers['access-control-expose-headers']).split(',')).toEqual(['x-amzn-RequestId', 'x-amzn-ErrorType', 'x-amzn-ErrorMessage', 'Date']);
    expect(r.headers['access-control-max-age']).toBe('172800');
    expect(r.headers['cache-control']).toBe('no-cache, no-store, must-revalidate, private');
    expect(r.headers['access-control-allow-private-network']).toBeUndefined();
  });

  test('a preflight that asks for no headers gets the SDK header set, explicitly; Private Network Access is granted when asked', async () => {
    const r = await send(loopback.url, 'OPTIONS', { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' });
    expect(r.status).toBe(200);
    expect(String(r.headers['access-control-allow-headers']).split(',')).toContain('authorization');
    expect(r.headers['access-control-allow-headers']).not.toContain('*');
    expect(r.headers['access-control-allow-private-network']).toBe('true');
  });

  test('the actual request from an allowed page carries Access-Control-Allow-Origin and Expose-Headers, errors too', async () => {
    const ok = await send(loopback.url, 'POST', { origin: 'http://[::1]:9000', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }, '{}');
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://[::1]:9000');
    expect(ok.headers['access-control-expose-headers']).toContain('x-amzn-RequestId');
    expect(ok.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await send(loopback.url, 'POST', { origin: 'http://app.localhost:9000', 'x-amz-target': 'TrentService.Nope' }, '{}');
    expect(bad.status).toBe(400);
    expect(bad.headers['access-control-allow-origin']).toBe('http://app.localhost:9000');
  });

  test('Precondition: the page\'s origin is admitted by --allow-origin — other origins get 403, preflight or not, and reach no operation', async () => {
    for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example', 'null', 'http://localhost:3000/path']) {
      const pre = await send(loopback.url, 'OPTIONS', preflight(origin));
      expect(pre.status, origin).toBe(403);
      expect(pre.headers['access-control-allow-origin'], origin).toBeUndefined();
      const r = await send(loopback.url, 'POST', { origin, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey' }, '{}');
      expect(r.status, origin).toBe(403);
      expect(JSON.parse(r.body), origin).toMatchObject({ __type: 'AccessDeniedException' });
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
    // No key was created by the refused CreateKey calls.
    const keys = await send(loopback.url, 'POST', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }, '{}');
    expect(JSON.parse(keys.body)).toMatchObject({ Keys: [] });
  });

  test('Precondition: every requested header is a header name (it is echoed back)', async () => {
    const r = await send(loopback.url, 'OPTIONS', preflight('http://localhost:1', 'x-amz-target, bad header'));
    expect(r.status).toBe(403);
    expect(r.headers['access-control-allow-headers']).toBeUndefined();
  });

  test('--allow-origin with listed origins admits exactly those; * admits any page and answers *; none turns CORS off', async () => {
    expect((await send(listed.url, 'OPTIONS', preflight('https://app.example.com'))).headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect((await send(listed.url, 'OPTIONS', preflight('http://localhost:8080'))).status).toBe(200);
    expect((await send(listed.url, 'OPTIONS', preflight('http://localhost:8081'))).status).toBe(403);
    const star = await send(any.url, 'OPTIONS', preflight('https://anything.example'));
    expect(star.status).toBe(200);
    expect(star.headers['access-control-allow-origin']).toBe('*');
    expect(star.headers['access-control-allow-headers']).toBe(SDK_PREFLIGHT);
    expect((await send(none.url, 'OPTIONS', preflight('http://127.0.0.1:1'))).status).toBe(403);
  });

  test('without an Origin, requests behave as before: OPTIONS is 405, POST has no CORS headers', async () => {
    const r = await send(loopback.url, 'OPTIONS', {});
    expect(r.status).toBe(405);
    const p = await send(loopback.url, 'POST', { 'x-amz-target': 'TrentService.ListKeys' }, '{}');
    expect(p.status).toBe(200);
    expect(p.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('Precondition: each allowed origin is scheme://host[:port] (http or https)', async () => {
    for (const bad of ['localhost:3000', 'ftp://x.example', 'http://x.example/app', '']) {
      expect(() => corsPolicy([bad]), bad).toThrow(/--allow-origin takes 'loopback', '\*' or an origin/);
    }
    await expect(startServer({ port: 0, allowOrigin: ['not an origin'] })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('loopback origins: localhost, *.localhost, 127.0.0.0/8, [::1], http or https, any port', () => {
    for (const o of ['http://localhost', 'https://localhost:8443', 'http://app.localhost:3000', 'http://127.0.0.1:1', 'http://127.12.0.1', 'http://[::1]:8080']) expect(isLoopbackOrigin(o), o).toBe(true);
    for (const o of ['http://localhost.example', 'http://128.0.0.1', 'http://[::2]', 'file://', 'null', 'http://0.0.0.0:81', 'http://localhost:3000/', 'http://localhost:80']) expect(isLoopbackOrigin(o), o).toBe(false);
  });
});
