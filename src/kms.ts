/**
 * The Kms class: the public API. Each method validates its input against the KMS API model,
 * resolves keys, checks key state and algorithm, and hands the cryptography to the algorithm
 * registry. Nothing below this file knows about AWS request shapes.
 */
import { algorithm, keySpecInfo } from './algorithms/registry.js';
import type { CryptoEnv, EncryptionAlgorithm, EncryptionAlgorithmSpec, KeySpecInfo } from './algorithms/types.js';
import { defaultBackend } from '#default-backend';
import type { Backend } from './backend/types.js';
import { canonicalContext, hasContext, type EncryptionContext } from './envelope/context.js';
import { OFF_MATERIAL_ID as KEY_REF_LEN, OVERHEAD, readKeyHeader } from './envelope/format.js';
import {
  AccessDeniedException,
  AlreadyExistsException,
  DryRunOperationException,
  IncorrectKeyException,
  InvalidGrantIdException,
  InvalidGrantTokenException,
  InvalidKeyUsageException,
  InvalidMarkerException,
  KMSInternalException,
  KMSInvalidStateException,
  KmsError,
  LimitExceededException,
  MalformedPolicyDocumentException,
  NotAuthorizedException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
  asKmsError,
  invalidCiphertext,
} from './errors.js';
import { aliasArn, isAccountId, keyArn, newKeyId, parseKeyRef, partitionOf, rootPrincipal, type KeyRef } from './keys/arn.js';
import { currentMaterial, isSymmetric, type AliasRecord, type BackingKey, type GrantConstraintsRecord, type GrantRecord, type KeyRecord, type KeySpec } from './keys/record.js';
import {
  accessDeniedMessage,
  ciphertextAccessDeniedMessage,
  decide,
  evaluatePolicy,
  requestContext,
  type AuthRequest,
  type Denial,
  type IdentityPolicy,
  type KeyFacts,
  type RequestFacts,
} from './auth/evaluate.js';
import {
  CONSTRAINT_MAX_PAIRS,
  CONSTRAINT_MAX_VALUE,
  GRANT_ID,
  decodeGrantToken,
  encodeGrantToken,
  grantIssued,
  grantOperationSupported,
  newGrantId,
  sameConstraints,
  sameOperations,
} from './auth/grants.js';
import { DEFAULT_POLICY_NAME, LOCKOUT, cachedKeyPolicy, defaultKeyPolicy, parseKeyPolicy } from './auth/policy.js';
import { parsePrincipal, principalMatch, rootArn, type Principal } from './auth/principals.js';
import {
  DAY_MS,
  DEFAULT_ROTATION_PERIOD_DAYS,
  ON_DEMAND_ROTATION_LIMIT,
  applyScheduledRotations,
  onDemandRotations,
  rotateNow,
  rotationDue,
} from './keys/rotation.js';
import { MaterialCache } from './keys/material-cache.js';
import { INSPECT, summary } from './keys/redact.js';
import { assertUsable, stateError } from './keys/state.js';
import { InMemoryKeyStore, type KeyStore } from './keys/store.js';
import { checkedRandom, pooledRandom, type Random } from './random.js';
import type * as T from './types.js';
import { equalBytes, toHex, wipe } from './util/bytes.js';
import { echo, rangeViolation, validateInput, validationError } from './validate.js';

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

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const CIPHERTEXT_KEY_INACCESSIBLE =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';
const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';
const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';

/** The model's description of InvalidGrantTokenException (AWS's own message is not recorded). */
const INVALID_GRANT_TOKEN = 'A grant token provided as part of the request is invalid.';

/**
 * Operations the API reference marks "Cross-account use: No": refused on another account's key
 * whatever its key policy says (kms-core keeps the resource-policy AccessDeniedException).
 */
const NO_CROSS_ACCOUNT: ReadonlySet<string> = new Set([
  'CancelKeyDeletion',
  'CreateAlias',
  'DeleteAlias',
  'DeleteImportedKeyMaterial',
  'DisableKey',
  'DisableKeyRotation',
  'EnableKey',
  'EnableKeyRotation',
  'GetKeyPolicy',
  'GetParametersForImport',
  'ImportKeyMaterial',
  'ListAliases',
  'ListKeyPolicies',
  'ListKeyRotations',
  'ListResourceTags',
  'PutKeyPolicy',
  'ReplicateKey',
  'RotateKeyOnDemand',
  'ScheduleKeyDeletion',
  'TagResource',
  'UntagResource',
  'UpdateAlias',
  'UpdateKeyDescription',
  'UpdatePrimaryRegion',
]);

const NO_FACTS: RequestFacts = Object.freeze({});
/** The other key of a ReEncrypt, looked up on demand. */
type Peer = () => Promise<string | undefined>;
/** The key facts of an action that is not about a key (CreateKey without a request, ListKeys…). */
const NO_KEY = Object.freeze({ arn: '*', accountId: '', keySpec: '', keyUsage: '', origin: '', multiRegion: false });

/** Parses and checks a caller principal: an IAM principal ARN of `accountId` in `partition`. */
function callerOf(arn: unknown, accountId: string, partition: string): Principal {
  const p = typeof arn === 'string' ? parsePrincipal(arn, partition) : undefined;
  if (!p || p.partition !== partition) {
    throw new ValidationException(`Invalid principal ${echo(arn)}: expected an IAM principal ARN (arn:${partition}:iam::<account>:root|user/…|role/…, arn:${partition}:sts::<account>:assumed-role/…|federated-user/…)`);
  }
  if (p.accountId !== accountId) {
    throw new ValidationException(`The principal ${p.arn} is not in account ${accountId}: a caller of another account needs its own Kms (same key store, accountId ${p.accountId}).`);
  }
  return p;
}

/** Key specs kms-core knows in the model but does not implement (yet). */
function unsupportedSpec(spec: string): KmsError {
  return new UnsupportedOperationException(`KeySpec ${spec} is not supported by kms-core.`);
}

export class Kms {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly keyStore: KeyStore;
  /** The caller's ARN (default: the account's root user). */
  readonly principal: string;
  /** The caller, parsed. */
  private readonly caller: Principal;
  private readonly identityPolicy: IdentityPolicy | undefined;
  private readonly clock: () => Date;
  private readonly env: CryptoEnv;
  private readonly cache = new MaterialCache();
  private readonly blobArns = new Map<string, string>();

  constructor(options: KmsOptions = {}) {
    const accountId = options.accountId ?? '111122223333';
    const region = options.region ?? 'us-east-1';
    /* Precondition: the account ID is 12 digits and the region looks like an AWS Region. */
    if (typeof accountId !== 'string' || !isAccountId(accountId)) throw new ValidationException(`Invalid accountId ${echo(accountId)}: must be 12 digits`);
    if (typeof region !== 'string' || !REGION.test(region)) throw new ValidationException(`Invalid region ${echo(region)}`);
    this.accountId = accountId;
    this.region = region;
    this.partition = partitionOf(region);
    this.keyStore = options.keyStore ?? new InMemoryKeyStore();
    this.caller = callerOf(options.principal ?? rootPrincipal(region, accountId), accountId, this.partition);
    this.principal = this.caller.arn;
    this.identityPolicy = options.identityPolicy;
    this.clock = options.now ?? (() => new Date());
    const random: Random = options.random
      ? checkedRandom(options.random, () => new KMSInternalException('The random source returned the wrong number of bytes.'))
      : pooledRandom();
    const backend = options.backend ?? defaultBackend;
    const cache = this.cache;
    this.env = {
      backend,
      random,
      keyObject: (bk, kind, make) => cache.get(bk, kind, (b) => Promise.resolve().then(() => make(b))),
      memo: (bk, kind, make) => cache.get(bk, kind, make),
    };
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
    Object.defineProperty(view, 'caller', { value: caller });
    return view;
  }

  /** JSON.stringify and util.inspect of a Kms or a view: who and where, never keys (issue 12.5). */
  toJSON(): { accountId: string; region: string; principal: string } {
    return { accountId: this.accountId, region: this.region, principal: this.principal };
  }

  [INSPECT](): string {
    return summary('Kms', this.toJSON());
  }

  // ───────────────────────────── plumbing ─────────────────────────────

  private nowMs(): number {
    const d = this.clock();
    const t = d instanceof Date ? d.getTime() : NaN;
    if (!Number.isFinite(t)) throw new KMSInternalException('The clock returned an invalid date.');
    return t;
  }

