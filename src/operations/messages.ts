/**
 * AWS's wording, in one place (notes/aws-behaviour.md gives the source of each). Messages are
 * built from identifiers only (ARNs, names, numbers), never from plaintext or key material.
 */
import type { KeyRecord } from '../keys/record.js';

export const CIPHERTEXT_KEY_INACCESSIBLE =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';
export const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';
export const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';
/** The model's description of InvalidGrantTokenException (AWS's own message is not recorded). */
export const INVALID_GRANT_TOKEN = 'A grant token provided as part of the request is invalid.';
export const RECIPIENT_UNSUPPORTED = 'Recipient (Nitro Enclaves attestation) is not supported by kms-core.';

/** NotFoundException for a malformed identifier, or one of a form the operation does not take. */
export const invalidKeyId = (id: string): string => `Invalid keyId '${id}'`;
/** NotFoundException for a well-formed identifier that names no key. */
export const keyNotFound = (arn: string): string => `Key '${arn}' does not exist`;
/** NotFoundException for an alias that does not exist (moto's wording; AWS's is not recorded). */
export const aliasNotFound = (aliasArn: string): string => `Alias ${aliasArn} is not found.`;
/** The key-state table's UnsupportedOperationException for keys of another origin (footnote 6). */
export const originNotValid = (rec: KeyRecord): string => `${rec.arn} origin is ${rec.origin} which is not valid for this operation.`;
/** Rotation of a key spec that has none. */
export const noRotation = (rec: KeyRecord): string => `${rec.arn} key spec ${rec.keySpec} does not support rotation.`;
/** CustomKeyStoreNotFoundException: the model's description (AWS's own message is not recorded). */
export const CUSTOM_KEY_STORE_NOT_FOUND = 'The request was rejected because KMS cannot find a custom key store with the specified key store name or ID.';
