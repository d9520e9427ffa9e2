/**
 * The Kms class: the public API, a thin facade over the operation table. It holds the options
 * and caches; each method runs its operation's row (src/operations/table.ts) through the one
 * runner (src/operations/run.ts), which validates, resolves, authorizes and checks key state in
 * AWS's order before the handler of the operation's family (src/operations/*.ts) acts.
 */
import { isRegionName } from './keys/region.js';
import { defaultBackend } from '#default-backend';
import type { CryptoEnv } from './algorithms/types.js';
import type { IdentityPolicy } from './auth/evaluate.js';
import { parsePrincipal, type Principal } from './auth/principals.js';
import type { Backend } from './backend/types.js';
import { KMSInternalException, ValidationException } from './errors.js';
import { isAccountId, partitionOf, rootPrincipal } from './keys/arn.js';
import { BlobArnMemo, KeyArnMemo } from './keys/arn-memo.js';
import { MaterialCache } from './keys/material-cache.js';
import { INSPECT, summary } from './keys/redact.js';
import { InMemoryKeyStore, type KeyStore } from './keys/store.js';
import { usageLogOf } from './keys/usage.js';
import type { OperationName, OperationOutput } from './model/api.js';
import type { OpContext } from './operations/context.js';
import { runOperation } from './operations/run.js';
import { OPERATION_TABLE } from './operations/table.js';
import { checkedRandom, pooledRandom, type Random } from './random.js';
import type * as T from './types.js';
import { echo } from './validate.js';

export interface KmsOptions {
  /** 12-digit AWS account ID of the caller; default '111122223333'. */
  accountId?: string;
  /** AWS Region; default 'us-east-1'. Decides the ARN partition. */
  region?: string;
  /** Where keys live; default a new InMemoryKeyStore. Several Kms may share one. */
  keyStore?: KeyStore;
  /** Random bytes; default crypto.getRandomValues. Inject for reproducible vectors. */
  random?: (n: number) => Uint8Array;
  /** The clock; default () => new Date(). Drives scheduled rotation and deletion. */
  now?: () => Date;
  /** Platform crypto; default chosen by the runtime (backend/default.ts). */
  backend?: Backend;
  /**
   * The caller: an IAM principal ARN of `accountId` (root, user, role, assumed-role session,
   * federated user); default `arn:<partition>:iam::<accountId>:root`. `kms.as(arn)` gives a
   * view bound to another caller of the same account.
   */
  principal?: string;
  /**
   * The identity hook: IAM of the caller's account. Asked when a key policy (or grant) reaches
   * the caller only through its account principal, when the caller uses another account's key,
   * and for the IAM-only actions kms:CreateKey, kms:ListKeys, kms:ListAliases,
   * kms:ListRetirableGrants. Never asked about the account's root user. Default: allows
   * everything, i.e. every principal holds IAM permissions and key policies and grants decide.
   */
  identityPolicy?: IdentityPolicy;
}


/** An injected clock's time as epoch ms; NaN when it answers something that is not a valid Date. */
function epochOf(clock: () => Date): number {
  try {
    const d = clock();
    return d instanceof Date ? d.getTime() : NaN;
  } catch {
    return NaN;
  }
}

/** The clock's time now, or the system's when an injected clock answers garbage (operations then refuse it). */
function clockMs(clock: () => Date): number {
  const t = epochOf(clock);
  return Number.isFinite(t) ? t : Date.now();
}

/** Parses and checks a caller principal: an IAM principal ARN of `accountId` in `partition`. */
function callerOf(arn: unknown, accountId: string, partition: string): Principal {
  const p = typeof arn === 'string' ? parsePrincipal(arn, partition) : undefined;
  /* Precondition: the caller is an IAM principal ARN of the Kms's partition… */
  if (!p || p.partition !== partition) {
    throw new ValidationException(`Invalid principal ${echo(arn)}: expected an IAM principal ARN (arn:${partition}:iam::<account>:root|user/…|role/…, arn:${partition}:sts::<account>:assumed-role/…|federated-user/…)`);
  }
  /* Precondition: …and of its account. */
  if (p.accountId !== accountId) {
    throw new ValidationException(`The principal ${p.arn} is not in account ${accountId}: a caller of another account needs its own Kms (same key store, accountId ${p.accountId}).`);
  }
  return p;
}

