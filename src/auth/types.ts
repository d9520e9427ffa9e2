/**
 * The shapes authorization works on (src/auth/evaluate.ts decides, src/auth/grants.ts matches
 * grants): the request as KMS sees it for one action on one key. Types only.
 */
import type { GrantConstraintsRecord } from '../keys/record.js';
import type { Principal } from './principals.js';

/** What the request carries beyond caller and action (condition keys, grant parameters). */
export interface RequestFacts {
  /** Encrypt, Decrypt, GenerateDataKey*, ReEncrypt (the side's context), CreateGrant (its constraint pairs). */
  encryptionContext?: Readonly<Record<string, string>> | undefined;
  /** Encrypt, Decrypt, ReEncrypt, GenerateDataKey*. */
  encryptionAlgorithm?: string | undefined;
  /** ReEncrypt: the ARN of the other key (destination for ReEncryptFrom, source for ReEncryptTo). */
  reEncryptPeer?: string | undefined;
  /** CreateGrant: the requested grant. */
  grant?: GrantRequest | undefined;
  /** The alias name when the request named the key by alias name or alias ARN. */
  requestAlias?: string | undefined;
  /** CreateKey, PutKeyPolicy. */
  bypassPolicyLockoutSafetyCheck?: boolean | undefined;
  /** Sign, Verify: kms:SigningAlgorithm and kms:MessageType. */
  signingAlgorithm?: string | undefined;
  messageType?: string | undefined;
  /** GenerateDataKeyPair*: kms:DataKeyPairSpec. */
  dataKeyPairSpec?: string | undefined;
  /** GenerateMac, VerifyMac: kms:MacAlgorithm. */
  macAlgorithm?: string | undefined;
  /** DeriveSharedSecret: kms:KeyAgreementAlgorithm. */
  keyAgreementAlgorithm?: string | undefined;
  /** CreateKey, ReplicateKey, TagResource: the request's Tags (aws:RequestTag/<key>, aws:TagKeys). */
  requestTags?: readonly { readonly TagKey: string; readonly TagValue: string }[] | undefined;
  /** UntagResource: the request's TagKeys (aws:TagKeys). */
  tagKeys?: readonly string[] | undefined;
  /** ReplicateKey: kms:ReplicaRegion (the request's ReplicaRegion). */
  replicaRegion?: string | undefined;
  /** UpdatePrimaryRegion: kms:PrimaryRegion (the request's PrimaryRegion). */
  primaryRegion?: string | undefined;
  /** GetParametersForImport: kms:WrappingAlgorithm, kms:WrappingKeySpec. */
  wrappingAlgorithm?: string | undefined;
  wrappingKeySpec?: string | undefined;
  /** ImportKeyMaterial: kms:ExpirationModel, kms:ValidTo (epoch seconds, for the identity hook). */
  expirationModel?: string | undefined;
  validTo?: string | undefined;
}

export interface GrantRequest {
  operations: readonly string[];
  granteePrincipal: string;
  retiringPrincipal?: string | undefined;
  constraints?: GrantConstraintsRecord | undefined;
}

/** The key properties condition keys can read. */
export interface KeyFacts {
  readonly arn: string;
  readonly accountId: string;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly origin: string;
  readonly multiRegion: boolean;
  /** The key's tags (aws:ResourceTag/<key>); absent for requests that act on no existing key. */
  readonly tags?: readonly { readonly key: string; readonly value: string }[] | undefined;
  /** The key's Region and its multi-Region set's primary Region (kms:MultiRegionKeyType). */
  readonly region?: string;
  readonly primaryRegion?: string | undefined;
}

export interface AuthRequest {
  readonly caller: Principal;
  /** The KMS action without its `kms:` prefix, e.g. ReEncryptFrom. */
  readonly action: string;
  readonly key: KeyFacts;
  readonly facts: RequestFacts;
}

