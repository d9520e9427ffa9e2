/**
 * Fuzz suite, protocol adapter (issue 12, Acceptance): `handle(target, body, scope)` with
 * malformed JSON bodies, wrong JSON types at any depth of every operation's input shape, huge
 * and malformed base64, deep nesting, invalid UTF-8, odd targets and odd body types. Every
 * answer must be HTTP 200 or 4xx with a JSON body whose `__type` is an AWS exception name:
 * never a 5xx for client input, never a rejected promise, never a hang.
 *
 * Size: FUZZ_RUNS (default small); reproduce with FUZZ_SEED.
 */
import { describe, expect, test } from 'vitest';
import { Kms, createProtocolHandler } from '../src/index.js';
import { OPERATIONS } from '../src/model/shapes.js';
import { Rng, fuzzRuns, fuzzSeed, hostileJson, toWireForm, valid, type World } from './fuzz/gen.js';
import { AWS_NAMES, Findings, settle, type Verdict } from './fuzz/outcome.js';

const RUNS = fuzzRuns(400);
const SEED = fuzzSeed();
/** The test's own bound grows with its size (a few ms per case at most on a loaded machine). */
const BOUND = 60_000 + RUNS * 12;
const OPS = Object.keys(OPERATIONS);

function mutateJson(rng: Rng, v: unknown, p: number): unknown {
  if (rng.chance(p)) return hostileJson(rng);
  if (Array.isArray(v)) return v.map((x) => mutateJson(rng, x, p));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = mutateJson(rng, x, p);
  if (rng.chance(p / 2)) out[rng.pick(['__proto__', 'constructor', 'Extra', 'keyId', ''])] = hostileJson(rng);
  return out;
}

/** Text-level damage to a JSON body. */
function damage(rng: Rng, text: string): string | Uint8Array {
  switch (rng.int(12)) {
    case 0: return text.slice(0, rng.int(text.length + 1));
    case 1: { const i = rng.int(text.length + 1); return text.slice(0, i) + rng.pick(['"', '{', '}', ',', '\\', '\u0000', '\ud800', ':', ']']) + text.slice(i); }
    case 2: return text.replace(/^\{/, '{"KeyId":"a","KeyId":');
    case 3: return '['.repeat(rng.pick([1000, 100_000])) + ']'.repeat(rng.chance(0.5) ? 1000 : 0);
    case 4: return '{"a":'.repeat(rng.pick([1000, 50_000])) + '1' + '}'.repeat(rng.pick([0, 1000]));
    case 5: return rng.bytes(rng.int(200));
    case 6: { const b = new TextEncoder().encode(text); b[rng.int(b.length)] = rng.pick([0xff, 0xc0, 0x80, 0xed]); return b; }
    case 7: return `\ufeff${text}`;
    case 8: return rng.pick(['', ' ', '\n\t', 'null', 'true', '1', '"s"', '[]', '{}', '\u00a0', '{"__proto__":{"x":1}}']);
    case 9: return `${text}${rng.pick(['x', '{}', ' ', '\u0000'])}`;
    case 10: return JSON.stringify(JSON.parse(text), null, rng.pick([1, '\t']));
    default: return text;
  }
}

function oddTarget(rng: Rng, op: string): unknown {
  switch (rng.int(16)) {
    case 0: return undefined;
    case 1: return null;
    case 2: return '';
    case 3: return op;
    case 4: return `trentservice.${op}`;
    case 5: return `TrentService.${op.toLowerCase()}`;
    case 6: return `TrentService.${rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'run', 'resolve', 'as', 'keyStore', ''])}`;
    case 7: return `TrentService.${'A'.repeat(100_000)}`;
    case 8: return `TrentService.${op} `;
    case 9: return 42;
    case 10: return ['TrentService.ListKeys'];
    default: return `TrentService.${op}`;
  }
}

function judgeResponse(res: unknown): Verdict {
  if (!res || typeof res !== 'object') return { ok: false, kind: 'no response object', detail: typeof res };
  const r = res as { status: number; headers: Record<string, string>; body: string };
  if (r.status >= 500) {
    let type = '?';
    try {
      type = (JSON.parse(r.body) as { __type: string }).__type;
    } catch {
      // reported below as the status
    }
    return { ok: false, kind: `HTTP ${r.status}`, detail: type };
  }
  if (r.status !== 200 && (r.status < 400 || r.status > 499)) return { ok: false, kind: `HTTP ${r.status}`, detail: 'unexpected status' };
  if (r.headers['content-type'] !== 'application/x-amz-json-1.1') return { ok: false, kind: 'content-type', detail: String(r.headers['content-type']) };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(r.body) as Record<string, unknown>;
  } catch {
    return { ok: false, kind: 'body not JSON', detail: r.body.slice(0, 60) };
  }
  if (r.status !== 200 && (typeof body.__type !== 'string' || !AWS_NAMES.has(body.__type))) return { ok: false, kind: 'unnamed error', detail: String(body.__type) };
  if (r.status !== 200 && 'message' in body && (typeof body.message !== 'string' || body.message === '')) return { ok: false, kind: 'bad message member', detail: String(body.message) };
  return { ok: true };
}

