/**
 * Issue 12, the library-level findings (points 1, 3, 5, 6, 11, 12, 13): each test is named
 * after the point it proves ("12.<point> …"), and each failed on the code before its fix.
 *
 *   12.1  what authorization checks is what the cryptography binds: requests are copied once,
 *         as own data, at validation (inherited keys, changing getters, lying Proxies, a
 *         polluted Object.prototype, caller buffers mutated mid-call)
 *   12.3  null is absent everywhere
 *   12.5  no key material in util.inspect or JSON.stringify of a Kms, a view, a store
 *   12.6  no bare TypeError for hostile options, principals, snapshots or grant-token lists;
 *         messages echo bounded values only
 *   12.11 an alias name with ':' is refused as AWS does
 *   12.12 a request parameter the caller did not send is absent for key-policy conditions
 *   12.13 AWS's message when IAM refuses a Decrypt that names no key
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError, webBackend, type Backend, type KeyMetadata, type KeyStoreSnapshot } from '../src/index.js';
import { constraintsAllow, contextValues, parsePrincipal, requestContext, type AuthRequest } from '../src/auth/index.js';
import { canonicalContext, hasContext } from '../src/envelope/context.js';
import { sm2PrivateKeyFromPkcs8 } from '../src/primitives/sm2-keys.js';
import { FileKeyStore } from '../src/server/file-store.js';
import { validateInput } from '../src/validate.js';
import { CIPHERTEXT_KEY_INACCESSIBLE, USER_ALICE, USER_BOB, deniedMessage, keyWithPolicy, policy, rootAll } from './helpers/auth.js';
import { dec, enc } from './helpers/index.js';
import { ACCOUNT_A, refuses, refusesSync } from './helpers/keys.js';

/**
 * Account A with an identity hook that refuses everyone: bob holds only what a grant or a key
 * policy statement naming him gives. Root (the Kms itself) encrypts the blobs.
 */
async function bobWithGrant(constraints: Record<string, unknown>, blobContext?: Record<string, string>) {
  const kms = new Kms({ accountId: ACCOUNT_A, identityPolicy: () => false });
  const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
  await kms.createGrant({ KeyId: key.KeyId, GranteePrincipal: USER_BOB, Operations: ['Decrypt', 'Encrypt'], Constraints: constraints });
  const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('secret'), ...(blobContext ? { EncryptionContext: blobContext } : {}) })).CiphertextBlob as Uint8Array;
  return { kms, key, bob: kms.as(USER_BOB), blob };
}

/** An own getter that answers `first` for its first `n` reads and `then` afterwards. */
function changing(name: string, first: string, then: string, n = 1): { obj: Record<string, string>; reads: () => number } {
  let count = 0;
  const obj = {};
  Object.defineProperty(obj, name, {
    enumerable: true,
    configurable: true,
    get: () => (count++ < n ? first : then),
  });
  return { obj: obj as Record<string, string>, reads: () => count };
}

/** Runs `fn` with `Object.prototype[name] = value`, restored in finally. */
async function polluted<T>(name: string, value: unknown, fn: () => Promise<T>): Promise<T> {
  const proto = Object.prototype as Record<string, unknown>;
  proto[name] = value;
  try {
    return await fn();
  } finally {
    delete proto[name];
  }
}

/** Settles `p` and tells whether it gave a plaintext (a bypass) or which error. */
async function outcome(p: Promise<{ Plaintext?: Uint8Array }>): Promise<string> {
  try {
    const r = await p;
    return `plaintext:${dec(r.Plaintext)}`;
  } catch (e) {
    return e instanceof KmsError ? e.name : `bare ${(e as Error)?.constructor?.name}`;
  }
}

