/**
 * AWS-named errors. Every failure kms-core reports is a `KmsError` whose `name` is the AWS
 * exception name and whose `$fault` mirrors `@aws-sdk/client-kms` ('server' for the
 * exceptions the KMS API model marks `"fault": true`).
 *
 * Messages never hold plaintext or key material: callers build them only from identifiers
 * (ARNs, algorithm names, lengths).
 */

export type Fault = 'client' | 'server';

export class KmsError extends Error {
  /** Mirrors the AWS SDK's ServiceException. */
  readonly $fault: Fault;

  constructor(name: string, message: string, fault: Fault = 'client') {
    super(message);
    // The AWS SDK exposes the exception name as `name` (and `__type` on the wire).
    Object.defineProperty(this, 'name', { value: name, enumerable: false, configurable: true, writable: true });
    this.$fault = fault;
  }
}

function define<N extends string>(name: N, fault: Fault = 'client') {
  const cls = class extends KmsError {
    constructor(message = '') {
      super(name, message, fault);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

// Client faults named in the KMS API model's error lists.
export const AlreadyExistsException = define('AlreadyExistsException');
export const CloudHsmClusterInvalidConfigurationException = define('CloudHsmClusterInvalidConfigurationException');
export const ConflictException = define('ConflictException');
export const CustomKeyStoreInvalidStateException = define('CustomKeyStoreInvalidStateException');
export const CustomKeyStoreNotFoundException = define('CustomKeyStoreNotFoundException');
export const DisabledException = define('DisabledException');
export const DryRunOperationException = define('DryRunOperationException');
export const ExpiredImportTokenException = define('ExpiredImportTokenException');
export const IncorrectKeyException = define('IncorrectKeyException');
export const IncorrectKeyMaterialException = define('IncorrectKeyMaterialException');
export const InvalidAliasNameException = define('InvalidAliasNameException');
export const InvalidArnException = define('InvalidArnException');
export const InvalidCiphertextException = define('InvalidCiphertextException');
export const InvalidGrantIdException = define('InvalidGrantIdException');
export const InvalidGrantTokenException = define('InvalidGrantTokenException');
export const InvalidImportTokenException = define('InvalidImportTokenException');
export const InvalidKeyUsageException = define('InvalidKeyUsageException');
export const InvalidMarkerException = define('InvalidMarkerException');
export const KMSInvalidStateException = define('KMSInvalidStateException');
/** Verify: the signature does not verify (API_Verify: SignatureValid). */
export const KMSInvalidSignatureException = define('KMSInvalidSignatureException');
/** VerifyMac: the MAC does not verify (API_VerifyMac Errors). */
export const KMSInvalidMacException = define('KMSInvalidMacException');
export const LimitExceededException = define('LimitExceededException');
export const MalformedPolicyDocumentException = define('MalformedPolicyDocumentException');
export const NotFoundException = define('NotFoundException');
/** Not in the model's lists; AWS (as emulators record it) refuses alias/aws/ names with it. */
export const NotAuthorizedException = define('NotAuthorizedException');
export const TagException = define('TagException');
export const UnsupportedOperationException = define('UnsupportedOperationException');
export const XksKeyAlreadyInUseException = define('XksKeyAlreadyInUseException');
export const XksKeyInvalidConfigurationException = define('XksKeyInvalidConfigurationException');
export const XksKeyNotFoundException = define('XksKeyNotFoundException');
// CreateCustomKeyStore / UpdateCustomKeyStore: the CloudHSM cluster or external key store proxy
// cannot be found or reached (kms-core has neither: src/operations/custom-key-stores.ts).
export const CloudHsmClusterNotFoundException = define('CloudHsmClusterNotFoundException');
export const XksProxyUriUnreachableException = define('XksProxyUriUnreachableException');
export const XksProxyVpcEndpointServiceNotFoundException = define('XksProxyVpcEndpointServiceNotFoundException');

// Server faults ("fault": true in the model).
export const DependencyTimeoutException = define('DependencyTimeoutException', 'server');
export const KMSInternalException = define('KMSInternalException', 'server');
export const KeyUnavailableException = define('KeyUnavailableException', 'server');

// Errors common to every AWS JSON service (not in the KMS model's per-operation lists).
export const ValidationException = define('ValidationException');
export const AccessDeniedException = define('AccessDeniedException');
export const SerializationException = define('SerializationException');
export const UnknownOperationException = define('UnknownOperationException');

// SigV4 authentication failures of the AWS JSON services (the endpoint's --credentials check,
// src/server/sigv4-verify.ts). AWS answers all four with HTTP 400 (recorded DynamoDB/Coral
// responses, mhart/dynalite), which is what a client fault maps to on the wire.
export const IncompleteSignatureException = define('IncompleteSignatureException');
/** Also "Credential should be scoped to a valid region." for a credential scope of no Region. */
export const InvalidSignatureException = define('InvalidSignatureException');
export const MissingAuthenticationTokenException = define('MissingAuthenticationTokenException');
export const UnrecognizedClientException = define('UnrecognizedClientException');

export type KmsErrorClass = ReturnType<typeof define>;

/** The one InvalidCiphertextException every decryption failure goes through: no detail. */
export function invalidCiphertext(): KmsError {
  return new InvalidCiphertextException('');
}

/**
 * Wraps anything that is not already a KmsError so that no bare Error escapes the public API.
 * The original error's message is not copied: it may come from a platform crypto library and
 * we cannot vouch that it holds no secret.
 */
export function asKmsError(e: unknown): KmsError {
  if (e instanceof KmsError) return e;
  return new KMSInternalException('An internal error occurred.');
}
