/**
 * Every damaged blob fails with an AWS-named KmsError: never success, never a bare Error, never
 * a hang. Damage to anything but the key reference is the one InvalidCiphertextException with
 * an empty message (no oracle on which check failed).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { KmsError, Kms, type KeyMetadata } from '../src/index.js';
import { decryptOutcome, enc } from './helpers/index.js';

let kms: Kms;
let key: KeyMetadata;
let other: KeyMetadata;
let blob: Uint8Array;

// Bytes 2..24 name the key: damage there may point at another (or no) key, which AWS reports
// as AccessDeniedException (no KeyId) or IncorrectKeyException (KeyId given).
const KEY_REF = [2, 24] as const;
const ALLOWED = new Set(['InvalidCiphertextException', 'AccessDeniedException', 'IncorrectKeyException']);


beforeAll(async () => {
  kms = new Kms();
  key = (await kms.createKey()).KeyMetadata!;
  other = (await kms.createKey()).KeyMetadata!;
  blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('attack at dawn'), EncryptionContext: { k: 'v' } })).CiphertextBlob!;
});

describe('tampered symmetric blobs', () => {
  test('every single-bit flip → InvalidCiphertextException (outside the key reference)', async () => {
    for (let i = 0; i < blob.length * 8; i++) {
      const bad = blob.slice();
      bad[i >> 3]! ^= 1 << (i & 7);
      const byte = i >> 3;
      const r = await decryptOutcome(kms.decrypt({ CiphertextBlob: bad, EncryptionContext: { k: 'v' } }));
      if (byte >= KEY_REF[0] && byte < KEY_REF[1]) expect(ALLOWED.has(r), `bit ${i}: ${r}`).toBe(true);
      else expect(r, `bit ${i}`).toBe('InvalidCiphertextException');
    }
  });

  test('every single-bit flip in ReEncrypt (with SourceKeyId) fails with an AWS error', async () => {
    for (let i = 0; i < blob.length * 8; i += 3) {
      const bad = blob.slice();
      bad[i >> 3]! ^= 1 << (i & 7);
      const r = await decryptOutcome(kms.reEncrypt({ CiphertextBlob: bad, SourceKeyId: key.KeyId, SourceEncryptionContext: { k: 'v' }, DestinationKeyId: other.KeyId }));
      expect(ALLOWED.has(r), `bit ${i}: ${r}`).toBe(true);
    }
  });

  test('every truncation → InvalidCiphertextException', async () => {
    for (let n = 1; n < blob.length; n++) {
      expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: blob.subarray(0, n), EncryptionContext: { k: 'v' } })), `length ${n}`).toBe('InvalidCiphertextException');
    }
  });

  test('extensions by 1..64 bytes → InvalidCiphertextException', async () => {
    for (let n = 1; n <= 64; n++) {
      const longer = new Uint8Array(blob.length + n);
      longer.set(blob);
      expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: longer, EncryptionContext: { k: 'v' } }))).toBe('InvalidCiphertextException');
    }
  });

  test('a blob of another format (AWS "AQICAHh…", wrong magic, wrong version) → InvalidCiphertextException', async () => {
    const aws = Uint8Array.from([0x01, 0x02, 0x02, 0x00, 0x78, ...new Uint8Array(180)]);
    expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: aws }))).toBe('InvalidCiphertextException');
    const v2 = blob.slice();
    v2[1] = 0x02;
    expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: v2, EncryptionContext: { k: 'v' } }))).toBe('InvalidCiphertextException');
  });

  test('arbitrary bytes → only AWS-named KmsErrors, never success', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.boolean(), async (bytes, withKey) => {
        const r = await decryptOutcome(kms.decrypt({ CiphertextBlob: bytes, ...(withKey ? { KeyId: key.KeyId } : {}) }));
        expect(ALLOWED.has(r), r).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary bytes behind a valid header → InvalidCiphertextException only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), async (tail) => {
        const bad = new Uint8Array(56 + tail.length);
        bad.set(blob.subarray(0, 56));
        bad.set(tail, 56);
        expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: bad, EncryptionContext: { k: 'v' } }))).toBe('InvalidCiphertextException');
      }),
      { numRuns: 300 },
    );
  });

  test('a blob naming an unknown backing-key version → InvalidCiphertextException (same path as a bad tag)', async () => {
    const bad = blob.slice();
    bad[30]! ^= 0xff; // inside KeyMaterialId
    expect(await decryptOutcome(kms.decrypt({ CiphertextBlob: bad, EncryptionContext: { k: 'v' } }))).toBe('InvalidCiphertextException');
  });
});
