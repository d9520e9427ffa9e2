/**
 * The operation table: one row per operation of the KMS API model (all 56), with what the API
 * reference says of it — the identifiers its KeyId accepts (from the model), whether it works
 * across accounts ("Cross-account use"), the permissions it needs and where ("Required
 * permissions"), its rule of the Developer Guide's key-state table — and its handler, or none
 * for the operations kms-core does not implement yet. The runner (run.ts) applies the rules in
 * AWS's order; the protocol adapter routes from this table, never by method name.
 *
 * Adding an operation: its handler in the file of its family, and `handler` (and `key`) in its row.
 */
import { OPERATIONS, SHAPES } from '../model/shapes.js';
import type { OperationName, Validated } from '../model/api.js';
import { createAlias, deleteAlias, listAliases, updateAlias } from './aliases.js';
import { decrypt, checkNoRecipient } from './decrypt.js';
import { checkDataKeySize, generateDataKey, generateDataKeyWithoutPlaintext } from './data-keys.js';
import { encrypt } from './encrypt.js';
import { checkGrantRequestShape, createGrant, grantFacts, listGrants, listRetirableGrants, retireGrant, revokeGrant } from './grants.js';
import { checkPolicyName, getKeyPolicy, putKeyPolicy } from './key-policies.js';
import {
  ANY_STATE,
  CREATE_GRANT,
  CRYPTOGRAPHIC,
  ENABLED_OR_DISABLED,
  NOT_PENDING_DELETION,
  PENDING_DELETION_ONLY,
  ROTATION_SETTINGS,
  ROTATION_STATUS,
  type KeyStateRule,
} from './key-states.js';
import { cancelKeyDeletion, checkPendingWindow, createKey, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion } from './keys.js';
import { getPublicKey } from './public-key.js';
import { reEncrypt } from './re-encrypt.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand } from './rotation.js';
import type { FreeRow, KeyRule, KeyedRow, MissingRow, OperationRow, Permission } from './types.js';

const kp = (action: string, on?: Permission['on']): Permission => (on ? { action, where: 'key-policy', on } : { action, where: 'key-policy' });
const iam = (action: string, on?: Permission['on']): Permission => (on ? { action, where: 'iam', on } : { action, where: 'iam' });

interface Common<Op extends OperationName> {
  crossAccount: boolean;
  permissions: readonly Permission[];
  keyStates: KeyStateRule | undefined;
  /** Service-level checks AWS makes before it looks the key up (beyond the model's constraints). */
  precheck?: (input: Validated<Op>) => void;
}

function base<Op extends OperationName>(name: Op, c: Common<Op>) {
  const model = OPERATIONS[name];
  /* Invariant: every row is an operation of the model (checked once, at module load). */
  if (!model) throw new Error(`kms-core: ${name} is not an operation of the model`);
  const members = SHAPES[model.input]?.members ?? {};
  return { name, ...c, keyIdForms: model.keyIdForms ?? {}, grantTokens: 'GrantTokens' in members, dryRun: 'DryRun' in members };
}

/** An operation about the key its `key.member` names: the runner resolves, authorizes and checks it. */
function keyed<Op extends OperationName>(name: Op, c: Common<Op> & { key: KeyRule<Op>; handler: KeyedRow<Op>['handler'] }): KeyedRow<Op> {
  return Object.freeze({ ...base(name, c), key: c.key, handler: c.handler });
}
/** An operation whose handler resolves what it needs (no key, several keys, a blob's key). */
function free<Op extends OperationName>(name: Op, c: Common<Op> & { handler: FreeRow<Op>['handler'] }): FreeRow<Op> {
  return Object.freeze({ ...base(name, c), handler: c.handler });
}
/** An operation kms-core does not implement yet. */
function missing<Op extends OperationName>(name: Op, c: Common<Op>): MissingRow<Op> {
  return Object.freeze(base(name, c));
}

const KEY = { member: 'KeyId' } as const;
const SYMMETRIC = 'SYMMETRIC_DEFAULT';

