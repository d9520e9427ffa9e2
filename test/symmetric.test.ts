/**
 * Encrypt / Decrypt / GenerateDataKey on symmetric keys: AWS's rules, each as a named test or
 * a property named after the rule.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { ENVELOPE_V1_OVERHEAD, Kms, type KeyMetadata } from '../src/index.js';
import { dec, enc, refuses } from './helpers/index.js';

let kms: Kms;
let key: KeyMetadata;
let other: KeyMetadata;

beforeAll(async () => {
  kms = new Kms();
  key = (await kms.createKey({ Description: 'a' })).KeyMetadata!;
  other = (await kms.createKey({ Description: 'b' })).KeyMetadata!;
});

// Unicode strings of whole code points (surrogate pairs included, never a lone surrogate).
const ustr = fc.string({ unit: 'binary', maxLength: 12 });
const context = fc.dictionary(ustr, ustr, { maxKeys: 6 });

describe('Encrypt and Decrypt', () => {
  test('decrypt ∘ encrypt = identity for any plaintext of 1..4096 bytes and any unicode context', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), context, async (pt, ctx) => {
        const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: pt, EncryptionContext: ctx });
        expect(CiphertextBlob!.length).toBe(pt.length + ENVELOPE_V1_OVERHEAD);
        const out = await kms.decrypt({ CiphertextBlob, EncryptionContext: ctx });
        expect(out.Plaintext).toEqual(pt);
        expect(out.KeyId).toBe(key.Arn);
        expect(out.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      }),
      { numRuns: 150 },
    );
  });

  test('contexts equal as maps authenticate each other whatever the key order', async () => {
    await fc.assert(
      fc.asyncProperty(context, fc.infiniteStream(fc.nat()), async (ctx, rnd) => {
        const entries = Object.entries(ctx);
        const shuffled = entries.map((e) => [rnd.next().value, e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
        const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: ctx });
        const out = await kms.decrypt({ CiphertextBlob, EncryptionContext: Object.fromEntries(shuffled) });
        expect(dec(out.Plaintext)).toBe('x');
      }),
      { numRuns: 100 },
    );
  });

  test('unequal contexts never authenticate each other', async () => {
    await fc.assert(
      fc.asyncProperty(context, context, async (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        fc.pre(!same);
        const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: a });
        await refuses(kms.decrypt({ CiphertextBlob, EncryptionContext: b }), 'InvalidCiphertextException', '');
      }),
      { numRuns: 100 },
    );
  });

  test.each([
    [{ ab: 'c' }, { a: 'bc' }],
    [{ a: 'bc' }, { ab: 'c' }],
    [{ a: '' }, {}],
    [{ '': 'a' }, { a: '' }],
    [{ a: 'b', c: 'd' }, { a: 'bc', '': 'd' }],
    [{ k: 'v' }, { k: 'v', x: '' }],
  ])('context %j never authenticates as %j (no key‖value concatenation)', async (a, b) => {
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: a });
    await refuses(kms.decrypt({ CiphertextBlob, EncryptionContext: b }), 'InvalidCiphertextException', '');
  });

  test('an absent context and {} are the same context', async () => {
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') });
    expect(dec((await kms.decrypt({ CiphertextBlob, EncryptionContext: {} })).Plaintext)).toBe('x');
  });

  test('a missing context fails like a wrong one: InvalidCiphertextException with an empty message', async () => {
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: { a: 'b' } });
    await refuses(kms.decrypt({ CiphertextBlob }), 'InvalidCiphertextException', '');
  });

  test('a context string with a lone surrogate is refused with ValidationException (it has no UTF-8 form)', async () => {
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: { a: '\ud800' } }), 'ValidationException');
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: { '\udc00x': 'a' } }), 'ValidationException');
  });

  test('every encryption draws fresh randomness: the same input never gives the same blob', async () => {
    const a = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('same') });
    const b = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('same') });
    expect(a.CiphertextBlob).not.toEqual(b.CiphertextBlob);
  });

  test('plaintext of 4097 bytes → ValidationException with AWS message', async () => {
    await refuses(
      kms.encrypt({ KeyId: key.KeyId, Plaintext: new Uint8Array(4097) }),
      'ValidationException',
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
  });

  test('empty plaintext → ValidationException (length ≥ 1)', async () => {
    await refuses(
      kms.encrypt({ KeyId: key.KeyId, Plaintext: new Uint8Array(0) }),
      'ValidationException',
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test('Precondition: the key named in the request is the ciphertext\'s key — Decrypt with KeyId of another key → IncorrectKeyException with AWS message', async () => {
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') });
    await refuses(
      kms.decrypt({ CiphertextBlob, KeyId: other.KeyId }),
      'IncorrectKeyException',
      'The key ID in the request does not identify a CMK that can perform this operation.',
    );
  });

  test('Decrypt with KeyId of the right key in any identifier form succeeds', async () => {
    await kms.createAlias({ AliasName: 'alias/sym-right', TargetKeyId: key.KeyId });
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') });
    for (const id of [key.KeyId, key.Arn!, 'alias/sym-right', key.Arn!.replace(/key\/.*/, 'alias/sym-right')]) {
      expect(dec((await kms.decrypt({ CiphertextBlob, KeyId: id })).Plaintext)).toBe('x');
    }
  });

  test('Precondition: the encryption algorithm is one the key\'s spec supports — a symmetric key refuses RSAES_OAEP algorithms with InvalidKeyUsageException', async () => {
    await refuses(
      kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      'InvalidKeyUsageException',
      'Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.',
    );
  });

  test('an unknown EncryptionAlgorithm → ValidationException naming the enum', async () => {
    await refuses(
      kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'AES' as never }),
      'ValidationException',
      /Value 'AES' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: \[SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE\]/,
    );
  });

  test('a Decrypt of a disabled key → DisabledException "<arn> is disabled."', async () => {
    const k = (await kms.createKey()).KeyMetadata!;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: k.KeyId, Plaintext: enc('x') });
    await kms.disableKey({ KeyId: k.KeyId });
    await refuses(kms.decrypt({ CiphertextBlob }), 'DisabledException', `${k.Arn} is disabled.`);
    await refuses(kms.encrypt({ KeyId: k.KeyId, Plaintext: enc('x') }), 'DisabledException', `${k.Arn} is disabled.`);
  });

  test('Precondition: the ciphertext\'s key exists and allows the caller — Decrypt without KeyId of a blob whose key does not exist → AccessDeniedException with AWS message', async () => {
    const k = (await kms.createKey()).KeyMetadata!;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: k.KeyId, Plaintext: enc('x') });
    const stranger = new Kms(); // its own empty store
    await refuses(
      stranger.decrypt({ CiphertextBlob }),
      'AccessDeniedException',
      'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
    );
  });
});