  /** Runs an operation so that nothing but a KmsError ever escapes. */
  private async run<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (e) {
      throw asKmsError(e);
    }
  }

  /** Applies what time has done to a key: deletion once DeletionDate passed, due rotations. */
  private async refresh(rec: KeyRecord | undefined): Promise<KeyRecord | undefined> {
    if (!rec) return undefined;
    // Only a key pending deletion or with automatic rotation has anything time can change.
    if (rec.keyState !== 'PendingDeletion' && !rec.rotationEnabled) return rec;
    const now = this.nowMs();
    if (rec.keyState === 'PendingDeletion' && rec.deletionDate !== undefined && now >= rec.deletionDate) {
      const aliases = await this.keyStore.listAliases(rec.region, rec.accountId);
      for (const a of aliases) if (a.targetKeyId === rec.keyId) await this.keyStore.deleteAlias(a.aliasArn);
      await this.keyStore.deleteKey(rec.arn);
      return undefined;
    }
    if (rotationDue(rec, now)) {
      return this.keyStore.updateKey(rec.arn, (r) => applyScheduledRotations(r, now, this.env.random));
    }
    return rec;
  }

  private async getKey(arn: string): Promise<KeyRecord | undefined> {
    return this.refresh(await this.keyStore.getKey(arn));
  }

  private notFound(arn: string): KmsError {
    return new NotFoundException(`Key '${arn}' does not exist`);
  }

  /**
   * Resolves any of the four identifier forms to a live key record. Short IDs and alias names
   * resolve in the caller's account only; another account's key is reachable by key ARN or
   * alias ARN, and only when its key policy allows the caller (`action`).
   */
  private async resolve(id: string, action: string, facts?: RequestFacts, peer?: Peer): Promise<KeyRecord> {
    const rec = await this.lookup(id);
    const ref = parseKeyRef(id) as KeyRef; // memoized; lookup() has checked it
    if (ref.kind === 'aliasName' || ref.kind === 'aliasArn') facts = { ...facts, requestAlias: ref.aliasName };
    this.authorize(action, rec, peer === undefined ? facts : await this.withPeer(rec, facts, peer));
    return rec;
  }

  /** Resolves a key identifier to a live record without authorizing anything. */
  private async lookup(id: string): Promise<KeyRecord> {
    const ref = parseKeyRef(id);
    if (!ref) throw new NotFoundException(`Invalid keyId '${id}'`);
    const arn = await this.arnOf(ref, id);
    const rec = await this.getKey(arn);
    if (!rec) throw this.notFound(arn);
    return rec;
  }

  /**
   * ReEncrypt's kms:ReEncryptOnSameKey needs the other key's ARN; for the source side it is
   * looked up (lazily: only when a key policy or the identity hook may read it).
   */
  private async withPeer(rec: KeyRecord, facts: RequestFacts | undefined, peer: Peer | undefined): Promise<RequestFacts | undefined> {
    if (peer === undefined || (rec.policy === undefined && this.identityPolicy === undefined)) return facts;
    return { ...facts, reEncryptPeer: await peer() };
  }

  /** The ARN a key identifier names, or undefined when it names nothing (no error). */
  private async arnIfAny(id: string | undefined): Promise<string | undefined> {
    const ref = id === undefined ? undefined : parseKeyRef(id);
    if (!ref) return undefined;
    try {
      return await this.arnOf(ref, id as string);
    } catch {
      return undefined;
    }
  }

  private async arnOf(ref: KeyRef, id: string): Promise<string> {
    switch (ref.kind) {
      case 'keyId':
        return keyArn(this.region, this.accountId, ref.keyId);
      case 'keyArn':
        // AWS answers an ARN of another Region with "Invalid arn <region>" (recorded response).
        if (ref.region !== this.region || ref.partition !== this.partition) throw new NotFoundException(`Invalid arn ${ref.region}`);
        return keyArn(ref.region, ref.accountId, ref.keyId);
      case 'aliasName':
      case 'aliasArn': {
        const account = ref.kind === 'aliasArn' ? ref.accountId : this.accountId;
        if (ref.kind === 'aliasArn' && (ref.region !== this.region || ref.partition !== this.partition)) {
          throw new NotFoundException(`Invalid arn ${ref.region}`);
        }
        const aArn = aliasArn(this.region, account, ref.aliasName);
        const alias = await this.keyStore.getAlias(aArn);
        if (!alias) throw new NotFoundException(`Alias ${aArn} is not found.`);
        return keyArn(this.region, account, alias.targetKeyId);
      }
    }
  }

  /**
   * Authorizes `action` (a KMS permission name: Decrypt, ReEncryptFrom, …) on `rec` for the
   * caller: key policy, grants and the identity hook (src/auth/evaluate.ts); refusals are
   * AccessDeniedException with AWS's wording. Operations that AWS does not allow across
   * accounts are refused for another account's key whatever its policy says.
   */
  private authorize(action: string, rec: KeyRecord, facts?: RequestFacts): void {
    const denial = this.denial(action, rec, facts);
    if (denial !== undefined) throw new AccessDeniedException(accessDeniedMessage(this.principal, action, rec.arn, denial));
  }

  private denial(action: string, rec: KeyRecord, facts: RequestFacts | undefined): Denial | undefined {
    const caller = this.caller;
    const sameAccount = rec.accountId === caller.accountId;
    if (!sameAccount && NO_CROSS_ACCOUNT.has(action)) return 'no-resource-policy';
    // Fast path: the default key policy allows the account's root user everything.
    if (rec.policy === undefined && sameAccount && caller.kind === 'root') return undefined;
    const req: AuthRequest = { caller, action, key: rec, facts: facts ?? NO_FACTS };
    const verdict =
      rec.policy === undefined
        ? // The default key policy: kms:* for the key account's principal, nothing else.
          { deny: false, allow: sameAccount ? (caller.kind === 'root' ? ('name' as const) : ('account' as const)) : (false as const) }
        : evaluatePolicy(cachedKeyPolicy(rec.policy, partitionOf(rec.region)), req);
    return decide(verdict, req, rec.grants, () => this.identityAllows(req, rec.arn), isSymmetric(rec)).denial;
  }

  /** Asks the identity hook (IAM of the caller's account); without one, IAM allows. */
  private identityAllows(req: AuthRequest, resource: string): boolean {
    const hook = this.identityPolicy;
    if (!hook) return true;
    return hook({ principal: req.caller.arn, action: `kms:${req.action}`, resource, context: requestContext(req) }) === true;
  }

  /**
   * Authorizes an action IAM alone controls (kms:CreateKey, kms:ListKeys, kms:ListAliases,
   * kms:ListRetirableGrants): the root user may; anyone else when the identity hook allows.
   */
  private authorizeIam(action: string, resource: string, facts?: RequestFacts, key: KeyFacts = NO_KEY): void {
    if (this.caller.kind === 'root') return;
    const req: AuthRequest = { caller: this.caller, action, key, facts: facts ?? NO_FACTS };
    if (!this.identityAllows(req, resource)) {
      throw new AccessDeniedException(accessDeniedMessage(this.principal, action, resource, 'no-identity-policy'));
    }
  }

  /**
   * Parses a key policy (MalformedPolicyDocumentException, LimitExceededException) and runs the
   * lockout safety check: unless bypassed, the policy must let the caller call PutKeyPolicy
   * again (API reference, PutKeyPolicy and CreateKey `Policy`).
   */
  private checkPolicy(text: string, bypass: boolean, key: KeyFacts): void {
    const policy = parseKeyPolicy(text, this.partition);
    if (bypass) return;
    // The subsequent PutKeyPolicy is one without the parameter: kms:BypassPolicyLockoutSafetyCheck absent.
    const verdict = evaluatePolicy(policy, { caller: this.caller, action: 'PutKeyPolicy', key, facts: NO_FACTS });
    if (verdict.deny || verdict.allow === false) throw new MalformedPolicyDocumentException(LOCKOUT);
  }

  /**
   * Checks every grant token of a request: each must be one kms-core issued, for a grant that
   * still exists (API reference: InvalidGrantTokenException). Grants are effective at once in
   * kms-core, so a valid token adds nothing more.
   */
  private async checkGrantTokens(tokens: readonly string[] | undefined): Promise<void> {
    if (tokens === undefined || tokens.length === 0) return;
    for (const t of tokens) {
      const d = decodeGrantToken(t);
      const rec = d && (await this.getKey(d.keyArn));
      const g = d && rec?.grants?.find((x) => x.grantId === d.grantId);
      if (!d || !g || !grantIssued(g, d.nonce)) throw new InvalidGrantTokenException(INVALID_GRANT_TOKEN);
    }
  }

  private spec(rec: KeyRecord): KeySpecInfo {
    const info = keySpecInfo(rec.keySpec);
    if (!info) throw unsupportedSpec(rec.keySpec);
    return info;
  }

  /** The registry row for `name`, checked against the key's spec. */
  private algorithmFor(rec: KeyRecord, name: EncryptionAlgorithmSpec | undefined): EncryptionAlgorithm {
    const alg = name ?? 'SYMMETRIC_DEFAULT';
    const row = algorithm(alg);
    if (!row || !this.spec(rec).encryptionAlgorithms.includes(alg)) {
      throw new InvalidKeyUsageException(`Algorithm ${alg} is incompatible with key spec ${rec.keySpec}.`);
    }
    return row;
  }

  /** The canonical context bytes; an asymmetric algorithm takes none. */
  private contextFor(row: EncryptionAlgorithm, ctx: EncryptionContext | undefined, path: string): Uint8Array {
    if (!row.acceptsContext && hasContext(ctx)) {
      throw new ValidationException(`EncryptionContext is not supported with asymmetric algorithm ${row.name}.`);
    }
    return canonicalContext(ctx, path);
  }

  private checkPlaintextLimit(row: EncryptionAlgorithm, rec: KeyRecord, length: number): void {
    const max = row.maxPlaintext(rec.keySpec);
    if (length <= max) return;
    if (row.name === 'SYMMETRIC_DEFAULT') {
      throw validationError([`Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to ${max}`]);
    }
    throw new ValidationException(`Algorithm ${row.name} and key spec ${rec.keySpec} cannot encrypt data larger than ${max} bytes.`);
  }

  private metadata(rec: KeyRecord): T.KeyMetadata {
    const info = keySpecInfo(rec.keySpec);
    const md: T.KeyMetadata = {
      AWSAccountId: rec.accountId,
      KeyId: rec.keyId,
      Arn: rec.arn,
      CreationDate: new Date(rec.creationDate),
      Enabled: rec.keyState === 'Enabled',
      Description: rec.description,
      KeyUsage: rec.keyUsage,
      KeyState: rec.keyState,
      Origin: rec.origin,
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: rec.keySpec,
      KeySpec: rec.keySpec,
      EncryptionAlgorithms: [...(info?.encryptionAlgorithms ?? [])],
      MultiRegion: rec.multiRegion,
    };
    // KeyMetadata reference: DeletionDate is present only while PendingDeletion;
    // PendingDeletionWindowInDays only while PendingReplicaDeletion (a primary waiting for its replicas).
    if (rec.deletionDate !== undefined && rec.keyState === 'PendingDeletion') md.DeletionDate = new Date(rec.deletionDate);
    if (rec.pendingWindowInDays !== undefined && rec.keyState === 'PendingReplicaDeletion') md.PendingDeletionWindowInDays = rec.pendingWindowInDays;
    if (rec.multiRegion) {
      md.MultiRegionConfiguration = { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: rec.arn, Region: rec.region }, ReplicaKeys: [] };
    }
    if (rec.origin === 'EXTERNAL' && rec.material.length > 0) md.ExpirationModel = 'KEY_MATERIAL_DOES_NOT_EXPIRE';
    const cur = currentMaterial(rec);
    if (cur && isSymmetric(rec)) md.CurrentKeyMaterialId = cur.id;
    return md;
  }

  private dryRun(input: { DryRun?: boolean | undefined }): void {
    if (input.DryRun === true) throw new DryRunOperationException(DRY_RUN);
  }

  // ───────────────────────────── keys ─────────────────────────────

  /** CreateKey: SYMMETRIC_DEFAULT (default), RSA_2048/3072/4096, SM2; usage ENCRYPT_DECRYPT. */
  createKey(input: T.CreateKeyRequest = {}): Promise<T.CreateKeyResponse> {
    return this.run(async () => {
      input = validateInput('CreateKey', input);
      const spec = (input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as string;
      if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
        throw new ValidationException('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
      }
      // Recorded AWS responses: only symmetric encryption keys may omit KeyUsage, and a symmetric
      // key takes ENCRYPT_DECRYPT only.
      if (input.KeyUsage === undefined && spec !== 'SYMMETRIC_DEFAULT') {
        throw new ValidationException('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
      }
      const usage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
      if (spec === 'SYMMETRIC_DEFAULT' && usage !== 'ENCRYPT_DECRYPT') {
        throw new ValidationException(`The operation failed because the KeyUsage value of the CMK is ${usage}. To perform this operation, the KeyUsage value must be ENCRYPT_DECRYPT.`);
      }
      const origin = input.Origin ?? 'AWS_KMS';
      const info = keySpecInfo(spec as KeySpec);
      if (!info) throw unsupportedSpec(spec);
      if (usage !== 'ENCRYPT_DECRYPT') {
        throw new UnsupportedOperationException(`KeyUsage ${usage} is not supported by kms-core; only ENCRYPT_DECRYPT.`);
      }
      if (info.regions && !info.regions(this.region)) {
        throw new UnsupportedOperationException(`KeySpec ${spec} is not supported in this Region`);
      }
      if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE' || input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined) {
        throw new UnsupportedOperationException('Custom key stores (AWS_CLOUDHSM, EXTERNAL_KEY_STORE) are not supported by kms-core.');
      }
      if (origin === 'EXTERNAL' && spec !== 'SYMMETRIC_DEFAULT') {
        throw new UnsupportedOperationException('kms-core supports imported key material (Origin EXTERNAL) for SYMMETRIC_DEFAULT keys only.');
      }
      // kms:CreateKey is an IAM-only permission; the new key's policy must pass the lockout
      // safety check unless the caller bypasses it (API reference, CreateKey Policy).
      const bypass = input.BypassPolicyLockoutSafetyCheck === true;
      const keyFacts = { arn: '*', accountId: this.accountId, keySpec: spec, keyUsage: usage, origin, multiRegion: input.MultiRegion === true };
      // kms:BypassPolicyLockoutSafetyCheck is absent when the request omits it (conditions-kms, Null example).
      this.authorizeIam('CreateKey', '*', { bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck }, keyFacts);
      if (input.Policy !== undefined) this.checkPolicy(input.Policy, bypass, keyFacts);
      const now = this.nowMs();
      const keyId = await this.freshKeyId(input.MultiRegion === true);
      const material = origin === 'EXTERNAL' ? [] : [await info.generate(this.env, now)];
      const rec: KeyRecord = {
        keyId,
        arn: keyArn(this.region, this.accountId, keyId),
        accountId: this.accountId,
        region: this.region,
        keySpec: spec as KeySpec,
        keyUsage: 'ENCRYPT_DECRYPT',
        origin,
        description: input.Description ?? '',
        multiRegion: input.MultiRegion === true,
        creationDate: now,
        keyState: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
        rotationEnabled: false,
        material,
      };
      if (input.Policy !== undefined) rec.policy = input.Policy;
      await this.keyStore.createKey(rec);
      return { KeyMetadata: this.metadata(rec) };
    });
  }

  /** A key ID not yet in this account's store (an injected random source may repeat itself). */
  private async freshKeyId(multiRegion: boolean): Promise<string> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const id = newKeyId(this.env.random, multiRegion);
      if (!(await this.keyStore.getKey(keyArn(this.region, this.accountId, id)))) return id;
    }
    throw new KMSInternalException('Could not draw an unused key ID: the random source repeats itself.');
  }

  describeKey(input: T.DescribeKeyRequest): Promise<T.DescribeKeyResponse> {
    return this.run(async () => {
      input = validateInput('DescribeKey', input);
      if (input.GrantTokens?.length) await this.checkGrantTokens(input.GrantTokens);
      const rec = await this.resolve(input.KeyId as string, 'DescribeKey');
      return { KeyMetadata: this.metadata(rec) };
    });
  }

  listKeys(input: T.ListKeysRequest = {}): Promise<T.ListKeysResponse> {
    return this.run(async () => {
      input = validateInput('ListKeys', input);
      this.authorizeIam('ListKeys', '*');
      const live: KeyRecord[] = [];
      for (const r of await this.keyStore.listKeys(this.region, this.accountId)) {
        const k = await this.refresh(r);
        if (k) live.push(k);
      }
      // ListKeys: Limit 1..1000, default 100 (API reference).
      const page = paginate(live, (r) => r.keyId, input.Limit ?? 100, input.Marker);
      return { Keys: page.items.map((r) => ({ KeyId: r.keyId, KeyArn: r.arn })), ...page.more };
    });
  }

  enableKey(input: T.KeyIdRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('EnableKey', input);
      const rec = await this.resolve(input.KeyId as string, 'EnableKey');
      if (rec.keyState !== 'Enabled' && rec.keyState !== 'Disabled') throw stateError(rec);
      const now = this.nowMs();
      await this.keyStore.updateKey(rec.arn, (r) => {
        // A rotation that fell due while the key was disabled happens as it is re-enabled
        // (Developer Guide, "Rotate AWS KMS keys": disabled keys are not rotated).
        if (r.keyState === 'Disabled' && r.rotationEnabled && r.nextRotationDate !== undefined && r.nextRotationDate < now) r.nextRotationDate = now;
        r.keyState = 'Enabled';
      });
      return {};
    });
  }

  disableKey(input: T.KeyIdRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('DisableKey', input);
      const rec = await this.resolve(input.KeyId as string, 'DisableKey');
      if (rec.keyState !== 'Enabled' && rec.keyState !== 'Disabled') throw stateError(rec);
      await this.keyStore.updateKey(rec.arn, (r) => {
        r.keyState = 'Disabled';
      });
      return {};
    });
  }

  /** ScheduleKeyDeletion: PendingWindowInDays 7..30 (default 30). */
  scheduleKeyDeletion(input: T.ScheduleKeyDeletionRequest): Promise<T.ScheduleKeyDeletionResponse> {
    return this.run(async () => {
      input = validateInput('ScheduleKeyDeletion', input);
      const days = input.PendingWindowInDays ?? 30;
      const bad = rangeViolation('pendingWindowInDays', days, 7, 30);
      if (bad) throw validationError([bad]);
      const rec = await this.resolve(input.KeyId as string, 'ScheduleKeyDeletion');
      if (rec.keyState === 'PendingDeletion' || rec.keyState === 'PendingReplicaDeletion') throw stateError(rec);
      const deletionDate = this.nowMs() + days * DAY_MS;
      await this.keyStore.updateKey(rec.arn, (r) => {
        r.keyState = 'PendingDeletion';
        r.deletionDate = deletionDate;
        r.pendingWindowInDays = days;
      });
      return { KeyId: rec.arn, DeletionDate: new Date(deletionDate), KeyState: 'PendingDeletion', PendingWindowInDays: days };
    });
  }

  /** CancelKeyDeletion: the key comes back Disabled, as in AWS. */
  cancelKeyDeletion(input: T.KeyIdRequest): Promise<T.KeyIdResponse> {
    return this.run(async () => {
      input = validateInput('CancelKeyDeletion', input);
      const rec = await this.resolve(input.KeyId as string, 'CancelKeyDeletion');
      if (rec.keyState !== 'PendingDeletion') throw new KMSInvalidStateException(`${rec.arn} is not pending deletion.`);
      await this.keyStore.updateKey(rec.arn, (r) => {
        // A key with imported material whose material is absent cannot be Disabled (or later
        // Enabled): like DeleteImportedKeyMaterial, it goes back to PendingImport.
        r.keyState = r.material.length === 0 ? 'PendingImport' : 'Disabled';
        delete r.deletionDate;
        delete r.pendingWindowInDays;
      });
      return { KeyId: rec.arn };
    });
  }

  // ───────────────────────────── aliases ─────────────────────────────

  private checkAliasName(name: string): void {
    if (!name.startsWith('alias/')) {
      // Recorded AWS response.
      throw new ValidationException('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
    }
    // The model's pattern admits ':', KMS does not: AWS answers this (hashicorp/terraform-provider-aws#12891).
    if (!ALIAS_NAME.test(name)) throw new ValidationException(`${name} contains invalid characters for an alias`);
    if (name === 'alias/aws' || name.startsWith('alias/aws/')) {
      throw new NotAuthorizedException(`Alias names that begin with alias/aws/ are reserved for AWS managed keys: ${name}`);
    }
  }

  /** The target of an alias: a key ID or key ARN of the caller's account, never an alias. */
  private async aliasTarget(id: string, action: 'CreateAlias' | 'UpdateAlias'): Promise<KeyRecord> {
    const ref = parseKeyRef(id);
    // A malformed id is the NotFoundException every KeyId parameter gives; an alias is refused.
    if (!ref) throw new NotFoundException(`Invalid keyId '${id}'`);
    if (ref.kind === 'aliasName' || ref.kind === 'aliasArn') {
      throw new ValidationException(`Invalid TargetKeyId '${id}': an alias must refer to a key ID or key ARN, not to another alias.`);
    }
    const rec = await this.resolve(id, action);
    if (rec.accountId !== this.accountId) throw this.notFound(rec.arn);
    if (rec.keyState === 'PendingDeletion' || rec.keyState === 'PendingReplicaDeletion') throw stateError(rec);
    return rec;
  }

  createAlias(input: T.CreateAliasRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('CreateAlias', input);
      const name = input.AliasName as string;
      this.checkAliasName(name);
      const rec = await this.aliasTarget(input.TargetKeyId as string, 'CreateAlias');
      const arn = aliasArn(this.region, this.accountId, name);
      // kms:CreateAlias on the alias is an IAM permission (on the key, a key-policy one).
      this.authorizeIam('CreateAlias', arn);
      const exists = () => new AlreadyExistsException(`An alias with the name ${arn} already exists`);
      if (await this.keyStore.getAlias(arn)) throw exists();
      const now = this.nowMs();
      const alias: AliasRecord = { aliasName: name, aliasArn: arn, accountId: this.accountId, region: this.region, targetKeyId: rec.keyId, creationDate: now, lastUpdatedDate: now };
      // Insert-if-absent where the store offers it, so two concurrent CreateAlias calls of one
      // name cannot both succeed.
      if (this.keyStore.createAlias) {
        if (!(await this.keyStore.createAlias(alias))) throw exists();
      } else {
        await this.keyStore.putAlias(alias);
      }
      return {};
    });
  }

  /** UpdateAlias: the new target must have the same key type and key usage (API reference). */
  updateAlias(input: T.UpdateAliasRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('UpdateAlias', input);
      const name = input.AliasName as string;
      this.checkAliasName(name);
      const arn = aliasArn(this.region, this.accountId, name);
      const alias = await this.keyStore.getAlias(arn);
      if (!alias) throw new NotFoundException(`Alias ${arn} is not found.`);
      const rec = await this.aliasTarget(input.TargetKeyId as string, 'UpdateAlias');
      this.authorizeIam('UpdateAlias', arn);
      const old = await this.keyStore.getKey(keyArn(this.region, this.accountId, alias.targetKeyId));
      // kms:UpdateAlias is needed on the current target too (API reference, UpdateAlias).
      if (old) this.authorize('UpdateAlias', old);
      if (old && (isSymmetric(old) !== isSymmetric(rec) || old.keyUsage !== rec.keyUsage)) {
        throw new ValidationException(
          `${rec.arn} is not compatible with the alias's current key: the new target must have the same key type (${old.keySpec === 'SYMMETRIC_DEFAULT' ? 'symmetric' : 'asymmetric'}) and key usage (${old.keyUsage}).`,
        );
      }
      await this.keyStore.putAlias({ ...alias, targetKeyId: rec.keyId, lastUpdatedDate: this.nowMs() });
      return {};
    });
  }

  deleteAlias(input: T.DeleteAliasRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('DeleteAlias', input);
      const name = input.AliasName as string;
      this.checkAliasName(name);
      const arn = aliasArn(this.region, this.accountId, name);
      const alias = await this.keyStore.getAlias(arn);
      if (!alias) throw new NotFoundException(`Alias ${arn} is not found.`);
      // kms:DeleteAlias on the alias (IAM) and on its key (key policy).
      this.authorizeIam('DeleteAlias', arn);
      const target = await this.keyStore.getKey(keyArn(this.region, this.accountId, alias.targetKeyId));
      if (target) this.authorize('DeleteAlias', target);
      await this.keyStore.deleteAlias(arn);
      return {};
    });
  }

  listAliases(input: T.ListAliasesRequest = {}): Promise<T.ListAliasesResponse> {
    return this.run(async () => {
      input = validateInput('ListAliases', input);
      this.authorizeIam('ListAliases', '*');
      let targetId: string | undefined;
      if (input.KeyId !== undefined) {
        const ref = parseKeyRef(input.KeyId);
        if (!ref || ref.kind === 'aliasName' || ref.kind === 'aliasArn') throw new NotFoundException(`Invalid keyId '${input.KeyId}'`);
        // kms:ListAliases is an IAM permission: the key's policy is not asked, and only the
        // caller's own keys have aliases it may list.
        const rec = await this.lookup(input.KeyId);
        if (rec.accountId !== this.accountId) {
          throw new AccessDeniedException(accessDeniedMessage(this.principal, 'ListAliases', rec.arn, 'no-resource-policy'));
        }
        targetId = rec.keyId;
      }
      const live: AliasRecord[] = [];
      for (const a of await this.keyStore.listAliases(this.region, this.accountId)) {
        if (targetId !== undefined && a.targetKeyId !== targetId) continue;
        // An alias whose key has been deleted goes with it.
        if (await this.getKey(keyArn(this.region, this.accountId, a.targetKeyId))) live.push(a);
      }
      // ListAliases: Limit 1..100, default 50 (API reference); a larger Limit returns at most 100.
      const page = paginate(live, (a) => a.aliasName, Math.min(input.Limit ?? 50, 100), input.Marker);
      return {
        Aliases: page.items.map((a) => ({
          AliasName: a.aliasName,
          AliasArn: a.aliasArn,
          TargetKeyId: a.targetKeyId,
          CreationDate: new Date(a.creationDate),
          LastUpdatedDate: new Date(a.lastUpdatedDate),
        })),
        ...page.more,
      };
    });
  }

  // ───────────────────────────── key policies ─────────────────────────────

  /**
   * GetKeyPolicy: the key policy as it was given, or the default key policy spelled out as AWS
   * writes it. Cross-account use: No.
   */
  getKeyPolicy(input: T.GetKeyPolicyRequest): Promise<T.GetKeyPolicyResponse> {
    return this.run(async () => {
      input = validateInput('GetKeyPolicy', input);
      checkPolicyName(input.PolicyName);
      const rec = await this.resolve(input.KeyId as string, 'GetKeyPolicy');
      return { Policy: rec.policy ?? defaultKeyPolicy(partitionOf(rec.region), rec.accountId), PolicyName: DEFAULT_POLICY_NAME };
    });
  }

  /**
   * PutKeyPolicy: replaces the key policy (the document is kept exactly as given). Refused:
   * malformed documents, more than 32768 bytes, and (unless BypassPolicyLockoutSafetyCheck) a
   * policy that would not let the caller call PutKeyPolicy again. Cross-account use: No.
   */
  putKeyPolicy(input: T.PutKeyPolicyRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('PutKeyPolicy', input);
      checkPolicyName(input.PolicyName);
      const bypass = input.BypassPolicyLockoutSafetyCheck === true;
      const rec = await this.resolve(input.KeyId as string, 'PutKeyPolicy', { bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck });
      const policy = input.Policy as string;
      this.checkPolicy(policy, bypass, rec);
      const updated = await this.keyStore.updateKey(rec.arn, (r) => {
        r.policy = policy;
      });
      if (!updated) throw this.notFound(rec.arn);
      return {};
    });
  }

  // ───────────────────────────── grants ─────────────────────────────

  /**
   * CreateGrant: a grant on a key for a grantee principal, with its operations, an optional
   * retiring principal and encryption-context constraints. With a Name, a retry with the same
   * parameters returns the existing GrantId (and a new token). The returned token authorizes
   * at once wherever GrantTokens is accepted.
   */
  createGrant(input: T.CreateGrantRequest): Promise<T.CreateGrantResponse> {
    return this.run(async () => {
      input = validateInput('CreateGrant', input);
      if (input.GrantTokens?.length) await this.checkGrantTokens(input.GrantTokens);
      const operations = [...(input.Operations as string[])];
      // The model makes GranteePrincipal optional beside GranteeServicePrincipal (grants for AWS
      // service principals); kms-core's callers are IAM principals, so one of them is required and
      // a service principal is refused as unsupported.
      if (input.GranteeServicePrincipal !== undefined || input.RetiringServicePrincipal !== undefined) {
        throw new UnsupportedOperationException('Grants for AWS service principals (GranteeServicePrincipal, RetiringServicePrincipal) are not supported by kms-core.');
      }
      if (input.GranteePrincipal === undefined) throw validationError([`Value null at 'granteePrincipal' failed to satisfy constraint: Member must not be null`]);
      const grantee = input.GranteePrincipal;
      const retiring = input.RetiringPrincipal;
      const constraints = constraintsOf(input.Constraints);
      const ec = constraints && { ...constraints.encryptionContextSubset, ...constraints.encryptionContextEquals };
      const rec = await this.resolve(input.KeyId as string, 'CreateGrant', {
        grant: { operations, granteePrincipal: grantee, retiringPrincipal: retiring, constraints },
        encryptionContext: ec,
      });
      // Key-state table: CreateGrant works on Enabled and Unavailable keys.
      if (rec.keyState !== 'Enabled' && rec.keyState !== 'Updating' && rec.keyState !== 'Unavailable') throw stateError(rec);
      this.checkGrantRequest(rec, operations, grantee, retiring, constraints);
      this.dryRun(input);
      const nonce = toHex(Uint8Array.from(this.env.random(16)));
      const fresh: GrantRecord = {
        grantId: newGrantId(this.env.random),
        granteePrincipal: grantee,
        issuingAccount: rootArn(this.partition, this.caller.accountId),
        operations,
        creationDate: this.nowMs(),
        tokens: [nonce],
      };
      if (input.Name !== undefined) fresh.name = input.Name;
      if (retiring !== undefined) fresh.retiringPrincipal = retiring;
      if (constraints) fresh.constraints = constraints;
      let grantId = fresh.grantId;
      let tooMany = false;
      const updated = await this.keyStore.updateKey(rec.arn, (r) => {
        const grants = r.grants ?? [];
        // CreateGrant Name: "if the grant already exists, the original GrantId is returned
        // without creating a new grant. ... the returned grant token is unique with every
        // CreateGrant request".
        const same =
          input.Name === undefined
            ? undefined
            : grants.find(
                (g) =>
                  g.name === input.Name &&
                  g.granteePrincipal === grantee &&
                  g.retiringPrincipal === retiring &&
                  g.issuingAccount === fresh.issuingAccount &&
                  sameOperations(g.operations, operations) &&
                  sameConstraints(g.constraints, constraints),
              );
        if (same) {
          grantId = same.grantId;
          r.grants = grants.map((g) => (g === same ? { ...g, tokens: [...g.tokens, nonce] } : g));
        } else if (grants.length >= GRANTS_PER_KEY) {
          tooMany = true;
        } else {
          r.grants = [...grants, fresh];
        }
      });
      if (!updated) throw this.notFound(rec.arn);
      if (tooMany) throw new LimitExceededException(`The grants quota of ${GRANTS_PER_KEY} per KMS key has been reached for ${rec.arn}.`);
      return { GrantToken: encodeGrantToken(rec.arn, grantId, nonce), GrantId: grantId };
    });
  }

  /** What CreateGrant refuses once the caller is authorized (API reference, CreateGrant). */
  private checkGrantRequest(rec: KeyRecord, operations: readonly string[], grantee: string, retiring: string | undefined, constraints: GrantConstraintsRecord | undefined): void {
    const partition = partitionOf(rec.region);
    if (!parsePrincipal(grantee, partition)) throw new ValidationException(`Invalid GranteePrincipal '${grantee}': expected an AWS account ID or an IAM principal ARN.`);
    if (retiring !== undefined && !parsePrincipal(retiring, partition)) {
      throw new ValidationException(`Invalid RetiringPrincipal '${retiring}': expected an AWS account ID or an IAM principal ARN.`);
    }
    if (operations.length === 0) {
      throw validationError([`Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1`]);
    }
    // Recorded AWS response (ansible/ansible#31960).
    if (operations.every((op) => op === 'CreateGrant')) throw new ValidationException('Grants must not contain only the CreateGrant operation.');
    const symmetric = isSymmetric(rec);
    for (const op of operations) {
      if (!grantOperationSupported(op, symmetric)) {
        throw new ValidationException(`${rec.arn} key usage is ${rec.keyUsage} with key spec ${rec.keySpec}, which does not support the grant operation ${op}.`);
      }
    }
    if (constraints) {
      if (!symmetric) throw new ValidationException(`Grant constraints are not supported for ${rec.arn}: asymmetric KMS keys take no encryption context.`);
      for (const [name, ctx] of [
        ['EncryptionContextEquals', constraints.encryptionContextEquals],
        ['EncryptionContextSubset', constraints.encryptionContextSubset],
      ] as const) {
        if (!ctx) continue;
        if (Object.keys(ctx).length > CONSTRAINT_MAX_PAIRS) throw new ValidationException(`${name} holds more than ${CONSTRAINT_MAX_PAIRS} encryption context pairs.`);
        if (Object.values(ctx).some((v) => v.length > CONSTRAINT_MAX_VALUE)) throw new ValidationException(`${name} holds a value longer than ${CONSTRAINT_MAX_VALUE} characters.`);
      }
    }
  }

  /** The grant `grantId` of `rec`: InvalidGrantIdException when malformed, NotFoundException when absent. */
  private grantOf(rec: KeyRecord, grantId: string): GrantRecord {
    if (!GRANT_ID.test(grantId)) throw new InvalidGrantIdException(`Invalid grant ID '${grantId}'.`);
    const g = rec.grants?.find((x) => x.grantId === grantId);
    if (!g) throw new NotFoundException(`Grant ID ${grantId} not found for ${rec.arn}.`);
    return g;
  }

  private async dropGrant(arn: string, grantId: string): Promise<void> {
    await this.keyStore.updateKey(arn, (r) => {
      const rest = (r.grants ?? []).filter((g) => g.grantId !== grantId);
      if (rest.length) r.grants = rest;
      else delete r.grants;
    });
  }

  /** ListGrants: the grants of a key (Limit 1..100, default 50), filtered by GrantId or GranteePrincipal. */
  listGrants(input: T.ListGrantsRequest): Promise<T.ListGrantsResponse> {
    return this.run(async () => {
      input = validateInput('ListGrants', input);
      const rec = await this.resolve(input.KeyId as string, 'ListGrants');
      let grants = rec.grants ?? [];
      if (input.GrantId !== undefined) grants = grants.filter((g) => g.grantId === input.GrantId);
      if (input.GranteePrincipal !== undefined) grants = grants.filter((g) => g.granteePrincipal === input.GranteePrincipal);
      const page = paginate(grants, (g) => g.grantId, Math.min(input.Limit ?? 50, 100), input.Marker);
      return { Grants: page.items.map((g) => grantEntry(rec.arn, g)), ...page.more };
    });
  }

  /**
   * RetireGrant, by GrantToken or by KeyId and GrantId. The grant decides who may retire it: its
   * retiring principal, its grantee when it lists RetireGrant, and the key's account (the root
   * user, or a principal the identity hook allows kms:RetireGrant). Key policies play no part.
   */
  retireGrant(input: T.RetireGrantRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('RetireGrant', input);
      let rec: KeyRecord;
      let grant: GrantRecord;
      if (input.GrantToken !== undefined) {
        const d = decodeGrantToken(input.GrantToken);
        const r = d && (await this.getKey(d.keyArn));
        const g = d && r?.grants?.find((x) => x.grantId === d.grantId);
        if (!d || !r || !g || !grantIssued(g, d.nonce)) throw new InvalidGrantTokenException(INVALID_GRANT_TOKEN);
        rec = r;
        grant = g;
      } else {
        if (input.KeyId === undefined || input.GrantId === undefined) {
          throw new ValidationException('RetireGrant needs either GrantToken, or both KeyId and GrantId.');
        }
        rec = await this.lookup(input.KeyId);
        grant = this.grantOf(rec, input.GrantId);
      }
      if (!this.mayRetire(rec, grant)) {
        throw new AccessDeniedException(accessDeniedMessage(this.principal, 'RetireGrant', rec.arn, 'no-resource-policy'));
      }
      this.dryRun(input);
      await this.dropGrant(rec.arn, grant.grantId);
      return {};
    });
  }

  private mayRetire(rec: KeyRecord, g: GrantRecord): boolean {
    const caller = this.caller;
    const partition = partitionOf(rec.region);
    const req: AuthRequest = { caller, action: 'RetireGrant', key: rec, facts: NO_FACTS };
    const covers = (principal: string | undefined) => {
      const p = principal === undefined ? undefined : parsePrincipal(principal, partition);
      const m = p ? principalMatch(p, caller) : false;
      return m === 'name' || (m === 'account' && this.identityAllows(req, rec.arn));
    };
    if (covers(g.retiringPrincipal)) return true;
    if (g.operations.includes('RetireGrant') && covers(g.granteePrincipal)) return true;
    // "The AWS account in which the grant was created" (Developer Guide, "Retiring and revoking grants").
    return caller.accountId === rec.accountId && (caller.kind === 'root' || this.identityAllows(req, rec.arn));
  }

  /** RevokeGrant: deletes a grant; needs kms:RevokeGrant on the key (key policy). */
  revokeGrant(input: T.RevokeGrantRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('RevokeGrant', input);
      const rec = await this.resolve(input.KeyId as string, 'RevokeGrant');
      const grant = this.grantOf(rec, input.GrantId as string);
      this.dryRun(input);
      await this.dropGrant(rec.arn, grant.grantId);
      return {};
    });
  }

  /**
   * ListRetirableGrants: every grant, on keys of any account in this Region, whose retiring
   * principal is `RetiringPrincipal` (a principal of the caller's account). Authorized by IAM
   * alone (kms:ListRetirableGrants on that principal). Stores without `listAllKeys` are searched in the
   * caller's account only.
   */
  listRetirableGrants(input: T.ListRetirableGrantsRequest): Promise<T.ListGrantsResponse> {
    return this.run(async () => {
      input = validateInput('ListRetirableGrants', input);
      // RetiringPrincipal or RetiringServicePrincipal (model); kms-core grants never name a
      // service principal, so a search by one finds nothing.
      if (input.RetiringPrincipal === undefined && input.RetiringServicePrincipal !== undefined) {
        this.authorizeIam('ListRetirableGrants', '*');
        return { Grants: [], Truncated: false };
      }
      if (input.RetiringPrincipal === undefined) throw validationError([`Value null at 'retiringPrincipal' failed to satisfy constraint: Member must not be null`]);
      const retiring = input.RetiringPrincipal;
      const p = parsePrincipal(retiring, this.partition);
      if (!p) throw new ValidationException(`Invalid RetiringPrincipal '${retiring}': expected an AWS account ID or an IAM principal ARN.`);
      if (p.accountId !== this.caller.accountId) {
        throw new AccessDeniedException(accessDeniedMessage(this.principal, 'ListRetirableGrants', retiring, 'no-identity-policy'));
      }
      this.authorizeIam('ListRetirableGrants', retiring);
      const store = this.keyStore;
      const records = store.listAllKeys ? await store.listAllKeys(this.region) : await store.listKeys(this.region, this.accountId);
      const found: { arn: string; g: GrantRecord }[] = [];
      for (const r of records) {
        const live = await this.refresh(r);
        for (const g of live?.grants ?? []) if (g.retiringPrincipal === retiring) found.push({ arn: live!.arn, g });
      }
      const page = paginate(found, (x) => x.g.grantId, Math.min(input.Limit ?? 50, 100), input.Marker);
      return { Grants: page.items.map((x) => grantEntry(x.arn, x.g)), ...page.more };
    });
  }

  // ───────────────────────────── rotation ─────────────────────────────

  /**
   * The checks EnableKeyRotation, DisableKeyRotation and RotateKeyOnDemand share (API reference;
   * key-state table): symmetric keys only; imported material refused whatever the state; then a
   * Disabled key → DisabledException and any other unusable state → KMSInvalidStateException.
   */
  private assertRotatable(rec: KeyRecord, importedMessage?: string): void {
    if (!isSymmetric(rec)) throw new UnsupportedOperationException(`${rec.arn} key spec ${rec.keySpec} does not support rotation. Only symmetric encryption KMS keys can be rotated.`);
    if (rec.origin === 'EXTERNAL') throw new UnsupportedOperationException(importedMessage ?? originNotValid(rec));
    assertUsable(rec);
  }

  enableKeyRotation(input: T.EnableKeyRotationRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('EnableKeyRotation', input);
      const period = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
      const rec = await this.resolve(input.KeyId as string, 'EnableKeyRotation');
      this.assertRotatable(rec);
      const now = this.nowMs();
      await this.keyStore.updateKey(rec.arn, (r) => {
        r.rotationEnabled = true;
        r.rotationPeriodInDays = period;
        // "The rotation period defines the number of days after you enable automatic key
        // rotation that KMS will rotate your key material" (EnableKeyRotation reference).
        r.nextRotationDate = now + period * DAY_MS;
      });
      return {};
    });
  }

  disableKeyRotation(input: T.KeyIdRequest): Promise<Record<string, never>> {
    return this.run(async () => {
      input = validateInput('DisableKeyRotation', input);
      const rec = await this.resolve(input.KeyId as string, 'DisableKeyRotation');
      this.assertRotatable(rec);
      await this.keyStore.updateKey(rec.arn, (r) => {
        r.rotationEnabled = false;
        delete r.nextRotationDate;
      });
      return {};
    });
  }

  /**
   * GetKeyRotationStatus. A Disabled key reports its status unchanged; a key pending deletion
   * reports KeyRotationEnabled false (its status returns if the deletion is cancelled);
   * imported material → UnsupportedOperationException. OnDemandRotationStartDate is present only
   * while an on-demand rotation is in progress, and kms-core completes one within the call, so it
   * never appears.
   */
  getKeyRotationStatus(input: T.KeyIdRequest): Promise<T.GetKeyRotationStatusResponse> {
    return this.run(async () => {
      input = validateInput('GetKeyRotationStatus', input);
      const rec = await this.resolve(input.KeyId as string, 'GetKeyRotationStatus');
      if (!isSymmetric(rec)) throw new UnsupportedOperationException(`${rec.arn} key spec ${rec.keySpec} does not support rotation.`);
      if (rec.origin === 'EXTERNAL') throw new UnsupportedOperationException(originNotValid(rec));
      if (rec.keyState === 'Unavailable' || rec.keyState === 'Creating') throw stateError(rec);
      const pendingDeletion = rec.keyState === 'PendingDeletion' || rec.keyState === 'PendingReplicaDeletion';
      const enabled = rec.rotationEnabled && !pendingDeletion;
      const out: T.GetKeyRotationStatusResponse = { KeyRotationEnabled: enabled, KeyId: rec.arn };
      if (enabled) {
        out.RotationPeriodInDays = rec.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
        if (rec.nextRotationDate !== undefined) out.NextRotationDate = new Date(rec.nextRotationDate);
      }
      return out;
    });
  }

  /** RotateKeyOnDemand: a new backing key now; at most 25 on-demand rotations per key. */
  rotateKeyOnDemand(input: T.KeyIdRequest): Promise<T.KeyIdResponse> {
    return this.run(async () => {
      input = validateInput('RotateKeyOnDemand', input);
      const rec = await this.resolve(input.KeyId as string, 'RotateKeyOnDemand');
      // AWS rotates keys with imported material on demand only into material imported for that
      // purpose (PENDING_ROTATION); kms-core has no ImportKeyMaterial, so it refuses them.
      this.assertRotatable(rec, `${rec.arn} has imported key material; on-demand rotation needs new imported material, which kms-core cannot import.`);
      if (onDemandRotations(rec) >= ON_DEMAND_ROTATION_LIMIT) {
        throw new LimitExceededException(`The on-demand rotations limit has been reached for ${rec.arn}.`);
      }
      const now = this.nowMs();
      await this.keyStore.updateKey(rec.arn, (r) => {
        // Checked again inside the atomic update: concurrent calls must not pass the limit.
        if (onDemandRotations(r) >= ON_DEMAND_ROTATION_LIMIT) throw new LimitExceededException(`The on-demand rotations limit has been reached for ${rec.arn}.`);
        rotateNow(r, now, this.env.random);
      });
      return { KeyId: rec.arn };
    });
  }

  /** ListKeyRotations: one entry per rotation (ALL_KEY_MATERIAL adds the original material). */
  listKeyRotations(input: T.ListKeyRotationsRequest): Promise<T.ListKeyRotationsResponse> {
    return this.run(async () => {
      input = validateInput('ListKeyRotations', input);
      const rec = await this.resolve(input.KeyId as string, 'ListKeyRotations');
      if (!isSymmetric(rec)) throw new UnsupportedOperationException(`${rec.arn} key spec ${rec.keySpec} does not support rotation.`);
      const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
      const last = rec.material.length - 1;
      const entries = rec.material
        .map((m, i) => ({ m, i }))
        .filter(({ m }) => all || m.rotationType !== undefined)
        .map(({ m, i }) => {
          const e: T.RotationsListEntry = {
            KeyId: rec.arn,
            KeyMaterialId: m.id,
            KeyMaterialState: i === last ? 'CURRENT' : 'NON_CURRENT',
          };
          // RotationDate and RotationType are absent for the key's first material (RotationsListEntry).
          if (m.rotationType) {
            e.RotationDate = new Date(m.createdAt);
            e.RotationType = m.rotationType;
          }
          return e;
        });
      const page = paginate(entries, (e) => e.KeyMaterialId as string, input.Limit ?? 100, input.Marker);
      return { Rotations: page.items, ...page.more };
    });
  }

  // ───────────────────────────── cryptography ─────────────────────────────

  /** Encrypt: plaintext 1..4096 bytes (less for RSA and SM2) under a key. */
  encrypt(input: T.EncryptRequest): Promise<T.EncryptResponse> {
    return this.run(async () => {
      input = validateInput('Encrypt', input);
      if (input.GrantTokens?.length) await this.checkGrantTokens(input.GrantTokens);
      const rec = await this.resolve(input.KeyId as string, 'Encrypt', {
        encryptionContext: input.EncryptionContext,
        encryptionAlgorithm: input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
      });
      assertUsable(rec);
      const row = this.algorithmFor(rec, input.EncryptionAlgorithm);
      const ctx = this.contextFor(row, input.EncryptionContext, 'encryptionContext');
      // Validation's own copy of the caller's plaintext: wiped here, whatever happens.
      const pt = input.Plaintext as Uint8Array;
      try {
        this.checkPlaintextLimit(row, rec, pt.length);
        this.dryRun(input);
        const sealed = await row.encrypt(this.env, rec, pt, ctx);
        return { CiphertextBlob: sealed.CiphertextBlob, KeyId: rec.arn, EncryptionAlgorithm: row.name };
      } finally {
        wipe(pt);
      }
    });
  }

  /**
   * The source side of Decrypt and ReEncrypt: finds the key (from the blob when symmetric),
   * enforces KeyId/SourceKeyId, state and algorithm, and returns what `open` needs.
   */
  private async source(
    blob: Uint8Array | undefined,
    keyId: string | undefined,
    algName: EncryptionAlgorithmSpec | undefined,
    ctxIn: EncryptionContext | undefined,
    ignoreCiphertext: boolean,
    action: string,
    names: { blob: string; keyId: string; context: string },
    peer?: Peer,
  ): Promise<{ rec: KeyRecord; row: EncryptionAlgorithm; ctx: Uint8Array }> {
    if (blob === undefined && !ignoreCiphertext) {
      throw validationError([`Value null at '${names.blob}' failed to satisfy constraint: Member must not be null`]);
    }
    const alg = algName ?? 'SYMMETRIC_DEFAULT';
    const facts: RequestFacts = { encryptionContext: ctxIn, encryptionAlgorithm: alg };
    const given = keyId === undefined ? undefined : await this.resolve(keyId, action, facts, peer);
    let rec: KeyRecord;
    if (given) {
      rec = given;
      const row = this.algorithmFor(rec, alg);
      if (row.selfDescribing && !ignoreCiphertext) {
        const arn = this.blobKeyArn(blob as Uint8Array);
        if (arn === undefined) throw invalidCiphertext();
        if (arn !== rec.arn) throw new IncorrectKeyException(INCORRECT_KEY);
      }
    } else {
      const row = algorithm(alg);
      if (!row?.selfDescribing) {
        throw new ValidationException(`${names.keyId} is required when the ciphertext was encrypted under an asymmetric KMS key (${alg}).`);
      }
      if (ignoreCiphertext) {
        throw new ValidationException(`${names.keyId} is required when DryRunModifiers includes IGNORE_CIPHERTEXT.`);
      }
      const arn = this.blobKeyArn(blob as Uint8Array);
      if (arn === undefined) throw invalidCiphertext();
      const found = await this.getKey(arn);
      if (!found) throw new AccessDeniedException(CIPHERTEXT_KEY_INACCESSIBLE);
      const denial = this.denial(action, found, peer === undefined ? facts : await this.withPeer(found, facts, peer));
      if (denial === 'no-identity-policy') throw new AccessDeniedException(ciphertextAccessDeniedMessage(this.principal, action));
      if (denial !== undefined) throw new AccessDeniedException(CIPHERTEXT_KEY_INACCESSIBLE);
      rec = found;
    }
    assertUsable(rec);
    const row = this.algorithmFor(rec, alg);
    const ctx = this.contextFor(row, ctxIn, names.context);
    return { rec, row, ctx };
  }

  /**
   * The ARN of the key a symmetric blob names (its header bytes 0..24 resolved in this Kms's
   * region), or undefined when the blob is not envelope v1. Memoized per key reference: blobs of
   * one key share those bytes.
   */
  private blobKeyArn(blob: Uint8Array): string | undefined {
    if (blob.length < OVERHEAD) return undefined;
    const ref = String.fromCharCode.apply(null, blob.subarray(0, KEY_REF_LEN) as unknown as number[]);
    const hit = this.blobArns.get(ref);
    if (hit !== undefined) return hit;
    const h = readKeyHeader(blob);
    if (!h) return undefined;
    const arn = keyArn(this.region, h.accountId, h.keyId);
    if (this.blobArns.size >= 4096) this.blobArns.clear();
    this.blobArns.set(ref, arn);
    return arn;
  }

  /** Decrypts; every failure is the one InvalidCiphertextException. */
  private async open(src: { rec: KeyRecord; row: EncryptionAlgorithm; ctx: Uint8Array }, blob: Uint8Array) {
    let opened;
    try {
      opened = await src.row.decrypt(this.env, src.rec, blob, src.ctx);
    } catch {
      opened = undefined;
    }
    if (!opened) throw invalidCiphertext();
    return opened;
  }

  /** Decrypt: symmetric ciphertext names its key; asymmetric needs KeyId and EncryptionAlgorithm. */
  decrypt(input: T.DecryptRequest): Promise<T.DecryptResponse> {
    return this.run(async () => {
      input = validateInput('Decrypt', input);
      if (input.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (Nitro Enclaves attestation) is not supported by kms-core.');
      if (input.GrantTokens?.length) await this.checkGrantTokens(input.GrantTokens);
      const ignore = input.DryRun === true && (input.DryRunModifiers ?? []).includes('IGNORE_CIPHERTEXT');
      const src = await this.source(input.CiphertextBlob, input.KeyId, input.EncryptionAlgorithm, input.EncryptionContext, ignore, 'Decrypt', {
        blob: 'ciphertextBlob',
        keyId: 'KeyId',
        context: 'encryptionContext',
      });
      if (ignore) this.dryRun(input);
      const opened = await this.open(src, input.CiphertextBlob as Uint8Array);
      if (input.DryRun === true) {
        wipe(opened.Plaintext);
        this.dryRun(input);
      }
      const out: T.DecryptResponse = { KeyId: src.rec.arn, Plaintext: opened.Plaintext, EncryptionAlgorithm: src.row.name };
      if (opened.KeyMaterialId !== undefined) out.KeyMaterialId = opened.KeyMaterialId;
      return out;
    });
  }

  /**
   * ReEncrypt: decrypts under the source key and encrypts under the destination key in one
   * call. Both keys are resolved and checked (state, algorithm, context) before anything is
   * decrypted; the plaintext lives only inside this call and is wiped before it returns or
   * throws.
   */
  reEncrypt(input: T.ReEncryptRequest): Promise<T.ReEncryptResponse> {
    return this.run(async () => {
      input = validateInput('ReEncrypt', input);
      if (input.GrantTokens?.length) await this.checkGrantTokens(input.GrantTokens);
      const ignore = input.DryRun === true && (input.DryRunModifiers ?? []).includes('IGNORE_CIPHERTEXT');
      // kms:ReEncryptFrom on the source and kms:ReEncryptTo on the destination, both before
      // anything is decrypted (kms:ReEncryptOnSameKey: source ARN = destination ARN).
      const destinationId = input.DestinationKeyId as string;
      const src = await this.source(
        input.CiphertextBlob,
        input.SourceKeyId,
        input.SourceEncryptionAlgorithm,
        input.SourceEncryptionContext,
        ignore,
        'ReEncryptFrom',
        { blob: 'ciphertextBlob', keyId: 'SourceKeyId', context: 'sourceEncryptionContext' },
        () => this.arnIfAny(destinationId),
      );
      const dst = await this.resolve(destinationId, 'ReEncryptTo', {
        encryptionContext: input.DestinationEncryptionContext,
        encryptionAlgorithm: input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
        reEncryptPeer: src.rec.arn,
      });
      assertUsable(dst);
      const dstRow = this.algorithmFor(dst, input.DestinationEncryptionAlgorithm);
      const dstCtx = this.contextFor(dstRow, input.DestinationEncryptionContext, 'destinationEncryptionContext');
      if (ignore) this.dryRun(input);
      const opened = await this.open(src, input.CiphertextBlob as Uint8Array);
      const pt = opened.Plaintext;
      try {
        this.checkPlaintextLimit(dstRow, dst, pt.length);
        this.dryRun(input);
        const sealed = await dstRow.encrypt(this.env, dst, pt, dstCtx);
        const out: T.ReEncryptResponse = {
          CiphertextBlob: sealed.CiphertextBlob,
          SourceKeyId: src.rec.arn,
          KeyId: dst.arn,
          SourceEncryptionAlgorithm: src.row.name,
          DestinationEncryptionAlgorithm: dstRow.name,
        };
        if (opened.KeyMaterialId !== undefined) out.SourceKeyMaterialId = opened.KeyMaterialId;
        if (sealed.KeyMaterialId !== undefined) out.DestinationKeyMaterialId = sealed.KeyMaterialId;
        return out;
      } finally {
        wipe(pt);
      }
    });
  }

  private async dataKey(input: T.GenerateDataKeyRequest, op: 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext') {
    input = validateInput(op, input);
    if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) {
      throw new ValidationException('Please specify either number of bytes or key spec.');
    }
    if (input.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (Nitro Enclaves attestation) is not supported by kms-core.');
    if (input.GrantTokens?.length) await this.checkGrantTokens(input.GrantTokens);
    const rec = await this.resolve(input.KeyId as string, op, { encryptionContext: input.EncryptionContext, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    assertUsable(rec);
    if (!isSymmetric(rec)) {
      throw new InvalidKeyUsageException(`${rec.arn} key usage is ENCRYPT_DECRYPT with key spec ${rec.keySpec}, which is not valid for ${op}.`);
    }
    const row = this.algorithmFor(rec, 'SYMMETRIC_DEFAULT');
    const ctx = this.contextFor(row, input.EncryptionContext, 'encryptionContext');
    this.dryRun(input);
    const n = input.NumberOfBytes ?? (input.KeySpec === 'AES_128' ? 16 : 32);
    const plaintext = this.env.random(n);
    try {
      const sealed = await row.encrypt(this.env, rec, plaintext, ctx);
      return { rec, plaintext, sealed };
    } catch (e) {
      wipe(plaintext);
      throw e;
    }
  }

  /** GenerateDataKey: KeySpec AES_128/AES_256 or NumberOfBytes 1..1024; symmetric keys only. */
  generateDataKey(input: T.GenerateDataKeyRequest): Promise<T.GenerateDataKeyResponse> {
    return this.run(async () => {
      const { rec, plaintext, sealed } = await this.dataKey(input, 'GenerateDataKey');
      return { CiphertextBlob: sealed.CiphertextBlob, Plaintext: plaintext, KeyId: rec.arn, KeyMaterialId: sealed.KeyMaterialId as string };
    });
  }

  generateDataKeyWithoutPlaintext(input: T.GenerateDataKeyWithoutPlaintextRequest): Promise<T.GenerateDataKeyWithoutPlaintextResponse> {
    return this.run(async () => {
      const { rec, plaintext, sealed } = await this.dataKey(input, 'GenerateDataKeyWithoutPlaintext');
      wipe(plaintext);
      return { CiphertextBlob: sealed.CiphertextBlob, KeyId: rec.arn, KeyMaterialId: sealed.KeyMaterialId as string };
    });
  }

  /** GetPublicKey: DER SubjectPublicKeyInfo of an asymmetric key. */
  getPublicKey(input: T.GetPublicKeyRequest): Promise<T.GetPublicKeyResponse> {
    return this.run(async () => {
      input = validateInput('GetPublicKey', input);
      if (input.GrantTokens?.length) await this.checkGrantTokens(input.GrantTokens);
      const rec = await this.resolve(input.KeyId as string, 'GetPublicKey');
      if (isSymmetric(rec)) throw new UnsupportedOperationException(`${rec.arn} key usage is ENCRYPT_DECRYPT with key spec SYMMETRIC_DEFAULT, which has no public key.`);
      assertUsable(rec);
      const pub = currentMaterial(rec)?.publicKey;
      if (!pub) throw stateError(rec);
      return {
        KeyId: rec.arn,
        PublicKey: new Uint8Array(pub),
        CustomerMasterKeySpec: rec.keySpec,
        KeySpec: rec.keySpec,
        KeyUsage: rec.keyUsage,
        EncryptionAlgorithms: [...this.spec(rec).encryptionAlgorithms],
      };
    });
  }
}

/** The key-state table's UnsupportedOperationException for keys with imported material. */
function originNotValid(rec: KeyRecord): string {
  return `${rec.arn} origin is ${rec.origin} which is not valid for this operation.`;
}

/** PolicyName: only "default" exists (API reference, GetKeyPolicy and PutKeyPolicy). */
function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== DEFAULT_POLICY_NAME) throw new NotFoundException(`No such key policy: ${name}. The only policy name is ${DEFAULT_POLICY_NAME}.`);
}