describe('12.1 encryption context: authorization reads what the AAD binds', () => {
  test('12.1 the reproduction: a grant EncryptionContextEquals {tenant: acme} is not satisfied by an inherited tenant', async () => {
    const { bob, blob } = await bobWithGrant({ EncryptionContextEquals: { tenant: 'acme' } });
    expect(await outcome(bob.decrypt({ CiphertextBlob: blob, EncryptionContext: {} }))).toBe('AccessDeniedException');
    expect(await outcome(bob.decrypt({ CiphertextBlob: blob, EncryptionContext: Object.create({ tenant: 'acme' }) }))).toBe('AccessDeniedException');
  });

  test('12.1 inherited keys do not satisfy a grant EncryptionContextSubset either (Encrypt, Decrypt)', async () => {
    const { bob, key, blob } = await bobWithGrant({ EncryptionContextSubset: { tenant: 'acme' } });
    expect(await outcome(bob.decrypt({ CiphertextBlob: blob, EncryptionContext: Object.create({ tenant: 'acme' }) }))).toBe('AccessDeniedException');
    await refuses(bob.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: Object.create({ tenant: 'acme' }) }), 'AccessDeniedException');
  });

  test('12.1 a getter answering acme for the first read and another tenant later is read once', async () => {
    // The blob is bound to tenant "other"; the grant allows only tenant "acme".
    const { bob, blob } = await bobWithGrant({ EncryptionContextEquals: { tenant: 'acme' } }, { tenant: 'other' });
    for (const n of [1, 2, 3]) {
      const g = changing('tenant', 'acme', 'other', n);
      // Authorized as acme and bound as acme: the blob (bound to other) does not open.
      expect(await outcome(bob.decrypt({ CiphertextBlob: blob, EncryptionContext: g.obj }))).toBe('InvalidCiphertextException');
      expect(g.reads()).toBe(1);
    }
  });

  test('12.1 Proxies whose traps lie (get, getOwnPropertyDescriptor, ownKeys) are read once', async () => {
    const { bob, blob } = await bobWithGrant({ EncryptionContextEquals: { tenant: 'acme' } }, { tenant: 'other' });
    let calls = 0;
    const flip = () => (calls++ === 0 ? 'acme' : 'other');
    const lyingGet = new Proxy({ tenant: 'acme' }, { get: (t, k, r) => (k === 'tenant' ? flip() : Reflect.get(t, k, r)) });
    calls = 0;
    expect(await outcome(bob.decrypt({ CiphertextBlob: blob, EncryptionContext: lyingGet }))).toBe('InvalidCiphertextException');
    const lyingDescriptor = new Proxy({} as Record<string, string>, {
      ownKeys: () => ['tenant'],
      getOwnPropertyDescriptor: () => ({ value: flip(), enumerable: true, configurable: true, writable: true }),
      get: () => flip(),
    });
    calls = 0;
    // Whichever trap is believed, it is believed once: authorized and bound alike (no plaintext).
    expect(await outcome(bob.decrypt({ CiphertextBlob: blob, EncryptionContext: lyingDescriptor }))).toMatch(/^(AccessDeniedException|InvalidCiphertextException)$/);
    // ownKeys lists tenant=acme for the first reads and nothing afterwards; the blob has no context.
    const { bob: bob2, blob: bare } = await bobWithGrant({ EncryptionContextEquals: { tenant: 'acme' } });
    let listed = 0;
    const lyingKeys = new Proxy({ tenant: 'acme' } as Record<string, string>, { ownKeys: () => (listed++ < 2 ? ['tenant'] : []) });
    expect(await outcome(bob2.decrypt({ CiphertextBlob: bare, EncryptionContext: lyingKeys }))).toBe('InvalidCiphertextException');
    expect(listed).toBe(1);
  });

  test('12.1 a Proxy or getter that throws is a ValidationException, not a TypeError or KMSInternalException', async () => {
    const { bob, blob, kms, key } = await bobWithGrant({ EncryptionContextEquals: { tenant: 'acme' } });
    const throwingGetter = {} as Record<string, string>;
    Object.defineProperty(throwingGetter, 'tenant', { enumerable: true, get: () => { throw new TypeError('boom'); } });
    await refuses(bob.decrypt({ CiphertextBlob: blob, EncryptionContext: throwingGetter }), 'ValidationException');
    const throwingTraps = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    await refuses(bob.decrypt({ CiphertextBlob: blob, EncryptionContext: throwingTraps }), 'ValidationException');
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x'), EncryptionContext: revoked.proxy }), 'ValidationException');
    await refuses(kms.encrypt(revoked.proxy as never), 'ValidationException');
    const throwingRequest = new Proxy({}, { getOwnPropertyDescriptor: () => { throw new Error('boom'); } });
    await refuses(kms.encrypt(throwingRequest as never), 'ValidationException');
  });

  test('12.1 a polluted Object.prototype adds no context pair, no request member and no grant constraint', async () => {
    const { bob, blob, kms, key } = await bobWithGrant({ EncryptionContextEquals: { tenant: 'acme' } });
    expect(await polluted('tenant', 'acme', () => outcome(bob.decrypt({ CiphertextBlob: blob, EncryptionContext: {} })))).toBe('AccessDeniedException');
    expect(await polluted('tenant', 'acme', () => outcome(bob.decrypt({ CiphertextBlob: blob })))).toBe('AccessDeniedException');
    // An inherited request member is not a member.
    expect(await polluted('EncryptionContext', { tenant: 'acme' }, () => outcome(bob.decrypt({ CiphertextBlob: blob })))).toBe('AccessDeniedException');
    // A grant created while Object.prototype is polluted holds only its own pairs.
    const { GrantId } = await polluted('extra', 'x', () =>
      kms.createGrant({ KeyId: key.KeyId, GranteePrincipal: USER_ALICE, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { tenant: 'acme' } } }),
    );
    const g = (await kms.listGrants({ KeyId: key.KeyId })).Grants?.find((x) => x.GrantId === GrantId);
    expect(g?.Constraints).toEqual({ EncryptionContextSubset: { tenant: 'acme' } });
  });

  test('12.1 key-policy kms:EncryptionContext: conditions read own pairs only (inherited, polluted, getters)', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A, identityPolicy: () => false });
    const text = policy(rootAll(), {
      Effect: 'Allow',
      Principal: { AWS: USER_BOB },
      Action: ['kms:Decrypt', 'kms:Encrypt'],
      Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
    });
    const key = await keyWithPolicy(kms, text);
    const bob = kms.as(USER_BOB);
    const bare = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('secret') })).CiphertextBlob as Uint8Array;
    const other = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('secret'), EncryptionContext: { tenant: 'other' } })).CiphertextBlob as Uint8Array;
    expect(await outcome(bob.decrypt({ CiphertextBlob: bare, EncryptionContext: Object.create({ tenant: 'acme' }) }))).toBe('AccessDeniedException');
    expect(await polluted('tenant', 'acme', () => outcome(bob.decrypt({ CiphertextBlob: bare, EncryptionContext: {} })))).toBe('AccessDeniedException');
    const g = changing('tenant', 'acme', 'other');
    expect(await outcome(bob.decrypt({ CiphertextBlob: other, EncryptionContext: g.obj }))).toBe('InvalidCiphertextException');
    expect(g.reads()).toBe(1);
    // The condition still works for a real pair.
    const good = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('ok'), EncryptionContext: { tenant: 'acme' } })).CiphertextBlob as Uint8Array;
    expect(await outcome(bob.decrypt({ CiphertextBlob: good, EncryptionContext: { tenant: 'acme' } }))).toBe('plaintext:ok');
  });

  test('12.1 the identity hook sees own pairs only, and the AAD binds the same pairs', async () => {
    const seen: Record<string, unknown>[] = [];
    const kms = new Kms({
      accountId: ACCOUNT_A,
      identityPolicy: (r) => {
        seen.push({ ...r.context });
        return r.context['kms:EncryptionContext:tenant'] === 'acme';
      },
    });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    const bare = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('secret') })).CiphertextBlob as Uint8Array;
    const alice = kms.as(USER_ALICE);
    expect(await polluted('tenant', 'acme', () => outcome(alice.decrypt({ CiphertextBlob: bare, EncryptionContext: {} })))).toBe('AccessDeniedException');
    expect(await outcome(alice.decrypt({ CiphertextBlob: bare, EncryptionContext: Object.create({ tenant: 'acme' }) }))).toBe('AccessDeniedException');
    expect(seen.every((c) => !('kms:EncryptionContext:tenant' in c))).toBe(true);
  });

  test('12.1 CreateGrant Constraints are copied once: what was validated and authorized is what is stored', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    // A value that is a string when read first and a number afterwards.
    let reads = 0;
    const equals = {};
    Object.defineProperty(equals, 'tenant', { enumerable: true, get: () => (reads++ === 0 ? 'acme' : (42 as unknown as string)) });
    const { GrantId } = await kms.createGrant({ KeyId: key.KeyId, GranteePrincipal: USER_BOB, Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: equals } });
    expect(reads).toBe(1);
    const g = (await kms.listGrants({ KeyId: key.KeyId })).Grants?.find((x) => x.GrantId === GrantId);
    expect(g?.Constraints).toEqual({ EncryptionContextEquals: { tenant: 'acme' } });
    // The stored record stays loadable (a number in a constraint would not be).
    const store = kms.keyStore as InMemoryKeyStore;
    expect(() => InMemoryKeyStore.fromSnapshot(JSON.stringify(store.exportSnapshot()))).not.toThrow();
    // Inherited constraint pairs are no pairs.
    const { GrantId: id2 } = await kms.createGrant({
      KeyId: key.KeyId,
      GranteePrincipal: USER_BOB,
      Operations: ['Decrypt'],
      Constraints: { EncryptionContextSubset: Object.create({ tenant: 'acme' }) },
    });
    const g2 = (await kms.listGrants({ KeyId: key.KeyId })).Grants?.find((x) => x.GrantId === id2);
    expect(g2?.Constraints).toEqual({ EncryptionContextSubset: {} });
  });

  test('12.1 CreateKey Tags are copied once into own-data, null-prototype values', () => {
    const g = changing('TagKey', 'team', 'x'.repeat(500));
    const tag = Object.assign(g.obj, { TagValue: 'blue' });
    const input = { Tags: [tag], Description: 'd' };
    const copy = validateInput('CreateKey', input);
    expect(g.reads()).toBe(1);
    expect(copy).not.toBe(input);
    expect(Object.getPrototypeOf(copy)).toBe(null);
    expect(copy.Tags).not.toBe(input.Tags);
    const t = (copy.Tags as unknown[])[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(t)).toBe(null);
    expect(Object.getOwnPropertyDescriptor(t, 'TagKey')).toEqual({ value: 'team', writable: true, enumerable: true, configurable: true });
    expect({ ...t }).toEqual({ TagKey: 'team', TagValue: 'blue' });
    // A required member that is only inherited is absent.
    expect(() => validateInput('CreateKey', { Tags: [Object.assign(Object.create({ TagKey: 'team' }), { TagValue: 'blue' })] })).toThrow(
      "1 validation error detected: Value null at 'tags.1.member.tagKey' failed to satisfy constraint: Member must not be null",
    );
    // Lists: inherited indices are not elements; a hole is a null element.
    const holes = ['a'] as string[];
    holes.length = 2;
    expect(() => validateInput('Decrypt', { CiphertextBlob: new Uint8Array(1), GrantTokens: holes })).toThrow(
      "1 validation error detected: Value null at 'grantTokens.2.member' failed to satisfy constraint: Member must not be null",
    );
  });

  test('12.1 maps are copied into null-prototype objects of own enumerable string keys (a __proto__ key stays a key)', () => {
    const ctx = JSON.parse('{"__proto__": "p", "tenant": "acme"}') as Record<string, string>;
    Object.defineProperty(ctx, 'hidden', { value: 'h', enumerable: false });
    (ctx as Record<symbol, string>)[Symbol('s')] = 's';
    const copy = validateInput('Encrypt', { KeyId: 'k', Plaintext: enc('x'), EncryptionContext: ctx });
    const c = copy.EncryptionContext as Record<string, string>;
    expect(c).not.toBe(ctx);
    expect(Object.getPrototypeOf(c)).toBe(null);
    expect(Object.keys(c).sort()).toEqual(['__proto__', 'tenant']);
    expect(c.__proto__).toBe('p');
    // A key that a getter removes while the map is copied is not read from the prototype instead.
    const sneaky = Object.create({ tenant: 'acme' }) as Record<string, string>;
    Object.defineProperty(sneaky, 'a', {
      enumerable: true,
      configurable: true,
      get() {
        delete (sneaky as { tenant?: string }).tenant;
        return 'x';
      },
    });
    sneaky.tenant = 'other';
    const c2 = validateInput('Encrypt', { KeyId: 'k', Plaintext: enc('x'), EncryptionContext: sneaky }).EncryptionContext as Record<string, string>;
    expect({ ...c2 }).toEqual({ a: 'x' });
  });

  test('12.1 a setter on a polluted Object.prototype cannot swallow a context pair while the map is copied', () => {
    const seen: unknown[] = [];
    const proto = Object.prototype as Record<string, unknown>;
    Object.defineProperty(proto, 'tenant', { configurable: true, set: (v) => seen.push(v), get: () => 'acme' });
    let c: Record<string, string>;
    try {
      c = validateInput('Encrypt', { KeyId: 'k', Plaintext: enc('x'), EncryptionContext: JSON.parse('{"tenant":"other","toString":"t"}') }).EncryptionContext as Record<string, string>;
    } finally {
      delete proto.tenant;
    }
    expect(seen).toEqual([]);
    expect(Object.getPrototypeOf(c)).toBe(null);
    expect(Object.getOwnPropertyDescriptor(c, 'tenant')).toEqual({ value: 'other', enumerable: true, writable: true, configurable: true });
    expect(Object.keys(c)).toEqual(['tenant', 'toString']);
    expect(c.toString).toBe('t');
  });

  test('12.1 a blob copy reads the internal length: an own length property on the Uint8Array changes nothing', () => {
    const blob = Uint8Array.from([1, 2, 3, 4, 5]);
    Object.defineProperty(blob, 'length', { value: 2 });
    const pk = Uint8Array.from([9, 8, 7]);
    Object.defineProperty(pk, 'length', { value: 100 });
    const copy = validateInput('Decrypt', { CiphertextBlob: blob }).CiphertextBlob as Uint8Array;
    expect([...new Uint8Array(copy)]).toEqual([1, 2, 3, 4, 5]);
    const copy2 = validateInput('DeriveSharedSecret', { KeyId: 'k', KeyAgreementAlgorithm: 'ECDH', PublicKey: pk }).PublicKey as Uint8Array;
    expect(Array.from({ length: copy2.byteLength }, (_, i) => copy2[i])).toEqual([9, 8, 7]);
  });

  test('12.1 blobs are copied: a caller mutating its buffer mid-call changes nothing (Encrypt, Decrypt, ReEncrypt)', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    const pt = enc('original');
    const p = kms.encrypt({ KeyId: key.KeyId, Plaintext: pt });
    pt.fill(0x41);
    const blob = (await p).CiphertextBlob as Uint8Array;
    expect(dec((await kms.decrypt({ CiphertextBlob: blob })).Plaintext)).toBe('original');
    const mine = Uint8Array.from(blob);
    const d = kms.decrypt({ CiphertextBlob: mine });
    mine.fill(0);
    expect(dec((await d).Plaintext)).toBe('original');
    const again = Uint8Array.from(blob);
    const r = kms.reEncrypt({ CiphertextBlob: again, DestinationKeyId: key.KeyId });
    again.fill(0);
    expect(dec((await kms.decrypt({ CiphertextBlob: (await r).CiphertextBlob })).Plaintext)).toBe('original');
  });

  test('12.1 Encrypt wipes its copy of the caller\'s plaintext, and leaves the caller\'s buffer alone', async () => {
    const seen: Uint8Array[] = [];
    let fail = false;
    const backend: Backend = {
      ...webBackend,
      async aesGcmEncrypt(key, iv, pt, aad, out, aadTail) {
        seen.push(pt);
        if (fail) throw new Error('injected');
        return webBackend.aesGcmEncrypt(key, iv, pt, aad, out, aadTail);
      },
    };
    const kms = new Kms({ accountId: ACCOUNT_A, backend });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    const mine = enc('secret plaintext');
    await kms.encrypt({ KeyId: key.KeyId, Plaintext: mine });
    fail = true;
    await refuses(kms.encrypt({ KeyId: key.KeyId, Plaintext: mine }), 'KMSInternalException');
    expect(seen.length).toBe(2);
    for (const pt of seen) {
      expect(pt).not.toBe(mine);
      expect(pt.every((b) => b === 0)).toBe(true);
    }
    expect(dec(mine)).toBe('secret plaintext');
  });

  test('12.1 the copy is complete and independent: Dates copied, Uint8Array subclasses and views copied to plain Uint8Array', () => {
    const when = new Date('2030-01-01T00:00:00Z');
    const token = new Uint8Array(8);
    const material = new Uint8Array(40).subarray(8, 40);
    const input = { KeyId: 'k', ImportToken: token, EncryptedKeyMaterial: material, ValidTo: when, ExpirationModel: 'KEY_MATERIAL_EXPIRES' };
    const copy = validateInput('ImportKeyMaterial', input);
    expect(copy.ValidTo).not.toBe(when);
    expect((copy.ValidTo as Date).getTime()).toBe(when.getTime());
    expect(copy.EncryptedKeyMaterial).not.toBe(material);
    expect(Object.getPrototypeOf(copy.EncryptedKeyMaterial)).toBe(Uint8Array.prototype);
    expect((copy.EncryptedKeyMaterial as Uint8Array).length).toBe(32);
    // Not a view of the caller's buffer (a ciphertext's copy may be a view of kms-core's own transient slab).
    expect((copy.EncryptedKeyMaterial as Uint8Array).buffer).not.toBe(material.buffer);
    when.setTime(0);
    token.fill(7);
    expect((copy.ValidTo as Date).getTime()).toBe(Date.parse('2030-01-01T00:00:00Z'));
    expect([...(copy.ImportToken as Uint8Array)]).toEqual(new Array(8).fill(0));
  });
});

