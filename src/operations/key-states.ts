/**
 * The key-state rules of the Developer Guide's key-state table ("Key states of AWS KMS keys"):
 * for each operation, what each key state gives. The runner (src/operations/run.ts) applies the
 * row's rule right after the key is resolved and authorized, before any check of key spec,
 * usage or origin, so a disabled RSA key asked to rotate answers DisabledException, as AWS does.
 *
 * Footnotes of the table, as kms-core answers them:
 *   [1] DisabledException: <key ARN> is disabled.
 *   [3] KMSInvalidStateException: <key ARN> is pending deletion.
 *   [4] KMSInvalidStateException: <key ARN> is not pending deletion.
 *   [5] KMSInvalidStateException: <key ARN> is pending import.
 *   [6] UnsupportedOperationException: <key ARN> origin is EXTERNAL which is not valid for this operation.
 *   [8] "If the CMK has imported key material: KMSInvalidStateException" (kms-core: "<key ARN> is pending deletion.")
 *   [9] "If the CMK cannot or does not have imported key material: UnsupportedOperationException"
 *       (kms-core: "<key ARN> origin is <origin> which is not valid for this operation.", footnote 6's wording)
 *   [11] KMSInvalidStateException: <key ARN> is unavailable.
 * ("[2] or [3]" for cryptographic operations on a key pending deletion: kms-core answers [3].)
 */
import { KMSInvalidStateException, UnsupportedOperationException, type KmsError } from '../errors.js';
import type { KeyRecord, KeyState, Origin } from '../keys/record.js';
import { stateError } from '../keys/state.js';
import { originNotValid } from './messages.js';

/**
 * What a state gives: `ok`; `refused` (DisabledException for Disabled, KMSInvalidStateException
 * "<arn> is <state>." otherwise); `notPendingDeletion` (footnote 4); `origin` (footnote 6).
 */
export type StateOutcome = 'ok' | 'refused' | 'notPendingDeletion' | 'origin';

export type KeyStateRule = Readonly<Record<KeyState, StateOutcome>> & {
  /** The only origin the operation takes, checked before the state (footnote 9); absent: any. */
  readonly origin?: Origin;
};

