/**
 * The browser suite (issue 8): vector replay and the main behaviour tests, written against the
 * public package only (`lib` is `import * as lib from 'kms-core'`, bundled for the browser by
 * scripts/test-browser.mjs). It runs unchanged in a Chromium page, in a dedicated Web Worker
 * and, as a baseline, in Node; every test reports { name, ok, error } back to the runner, which
 * asserts them. No test framework: the bundle must stay free of Node.
 */
import type { KeyStoreSnapshot } from '../../src/index.js';
import { deterministicSequence } from './deterministic.js';

export type Lib = typeof import('../../src/index.js');

export interface Vector {
  name: string;
  keyArn: string;
  keyMaterialId: string;
  encryptionContext: Record<string, string>;
  plaintext: string;
  random: string[];
  ciphertext: string;
}

export interface VectorFile {
  version: number;
  keyStore: KeyStoreSnapshot & { keys: Array<Record<string, unknown>> };
  vectors: Vector[];
}

export interface SuiteInput {
  /** vectors/symmetric-v1.json as is. */
  vectors: VectorFile;
  /** vectors/symmetric-v2-sm4.json as is (envelope v2, SM4-GCM). */
  vectorsV2?: VectorFile;
  /** The RSA key of the deterministic sequence, and the outputs Node computed from it. */
  deterministic: { rsaSnapshot: KeyStoreSnapshot; expected: Record<string, string> };
}

export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface SuiteReport {
  runtime: { kind: string; userAgent: string; secureContext: boolean | null; nodeGlobals: string[] };
  results: TestResult[];
  /** The deterministic sequence's outputs in this runtime (the runner compares them again). */
  deterministic: Record<string, string> | null;
}

// ───────────────────────── helpers (no Buffer, no node:*) ─────────────────────────