export const OPERATION_TABLE = {
  // ── keys ──
  CreateKey: free('CreateKey', { crossAccount: false, permissions: [iam('CreateKey', '*')], keyStates: undefined, handler: createKey }),
  DescribeKey: keyed('DescribeKey', { crossAccount: true, permissions: [kp('DescribeKey')], keyStates: ANY_STATE, key: KEY, handler: describeKey }),
  ListKeys: free('ListKeys', { crossAccount: false, permissions: [iam('ListKeys', '*')], keyStates: undefined, handler: listKeys }),
  EnableKey: keyed('EnableKey', { crossAccount: false, permissions: [kp('EnableKey')], keyStates: ENABLED_OR_DISABLED, key: KEY, handler: enableKey }),
  DisableKey: keyed('DisableKey', { crossAccount: false, permissions: [kp('DisableKey')], keyStates: ENABLED_OR_DISABLED, key: KEY, handler: disableKey }),
  ScheduleKeyDeletion: keyed('ScheduleKeyDeletion', {
    crossAccount: false,
    permissions: [kp('ScheduleKeyDeletion')],
    keyStates: NOT_PENDING_DELETION,
    precheck: checkPendingWindow,
    key: KEY,
    handler: scheduleKeyDeletion,
  }),
  CancelKeyDeletion: keyed('CancelKeyDeletion', { crossAccount: false, permissions: [kp('CancelKeyDeletion')], keyStates: PENDING_DELETION_ONLY, key: KEY, handler: cancelKeyDeletion }),
  UpdateKeyDescription: missing('UpdateKeyDescription', { crossAccount: false, permissions: [kp('UpdateKeyDescription')], keyStates: NOT_PENDING_DELETION }),
  GetKeyLastUsage: missing('GetKeyLastUsage', { crossAccount: false, permissions: [kp('GetKeyLastUsage')], keyStates: ANY_STATE }),

  // ── aliases ──
  CreateAlias: free('CreateAlias', { crossAccount: false, permissions: [iam('CreateAlias', 'alias'), kp('CreateAlias')], keyStates: NOT_PENDING_DELETION, handler: createAlias }),
  UpdateAlias: free('UpdateAlias', {
    crossAccount: false,
    permissions: [iam('UpdateAlias', 'alias'), kp('UpdateAlias', 'current target'), kp('UpdateAlias', 'new target')],
    keyStates: NOT_PENDING_DELETION,
    handler: updateAlias,
  }),
  DeleteAlias: free('DeleteAlias', { crossAccount: false, permissions: [iam('DeleteAlias', 'alias'), kp('DeleteAlias')], keyStates: ANY_STATE, handler: deleteAlias }),
  ListAliases: free('ListAliases', { crossAccount: false, permissions: [iam('ListAliases', '*')], keyStates: ANY_STATE, handler: listAliases }),

  // ── key policies ──
  GetKeyPolicy: keyed('GetKeyPolicy', { crossAccount: false, permissions: [kp('GetKeyPolicy')], keyStates: ANY_STATE, precheck: checkPolicyName, key: KEY, handler: getKeyPolicy }),
  PutKeyPolicy: keyed('PutKeyPolicy', {
    crossAccount: false,
    permissions: [kp('PutKeyPolicy')],
    keyStates: ANY_STATE,
    precheck: checkPolicyName,
    // kms:BypassPolicyLockoutSafetyCheck is absent when the request omits it (conditions-kms, Null example).
    key: { member: 'KeyId', facts: (i) => ({ bypassPolicyLockoutSafetyCheck: i.BypassPolicyLockoutSafetyCheck }) },
    handler: putKeyPolicy,
  }),
  ListKeyPolicies: missing('ListKeyPolicies', { crossAccount: false, permissions: [kp('ListKeyPolicies')], keyStates: ANY_STATE }),

  // ── grants ──
  CreateGrant: keyed('CreateGrant', {
    crossAccount: true,
    permissions: [kp('CreateGrant')],
    keyStates: CREATE_GRANT,
    precheck: checkGrantRequestShape,
    key: { member: 'KeyId', facts: grantFacts },
    handler: createGrant,
  }),
  ListGrants: keyed('ListGrants', { crossAccount: true, permissions: [kp('ListGrants')], keyStates: ANY_STATE, key: KEY, handler: listGrants }),
  RetireGrant: free('RetireGrant', { crossAccount: true, permissions: [{ action: 'RetireGrant', where: 'key-policy', on: 'grant' }], keyStates: ANY_STATE, handler: retireGrant }),
  RevokeGrant: keyed('RevokeGrant', { crossAccount: true, permissions: [kp('RevokeGrant')], keyStates: ANY_STATE, key: KEY, handler: revokeGrant }),
  ListRetirableGrants: free('ListRetirableGrants', { crossAccount: false, permissions: [iam('ListRetirableGrants', 'retiring principal')], keyStates: undefined, handler: listRetirableGrants }),

  // ── rotation ──
  EnableKeyRotation: keyed('EnableKeyRotation', { crossAccount: false, permissions: [kp('EnableKeyRotation')], keyStates: ROTATION_SETTINGS, key: KEY, handler: enableKeyRotation }),
  DisableKeyRotation: keyed('DisableKeyRotation', { crossAccount: false, permissions: [kp('DisableKeyRotation')], keyStates: ROTATION_SETTINGS, key: KEY, handler: disableKeyRotation }),
  GetKeyRotationStatus: keyed('GetKeyRotationStatus', { crossAccount: true, permissions: [kp('GetKeyRotationStatus')], keyStates: ROTATION_STATUS, key: KEY, handler: getKeyRotationStatus }),
  RotateKeyOnDemand: keyed('RotateKeyOnDemand', { crossAccount: false, permissions: [kp('RotateKeyOnDemand')], keyStates: CRYPTOGRAPHIC, key: KEY, handler: rotateKeyOnDemand }),
  ListKeyRotations: keyed('ListKeyRotations', { crossAccount: false, permissions: [kp('ListKeyRotations')], keyStates: ANY_STATE, key: KEY, handler: listKeyRotations }),

  // ── encryption ──
  Encrypt: keyed('Encrypt', {
    crossAccount: true,
    permissions: [kp('Encrypt')],
    keyStates: CRYPTOGRAPHIC,
    key: { member: 'KeyId', facts: (i) => ({ encryptionContext: i.EncryptionContext, encryptionAlgorithm: i.EncryptionAlgorithm ?? SYMMETRIC }) },
    handler: encrypt,
  }),
  Decrypt: free('Decrypt', { crossAccount: true, permissions: [kp('Decrypt')], keyStates: CRYPTOGRAPHIC, precheck: checkNoRecipient, handler: decrypt }),
  ReEncrypt: free('ReEncrypt', {
    crossAccount: true,
    permissions: [kp('ReEncryptFrom', 'source key'), kp('ReEncryptTo', 'destination key')],
    keyStates: CRYPTOGRAPHIC,
    handler: reEncrypt,
  }),

  // ── data keys ──
  GenerateDataKey: keyed('GenerateDataKey', {
    crossAccount: true,
    permissions: [kp('GenerateDataKey')],
    keyStates: CRYPTOGRAPHIC,
    precheck: checkDataKeySize,
    key: { member: 'KeyId', facts: (i) => ({ encryptionContext: i.EncryptionContext, encryptionAlgorithm: SYMMETRIC }) },
    handler: generateDataKey,
  }),
  GenerateDataKeyWithoutPlaintext: keyed('GenerateDataKeyWithoutPlaintext', {
    crossAccount: true,
    permissions: [kp('GenerateDataKeyWithoutPlaintext')],
    keyStates: CRYPTOGRAPHIC,
    precheck: checkDataKeySize,
    key: { member: 'KeyId', facts: (i) => ({ encryptionContext: i.EncryptionContext, encryptionAlgorithm: SYMMETRIC }) },
    handler: generateDataKeyWithoutPlaintext,
  }),
  GenerateDataKeyPair: missing('GenerateDataKeyPair', { crossAccount: true, permissions: [kp('GenerateDataKeyPair')], keyStates: CRYPTOGRAPHIC }),
  GenerateDataKeyPairWithoutPlaintext: missing('GenerateDataKeyPairWithoutPlaintext', { crossAccount: true, permissions: [kp('GenerateDataKeyPairWithoutPlaintext')], keyStates: CRYPTOGRAPHIC }),

  // ── public keys, signatures, MACs, key agreement, key encapsulation, randomness ──
  GetPublicKey: keyed('GetPublicKey', { crossAccount: true, permissions: [kp('GetPublicKey')], keyStates: CRYPTOGRAPHIC, key: KEY, handler: getPublicKey }),
  Sign: missing('Sign', { crossAccount: true, permissions: [kp('Sign')], keyStates: CRYPTOGRAPHIC }),
  Verify: missing('Verify', { crossAccount: true, permissions: [kp('Verify')], keyStates: CRYPTOGRAPHIC }),
  GenerateMac: missing('GenerateMac', { crossAccount: true, permissions: [kp('GenerateMac')], keyStates: CRYPTOGRAPHIC }),
  VerifyMac: missing('VerifyMac', { crossAccount: true, permissions: [kp('VerifyMac')], keyStates: CRYPTOGRAPHIC }),
  DeriveSharedSecret: missing('DeriveSharedSecret', { crossAccount: true, permissions: [kp('DeriveSharedSecret')], keyStates: CRYPTOGRAPHIC }),
  Encapsulate: missing('Encapsulate', { crossAccount: true, permissions: [kp('Encapsulate')], keyStates: CRYPTOGRAPHIC }),
  Decapsulate: missing('Decapsulate', { crossAccount: true, permissions: [kp('Decapsulate')], keyStates: CRYPTOGRAPHIC }),
  GenerateRandom: missing('GenerateRandom', { crossAccount: false, permissions: [iam('GenerateRandom', '*')], keyStates: undefined }),

  // ── imported key material ──
  GetParametersForImport: missing('GetParametersForImport', { crossAccount: false, permissions: [kp('GetParametersForImport')], keyStates: ANY_STATE }),
  ImportKeyMaterial: missing('ImportKeyMaterial', { crossAccount: false, permissions: [kp('ImportKeyMaterial')], keyStates: ANY_STATE }),
  DeleteImportedKeyMaterial: missing('DeleteImportedKeyMaterial', { crossAccount: false, permissions: [kp('DeleteImportedKeyMaterial')], keyStates: ANY_STATE }),

  // ── multi-Region keys ──
  ReplicateKey: missing('ReplicateKey', { crossAccount: false, permissions: [kp('ReplicateKey'), iam('CreateKey', '*')], keyStates: CRYPTOGRAPHIC }),
  UpdatePrimaryRegion: missing('UpdatePrimaryRegion', { crossAccount: false, permissions: [kp('UpdatePrimaryRegion')], keyStates: CRYPTOGRAPHIC }),

  // ── tags ──
  TagResource: missing('TagResource', { crossAccount: false, permissions: [kp('TagResource')], keyStates: NOT_PENDING_DELETION }),
  UntagResource: missing('UntagResource', { crossAccount: false, permissions: [kp('UntagResource')], keyStates: NOT_PENDING_DELETION }),
  ListResourceTags: missing('ListResourceTags', { crossAccount: false, permissions: [kp('ListResourceTags')], keyStates: ANY_STATE }),

  // ── custom key stores (kms-core has none) ──
  CreateCustomKeyStore: missing('CreateCustomKeyStore', { crossAccount: false, permissions: [iam('CreateCustomKeyStore', '*')], keyStates: undefined }),
  ConnectCustomKeyStore: missing('ConnectCustomKeyStore', { crossAccount: false, permissions: [iam('ConnectCustomKeyStore', '*')], keyStates: undefined }),
  DescribeCustomKeyStores: missing('DescribeCustomKeyStores', { crossAccount: false, permissions: [iam('DescribeCustomKeyStores', '*')], keyStates: undefined }),
  DisconnectCustomKeyStore: missing('DisconnectCustomKeyStore', { crossAccount: false, permissions: [iam('DisconnectCustomKeyStore', '*')], keyStates: undefined }),
  UpdateCustomKeyStore: missing('UpdateCustomKeyStore', { crossAccount: false, permissions: [iam('UpdateCustomKeyStore', '*')], keyStates: undefined }),
  DeleteCustomKeyStore: missing('DeleteCustomKeyStore', { crossAccount: false, permissions: [iam('DeleteCustomKeyStore', '*')], keyStates: undefined }),
} satisfies { readonly [Op in OperationName]: OperationRow<Op> };

export type OperationTable = typeof OPERATION_TABLE;

/** The row of `name`, or undefined when it is not an operation of the model. */
export function operationRow(name: string): OperationRow | undefined {
  return Object.prototype.hasOwnProperty.call(OPERATION_TABLE, name) ? (OPERATION_TABLE as unknown as Readonly<Record<string, OperationRow>>)[name] : undefined;
}

/** The operations kms-core implements (their rows have a handler), sorted. */
export const IMPLEMENTED_OPERATIONS: readonly OperationName[] = Object.freeze(
  (Object.keys(OPERATION_TABLE) as OperationName[]).filter((n) => OPERATION_TABLE[n].handler !== undefined).sort(),
);
