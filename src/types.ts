/**
 * Request and response shapes, with the field names and types of `@aws-sdk/client-kms`
 * (blobs as Uint8Array, dates as Date), so SDK command inputs are accepted as they are.
 */
import type { EncryptionAlgorithmSpec } from './algorithms/types.js';
import type { KeyState, RotationType } from './keys/record.js';

export type { EncryptionAlgorithmSpec, KeyState, RotationType };
/** Every KeySpec of the API model (kms-core implements SYMMETRIC_DEFAULT, RSA_*, SM2). */
export type KeySpec =
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'SYMMETRIC_DEFAULT'
  | 'HMAC_224'
  | 'HMAC_256'
  | 'HMAC_384'
  | 'HMAC_512'
  | 'SM2'
  | 'ML_DSA_44'
  | 'ML_DSA_65'
  | 'ML_DSA_87'
  | 'ECC_NIST_EDWARDS25519'
  // Newer than the API model file: @aws-sdk/client-kms ≥ 3.1160 KeySpec.
  | 'ML_KEM_512'
  | 'ML_KEM_768'
  | 'ML_KEM_1024';
export type EncryptionContextType = Record<string, string>;
export type DataKeySpec = 'AES_256' | 'AES_128';
export type KeyUsageType = 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT' | 'ENCAPSULATE_DECAPSULATE';
export type OriginType = 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';
export type DryRunModifierType = 'IGNORE_CIPHERTEXT';
export type KeyMaterialState = 'NON_CURRENT' | 'CURRENT' | 'PENDING_ROTATION' | 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION';

export interface RecipientInfo {
  KeyEncryptionAlgorithm?: string;
  AttestationDocument?: Uint8Array;
}

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface MultiRegionKey {
  Arn?: string;
  Region?: string;
}

export interface MultiRegionConfiguration {
  MultiRegionKeyType?: 'PRIMARY' | 'REPLICA';
  PrimaryKey?: MultiRegionKey;
  ReplicaKeys?: MultiRegionKey[];
}

export interface KeyMetadata {
  AWSAccountId?: string;
  KeyId: string;
  Arn?: string;
  CreationDate?: Date;
  Enabled?: boolean;
  Description?: string;
  KeyUsage?: KeyUsageType;
  KeyState?: KeyState;
  DeletionDate?: Date;
  Origin?: OriginType;
  KeyManager?: 'AWS' | 'CUSTOMER';
  CustomerMasterKeySpec?: KeySpec;
  KeySpec?: KeySpec;
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  MultiRegion?: boolean;
  MultiRegionConfiguration?: MultiRegionConfiguration;
  PendingDeletionWindowInDays?: number;
  ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  CurrentKeyMaterialId?: string;
}

export interface CreateKeyRequest {
  Policy?: string;
  Description?: string;
  KeyUsage?: KeyUsageType;
  CustomerMasterKeySpec?: KeySpec;
  KeySpec?: KeySpec;
  Origin?: OriginType;
  CustomKeyStoreId?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Tags?: Tag[];
  MultiRegion?: boolean;
  XksKeyId?: string;
}
export interface CreateKeyResponse {
  KeyMetadata?: KeyMetadata;
}

export interface KeyIdRequest {
  KeyId: string | undefined;
}
export interface DescribeKeyRequest extends KeyIdRequest {
  GrantTokens?: string[];
}
export interface DescribeKeyResponse {
  KeyMetadata?: KeyMetadata;
}

