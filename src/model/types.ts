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