/**
 * What each Kms (and each `as()` view) works with: caller, store, clock, crypto environment,
 * caches (src/operations/context.ts). Kept outside the instance, so no property, JSON.stringify
 * or inspection of a Kms reaches the key store's or caches' contents through it.
 */
const CONTEXTS = new WeakMap<Kms, OpContext>();

/** The operation context of a Kms (for the protocol adapter, which runs rows of the table). */
export function contextOf(kms: Kms): OpContext {
  const ctx = CONTEXTS.get(kms);
  /* Precondition: a Kms made by its constructor or as(). */
  if (!ctx) throw new KMSInternalException('Not a kms-core Kms instance.');
  return ctx;
}

/**
 * An operation context built by one object literal, so that a Kms and every as() view share
 * one object shape: a spread copy has another, and with a root user and a role in one process
 * each of the hundreds of ctx reads on the hot path turned polymorphic (issue 14).
 */
function opContext(c: OpContext): OpContext {
  return { accountId: c.accountId, region: c.region, partition: c.partition, keyStore: c.keyStore, caller: c.caller, identityPolicy: c.identityPolicy, clock: c.clock, env: c.env, blobArns: c.blobArns, keyArns: c.keyArns, usage: c.usage, epochMs: c.epochMs };
}

/** Runs operation `name` for `kms` through its row of the operation table. */
function run<Op extends OperationName>(kms: Kms, name: Op, input: unknown): Promise<OperationOutput<Op>> {
  return runOperation(contextOf(kms), OPERATION_TABLE[name] as never, input) as Promise<OperationOutput<Op>>;
}

export class Kms {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly keyStore: KeyStore;
  /** The caller's ARN (default: the account's root user). */
  readonly principal: string;

  constructor(options: KmsOptions = {}) {
    const accountId = options.accountId ?? '111122223333';
    const region = options.region ?? 'us-east-1';
    /* Precondition: the account ID is 12 digits and the region looks like an AWS Region. */
    if (typeof accountId !== 'string' || !isAccountId(accountId)) throw new ValidationException(`Invalid accountId ${echo(accountId)}: must be 12 digits`);
    if (typeof region !== 'string' || !isRegionName(region)) throw new ValidationException(`Invalid region ${echo(region)}`);
    const partition = partitionOf(region);
    const keyStore = options.keyStore ?? new InMemoryKeyStore();
    const caller = callerOf(options.principal ?? rootPrincipal(region, accountId), accountId, partition);
    const random: Random = options.random
      ? checkedRandom(options.random, () => new KMSInternalException('The random source returned the wrong number of bytes.'))
      : pooledRandom();
    const cache = new MaterialCache();
    const env: CryptoEnv = {
      backend: options.backend ?? defaultBackend,
      random,
      keyObject: (bk, kind, make) => cache.object(bk, kind, make),
      memo: (bk, kind, make) => cache.get(bk, kind, make),
      forget: (id) => cache.forget(id),
    };
    this.accountId = accountId;
    this.region = region;
    this.partition = partition;
    this.keyStore = keyStore;
    this.principal = caller.arn;
    const injected = options.now;
    const clock = injected ?? (() => new Date());
    const epochMs = injected ? () => epochOf(injected) : Date.now;
    CONTEXTS.set(this, opContext({ accountId, region, partition, keyStore, caller, identityPolicy: options.identityPolicy, clock, env, blobArns: new BlobArnMemo(region), keyArns: new KeyArnMemo(region, accountId), usage: usageLogOf(keyStore, clockMs(clock)), epochMs }));
  }

