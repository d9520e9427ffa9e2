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
import { dataKeyPairFacts, generateDataKeyPair, generateDataKeyPairWithoutPlaintext } from './data-key-pairs.js';
import { encrypt } from './encrypt.js';
import { checkGrantRequestShape, createGrant, grantFacts, listGrants, listRetirableGrants, retireGrant, revokeGrant } from './grants.js';
import { checkPolicyName, getKeyPolicy, listKeyPolicies, putKeyPolicy } from './key-policies.js';
import { connectCustomKeyStore, createCustomKeyStore, deleteCustomKeyStore, describeCustomKeyStores, disconnectCustomKeyStore, updateCustomKeyStore } from './custom-key-stores.js';
import { getKeyLastUsage } from './last-usage.js';
import { checkTagKeys, checkTags, listResourceTags, tagFacts, tagResource, untagFacts, untagResource } from './tags.js';
import {
  ANY_STATE,
  CREATE_GRANT,
  CRYPTOGRAPHIC,
  ENABLED_ONLY,
  DELETE_IMPORTED_MATERIAL,
  ENABLED_OR_DISABLED,
  IMPORT_MATERIAL,
  NOT_PENDING_DELETION,
  PENDING_DELETION_ONLY,
  REPLICATE_KEY,
  ROTATION_SETTINGS,
  ROTATION_STATUS,
  type KeyStateRule,
} from './key-states.js';
import { cancelKeyDeletion, checkPendingWindow, createKey, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion, updateKeyDescription } from './keys.js';
import { replicateKey, updatePrimaryRegion } from './multi-region.js';
import { deleteImportedKeyMaterial, expirationFacts, getParametersForImport, importKeyMaterial, wrappingFacts } from './import.js';
import { getPublicKey } from './public-key.js';
import { decapsulate, encapsulate } from './key-encapsulation.js';
import { deriveSharedSecret } from './key-agreement.js';
import { generateMac, verifyMac } from './mac.js';
import { checkGenerateRandom, generateRandom } from './random.js';
import { reEncrypt } from './re-encrypt.js';
import { sign, signingFacts, verify } from './sign.js';
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
  UpdateKeyDescription: keyed('UpdateKeyDescription', { crossAccount: false, permissions: [kp('UpdateKeyDescription')], keyStates: NOT_PENDING_DELETION, key: KEY, handler: updateKeyDescription }),
  GetKeyLastUsage: keyed('GetKeyLastUsage', { crossAccount: false, permissions: [kp('GetKeyLastUsage')], keyStates: ANY_STATE, key: KEY, handler: getKeyLastUsage }),

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
  ListKeyPolicies: keyed('ListKeyPolicies', { crossAccount: false, permissions: [kp('ListKeyPolicies')], keyStates: ANY_STATE, key: KEY, handler: listKeyPolicies }),

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
  GenerateDataKeyPair: keyed('GenerateDataKeyPair', {
    crossAccount: true,
    permissions: [kp('GenerateDataKeyPair')],
    keyStates: CRYPTOGRAPHIC,
    precheck: checkNoRecipient,
    key: { member: 'KeyId', facts: dataKeyPairFacts },
    handler: generateDataKeyPair,
  }),
  GenerateDataKeyPairWithoutPlaintext: keyed('GenerateDataKeyPairWithoutPlaintext', {
    crossAccount: true,
    permissions: [kp('GenerateDataKeyPairWithoutPlaintext')],
    keyStates: CRYPTOGRAPHIC,
    key: { member: 'KeyId', facts: dataKeyPairFacts },
    handler: generateDataKeyPairWithoutPlaintext,
  }),

  // ── public keys, signatures, MACs, key agreement, key encapsulation, randomness ──
  GetPublicKey: keyed('GetPublicKey', { crossAccount: true, permissions: [kp('GetPublicKey')], keyStates: CRYPTOGRAPHIC, key: KEY, handler: getPublicKey }),
  Sign: keyed('Sign', { crossAccount: true, permissions: [kp('Sign')], keyStates: CRYPTOGRAPHIC, key: { member: 'KeyId', facts: signingFacts }, handler: sign }),
  Verify: keyed('Verify', { crossAccount: true, permissions: [kp('Verify')], keyStates: CRYPTOGRAPHIC, key: { member: 'KeyId', facts: signingFacts }, handler: verify }),
  GenerateMac: keyed('GenerateMac', {
    crossAccount: true,
    permissions: [kp('GenerateMac')],
    keyStates: CRYPTOGRAPHIC,
    key: { member: 'KeyId', facts: (i) => ({ macAlgorithm: i.MacAlgorithm }) },
    handler: generateMac,
  }),
  VerifyMac: keyed('VerifyMac', {
    crossAccount: true,
    permissions: [kp('VerifyMac')],
    keyStates: CRYPTOGRAPHIC,
    key: { member: 'KeyId', facts: (i) => ({ macAlgorithm: i.MacAlgorithm }) },
    handler: verifyMac,
  }),
  DeriveSharedSecret: keyed('DeriveSharedSecret', {
    crossAccount: true,
    permissions: [kp('DeriveSharedSecret')],
    keyStates: CRYPTOGRAPHIC,
    precheck: checkNoRecipient,
    key: { member: 'KeyId', facts: (i) => ({ keyAgreementAlgorithm: i.KeyAgreementAlgorithm }) },
    handler: deriveSharedSecret,
  }),
  Encapsulate: keyed('Encapsulate', { crossAccount: true, permissions: [kp('Encapsulate')], keyStates: CRYPTOGRAPHIC, key: KEY, handler: encapsulate }),
  Decapsulate: keyed('Decapsulate', { crossAccount: true, permissions: [kp('Decapsulate')], keyStates: CRYPTOGRAPHIC, key: KEY, handler: decapsulate }),
  GenerateRandom: free('GenerateRandom', { crossAccount: false, permissions: [iam('GenerateRandom', '*')], keyStates: undefined, precheck: checkGenerateRandom, handler: generateRandom }),

  // ── imported key material ──
  GetParametersForImport: keyed('GetParametersForImport', {
    crossAccount: false,
    permissions: [kp('GetParametersForImport')],
    keyStates: IMPORT_MATERIAL,
    key: { member: 'KeyId', facts: wrappingFacts },
    handler: getParametersForImport,
  }),
  ImportKeyMaterial: keyed('ImportKeyMaterial', {
    crossAccount: false,
    permissions: [kp('ImportKeyMaterial')],
    keyStates: IMPORT_MATERIAL,
    key: { member: 'KeyId', facts: expirationFacts },
    handler: importKeyMaterial,
  }),
  DeleteImportedKeyMaterial: keyed('DeleteImportedKeyMaterial', {
    crossAccount: false,
    permissions: [kp('DeleteImportedKeyMaterial')],
    keyStates: DELETE_IMPORTED_MATERIAL,
    key: KEY,
    handler: deleteImportedKeyMaterial,
  }),

  // ── multi-Region keys ──
  // kms:ReplicateKey on the primary; kms:CreateKey (and kms:TagResource for Tags) in an IAM policy in the replica Region.
  ReplicateKey: keyed('ReplicateKey', {
    crossAccount: false,
    permissions: [kp('ReplicateKey'), iam('CreateKey', '*'), iam('TagResource', 'replica key')],
    keyStates: REPLICATE_KEY,
    key: { member: 'KeyId', facts: (i) => ({ replicaRegion: i.ReplicaRegion }) },
    handler: replicateKey,
  }),
  // kms:UpdatePrimaryRegion on the current primary and on the replica, each in its key policy.
  UpdatePrimaryRegion: keyed('UpdatePrimaryRegion', {
    crossAccount: false,
    permissions: [kp('UpdatePrimaryRegion'), kp('UpdatePrimaryRegion', 'replica key')],
    keyStates: ENABLED_ONLY,
    key: { member: 'KeyId', facts: (i) => ({ primaryRegion: i.PrimaryRegion }) },
    handler: updatePrimaryRegion,
  }),

  // ── tags ──
  TagResource: keyed('TagResource', {
    crossAccount: false,
    permissions: [kp('TagResource')],
    keyStates: NOT_PENDING_DELETION,
    precheck: checkTags,
    // aws:RequestTag/<key>, aws:TagKeys; aws:ResourceTag/<key> are the key's tags before the change.
    key: { member: 'KeyId', facts: tagFacts },
    handler: tagResource,
  }),
  UntagResource: keyed('UntagResource', {
    crossAccount: false,
    permissions: [kp('UntagResource')],
    keyStates: NOT_PENDING_DELETION,
    precheck: checkTagKeys,
    key: { member: 'KeyId', facts: untagFacts },
    handler: untagResource,
  }),
  ListResourceTags: keyed('ListResourceTags', { crossAccount: false, permissions: [kp('ListResourceTags')], keyStates: ANY_STATE, key: KEY, handler: listResourceTags }),

  // ── custom key stores (kms-core's accounts have none: custom-key-stores.ts) ──
  CreateCustomKeyStore: free('CreateCustomKeyStore', { crossAccount: false, permissions: [iam('CreateCustomKeyStore', '*')], keyStates: undefined, handler: createCustomKeyStore }),
  ConnectCustomKeyStore: free('ConnectCustomKeyStore', { crossAccount: false, permissions: [iam('ConnectCustomKeyStore', '*')], keyStates: undefined, handler: connectCustomKeyStore }),
  DescribeCustomKeyStores: free('DescribeCustomKeyStores', { crossAccount: false, permissions: [iam('DescribeCustomKeyStores', '*')], keyStates: undefined, handler: describeCustomKeyStores }),
  DisconnectCustomKeyStore: free('DisconnectCustomKeyStore', { crossAccount: false, permissions: [iam('DisconnectCustomKeyStore', '*')], keyStates: undefined, handler: disconnectCustomKeyStore }),
  UpdateCustomKeyStore: free('UpdateCustomKeyStore', { crossAccount: false, permissions: [iam('UpdateCustomKeyStore', '*')], keyStates: undefined, handler: updateCustomKeyStore }),
  DeleteCustomKeyStore: free('DeleteCustomKeyStore', { crossAccount: false, permissions: [iam('DeleteCustomKeyStore', '*')], keyStates: undefined, handler: deleteCustomKeyStore }),
} satisfies { readonly [Op in OperationName]: OperationRow<Op> };

/** The row of `name`, or undefined when it is not an operation of the model. */
export function operationRow(name: string): OperationRow | undefined {
  return Object.prototype.hasOwnProperty.call(OPERATION_TABLE, name) ? (OPERATION_TABLE as unknown as Readonly<Record<string, OperationRow>>)[name] : undefined;
}

/** The operations kms-core implements (their rows have a handler), sorted. */
export const IMPLEMENTED_OPERATIONS: readonly OperationName[] = Object.freeze(
  (Object.keys(OPERATION_TABLE) as OperationName[]).filter((n) => OPERATION_TABLE[n].handler !== undefined).sort(),
);
