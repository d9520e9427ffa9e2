/**
 * What kms-core answers for an operation of the model it does not implement yet (its row of the
 * operation table has no handler). README.md lists both sets; a test keeps them equal to the table.
 */
/** AWS's UnsupportedOperationException text for an operation of the model kms-core lacks. */
export function notImplementedMessage(operation: string): string {
  return `kms-core does not implement ${operation} yet.`;
}
