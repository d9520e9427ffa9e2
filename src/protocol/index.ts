/** The AWS JSON 1.1 protocol adapter (pure: no node:*, runs in browsers and edge runtimes). */
export {
  CONTENT_TYPE,
  TARGET_PREFIX,
  createProtocolHandler,
  errorResponse,
  routedOperations,
  type KmsProvider,
  type ProtocolHandler,
  type ProtocolHandlerOptions,
  type ProtocolResponse,
  type RequestScope,
} from './json.js';
export { parseCredentialScope, type CredentialScope } from './sigv4.js';
export { principalsByAccessKey, type PrincipalsByAccessKeyOptions } from './principals-provider.js';
