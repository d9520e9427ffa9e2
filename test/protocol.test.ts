/**
 * The AWS JSON 1.1 protocol adapter (src/protocol), called as an embedding HTTP layer calls it:
 * `handle(X-Amz-Target, body, scope)` → `{status, headers, body}`. No server, no network.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  CONTENT_TYPE,
  Kms,
  KmsError,
  createProtocolHandler,
  errorResponse,
  parseCredentialScope,
  routedOperations,
  type ProtocolResponse,
  type RequestScope,
} from '../src/index.js';
import { OPERATIONS, SHAPES } from '../src/model/shapes.js';
import { fromWire, toWire } from '../src/protocol/wire.js';
import { dec, enc } from './helpers/index.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const unb64 = (s: unknown) => new Uint8Array(Buffer.from(s as string, 'base64'));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function adapter(kms: Kms = new Kms()) {
  const { handle } = createProtocolHandler({ kms });
  async function call(op: string, body: unknown, scope?: RequestScope): Promise<{ res: ProtocolResponse; json: Record<string, any> }> {
    const res = await handle(`TrentService.${op}`, typeof body === 'string' ? body : JSON.stringify(body), scope);
    return { res, json: JSON.parse(res.body) };
  }
  async function ok(op: string, body: unknown, scope?: RequestScope): Promise<Record<string, any>> {
    const { res, json } = await call(op, body, scope);
    expect(res.status, `${op}: ${res.body}`).toBe(200);
    return json;
  }
  async function fails(op: string, body: unknown, type: string, status = 400, scope?: RequestScope): Promise<Record<string, any>> {
    const { res, json } = await call(op, body, scope);
    expect(res.status, res.body).toBe(status);
    expect(json.__type).toBe(type);
    expect(res.headers['content-type']).toBe(CONTENT_TYPE);
    expect(res.headers['x-amzn-RequestId']).toMatch(UUID);
    return json;
  }
  return { handle, call, ok, fails, kms };
}

describe('routing', () => {
  test('every operation the Kms class implements is routed (at least the 22 of the contract)', () => {
    const routed = routedOperations(new Kms());
    expect(routed).toEqual(
      expect.arrayContaining([
        'CancelKeyDeletion', 'CreateAlias', 'CreateKey', 'Decrypt', 'DeleteAlias', 'DescribeKey', 'DisableKey', 'DisableKeyRotation',
        'EnableKey', 'EnableKeyRotation', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GetKeyRotationStatus',
        'GetPublicKey', 'ListAliases', 'ListKeyRotations', 'ListKeys', 'ReEncrypt', 'RotateKeyOnDemand', 'ScheduleKeyDeletion', 'UpdateAlias',
      ]),
    );
    // Every public method named after an operation of the model is served.
    const methods = Object.getOwnPropertyNames(Kms.prototype).filter((m) => m !== 'constructor');
    for (const m of methods) {
      const op = m.charAt(0).toUpperCase() + m.slice(1);
      if (op in OPERATIONS) expect(routed, m).toContain(op);
    }
  });

  test("each routed operation reaches its Kms method (a request without its required members is that method's ValidationException)", async () => {
    const a = adapter();
    for (const op of routedOperations(a.kms)) {
      const { res, json } = await a.call(op, {});
      const required = SHAPES[(OPERATIONS[op] as { input: string }).input]?.required ?? [];
      if (required.length > 0) {
        expect([res.status, json.__type], op).toEqual([400, 'ValidationException']);
        expect(json.message, op).toMatch(/failed to satisfy constraint: Member must not be null/);
      } else {
        expect(['UnknownOperationException', 'SerializationException', 'UnsupportedOperationException'], op).not.toContain(json.__type);
      }
    }
  });

  test('Precondition: the target is TrentService.<an operation of the KMS API model> — an unknown target is UnknownOperationException (400)', async () => {
    const { handle } = adapter();
    for (const target of ['TrentService.Nope', 'TrentService.encrypt', 'TrentService.', 'Foo.Encrypt', 'Encrypt', '', undefined, null, 'TrentService.constructor', 'TrentService.__proto__', 'TrentService.hasOwnProperty']) {
      const res = await handle(target, '{}');
      expect(res.status, String(target)).toBe(400);
      expect(JSON.parse(res.body).__type, String(target)).toBe('UnknownOperationException');
    }
  });

  test('Precondition: kms-core implements the operation — a row without a handler answers UnsupportedOperationException naming it (all 56 rows have one now)', async () => {
    expect(Object.keys(OPERATIONS).filter((o) => !routedOperations().includes(o))).toEqual([]);
    const { runOperation } = await import('../src/operations/run.js');
    const { contextOf } = await import('../src/kms.js');
    const { OPERATION_TABLE } = await import('../src/operations/table.js');
    // A row of the table with its handler taken away, as an operation newer than kms-core would be.
    const { handler: _h, key: _k, ...missing } = OPERATION_TABLE.TagResource;
    const err = await runOperation(contextOf(new Kms()), missing as never, { KeyId: 'k', Tags: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KmsError);
    expect((err as KmsError).name).toBe('UnsupportedOperationException');
    expect((err as KmsError).message).toBe('kms-core does not implement TagResource yet.');
  });

  test('the adapter knows all 56 operations of KMS (the botocore model and Encapsulate / Decapsulate)', () => {
    expect(Object.keys(OPERATIONS)).toHaveLength(56);
    for (const op of ['Encapsulate', 'Decapsulate', 'GetKeyLastUsage', 'ListRetirableGrants', 'TagResource', 'Sign', 'GenerateMac', 'DeriveSharedSecret']) expect(OPERATIONS, op).toHaveProperty(op);
  });

  test('a made-up TrentService target is UnknownOperationException', async () => {
    const a = adapter();
    const unknown = await a.fails('Frobnicate', {}, 'UnknownOperationException');
    expect(unknown.message).toBe('Unknown operation TrentService.Frobnicate');
  });

  test('only operations of the table are routed: a Kms method or property named like nothing in the model is not reachable', async () => {
    const kms = new Kms();
    Object.defineProperty(kms, 'tagResource', { value: async () => ({ hijacked: true }) });
    const a = adapter(kms);
    // TagResource is served by its row (NotFoundException for key 'k'), never by the property.
    expect((await a.fails('TagResource', { KeyId: 'k', Tags: [] }, 'NotFoundException')).message).toBe("Invalid keyId 'k'");
    for (const target of ['resolve', 'authorize', 'run', 'as']) await a.fails(target, {}, 'UnknownOperationException');
  });
});

describe('AWS JSON 1.1 round trip', () => {
  test('CreateKey → Encrypt → ReEncrypt → Decrypt with base64 blobs and epoch-second dates', async () => {
    const a = adapter();
    const before = Date.now() / 1000;
    const { res, json } = await a.call('CreateKey', { Description: 'orders' });
    expect(res.status).toBe(200);
    expect(res.headers).toEqual({ 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': expect.stringMatching(UUID) });
    const md = json.KeyMetadata;
    expect(typeof md.CreationDate).toBe('number');
    expect(md.CreationDate).toBeGreaterThanOrEqual(Math.floor(before));
    expect(md.CreationDate).toBeLessThanOrEqual(Date.now() / 1000);
    const b = (await a.ok('CreateKey', {})).KeyMetadata;

    const enc1 = await a.ok('Encrypt', { KeyId: md.KeyId, Plaintext: b64(enc('order #4711')), EncryptionContext: { tenant: 'acme' } });
    expect(enc1.KeyId).toBe(md.Arn);
    expect(unb64(enc1.CiphertextBlob).length).toBe(11 + 100);
    const re = await a.ok('ReEncrypt', {
      CiphertextBlob: enc1.CiphertextBlob,
      SourceKeyId: md.Arn,
      SourceEncryptionContext: { tenant: 'acme' },
      DestinationKeyId: b.KeyId,
      DestinationEncryptionContext: { tenant: 'acme', tier: 'cold' },
    });
    expect(re).toEqual({
      CiphertextBlob: expect.any(String),
      SourceKeyId: md.Arn,
      KeyId: b.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: md.CurrentKeyMaterialId,
      DestinationKeyMaterialId: b.CurrentKeyMaterialId,
    });
    const d = await a.ok('Decrypt', { CiphertextBlob: re.CiphertextBlob, EncryptionContext: { tier: 'cold', tenant: 'acme' } });
    expect(dec(unb64(d.Plaintext))).toBe('order #4711');
    expect(d.KeyId).toBe(b.Arn);
    expect(d.KeyMaterialId).toBe(b.CurrentKeyMaterialId);
  });

  test('the body may be bytes; an empty body is an empty input', async () => {
    const a = adapter();
    const res = await a.handle('TrentService.CreateKey', enc('{"Description":"bytes"}'));
    expect(JSON.parse(res.body).KeyMetadata.Description).toBe('bytes');
    for (const body of ['', '  \n', undefined, null, new Uint8Array(0)]) {
      const r = await a.handle('TrentService.ListKeys', body);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ Keys: [expect.any(Object)], Truncated: false });
    }
  });

  test('operations without output answer {}; dates keep milliseconds as a fraction', async () => {
    const kms = new Kms({ now: () => new Date('2026-01-01T00:00:00.250Z') });
    const a = adapter(kms);
    const k = (await a.ok('CreateKey', {})).KeyMetadata;
    expect(k.CreationDate).toBe(1767225600.25);
    expect(await a.ok('DisableKey', { KeyId: k.KeyId })).toEqual({});
    expect(await a.ok('EnableKey', { KeyId: k.KeyId })).toEqual({});
    const del = await a.ok('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    expect(del).toEqual({ KeyId: k.Arn, DeletionDate: 1767225600.25 + 7 * 86400, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
  });

  test('GenerateDataKey, GetPublicKey, rotation and alias operations', async () => {
    const a = adapter();
    const k = (await a.ok('CreateKey', {})).KeyMetadata;
    const g = await a.ok('GenerateDataKey', { KeyId: k.KeyId, KeySpec: 'AES_256' });
    expect(unb64(g.Plaintext).length).toBe(32);
    expect(g.KeyMaterialId).toBe(k.CurrentKeyMaterialId);
    expect(dec(unb64((await a.ok('Decrypt', { CiphertextBlob: g.CiphertextBlob })).Plaintext))).toBe(dec(unb64(g.Plaintext)));
    expect(Object.keys(await a.ok('GenerateDataKeyWithoutPlaintext', { KeyId: k.KeyId, NumberOfBytes: 7 })).sort()).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId']);

    expect(await a.ok('RotateKeyOnDemand', { KeyId: k.KeyId })).toEqual({ KeyId: k.Arn });
    const rot = await a.ok('ListKeyRotations', { KeyId: k.KeyId });
    expect(rot.Rotations).toHaveLength(1);
    expect(typeof rot.Rotations[0].RotationDate).toBe('number');
    expect(rot.Rotations[0]).toMatchObject({ KeyMaterialState: 'CURRENT', RotationType: 'ON_DEMAND' });
    expect(await a.ok('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 90 })).toEqual({});
    const st = await a.ok('GetKeyRotationStatus', { KeyId: k.KeyId });
    expect(st).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90, NextRotationDate: expect.any(Number) });

    expect(await a.ok('CreateAlias', { AliasName: 'alias/orders', TargetKeyId: k.KeyId })).toEqual({});
    const e = await a.ok('Encrypt', { KeyId: 'alias/orders', Plaintext: b64(enc('x')) });
    expect(e.KeyId).toBe(k.Arn);
    const al = await a.ok('ListAliases', {});
    expect(al.Aliases).toEqual([{ AliasName: 'alias/orders', AliasArn: expect.stringMatching(/:alias\/orders$/), TargetKeyId: k.KeyId, CreationDate: expect.any(Number), LastUpdatedDate: expect.any(Number) }]);
    await a.fails('CreateAlias', { AliasName: 'alias/orders', TargetKeyId: k.KeyId }, 'AlreadyExistsException');
    expect(await a.ok('DeleteAlias', { AliasName: 'alias/orders' })).toEqual({});

    const rsa = (await a.ok('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata;
    const pub = await a.ok('GetPublicKey', { KeyId: rsa.KeyId });
    expect(unb64(pub.PublicKey)[0]).toBe(0x30);
    expect(pub.EncryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
  });

  test('a member the model does not know is ignored; null members are absent', async () => {
    const a = adapter();
    const k = (await a.ok('CreateKey', { Description: null, Frobnicate: [1, { x: 2 }] })).KeyMetadata;
    expect(k.Description).toBe('');
    expect((await a.ok('Encrypt', { KeyId: k.KeyId, Plaintext: b64(enc('x')), EncryptionContext: null, GrantTokens: null })).KeyId).toBe(k.Arn);
  });

  test('an encryption-context key "__proto__" is an ordinary key', async () => {
    const a = adapter();
    const k = (await a.ok('CreateKey', {})).KeyMetadata;
    const body = `{"KeyId":"${k.KeyId}","Plaintext":"${b64(enc('p'))}","EncryptionContext":{"__proto__":"v"}}`;
    const e = await a.ok('Encrypt', body);
    await a.fails('Decrypt', { CiphertextBlob: e.CiphertextBlob }, 'InvalidCiphertextException');
    const d = await a.ok('Decrypt', `{"CiphertextBlob":"${e.CiphertextBlob}","EncryptionContext":{"__proto__":"v"}}`);
    expect(dec(unb64(d.Plaintext))).toBe('p');
  });
});

describe('errors', () => {
  test('client faults are 400 with {"__type", "message"}; the message is the Kms message', async () => {
    const a = adapter();
    const x = (await a.ok('CreateKey', {})).KeyMetadata;
    const y = (await a.ok('CreateKey', {})).KeyMetadata;
    const e = await a.ok('Encrypt', { KeyId: x.KeyId, Plaintext: b64(enc('s3cret')) });
    const inc = await a.fails('Decrypt', { CiphertextBlob: e.CiphertextBlob, KeyId: y.KeyId }, 'IncorrectKeyException');
    expect(inc).toEqual({ __type: 'IncorrectKeyException', message: 'The key ID in the request does not identify a CMK that can perform this operation.' });
    await a.fails('ReEncrypt', { CiphertextBlob: e.CiphertextBlob, SourceKeyId: y.KeyId, DestinationKeyId: x.KeyId }, 'IncorrectKeyException');
    // InvalidCiphertextException carries no detail: no message member, as AWS sends it.
    const tampered = unb64(e.CiphertextBlob);
    tampered[tampered.length - 1]! ^= 1;
    expect(await a.fails('Decrypt', { CiphertextBlob: b64(tampered) }, 'InvalidCiphertextException')).toEqual({ __type: 'InvalidCiphertextException' });
    await a.ok('DisableKey', { KeyId: x.KeyId });
    expect((await a.fails('Encrypt', { KeyId: x.KeyId, Plaintext: b64(enc('a')) }, 'DisabledException')).message).toBe(`${x.Arn} is disabled.`);
    await a.fails('DescribeKey', { KeyId: '00000000-0000-4000-8000-000000000000' }, 'NotFoundException');
    const v = await a.fails('Encrypt', { KeyId: y.KeyId, Plaintext: b64(new Uint8Array(4097)) }, 'ValidationException');
    expect(v.message).toBe("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    await a.fails('Encrypt', { KeyId: y.KeyId, Plaintext: b64(enc('a')), EncryptionAlgorithm: 'ROT13' }, 'ValidationException');
    await a.fails('Encrypt', { KeyId: y.KeyId, Plaintext: b64(enc('a')), DryRun: true }, 'DryRunOperationException');
  });

  test('server faults are 500 (a failing random source → KMSInternalException)', async () => {
    const kms = new Kms({
      random: () => {
        throw new Error('entropy pool on fire: s3cret');
      },
    });
    const a = adapter(kms);
    const json = await a.fails('CreateKey', {}, 'KMSInternalException', 500);
    expect(json.message).not.toMatch(/s3cret/);
  });

  test('a provider that throws a non-KmsError is a 500 KMSInternalException that does not echo it', async () => {
    const { handle } = createProtocolHandler({
      kms: () => {
        throw new Error('db password hunter2');
      },
    });
    const res = await handle('TrentService.ListKeys', '{}');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ __type: 'KMSInternalException', message: 'An internal error occurred.' });
  });

  test('errorResponse maps KmsError $fault to the status', () => {
    expect(errorResponse(new KmsError('ThrottlingException', 'slow down'), 'r').status).toBe(400);
    expect(errorResponse(new KmsError('KeyUnavailableException', 'x', 'server'), 'r')).toEqual({
      status: 500,
      headers: { 'content-type': CONTENT_TYPE, 'x-amzn-RequestId': 'r' },
      body: '{"__type":"KeyUnavailableException","message":"x"}',
    });
  });

  test('every response has a fresh request ID (injectable)', async () => {
    let n = 0;
    const { handle } = createProtocolHandler({ kms: new Kms(), requestId: () => `req-${++n}` });
    expect((await handle('TrentService.ListKeys', '{}')).headers['x-amzn-RequestId']).toBe('req-1');
    expect((await handle('TrentService.Nope', '{}')).headers['x-amzn-RequestId']).toBe('req-2');
    expect((await handle('TrentService.ListKeys', '{')).headers['x-amzn-RequestId']).toBe('req-3');
  });
});

describe('SerializationException: JSON that is not JSON, or does not fit the model shape', () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"KeyId": ', /not valid JSON/],
    ['a JSON array', '[]', /the request body: expected a structure/],
    ['a JSON string', '"x"', /expected a structure/],
    ['a number where a blob is expected', '{"KeyId":"k","Plaintext":5}', /'plaintext': expected a base64-encoded blob \(JSON string\), found a number/],
    ['malformed base64', '{"KeyId":"k","Plaintext":"not base64!"}', /'plaintext': not valid base64/],
    ['unpadded base64', '{"KeyId":"k","Plaintext":"YWI"}', /'plaintext': not valid base64/],
    ['a number where a string is expected', '{"KeyId":7,"Plaintext":"YQ=="}', /'keyId': expected a string, found a number/],
    ['an object where a list is expected', '{"KeyId":"k","Plaintext":"YQ==","GrantTokens":{}}', /'grantTokens': expected a list/],
    ['a number inside a list of strings', '{"KeyId":"k","Plaintext":"YQ==","GrantTokens":["a",1]}', /'grantTokens.2.member': expected a string/],
    ['a string where a map is expected', '{"KeyId":"k","Plaintext":"YQ==","EncryptionContext":"a=b"}', /'encryptionContext': expected a map/],
    ['a number as a map value', '{"KeyId":"k","Plaintext":"YQ==","EncryptionContext":{"a":1}}', /'encryptionContext.a.value': expected a string/],
    ['a string where a boolean is expected', '{"KeyId":"k","Plaintext":"YQ==","DryRun":"true"}', /'dryRun': expected a boolean/],
  ];
  for (const [what, body, message] of cases) {
    test(what, async () => {
      const { handle } = adapter();
      const res = await handle('TrentService.Encrypt', body);
      expect(res.status).toBe(400);
      const json = JSON.parse(res.body);
      expect(json.__type).toBe('SerializationException');
      expect(json.message).toMatch(message);
    });
  }

  test('integers: a fraction or a string is refused; range is ValidationException', async () => {
    const a = adapter();
    const k = (await a.ok('CreateKey', {})).KeyMetadata;
    await a.fails('GenerateDataKey', { KeyId: k.KeyId, NumberOfBytes: 1.5 }, 'SerializationException');
    await a.fails('GenerateDataKey', { KeyId: k.KeyId, NumberOfBytes: '16' }, 'SerializationException');
    await a.fails('GenerateDataKey', { KeyId: k.KeyId, NumberOfBytes: 1e300 }, 'SerializationException');
    await a.fails('GenerateDataKey', { KeyId: k.KeyId, NumberOfBytes: 1025 }, 'ValidationException');
  });

  test('a body that is not UTF-8 is refused', async () => {
    const { handle } = adapter();
    const res = await handle('TrentService.ListKeys', new Uint8Array([0x7b, 0xff, 0x7d]));
    expect(JSON.parse(res.body)).toEqual({ __type: 'SerializationException', message: 'The request body is not valid UTF-8.' });
  });

  test('messages never echo the value (a mistyped Plaintext is still plaintext)', async () => {
    const { handle } = adapter();
    for (const body of ['{"KeyId":"k","Plaintext":"hunter2-secret"}', '{"KeyId":"k","Plaintext":["hunter2-secret"]}', '{"KeyId":"k","Plaintext":"hunter2-secret', '{"KeyId":"k","Plaintext":{"hunter2-secret":1}}']) {
      const res = await handle('TrentService.Encrypt', body);
      expect(res.status).toBe(400);
      expect(res.body).not.toMatch(/hunter2/);
    }
  });

  test('timestamps on the wire are epoch seconds (the model converts them to Date)', () => {
    const input = fromWire({ KeyId: 'k', ImportToken: 'AQ==', EncryptedKeyMaterial: 'Ag==', ValidTo: 1767225600.5 }, 'ImportKeyMaterialRequest') as Record<string, unknown>;
    expect(input.ValidTo).toEqual(new Date('2026-01-01T00:00:00.500Z'));
    expect(input.ImportToken).toEqual(new Uint8Array([1]));
    expect(() => fromWire({ ValidTo: '2026-01-01' }, 'ImportKeyMaterialRequest')).toThrow(/'validTo': expected a timestamp/);
    expect(() => fromWire({ ValidTo: 1e300 }, 'ImportKeyMaterialRequest')).toThrow(/'validTo': timestamp out of range/);
    expect(toWire({ a: new Date(1500), b: new Uint8Array([255]), c: undefined, d: [{ e: new Date(0) }] })).toEqual({ a: 1.5, b: '/w==', d: [{ e: 0 }] });
  });
});

describe('accounts and regions: the provider picks a Kms per scope', () => {
  test('the scope reaches the provider; accounts are isolated, a region has its own keys', async () => {
    const seen: RequestScope[] = [];
    const kmsByScope = new Map<string, Kms>();
    const { handle } = createProtocolHandler({
      kms: async (scope) => {
        seen.push(scope);
        const id = `${scope.accountId}/${scope.region}`;
        if (!kmsByScope.has(id)) kmsByScope.set(id, new Kms({ accountId: scope.accountId, region: scope.region }));
        return kmsByScope.get(id) as Kms;
      },
    });
    const call = async (op: string, body: unknown, scope: RequestScope) => JSON.parse((await handle(`TrentService.${op}`, JSON.stringify(body), scope)).body);
    const a = { accountId: '111122223333', region: 'eu-west-1' };
    const k = (await call('CreateKey', {}, a)).KeyMetadata;
    expect(k.Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    expect((await call('ListKeys', {}, { accountId: '111122223333', region: 'us-east-1' })).Keys).toEqual([]);
    expect((await call('DescribeKey', { KeyId: k.KeyId }, { accountId: '444455556666', region: 'eu-west-1' })).__type).toBe('NotFoundException');
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual(a);
  });
});

describe('SigV4 credential scope', () => {
  test('parses Credential=AKID/date/region/service/aws4_request', () => {
    const h = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-central-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc123';
    expect(parseCredentialScope(h)).toEqual({ accessKeyId: 'AKIDEXAMPLE', date: '20260101', region: 'eu-central-1', service: 'kms' });
    expect(parseCredentialScope('AWS4-HMAC-SHA256 Credential=A/20260101/cn-north-1/kms/aws4_request,SignedHeaders=host,Signature=x')?.region).toBe('cn-north-1');
  });
  test('anything else is no scope', () => {
    for (const h of [undefined, '', 'Basic dXNlcjpwYXNz', 'AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1/kms/aws4_request', 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kms', 'AWS4-HMAC-SHA256 XCredential=AKID/20260101/us-east-1/kms/aws4_request']) {
      expect(parseCredentialScope(h), String(h)).toBeUndefined();
    }
  });
});

describe('runtime independence', () => {
  test('src/protocol imports no node:* module and nothing outside the core', () => {
    for (const f of ['index.ts', 'json.ts', 'sigv4.ts', 'wire.ts']) {
      const src = readFileSync(new URL(`../src/protocol/${f}`, import.meta.url), 'utf8');
      const imports = [...src.matchAll(/from\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
      for (const i of imports) expect(i, `${f} imports ${i}`).toMatch(/^\.\.?\/(?!server\/|cli\/)/);
    }
  });
});

describe('ListRetirableGrants (supplemented into the reduced model from the full AWS model)', () => {
  test('is routed through the JSON protocol and validated like every model operation', async () => {
    const { createProtocolHandler, Kms } = await import('../src/index.js');
    const handler = createProtocolHandler({ kms: new Kms() });
    const ok = await handler.handle('TrentService.ListRetirableGrants', JSON.stringify({ RetiringPrincipal: 'arn:aws:iam::111122223333:user/alice' }));
    expect(ok.status).toBe(200);
    expect(JSON.parse(typeof ok.body === 'string' ? ok.body : new TextDecoder().decode(ok.body))).toMatchObject({ Grants: [] });
    const bad = await handler.handle('TrentService.ListRetirableGrants', '{}');
    expect(bad.status).toBe(400);
    expect(JSON.parse(typeof bad.body === 'string' ? bad.body : new TextDecoder().decode(bad.body)).__type).toBe('ValidationException');
  });
});
