/**
 * Labelled guards of the operations layer, the Kms facade, validation and the in-memory store
 * that no other suite reaches: each test gives the input its guard refuses and checks the
 * guard's own error, so it fails when the guard is removed (issue 13, Deliver 5).
 */
import { describe, expect, test } from 'vitest';
import { keySpecInfo } from '../src/algorithms/registry.js';
import { InMemoryKeyStore, KMSInternalException, Kms, type KeyRecord } from '../src/index.js';
import { contextOf } from '../src/kms.js';
import type { KeySpec } from '../src/keys/record.js';
import { OPERATIONS, SHAPES } from '../src/model/shapes.js';
import { notImplementedMessage } from '../src/operations/implemented.js';
import { RECIPIENT_UNSUPPORTED } from '../src/operations/messages.js';
import { newVersion } from '../src/operations/resolve.js';
import { runOperation } from '../src/operations/run.js';
import { OPERATION_TABLE } from '../src/operations/table.js';
import { validateInput } from '../src/validate.js';
import { enc, refuses } from './helpers/index.js';
import { keyInState, newKey } from './helpers/keys.js';

const RECIPIENT = { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(16) } as const;

describe('request checks', () => {
  test('Precondition: no Recipient (Nitro Enclaves attestation is not modelled) — Decrypt and GenerateDataKey with a Recipient are UnsupportedOperationException', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId, Plaintext: enc('x') });
    await refuses(kms.decrypt({ CiphertextBlob, Recipient: RECIPIENT }), 'UnsupportedOperationException', RECIPIENT_UNSUPPORTED);
    await refuses(kms.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256', Recipient: RECIPIENT }), 'UnsupportedOperationException', RECIPIENT_UNSUPPORTED);
    expect((await kms.decrypt({ CiphertextBlob })).KeyId).toBe(key.Arn);
  });

  test('Precondition: grants name IAM principals, not AWS service principals — GranteeServicePrincipal and RetiringServicePrincipal are UnsupportedOperationException', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    const base = { KeyId: key.KeyId, Operations: ['Decrypt' as const] };
    for (const extra of [{ GranteeServicePrincipal: 'cloudtrail.amazonaws.com' }, { GranteePrincipal: kms.principal, RetiringServicePrincipal: 'cloudtrail.amazonaws.com' }]) {
      await refuses(kms.createGrant({ ...base, ...extra }), 'UnsupportedOperationException', /AWS service principals/);
    }
    expect((await kms.listGrants({ KeyId: key.KeyId })).Grants).toEqual([]);
  });

  test('Precondition: a grant has a grantee — CreateGrant without GranteePrincipal is the model ValidationException', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    await refuses(
      kms.createGrant({ KeyId: key.KeyId, Operations: ['Decrypt'] }),
      'ValidationException',
      "1 validation error detected: Value null at 'granteePrincipal' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('CreateKey', () => {
  test('Precondition: imported key material (Origin EXTERNAL) only for the key specs AWS imports (src/algorithms/importable.ts) — an ML-DSA key with Origin EXTERNAL is UnsupportedOperationException', async () => {
    const kms = new Kms();
    await refuses(kms.createKey({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }), 'UnsupportedOperationException', /Origin EXTERNAL/);
    expect((await kms.listKeys()).Keys).toEqual([]);
    expect((await kms.createKey({ Origin: 'EXTERNAL' })).KeyMetadata?.KeyState).toBe('PendingImport');
  });
});

describe('rotation', () => {
  test('Precondition: keys with imported key material have no automatic rotation (key-state table, footnote 7) — EnableKeyRotation of an Enabled EXTERNAL key is UnsupportedOperationException', async () => {
    const { kms, arn } = await keyInState('Enabled', (k) => {
      k.Origin = 'EXTERNAL';
    });
    await refuses(kms.enableKeyRotation({ KeyId: arn }), 'UnsupportedOperationException', `${arn} origin is EXTERNAL which is not valid for this operation.`);
    await refuses(kms.getKeyRotationStatus({ KeyId: arn }), 'UnsupportedOperationException', `${arn} origin is EXTERNAL which is not valid for this operation.`);
    expect((await kms.describeKey({ KeyId: arn })).KeyMetadata?.Origin).toBe('EXTERNAL');
  });

  test('Precondition: only a key spec that rotates gets new material versions — an RSA key gets no next version', async () => {
    const kms = new Kms();
    const md = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata;
    const sym = await newKey(kms);
    const ctx = contextOf(kms);
    const rec = (await kms.keyStore.getKey(md?.Arn as string)) as KeyRecord;
    expect(() => newVersion(ctx, rec)).toThrowError(expect.objectContaining({ name: 'UnsupportedOperationException', message: `${rec.arn} key spec RSA_2048 does not support rotation.` }));
    const next = newVersion(ctx, (await kms.keyStore.getKey(sym.Arn as string)) as KeyRecord)(0);
    expect(next.material.length).toBe(32);
  });
});

