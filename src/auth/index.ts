/** Authorization as KMS does it: principals, key policies, grants (pure code, no node:*). */
export { parsePrincipal, principalMatch, rootArn, type Principal, type PrincipalKind, type PrincipalMatch } from './principals.js';
export {
  DEFAULT_POLICY_NAME,
  INVALID_PRINCIPALS,
  LOCKOUT,
  POLICY_MAX_BYTES,
  cachedKeyPolicy,
  defaultKeyPolicy,
  parseKeyPolicy,
  type Condition,
  type ConditionOperator,
  type KeyPolicy,
  type PolicyPrincipal,
  type Statement,
} from './policy.js';
export {
  accessDeniedMessage,
  ciphertextAccessDeniedMessage,
  conditionHolds,
  contextValues,
  decide,
  evaluatePolicy,
  requestContext,
  type AuthRequest,
  type Decision,
  type Denial,
  type GrantRequest,
  type IdentityPolicy,
  type IdentityRequest,
  type KeyFacts,
  type PolicyVerdict,
  type RequestFacts,
} from './evaluate.js';
export {
  GRANT_OPERATIONS,
  atLeastAsStrict,
  constraintsAllow,
  decodeGrantToken,
  encodeGrantToken,
  grantCovers,
} from './grants.js';