  /**
   * A view of this Kms bound to another caller of the same account: it shares the key store,
   * caches, clock and options, and answers every operation as `principal` (an IAM principal
   * ARN). A principal of another account is a ValidationException: give that account its own
   * Kms (`new Kms({ accountId, keyStore })`) sharing the store.
   */
  as(principal: string): Kms {
    const caller = callerOf(principal, this.accountId, this.partition);
    const view = Object.create(this) as Kms;
    Object.defineProperty(view, 'principal', { value: caller.arn, enumerable: true });
    CONTEXTS.set(view, opContext({ ...contextOf(this), caller }));
    return view;
  }

  /** JSON.stringify and util.inspect of a Kms or a view: who and where, never keys (issue 12.5). */
  toJSON(): { accountId: string; region: string; principal: string } {
    return { accountId: this.accountId, region: this.region, principal: this.principal };
  }

  [INSPECT](): string {
    return summary('Kms', this.toJSON());
  }

  // ── keys (src/operations/keys.ts) ──
  /** CreateKey: a key of any spec kms-core implements (SYMMETRIC_DEFAULT by default). */
  createKey(input: T.CreateKeyRequest = {}): Promise<T.CreateKeyResponse> { return run(this, 'CreateKey', input); }
  /** DescribeKey: the key's metadata; any key state. */
  describeKey(input: T.DescribeKeyRequest): Promise<T.DescribeKeyResponse> { return run(this, 'DescribeKey', input); }
  /** ListKeys: the account's keys in this Region, paged (Limit 1..1000, default 100). */
  listKeys(input: T.ListKeysRequest = {}): Promise<T.ListKeysResponse> { return run(this, 'ListKeys', input); }
  /** EnableKey: Disabled → Enabled. */
  enableKey(input: T.EnableKeyRequest): Promise<Record<string, never>> { return run(this, 'EnableKey', input); }
  /** DisableKey: Enabled → Disabled. */
  disableKey(input: T.DisableKeyRequest): Promise<Record<string, never>> { return run(this, 'DisableKey', input); }
  /** ScheduleKeyDeletion: PendingDeletion for 7..30 days (default 30), then gone. */
  scheduleKeyDeletion(input: T.ScheduleKeyDeletionRequest): Promise<T.ScheduleKeyDeletionResponse> { return run(this, 'ScheduleKeyDeletion', input); }
  /** CancelKeyDeletion: the key comes back Disabled. */
  cancelKeyDeletion(input: T.CancelKeyDeletionRequest): Promise<T.CancelKeyDeletionResponse> { return run(this, 'CancelKeyDeletion', input); }
  /** UpdateKeyDescription: replaces the key's Description (0..8192 characters). */
  updateKeyDescription(input: T.UpdateKeyDescriptionRequest): Promise<Record<string, never>> { return run(this, 'UpdateKeyDescription', input); }
  /** GetKeyLastUsage: the key's last successful cryptographic operation, TrackingStartDate, KeyCreationDate (src/operations/last-usage.ts). */
  getKeyLastUsage(input: T.GetKeyLastUsageRequest): Promise<T.GetKeyLastUsageResponse> { return run(this, 'GetKeyLastUsage', input); }

  // ── aliases (src/operations/aliases.ts) ──
  /** CreateAlias: a new alias of the account for one of its keys. */
  createAlias(input: T.CreateAliasRequest): Promise<Record<string, never>> { return run(this, 'CreateAlias', input); }
  /** UpdateAlias: points an alias at another key of the same type and usage. */
  updateAlias(input: T.UpdateAliasRequest): Promise<Record<string, never>> { return run(this, 'UpdateAlias', input); }
  /** DeleteAlias: removes an alias (never its key). */
  deleteAlias(input: T.DeleteAliasRequest): Promise<Record<string, never>> { return run(this, 'DeleteAlias', input); }
  /** ListAliases: the account's aliases in this Region, or one key's, paged. */
  listAliases(input: T.ListAliasesRequest = {}): Promise<T.ListAliasesResponse> { return run(this, 'ListAliases', input); }

