/**
 * src/util/sensitive-copy.ts: validation's copies of sensitive blobs live in buffers that are
 * wiped and reused. What must hold: a copy is the source's bytes and independent of it; a buffer
 * is lent to one request at a time, whatever a caller releases and how often; a released buffer
 * is all zeros before anyone gets it again; and requests in flight at once (an asynchronous
 * backend) never see each other's plaintext.
 */
import { describe, expect, test } from 'vitest';
import { Kms, NotFoundException, webBackend, type Backend } from '../src/index.js';
import { validateInput } from '../src/validate.js';
import { releaseSensitive, sensitiveCopy } from '../src/util/sensitive-copy.js';
import { dec, enc } from './helpers/index.js';

const zero = (b: ArrayBufferLike) => new Uint8Array(b).every((x) => x === 0);
/** The web backend, recording the plaintext views its AES-GCM seal is handed (and waiting `ms` before reading them). */
function watching(ms = 0): { backend: Backend; seen: Uint8Array[] } {
  const seen: Uint8Array[] = [];
  const backend: Backend = {
    ...webBackend,
    name: 'watching-web',
    async aesGcmEncrypt(key, iv, pt, aad, out, aadTail) {
      seen.push(pt);
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      return webBackend.aesGcmEncrypt(key, iv, pt, aad, out, aadTail);
    },
  };
  return { backend, seen };
}

const copyOf = (s: string) => {
  const src = enc(s);
  return sensitiveCopy(src, src.length);
};

