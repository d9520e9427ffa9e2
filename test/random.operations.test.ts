/**
 * GenerateRandom through the Kms API: NumberOfBytes 1..1024 (the model's limits, AWS's recorded
 * messages), the bytes drawn from the Kms `random` option (an injected source reproduces them),
 * 10^4 draws distinct, IAM-only kms:GenerateRandom, no custom key stores, no Recipient.
 */
import { describe, expect, test } from 'vitest';
import { Kms, createProtocolHandler } from '../src/index.js';
import { toHexString } from './helpers/env.js';
import { refuses, seededRandom } from './helpers/keys.js';

describe('GenerateRandom', () => {
  test('NumberOfBytes 1 and 1024 give that many bytes; 0 and 1025 are the model\'s ValidationException', async () => {
    const kms = new Kms();
    expect((await kms.generateRandom({ NumberOfBytes: 1 })).Plaintext).toHaveLength(1);
    const big = (await kms.generateRandom({ NumberOfBytes: 1024 })).Plaintext!;
    expect(big).toHaveLength(1024);
    expect(big.some((b) => b !== 0)).toBe(true);
    // Recorded AWS responses (LocalStack's AWS-validated snapshot).
    await refuses(kms.generateRandom({ NumberOfBytes: 0 }), 'ValidationException', "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1");
    await refuses(kms.generateRandom({ NumberOfBytes: 1025 }), 'ValidationException', "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
    await refuses(kms.generateRandom({ NumberOfBytes: 1.5 }), 'ValidationException');
  });

  test('Precondition: NumberOfBytes is given. The model marks it optional; AWS answers "NumberOfBytes is required."', async () => {
    const kms = new Kms();
    await refuses(kms.generateRandom({}), 'ValidationException', 'NumberOfBytes is required.');
    await refuses(kms.generateRandom({ CustomKeyStoreId: 'cks-1234567890abcdef0' }), 'ValidationException', 'NumberOfBytes is required.');
  });

  test('deterministic mode: the bytes are the injected random source\'s, in order, on every backend', async () => {
    const { nobleBackend, webBackend } = await import('../src/index.js');
    const expected = seededRandom(77);
    const want = [toHexString(expected(16)), toHexString(expected(1024)), toHexString(expected(3))];
    for (const backend of [nobleBackend, webBackend, undefined]) {
      const kms = new Kms({ random: seededRandom(77), ...(backend ? { backend } : {}) });
      const out: string[] = [];
      for (const n of [16, 1024, 3]) out.push(toHexString((await kms.generateRandom({ NumberOfBytes: n })).Plaintext!));
      expect(out).toEqual(want);
    }
  });

  test('10^4 draws of 16 bytes from the default source are all distinct', async () => {
    const kms = new Kms();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(toHexString((await kms.generateRandom({ NumberOfBytes: 16 })).Plaintext!));
    expect(seen.size).toBe(10_000);
  });

  test('Precondition: no CustomKeyStoreId (kms-core has no custom key stores: CustomKeyStoreNotFoundException)', async () => {
    const kms = new Kms();
    await refuses(kms.generateRandom({ NumberOfBytes: 8, CustomKeyStoreId: 'cks-1234567890abcdef0' }), 'CustomKeyStoreNotFoundException', 'Custom key store cks-1234567890abcdef0 does not exist in this account and Region.');
    await refuses(kms.generateRandom({ NumberOfBytes: 8, CustomKeyStoreId: 'x'.repeat(65) }), 'ValidationException');
  });

  test('Precondition: no Recipient (Nitro Enclaves attestation is not modelled)', async () => {
    await refuses(
      new Kms().generateRandom({ NumberOfBytes: 8, Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(4) } }),
      'UnsupportedOperationException',
      'Recipient (Nitro Enclaves attestation) is not supported by kms-core.',
    );
  });

  test('kms:GenerateRandom is an IAM permission on "*": the identity hook decides for anyone but the root user', async () => {
    const asked: { action: string; resource: string }[] = [];
    const kms = new Kms({ identityPolicy: (r) => {
      asked.push({ action: r.action, resource: r.resource });
      return r.principal.endsWith(':user/alice');
    } });
    expect((await kms.generateRandom({ NumberOfBytes: 4 })).Plaintext).toHaveLength(4);
    expect(asked).toEqual([]);
    expect((await kms.as('arn:aws:iam::111122223333:user/alice').generateRandom({ NumberOfBytes: 4 })).Plaintext).toHaveLength(4);
    await refuses(
      kms.as('arn:aws:iam::111122223333:user/bob').generateRandom({ NumberOfBytes: 4 }),
      'AccessDeniedException',
      'User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:GenerateRandom on resource: * because no identity-based policy allows the kms:GenerateRandom action',
    );
    expect(asked).toEqual([{ action: 'kms:GenerateRandom', resource: '*' }, { action: 'kms:GenerateRandom', resource: '*' }]);
  });

  test('through the protocol adapter: base64 Plaintext, the injected source\'s bytes', async () => {
    const handler = createProtocolHandler({ kms: new Kms({ random: seededRandom(9) }) });
    const res = await handler.handle('TrentService.GenerateRandom', JSON.stringify({ NumberOfBytes: 32 }));
    expect(res.status).toBe(200);
    expect(Buffer.from((JSON.parse(res.body as string) as { Plaintext: string }).Plaintext, 'base64').toString('hex')).toBe(toHexString(seededRandom(9)(32)));
    const bad = await handler.handle('TrentService.GenerateRandom', JSON.stringify({ NumberOfBytes: 0 }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body as string).__type).toBe('ValidationException');
  });
});
