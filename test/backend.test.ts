/** The suite runs against every backend; this checks which one and that each is wired. */
import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { nodeBackend } from '../src/backend/node.js';
import { Kms, nobleBackend, webBackend, type Backend } from '../src/index.js';
import { wycheproof } from './helpers/wycheproof.js';
import { defaultBackend } from './helpers/backend.js';

test('this project runs against the backend vitest aliased', () => {
  const project = (globalThis as { __vitest_worker__?: { ctx?: { projectName?: string } } }).__vitest_worker__?.ctx?.projectName;
  expect(defaultBackend.name).toBe(project === 'webcrypto' ? 'webcrypto' : 'node');
});

test('the backends agree byte for byte given the same randomness (node, webcrypto, noble)', async () => {
  const seeded = () => {
    let i = 0;
    return (n: number) => Uint8Array.from({ length: n }, () => (i++ * 37 + 11) & 0xff);
  };
  const pt = new TextEncoder().encode('same bytes everywhere');
  const blobs: string[] = [];
  for (const backend of [nodeBackend, webBackend, nobleBackend]) {
    const k = new Kms({ backend, random: seeded(), now: () => new Date(0) });
    const key = (await k.createKey()).KeyMetadata!;
    const e = await k.encrypt({ KeyId: key.KeyId, Plaintext: pt, EncryptionContext: { x: 'y' } });
    blobs.push(Buffer.from(e.CiphertextBlob!).toString('hex'));
    // Each backend decrypts what the others made.
    expect(Buffer.from((await k.decrypt({ CiphertextBlob: Buffer.from(blobs[0]!, 'hex'), EncryptionContext: { x: 'y' } })).Plaintext!)).toEqual(Buffer.from(pt));
  }
  expect(new Set(blobs).size).toBe(1);
});

