/**
 * The operation table (src/operations/table.ts) as AWS documents each operation:
 * - 12.9: which identifier forms each KeyId-like member accepts ("Specify the key ID or key ARN"
 *   → an alias name or alias ARN is NotFoundException, as AWS answers), one test per operation;
 * - 12.10: its row of the key-state table, checked before anything about key spec, usage or
 *   origin, one test per operation and state;
 * - the table itself: all 56 operations, each implemented row routed, each missing one refused.
 */
import { describe, expect, test } from 'vitest';
import { KEY_STATES } from '../src/keys/record.js';
import type { KeyState } from '../src/keys/record.js';
import { OPERATIONS } from '../src/model/shapes.js';
import { OPERATION_TABLE, IMPLEMENTED_OPERATIONS } from '../src/operations/table.js';
import type { StateOutcome } from '../src/operations/key-states.js';
import { Kms, KmsError, defaultKeyPolicy, routedOperations } from '../src/index.js';
import { enc, outcomeOf } from './helpers/index.js';
import { keyInState, newKey, refuses } from './helpers/keys.js';

const ROLE = 'arn:aws:iam::111122223333:role/R';
const GRANT_ID = '0'.repeat(64);

type Sample = (key: string, blob: Uint8Array) => Record<string, unknown>;

/** A request of each implemented operation about key `key` (member by member as the table names them). */
const SAMPLES: Partial<Record<string, Sample>> = {
  DescribeKey: (k) => ({ KeyId: k }),
  EnableKey: (k) => ({ KeyId: k }),
  DisableKey: (k) => ({ KeyId: k }),
  ScheduleKeyDeletion: (k) => ({ KeyId: k, PendingWindowInDays: 7 }),
  CancelKeyDeletion: (k) => ({ KeyId: k }),
  GetKeyPolicy: (k) => ({ KeyId: k }),
  PutKeyPolicy: (k) => ({ KeyId: k, Policy: defaultKeyPolicy('aws', '111122223333'), BypassPolicyLockoutSafetyCheck: true }),
  CreateGrant: (k) => ({ KeyId: k, GranteePrincipal: ROLE, Operations: ['Decrypt'] }),
  ListGrants: (k) => ({ KeyId: k }),
  RevokeGrant: (k) => ({ KeyId: k, GrantId: GRANT_ID }),
  RetireGrant: (k) => ({ KeyId: k, GrantId: GRANT_ID }),
  EnableKeyRotation: (k) => ({ KeyId: k }),
  DisableKeyRotation: (k) => ({ KeyId: k }),
  GetKeyRotationStatus: (k) => ({ KeyId: k }),
  RotateKeyOnDemand: (k) => ({ KeyId: k }),
  ListKeyRotations: (k) => ({ KeyId: k }),
  Encrypt: (k) => ({ KeyId: k, Plaintext: enc('x') }),
  Decrypt: (k, b) => ({ KeyId: k, CiphertextBlob: b }),
  ReEncrypt: (k, b) => ({ CiphertextBlob: b, SourceKeyId: k, DestinationKeyId: k }),
  GenerateDataKey: (k) => ({ KeyId: k, KeySpec: 'AES_256' }),
  GenerateDataKeyWithoutPlaintext: (k) => ({ KeyId: k, KeySpec: 'AES_256' }),
  GetPublicKey: (k) => ({ KeyId: k }),
  Sign: (k) => ({ KeyId: k, Message: enc('x'), SigningAlgorithm: 'ECDSA_SHA_256' }),
  Verify: (k) => ({ KeyId: k, Message: enc('x'), SigningAlgorithm: 'ECDSA_SHA_256', Signature: enc('s') }),
  GenerateDataKeyPair: (k) => ({ KeyId: k, KeyPairSpec: 'ECC_NIST_P256' }),
  GenerateDataKeyPairWithoutPlaintext: (k) => ({ KeyId: k, KeyPairSpec: 'ECC_NIST_P256' }),
  CreateAlias: (k) => ({ AliasName: 'alias/new', TargetKeyId: k }),
  UpdateAlias: (k) => ({ AliasName: 'alias/key', TargetKeyId: k }),
  ListAliases: (k) => ({ KeyId: k }),
  UpdateKeyDescription: (k) => ({ KeyId: k, Description: 'd' }),
  GetKeyLastUsage: (k) => ({ KeyId: k }),
  ListKeyPolicies: (k) => ({ KeyId: k }),
  TagResource: (k) => ({ KeyId: k, Tags: [{ TagKey: 'env', TagValue: 'dev' }] }),
  UntagResource: (k) => ({ KeyId: k, TagKeys: ['env'] }),
  ListResourceTags: (k) => ({ KeyId: k }),
  GenerateMac: (k) => ({ KeyId: k, Message: enc('x'), MacAlgorithm: 'HMAC_SHA_256' }),
  VerifyMac: (k) => ({ KeyId: k, Message: enc('x'), MacAlgorithm: 'HMAC_SHA_256', Mac: new Uint8Array(32) }),
  DeriveSharedSecret: (k) => ({ KeyId: k, KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(91) }),
  Encapsulate: (k) => ({ KeyId: k, EncapsulationAlgorithm: 'ML_KEM' }),
  Decapsulate: (k) => ({ KeyId: k, SharedSecretCiphertextBlob: new Uint8Array(768), EncapsulationAlgorithm: 'ML_KEM' }),
  ReplicateKey: (k) => ({ KeyId: k, ReplicaRegion: 'eu-west-1' }),
  UpdatePrimaryRegion: (k) => ({ KeyId: k, PrimaryRegion: 'eu-west-1' }),
  GetParametersForImport: (k) => ({ KeyId: k, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
  ImportKeyMaterial: (k) => ({ KeyId: k, ImportToken: new Uint8Array(61), EncryptedKeyMaterial: new Uint8Array(256), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
  DeleteImportedKeyMaterial: (k) => ({ KeyId: k }),
};

/** Calls operation `op` on `kms` by its camelCase method. */
function call(kms: Kms, op: string, input: Record<string, unknown>): Promise<unknown> {
  const m = (kms as unknown as Record<string, (i: unknown) => Promise<unknown>>)[op.charAt(0).toLowerCase() + op.slice(1)];
  return (m as (i: unknown) => Promise<unknown>).call(kms, input);
}


describe('the table', () => {
  test('has one row per operation of the model (56), named as the model names it', () => {
    expect(Object.keys(OPERATION_TABLE).sort()).toEqual(Object.keys(OPERATIONS).sort());
    for (const [name, row] of Object.entries(OPERATION_TABLE)) expect(row.name).toBe(name);
  });

  test('the protocol adapter routes exactly the rows with a handler', () => {
    expect([...routedOperations()].sort()).toEqual([...IMPLEMENTED_OPERATIONS]);
  });

  test('every implemented operation that names a key has a sample here (so the tests below cover it)', () => {
    for (const op of IMPLEMENTED_OPERATIONS) {
      if (Object.keys(OPERATION_TABLE[op].keyIdForms).length) expect(SAMPLES, op).toHaveProperty(op);
    }
  });
});

describe('12.9 identifier forms per operation, from the model\'s documentation of its KeyId', () => {
  const cases = IMPLEMENTED_OPERATIONS.flatMap((op) =>
    Object.entries(OPERATION_TABLE[op].keyIdForms as Record<string, 'key' | 'any'>)
      .filter(([member]) => member !== 'DestinationKeyId' || op === 'ReEncrypt')
      .map(([member, forms]) => ({ op, member, forms })),
  );

  test.each(cases)('$op $member accepts $forms identifiers (key: key ID and key ARN only; any: also alias name and alias ARN)', async ({ op, member, forms }) => {
    const kms = new Kms();
    const key = await newKey(kms);
    await kms.createAlias({ AliasName: 'alias/key', TargetKeyId: key.KeyId as string });
    const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId as string, Plaintext: enc('x') });
    for (const alias of ['alias/key', 'arn:aws:kms:us-east-1:111122223333:alias/key']) {
      const input = (SAMPLES[op] as Sample)(key.KeyId as string, CiphertextBlob as Uint8Array);
      input[member] = alias;
      const e = await outcomeOf(call(kms, op, input));
      if (forms === 'key') {
        expect(e?.name, `${op} ${member}=${alias}`).toBe('NotFoundException');
        expect(e?.message).toBe(`Invalid keyId '${alias}'`);
      } else {
        expect(e?.message ?? '', `${op} ${member}=${alias}`).not.toMatch(/^Invalid keyId/);
      }
    }
  });

  test('EnableKey, ScheduleKeyDeletion, PutKeyPolicy, CreateGrant, ListGrants, RetireGrant take key IDs and key ARNs', async () => {
    const kms = new Kms();
    const key = await newKey(kms);
    const arn = key.Arn as string;
    await kms.enableKey({ KeyId: arn });
    await kms.createGrant({ KeyId: arn, GranteePrincipal: ROLE, Operations: ['Decrypt'] });
    expect((await kms.listGrants({ KeyId: key.KeyId as string })).Grants).toHaveLength(1);
    await refuses(kms.enableKey({ KeyId: 'alias/nope' }), 'NotFoundException', "Invalid keyId 'alias/nope'");
  });
});

/**
 * The Developer Guide's key-state table (footnotes in src/operations/key-states.ts), written out
 * here on its own so the test does not read the rules it checks. States in the order of
 * KEY_STATE_ORDER; ok: succeeds (as far as state goes), R: refused (DisabledException "<arn> is
 * disabled." / KMSInvalidStateException "<arn> is <state>."), N: "is not pending deletion.",
 * O: UnsupportedOperationException "origin is … not valid".
 */
const KEY_STATE_ORDER: readonly KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable', 'Creating', 'Updating', 'PendingReplicaDeletion'];
const CRYPTO = 'ok R R R R R ok R';
const ANY = 'ok ok ok ok ok ok ok ok';
const AWS_KEY_STATE_TABLE: Record<string, string> = {
  DescribeKey: ANY,
  GetKeyPolicy: ANY,
  PutKeyPolicy: ANY,
  ListGrants: ANY,
  RevokeGrant: ANY,
  RetireGrant: ANY,
  ListKeyRotations: ANY,
  EnableKey: 'ok ok R R ok R R R',
  DisableKey: 'ok ok R R ok R R R',
  ScheduleKeyDeletion: 'ok ok R ok ok ok ok R',
  // A primary waiting for its replicas can be cancelled too (Developer Guide, "Deleting multi-Region keys").
  CancelKeyDeletion: 'N N ok N N N N ok',
  CreateAlias: 'ok ok R ok ok ok ok R',
  UpdateAlias: 'ok ok R ok ok ok ok R',
  CreateGrant: 'ok R R R ok R ok R',
  Encrypt: CRYPTO,
  Decrypt: CRYPTO,
  ReEncrypt: CRYPTO,
  GenerateDataKey: CRYPTO,
  GenerateDataKeyWithoutPlaintext: CRYPTO,
  GetPublicKey: CRYPTO,
  Sign: CRYPTO,
  Verify: CRYPTO,
  GenerateDataKeyPair: CRYPTO,
  GenerateDataKeyPairWithoutPlaintext: CRYPTO,
  RotateKeyOnDemand: CRYPTO,
  EnableKeyRotation: 'ok R R O R R ok R',
  DisableKeyRotation: 'ok R R O R R ok R',
  GetKeyRotationStatus: 'ok ok ok O R R ok ok',
  // Developer Guide key-state table: TagResource, UntagResource, UpdateKeyDescription [3] when
  // pending deletion; ListResourceTags and ListKeyPolicies in every state. GetKeyLastUsage is
  // newer than the table; its API page lists no KMSInvalidStateException.
  TagResource: 'ok ok R ok ok ok ok R',
  UntagResource: 'ok ok R ok ok ok ok R',
  UpdateKeyDescription: 'ok ok R ok ok ok ok R',
  ListResourceTags: ANY,
  ListKeyPolicies: ANY,
  GetKeyLastUsage: ANY,
  GenerateMac: CRYPTO,
  VerifyMac: CRYPTO,
  DeriveSharedSecret: CRYPTO,
  Encapsulate: CRYPTO,
  Decapsulate: CRYPTO,
  // ReplicateKey: DisabledException is in its error list; a primary pending deletion (or waiting
  // for its replicas) or Updating cannot be replicated; PendingImport gives a replica without material.
  ReplicateKey: 'ok R R ok R R R R',
  // UpdatePrimaryRegion: "Both the primary key and the replica key must be in the Enabled key state".
  UpdatePrimaryRegion: 'ok R R R R R R R',
  // Footnote 9 first: every key here but the PendingImport one has Origin AWS_KMS. The rules for
  // EXTERNAL keys in each state are test/import.states.test.ts's.
  GetParametersForImport: 'O O O ok O O O O',
  ImportKeyMaterial: 'O O O ok O O O O',
  DeleteImportedKeyMaterial: 'O O O ok O O O O',
};
const OUTCOME: Record<string, StateOutcome> = { ok: 'ok', R: 'refused', N: 'notPendingDeletion', O: 'origin' };
function awsOutcome(op: string, state: KeyState): StateOutcome {
  const row = AWS_KEY_STATE_TABLE[op];
  expect(row, `the AWS key-state table here has a row for ${op}`).toBeDefined();
  return OUTCOME[(row as string).split(' ')[KEY_STATE_ORDER.indexOf(state)] as string] as StateOutcome;
}

/** What a state-rule outcome looks like as an error for key `arn` in `state`. */
function expected(o: StateOutcome, state: KeyState, arn: string, origin: string): { name: string; message: string } | undefined {
  const phrase: Record<KeyState, string> = {
    Creating: 'is creating.',
    Enabled: 'is enabled.',
    Disabled: 'is disabled.',
    PendingDeletion: 'is pending deletion.',
    PendingReplicaDeletion: 'is pending deletion.',
    PendingImport: 'is pending import.',
    Unavailable: 'is unavailable.',
    Updating: 'is updating.',
  };
  switch (o) {
    case 'ok':
      return undefined;
    case 'refused':
      return { name: state === 'Disabled' ? 'DisabledException' : 'KMSInvalidStateException', message: `${arn} ${phrase[state]}` };
    case 'notPendingDeletion':
      return { name: 'KMSInvalidStateException', message: `${arn} is not pending deletion.` };
    case 'origin':
      return { name: 'UnsupportedOperationException', message: `${arn} origin is ${origin} which is not valid for this operation.` };
  }
}

const STATE_ERROR = / is (disabled|pending deletion|pending import|unavailable|creating|updating|not pending deletion)\.$|which is not valid for this operation\.$/;

describe('12.10 the key-state table, row by row: the state is checked before key spec, usage or origin', () => {
  const rows = IMPLEMENTED_OPERATIONS.filter((op) => OPERATION_TABLE[op].keyStates !== undefined && SAMPLES[op] !== undefined && op !== 'ListAliases');
  const cases = rows.flatMap((op) => KEY_STATES.map((state) => ({ op, state })));

  test.each(cases)('Precondition: the key\'s state passes the operation\'s rule of the key-state table — $op on a $state key', async ({ op, state }) => {
    const origin = state === 'PendingImport' ? 'EXTERNAL' : 'AWS_KMS';
    const { kms, key, arn, blob } = await keyInState(state, (k) => {
      k.Origin = origin;
      if (state === 'PendingDeletion') {
        k.DeletionDate = new Date(Date.now() + 30 * 86_400_000).toISOString();
        k.PendingWindowInDays = 30;
      }
    });
    if (op === 'UpdateAlias') {
      // The alias's current target is another, Enabled key; the new target is the key in `state`.
      const other = await newKey(kms);
      await kms.createAlias({ AliasName: 'alias/key', TargetKeyId: other.KeyId as string });
    }
    const want = expected(awsOutcome(op, state), state, arn, origin);
    const e = await outcomeOf(call(kms, op, (SAMPLES[op] as Sample)(key.KeyId as string, blob)));
    if (want) {
      expect(e?.name, `${op} on ${state}: ${e?.message}`).toBe(want.name);
      expect(e?.message).toBe(want.message);
    } else {
      expect(e?.message ?? '', `${op} on ${state}`).not.toMatch(STATE_ERROR);
    }
  });

  test('ReEncrypt checks the destination\'s state too, before decrypting', async () => {
    const { kms, arn } = await keyInState('Disabled');
    const src = await newKey(kms);
    const { CiphertextBlob } = await kms.encrypt({ KeyId: src.KeyId as string, Plaintext: enc('x') });
    await refuses(kms.reEncrypt({ CiphertextBlob, DestinationKeyId: arn }), 'DisabledException', `${arn} is disabled.`);
  });

  test('RotateKeyOnDemand on a disabled RSA key is DisabledException (state before key spec)', async () => {
    const kms = new Kms();
    const rsa = await newKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await kms.disableKey({ KeyId: rsa.KeyId as string });
    await refuses(kms.rotateKeyOnDemand({ KeyId: rsa.KeyId as string }), 'DisabledException', `${rsa.Arn} is disabled.`);
    await kms.enableKey({ KeyId: rsa.KeyId as string });
    // AWS answers this without a message (recorded response).
    await refuses(kms.rotateKeyOnDemand({ KeyId: rsa.KeyId as string }), 'UnsupportedOperationException', '');
  });

  test('RotateKeyOnDemand on a key with imported material pending import is KMSInvalidStateException "<arn> is pending import."', async () => {
    const kms = new Kms();
    const ext = await newKey(kms, { Origin: 'EXTERNAL' });
    await refuses(kms.rotateKeyOnDemand({ KeyId: ext.KeyId as string }), 'KMSInvalidStateException', `${ext.Arn} is pending import.`);
  });
});
