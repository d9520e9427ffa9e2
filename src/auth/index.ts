/** Authorization as KMS does it: principals, key policies, grants (pure code, no node:*). */
export { parsePrincipal, type Principal } from './principals.js';
export { DEFAULT_POLICY_NAME, POLICY_MAX_BYTES, defaultKeyPolicy, parseKeyPolicy, type KeyPolicy } from './policy.js';
export { contextValues, requestContext, type AuthRequest, type IdentityPolicy, type IdentityRequest } from './evaluate.js';
export { constraintsAllow } from './grants.js';