test('RSA ciphertext is byte-identical on node and webcrypto given the same randomness', async () => {
  const random = () => (n: number) => new Uint8Array(n).fill(0x42);
  const store = new (await import('../src/index.js')).InMemoryKeyStore();
  const maker = new Kms({ backend: nodeBackend, keyStore: store });
  const key = (await maker.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
  const out = [];
  for (const backend of [nodeBackend, webBackend]) {
    const k = new Kms({ backend, keyStore: store, random: random() });
    out.push(Buffer.from((await k.encrypt({ KeyId: key.KeyId, Plaintext: new Uint8Array([1, 2, 3]), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })).CiphertextBlob!).toString('hex'));
  }
  expect(out[0]).toBe(out[1]);
});

test('the noble backend refuses RSA with UnsupportedOperationException and keeps symmetric and SM2 keys working', async () => {
  const k = new Kms({ backend: nobleBackend, region: 'cn-north-1' });
  await expect(k.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
  const sym = (await k.createKey()).KeyMetadata!;
  const sm2 = (await k.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
  const e = await k.encrypt({ KeyId: sym.KeyId, Plaintext: new Uint8Array([9]) });
  const r = await k.reEncrypt({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: sm2.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' });
  expect((await k.decrypt({ CiphertextBlob: r.CiphertextBlob, KeyId: sm2.KeyId, EncryptionAlgorithm: 'SM2PKE' })).Plaintext).toEqual(new Uint8Array([9]));
});

describe.each([nodeBackend, webBackend, nobleBackend] as Backend[])('Wycheproof AES-256-GCM on the $name backend', (backend) => {
  interface GcmTest { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string }
  const groups = wycheproof<{ testGroups: { keySize: number; ivSize: number; tagSize: number; tests: GcmTest[] }[] }>('aes_gcm_test.json').testGroups.filter(
    (g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128,
  );
  const h = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
  test('valid cases decrypt and re-encrypt to the same bytes; invalid ones fail', async () => {
    let n = 0;
    for (const g of groups) {
      for (const t of g.tests) {
        n++;
        const out = await backend.aesGcmDecrypt(h(t.key), h(t.iv), h(t.ct + t.tag), h(t.aad));
        if (t.result === 'valid') {
          expect(Buffer.from(out!).toString('hex'), `tcId ${t.tcId}`).toBe(t.msg);
          expect(Buffer.from(await backend.aesGcmEncrypt(h(t.key), h(t.iv), h(t.msg), h(t.aad))).toString('hex')).toBe(t.ct + t.tag);
        } else {
          expect(out, `tcId ${t.tcId}`).toBeUndefined();
        }
      }
    }
    expect(n).toBeGreaterThan(50);
  });
});

test('AES-GCM additional data given in two parts authenticates as their concatenation, on every backend (around the node backend\'s 1,024-byte AAD scratch)', async () => {
  const { nodeBackend } = await import('../src/backend/node.js');
  const { webBackend, nobleBackend } = await import('../src/index.js');
  const key = new Uint8Array(32).fill(7);
  const iv = new Uint8Array(12).fill(9);
  const pt = new TextEncoder().encode('two-part AAD');
  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 29 + seed) & 0xff);
  // [head, tail] lengths: a head of 84 is the envelope header. Tails from none to past the
  // scratch, long ones before short ones, so that a short AAD after a long one would show any
  // stale scratch byte.
  const splits = [[5, 3], [84, 5000], [84, 941], [84, 940], [84, 939], [84, 0], [84, 1], [84, 940], [84, 4], [1024, 1]];
  for (const [hl, tl] of splits as [number, number][]) {
    const head = bytes(hl, tl);
    const tail = bytes(tl, tl + 1);
    const whole = new Uint8Array(hl + tl);
    whole.set(head);
    whole.set(tail, hl);
    for (const b of [nodeBackend, webBackend, nobleBackend]) {
      const at = `${b.name} ${hl}+${tl}`;
      const one = await b.aesGcmEncrypt(key, iv, pt, whole);
      const two = await b.aesGcmEncrypt(key, iv, pt, head, undefined, tail);
      expect(Buffer.from(two), at).toEqual(Buffer.from(one));
      expect(await b.aesGcmDecrypt(key, iv, one, head, tail), at).toEqual(pt);
      if (tl === 0) continue;
      expect(await b.aesGcmDecrypt(key, iv, one, whole, tail), at).toBeUndefined();
      const other = Uint8Array.from(tail);
      other[tl - 1] = (other[tl - 1] as number) ^ 1;
      expect(await b.aesGcmDecrypt(key, iv, one, head, other), at).toBeUndefined();
    }
  }
});

describe('hmacSha256 (the envelope KDF PRF) on every backend: RFC 2104 as node:crypto computes it', () => {
  // (The KDF's keys are 32 bytes; WebCrypto refuses an empty one.)
  const keyLengths = [1, 16, 31, 32, 33, 63, 64, 65, 100];
  // Around SHA-256's 64-byte block and its padding (the node backend's src/primitives/hmac-sha256.ts
  // hashes keys longer than the block first and pads messages into one or two last blocks).
  const messageLengths = [0, 1, 63, 64, 65, 101, 191, 192, 193, 300];
  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + 5) & 0xff);
  for (const backend of [nodeBackend, webBackend, nobleBackend] as Backend[]) {
    test(`${backend.name}: every key and message length around the block and padding limits`, async () => {
      for (const kl of keyLengths) {
        const raw = bytes(kl, kl);
        const key = await backend.hmacKey(raw);
        for (const ml of messageLengths) {
          const m = bytes(ml, ml + 1);
          const want = createHmac('sha256', Buffer.from(raw)).update(m).digest('hex');
          expect(Buffer.from(await backend.hmacSha256(key, m)).toString('hex'), `key ${kl} B, message ${ml} B`).toBe(want);
        }
      }
    });

    test(`${backend.name}: interleaved keys and messages (nothing carried from one call to the next), and the key is the bytes given to hmacKey`, async () => {
      const raws = [bytes(32, 1), bytes(32, 2), bytes(64, 3)];
      const keys = await Promise.all(raws.map((r) => backend.hmacKey(r)));
      const m = [bytes(101, 7), bytes(13, 8), bytes(0, 9)];
      // A store that zeroes its record's buffer after a call does not change the imported key.
      raws.forEach((r) => r.fill(0));
      const orig = [bytes(32, 1), bytes(32, 2), bytes(64, 3)];
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 3; i++) {
          const j = (i + round) % 3;
          const got = Buffer.from(await backend.hmacSha256(keys[i], m[j]!)).toString('hex');
          expect(got, `key ${i}, message ${j}`).toBe(createHmac('sha256', Buffer.from(orig[i]!)).update(m[j]!).digest('hex'));
        }
      }
    });
  }
});
