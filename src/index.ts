/** kms-core: the cryptographic semantics of AWS KMS. Public exports only. */
export { Kms, type KmsOptions } from './kms.js';
export * from './errors.js';
export { InMemoryKeyStore, type KeyStore, type MaybePromise } from './keys/store.js';
export { flushKeyUsage, type KeyUsageRecord } from './keys/usage.js';
export { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, fromSnapshot, toSnapshot, type KeyStoreSnapshot } from './keys/snapshot.js';
export type { AliasRecord, BackingKey, GrantConstraintsRecord, GrantRecord, KeyRecord } from './keys/record.js';
export {
  DEFAULT_POLICY_NAME,
  POLICY_MAX_BYTES,
  defaultKeyPolicy,
  parseKeyPolicy,
  parsePrincipal,
  type IdentityPolicy,
  type IdentityRequest,
  type KeyPolicy,
  type Principal,
} from './auth/index.js';
export type { Backend, BackendKey, RsaHash } from './backend/types.js';
export { webBackend } from './backend/web.js';
export { nobleBackend } from './backend/noble.js';
export { OVERHEAD as ENVELOPE_V1_OVERHEAD } from './envelope/format.js';
export type * from './types.js';
export {
  CONTENT_TYPE,
  TARGET_PREFIX,
  createProtocolHandler,
  errorResponse,
  parseCredentialScope,
  principalsByAccessKey,
  routedOperations,
  type CredentialScope,
  type KmsProvider,
  type ProtocolHandler,
  type ProtocolHandlerOptions,
  type PrincipalsByAccessKeyOptions,
  type ProtocolResponse,
  type RequestScope,
} from './protocol/index.js';
