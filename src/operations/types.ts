/**
 * The shape of a row of the operation table (src/operations/table.ts) and of its handlers.
 * Kept apart from the table so that handlers can name the types without importing the table.
 */
import type { RequestFacts } from '../auth/evaluate.js';
import type { KeyRecord } from '../keys/record.js';
import type { OperationName, OperationOutput, Validated } from '../model/api.js';
import type { KeyIdForms } from '../model/types.js';
import type { OpContext } from './context.js';
import type { KeyStateRule } from './key-states.js';
import type { MaybePromise } from '../util/maybe.js';

/** A permission an operation needs (API reference, "Required permissions"). */
export interface Permission {
  /** The action without its `kms:` prefix: Encrypt, ReEncryptFrom, CreateAlias, … */
  readonly action: string;
  /** Where AWS looks for it: the key policy (and grants), or the caller's IAM policies only. */
  readonly where: 'key-policy' | 'iam';
  /** What it is checked on, when not simply the key named by KeyId. */
  readonly on?: 'alias' | 'source key' | 'destination key' | 'current target' | 'new target' | '*' | 'retiring principal' | 'grant' | 'replica key';
}

/** The key an operation is about: which request member names it, and the request's condition keys. */
export interface KeyRule<Op extends OperationName> {
  readonly member: string & keyof Validated<Op>;
  /** Condition keys the request carries for the key policy (encryption context, algorithm, …). */
  readonly facts?: (input: Validated<Op>) => RequestFacts;
}

interface RowBase<Op extends OperationName> {
  readonly name: Op;
  /** "Cross-account use" of the API reference: may the key belong to another account? */
  readonly crossAccount: boolean;
  readonly permissions: readonly Permission[];
  /** The key-state table's rule; undefined for operations that use no existing key. */
  readonly keyStates: KeyStateRule | undefined;
  /** Which identifier forms each KeyId-like member accepts (derived from the model's documentation). */
  readonly keyIdForms: Readonly<Record<string, KeyIdForms>>;
  /** Service-level checks AWS makes before it looks the key up (beyond the model's constraints). */
  readonly precheck?: ((input: Validated<Op>) => void) | undefined;
  /** Whether the request takes GrantTokens (the runner checks them) and DryRun. */
  readonly grantTokens: boolean;
  readonly dryRun: boolean;
}

/** A row whose key the runner resolves, authorizes (permissions[0]) and checks (keyStates) first. */
export interface KeyedRow<Op extends OperationName> extends RowBase<Op> {
  readonly key: KeyRule<Op>;
  readonly handler: (ctx: OpContext, input: Validated<Op>, key: KeyRecord, op: OperationRow<Op>) => MaybePromise<OperationOutput<Op>>;
}

/** A row whose handler resolves what it needs itself (no key, several keys, a key named by a blob). */
export interface FreeRow<Op extends OperationName> extends RowBase<Op> {
  readonly key?: undefined;
  readonly handler: (ctx: OpContext, input: Validated<Op>, op: OperationRow<Op>) => MaybePromise<OperationOutput<Op>>;
}

/** An operation of the model kms-core does not implement yet (UnsupportedOperationException naming it). */
export interface MissingRow<Op extends OperationName> extends RowBase<Op> {
  readonly key?: undefined;
  readonly handler?: undefined;
}

export type OperationRow<Op extends OperationName = OperationName> = KeyedRow<Op> | FreeRow<Op> | MissingRow<Op>;