describe('12.1 defence in depth: authorization and the AAD read own pairs once, copy or not', () => {
  const request = (encryptionContext: Record<string, string>): AuthRequest => ({
    caller: parsePrincipal(USER_BOB) as NonNullable<ReturnType<typeof parsePrincipal>>,
    action: 'Decrypt',
    key: { arn: `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/x`, accountId: ACCOUNT_A, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', multiRegion: false },
    facts: { encryptionContext },
  });

  test('12.1 inherited pairs are no pairs for condition keys, the identity hook, grant constraints and the AAD', () => {
    const inherited = Object.create({ tenant: 'acme' }) as Record<string, string>;
    expect(contextValues(request(inherited), 'kms:encryptioncontext:tenant')).toBeUndefined();
    expect(contextValues(request(inherited), 'kms:encryptioncontextkeys')).toBeUndefined();
    expect(requestContext(request(inherited))['kms:EncryptionContext:tenant']).toBeUndefined();
    expect(constraintsAllow({ encryptionContextEquals: { tenant: 'acme' } }, inherited)).toBe(false);
    expect(constraintsAllow({ encryptionContextSubset: { tenant: 'acme' } }, inherited)).toBe(false);
    expect(constraintsAllow({ encryptionContextEquals: {} }, inherited)).toBe(true);
    expect([...canonicalContext(inherited)]).toEqual([0, 0, 0, 0]);
    expect(hasContext(inherited)).toBe(false);
  });

  test('12.1 each of them reads a getter once', () => {
    for (const read of [
      (c: Record<string, string>) => contextValues(request(c), 'kms:encryptioncontext:tenant'),
      (c: Record<string, string>) => requestContext(request(c)),
      (c: Record<string, string>) => constraintsAllow({ encryptionContextSubset: { tenant: 'acme' } }, c),
      (c: Record<string, string>) => canonicalContext(c),
    ]) {
      const g = changing('tenant', 'acme', 'other');
      read(g.obj);
      expect(g.reads()).toBe(1);
    }
  });
});

describe('12.3 null is absent everywhere', () => {
  test('12.3 decrypt({ CiphertextBlob, KeyId: null }) decrypts; decrypt({ CiphertextBlob: null }) → must not be null', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('p') })).CiphertextBlob as Uint8Array;
    expect(dec((await kms.decrypt({ CiphertextBlob: blob, KeyId: null } as never)).Plaintext)).toBe('p');
    expect(dec((await kms.decrypt({ CiphertextBlob: blob, EncryptionContext: null, GrantTokens: null, EncryptionAlgorithm: null, DryRun: null } as never)).Plaintext)).toBe('p');
    await refuses(
      kms.decrypt({ CiphertextBlob: null } as never),
      'ValidationException',
      "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null",
    );
  });

  test('12.3 reEncrypt({ …, SourceKeyId: null }) re-encrypts; listAliases({ KeyId: null }) lists; retireGrant({ KeyId: null, … }) retires', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('p') })).CiphertextBlob as Uint8Array;
    const re = await kms.reEncrypt({ CiphertextBlob: blob, SourceKeyId: null, DestinationKeyId: key.KeyId, DestinationEncryptionContext: null } as never);
    expect(re.SourceKeyId).toBe(key.Arn);
    await kms.createAlias({ AliasName: 'alias/a', TargetKeyId: key.KeyId });
    expect((await kms.listAliases({ KeyId: null, Limit: null, Marker: null } as never)).Aliases?.map((a) => a.AliasName)).toEqual(['alias/a']);
    const { GrantToken, GrantId } = await kms.createGrant({ KeyId: key.KeyId, GranteePrincipal: USER_BOB, Operations: ['Decrypt'] });
    await refuses(
      kms.retireGrant({ KeyId: null, GrantId } as never),
      'ValidationException',
      'RetireGrant needs either GrantToken, or both KeyId and GrantId.',
    );
    await kms.retireGrant({ KeyId: null, GrantId: null, GrantToken } as never);
    expect((await kms.listGrants({ KeyId: key.KeyId })).Grants).toEqual([]);
  });

  test('12.3 a required member given as null → "Member must not be null" (one rule, in validation)', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    await refuses(
      kms.encrypt({ KeyId: null, Plaintext: enc('p') } as never),
      'ValidationException',
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    );
    await refuses(
      kms.reEncrypt({ CiphertextBlob: new Uint8Array(1), DestinationKeyId: null } as never),
      'ValidationException',
      "1 validation error detected: Value null at 'destinationKeyId' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('12.5 no key material in util.inspect or JSON.stringify', () => {
  /**
   * Whether `out` shows any 12-byte window of `material`, in whatever layout util.inspect or
   * JSON chose: decimal byte lists (grouped, padded or one per line), hex (ArrayBuffer
   * contents, spaced or not), or base64/base64url of the whole.
   */
  function shows(out: string, material: Uint8Array): boolean {
    const flat = out.replace(/\s+/g, '').toLowerCase();
    const numbers = `,${(out.match(/\d+/g) ?? []).join(',')},`;
    const b = Buffer.from(material);
    if (out.includes(b.toString('base64').slice(0, 24)) || out.includes(b.toString('base64url').slice(0, 24))) return true;
    for (let i = 0; i + 12 <= material.length; i++) {
      const w = material.subarray(i, i + 12);
      if (flat.includes(Buffer.from(w).toString('hex')) || numbers.includes(`,${Array.from(w).join(',')},`)) return true;
    }
    return false;
  }

  test('12.5 a Kms, its views and its store (symmetric, RSA PKCS#8, SM2 scalar, warm caches) inspect and stringify to summaries', async () => {
    const store = new InMemoryKeyStore();
    const us = new Kms({ accountId: ACCOUNT_A, keyStore: store });
    const cn = new Kms({ accountId: ACCOUNT_A, keyStore: store, region: 'cn-north-1' });
    const sym = (await us.createKey({})).KeyMetadata as KeyMetadata;
    const rsa = (await us.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata as KeyMetadata;
    const sm2 = (await cn.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata as KeyMetadata;
    // Warm every cache: header prefixes, HMAC/KDF key objects, RSA key objects, the SM2 scalar.
    for (let i = 0; i < 2; i++) {
      const b = (await us.encrypt({ KeyId: sym.KeyId, Plaintext: enc('x') })).CiphertextBlob as Uint8Array;
      await us.decrypt({ CiphertextBlob: b });
      const r = (await us.encrypt({ KeyId: rsa.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).CiphertextBlob as Uint8Array;
      await us.decrypt({ CiphertextBlob: r, KeyId: rsa.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
      const s = (await cn.encrypt({ KeyId: sm2.KeyId, Plaintext: enc('x'), EncryptionAlgorithm: 'SM2PKE' })).CiphertextBlob as Uint8Array;
      await cn.decrypt({ CiphertextBlob: s, KeyId: sm2.KeyId, EncryptionAlgorithm: 'SM2PKE' });
    }
    const snap = store.exportSnapshot() as KeyStoreSnapshot;
    const secrets: Uint8Array[] = [];
    const scalars: string[] = [];
    for (const k of snap.keys) {
      for (const m of k.KeyMaterial as { Material: string }[]) {
        const bytes = new Uint8Array(Buffer.from(m.Material, 'base64'));
        secrets.push(bytes);
        if (k.KeySpec === 'SM2') {
          const d = sm2PrivateKeyFromPkcs8(bytes);
          secrets.push(new Uint8Array(Buffer.from(d.toString(16).padStart(64, '0'), 'hex')));
          scalars.push(d.toString(10));
        }
      }
    }
    expect(secrets.length).toBe(4);
    // The detector itself finds material in every layout inspect uses.
    for (const opts of [{}, { showHidden: true }, { breakLength: Infinity }]) {
      expect(shows(inspect({ m: secrets[1] }, { depth: null, ...opts }), secrets[1] as Uint8Array)).toBe(true);
      expect(shows(inspect((secrets[0] as Uint8Array).buffer, opts), secrets[0] as Uint8Array)).toBe(true);
    }
    expect(shows(JSON.stringify(snap), secrets[2] as Uint8Array)).toBe(true);
    const views = [us, cn, us.as(USER_BOB), cn.as(`arn:aws-cn:iam::${ACCOUNT_A}:user/alice`), store];
    for (const v of views) {
      const outputs = [
        inspect(v, { depth: null }),
        inspect(v, { depth: null, showHidden: true }),
        inspect(v, { depth: null, showHidden: true, customInspect: false, maxArrayLength: null, maxStringLength: null }),
        JSON.stringify(v),
        String(JSON.stringify({ nested: v })),
      ];
      for (const out of outputs) {
        for (const m of secrets) expect(shows(out, m), `key material in ${out.slice(0, 80)}`).toBe(false);
        for (const d of scalars) expect(out.replace(/\s+/g, '').includes(d), 'the SM2 scalar').toBe(false);
      }
    }
    // Summaries name what they are, not what they hold.
    expect(inspect(us.as(USER_BOB))).toContain(USER_BOB);
    expect(inspect(store)).toMatch(/^InMemoryKeyStore \{/);
    expect(JSON.parse(JSON.stringify(us))).toEqual({ accountId: ACCOUNT_A, region: 'us-east-1', principal: `arn:aws:iam::${ACCOUNT_A}:root` });
    expect(JSON.parse(JSON.stringify(store))).toEqual({ keys: 3, aliases: 0 });
  });
});

describe('12.5 the server\'s FileKeyStore', () => {
  test('12.5 a FileKeyStore (and a Kms on it) inspects and stringifies to a summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-core-inspect-'));
    try {
      const store = await FileKeyStore.open(join(dir, 'keys.json'), { region: 'us-east-1' });
      const kms = new Kms({ accountId: ACCOUNT_A, keyStore: store });
      const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
      await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') });
      const rec = await store.getKey(key.Arn as string);
      const material = Buffer.from((rec?.material[0]?.material as Uint8Array) ?? []);
      expect(material.length).toBe(32);
      for (const out of [inspect(store, { depth: null }), inspect(store, { depth: null, showHidden: true }), inspect(kms, { depth: null }), JSON.stringify(store), JSON.stringify(kms)]) {
        expect(out.replace(/\s+/g, '').toLowerCase()).not.toContain(material.subarray(0, 12).toString('hex'));
        expect(`,${(out.match(/\d+/g) ?? []).join(',')},`).not.toContain(`,${Array.from(material.subarray(0, 12)).join(',')},`);
        expect(out).not.toContain(material.toString('base64').slice(0, 24));
      }
      expect(JSON.parse(JSON.stringify(store))).toEqual({ path: join(dir, 'keys.json'), keys: 1, aliases: 0 });
      expect(inspect(store)).toMatch(/^FileKeyStore \{/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('12.6 no bare TypeErrors; bounded echoes', () => {
  const nullProto = () => Object.create(null) as object;

  test('12.6 new Kms({ accountId | region | principal: <null-prototype object> }) → ValidationException', () => {
    for (const options of [{ accountId: nullProto() }, { region: nullProto() }, { principal: nullProto() }, { accountId: Symbol('a') }, { principal: 12 }]) {
      refusesSync(() => new Kms(options as never), 'ValidationException');
    }
    refusesSync(() => new Kms({ accountId: 'x'.repeat(100_000) }), 'ValidationException', /^Invalid accountId/);
    const e = refusesSync(() => new Kms({ region: 'x'.repeat(100_000) }), 'ValidationException');
    expect(e.message.length).toBeLessThan(2000);
  });

  test('12.6 kms.as(<null-prototype object>) → ValidationException', () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    for (const p of [nullProto(), Symbol('p'), new Proxy({}, { get: () => { throw new Error('boom'); } }), 'x'.repeat(100_000)]) {
      const e = refusesSync(() => kms.as(p as never), 'ValidationException');
      expect(e.message.length).toBeLessThan(2000);
    }
  });

  test('12.6 InMemoryKeyStore.fromSnapshot(<Proxy>) → ValidationException', () => {
    const throwing = new Proxy({}, { get: () => { throw new Error('boom'); }, getOwnPropertyDescriptor: () => { throw new Error('boom'); } });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const lying = new Proxy({ format: 'kms-core/key-store', version: 1, keys: [], aliases: [] }, { get: (t, k) => (k === 'keys' ? nullProto() : Reflect.get(t, k)) });
    const keyProxy = { format: 'kms-core/key-store', version: 1, keys: [new Proxy({}, { get: () => { throw new TypeError('boom'); } })], aliases: [] };
    for (const snap of [throwing, revoked.proxy, lying, keyProxy]) refusesSync(() => InMemoryKeyStore.fromSnapshot(snap), 'ValidationException');
  });

  test('12.6 11 null-prototype grant tokens → ValidationException; an over-long GrantTokens list is not echoed in full', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    const tokens = Array.from({ length: 11 }, nullProto);
    const e = await refuses(kms.describeKey({ KeyId: key.KeyId, GrantTokens: tokens } as never), 'ValidationException');
    expect(e.message).toContain("at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10");
    // AWS echoes a short list as it is…
    const short = Array.from({ length: 11 }, (_, i) => `t${i}`);
    await refuses(
      kms.describeKey({ KeyId: key.KeyId, GrantTokens: short }),
      'ValidationException',
      `1 validation error detected: Value '[${short.join(', ')}]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10`,
    );
    // …but never an unbounded one.
    const long = Array.from({ length: 200 }, () => 'x'.repeat(8000));
    const big = await refuses(kms.describeKey({ KeyId: key.KeyId, GrantTokens: long }), 'ValidationException');
    expect(big.message).toBe("1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10");
    // A sparse list of absurd length is refused without walking it.
    const sparse: string[] = [];
    sparse.length = 10_000_000;
    const s = await refuses(kms.describeKey({ KeyId: key.KeyId, GrantTokens: sparse }), 'ValidationException');
    expect(s.message.length).toBeLessThan(4000);
  });

  test('12.6 a huge string value is not echoed in full; a huge map key is not echoed in full in a path', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    const e = await refuses(kms.describeKey({ KeyId: 'x'.repeat(1_000_000) }), 'ValidationException');
    expect(e.message).toBe("1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048");
    const ctx = { ['k'.repeat(1_000_000)]: 5 } as unknown as Record<string, string>;
    const m = await refuses(kms.encrypt({ KeyId: 'alias/x', Plaintext: enc('x'), EncryptionContext: ctx }), 'ValidationException');
    expect(m.message.length).toBeLessThan(2000);
    expect(m.message).toMatch(/^1 validation error detected: Value '5' at 'encryptionContext\.k+…\.value' failed to satisfy constraint: Member must be a string$/);
  });
});

describe('12.11 alias names', () => {
  test('12.11 CreateAlias("alias/my:alias") → ValidationException "alias/my:alias contains invalid characters for an alias"', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    await refuses(kms.createAlias({ AliasName: 'alias/my:alias', TargetKeyId: key.KeyId }), 'ValidationException', 'alias/my:alias contains invalid characters for an alias');
    // A character the model's pattern refuses keeps the model's message.
    await refuses(
      kms.createAlias({ AliasName: 'alias/my alias', TargetKeyId: key.KeyId }),
      'ValidationException',
      "1 validation error detected: Value 'alias/my alias' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
    );
  });

  test('12.11 CreateKey with Origin EXTERNAL stays allowed (PendingImport)', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    const md = (await kms.createKey({ Origin: 'EXTERNAL' })).KeyMetadata as KeyMetadata;
    expect(md.Origin).toBe('EXTERNAL');
    expect(md.KeyState).toBe('PendingImport');
  });
});

describe('12.12 request parameters the caller did not send are absent', () => {
  const BOB_NULL = { Effect: 'Allow' as const, Principal: { AWS: USER_BOB }, Action: 'kms:PutKeyPolicy', Condition: { Null: { 'kms:BypassPolicyLockoutSafetyCheck': true } } };
  const BOB_DESCRIBE = { Effect: 'Allow' as const, Principal: { AWS: USER_BOB }, Action: 'kms:DescribeKey' };

  test('12.12 Null: { kms:BypassPolicyLockoutSafetyCheck: true } allows a PutKeyPolicy without the parameter (conditions-kms example)', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A, identityPolicy: () => false });
    const key = await keyWithPolicy(kms, policy(rootAll(), BOB_NULL, BOB_DESCRIBE));
    const bob = kms.as(USER_BOB);
    await bob.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll(), BOB_NULL, BOB_DESCRIBE) });
    // With the parameter, even false, the condition key is present: the statement does not apply.
    await refuses(
      bob.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll(), BOB_NULL), BypassPolicyLockoutSafetyCheck: false }),
      'AccessDeniedException',
      deniedMessage(USER_BOB, 'PutKeyPolicy', key.Arn as string, 'no-identity-policy'),
    );
  });

  test('12.12 the lockout safety check reads a subsequent PutKeyPolicy without the parameter', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A, identityPolicy: () => false });
    const key = await keyWithPolicy(kms, policy(rootAll(), BOB_NULL, BOB_DESCRIBE));
    // Bob's new policy lets only him, through the Null statement, change it again: not a lockout.
    await expect(kms.as(USER_BOB).putKeyPolicy({ KeyId: key.KeyId, Policy: policy(BOB_NULL, BOB_DESCRIBE) })).resolves.toEqual({});
  });

  test('12.12 the Bool example (Deny when true) refuses only a request that sends true; the identity hook sees the key only when sent', async () => {
    const contexts: Record<string, unknown>[] = [];
    const kms = new Kms({
      accountId: ACCOUNT_A,
      identityPolicy: (r) => {
        contexts.push({ ...r.context });
        return true;
      },
    });
    const deny = { Effect: 'Deny' as const, Principal: { AWS: USER_ALICE }, Action: 'kms:PutKeyPolicy', Condition: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': true } } };
    const key = await keyWithPolicy(kms, policy(rootAll(), deny));
    const alice = kms.as(USER_ALICE);
    await alice.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll(), deny) });
    await alice.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll(), deny), BypassPolicyLockoutSafetyCheck: false });
    await refuses(alice.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootAll(), deny), BypassPolicyLockoutSafetyCheck: true }), 'AccessDeniedException');
    contexts.length = 0;
    await alice.createKey({});
    await alice.createKey({ BypassPolicyLockoutSafetyCheck: false });
    expect(contexts.map((c) => c['kms:BypassPolicyLockoutSafetyCheck'])).toEqual([undefined, 'false']);
  });

  test('12.12 kms:EncryptionAlgorithm is SYMMETRIC_DEFAULT when not sent (documented: the algorithm used, sent or not)', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A, identityPolicy: () => false });
    const onlySym = { Effect: 'Allow' as const, Principal: { AWS: USER_BOB }, Action: ['kms:Encrypt', 'kms:Decrypt'], Condition: { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } } };
    const key = await keyWithPolicy(kms, policy(rootAll(), onlySym));
    const bob = kms.as(USER_BOB);
    const blob = (await bob.encrypt({ KeyId: key.KeyId, Plaintext: enc('p') })).CiphertextBlob as Uint8Array;
    expect(dec((await bob.decrypt({ CiphertextBlob: blob })).Plaintext)).toBe('p');
  });
});

