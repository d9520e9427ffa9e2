/**
 * The protocol adapter's wire path (issue 12.7, 12.8): blobs refused by their encoded length
 * before any decoding, and errors without a message sent without a `message` member, as AWS
 * sends them (AWS-recorded responses: InvalidCiphertextException and UnsupportedOperationException
 * with "Message": "" in botocore's parse and no `message` in the body).
 */
import { describe, expect, test } from 'vitest';
import { InvalidCiphertextException, Kms, UnsupportedOperationException, createProtocolHandler, errorResponse } from '../src/index.js';
import { enc } from './helpers/index.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

async function setup() {
  const kms = new Kms();
  const { handle } = createProtocolHandler({ kms });
  const call = async (op: string, body: unknown) => {
    const res = await handle(`TrentService.${op}`, typeof body === 'string' ? body : JSON.stringify(body));
    return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
  };
  const key = (await kms.createKey({})).KeyMetadata!;
  return { kms, call, key };
}

const LENGTH = "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096";

describe('12.7 blob length before base64 decoding', () => {
  test('Precondition: base64 text no longer than the model\'s blob max allows — 12.7 an over-long base64 Plaintext is refused by its encoded length, before it is decoded', async () => {
    const { call, key } = await setup();
    // 16 MiB of base64 that is not even valid at its end: decoding it first would report the
    // base64; the length check comes first and reports the model's limit, as for any over-long blob.
    const huge = 'A'.repeat(16 << 20) + '!!!!';
    const r = await call('Encrypt', { KeyId: key.KeyId, Plaintext: huge });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ __type: 'ValidationException', message: LENGTH });
  });

  test('the encoded-length bound is ceil(max / 3) * 4: at and around it the message is the same as after decoding', async () => {
    const { call, key } = await setup();
    const ok = await call('Encrypt', { KeyId: key.KeyId, Plaintext: b64(new Uint8Array(4096)) });
    expect(ok.status).toBe(200);
    for (const n of [4097, 4098, 4099, 5000]) {
      const r = await call('Encrypt', { KeyId: key.KeyId, Plaintext: b64(new Uint8Array(n)) });
      expect([n, r.status, r.json]).toEqual([n, 400, { __type: 'ValidationException', message: LENGTH }]);
    }
    // Within the bound, malformed base64 is still SerializationException.
    const bad = await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'QR==' });
    expect(bad.json.__type).toBe('SerializationException');
    // CiphertextBlob (max 6144): 8192 characters is the longest that may still decode to 6144 bytes.
    const c = await call('Decrypt', { CiphertextBlob: 'A'.repeat(8196) });
    expect(c.json).toEqual({
      __type: 'ValidationException',
      message: "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to 6144",
    });
  });

  test('a blob inside a list or a nested structure is bounded the same way', async () => {
    // Every blob member of the model has a max (AttestationDocument 262144 is the largest).
    const { call } = await setup();
    const r = await call('Decrypt', { CiphertextBlob: 'AAAA', Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: 'A'.repeat(400_000) } });
    expect(r.json.__type).toBe('ValidationException');
    expect(r.json.message).toMatch(/'recipient\.attestationDocument' failed to satisfy constraint: Member must have length less than or equal to 262144/);
  });
});

describe('12.8 errors AWS sends without a message', () => {
  test('12.8 InvalidCiphertextException has no message member on the wire', async () => {
    const { call, key } = await setup();
    const e = await call('Encrypt', { KeyId: key.KeyId, Plaintext: b64(enc('s3cret')) });
    const blob = Buffer.from(e.json.CiphertextBlob as string, 'base64');
    blob[blob.length - 1]! ^= 1;
    const r = await call('Decrypt', { CiphertextBlob: b64(blob) });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ __type: 'InvalidCiphertextException' });
    expect('message' in r.json).toBe(false);
  });

  test('12.8 errorResponse omits an empty message and keeps every other one', () => {
    expect(JSON.parse(errorResponse(new InvalidCiphertextException('')).body)).toEqual({ __type: 'InvalidCiphertextException' });
    expect(JSON.parse(errorResponse(new UnsupportedOperationException()).body)).toEqual({ __type: 'UnsupportedOperationException' });
    expect(JSON.parse(errorResponse(new UnsupportedOperationException('x')).body)).toEqual({ __type: 'UnsupportedOperationException', message: 'x' });
  });
});
