/**
 * The key state machine (KMS Developer Guide, "Key states of AWS KMS keys").
 *
 *   Creating ─► Enabled ◄──► Disabled
 *                 │  ▲           │
 *                 ▼  │ (cancel → Disabled)
 *            PendingDeletion ────┘ ─► (gone once DeletionDate passes)
 *   PendingImport ─► Enabled (import; Origin EXTERNAL)
 *   Unavailable, Updating, PendingReplicaDeletion: set by the store (custom key stores,
 *   multi-Region updates); kms-core honours them.
 *
 * Cryptographic operations (Encrypt, Decrypt, ReEncrypt source and destination,
 * GenerateDataKey*) are allowed in Enabled and Updating; refused otherwise.
 */
import { DisabledException, KMSInvalidStateException, type KmsError } from '../errors.js';
import type { KeyRecord, KeyState } from './record.js';

const STATE_PHRASE: Record<KeyState, string> = {
  Creating: 'is creating.',
  Enabled: 'is enabled.',
  Disabled: 'is disabled.',
  PendingDeletion: 'is pending deletion.',
  PendingReplicaDeletion: 'is pending deletion.',
  PendingImport: 'is pending import.',
  Unavailable: 'is unavailable.',
  Updating: 'is updating.',
};

/** The AWS error for a key in a state an operation does not accept. */
export function stateError(record: KeyRecord): KmsError {
  const msg = `${record.arn} ${STATE_PHRASE[record.keyState]}`;
  return record.keyState === 'Disabled' ? new DisabledException(msg) : new KMSInvalidStateException(msg);
}