/** AWS quota: grants per KMS key. */
const GRANTS_PER_KEY = 50000;

function constraintsOf(c: T.GrantConstraints | undefined): GrantConstraintsRecord | undefined {
  if (!c || (c.EncryptionContextEquals === undefined && c.EncryptionContextSubset === undefined)) return undefined;
  const out: GrantConstraintsRecord = {};
  if (c.EncryptionContextEquals !== undefined) out.encryptionContextEquals = { ...c.EncryptionContextEquals };
  if (c.EncryptionContextSubset !== undefined) out.encryptionContextSubset = { ...c.EncryptionContextSubset };
  return out;
}

/** A grant as ListGrants shows it (Name is "" for a grant without one, as in AWS's output). */
function grantEntry(keyArn: string, g: GrantRecord): T.GrantListEntry {
  const e: T.GrantListEntry = {
    KeyId: keyArn,
    GrantId: g.grantId,
    Name: g.name ?? '',
    CreationDate: new Date(g.creationDate),
    GranteePrincipal: g.granteePrincipal,
    IssuingAccount: g.issuingAccount,
    Operations: [...g.operations] as T.GrantOperation[],
  };
  if (g.retiringPrincipal !== undefined) e.RetiringPrincipal = g.retiringPrincipal;
  if (g.constraints) {
    const c: T.GrantConstraints = {};
    if (g.constraints.encryptionContextEquals) c.EncryptionContextEquals = { ...g.constraints.encryptionContextEquals };
    if (g.constraints.encryptionContextSubset) c.EncryptionContextSubset = { ...g.constraints.encryptionContextSubset };
    e.Constraints = c;
  }
  return e;
}

/** Pagination with AWS's Limit/Marker/Truncated/NextMarker; the marker is an item's id. */
function paginate<I>(items: readonly I[], id: (i: I) => string, limit: number, marker: string | undefined) {
  let start = 0;
  if (marker !== undefined) {
    const i = items.findIndex((x) => id(x) === marker);
    if (i < 0) throw new InvalidMarkerException('The marker that specifies where pagination should next begin is not valid.');
    start = i;
  }
  const page = items.slice(start, start + limit);
  const next = items[start + limit];
  const more: { Truncated: boolean; NextMarker?: string } = { Truncated: next !== undefined };
  if (next !== undefined) more.NextMarker = id(next);
  return { items: page, more };
}