describe('DryRun', () => {
  test('Precondition: a DryRun request stops here, once every check has passed — Encrypt DryRun that would succeed → DryRunOperationException with AWS message', async () => {
    await refuses(
      kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), DryRun: true }),
      'DryRunOperationException',
      'The request would have succeeded, but the DryRun option is set.',
    );
  });

  test('DryRun reports the real error when another check fails first', async () => {
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: new Uint8Array(5000), DryRun: true }), 'ValidationException');
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: { a: 'b' } });
    await refuses(kms.decrypt({ CiphertextBlob, DryRun: true }), 'InvalidCiphertextException');
    await refuses(kms.decrypt({ CiphertextBlob, KeyId: other.KeyId, DryRun: true }), 'IncorrectKeyException');
    await refuses(kms.decrypt({ CiphertextBlob, EncryptionContext: { a: 'b' }, DryRun: true }), 'DryRunOperationException');
  });

  test('DryRunModifiers IGNORE_CIPHERTEXT skips the ciphertext check (KeyId required)', async () => {
    await refuses(
      kms.decrypt({ CiphertextBlob: enc('garbage'), KeyId: key.KeyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }),
      'DryRunOperationException',
    );
    await refuses(kms.decrypt({ CiphertextBlob: enc('garbage'), DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }), 'ValidationException');
    await refuses(
      kms.reEncrypt({ CiphertextBlob: enc('garbage'), SourceKeyId: key.KeyId, DestinationKeyId: other.KeyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }),
      'DryRunOperationException',
    );
  });

  test('IGNORE_CIPHERTEXT without DryRun changes nothing: the ciphertext is checked', async () => {
    await refuses(kms.decrypt({ CiphertextBlob: enc('garbage'), KeyId: key.KeyId, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }), 'InvalidCiphertextException');
  });
});

