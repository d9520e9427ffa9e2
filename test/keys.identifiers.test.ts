/**
 * Key identifiers: key ID, key ARN, alias name and alias ARN; accounts sharing one store; malformed
 * and foreign identifiers.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { InMemoryKeyStore, Kms, type KeyMetadata } from '../src/index.js';
import { dec, enc } from './helpers/index.js';
import { ACCOUNT_A, ACCOUNT_B, describe_, newKey, refuses } from './helpers/keys.js';

const CIPHERTEXT_KEY_INACCESSIBLE =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';

describe('the four identifier forms', () => {
  let kms: Kms;
  let key: KeyMetadata;
  let forms: Record<string, string>;

  beforeAll(async () => {
    kms = new Kms();
    key = await newKey(kms);
    await newKey(kms); // a second key, so that nothing resolves by accident
    await kms.createAlias({ AliasName: 'alias/app/orders', TargetKeyId: key.KeyId });
    forms = {
      'key ID': key.KeyId,
      'key ARN': key.Arn as string,
      'alias name': 'alias/app/orders',
      'alias ARN': `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/app/orders`,
    };
  });

  test.each(['key ID', 'key ARN', 'alias name', 'alias ARN'])('the %s reaches the key in describeKey and encrypt; responses name the key ARN', async (form) => {
    const id = forms[form] as string;
    expect((await describe_(kms, id)).Arn).toBe(key.Arn);
    const { CiphertextBlob, KeyId } = await kms.encrypt({ KeyId: id, Plaintext: enc(form) });
    expect(KeyId).toBe(key.Arn);
    const out = await kms.decrypt({ CiphertextBlob, KeyId: id });
    expect(out.KeyId).toBe(key.Arn);
    expect(dec(out.Plaintext)).toBe(form);
  });

  test('describeKey by alias returns the key metadata, KeyId the bare key ID', async () => {
    const md = await describe_(kms, 'alias/app/orders');
    expect(md.KeyId).toBe(key.KeyId);
    expect(md).toEqual(await describe_(kms, key.KeyId));
  });

  test('key IDs and the key part of a key ARN match case-insensitively', async () => {
    expect((await describe_(kms, key.KeyId.toUpperCase())).Arn).toBe(key.Arn);
    expect((await describe_(kms, `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/${key.KeyId.toUpperCase()}`)).Arn).toBe(key.Arn);
  });
});

describe('malformed and unknown identifiers', () => {
  test.each(['not-a-key', '134f2428cec14b25a1ae9048164dba47', 'mrk-fake-key-id', '1234abcd-12ab-34cd-56ef-1234567890a', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'])(
    'Precondition: the identifier is one of the forms the operation accepts — the malformed id %j is NotFoundException "Invalid keyId \'<id>\'"',
    async (id) => {
      const kms = new Kms();
      await newKey(kms);
      await refuses(kms.describeKey({ KeyId: id }), 'NotFoundException', `Invalid keyId '${id}'`);
      await refuses(kms.encrypt({ KeyId: id, Plaintext: enc('x') }), 'NotFoundException', `Invalid keyId '${id}'`);
    },
  );

  test('a well-formed but unknown key ID or mrk ID is NotFoundException naming the full key ARN', async () => {
    const kms = new Kms();
    for (const id of ['1234abcd-12ab-34cd-56ef-1234567890ab', 'mrk-1234abcd12ab34cd56ef1234567890ab']) {
      await refuses(kms.describeKey({ KeyId: id }), 'NotFoundException', `Key 'arn:aws:kms:us-east-1:${ACCOUNT_A}:key/${id}' does not exist`);
      await refuses(kms.describeKey({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/${id}` }), 'NotFoundException', `Key 'arn:aws:kms:us-east-1:${ACCOUNT_A}:key/${id}' does not exist`);
    }
  });

  test('an unknown alias name or alias ARN is NotFoundException naming the alias ARN', async () => {
    const kms = new Kms();
    const msg = `Alias arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/nope is not found.`;
    await refuses(kms.describeKey({ KeyId: 'alias/nope' }), 'NotFoundException', msg);
    await refuses(kms.encrypt({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/nope`, Plaintext: enc('x') }), 'NotFoundException', msg);
  });

  test('a key ARN or alias ARN of another Region is NotFoundException "Invalid arn <region>"', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    await kms.createAlias({ AliasName: 'alias/here', TargetKeyId: key.KeyId });
    await refuses(kms.describeKey({ KeyId: `arn:aws:kms:us-west-2:${ACCOUNT_A}:key/${key.KeyId}` }), 'NotFoundException', 'Invalid arn us-west-2');
    await refuses(kms.encrypt({ KeyId: `arn:aws:kms:eu-west-1:${ACCOUNT_A}:alias/here`, Plaintext: enc('x') }), 'NotFoundException', 'Invalid arn eu-west-1');
  });

  test('a key of another Region in the same store is not reached by its key ID', async () => {
    const store = new InMemoryKeyStore();
    const east = new Kms({ keyStore: store, region: 'us-east-1' });
    const west = new Kms({ keyStore: store, region: 'us-west-2' });
    const key = await newKey(east);
    await refuses(west.describeKey({ KeyId: key.KeyId }), 'NotFoundException', `Key 'arn:aws:kms:us-west-2:${ACCOUNT_A}:key/${key.KeyId}' does not exist`);
    expect((await west.listKeys()).Keys).toEqual([]);
  });

  test('an empty KeyId or one longer than 2048 characters is a ValidationException', async () => {
    const kms = new Kms();
    await refuses(kms.describeKey({ KeyId: '' }), 'ValidationException', "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1");
    await refuses(kms.describeKey({ KeyId: 'alias/' + 'a'.repeat(2043) }), 'ValidationException', /at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048$/);
    await refuses(kms.describeKey({ KeyId: undefined }), 'ValidationException', "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  });

  test('any string as KeyId gives an AWS-named client error, never a bare Error, never another key', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }), async (id) => {
        fc.pre(id.toLowerCase() !== key.KeyId && !id.toLowerCase().endsWith(`:key/${key.KeyId}`));
        await refuses(kms.describeKey({ KeyId: id }), 'NotFoundException');
      }),
      { numRuns: 300 },
    );
  });
});

describe('two accounts sharing one store', () => {
  let store: InMemoryKeyStore;
  let a: Kms;
  let b: Kms;
  let keyA: KeyMetadata;
  let keyB: KeyMetadata;
  let blobA: Uint8Array;

  beforeAll(async () => {
    store = new InMemoryKeyStore();
    a = new Kms({ keyStore: store, accountId: ACCOUNT_A });
    b = new Kms({ keyStore: store, accountId: ACCOUNT_B });
    keyA = await newKey(a, { Description: 'A' });
    keyB = await newKey(b, { Description: 'B' });
    await a.createAlias({ AliasName: 'alias/shared', TargetKeyId: keyA.KeyId });
    await a.createAlias({ AliasName: 'alias/only-a', TargetKeyId: keyA.KeyId });
    await b.createAlias({ AliasName: 'alias/shared', TargetKeyId: keyB.KeyId });
    blobA = (await a.encrypt({ KeyId: keyA.KeyId, Plaintext: enc('secret of A') })).CiphertextBlob as Uint8Array;
  });

  test("a short key ID never reaches another account's key: NotFoundException in the caller's account", async () => {
    await refuses(b.describeKey({ KeyId: keyA.KeyId }), 'NotFoundException', `Key 'arn:aws:kms:us-east-1:${ACCOUNT_B}:key/${keyA.KeyId}' does not exist`);
    await refuses(b.encrypt({ KeyId: keyA.KeyId, Plaintext: enc('x') }), 'NotFoundException');
    await refuses(b.disableKey({ KeyId: keyA.KeyId }), 'NotFoundException');
    await refuses(b.scheduleKeyDeletion({ KeyId: keyA.KeyId }), 'NotFoundException');
    expect((await describe_(a, keyA.KeyId)).KeyState).toBe('Enabled');
  });

  test("an alias name never reaches another account's key: the same name resolves in each caller's account", async () => {
    expect((await describe_(a, 'alias/shared')).Arn).toBe(keyA.Arn);
    expect((await describe_(b, 'alias/shared')).Arn).toBe(keyB.Arn);
    await refuses(b.describeKey({ KeyId: 'alias/only-a' }), 'NotFoundException', `Alias arn:aws:kms:us-east-1:${ACCOUNT_B}:alias/only-a is not found.`);
    expect((await b.encrypt({ KeyId: 'alias/shared', Plaintext: enc('x') })).KeyId).toBe(keyB.Arn);
  });

  test("another account's key ARN is refused with AccessDeniedException (the default key policy trusts only the owner)", async () => {
    const denied = (action: string) =>
      `User: arn:aws:iam::${ACCOUNT_B}:root is not authorized to perform: kms:${action} on resource: ${keyA.Arn} because no resource-based policy allows the kms:${action} action`;
    await refuses(b.encrypt({ KeyId: keyA.Arn as string, Plaintext: enc('x') }), 'AccessDeniedException', denied('Encrypt'));
    await refuses(b.describeKey({ KeyId: keyA.Arn as string }), 'AccessDeniedException', denied('DescribeKey'));
    await refuses(b.disableKey({ KeyId: keyA.Arn as string }), 'AccessDeniedException', denied('DisableKey'));
    await refuses(b.scheduleKeyDeletion({ KeyId: keyA.Arn as string }), 'AccessDeniedException', denied('ScheduleKeyDeletion'));
    await refuses(b.rotateKeyOnDemand({ KeyId: keyA.Arn as string }), 'AccessDeniedException', denied('RotateKeyOnDemand'));
    await refuses(b.createAlias({ AliasName: 'alias/steal', TargetKeyId: keyA.Arn as string }), 'AccessDeniedException');
    expect((await describe_(a, keyA.KeyId)).KeyState).toBe('Enabled');
    expect(((await b.listAliases()).Aliases ?? []).map((x) => x.AliasName)).toEqual(['alias/shared']);
  });

  test("another account's alias ARN is refused with AccessDeniedException", async () => {
    await refuses(b.encrypt({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/only-a`, Plaintext: enc('x') }), 'AccessDeniedException', /kms:Encrypt on resource: arn:aws:kms:us-east-1:111122223333:key\//);
  });

  test("another account's ciphertext does not decrypt: AccessDeniedException without KeyId, and with A's key ARN", async () => {
    await refuses(b.decrypt({ CiphertextBlob: blobA }), 'AccessDeniedException', CIPHERTEXT_KEY_INACCESSIBLE);
    await refuses(b.decrypt({ CiphertextBlob: blobA, KeyId: keyA.Arn }), 'AccessDeniedException');
    expect(dec((await a.decrypt({ CiphertextBlob: blobA })).Plaintext)).toBe('secret of A');
  });

  test("listKeys and listAliases show only the caller's account", async () => {
    expect(((await a.listKeys()).Keys ?? []).map((k) => k.KeyArn)).toEqual([keyA.Arn]);
    expect(((await b.listKeys()).Keys ?? []).map((k) => k.KeyArn)).toEqual([keyB.Arn]);
    expect(((await a.listAliases()).Aliases ?? []).map((x) => x.AliasArn)).toEqual([
      `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/only-a`,
      `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/shared`,
    ]);
    expect(((await b.listAliases()).Aliases ?? []).map((x) => x.AliasArn)).toEqual([`arn:aws:kms:us-east-1:${ACCOUNT_B}:alias/shared`]);
  });

  test("deleting an alias in one account leaves the other account's alias of the same name", async () => {
    await b.createAlias({ AliasName: 'alias/tmp', TargetKeyId: keyB.KeyId });
    await a.createAlias({ AliasName: 'alias/tmp', TargetKeyId: keyA.KeyId });
    await b.deleteAlias({ AliasName: 'alias/tmp' });
    expect((await describe_(a, 'alias/tmp')).Arn).toBe(keyA.Arn);
    await refuses(b.describeKey({ KeyId: 'alias/tmp' }), 'NotFoundException');
    await a.deleteAlias({ AliasName: 'alias/tmp' });
  });
});

describe('parseKeyRef: the key-ID fast path agrees with the UUID form', () => {
  const UUID_FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const uuidLike = fc.uuid().map((u) => u.toLowerCase());
  // Strings near the UUID form: a UUID with one character replaced (a dash moved or lost, an
  // uppercase or non-hex character, the characters just outside 0-9 and a-f), cut or extended.
  const chars = '0123456789abcdefABCDEF-g/:`@G '.split('');
  const near = fc
    .tuple(uuidLike, fc.nat(35), fc.constantFrom(...chars), fc.constantFrom('', 'a', '-'), fc.boolean())
    .map(([u, i, c, extra, cut]) => (cut ? u.slice(0, 35) : u.slice(0, i) + c + u.slice(i + 1) + extra));

  test('every string is a key ID exactly when it is a UUID (lowercased) or an mrk- ID', async () => {
    const { parseKeyRef } = await import('../src/keys/arn.js');
    fc.assert(
      fc.property(fc.oneof(near, uuidLike, uuidLike.map((u) => u.toUpperCase())), (s) => {
        const ref = parseKeyRef(s);
        const lower = s.toLowerCase();
        if (UUID_FORM.test(lower)) expect(ref).toEqual({ kind: 'keyId', keyId: lower });
        else expect(ref?.kind === 'keyId').toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});