class AssertionError extends Error {
  override name = 'AssertionError';
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new AssertionError(message);
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function fromB64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toB64(b: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(bin);
}

function fromHex(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function equal(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function assertBytes(actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  assert(actual instanceof Uint8Array, `${what}: expected a Uint8Array, got ${Object.prototype.toString.call(actual)}`);
  assert(equal(actual, expected), `${what}: bytes differ (length ${actual.length} vs ${expected.length})`);
}

function assertEq<T>(actual: T, expected: T, what: string): void {
  assert(Object.is(actual, expected), `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/**
 * The call must throw the AWS-named error: `instanceof KmsError`, `instanceof` its own class,
 * `.name`, `$fault`, and (when given) the message.
 */
async function rejects(lib: Lib, p: Promise<unknown>, name: keyof Lib & `${string}Exception`, message?: string | RegExp): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert(caught !== undefined, `expected ${name}, but the call succeeded`);
  const cls = lib[name] as unknown as abstract new (...a: never[]) => unknown;
  const e = caught as { name?: unknown; message?: unknown; $fault?: unknown };
  assert(caught instanceof lib.KmsError, `expected a KmsError (${name}), got ${String(e?.name)}: ${String(e?.message)}`);
  assert(caught instanceof Error, `${name} is not an Error`);
  assert(caught instanceof cls, `expected instanceof ${name}, got ${String(e.name)}`);
  assertEq(e.name, name, 'error name');
  assertEq(e.$fault, 'client', `${name}.$fault`);
  if (typeof message === 'string') assertEq(e.message, message, `${name} message`);
  else if (message) assert(message.test(String(e.message)), `${name} message ${JSON.stringify(e.message)} does not match ${message}`);
}

type TestFn = () => Promise<void> | void;

// ───────────────────────── the suite ─────────────────────────

export async function runSuite(lib: Lib, input: SuiteInput, kind: string): Promise<SuiteReport> {
  const tests: Array<[string, TestFn]> = [];
  const test = (name: string, fn: TestFn) => tests.push([name, fn]);
  const { Kms, InMemoryKeyStore } = lib;
  let deterministic: Record<string, string> | null = null;
  const nodeGlobals = ['Buffer', 'process', 'global', 'require', '__dirname', 'setImmediate'].filter((g) => g in globalThis);

  // Runtime facts the rest relies on.
  test('runtime: WebCrypto present, and (outside Node) no Node global', () => {
    assert(typeof globalThis.crypto?.subtle?.encrypt === 'function', 'crypto.subtle is missing');
    if (kind !== 'node') assertEq(nodeGlobals.join(','), '', 'Node globals visible in the browser');
    if (kind === 'worker') assert(typeof (globalThis as { document?: unknown }).document === 'undefined', 'a worker has no document');
    if (kind === 'page') assert(typeof (globalThis as { document?: unknown }).document === 'object', 'a page has a document');
  });

  // ── vectors/symmetric-v1.json and symmetric-v2-sm4.json: replay every frozen vector both ways.
  const files: Array<[VectorFile, number, Date, string]> = [[input.vectors, 1, new Date('2026-01-01T00:00:00Z'), '']];
  if (input.vectorsV2) files.push([input.vectorsV2, 2, new Date('2026-12-01T00:00:00Z'), 'v2 ']);
  for (const [doc, version, T0, tag] of files) {
  test(`vectors: the file is format v${version} and has vectors`, () => {
    assertEq(doc.version, version, 'vector file version');
    assert(doc.vectors.length >= 5, `only ${doc.vectors.length} vectors`);
  });
  for (const v of doc.vectors) {
    const k = doc.keyStore.keys.find((x) => x.Arn === v.keyArn);
    test(`${tag}vector "${v.name}": decrypts to its plaintext`, async () => {
      assert(k, `no key ${v.keyArn} in the vector key store`);
      const kms = new Kms({ accountId: String(k.AccountId), region: String(k.Region), keyStore: InMemoryKeyStore.fromSnapshot(doc.keyStore), now: () => T0 });
      const out = await kms.decrypt({ CiphertextBlob: fromB64(v.ciphertext), EncryptionContext: v.encryptionContext });
      assertEq(toB64(out.Plaintext!), v.plaintext, 'plaintext');
      assertEq(out.KeyId, v.keyArn, 'KeyId');
      assertEq(out.KeyMaterialId, v.keyMaterialId, 'KeyMaterialId');
    });
    test(`${tag}vector "${v.name}": encrypting with the same randomness gives the same bytes`, async () => {
      assert(k, `no key ${v.keyArn} in the vector key store`);
      const snap = structuredClone(doc.keyStore);
      const kj = snap.keys.find((x) => x.Arn === v.keyArn)!;
      const material = kj.KeyMaterial as Array<{ KeyMaterialId: string }>;
      kj.KeyMaterial = material.slice(0, material.findIndex((m) => m.KeyMaterialId === v.keyMaterialId) + 1);
      const draws = [...v.random];
      const kms = new Kms({
        accountId: String(k.AccountId),
        region: String(k.Region),
        keyStore: InMemoryKeyStore.fromSnapshot(snap),
        now: () => T0,
        random: (n) => {
          const h = draws.shift();
          if (h === undefined || h.length !== 2 * n) throw new Error(`unexpected draw of ${n} bytes`);
          return fromHex(h);
        },
      });
      const out = await kms.encrypt({ KeyId: v.keyArn, Plaintext: fromB64(v.plaintext), EncryptionContext: v.encryptionContext });
      assertEq(toB64(out.CiphertextBlob!), v.ciphertext, 'ciphertext');
      assertEq(draws.length, 0, 'unused random draws');
    });
  }
  }

  // ── Symmetric keys.
  test('symmetric: encrypt → decrypt round trip with an encryption context, any key identifier', async () => {
    const kms = new Kms({ region: 'eu-west-1' });
    const a = (await kms.createKey({ Description: 'orders' })).KeyMetadata!;
    assertEq(a.KeySpec, 'SYMMETRIC_DEFAULT', 'KeySpec');
    assertEq(a.Arn, `arn:aws:kms:eu-west-1:111122223333:key/${a.KeyId}`, 'Arn');
    await kms.createAlias({ AliasName: 'alias/orders', TargetKeyId: a.KeyId });
    for (const id of [a.KeyId, a.Arn!, 'alias/orders', 'arn:aws:kms:eu-west-1:111122223333:alias/orders']) {
      const pt = utf8(`order #4711 via ${id} ✓ 注文`);
      const e = await kms.encrypt({ KeyId: id, Plaintext: pt, EncryptionContext: { tenant: 'acme', 'ключ': 'значение' } });
      assertEq(e.CiphertextBlob!.length, pt.length + lib.ENVELOPE_V1_OVERHEAD, 'blob length');
      assertEq(e.KeyId, a.Arn, 'encrypt KeyId');
      const d = await kms.decrypt({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { 'ключ': 'значение', tenant: 'acme' } });
      assertBytes(d.Plaintext, pt, 'plaintext');
      assertEq(d.KeyId, a.Arn, 'decrypt KeyId');
      assertEq(d.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT', 'EncryptionAlgorithm');
    }
  });

  test('symmetric: 1- and 4096-byte plaintexts, generateDataKey (AES_256, NumberOfBytes) and WithoutPlaintext', async () => {
    const kms = new Kms();
    const a = (await kms.createKey()).KeyMetadata!;
    for (const n of [1, 4096]) {
      const pt = crypto.getRandomValues(new Uint8Array(n));
      const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: pt });
      assertBytes((await kms.decrypt({ CiphertextBlob: e.CiphertextBlob })).Plaintext, pt, `${n}-byte plaintext`);
    }
    const dk = await kms.generateDataKey({ KeyId: a.KeyId, KeySpec: 'AES_256', EncryptionContext: { p: 'dek' } });
    assertEq(dk.Plaintext!.length, 32, 'data key length');
    assertBytes((await kms.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { p: 'dek' } })).Plaintext, dk.Plaintext!, 'data key');
    const dk2 = await kms.generateDataKey({ KeyId: a.KeyId, NumberOfBytes: 1024 });
    assertEq(dk2.Plaintext!.length, 1024, 'NumberOfBytes');
    const wp = await kms.generateDataKeyWithoutPlaintext({ KeyId: a.KeyId, KeySpec: 'AES_128' });
    assert(!('Plaintext' in wp), 'WithoutPlaintext returned a Plaintext');
    assertEq((await kms.decrypt({ CiphertextBlob: wp.CiphertextBlob })).Plaintext!.length, 16, 'AES_128 data key length');
  });

  test('symmetric: rotation keeps old backing keys; reEncrypt under the same key moves to the newest', async () => {
    const kms = new Kms();
    const a = (await kms.createKey()).KeyMetadata!;
    const old = await kms.encrypt({ KeyId: a.KeyId, Plaintext: utf8('before rotation') });
    await kms.rotateKeyOnDemand({ KeyId: a.KeyId });
    const rotations = (await kms.listKeyRotations({ KeyId: a.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations!;
    assertEq(rotations.map((r) => r.KeyMaterialState).sort().join(','), 'CURRENT,NON_CURRENT', 'ListKeyRotations states');
    const d = await kms.decrypt({ CiphertextBlob: old.CiphertextBlob });
    assertBytes(d.Plaintext, utf8('before rotation'), 'old ciphertext after rotation');
    const re = await kms.reEncrypt({ CiphertextBlob: old.CiphertextBlob, DestinationKeyId: a.KeyId });
    assert(re.SourceKeyMaterialId !== re.DestinationKeyMaterialId, 'reEncrypt did not move to the newest backing key');
    assertEq(re.DestinationKeyMaterialId, (await kms.describeKey({ KeyId: a.KeyId })).KeyMetadata!.CurrentKeyMaterialId, 'DestinationKeyMaterialId');
  });

  test('symmetric: key-store snapshot round trip keeps ciphertexts decryptable', async () => {
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store });
    const a = (await kms.createKey()).KeyMetadata!;
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: utf8('persisted') });
    const json = JSON.stringify(store.exportSnapshot());
    const kms2 = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(json) });
    assertBytes((await kms2.decrypt({ CiphertextBlob: e.CiphertextBlob })).Plaintext, utf8('persisted'), 'after snapshot');
  });

  test('pure-JS nobleBackend (the fallback without crypto.subtle): same blobs as WebCrypto, RSA refused', async () => {
    const store = new InMemoryKeyStore();
    const web = new Kms({ region: 'cn-north-1', keyStore: store });
    const pure = new Kms({ region: 'cn-north-1', keyStore: store, backend: lib.nobleBackend });
    const a = (await web.createKey()).KeyMetadata!;
    const e = await pure.encrypt({ KeyId: a.KeyId, Plaintext: utf8('pure JS'), EncryptionContext: { c: '1' } });
    assertBytes((await web.decrypt({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { c: '1' } })).Plaintext, utf8('pure JS'), 'noble → WebCrypto');
    const e2 = await web.encrypt({ KeyId: a.KeyId, Plaintext: utf8('WebCrypto') });
    assertBytes((await pure.decrypt({ CiphertextBlob: e2.CiphertextBlob })).Plaintext, utf8('WebCrypto'), 'WebCrypto → noble');
    const s = (await pure.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    const se = await pure.encrypt({ KeyId: s.KeyId, Plaintext: utf8('sm2'), EncryptionAlgorithm: 'SM2PKE' });
    assertBytes((await web.decrypt({ KeyId: s.KeyId, CiphertextBlob: se.CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' })).Plaintext, utf8('sm2'), 'SM2 noble → WebCrypto');
    await rejects(lib, pure.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }), 'UnsupportedOperationException');
  });

  // ── RSA (key generation through WebCrypto in the browser; OAEP encoding in kms-core).
  test('RSA_2048: getPublicKey (SPKI DER importable by WebCrypto), OAEP SHA_1 and SHA_256 round trips, size limits', async () => {
    const kms = new Kms();
    const r = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    assertEq(r.EncryptionAlgorithms!.join(','), 'RSAES_OAEP_SHA_1,RSAES_OAEP_SHA_256', 'EncryptionAlgorithms');
    const pub = await kms.getPublicKey({ KeyId: r.KeyId });
    const spki = pub.PublicKey!;
    assertEq(spki[0], 0x30, 'SPKI starts with a SEQUENCE');
    // Independent check: WebCrypto encrypts with the public key, kms-core decrypts.
    const ck = await crypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
    const foreign = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, ck, utf8('from WebCrypto')));
    assertBytes((await kms.decrypt({ KeyId: r.KeyId, CiphertextBlob: foreign, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).Plaintext, utf8('from WebCrypto'), 'WebCrypto → kms-core');
    for (const [alg, max] of [['RSAES_OAEP_SHA_1', 214], ['RSAES_OAEP_SHA_256', 190]] as const) {
      const pt = crypto.getRandomValues(new Uint8Array(max));
      const e = await kms.encrypt({ KeyId: r.Arn, Plaintext: pt, EncryptionAlgorithm: alg });
      assertEq(e.CiphertextBlob!.length, 256, `${alg} ciphertext length`);
      assertEq(e.EncryptionAlgorithm, alg, 'EncryptionAlgorithm');
      assertBytes((await kms.decrypt({ KeyId: r.KeyId, CiphertextBlob: e.CiphertextBlob, EncryptionAlgorithm: alg })).Plaintext, pt, `${alg} round trip`);
      await rejects(lib, kms.encrypt({ KeyId: r.KeyId, Plaintext: new Uint8Array(max + 1), EncryptionAlgorithm: alg }), 'ValidationException');
    }
    const e = await kms.encrypt({ KeyId: r.KeyId, Plaintext: utf8('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    await rejects(lib, kms.decrypt({ KeyId: r.KeyId, CiphertextBlob: e.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }), 'InvalidCiphertextException', '');
    await rejects(lib, kms.encrypt({ KeyId: r.KeyId, Plaintext: utf8('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { a: 'b' } }), 'ValidationException');
  });

  // ── SM2 (China Regions only; pure JS on @noble/curves).
  test('SM2: China Regions only; SM2PKE round trip up to 1024 bytes; 1025 → ValidationException', async () => {
    await rejects(lib, new Kms({ region: 'us-east-1' }).createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' }), 'UnsupportedOperationException');
    const kms = new Kms({ region: 'cn-north-1' });
    const s = (await kms.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    assertEq(s.Arn, `arn:aws-cn:kms:cn-north-1:111122223333:key/${s.KeyId}`, 'SM2 key ARN (aws-cn)');
    assertEq(s.EncryptionAlgorithms!.join(','), 'SM2PKE', 'EncryptionAlgorithms');
    for (const n of [1, 1024]) {
      const pt = crypto.getRandomValues(new Uint8Array(n));
      const e = await kms.encrypt({ KeyId: s.KeyId, Plaintext: pt, EncryptionAlgorithm: 'SM2PKE' });
      assertEq(e.CiphertextBlob![0], 0x30, 'SM2 ciphertext is a DER SEQUENCE');
      assertBytes((await kms.decrypt({ KeyId: s.Arn, CiphertextBlob: e.CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' })).Plaintext, pt, `SM2 ${n} bytes`);
    }
    await rejects(lib, kms.encrypt({ KeyId: s.KeyId, Plaintext: new Uint8Array(1025), EncryptionAlgorithm: 'SM2PKE' }), 'ValidationException');
  });

  // ── HMAC keys (issue 16): WebCrypto's HMAC is the oracle; RFC 4231 §4.3 through a snapshot key.
  test('HMAC: generateMac equals WebCrypto HMAC over the exported key; verifyMac; bit flip → KMSInvalidMacException; RFC 4231 case 2', async () => {
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store });
    for (const [spec, alg, hash] of [['HMAC_256', 'HMAC_SHA_256', 'SHA-256'], ['HMAC_384', 'HMAC_SHA_384', 'SHA-384']] as const) {
      const k = (await kms.createKey({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
      assertEq(k.MacAlgorithms!.join(','), alg, 'MacAlgorithms');
      const rec = store.exportSnapshot().keys.find((x) => x.Arn === k.Arn) as { KeyMaterial: { Material: string }[] };
      const ck = await crypto.subtle.importKey('raw', fromB64(rec.KeyMaterial[0]!.Material) as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash }, false, ['sign']);
      const msg = crypto.getRandomValues(new Uint8Array(333));
      const { Mac } = await kms.generateMac({ KeyId: k.KeyId, Message: msg, MacAlgorithm: alg });
      assertBytes(Mac, new Uint8Array(await crypto.subtle.sign('HMAC', ck, msg as Uint8Array<ArrayBuffer>)), `${alg} vs WebCrypto`);
      assertEq((await kms.verifyMac({ KeyId: k.Arn, Message: msg, MacAlgorithm: alg, Mac })).MacValid, true, 'MacValid');
      const bad = Uint8Array.from(Mac!);
      bad[5]! ^= 0x40;
      await rejects(lib, kms.verifyMac({ KeyId: k.KeyId, Message: msg, MacAlgorithm: alg, Mac: bad }), 'KMSInvalidMacException');
      await rejects(lib, kms.generateMac({ KeyId: k.KeyId, Message: new Uint8Array(0), MacAlgorithm: alg }), 'ValidationException');
    }
    // RFC 4231 test case 2: key "Jefe", zero-padded to 32 bytes (RFC 2104 pads every key to the block size).
    const id = '00000000-0000-4000-8000-000000004231';
    const key = new Uint8Array(32);
    key.set(utf8('Jefe'));
    const snap = { format: 'kms-core/key-store', version: 1, aliases: [], keys: [{
      KeyId: id, Arn: `arn:aws:kms:us-east-1:111122223333:key/${id}`, AccountId: '111122223333', Region: 'us-east-1', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC',
      Origin: 'AWS_KMS', Description: '', MultiRegion: false, CreationDate: '2026-01-01T00:00:00.000Z', KeyState: 'Enabled', RotationEnabled: false,
      KeyMaterial: [{ KeyMaterialId: 'ab'.repeat(32), Material: toB64(key), CreatedAt: '2026-01-01T00:00:00.000Z' }],
    }] };
    for (const backend of [lib.webBackend, lib.nobleBackend]) {
      const rfc = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify(snap)), backend });
      const { Mac } = await rfc.generateMac({ KeyId: id, Message: utf8('what do ya want for nothing?'), MacAlgorithm: 'HMAC_SHA_256' });
      assertBytes(Mac, fromHex('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'), `RFC 4231 case 2 (${backend.name})`);
    }
  });

  // ── Key agreement: WebCrypto's ECDH is the other party.
  test('ECDH: deriveSharedSecret equals WebCrypto deriveBits from the other side (P-256, P-384), on WebCrypto and noble; bad peer keys → ValidationException', async () => {
    const store = new InMemoryKeyStore();
    const web = new Kms({ keyStore: store });
    const pure = new Kms({ keyStore: store, backend: lib.nobleBackend });
    for (const [spec, curve, bits] of [['ECC_NIST_P256', 'P-256', 256], ['ECC_NIST_P384', 'P-384', 384]] as const) {
      const k = (await web.createKey({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata!;
      assertEq(k.KeyAgreementAlgorithms!.join(','), 'ECDH', 'KeyAgreementAlgorithms');
      const ourSpki = (await web.getPublicKey({ KeyId: k.KeyId })).PublicKey!;
      const peer = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: curve }, true, ['deriveBits'])) as CryptoKeyPair;
      const peerSpki = new Uint8Array(await crypto.subtle.exportKey('spki', peer.publicKey));
      const ours = await crypto.subtle.importKey('spki', ourSpki as Uint8Array<ArrayBuffer>, { name: 'ECDH', namedCurve: curve }, false, []);
      const theirs = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: ours }, peer.privateKey, bits));
      for (const kms of [web, pure]) {
        const r = await kms.deriveSharedSecret({ KeyId: k.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki });
        assertBytes(r.SharedSecret, theirs, `${spec} shared secret`);
        assertEq(r.KeyOrigin, 'AWS_KMS', 'KeyOrigin');
      }
      await rejects(lib, web.deriveSharedSecret({ KeyId: k.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki.subarray(0, peerSpki.length - 1) }), 'ValidationException');
    }
    const signing = (await web.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
    await rejects(lib, web.deriveSharedSecret({ KeyId: signing.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(91) }), 'InvalidKeyUsageException');
  });

  // ── ML-KEM (pure JS, @noble/post-quantum).
  test('ML-KEM: encapsulate → decapsulate on WebCrypto and noble; SPKI sizes; wrong length → InvalidCiphertextException; implicit rejection', async () => {
    const store = new InMemoryKeyStore();
    const web = new Kms({ keyStore: store });
    const pure = new Kms({ keyStore: store, backend: lib.nobleBackend });
    for (const [spec, ct] of [['ML_KEM_512', 768], ['ML_KEM_768', 1088], ['ML_KEM_1024', 1568]] as const) {
      const k = (await web.createKey({ KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata!;
      assertEq(k.EncapsulationAlgorithms!.join(','), 'ML_KEM', 'EncapsulationAlgorithms');
      const e = await web.encapsulate({ KeyId: k.KeyId, EncapsulationAlgorithm: 'ML_KEM' });
      assertEq(e.SharedSecret!.length, 32, 'SharedSecret length');
      assertEq(e.SharedSecretCiphertextBlob!.length, ct, `${spec} ciphertext length`);
      const d = await pure.decapsulate({ KeyId: k.Arn, SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob, EncapsulationAlgorithm: 'ML_KEM' });
      assertBytes(d.SharedSecret, e.SharedSecret!, `${spec} round trip`);
      const flipped = Uint8Array.from(e.SharedSecretCiphertextBlob!);
      flipped[0]! ^= 1;
      const rejected = await web.decapsulate({ KeyId: k.KeyId, SharedSecretCiphertextBlob: flipped, EncapsulationAlgorithm: 'ML_KEM' });
      assertEq(rejected.SharedSecret!.length, 32, 'implicit rejection length');
      assert(!equal(rejected.SharedSecret, e.SharedSecret), 'implicit rejection gives another secret');
      await rejects(lib, web.decapsulate({ KeyId: k.KeyId, SharedSecretCiphertextBlob: new Uint8Array(ct - 1), EncapsulationAlgorithm: 'ML_KEM' }), 'InvalidCiphertextException', '');
    }
  });

  // ── GenerateRandom.
  test('GenerateRandom: 1..1024 bytes; 0, 1025 and no NumberOfBytes → ValidationException; injected random reproduces the bytes', async () => {
    const kms = new Kms();
    assertEq((await kms.generateRandom({ NumberOfBytes: 1 })).Plaintext!.length, 1, '1 byte');
    assertEq((await kms.generateRandom({ NumberOfBytes: 1024 })).Plaintext!.length, 1024, '1024 bytes');
    await rejects(lib, kms.generateRandom({ NumberOfBytes: 0 }), 'ValidationException');
    await rejects(lib, kms.generateRandom({ NumberOfBytes: 1025 }), 'ValidationException');
    await rejects(lib, kms.generateRandom({}), 'ValidationException', 'NumberOfBytes is required.');
    const source = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
    assertBytes((await new Kms({ random: source }).generateRandom({ NumberOfBytes: 40 })).Plaintext, source(40), 'deterministic GenerateRandom');
  });

  // ── ReEncrypt chain sym → RSA → SM2 → sym: one Kms in a China Region holds all three kinds.
  test('reEncrypt chain sym → RSA_2048 → SM2 → sym (cn-north-1), plaintext never returned', async () => {
    const kms = new Kms({ region: 'cn-north-1' });
    const sym = (await kms.createKey()).KeyMetadata!;
    const rsa = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    const sm2 = (await kms.createKey({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!;
    const sym2 = (await kms.createKey()).KeyMetadata!;
    const pt = utf8('the chain: symmetric → RSA → SM2 → symmetric');
    const e = await kms.encrypt({ KeyId: sym.KeyId, Plaintext: pt, EncryptionContext: { hop: '0' } });

    const r1 = await kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: { hop: '0' }, DestinationKeyId: rsa.Arn, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    assert(!('Plaintext' in r1), 'reEncrypt returned a Plaintext');
    assertEq(r1.SourceKeyId, sym.Arn, 'hop 1 SourceKeyId');
    assertEq(r1.KeyId, rsa.Arn, 'hop 1 KeyId');
    assertEq(r1.SourceEncryptionAlgorithm, 'SYMMETRIC_DEFAULT', 'hop 1 SourceEncryptionAlgorithm');
    assertEq(r1.DestinationEncryptionAlgorithm, 'RSAES_OAEP_SHA_256', 'hop 1 DestinationEncryptionAlgorithm');
    assertEq(r1.CiphertextBlob!.length, 256, 'hop 1 RSA ciphertext length');
    // Asymmetric ciphertext is raw: the source key must be named. Without it the blob is read
    // as symmetric (and is not); with an asymmetric algorithm but no key, the input is invalid.
    await rejects(lib, kms.reEncrypt({ CiphertextBlob: r1.CiphertextBlob, DestinationKeyId: sm2.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' }), 'InvalidCiphertextException', '');
    await rejects(
      lib,
      kms.reEncrypt({ CiphertextBlob: r1.CiphertextBlob, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: sm2.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' }),
      'ValidationException',
      /SourceKeyId is required/,
    );

    const r2 = await kms.reEncrypt({
      CiphertextBlob: r1.CiphertextBlob,
      SourceKeyId: rsa.KeyId,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationKeyId: sm2.KeyId,
      DestinationEncryptionAlgorithm: 'SM2PKE',
    });
    assertEq(r2.SourceKeyId, rsa.Arn, 'hop 2 SourceKeyId');
    assertEq(r2.KeyId, sm2.Arn, 'hop 2 KeyId');
    assertEq(r2.DestinationEncryptionAlgorithm, 'SM2PKE', 'hop 2 DestinationEncryptionAlgorithm');

    const r3 = await kms.reEncrypt({ CiphertextBlob: r2.CiphertextBlob, SourceKeyId: sm2.Arn, SourceEncryptionAlgorithm: 'SM2PKE', DestinationKeyId: sym2.KeyId, DestinationEncryptionContext: { hop: '3' } });
    assertEq(r3.SourceKeyId, sm2.Arn, 'hop 3 SourceKeyId');
    assertEq(r3.KeyId, sym2.Arn, 'hop 3 KeyId');
    assertEq(r3.DestinationEncryptionAlgorithm, 'SYMMETRIC_DEFAULT', 'hop 3 DestinationEncryptionAlgorithm');
    assertEq(r3.DestinationKeyMaterialId, (await kms.describeKey({ KeyId: sym2.KeyId })).KeyMetadata!.CurrentKeyMaterialId, 'hop 3 DestinationKeyMaterialId');

    const d = await kms.decrypt({ CiphertextBlob: r3.CiphertextBlob, EncryptionContext: { hop: '3' } });
    assertBytes(d.Plaintext, pt, 'end of the chain');
    assertEq(d.KeyId, sym2.Arn, 'final KeyId');
  });

  // ── Signing keys: Sign / Verify interoperate with WebCrypto (ECDSA, RSASSA-PSS, PKCS#1 v1.5, Ed25519).
  // KMS signatures are DER ECDSA-Sig-Value; WebCrypto's are r ‖ s (IEEE P1363).
  const derToP1363 = (der: Uint8Array, size: number): Uint8Array => {
    assert(der[0] === 0x30, 'ECDSA signature is a DER SEQUENCE');
    let i = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
    const out = new Uint8Array(2 * size);
    for (let k = 0; k < 2; k++) {
      assert(der[i] === 0x02, 'ECDSA signature INTEGER');
      const len = der[i + 1]!;
      let v = der.subarray(i + 2, i + 2 + len);
      while (v.length > size && v[0] === 0) v = v.subarray(1);
      out.set(v, k * size + size - v.length);
      i += 2 + len;
    }
    return out;
  };
  const p1363ToDer = (raw: Uint8Array): Uint8Array => {
    const int = (b: Uint8Array) => {
      let v = b;
      while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
      return v[0]! & 0x80 ? Uint8Array.of(0x02, v.length + 1, 0, ...v) : Uint8Array.of(0x02, v.length, ...v);
    };
    const body = [...int(raw.subarray(0, raw.length / 2)), ...int(raw.subarray(raw.length / 2))];
    return Uint8Array.of(0x30, body.length, ...body);
  };
  /** A Kms whose key `arn` holds a key pair made by WebCrypto (the key store's snapshot, edited). */
  const withPair = (store: InstanceType<typeof InMemoryKeyStore>, arn: string, pkcs8: Uint8Array, spki: Uint8Array, region?: string) => {
    const snap = structuredClone(store.exportSnapshot());
    const k = snap.keys.find((x) => x.Arn === arn)!;
    const m = (k.KeyMaterial as Array<Record<string, unknown>>)[0]!;
    m.Material = toB64(pkcs8);
    m.PublicKey = toB64(spki);
    return new Kms({ region, keyStore: InMemoryKeyStore.fromSnapshot(snap) });
  };

  test('sign/verify ECC_NIST_P256 ECDSA_SHA_256: kms.sign verifies in WebCrypto; a WebCrypto key pair loaded through the snapshot verifies WebCrypto signatures; DIGEST = RAW', async () => {
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store });
    const k = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
    assertEq(k.SigningAlgorithms!.join(','), 'ECDSA_SHA_256', 'SigningAlgorithms');
    const msg = utf8('signed in the browser by kms-core');
    const sig = (await kms.sign({ KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ECDSA_SHA_256' })).Signature!;
    const spki = (await kms.getPublicKey({ KeyId: k.KeyId })).PublicKey!;
    const pub = await crypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const ecdsa = { name: 'ECDSA', hash: 'SHA-256' };
    assert(await crypto.subtle.verify(ecdsa, pub, derToP1363(sig, 32) as Uint8Array<ArrayBuffer>, msg), 'WebCrypto verifies kms.sign');
    assert(!(await crypto.subtle.verify(ecdsa, pub, derToP1363(sig, 32) as Uint8Array<ArrayBuffer>, utf8('another message'))), 'WebCrypto refuses it for another message');
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', msg));
    const dsig = (await kms.sign({ KeyId: k.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })).Signature!;
    assert(await crypto.subtle.verify(ecdsa, pub, derToP1363(dsig, 32) as Uint8Array<ArrayBuffer>, msg), 'the DIGEST-mode signature is one of the message');
    assertEq((await kms.verify({ KeyId: k.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256', Signature: sig })).SignatureValid, true, 'RAW signature verifies as DIGEST');
    const bad = sig.slice();
    bad[bad.length - 1]! ^= 1;
    await rejects(lib, kms.verify({ KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ECDSA_SHA_256', Signature: bad }), 'KMSInvalidSignatureException', '');
    await rejects(lib, kms.sign({ KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ECDSA_SHA_384' }), 'InvalidKeyUsageException', `Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.`);
    await rejects(lib, kms.sign({ KeyId: k.KeyId, Message: new Uint8Array(31), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }), 'ValidationException', 'Digest is invalid length for algorithm ECDSA_SHA_256.');

    const theirs = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', theirs.privateKey));
    const theirSpki = new Uint8Array(await crypto.subtle.exportKey('spki', theirs.publicKey));
    const loaded = withPair(store, k.Arn!, pkcs8, theirSpki);
    const wsig = new Uint8Array(await crypto.subtle.sign(ecdsa, theirs.privateKey, msg));
    assertEq((await loaded.verify({ KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ECDSA_SHA_256', Signature: p1363ToDer(wsig) })).SignatureValid, true, 'kms.verify verifies WebCrypto');
    const ours = (await loaded.sign({ KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ECDSA_SHA_256' })).Signature!;
    assert(await crypto.subtle.verify(ecdsa, theirs.publicKey, derToP1363(ours, 32) as Uint8Array<ArrayBuffer>, msg), 'WebCrypto verifies kms.sign with its own key');
  });

  test('sign/verify RSA_2048 RSASSA_PSS_SHA_256 and RSASSA_PKCS1_V1_5_SHA_256 verify in WebCrypto; ECC_NIST_EDWARDS25519 ED25519_SHA_512 too', async () => {
    const kms = new Kms();
    const r = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
    assertEq([...r.SigningAlgorithms!].sort().join(','), 'RSASSA_PKCS1_V1_5_SHA_256,RSASSA_PKCS1_V1_5_SHA_384,RSASSA_PKCS1_V1_5_SHA_512,RSASSA_PSS_SHA_256,RSASSA_PSS_SHA_384,RSASSA_PSS_SHA_512', 'RSA SigningAlgorithms');
    const msg = utf8('RSA in the browser');
    const spki = (await kms.getPublicKey({ KeyId: r.KeyId })).PublicKey! as Uint8Array<ArrayBuffer>;
    for (const [alg, params] of [
      ['RSASSA_PSS_SHA_256', { name: 'RSA-PSS', saltLength: 32 }],
      ['RSASSA_PKCS1_V1_5_SHA_256', { name: 'RSASSA-PKCS1-v1_5' }],
    ] as const) {
      const sig = (await kms.sign({ KeyId: r.KeyId, Message: msg, SigningAlgorithm: alg })).Signature!;
      assertEq(sig.length, 256, `${alg} signature length`);
      const key = await crypto.subtle.importKey('spki', spki, { name: params.name, hash: 'SHA-256' }, false, ['verify']);
      assert(await crypto.subtle.verify(params, key, sig as Uint8Array<ArrayBuffer>, msg), `WebCrypto verifies ${alg}`);
      assertEq((await kms.verify({ KeyId: r.Arn, Message: msg, SigningAlgorithm: alg, Signature: sig })).SignatureValid, true, `kms.verify ${alg}`);
    }
    const e = (await kms.createKey({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
    const esig = (await kms.sign({ KeyId: e.KeyId, Message: msg, SigningAlgorithm: 'ED25519_SHA_512' })).Signature!;
    assertEq(esig.length, 64, 'Ed25519 signature length');
    const espki = (await kms.getPublicKey({ KeyId: e.KeyId })).PublicKey! as Uint8Array<ArrayBuffer>;
    const ekey = await crypto.subtle.importKey('spki', espki, { name: 'Ed25519' }, false, ['verify']);
    assert(await crypto.subtle.verify({ name: 'Ed25519' }, ekey, esig as Uint8Array<ArrayBuffer>, msg), 'WebCrypto verifies Ed25519');
    await rejects(lib, kms.sign({ KeyId: e.KeyId, Message: new Uint8Array(64), MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_SHA_512' }), 'ValidationException', 'Message type DIGEST is incompatible with algorithm ED25519_SHA_512.');
  });

  test('sign/verify on the pure-JS paths: ML_DSA_44 (RAW, EXTERNAL_MU), ECC_SECG_P256K1, SM2DSA (cn-north-1), Ed25519ph; nobleBackend verifies what WebCrypto signed', async () => {
    const store = new InMemoryKeyStore();
    const web = new Kms({ region: 'cn-north-1', keyStore: store });
    const pure = new Kms({ region: 'cn-north-1', keyStore: store, backend: lib.nobleBackend });
    const msg = utf8('pure JS signatures');
    for (const [spec, alg, message, type] of [
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', msg, 'RAW'],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', new Uint8Array(64).fill(9), 'EXTERNAL_MU'],
      ['ECC_SECG_P256K1', 'ECDSA_SHA_256', msg, 'RAW'],
      ['SM2', 'SM2DSA', msg, 'RAW'],
      ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', new Uint8Array(64).fill(1), 'DIGEST'],
    ] as const) {
      const k = (await web.createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
      const sig = (await web.sign({ KeyId: k.KeyId, Message: message, MessageType: type, SigningAlgorithm: alg })).Signature!;
      assertEq((await pure.verify({ KeyId: k.KeyId, Message: message, MessageType: type, SigningAlgorithm: alg, Signature: sig })).SignatureValid, true, `${spec} ${alg} ${type}: noble verifies`);
      const back = (await pure.sign({ KeyId: k.KeyId, Message: message, MessageType: type, SigningAlgorithm: alg })).Signature!;
      assertEq((await web.verify({ KeyId: k.KeyId, Message: message, MessageType: type, SigningAlgorithm: alg, Signature: back })).SignatureValid, true, `${spec} ${alg} ${type}: WebCrypto verifies noble`);
      const flipped = message.slice();
      flipped[0]! ^= 0x80;
      await rejects(lib, web.verify({ KeyId: k.KeyId, Message: flipped, MessageType: type, SigningAlgorithm: alg, Signature: sig }), 'KMSInvalidSignatureException', '');
    }
    await rejects(lib, new Kms().createKey({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }), 'UnsupportedOperationException');
  });

  test('generateDataKeyPair ECC_NIST_P256: WebCrypto imports the PKCS#8 and SPKI and they pair; decrypt(PrivateKeyCiphertextBlob) = PrivateKeyPlaintext; reEncrypt moves it; WithoutPlaintext', async () => {
    const kms = new Kms();
    const a = (await kms.createKey()).KeyMetadata!;
    const b = (await kms.createKey()).KeyMetadata!;
    const out = await kms.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { use: 'browser' } });
    assertEq(out.KeyPairSpec, 'ECC_NIST_P256', 'KeyPairSpec');
    assertEq(out.KeyId, a.Arn, 'KeyId');
    assertEq(out.KeyMaterialId, a.CurrentKeyMaterialId, 'KeyMaterialId');
    const ecdsa = { name: 'ECDSA', hash: 'SHA-256' };
    const sk = await crypto.subtle.importKey('pkcs8', out.PrivateKeyPlaintext! as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const pk = await crypto.subtle.importKey('spki', out.PublicKey! as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const sig = await crypto.subtle.sign(ecdsa, sk, utf8('data key pair'));
    assert(await crypto.subtle.verify(ecdsa, pk, sig, utf8('data key pair')), 'the private and public keys belong together');
    const d = await kms.decrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: { use: 'browser' } });
    assertBytes(d.Plaintext, out.PrivateKeyPlaintext!, 'decrypted private key');
    await rejects(lib, kms.decrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob }), 'InvalidCiphertextException', '');
    const re = await kms.reEncrypt({ CiphertextBlob: out.PrivateKeyCiphertextBlob, SourceEncryptionContext: { use: 'browser' }, DestinationKeyId: b.KeyId });
    assertEq(re.KeyId, b.Arn, 'reEncrypt destination');
    assertBytes((await kms.decrypt({ CiphertextBlob: re.CiphertextBlob })).Plaintext, out.PrivateKeyPlaintext!, 'private key after reEncrypt');
    const w = await kms.generateDataKeyPairWithoutPlaintext({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_EDWARDS25519' });
    assert(!('PrivateKeyPlaintext' in w), 'WithoutPlaintext returned a PrivateKeyPlaintext');
    const wpk = (await kms.decrypt({ CiphertextBlob: w.PrivateKeyCiphertextBlob })).Plaintext!;
    const edk = await crypto.subtle.importKey('pkcs8', wpk as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['sign']);
    const edpub = await crypto.subtle.importKey('spki', w.PublicKey! as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
    assert(await crypto.subtle.verify({ name: 'Ed25519' }, edpub, await crypto.subtle.sign({ name: 'Ed25519' }, edk, utf8('x')), utf8('x')), 'Ed25519 data key pair belongs together');
    const signer = (await kms.createKey({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
    await rejects(lib, kms.generateDataKeyPair({ KeyId: signer.KeyId, KeyPairSpec: 'RSA_2048' }), 'InvalidKeyUsageException', `${signer.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair.`);
    await rejects(lib, kms.generateDataKeyPair({ KeyId: a.KeyId, KeyPairSpec: 'SM2' }), 'UnsupportedOperationException', 'KeyPairSpec SM2 is not supported in this Region');
  });

  // ── AWS error names, checked with instanceof KmsError and .name.
  test('errors: IncorrectKeyException, InvalidCiphertextException, ValidationException, DisabledException, NotFoundException, AccessDeniedException', async () => {
    const kms = new Kms();
    const a = (await kms.createKey()).KeyMetadata!;
    const b = (await kms.createKey()).KeyMetadata!;
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: utf8('secret'), EncryptionContext: { k: 'v' } });

    await rejects(lib, kms.decrypt({ CiphertextBlob: e.CiphertextBlob, KeyId: b.KeyId, EncryptionContext: { k: 'v' } }), 'IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    await rejects(lib, kms.reEncrypt({ CiphertextBlob: e.CiphertextBlob, SourceKeyId: b.Arn, SourceEncryptionContext: { k: 'v' }, DestinationKeyId: b.KeyId }), 'IncorrectKeyException');

    const tampered = e.CiphertextBlob!.slice();
    const last = tampered.length - 1;
    tampered[last] = tampered[last]! ^ 1;
    await rejects(lib, kms.decrypt({ CiphertextBlob: tampered, EncryptionContext: { k: 'v' } }), 'InvalidCiphertextException', '');
    await rejects(lib, kms.decrypt({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { k: 'w' } }), 'InvalidCiphertextException', '');
    await rejects(lib, kms.decrypt({ CiphertextBlob: e.CiphertextBlob }), 'InvalidCiphertextException', '');
    // {"ab":"c"} never authenticates as {"a":"bc"}.
    const ab = await kms.encrypt({ KeyId: a.KeyId, Plaintext: utf8('x'), EncryptionContext: { ab: 'c' } });
    await rejects(lib, kms.decrypt({ CiphertextBlob: ab.CiphertextBlob, EncryptionContext: { a: 'bc' } }), 'InvalidCiphertextException', '');
    await rejects(lib, kms.decrypt({ CiphertextBlob: utf8('not a kms-core blob, not at all, and long enough to pass the length check ..........................') }), 'InvalidCiphertextException', '');

    await rejects(
      lib,
      kms.encrypt({ KeyId: a.KeyId, Plaintext: new Uint8Array(4097) }),
      'ValidationException',
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
    await rejects(lib, kms.encrypt({ KeyId: a.KeyId, Plaintext: new Uint8Array(0) }), 'ValidationException');
    await rejects(lib, kms.generateDataKey({ KeyId: a.KeyId }), 'ValidationException');

    await kms.disableKey({ KeyId: a.KeyId });
    await rejects(lib, kms.decrypt({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { k: 'v' } }), 'DisabledException', `${a.Arn} is disabled.`);
    await kms.enableKey({ KeyId: a.KeyId });

    await rejects(lib, kms.describeKey({ KeyId: '00000000-0000-0000-0000-000000000000' }), 'NotFoundException');
    const other = new Kms({ accountId: '444455556666' });
    await rejects(lib, other.decrypt({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { k: 'v' } }), 'AccessDeniedException');

    const dry = kms.encrypt({ KeyId: a.KeyId, Plaintext: utf8('x'), DryRun: true });
    await rejects(lib, dry, 'DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
  });

  test('errors: no message or property holds the plaintext', async () => {
    const kms = new Kms();
    const a = (await kms.createKey()).KeyMetadata!;
    const secret = 'TOP-SECRET-PLAINTEXT-9f2c';
    const e = await kms.encrypt({ KeyId: a.KeyId, Plaintext: utf8(secret), EncryptionContext: { k: 'v' } });
    for (const p of [
      kms.decrypt({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { k: 'x' } }),
      kms.encrypt({ KeyId: 'alias/missing', Plaintext: utf8(secret) }),
      kms.encrypt({ KeyId: a.KeyId, Plaintext: utf8(secret.repeat(200)) }),
    ]) {
      try {
        await p;
        assert(false, 'expected a failure');
      } catch (err) {
        assert(err instanceof lib.KmsError, 'not a KmsError');
        const seen = JSON.stringify({ ...err, message: err.message, stack: err.stack });
        assert(!seen.includes(secret), `${err.name} leaks the plaintext`);
      }
    }
  });

  // ── Deterministic mode: the same call sequence gives the bytes Node computed.
  test('deterministic mode: injected random and now give byte-identical outputs to Node (node:crypto)', async () => {
    deterministic = await deterministicSequence(lib, input.deterministic.rsaSnapshot);
    const expected = input.deterministic.expected;
    const names = Object.keys(expected);
    assert(names.length >= 10, `only ${names.length} expected outputs`);
    assertEq(Object.keys(deterministic).join(','), names.join(','), 'output names');
    for (const n of names) {
      const got = String(deterministic[n]);
      const want = String(expected[n]);
      if (got === want) continue;
      let i = 0;
      while (i < got.length && got[i] === want[i]) i++;
      assert(false, `${n} differs from Node at hex offset ${i} (length ${got.length} vs ${want.length}): …${got.slice(i, i + 24)}… vs …${want.slice(i, i + 24)}…`);
    }
  });

  const results: TestResult[] = [];
  for (const [name, fn] of tests) {
    const t0 = performance.now();
    try {
      await fn();
      results.push({ name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      const err = e as { name?: string; message?: string; stack?: string };
      const msg = `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
      const stack = typeof err?.stack === 'string' ? err.stack.split('\n').slice(1, 6).join('\n') : '';
      results.push({ name, ok: false, ms: Math.round(performance.now() - t0), error: stack ? `${msg}\n${stack}` : msg });
    }
  }

  const g = globalThis as { isSecureContext?: boolean; navigator?: { userAgent?: string } };
  return {
    runtime: { kind, userAgent: g.navigator?.userAgent ?? 'unknown', secureContext: typeof g.isSecureContext === 'boolean' ? g.isSecureContext : null, nodeGlobals },
    results,
    deterministic,
  };
}