  // ── key policies (src/operations/key-policies.ts) ──
  /** GetKeyPolicy: the key policy (the default one spelled out as AWS writes it). */
  getKeyPolicy(input: T.GetKeyPolicyRequest): Promise<T.GetKeyPolicyResponse> { return run(this, 'GetKeyPolicy', input); }
  /** PutKeyPolicy: replaces the key policy, after the lockout safety check. */
  putKeyPolicy(input: T.PutKeyPolicyRequest): Promise<Record<string, never>> { return run(this, 'PutKeyPolicy', input); }
  /** ListKeyPolicies: `["default"]`, the only key policy name, paged. */
  listKeyPolicies(input: T.ListKeyPoliciesRequest): Promise<T.ListKeyPoliciesResponse> { return run(this, 'ListKeyPolicies', input); }

  // ── tags (src/operations/tags.ts) ──
  /** TagResource: adds tags or replaces their values (at most 50 per key; `aws:` keys are reserved). */
  tagResource(input: T.TagResourceRequest): Promise<Record<string, never>> { return run(this, 'TagResource', input); }
  /** UntagResource: removes tags by key (a key without the tag is not an error). */
  untagResource(input: T.UntagResourceRequest): Promise<Record<string, never>> { return run(this, 'UntagResource', input); }
  /** ListResourceTags: the key's tags, paged (Limit 1..50, default 50). */
  listResourceTags(input: T.ListResourceTagsRequest): Promise<T.ListResourceTagsResponse> { return run(this, 'ListResourceTags', input); }

  // ── custom key stores (src/operations/custom-key-stores.ts: kms-core's accounts have none) ──
  /** CreateCustomKeyStore: the CloudHSM cluster or external key store proxy cannot be found (CloudHsmClusterNotFoundException, XksProxy…Exception). */
  createCustomKeyStore(input: T.CreateCustomKeyStoreRequest): Promise<T.CreateCustomKeyStoreResponse> { return run(this, 'CreateCustomKeyStore', input); }
  /** ConnectCustomKeyStore: CustomKeyStoreNotFoundException. */
  connectCustomKeyStore(input: T.ConnectCustomKeyStoreRequest): Promise<T.ConnectCustomKeyStoreResponse> { return run(this, 'ConnectCustomKeyStore', input); }
  /** DescribeCustomKeyStores: an empty list (a named store: CustomKeyStoreNotFoundException). */
  describeCustomKeyStores(input: T.DescribeCustomKeyStoresRequest = {}): Promise<T.DescribeCustomKeyStoresResponse> { return run(this, 'DescribeCustomKeyStores', input); }
  /** DisconnectCustomKeyStore: CustomKeyStoreNotFoundException. */
  disconnectCustomKeyStore(input: T.DisconnectCustomKeyStoreRequest): Promise<T.DisconnectCustomKeyStoreResponse> { return run(this, 'DisconnectCustomKeyStore', input); }
  /** UpdateCustomKeyStore: CustomKeyStoreNotFoundException. */
  updateCustomKeyStore(input: T.UpdateCustomKeyStoreRequest): Promise<T.UpdateCustomKeyStoreResponse> { return run(this, 'UpdateCustomKeyStore', input); }
  /** DeleteCustomKeyStore: CustomKeyStoreNotFoundException. */
  deleteCustomKeyStore(input: T.DeleteCustomKeyStoreRequest): Promise<T.DeleteCustomKeyStoreResponse> { return run(this, 'DeleteCustomKeyStore', input); }

  // ── grants (src/operations/grants.ts) ──
  /** CreateGrant: a grant for a grantee principal; returns GrantId and a grant token. */
  createGrant(input: T.CreateGrantRequest): Promise<T.CreateGrantResponse> { return run(this, 'CreateGrant', input); }
  /** ListGrants: a key's grants, paged. */
  listGrants(input: T.ListGrantsRequest): Promise<T.ListGrantsResponse> { return run(this, 'ListGrants', input); }
  /** RetireGrant: by GrantToken, or by KeyId and GrantId; the grant decides who may. */
  retireGrant(input: T.RetireGrantRequest = {}): Promise<Record<string, never>> { return run(this, 'RetireGrant', input); }
  /** RevokeGrant: deletes a grant (kms:RevokeGrant on the key). */
  revokeGrant(input: T.RevokeGrantRequest): Promise<Record<string, never>> { return run(this, 'RevokeGrant', input); }
  /** ListRetirableGrants: the grants a principal of the caller's account may retire. */
  listRetirableGrants(input: T.ListRetirableGrantsRequest): Promise<T.ListGrantsResponse> { return run(this, 'ListRetirableGrants', input); }

