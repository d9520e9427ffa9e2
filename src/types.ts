/**
 * Request and response shapes, with the field names and types of `@aws-sdk/client-kms`
 * (blobs as Uint8Array, dates as Date), so SDK command inputs are accepted as they are. They
 * are generated from the KMS API model (src/model/api.ts, scripts/gen-model.mjs) for every
 * operation; the names below are kept for compatibility.
 */
export type * from './model/api.js';

/** A map of encryption-context pairs (the model's EncryptionContextType). */
export type EncryptionContextType = Record<string, string>;
/** The request of the operations that take only a KeyId. */
export interface KeyIdRequest {
  KeyId: string | undefined;
}
/** The response of the operations that answer only a KeyId. */
export interface KeyIdResponse {
  KeyId?: string | undefined;
}
