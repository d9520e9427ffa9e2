/**
 * Zeroization, observed through an instrumented backend: every buffer that held a derived data
 * key or a decrypted plaintext inside ReEncrypt is all zeros when the call returns or throws.
 */
import { describe, expect, test } from 'vitest';
import { Kms, webBackend, type Backend } from '../src/index.js';
import { enc, refuses } from './helpers/index.js';

function instrumented(opts: { failEncrypt?: boolean } = {}) {
  const held: { what: string; buf: Uint8Array }[] = [];
  let armed = false;
  const backend: Backend = {
    ...webBackend,
    name: 'instrumented',
    async hmacSha256(key, data) {
      const out = await webBackend.hmacSha256(key, data);
      held.push({ what: 'derived data key', buf: out });
      return out;
    },
    async aesGcmDecrypt(key, iv, ct, aad, aadTail) {
      const out = await webBackend.aesGcmDecrypt(key, iv, ct, aad, aadTail);
      if (out) held.push({ what: 'decrypted plaintext', buf: out });
      return out;
    },
    async rsaOaepDecrypt(key, ct) {
      const out = await webBackend.rsaOaepDecrypt(key, ct);
      if (out) held.push({ what: 'decrypted plaintext', buf: out });
      return out;
    },
    async aesGcmEncrypt(key, iv, pt, aad, out, aadTail) {
      if (armed && opts.failEncrypt) throw new Error('injected failure');
      return webBackend.aesGcmEncrypt(key, iv, pt, aad, out, aadTail);
    },
  };
  return {
    backend,
    held,
    arm() {
      held.length = 0;
      armed = true;
    },
  };
}

const zero = (b: Uint8Array) => b.every((x) => x === 0);

describe('zeroization', () => {
  test.each(['node', 'web'])('GenerateDataKey wipes the data key it drew when sealing it fails (%s backend: synchronous and asynchronous failure)', async (which) => {
    const { nodeBackend } = await import('../src/backend/node.js');
    const base = which === 'node' ? nodeBackend : webBackend;
    const seen: Uint8Array[] = [];
    let armed = false;
    const backend: Backend = {
      ...base,
      name: `failing-${which}`,
      aesGcmEncrypt(key, iv, pt, aad, out, aadTail) {
        if (!armed) return base.aesGcmEncrypt(key, iv, pt, aad, out, aadTail);
        seen.push(pt);
        if (which === 'node') throw new Error('injected failure');
        return Promise.reject(new Error('injected failure'));
      },
    };
    const kms = new Kms({ backend });
    const a = (await kms.createKey()).KeyMetadata!;
    armed = true;
    await refuses(kms.generateDataKey({ KeyId: a.KeyId, KeySpec: 'AES_256' }), 'KMSInternalException');
    await refuses(kms.generateDataKeyWithoutPlaintext({ KeyId: a.KeyId, NumberOfBytes: 64 }), 'KMSInternalException');
    expect(seen.map((b) => b.length)).toEqual([32, 64]);
    for (const b of seen) expect(zero(b)).toBe(true);
  });

  test('ReEncrypt wipes the data keys and the plaintext before it returns', async () => {
    const ins = instrumented();
    const kms = new Kms({ backend: ins.backend });
    const a = (await kms.createKey()).KeyMetadata!;
    const b = (await kms.createKey()).KeyMetadata!;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('secret plaintext') });
    ins.arm();
    await kms.reEncrypt({ CiphertextBlob, DestinationKeyId: b.KeyId });
    expect(ins.held.map((h) => h.what).sort()).toEqual(['decrypted plaintext', 'derived data key', 'derived data key']);
    for (const h of ins.held) expect(zero(h.buf), h.what).toBe(true);
  });

  test('ReEncrypt wipes the plaintext when the destination encryption throws', async () => {
    const ins = instrumented({ failEncrypt: true });
    const kms = new Kms({ backend: ins.backend });
    const a = (await kms.createKey()).KeyMetadata!;
    const b = (await kms.createKey()).KeyMetadata!;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('secret plaintext') });
    ins.arm();
    const e = await refuses(kms.reEncrypt({ CiphertextBlob, DestinationKeyId: b.KeyId }), 'KMSInternalException');
    expect(e.message).not.toMatch(/injected|secret/);
    expect(ins.held.some((h) => h.what === 'decrypted plaintext')).toBe(true);
    for (const h of ins.held) expect(zero(h.buf), h.what).toBe(true);
  });

  test('ReEncrypt DryRun wipes the plaintext it decrypted to check the ciphertext', async () => {
    const ins = instrumented();
    const kms = new Kms({ backend: ins.backend });
    const a = (await kms.createKey()).KeyMetadata!;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('secret plaintext') });
    ins.arm();
    await refuses(kms.reEncrypt({ CiphertextBlob, DestinationKeyId: a.KeyId, DryRun: true }), 'DryRunOperationException');
    expect(ins.held.some((h) => h.what === 'decrypted plaintext')).toBe(true);
    for (const h of ins.held) expect(zero(h.buf), h.what).toBe(true);
  });

  test('Decrypt and Encrypt wipe their derived data keys (the returned plaintext is the caller’s)', async () => {
    const ins = instrumented();
    const kms = new Kms({ backend: ins.backend });
    const a = (await kms.createKey()).KeyMetadata!;
    ins.arm();
    const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('p') });
    const d = await kms.decrypt({ CiphertextBlob });
    expect(d.Plaintext).toEqual(enc('p'));
    for (const h of ins.held.filter((x) => x.what === 'derived data key')) expect(zero(h.buf)).toBe(true);
  });

  test('a failed Decrypt leaves no derived key behind', async () => {
    const ins = instrumented();
    const kms = new Kms({ backend: ins.backend });
    const a = (await kms.createKey()).KeyMetadata!;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: enc('p'), EncryptionContext: { a: 'b' } });
    ins.arm();
    await refuses(kms.decrypt({ CiphertextBlob }), 'InvalidCiphertextException');
    expect(ins.held.length).toBe(1);
    for (const h of ins.held) expect(zero(h.buf)).toBe(true);
  });

  test('ReEncrypt from an RSA source wipes the RSA plaintext', async () => {
    const ins = instrumented();
    const kms = new Kms({ backend: ins.backend });
    const r = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    const b = (await kms.createKey()).KeyMetadata!;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: r.KeyId, Plaintext: enc('secret plaintext'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    ins.arm();
    await kms.reEncrypt({ CiphertextBlob, SourceKeyId: r.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: b.KeyId });
    expect(ins.held.some((h) => h.what === 'decrypted plaintext')).toBe(true);
    for (const h of ins.held) expect(zero(h.buf), h.what).toBe(true);
  });

  test('ReEncrypt wipes the plaintext when the destination limit refuses it', async () => {
    const ins = instrumented();
    const kms = new Kms({ backend: ins.backend });
    const a = (await kms.createKey()).KeyMetadata!;
    const r = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    const { CiphertextBlob } = await kms.encrypt({ KeyId: a.KeyId, Plaintext: new Uint8Array(300).fill(0x41) });
    ins.arm();
    await refuses(kms.reEncrypt({ CiphertextBlob, DestinationKeyId: r.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }), 'ValidationException');
    expect(ins.held.some((h) => h.what === 'decrypted plaintext')).toBe(true);
    for (const h of ins.held) expect(zero(h.buf), h.what).toBe(true);
  });
});