  // ── rotation (src/operations/rotation.ts) ──
  /** EnableKeyRotation: automatic rotation every RotationPeriodInDays (90..2560, default 365). */
  enableKeyRotation(input: T.EnableKeyRotationRequest): Promise<Record<string, never>> { return run(this, 'EnableKeyRotation', input); }
  /** DisableKeyRotation: stops automatic rotation. */
  disableKeyRotation(input: T.DisableKeyRotationRequest): Promise<Record<string, never>> { return run(this, 'DisableKeyRotation', input); }
  /** GetKeyRotationStatus: whether, and when next, the key rotates. */
  getKeyRotationStatus(input: T.GetKeyRotationStatusRequest): Promise<T.GetKeyRotationStatusResponse> { return run(this, 'GetKeyRotationStatus', input); }
  /** RotateKeyOnDemand: a new backing key now (at most 25 per key). */
  rotateKeyOnDemand(input: T.RotateKeyOnDemandRequest): Promise<T.RotateKeyOnDemandResponse> { return run(this, 'RotateKeyOnDemand', input); }
  /** ListKeyRotations: the key's rotations (ALL_KEY_MATERIAL adds its first material). */
  listKeyRotations(input: T.ListKeyRotationsRequest): Promise<T.ListKeyRotationsResponse> { return run(this, 'ListKeyRotations', input); }

  // ── cryptography (src/operations/encrypt.ts, decrypt.ts, re-encrypt.ts, data-keys.ts, public-key.ts) ──
  /** Encrypt: plaintext 1..4096 bytes (less for RSA and SM2) under a key. */
  encrypt(input: T.EncryptRequest): Promise<T.EncryptResponse> { return run(this, 'Encrypt', input); }
  /** Decrypt: symmetric ciphertext names its key; asymmetric needs KeyId and EncryptionAlgorithm. */
  decrypt(input: T.DecryptRequest): Promise<T.DecryptResponse> { return run(this, 'Decrypt', input); }
  /** ReEncrypt: decrypt and encrypt again in one call; the plaintext never leaves it. */
  reEncrypt(input: T.ReEncryptRequest): Promise<T.ReEncryptResponse> { return run(this, 'ReEncrypt', input); }
  /** GenerateDataKey: a data key (KeySpec AES_128/AES_256 or NumberOfBytes 1..1024), in plaintext and encrypted. */
  generateDataKey(input: T.GenerateDataKeyRequest): Promise<T.GenerateDataKeyResponse> { return run(this, 'GenerateDataKey', input); }
  /** GenerateDataKeyWithoutPlaintext: the same, encrypted only. */
  generateDataKeyWithoutPlaintext(input: T.GenerateDataKeyWithoutPlaintextRequest): Promise<T.GenerateDataKeyWithoutPlaintextResponse> { return run(this, 'GenerateDataKeyWithoutPlaintext', input); }
  /** GetPublicKey: the DER SubjectPublicKeyInfo of an asymmetric key. */
  getPublicKey(input: T.GetPublicKeyRequest): Promise<T.GetPublicKeyResponse> { return run(this, 'GetPublicKey', input); }

  // ── signatures and data key pairs (src/operations/sign.ts, data-key-pairs.ts) ──
  /** Sign: a signature of a RAW message (1..4096 bytes), a DIGEST or an ML-DSA EXTERNAL_MU with a SIGN_VERIFY key. */
  sign(input: T.SignRequest): Promise<T.SignResponse> { return run(this, 'Sign', input); }
  /** Verify: SignatureValid true, or KMSInvalidSignatureException for a signature that does not verify. */
  verify(input: T.VerifyRequest): Promise<T.VerifyResponse> { return run(this, 'Verify', input); }
  /** GenerateDataKeyPair: a key pair (SPKI, PKCS#8) and its private key encrypted under a symmetric key. */
  generateDataKeyPair(input: T.GenerateDataKeyPairRequest): Promise<T.GenerateDataKeyPairResponse> { return run(this, 'GenerateDataKeyPair', input); }
  /** GenerateDataKeyPairWithoutPlaintext: the same without PrivateKeyPlaintext. */
  generateDataKeyPairWithoutPlaintext(input: T.GenerateDataKeyPairWithoutPlaintextRequest): Promise<T.GenerateDataKeyPairWithoutPlaintextResponse> { return run(this, 'GenerateDataKeyPairWithoutPlaintext', input); }

