/** A shape of the KMS API model, reduced to what input validation needs. */
export interface Shape {
  readonly type: 'structure' | 'string' | 'blob' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'list' | 'map';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
  readonly required?: readonly string[];
  readonly members?: Readonly<Record<string, string>>;
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
}

/**
 * Which identifier forms a KeyId-like request member accepts, from its documentation in the
 * model: 'key' = key ID or key ARN only; 'any' = key ID, key ARN, alias name or alias ARN.
 */
export type KeyIdForms = 'key' | 'any';

/** An operation of the model: its request shape, its error list, its key identifier rules. */
export interface OperationModel {
  readonly input: string;
  readonly errors: readonly string[];
  readonly keyIdForms?: Readonly<Record<string, KeyIdForms>>;
}