describe('util/sensitive-copy', () => {
  test('a copy holds the source bytes, is a plain Uint8Array at offset 0, and is independent of the source', () => {
    const src = enc('secret plaintext');
    const c = sensitiveCopy(src, src.length);
    expect(dec(c)).toBe('secret plaintext');
    expect(Object.getPrototypeOf(c)).toBe(Uint8Array.prototype);
    expect(c.byteOffset).toBe(0);
    expect(c.buffer).not.toBe(src.buffer);
    src.fill(0);
    expect(dec(c)).toBe('secret plaintext');
    releaseSensitive(c);
  });

  test('releaseSensitive wipes the whole buffer; the next copy reuses it and its buffer holds only its own bytes and zeros', () => {
    const a = copyOf('the first request’s secret, longer than the second');
    const buf = a.buffer;
    // Bytes written past the view (no kms-core code does) are wiped too.
    new Uint8Array(buf)[4000] = 0x55;
    releaseSensitive(a);
    expect(zero(buf)).toBe(true);
    expect(a.every((x) => x === 0)).toBe(true);
    const b = copyOf('second');
    expect(b.buffer).toBe(buf);
    expect(dec(b)).toBe('second');
    expect(new Uint8Array(buf).subarray(b.length).every((x) => x === 0)).toBe(true);
    releaseSensitive(b);
  });

  test("Precondition: only the borrower frees a buffer; a stale view is no longer anyone's — a second release, or one after the buffer was lent again, neither frees it nor wipes the new borrower's bytes", () => {
    // A second release at once: the buffer goes back once, so two later copies get two buffers.
    const a = copyOf('a');
    releaseSensitive(a);
    releaseSensitive(a);
    const b = copyOf('b');
    const c = copyOf('c');
    expect(b.buffer).not.toBe(c.buffer);
    expect([dec(b), dec(c)]).toEqual(['b', 'c']);
    // A stale release once the buffer is lent to a later request (an early releaser and the
    // runner both releasing, with another request in between).
    const stale = b;
    releaseSensitive(b);
    const later = copyOf('the later request');
    expect(later.buffer).toBe(stale.buffer);
    releaseSensitive(stale);
    expect(dec(later)).toBe('the later request');
    const next = copyOf('next');
    expect(next.buffer).not.toBe(later.buffer);
    for (const x of [c, later, next]) releaseSensitive(x);
  });

  test('copies alive at once never share a buffer', () => {
    const live = Array.from({ length: 12 }, (_, i) => copyOf(`secret ${i}`));
    expect(new Set(live.map((c) => c.buffer)).size).toBe(12);
    live.forEach((c, i) => expect(dec(c)).toBe(`secret ${i}`));
    for (const c of live) releaseSensitive(c);
  });

  test('a view that was never lent (a backend’s output, a caller’s buffer) is only wiped: its buffer is never handed out', () => {
    const backing = new ArrayBuffer(4096);
    const view = new Uint8Array(backing, 0, 6);
    view.set(enc('theirs'));
    releaseSensitive(view);
    expect(zero(backing)).toBe(true);
    const got = Array.from({ length: 8 }, () => copyOf('x'));
    expect(got.some((c) => c.buffer === backing)).toBe(false);
    for (const c of got) releaseSensitive(c);
  });

  test('built-ins replaced after load (Array push and pop, WeakMap get and set, %TypedArray% set and fill) never receive a pooled buffer or a copy', () => {
    const typedProto = Object.getPrototypeOf(Uint8Array.prototype) as Record<string, unknown>;
    const patched: [Record<string, unknown>, string][] = [[Array.prototype as unknown as Record<string, unknown>, 'push'], [Array.prototype as unknown as Record<string, unknown>, 'pop'], [WeakMap.prototype as unknown as Record<string, unknown>, 'get'], [WeakMap.prototype as unknown as Record<string, unknown>, 'set'], [typedProto, 'set'], [typedProto, 'fill']];
    const saved = patched.map(([o, k]) => o[k] as (...a: unknown[]) => unknown);
    const receivers: unknown[] = [];
    const src = enc('secret under patched built-ins');
    let a: Uint8Array;
    let b: Uint8Array;
    try {
      patched.forEach(([o, k], i) => {
        const orig = saved[i] as (...a: unknown[]) => unknown;
        o[k] = function (this: unknown, ...args: unknown[]) {
          receivers.push(this, ...args);
          return orig.apply(this, args);
        };
      });
      a = sensitiveCopy(src, src.length);
      releaseSensitive(a);
      b = sensitiveCopy(src, src.length);
      releaseSensitive(b);
    } finally {
      patched.forEach(([o, k], i) => (o[k] = saved[i]));
    }
    const pooled = new Set<unknown>([a!, b!, a!.buffer, b!.buffer]);
    expect(receivers.filter((x) => pooled.has(x))).toEqual([]);
    expect(a!.every((x) => x === 0)).toBe(true);
  });

  test('releasing a subarray of a lent copy neither wipes nor frees the buffer (only the borrower does)', () => {
    const c = copyOf('borrowed bytes');
    releaseSensitive(c.subarray(2));
    expect(dec(c)).toBe('borrowed bytes');
    const other = copyOf('other');
    expect(other.buffer).not.toBe(c.buffer);
    releaseSensitive(c);
    releaseSensitive(other);
  });

  test('a copy longer than PlaintextType’s max gets a buffer of its own (validation then refuses it)', () => {
    const src = new Uint8Array(4097).fill(1);
    const c = sensitiveCopy(src, src.length);
    expect(c.buffer.byteLength).toBe(4097);
    expect(() => validateInput('Encrypt', { KeyId: 'k', Plaintext: src })).toThrow(/less than or equal to 4096/);
  });

  test('validation copies Plaintext and Message through it: a 4 KiB plaintext, a view of a larger buffer', () => {
    const big = new Uint8Array(8192).fill(9);
    const pt = big.subarray(100, 4196);
    const v = validateInput('Encrypt', { KeyId: 'k', Plaintext: pt });
    expect(v.Plaintext).not.toBe(pt);
    expect(v.Plaintext.length).toBe(4096);
    expect(v.Plaintext.buffer.byteLength).toBe(4096);
    expect(v.Plaintext.every((x) => x === 9)).toBe(true);
    // Lent, not merely copied: released, its buffer is the next copy's (a fresh
    // `new Uint8Array(pt)` would never be handed out again).
    const lentTo = v.Plaintext.buffer;
    releaseSensitive(v.Plaintext);
    const m = validateInput('GenerateMac', { KeyId: 'k', Message: enc('mac me'), MacAlgorithm: 'HMAC_SHA_256' });
    expect(m.Message.buffer).toBe(lentTo);
    expect(dec(m.Message)).toBe('mac me');
    releaseSensitive(m.Message);
  });

  test('Encrypt on an asynchronous backend, 16 requests in flight: each blob decrypts to its own plaintext, and every buffer the cipher read is wiped after', async () => {
    // Every request validates (and takes its buffer) before any await; the 5 ms keep all 16
    // ciphers in flight at once, each reading its plaintext only then.
    const { backend, seen } = watching(5);
    const kms = new Kms({ backend });
    const { KeyId } = (await kms.createKey()).KeyMetadata!;
    const texts = Array.from({ length: 16 }, (_, i) => `plaintext of request ${i} `.repeat(i + 1));
    const blobs = await Promise.all(texts.map((t) => kms.encrypt({ KeyId, Plaintext: enc(t) })));
    expect(new Set(seen.map((p) => p.buffer)).size).toBe(16);
    for (const p of seen) expect(zero(p.buffer)).toBe(true);
    for (let i = 0; i < texts.length; i++) expect(dec((await kms.decrypt({ CiphertextBlob: blobs[i]!.CiphertextBlob! })).Plaintext!)).toBe(texts[i]);
    // Sequential requests on the same Kms then reuse the wiped buffers.
    await kms.encrypt({ KeyId, Plaintext: enc('later') });
    expect(seen.slice(0, 16).some((p) => p.buffer === seen[16]!.buffer)).toBe(true);
  });

  test('a request refused before its cipher (validation, a KmsError from a getter, NotFoundException, DisabledException, DryRun, a failing Sign, Verify or GenerateMac) borrowed a buffer, and still wipes and frees it', async () => {
    const { backend, seen } = watching();
    const kms = new Kms({ backend });
    const { KeyId } = (await kms.createKey()).KeyMetadata!;
    const off = (await kms.createKey()).KeyMetadata!.KeyId;
    await kms.disableKey({ KeyId: off });
    const signer = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!.KeyId;
    const mac = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!.KeyId;
    await kms.disableKey({ KeyId: mac });
    const text = 'SECRET-refused-plaintext';
    const secret = enc(text);
    let held: ArrayBufferLike | undefined;
    let borrowed = false;
    // GrantTokens is validated after Plaintext and Message in each of these requests (model
    // order): its getter sees whether the refused request's copy sits in the buffer held.
    const spied = <T extends object>(req: T, thrown?: Error): T =>
      Object.defineProperty(req, 'GrantTokens', {
        enumerable: true,
        get() {
          borrowed = held !== undefined && dec(new Uint8Array(held).subarray(0, text.length)) === text;
          if (thrown) throw thrown;
          return undefined;
        },
      });
    const refused: [string, () => Promise<unknown>][] = [
      ['ValidationException', () => kms.encrypt(spied({ KeyId, Plaintext: secret, EncryptionAlgorithm: 'NOPE' as 'SYMMETRIC_DEFAULT' }))],
      ['NotFoundException', () => kms.encrypt(spied({ KeyId, Plaintext: secret }, new NotFoundException('thrown by a getter')))],
      ['NotFoundException', () => kms.encrypt(spied({ KeyId: '00000000-0000-4000-8000-000000000000', Plaintext: secret }))],
      ['DisabledException', () => kms.encrypt(spied({ KeyId: off, Plaintext: secret }))],
      ['DryRunOperationException', () => kms.encrypt(spied({ KeyId, Plaintext: secret, DryRun: true }))],
      ['KMSInvalidSignatureException', () => kms.verify(spied({ KeyId: signer, Message: secret, SigningAlgorithm: 'ECDSA_SHA_256' as const, Signature: new Uint8Array(70) }))],
      ['InvalidKeyUsageException', () => kms.sign(spied({ KeyId: signer, Message: secret, SigningAlgorithm: 'ECDSA_SHA_384' as const }))],
      ['DisabledException', () => kms.generateMac(spied({ KeyId: mac, Message: secret, MacAlgorithm: 'HMAC_SHA_256' as const }))],
    ];
    for (const [i, [name, call]] of refused.entries()) {
      // The buffer the last Encrypt read is the one the refused request is lent next (the free
      // list is last in, first out); `borrowed` shows that it was.
      await kms.encrypt({ KeyId, Plaintext: enc('warm') });
      held = seen.at(-1)!.buffer;
      borrowed = false;
      const e = await call().then(() => undefined, (x: unknown) => x);
      expect((e as { name?: string } | undefined)?.name, `${i} ${name}`).toBe(name);
      expect.soft(borrowed, `${i} ${name}: the refused request borrowed the buffer`).toBe(true);
      expect.soft(zero(held), `${i} ${name}: the refused request’s bytes are wiped`).toBe(true);
      await kms.encrypt({ KeyId, Plaintext: enc('again') });
      expect.soft(seen.at(-1)!.buffer, `${i} ${name}: its buffer was freed for reuse`).toBe(held);
    }
    expect(dec(secret)).toBe(text);
  });
});

