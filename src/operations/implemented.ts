/**
 * Which operations of the KMS API kms-core implements: the protocol adapter routes exactly these
 * (to the Kms method of the same camelCase name) and answers every other operation of the model
 * with UnsupportedOperationException naming it. README.md lists the same two sets; a test keeps
 * them equal. (The operation table of src/operations/ replaces this list as it grows.)
 */
export const IMPLEMENTED_OPERATIONS = [
  'CancelKeyDeletion',
  'CreateAlias',
  'CreateGrant',
  'CreateKey',
  'Decrypt',
  'DeleteAlias',
  'DescribeKey',
  'DisableKey',
  'DisableKeyRotation',
  'EnableKey',
  'EnableKeyRotation',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GetKeyPolicy',
  'GetKeyRotationStatus',
  'GetPublicKey',
  'ListAliases',
  'ListGrants',
  'ListKeyRotations',
  'ListKeys',
  'ListRetirableGrants',
  'PutKeyPolicy',
  'ReEncrypt',
  'RetireGrant',
  'RevokeGrant',
  'RotateKeyOnDemand',
  'ScheduleKeyDeletion',
  'UpdateAlias',
] as const;

export type ImplementedOperation = (typeof IMPLEMENTED_OPERATIONS)[number];

const IMPLEMENTED: ReadonlySet<string> = new Set(IMPLEMENTED_OPERATIONS);

export function isImplemented(operation: string): operation is ImplementedOperation {
  return IMPLEMENTED.has(operation);
}

/** AWS's UnsupportedOperationException text for an operation of the model kms-core lacks. */
export function notImplementedMessage(operation: string): string {
  return `kms-core does not implement ${operation} yet.`;
}