describe('GenerateDataKey', () => {
  test.each([
    [{ KeySpec: 'AES_256' as const }, 32],
    [{ KeySpec: 'AES_128' as const }, 16],
    [{ NumberOfBytes: 1 }, 1],
    [{ NumberOfBytes: 1024 }, 1024],
  ])('%j gives a data key of %i bytes whose ciphertext decrypts to it', async (spec, n) => {
    const out = await kms.generateDataKey({ KeyId: key.KeyId, EncryptionContext: { p: 'q' }, ...spec });
    expect(out.Plaintext!.length).toBe(n);
    expect(out.KeyId).toBe(key.Arn);
    expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const back = await kms.decrypt({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { p: 'q' } });
    expect(back.Plaintext).toEqual(out.Plaintext);
    expect(back.KeyMaterialId).toBe(out.KeyMaterialId);
  });

  test('GenerateDataKeyWithoutPlaintext returns no Plaintext and a ciphertext that decrypts', async () => {
    const out = await kms.generateDataKeyWithoutPlaintext({ KeyId: key.KeyId, KeySpec: 'AES_256' });
    expect(out).not.toHaveProperty('Plaintext');
    expect((await kms.decrypt({ CiphertextBlob: out.CiphertextBlob })).Plaintext!.length).toBe(32);
  });

  test('Precondition: exactly one of KeySpec (AES_128, AES_256) and NumberOfBytes (1..1024) — neither or both of KeySpec and NumberOfBytes → ValidationException', async () => {
    await refuses(kms.generateDataKey({ KeyId: key.KeyId }), 'ValidationException');
    await refuses(kms.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 }), 'ValidationException');
  });

  test('NumberOfBytes outside 1..1024 → ValidationException with AWS message', async () => {
    await refuses(
      kms.generateDataKey({ KeyId: key.KeyId, NumberOfBytes: 1025 }),
      'ValidationException',
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
    await refuses(kms.generateDataKey({ KeyId: key.KeyId, NumberOfBytes: 0 }), 'ValidationException');
  });

  test('GenerateDataKey DryRun → DryRunOperationException', async () => {
    await refuses(kms.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true }), 'DryRunOperationException');
  });
});

describe('input validation from the API model', () => {
  test('missing required members → "Value null at ... Member must not be null", all listed', async () => {
    await refuses(
      kms.encrypt({} as never),
      'ValidationException',
      "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; Value null at 'plaintext' failed to satisfy constraint: Member must not be null",
    );
  });

  test('more than 10 grant tokens → ValidationException', async () => {
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), GrantTokens: Array(11).fill('t') }), 'ValidationException', /grantTokens/);
  });

  test('wrong types are ValidationException, never a TypeError', async () => {
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: 'text' as never }), 'ValidationException', /plaintext/);
    await refuses(kms.encrypt({ KeyId: 42 as never, Plaintext: enc('x') }), 'ValidationException', /keyId/);
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: { a: 1 } as never }), 'ValidationException');
    await refuses(kms.decrypt(null as never), 'ValidationException');
    await refuses(kms.decrypt({ CiphertextBlob: [1, 2, 3] } as never), 'ValidationException');
  });

  test('a CiphertextBlob over 6144 bytes → ValidationException', async () => {
    await refuses(kms.decrypt({ CiphertextBlob: new Uint8Array(6145) }), 'ValidationException', /6144/);
  });

  test('messages never echo plaintext', async () => {
    const secret = enc('TOP-SECRET-PLAINTEXT'.repeat(300));
    const e = await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: secret }), 'ValidationException');
    expect(e.message).not.toMatch(/TOP-SECRET/);
  });
});