describe('12.13 IAM refusing a Decrypt that names no key', () => {
  test('12.13 Decrypt without KeyId: "… on the resource associated with this ciphertext because no identity-based policy allows the kms:Decrypt action"', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A, identityPolicy: () => false });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('p') })).CiphertextBlob as Uint8Array;
    const bob = kms.as(USER_BOB);
    await refuses(
      bob.decrypt({ CiphertextBlob: blob }),
      'AccessDeniedException',
      `User: ${USER_BOB} is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because no identity-based policy allows the kms:Decrypt action`,
    );
    // With the KeyId, the key ARN is named as before.
    await refuses(bob.decrypt({ CiphertextBlob: blob, KeyId: key.KeyId }), 'AccessDeniedException', deniedMessage(USER_BOB, 'Decrypt', key.Arn as string, 'no-identity-policy'));
  });

  test('12.13 ReEncrypt without SourceKeyId: the same wording for kms:ReEncryptFrom', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A, identityPolicy: () => false });
    const key = (await kms.createKey({})).KeyMetadata as KeyMetadata;
    const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('p') })).CiphertextBlob as Uint8Array;
    await refuses(
      kms.as(USER_BOB).reEncrypt({ CiphertextBlob: blob, DestinationKeyId: key.KeyId }),
      'AccessDeniedException',
      `User: ${USER_BOB} is not authorized to perform: kms:ReEncryptFrom on the resource associated with this ciphertext because no identity-based policy allows the kms:ReEncryptFrom action`,
    );
  });

  test('12.13 a key policy that refuses (or a key that is gone) keeps "The ciphertext refers to a customer master key …"', async () => {
    const kms = new Kms({ accountId: ACCOUNT_A });
    const key = await keyWithPolicy(kms, policy(rootAll()));
    const blob = (await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('p') })).CiphertextBlob as Uint8Array;
    const other = new Kms({ accountId: '444455556666', keyStore: kms.keyStore });
    await refuses(other.decrypt({ CiphertextBlob: blob }), 'AccessDeniedException', CIPHERTEXT_KEY_INACCESSIBLE);
  });
});