export interface ListKeysRequest {
  Limit?: number;
  Marker?: string;
}
export interface KeyListEntry {
  KeyId?: string;
  KeyArn?: string;
}
export interface ListKeysResponse {
  Keys?: KeyListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface ScheduleKeyDeletionRequest extends KeyIdRequest {
  PendingWindowInDays?: number;
}
export interface ScheduleKeyDeletionResponse {
  KeyId?: string;
  DeletionDate?: Date;
  KeyState?: KeyState;
  PendingWindowInDays?: number;
}
export interface KeyIdResponse {
  KeyId?: string;
}

export interface CreateAliasRequest {
  AliasName: string | undefined;
  TargetKeyId: string | undefined;
}
export type UpdateAliasRequest = CreateAliasRequest;
export interface DeleteAliasRequest {
  AliasName: string | undefined;
}
export interface ListAliasesRequest {
  KeyId?: string;
  Limit?: number;
  Marker?: string;
}
export interface AliasListEntry {
  AliasName?: string;
  AliasArn?: string;
  TargetKeyId?: string;
  CreationDate?: Date;
  LastUpdatedDate?: Date;
}
export interface ListAliasesResponse {
  Aliases?: AliasListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface EncryptRequest {
  KeyId: string | undefined;
  Plaintext: Uint8Array | undefined;
  EncryptionContext?: EncryptionContextType;
  GrantTokens?: string[];
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  DryRun?: boolean;
}
export interface EncryptResponse {
  CiphertextBlob?: Uint8Array;
  KeyId?: string;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
}

export interface DecryptRequest {
  CiphertextBlob?: Uint8Array;
  EncryptionContext?: EncryptionContextType;
  GrantTokens?: string[];
  KeyId?: string;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  Recipient?: RecipientInfo;
  DryRun?: boolean;
  DryRunModifiers?: DryRunModifierType[];
}
export interface DecryptResponse {
  KeyId?: string;
  Plaintext?: Uint8Array;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  CiphertextForRecipient?: Uint8Array;
  KeyMaterialId?: string;
}

export interface ReEncryptRequest {
  CiphertextBlob?: Uint8Array;
  SourceEncryptionContext?: EncryptionContextType;
  SourceKeyId?: string;
  DestinationKeyId: string | undefined;
  DestinationEncryptionContext?: EncryptionContextType;
  SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  GrantTokens?: string[];
  DryRun?: boolean;
  DryRunModifiers?: DryRunModifierType[];
}
export interface ReEncryptResponse {
  CiphertextBlob?: Uint8Array;
  SourceKeyId?: string;
  KeyId?: string;
  SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  SourceKeyMaterialId?: string;
  DestinationKeyMaterialId?: string;
}

export interface GenerateDataKeyRequest {
  KeyId: string | undefined;
  EncryptionContext?: EncryptionContextType;
  NumberOfBytes?: number;
  KeySpec?: DataKeySpec;
  GrantTokens?: string[];
  Recipient?: RecipientInfo;
  DryRun?: boolean;
}
export interface GenerateDataKeyResponse {
  CiphertextBlob?: Uint8Array;
  Plaintext?: Uint8Array;
  KeyId?: string;
  CiphertextForRecipient?: Uint8Array;
  KeyMaterialId?: string;
}
export type GenerateDataKeyWithoutPlaintextRequest = Omit<GenerateDataKeyRequest, 'Recipient'>;
export interface GenerateDataKeyWithoutPlaintextResponse {
  CiphertextBlob?: Uint8Array;
  KeyId?: string;
  KeyMaterialId?: string;
}

export interface GetPublicKeyRequest extends KeyIdRequest {
  GrantTokens?: string[];
}
export interface GetPublicKeyResponse {
  KeyId?: string;
  PublicKey?: Uint8Array;
  CustomerMasterKeySpec?: KeySpec;
  KeySpec?: KeySpec;
  KeyUsage?: KeyUsageType;
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
}

export interface EnableKeyRotationRequest extends KeyIdRequest {
  RotationPeriodInDays?: number;
}
export interface GetKeyRotationStatusResponse {
  KeyRotationEnabled?: boolean;
  KeyId?: string;
  RotationPeriodInDays?: number;
  NextRotationDate?: Date;
  OnDemandRotationStartDate?: Date;
}
export interface ListKeyRotationsRequest extends KeyIdRequest {
  IncludeKeyMaterial?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY';
  Limit?: number;
  Marker?: string;
}
export interface RotationsListEntry {
  KeyId?: string;
  KeyMaterialId?: string;
  KeyMaterialState?: KeyMaterialState;
  RotationDate?: Date;
  RotationType?: RotationType;
  ImportState?: 'IMPORTED' | 'PENDING_IMPORT';
  ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
}
export interface ListKeyRotationsResponse {
  Rotations?: RotationsListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

// ───────────────────────────── key policies and grants ─────────────────────────────

export interface PutKeyPolicyRequest {
  KeyId: string | undefined;
  /** Only `default` (the default). */
  PolicyName?: string;
  Policy: string | undefined;
  BypassPolicyLockoutSafetyCheck?: boolean;
}
export interface GetKeyPolicyRequest {
  KeyId: string | undefined;
  /** Only `default` (the default). */
  PolicyName?: string;
}
export interface GetKeyPolicyResponse {
  Policy?: string;
  PolicyName?: string;
}

export type GrantOperation =
  | 'Decrypt'
  | 'Encrypt'
  | 'GenerateDataKey'
  | 'GenerateDataKeyWithoutPlaintext'
  | 'ReEncryptFrom'
  | 'ReEncryptTo'
  | 'Sign'
  | 'Verify'
  | 'GetPublicKey'
  | 'CreateGrant'
  | 'RetireGrant'
  | 'DescribeKey'
  | 'GenerateDataKeyPair'
  | 'GenerateDataKeyPairWithoutPlaintext'
  | 'GenerateMac'
  | 'VerifyMac'
  | 'DeriveSharedSecret';

export interface GrantConstraints {
  EncryptionContextSubset?: EncryptionContextType;
  EncryptionContextEquals?: EncryptionContextType;
}

export interface CreateGrantRequest {
  KeyId: string | undefined;
  GranteePrincipal: string | undefined;
  RetiringPrincipal?: string;
  Operations: GrantOperation[] | undefined;
  Constraints?: GrantConstraints;
  GrantTokens?: string[];
  Name?: string;
  DryRun?: boolean;
}
export interface CreateGrantResponse {
  GrantToken?: string;
  GrantId?: string;
}

export interface GrantListEntry {
  KeyId?: string;
  GrantId?: string;
  Name?: string;
  CreationDate?: Date;
  GranteePrincipal?: string;
  RetiringPrincipal?: string;
  IssuingAccount?: string;
  Operations?: GrantOperation[];
  Constraints?: GrantConstraints;
}

export interface ListGrantsRequest {
  KeyId: string | undefined;
  Limit?: number;
  Marker?: string;
  GrantId?: string;
  GranteePrincipal?: string;
}
export interface ListGrantsResponse {
  Grants?: GrantListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export interface ListRetirableGrantsRequest {
  RetiringPrincipal: string | undefined;
  Limit?: number;
  Marker?: string;
}

export interface RetireGrantRequest {
  GrantToken?: string;
  KeyId?: string;
  GrantId?: string;
  DryRun?: boolean;
}
export interface RevokeGrantRequest {
  KeyId: string | undefined;
  GrantId: string | undefined;
  DryRun?: boolean;
}
