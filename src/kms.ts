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
  InvalidKeyUsageException,
  InvalidMarkerException,
  KMSInternalException,
  KMSInvalidStateException,
  KmsError,
  LimitExceededException,
  NotAuthorizedException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
  asKmsError,
  invalidCiphertext,
} from './errors.js';
import { aliasArn, isAccountId, keyArn, newKeyId, parseKeyRef, partitionOf, rootPrincipal, type KeyRef } from './keys/arn.js';
import { currentMaterial, isSymmetric, type AliasRecord, type BackingKey, type KeyRecord, type KeySpec } from './keys/record.js';
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
import { assertUsable, stateError } from './keys/state.js';
import { InMemoryKeyStore, type KeyStore } from './keys/store.js';
import { checkedRandom, pooledRandom, type Random } from './random.js';
import type * as T from './types.js';
import { equalBytes, wipe } from './util/bytes.js';
import { rangeViolation, validateInput, validationError } from './validate.js';

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
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const CIPHERTEXT_KEY_INACCESSIBLE =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';
const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';
const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';

/** Key specs kms-core knows in the model but does not implement (yet). */
function unsupportedSpec(spec: string): KmsError {
  return new UnsupportedOperationException(`KeySpec ${spec} is not supported by kms-core.`);
}

export class Kms {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly keyStore: KeyStore;
  /** The caller: the account's root user until authorization lands. */
  readonly principal: string;
  private readonly clock: () => Date;
  private readonly env: CryptoEnv;
  private readonly cache = new MaterialCache();
  private readonly blobArns = new Map<string, string>();

  constructor(options: KmsOptions = {}) {
    const accountId = options.accountId ?? '111122223333';
    const region = options.region ?? 'us-east-1';
    /* Precondition: the account ID is 12 digits and the region looks like an AWS Region. */
    if (typeof accountId !== 'string' || !isAccountId(accountId)) throw new ValidationException(`Invalid accountId '${String(accountId)}': must be 12 digits`);
    if (typeof region !== 'string' || !REGION.test(region)) throw new ValidationException(`Invalid region '${String(region)}'`);
    this.accountId = accountId;
    this.region = region;
    this.partition = partitionOf(region);
    this.keyStore = options.keyStore ?? new InMemoryKeyStore();
    this.principal = rootPrincipal(region, accountId);
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
  private async resolve(id: string, action: string): Promise<KeyRecord> {
    const ref = parseKeyRef(id);
    if (!ref) throw new NotFoundException(`Invalid keyId '${id}'`);
    const arn = await this.arnOf(ref, id);
    const rec = await this.getKey(arn);
    if (!rec) throw this.notFound(arn);
    this.authorize(action, rec);
    return rec;
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
   * Authorization as the default key policy grants it: the key's own account (its root
   * principal) may do anything; no other account may do anything. Key policies and grants
   * widen this later.
   */
  private authorize(action: string, rec: KeyRecord): void {
    if (rec.accountId === this.accountId) return;
    throw new AccessDeniedException(
      `User: ${this.principal} is not authorized to perform: kms:${action} on resource: ${rec.arn} because no resource-based policy allows the kms:${action} action`,
    );
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
      const rec = await this.resolve(input.KeyId as string, 'DescribeKey');
      return { KeyMetadata: this.metadata(rec) };
    });
  }

  listKeys(input: T.ListKeysRequest = {}): Promise<T.ListKeysResponse> {
    return this.run(async () => {
      input = validateInput('ListKeys', input);
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
    if (!ALIAS_NAME.test(name)) {
      throw validationError([`Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$`]);
    }
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
      if (await this.keyStore.getAlias(arn)) throw new AlreadyExistsException(`An alias with the name ${arn} already exists`);
      const now = this.nowMs();
      const alias: AliasRecord = { aliasName: name, aliasArn: arn, accountId: this.accountId, region: this.region, targetKeyId: rec.keyId, creationDate: now, lastUpdatedDate: now };
      await this.keyStore.putAlias(alias);
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
      const old = await this.keyStore.getKey(keyArn(this.region, this.accountId, alias.targetKeyId));
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
      if (!(await this.keyStore.getAlias(arn))) throw new NotFoundException(`Alias ${arn} is not found.`);
      await this.keyStore.deleteAlias(arn);
      return {};
    });
  }

  listAliases(input: T.ListAliasesRequest = {}): Promise<T.ListAliasesResponse> {
    return this.run(async () => {
      input = validateInput('ListAliases', input);
      let targetId: string | undefined;
      if (input.KeyId !== undefined) {
        const ref = parseKeyRef(input.KeyId);
        if (!ref || ref.kind === 'aliasName' || ref.kind === 'aliasArn') throw new NotFoundException(`Invalid keyId '${input.KeyId}'`);
        const rec = await this.resolve(input.KeyId, 'ListAliases');
        if (rec.accountId !== this.accountId) throw this.notFound(rec.arn);
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
      await this.keyStore.updateKey(rec.arn, (r) => rotateNow(r, now, this.env.random));
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
      const rec = await this.resolve(input.KeyId as string, 'Encrypt');
      assertUsable(rec);
      const row = this.algorithmFor(rec, input.EncryptionAlgorithm);
      const ctx = this.contextFor(row, input.EncryptionContext, 'encryptionContext');
      const pt = input.Plaintext as Uint8Array;
      this.checkPlaintextLimit(row, rec, pt.length);
      this.dryRun(input);
      const sealed = await row.encrypt(this.env, rec, pt, ctx);
      return { CiphertextBlob: sealed.CiphertextBlob, KeyId: rec.arn, EncryptionAlgorithm: row.name };
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
  ): Promise<{ rec: KeyRecord; row: EncryptionAlgorithm; ctx: Uint8Array }> {
    if (blob === undefined && !ignoreCiphertext) {
      throw validationError([`Value null at '${names.blob}' failed to satisfy constraint: Member must not be null`]);
    }
    const alg = algName ?? 'SYMMETRIC_DEFAULT';
    const given = keyId === undefined ? undefined : await this.resolve(keyId, action);
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
      try {
        this.authorize(action, found);
      } catch {
        throw new AccessDeniedException(CIPHERTEXT_KEY_INACCESSIBLE);
      }
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
      const ignore = input.DryRun === true && (input.DryRunModifiers ?? []).includes('IGNORE_CIPHERTEXT');
      const src = await this.source(input.CiphertextBlob, input.SourceKeyId, input.SourceEncryptionAlgorithm, input.SourceEncryptionContext, ignore, 'ReEncryptFrom', {
        blob: 'ciphertextBlob',
        keyId: 'SourceKeyId',
        context: 'sourceEncryptionContext',
      });
      const dst = await this.resolve(input.DestinationKeyId as string, 'ReEncryptTo');
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
    const rec = await this.resolve(input.KeyId as string, op);
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