describe('the model: where sensitive blobs sit in requests', () => {
  // The runner releases only the top-level sensitive member validation lent (validate.ts
  // sensitiveMember); a sensitive blob nested deeper would be lent and never released. The model
  // has none: this fails if a model update brings one.
  test('every sensitive blob of every request shape is a top-level member, at most one per operation', async () => {
    const { OPERATIONS, SHAPES } = await import('../src/model/shapes.js');
    const { sensitiveMember } = await import('../src/validate.js');
    const found: string[] = [];
    const walk = (name: string, path: string, depth: number, seen: Set<string>): void => {
      const s = SHAPES[name];
      if (!s || seen.has(name)) return;
      if (s.type === 'blob' && s.sensitive === true) found.push(`${depth}:${path}`);
      const next = new Set(seen).add(name);
      for (const [m, t] of Object.entries(s.members ?? {})) walk(t, `${path}.${m}`, depth + 1, next);
      if (s.member) walk(s.member, `${path}[]`, depth + 1, next);
      if (s.key) walk(s.key, `${path}{key}`, depth + 1, next);
      if (s.value) walk(s.value, `${path}{value}`, depth + 1, next);
    };
    const top: Record<string, string> = {};
    for (const [op, model] of Object.entries(OPERATIONS)) {
      const before = found.length;
      walk((model as { input: string }).input, op, 0, new Set());
      const mine = found.slice(before);
      expect(mine.filter((f) => !f.startsWith('1:'))).toEqual([]);
      expect(mine.length).toBeLessThanOrEqual(1);
      const member = sensitiveMember(op as Parameters<typeof sensitiveMember>[0]);
      expect(member === undefined ? [] : [`1:${op}.${member}`]).toEqual(mine);
      if (member) top[op] = member;
    }
    expect(top).toEqual({ Encrypt: 'Plaintext', GenerateMac: 'Message', Sign: 'Message', Verify: 'Message', VerifyMac: 'Message' });
  });
});
