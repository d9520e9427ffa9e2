/**
 * GenerateRandom (API reference): NumberOfBytes (1..1024) random bytes. No key, no grant
 * tokens, no DryRun; the permission is kms:GenerateRandom in an IAM policy (resource "*"; "Cross-account
 * use: Not applicable"). The bytes come from the Kms `random` option, so a Kms with injected
 * randomness answers reproducibly (deterministic mode stays deterministic).
 *
 * kms-core has no custom key stores: a CustomKeyStoreId names none, so it is
 * CustomKeyStoreNotFoundException ("KMS cannot find a custom key store with the specified key
 * store name or ID", API_GenerateRandom: Errors). A Recipient (Nitro Enclaves attestation) is
 * refused as for Decrypt.
 */
import { CustomKeyStoreNotFoundException, ValidationException } from '../errors.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { authorizeIam } from './authorize.js';
import type { OpContext } from './context.js';
import { checkNoRecipient } from './decrypt.js';

/** AWS's message for an unknown custom key store is not recorded; this one names the ID only. */
export const customKeyStoreNotFound = (id: string): string => `Custom key store ${id} does not exist in this account and Region.`;

/**
 * NumberOfBytes: the model marks it optional and bounds it to 1..1024 (validation); AWS requires
 * it (recorded response: "ValidationException: NumberOfBytes is required.").
 */
function numberOfBytes(input: Validated<'GenerateRandom'>): number {
  const n = input.NumberOfBytes;
  /* Precondition: NumberOfBytes is given. */
  if (n === undefined) throw new ValidationException('NumberOfBytes is required.');
  return n;
}

/** The table's precheck: NumberOfBytes, then no Recipient. */
export function checkGenerateRandom(input: Validated<'GenerateRandom'>): void {
  numberOfBytes(input);
  checkNoRecipient(input);
}

export async function generateRandom(ctx: OpContext, input: Validated<'GenerateRandom'>): Promise<T.GenerateRandomResponse> {
  authorizeIam(ctx, 'GenerateRandom', '*');
  /* Precondition: no CustomKeyStoreId (kms-core has no custom key stores: CustomKeyStoreNotFoundException). */
  if (input.CustomKeyStoreId !== undefined) throw new CustomKeyStoreNotFoundException(customKeyStoreNotFound(input.CustomKeyStoreId));
  return { Plaintext: ctx.env.random(numberOfBytes(input)) };
}