describe('fuzz: protocol adapter', () => {
  test(`malformed bodies, wrong JSON types, huge base64 and odd targets (${RUNS} cases) answer 200 or an AWS-named 4xx`, async () => {
    const rng = new Rng(SEED);
    const findings = new Findings();
    let kms = new Kms();
    let world: World = { keyIds: [], keyArns: [], aliasNames: [], aliasArns: [], blobs: [], grantTokens: [], grantIds: [], principals: ['arn:aws:iam::111122223333:root'] };
    const refresh = async () => {
      kms = new Kms();
      const k = (await kms.createKey({})).KeyMetadata!;
      await kms.createAlias({ AliasName: 'alias/fuzz', TargetKeyId: k.KeyId! });
      world = { ...world, keyIds: [k.KeyId!], keyArns: [k.Arn!], aliasNames: ['alias/fuzz'], blobs: [(await kms.encrypt({ KeyId: k.KeyId!, Plaintext: rng.bytes(16) })).CiphertextBlob!] };
    };
    await refresh();
    let handler = createProtocolHandler({ kms: () => kms });
    for (let i = 0; i < RUNS; i++) {
      if (i % 500 === 499) {
        await refresh();
        handler = createProtocolHandler({ kms: () => kms });
      }
      const op = rng.pick(OPS);
      const input = toWireForm(valid(rng, OPERATIONS[op]!.input, world, ''));
      const json = rng.chance(0.7) ? mutateJson(rng, input, rng.pick([0, 0.05, 0.2])) : input;
      const text = JSON.stringify(json);
      const body: unknown = rng.chance(0.3) ? damage(rng, text) : rng.chance(0.03) ? rng.pick([undefined, null, 42, {}, [text]]) : rng.chance(0.2) ? new TextEncoder().encode(text) : text;
      const target = rng.chance(0.15) ? oddTarget(rng, op) : `TrentService.${op}`;
      const scope = rng.chance(0.1) ? { accountId: rng.string(14, '0123456789a'), region: rng.string(40) } : undefined;
      const r = await settle(() => handler.handle(target as string, body as string, scope));
      findings.cases++;
      const example = `${String(target).slice(0, 60)} ${typeof body === 'string' ? body.slice(0, 200) : body instanceof Uint8Array ? `bytes(${body.length})` : String(body)}`;
      if (r.timedOut) findings.add(op, { ok: false, kind: 'hang', detail: 'no answer' }, example, SEED, i);
      else if ('error' in r) findings.add(op, { ok: false, kind: 'handle() rejected', detail: String(r.error) }, example, SEED, i);
      else {
        const v = judgeResponse(r.value);
        if (!v.ok) findings.add(op, v, example, SEED, i);
      }
    }
    console.log(findings.report(`fuzz adapter (seed ${SEED})`));
    expect(findings.list(), findings.report('findings')).toEqual([]);
  }, BOUND);

  test('huge base64 in every blob member is refused by its length before decoding (a 100 MB Plaintext)', async () => {
    const kms = new Kms();
    const { handle } = createProtocolHandler({ kms });
    const key = (await kms.createKey({})).KeyMetadata!;
    const huge = 'A'.repeat(100_000_000);
    const r = await handle('TrentService.Encrypt', `{"KeyId":"${key.KeyId}","Plaintext":"${huge}"}`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).__type).toBe('ValidationException');
  });
});