function rule(ok: readonly KeyState[], others: StateOutcome = 'refused', special: Partial<Record<KeyState, StateOutcome>> = {}): KeyStateRule {
  const r = {} as Record<KeyState, StateOutcome>;
  for (const s of ['Creating', 'Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'PendingReplicaDeletion', 'Unavailable', 'Updating'] as const) {
    r[s] = special[s] ?? (ok.includes(s) ? 'ok' : others);
  }
  return Object.freeze(r);
}

/** Every state passes (DescribeKey, GetKeyPolicy, PutKeyPolicy, ListGrants, RevokeGrant, RetireGrant, …). */
export const ANY_STATE = rule(['Creating', 'Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'PendingReplicaDeletion', 'Unavailable', 'Updating']);
/** Cryptographic operations: Enabled (and Updating, a transient multi-Region state) only. */
export const CRYPTOGRAPHIC = rule(['Enabled', 'Updating']);
/**
 * EnableKey, DisableKey: Enabled and Disabled keys ([3], [5]); an Unavailable key too, whose
 * state "does not change until it becomes available" ([12]: kms-core leaves it Unavailable).
 */
export const ENABLED_OR_DISABLED = rule(['Enabled', 'Disabled', 'Unavailable']);
/** ScheduleKeyDeletion, CreateAlias's target, TagResource, UntagResource, UpdateKeyDescription: all but pending deletion ([3]). */
export const NOT_PENDING_DELETION = rule(['Creating', 'Enabled', 'Disabled', 'PendingImport', 'Unavailable', 'Updating']);
/**
 * CancelKeyDeletion: only a key pending deletion ([4]), or a multi-Region primary waiting for
 * its replicas ("You can cancel the scheduled deletion of the primary key or any replica key
 * until it is deleted. The key state changes to Disabled": Developer Guide, "Deleting
 * multi-Region keys").
 */
export const PENDING_DELETION_ONLY = rule(['PendingDeletion', 'PendingReplicaDeletion'], 'notPendingDeletion');
/** CreateGrant: Enabled and Unavailable ([1], [5], [3]). */
export const CREATE_GRANT = rule(['Enabled', 'Updating', 'Unavailable']);
/** EnableKeyRotation, DisableKeyRotation: Enabled; a key pending import is refused for its origin ([1], [3], [6]). */
export const ROTATION_SETTINGS = rule(['Enabled', 'Updating'], 'refused', { PendingImport: 'origin' });
/** GetKeyRotationStatus: Enabled, Disabled and pending deletion answer; pending import is refused for its origin ([6], [7]). */
export const ROTATION_STATUS = rule(['Enabled', 'Disabled', 'PendingDeletion', 'PendingReplicaDeletion', 'Updating'], 'refused', { PendingImport: 'origin' });

/**
 * ReplicateKey, on the primary: Enabled, or PendingImport for imported material (the replica is
 * then made without material); Disabled is DisabledException (ReplicateKey's error list); a
 * primary PendingDeletion or PendingReplicaDeletion "cannot be replicated" (Developer Guide,
 * "Deleting multi-Region keys"), nor one that is Updating ("you cannot replicate the new primary
 * key": API reference, UpdatePrimaryRegion).
 */
export const REPLICATE_KEY = rule(['Enabled', 'PendingImport']);
/**
 * UpdatePrimaryRegion, on both keys: "Both the primary key and the replica key must be in the
 * Enabled key state when the operation starts" (Developer Guide, "Change the primary key in a
 * set of multi-Region keys").
 */
export const ENABLED_ONLY = rule(['Enabled']);
/**
 * GetParametersForImport, ImportKeyMaterial: keys with imported material (Origin EXTERNAL) only
 * ([9], before any state); then Enabled, Disabled, PendingImport ([9] "?" rows: the key has
 * imported material), not pending deletion ([8]), not Unavailable ([9]: a key in a custom key
 * store cannot have imported material). Updating is a transient multi-Region state that leaves
 * the key usable; Creating and PendingReplicaDeletion are refused as a key pending deletion is.
 */
export const IMPORT_MATERIAL: KeyStateRule = Object.freeze({
  ...rule(['Enabled', 'Disabled', 'PendingImport', 'Updating'], 'refused', { Unavailable: 'origin' }),
  origin: 'EXTERNAL' as const,
});
/**
 * DeleteImportedKeyMaterial: Origin EXTERNAL only ([9]); every state but Unavailable ([9]) and
 * Creating. PendingImport: "No effect"; PendingDeletion: the 2019 table says [9], the current
 * API_DeleteImportedKeyMaterial says "When the specified KMS key is in the PendingDeletion
 * state, this operation does not change the KMS key's state" — it succeeds.
 */
export const DELETE_IMPORTED_MATERIAL: KeyStateRule = Object.freeze({
  ...rule(['Enabled', 'Disabled', 'PendingImport', 'PendingDeletion', 'PendingReplicaDeletion', 'Updating'], 'refused', { Unavailable: 'origin' }),
  origin: 'EXTERNAL' as const,
});

/** The error the rule gives for the key's state, or undefined when the state passes. */
export function keyStateError(r: KeyStateRule, rec: KeyRecord): KmsError | undefined {
  if (r.origin !== undefined && rec.origin !== r.origin) return new UnsupportedOperationException(originNotValid(rec));
  switch (r[rec.keyState]) {
    case 'ok':
      return undefined;
    case 'refused':
      return stateError(rec);
    case 'notPendingDeletion':
      return new KMSInvalidStateException(`${rec.arn} is not pending deletion.`);
    case 'origin':
      return new UnsupportedOperationException(originNotValid(rec));
  }
}

/* Precondition: the key's state passes the operation's rule of the key-state table. */
export function checkKeyState(r: KeyStateRule, rec: KeyRecord): void {
  const e = keyStateError(r, rec);
  if (e) throw e;
}