describe('the runner and the facade', () => {
  test('Precondition: kms-core implements the operation — a row without a handler is UnsupportedOperationException naming it', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    const row = { ...OPERATION_TABLE.DescribeKey, handler: undefined } as never;
    await refuses(runOperation(contextOf(kms), row, { KeyId: key.KeyId }), 'UnsupportedOperationException', notImplementedMessage('DescribeKey'));
    expect((await runOperation(contextOf(kms), OPERATION_TABLE.DescribeKey, { KeyId: key.KeyId })).KeyMetadata?.Arn).toBe(key.Arn);
  });

  test('Precondition: a Kms made by its constructor or as() — anything else is KMSInternalException, never a TypeError', () => {
    const kms = new Kms();
    expect(contextOf(kms)).toBe(contextOf(kms));
    expect(contextOf(kms.as(`arn:aws:iam::${kms.accountId}:role/App`))).not.toBe(contextOf(kms));
    for (const fake of [{}, Object.create(Kms.prototype), Object.create(kms)]) {
      expect(() => contextOf(fake as Kms)).toThrowError(new KMSInternalException('Not a kms-core Kms instance.'));
    }
  });

  test('Precondition: only operations of the model are validated — a name outside the model is refused, not validated against nothing', () => {
    expect(() => validateInput('LaunchMissiles' as never, {})).toThrow(/operation LaunchMissiles not in the model/);
    expect(validateInput('ListKeys', {})).toEqual({});
  });
});

describe('invariants behind the model lookups (guards no request reaches)', () => {
  test('every KeySpec of the model has a key-spec row, so CreateKey and seeds never meet an unimplemented spec', () => {
    expect((SHAPES.KeySpec?.enum ?? []).filter((s) => keySpecInfo(s as KeySpec) === undefined)).toEqual([]);
  });

  test('every shape the generated model references is in the model (validate.ts and protocol/wire.ts look them up)', () => {
    const missing: string[] = [];
    const need = (name: string | undefined, from: string) => {
      if (name !== undefined && !Object.hasOwn(SHAPES, name)) missing.push(`${from} → ${name}`);
    };
    for (const [name, op] of Object.entries(OPERATIONS)) need(op.input, name);
    for (const [name, shape] of Object.entries(SHAPES)) {
      for (const [m, ref] of Object.entries(shape.members ?? {})) need(ref, `${name}.${m}`);
      need(shape.member, `${name}[]`);
      need(shape.key, `${name} key`);
      need(shape.value, `${name} value`);
    }
    expect(missing).toEqual([]);
  });

  test('the operation table has exactly the operations of the model', () => {
    expect(Object.keys(OPERATION_TABLE).sort()).toEqual(Object.keys(OPERATIONS).sort());
    for (const [name, row] of Object.entries(OPERATION_TABLE)) expect(row.name).toBe(name);
  });
});

describe('InMemoryKeyStore', () => {
  test('Precondition: only InMemoryKeyStore instances (or objects delegating to one) have maps — its methods on another object are refused', async () => {
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store });
    const key = await newKey(kms);
    expect(Object.create(store).getKey(key.Arn)?.keyId).toBe(key.KeyId);
    const foreign = Object.create(InMemoryKeyStore.prototype) as InMemoryKeyStore;
    expect(() => foreign.getKey(key.Arn as string)).toThrow('kms-core: not an InMemoryKeyStore');
    expect(() => foreign.listAliases('us-east-1', kms.accountId)).toThrow('kms-core: not an InMemoryKeyStore');
  });

  test('Precondition: key IDs are unique within an account and region — InMemoryKeyStore.createKey of an existing ARN is refused and keeps the record', async () => {
    const store = new InMemoryKeyStore();
    const key = await newKey(new Kms({ keyStore: store }), { Description: 'first' });
    const rec = store.getKey(key.Arn as string) as KeyRecord;
    expect(() => store.createKey({ ...rec, description: 'second' })).toThrow(`kms-core: duplicate key ${key.Arn}`);
    expect(store.getKey(key.Arn as string)?.description).toBe('first');
  });
});
