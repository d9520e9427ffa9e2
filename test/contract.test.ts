/**
 * The public contract (docs/design.md, "Public contract"), checked from outside: the built package imported by
 * its name, exactly as an embedding emulator or an acceptance check would.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

// Resolved through package.json "exports" (self-reference), i.e. dist/ as published.
const pkg = await import('kms-core' as string);

describe('import { Kms, KmsError } from "kms-core"', () => {
  test('exports the Kms class and the AWS error classes', () => {
    expect(typeof pkg.Kms).toBe('function');
    expect(typeof pkg.KmsError).toBe('function');
    for (const n of [
      'IncorrectKeyException',
      'InvalidCiphertextException',
      'DisabledException',
      'KMSInvalidStateException',
      'NotFoundException',
      'InvalidKeyUsageException',
      'ValidationException',
      'AccessDeniedException',
      'InvalidGrantTokenException',
      'DryRunOperationException',
      'UnsupportedOperationException',
      'KMSInternalException',
    ]) {
      const E = pkg[n];
      expect(typeof E, n).toBe('function');
      const e = new E('m');
      expect(e).toBeInstanceOf(pkg.KmsError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(n);
      expect(e.$fault).toBe(n === 'KMSInternalException' ? 'server' : 'client');
    }
  });

  test('every operation of the contract is an async method in camelCase', () => {
    const kms = new pkg.Kms();
    for (const m of [
      'createKey', 'describeKey', 'listKeys', 'enableKey', 'disableKey', 'scheduleKeyDeletion', 'cancelKeyDeletion',
      'createAlias', 'updateAlias', 'deleteAlias', 'listAliases', 'encrypt', 'decrypt', 'reEncrypt', 'generateDataKey',
      'generateDataKeyWithoutPlaintext', 'getPublicKey', 'rotateKeyOnDemand', 'enableKeyRotation', 'disableKeyRotation',
      'getKeyRotationStatus', 'listKeyRotations',
    ]) {
      expect(typeof kms[m], m).toBe('function');
    }
  });

  test('every public method of Kms is an implemented operation (or as(), toJSON()), and each answers bad input with a KmsError', async () => {
    const kms = new pkg.Kms();
    const methods = Object.getOwnPropertyNames(pkg.Kms.prototype).filter((m) => m !== 'constructor').sort();
    const operations = (pkg.routedOperations() as string[]).map((op) => op.charAt(0).toLowerCase() + op.slice(1));
    expect(methods).toEqual([...operations, 'as', 'toJSON'].sort());
    for (const m of operations) {
      expect(kms[m].length, m).toBeLessThanOrEqual(1);
      for (const bad of [{ KeyId: 17 }, { KeyId: 'alias/nope', GrantTokens: 'x' }, null, 'text']) {
        let err: unknown;
        try {
          await kms[m](bad);
        } catch (e) {
          err = e;
        }
        // Operations without required members may succeed on some of these; none may throw anything but a KmsError.
        if (err !== undefined) expect(err, `${m}(${JSON.stringify(bad)})`).toBeInstanceOf(pkg.KmsError);
      }
    }
    const view = kms.as('arn:aws:iam::111122223333:role/R');
    expect(view.principal).toBe('arn:aws:iam::111122223333:role/R');
    expect(view).toBeInstanceOf(pkg.Kms);
  });

  test('constructor defaults: account 111122223333, us-east-1, an in-memory store', async () => {
    const kms = new pkg.Kms();
    const { KeyMetadata } = await kms.createKey();
    expect(KeyMetadata.Arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    expect(KeyMetadata.CreationDate).toBeInstanceOf(Date);
  });

  test('a ReEncryptCommandInput-shaped object is accepted as is', async () => {
    const kms = new pkg.Kms({ random: (n: number) => new Uint8Array(n).fill(7), now: () => new Date('2026-01-01T00:00:00Z') });
    const a = (await kms.createKey()).KeyMetadata;
    const b = (await kms.createKey({ MultiRegion: true })).KeyMetadata;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: new Uint8Array([1, 2, 3]) });
    const input = {
      CiphertextBlob,
      SourceEncryptionContext: undefined,
      SourceKeyId: a.Arn,
      DestinationKeyId: b.KeyId,
      DestinationEncryptionContext: { k: 'v' },
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      GrantTokens: [],
      DryRun: false,
    };
    const out = await kms.reEncrypt(input);
    expect(out.KeyId).toBe(b.Arn);
    expect(Object.keys(out).sort()).toEqual(
      ['CiphertextBlob', 'DestinationEncryptionAlgorithm', 'DestinationKeyMaterialId', 'KeyId', 'SourceEncryptionAlgorithm', 'SourceKeyId', 'SourceKeyMaterialId'].sort(),
    );
  });

  test('bad input rejects with a KmsError, never a bare Error', async () => {
    const kms = new pkg.Kms();
    for (const call of [
      () => kms.encrypt(undefined),
      () => kms.decrypt({ CiphertextBlob: 'nope' }),
      () => kms.reEncrypt({ DestinationKeyId: 7 }),
      () => kms.describeKey({ KeyId: '' }),
      () => kms.generateDataKey({ KeyId: 'alias/x', NumberOfBytes: 1.5 }),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(pkg.KmsError);
    }
  });

  // server/ and cli/ are the Node-only local endpoint (`kms-core serve`), like backend/node*:
  // nothing the package exports imports them.
  test('the core imports no node:* module (dist/ outside backend/node*, server/, cli/)', () => {
    const root = new URL('../dist/', import.meta.url);
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) => !/^(backend\/node|server\/|cli\/)/.test(f) && /(from\s*['"]node:|import\(\s*['"]node:|require\()/.test(readFileSync(new URL(f, root), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