  // ── MACs, key agreement, key encapsulation, randomness (src/operations/mac.ts, key-agreement.ts, key-encapsulation.ts, random.ts) ──
  /** GenerateMac: the HMAC (RFC 2104, full digest) of a 1..4096-byte message under an HMAC key. */
  generateMac(input: T.GenerateMacRequest): Promise<T.GenerateMacResponse> { return run(this, 'GenerateMac', input); }
  /** VerifyMac: MacValid true, or KMSInvalidMacException (constant-time comparison). */
  verifyMac(input: T.VerifyMacRequest): Promise<T.VerifyMacResponse> { return run(this, 'VerifyMac', input); }
  /** DeriveSharedSecret: the raw ECDH shared secret of a KEY_AGREEMENT key and the other party's SPKI. */
  deriveSharedSecret(input: T.DeriveSharedSecretRequest): Promise<T.DeriveSharedSecretResponse> { return run(this, 'DeriveSharedSecret', input); }
  /** Encapsulate: an ML-KEM shared secret (32 bytes) and its SharedSecretCiphertextBlob. */
  encapsulate(input: T.EncapsulateRequest): Promise<T.EncapsulateResponse> { return run(this, 'Encapsulate', input); }
  /** Decapsulate: the ML-KEM shared secret of a blob (implicit rejection: any blob of the right length gives 32 bytes). */
  decapsulate(input: T.DecapsulateRequest): Promise<T.DecapsulateResponse> { return run(this, 'Decapsulate', input); }
  /** GenerateRandom: NumberOfBytes (1..1024) bytes from the Kms `random` option. */
  generateRandom(input: T.GenerateRandomRequest): Promise<T.GenerateRandomResponse> { return run(this, 'GenerateRandom', input); }

  // ── multi-Region keys (src/operations/multi-region.ts; the Kms of each Region shares one KeyStore) ──
  /** ReplicateKey: a replica of a multi-Region primary key in another Region of the partition. */
  replicateKey(input: T.ReplicateKeyRequest): Promise<T.ReplicateKeyResponse> { return run(this, 'ReplicateKey', input); }
  /** UpdatePrimaryRegion: the replica in PrimaryRegion becomes the primary, the primary a replica. */
  updatePrimaryRegion(input: T.UpdatePrimaryRegionRequest): Promise<Record<string, never>> { return run(this, 'UpdatePrimaryRegion', input); }

  // ── imported key material (src/operations/import.ts) ──
  /** GetParametersForImport: a wrapping public key (SPKI) and import token for an EXTERNAL key, valid 24 hours. */
  getParametersForImport(input: T.GetParametersForImportRequest): Promise<T.GetParametersForImportResponse> { return run(this, 'GetParametersForImport', input); }
  /** ImportKeyMaterial: wrapped key material (with the token's public key) into an EXTERNAL key; ValidTo / ExpirationModel; ImportType for symmetric keys. */
  importKeyMaterial(input: T.ImportKeyMaterialRequest): Promise<T.ImportKeyMaterialResponse> { return run(this, 'ImportKeyMaterial', input); }
  /** DeleteImportedKeyMaterial: removes imported material (the current one, or KeyMaterialId's); the key becomes PendingImport. */
  deleteImportedKeyMaterial(input: T.DeleteImportedKeyMaterialRequest): Promise<T.DeleteImportedKeyMaterialResponse> { return run(this, 'DeleteImportedKeyMaterial', input); }
}
