/**
 * Seeded keys for `kms-core serve --seed FILE`: keys with known key IDs and key material,
 * aliases, policies, descriptions and tags, created when the server starts, so that a test
 * environment begins with the keys its fixtures name (local-kms's seed file is the precedent:
 * nsmithuk/local-kms README "Seeding"). Node only (it reads a file; node:crypto reads RSA keys).
 *
 * Format (README "Seeded keys", examples/seed.json), JSON:
 *
 *   { "keys": [ { "KeyId": "<uuid or mrk-…>", "AccountId"?, "Region"?,
 *                 "KeySpec"?: "SYMMETRIC_DEFAULT" | "RSA_2048" | "RSA_3072" | "RSA_4096" | "SM2",
 *                 "KeyUsage"?: "ENCRYPT_DECRYPT", "Origin"?: "AWS_KMS" | "EXTERNAL",
 *                 "Description"?, "Enabled"?: true, "Policy"?: <policy object or JSON text>,
 *                 "Tags"?: [ { "TagKey", "TagValue" } ],
 *                 "KeyMaterial"?: [ { "Material": "<base64, 32 bytes>", "KeyMaterialId"? } ],  symmetric
 *                 "PrivateKey"?: "<PKCS#8: base64 DER or PEM>" } ],                             RSA, SM2
 *     "aliases": [ { "AliasName": "alias/…", "TargetKeyId": "<KeyId>", "AccountId"?, "Region"? } ] }
 *
 * AccountId and Region default to the server's --account and --region. Symmetric material is
 * listed oldest first (more than one version is a key whose material was rotated; the last is
 * current). A KeyMaterialId left out is derived from the key ID and the material —
 * SHA-256("kms-core/seed/KeyMaterialId" 0x00 KeyId 0x00 material), hex — as AWS derives the ID of
 * imported material from the key ID and the material (API reference, ImportKeyMaterial
 * KeyMaterialId), so the same seed gives the same ciphertext headers on every start and a
 * ciphertext made by one run decrypts in the next. Material left out is generated (as CreateKey
 * does) and is stable only with --data.
 *
 * Idempotent: a key that already exists (with --data) is left as it is if its key spec, usage,
 * origin and seeded material versions match — changes made since through the API (description,
 * policy, tags, state, rotations) are kept; a key or alias that conflicts with the seed stops the
 * server with an error naming the seed entry. Errors name the file and the JSON path, never key
 * material.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { defaultBackend } from '#default-backend';
import { keySpecInfo } from '../algorithms/registry.js';
import type { CryptoEnv } from '../algorithms/types.js';
import { SM2_REGIONS } from '../algorithms/sm2pke.js';
import { parseKeyPolicy } from '../auth/policy.js';
import { KmsError, ValidationException } from '../errors.js';
import { aliasArn, isAccountId, isKeyId, keyArn, partitionOf } from '../keys/arn.js';
import type { AliasRecord, BackingKey, KeyRecord, KeySpec } from '../keys/record.js';
import type { KeyStore } from '../keys/store.js';
import { startUsageTracking } from '../keys/usage.js';
import { validateTags, type ApiTag } from '../keys/tags.js';
import { sm2PublicFromPrivate } from '../primitives/sm2-curve.js';
import { sm2Pkcs8Encode, sm2PrivateKeyFromPkcs8, sm2SpkiEncode } from '../primitives/sm2-keys.js';
import { defaultRandom } from '../random.js';
import { equalBytes, fromBase64, wipe } from '../util/bytes.js';
import { isRegionName } from '../keys/region.js';

/** A validated seed key. Material is held until the seed is applied. */
export interface SeedKey {
  /** JSON path in the seed file, for messages: `keys[0]`. */
  where: string;
  keyId: string;
  accountId?: string;
  region?: string;
  keySpec: KeySpec;
  origin: 'AWS_KMS' | 'EXTERNAL';
  description: string;
  enabled: boolean;
  policy?: string;
  tags: ApiTag[];
  /** Symmetric: versions oldest first. */
  material?: { id?: string; bytes: Uint8Array }[];
  /** RSA / SM2: PKCS#8 DER. */
  privateKey?: Uint8Array;
}

export interface SeedAlias {
  where: string;
  aliasName: string;
  targetKeyId: string;
  accountId?: string;
  region?: string;
}

export interface Seed {
  /** The file the seed came from (for messages). */
  source: string;
  keys: SeedKey[];
  aliases: SeedAlias[];
}

const SPECS: readonly KeySpec[] = ['SYMMETRIC_DEFAULT', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'];
const RSA_BITS: Partial<Record<KeySpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
const MATERIAL_ID = /^[0-9a-f]{64}$/;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;
const KEY_FIELDS = new Set(['KeyId', 'AccountId', 'Region', 'KeySpec', 'KeyUsage', 'Origin', 'Description', 'Enabled', 'Policy', 'Tags', 'KeyMaterial', 'PrivateKey']);
const ALIAS_FIELDS = new Set(['AliasName', 'TargetKeyId', 'AccountId', 'Region']);

class SeedError {
  constructor(readonly source: string) {}
  fail(where: string, why: string): never {
    throw new ValidationException(`${this.source}: ${where} ${why}`);
  }
}

function object(v: unknown, where: string, e: SeedError): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) e.fail(where, 'must be an object');
  return v as Record<string, unknown>;
}

function optString(o: Record<string, unknown>, f: string, where: string, e: SeedError): string | undefined {
  const v = o[f];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') e.fail(`${where}.${f}`, 'must be a string');
  return v;
}

/** PKCS#8 as base64 DER or as PEM (`-----BEGIN PRIVATE KEY-----`). */
function pkcs8(text: string, where: string, e: SeedError): Uint8Array {
  const pem = text.includes('-----BEGIN PRIVATE KEY-----');
  const body = pem ? text.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '') : text.replace(/\s+/g, '');
  const der = fromBase64(body);
  if (!der || der.length === 0) e.fail(where, 'must be a PKCS#8 private key: base64 DER, or PEM "-----BEGIN PRIVATE KEY-----"');
  return der as Uint8Array;
}

/** Validates a parsed seed document; `source` names it in errors. */
export function parseSeed(doc: unknown, source: string): Seed {
  const e = new SeedError(source);
  const top = object(doc, 'the document', e);
  for (const f of Object.keys(top)) if (f !== 'keys' && f !== 'aliases') e.fail(f.slice(0, 64), 'is not a field (expected "keys" and "aliases")');
  const keysIn = top.keys ?? [];
  const aliasesIn = top.aliases ?? [];
  if (!Array.isArray(keysIn)) e.fail('keys', 'must be a list');
  if (!Array.isArray(aliasesIn)) e.fail('aliases', 'must be a list');

  const keys = (keysIn as unknown[]).map((v, i): SeedKey => {
    const where = `keys[${i}]`;
    const o = object(v, where, e);
    for (const f of Object.keys(o)) if (!KEY_FIELDS.has(f)) e.fail(`${where}.${f.slice(0, 64)}`, `is not a field (expected ${[...KEY_FIELDS].join(', ')})`);
    const rawId = optString(o, 'KeyId', where, e);
    /* Precondition: each seed key names its key ID (a UUID, or mrk- and 32 hex for a multi-Region key). */
    if (rawId === undefined || !isKeyId(rawId.toLowerCase())) e.fail(`${where}.KeyId`, 'must be a key ID: a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab, or mrk- and 32 hex digits');
    const keySpec = (optString(o, 'KeySpec', where, e) ?? 'SYMMETRIC_DEFAULT') as KeySpec;
    if (!SPECS.includes(keySpec)) e.fail(`${where}.KeySpec`, `must be one of ${SPECS.join(', ')}`);
    const usage = optString(o, 'KeyUsage', where, e) ?? 'ENCRYPT_DECRYPT';
    if (usage !== 'ENCRYPT_DECRYPT') e.fail(`${where}.KeyUsage`, 'must be ENCRYPT_DECRYPT (the key usage kms-core implements)');
    const origin = (optString(o, 'Origin', where, e) ?? 'AWS_KMS') as SeedKey['origin'];
    if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL') e.fail(`${where}.Origin`, 'must be AWS_KMS or EXTERNAL');
    const symmetric = keySpec === 'SYMMETRIC_DEFAULT';
    if (origin === 'EXTERNAL' && !symmetric) e.fail(`${where}.Origin`, 'EXTERNAL is supported for SYMMETRIC_DEFAULT keys only');
    const accountId = optString(o, 'AccountId', where, e);
    if (accountId !== undefined && !isAccountId(accountId)) e.fail(`${where}.AccountId`, 'must be 12 digits');
    const region = optString(o, 'Region', where, e);
    if (region !== undefined && !isRegionName(region)) e.fail(`${where}.Region`, 'must be a region such as eu-west-1');
    if (o.Enabled !== undefined && typeof o.Enabled !== 'boolean') e.fail(`${where}.Enabled`, 'must be true or false');
    const key: SeedKey = {
      where,
      keyId: (rawId as string).toLowerCase(),
      keySpec,
      origin,
      description: optString(o, 'Description', where, e) ?? '',
      enabled: o.Enabled !== false,
      tags: [],
    };
    if (key.description.length > 8192) e.fail(`${where}.Description`, 'must be at most 8192 characters');
    if (accountId !== undefined) key.accountId = accountId;
    if (region !== undefined) key.region = region;

    if (o.Policy !== undefined) {
      const text = typeof o.Policy === 'string' ? o.Policy : typeof o.Policy === 'object' && o.Policy !== null ? JSON.stringify(o.Policy) : undefined;
      if (text === undefined) e.fail(`${where}.Policy`, 'must be a key policy: a JSON object or its text');
      key.policy = text as string;
    }
    if (o.Tags !== undefined) {
      if (!Array.isArray(o.Tags) || !o.Tags.every((t) => typeof t === 'object' && t !== null && typeof t.TagKey === 'string' && typeof t.TagValue === 'string')) {
        e.fail(`${where}.Tags`, 'must be a list of { "TagKey": string, "TagValue": string }');
      }
      const tags = (o.Tags as ApiTag[]).map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }));
      try {
        validateTags(tags);
      } catch (err) {
        if (err instanceof KmsError) e.fail(`${where}.Tags`, `are not valid: ${err.name}: ${err.message}`);
        throw err;
      }
      key.tags = tags;
    }

    if (o.KeyMaterial !== undefined) {
      /* Precondition: KeyMaterial (symmetric backing keys) belongs to SYMMETRIC_DEFAULT keys. */
      if (!symmetric) e.fail(`${where}.KeyMaterial`, `is for SYMMETRIC_DEFAULT keys; a ${keySpec} key takes PrivateKey`);
      if (!Array.isArray(o.KeyMaterial) || (o.KeyMaterial.length === 0 && origin !== 'EXTERNAL')) e.fail(`${where}.KeyMaterial`, 'must be a non-empty list of { "Material": base64 of 32 bytes, "KeyMaterialId"?: 64 hex }');
      const ids = new Set<string>();
      key.material = (o.KeyMaterial as unknown[]).map((m, j) => {
        const mw = `${where}.KeyMaterial[${j}]`;
        const mo = object(m, mw, e);
        for (const f of Object.keys(mo)) if (f !== 'Material' && f !== 'KeyMaterialId') e.fail(`${mw}.${f.slice(0, 64)}`, 'is not a field (expected Material, KeyMaterialId)');
        const b64 = optString(mo, 'Material', mw, e);
        const bytes = b64 === undefined ? undefined : fromBase64(b64);
        /* Precondition: symmetric material is 32 bytes (256-bit AES keys, as AWS imports them). */
        if (!bytes || bytes.length !== 32) e.fail(`${mw}.Material`, 'must be standard base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)');
        const id = optString(mo, 'KeyMaterialId', mw, e);
        if (id !== undefined && !MATERIAL_ID.test(id)) e.fail(`${mw}.KeyMaterialId`, 'must be 64 lowercase hex digits');
        const version: { id?: string; bytes: Uint8Array } = { bytes: bytes as Uint8Array };
        if (id !== undefined) version.id = id;
        const effective = id ?? seedMaterialId(key.keyId, version.bytes);
        if (ids.has(effective)) e.fail(`${mw}`, 'repeats the KeyMaterialId of an earlier version (the same material twice?)');
        ids.add(effective);
        return version;
      });
    } else if (origin === 'EXTERNAL') key.material = [];

    if (o.PrivateKey !== undefined) {
      /* Precondition: PrivateKey belongs to asymmetric keys. */
      if (symmetric) e.fail(`${where}.PrivateKey`, 'is for RSA and SM2 keys; a SYMMETRIC_DEFAULT key takes KeyMaterial');
      if (typeof o.PrivateKey !== 'string') e.fail(`${where}.PrivateKey`, 'must be a string');
      key.privateKey = pkcs8(o.PrivateKey as string, `${where}.PrivateKey`, e);
    }
    return key;
  });

  const aliases = (aliasesIn as unknown[]).map((v, i): SeedAlias => {
    const where = `aliases[${i}]`;
    const o = object(v, where, e);
    for (const f of Object.keys(o)) if (!ALIAS_FIELDS.has(f)) e.fail(`${where}.${f.slice(0, 64)}`, `is not a field (expected ${[...ALIAS_FIELDS].join(', ')})`);
    const aliasName = optString(o, 'AliasName', where, e);
    /* Precondition: alias names are alias/ and letters, digits, / _ - (not alias/aws/, which AWS reserves). */
    if (aliasName === undefined || !ALIAS.test(aliasName) || aliasName.length > 256) e.fail(`${where}.AliasName`, 'must be alias/ followed by letters, digits, /, _ or - (at most 256 characters)');
    if ((aliasName as string).startsWith('alias/aws/')) e.fail(`${where}.AliasName`, 'must not begin with alias/aws/ (reserved for AWS managed keys)');
    const target = optString(o, 'TargetKeyId', where, e);
    if (target === undefined || !isKeyId(target.toLowerCase())) e.fail(`${where}.TargetKeyId`, 'must be the KeyId of a key');
    const alias: SeedAlias = { where, aliasName: aliasName as string, targetKeyId: (target as string).toLowerCase() };
    const accountId = optString(o, 'AccountId', where, e);
    if (accountId !== undefined && !isAccountId(accountId)) e.fail(`${where}.AccountId`, 'must be 12 digits');
    const region = optString(o, 'Region', where, e);
    if (region !== undefined && !isRegionName(region)) e.fail(`${where}.Region`, 'must be a region such as eu-west-1');
    if (accountId !== undefined) alias.accountId = accountId;
    if (region !== undefined) alias.region = region;
    return alias;
  });
  return { source, keys, aliases };
}

/** Reads and validates a seed file. */
export async function loadSeed(path: string): Promise<Seed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ValidationException(`${path}: cannot read the seed file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // The parser's message quotes the file, key material included.
    throw new ValidationException(`${path}: is not valid JSON`);
  }
  return parseSeed(doc, path);
}

/** The KeyMaterialId of seeded material that names none: SHA-256 over the key ID and the material. */
export function seedMaterialId(keyId: string, material: Uint8Array): string {
  return createHash('sha256').update('kms-core/seed/KeyMaterialId\0').update(keyId).update('\0').update(material).digest('hex');
}

export interface ApplySeedOptions {
  /** The key store of a region (the server's, one per region). */
  storeFor: (region: string) => KeyStore | Promise<KeyStore>;
  defaultAccount: string;
  defaultRegion: string;
  /** The clock for CreationDate; default now. */
  now?: () => Date;
}

const env: CryptoEnv = {
  backend: defaultBackend,
  random: defaultRandom,
  keyObject: (bk, _kind, make) => Promise.resolve(make(bk)),
  memo: (bk, _kind, make) => make(bk),
};

/** The seed key's material versions as BackingKeys (node:crypto reads RSA keys; SM2 is our own). */
async function materialOf(k: SeedKey, createdAt: number, source: string): Promise<BackingKey[]> {
  const fail = (why: string): never => {
    throw new ValidationException(`${source}: ${k.where}.PrivateKey ${why}`);
  };
  if (k.keySpec === 'SYMMETRIC_DEFAULT') {
    if (k.material) return k.material.map((m) => ({ id: m.id ?? seedMaterialId(k.keyId, m.bytes), material: Uint8Array.from(m.bytes), createdAt }));
    return [await (keySpecInfo('SYMMETRIC_DEFAULT') as NonNullable<ReturnType<typeof keySpecInfo>>).generate(env, createdAt)];
  }
  const info = keySpecInfo(k.keySpec);
  /* Invariant: the key spec is one kms-core implements (parseSeed admits only SPECS, each with a registry row). */
  if (!info) throw new ValidationException(`${source}: ${k.where}.KeySpec ${k.keySpec} is not supported by kms-core`);
  if (!k.privateKey) return [await info.generate(env, createdAt)];
  if (k.keySpec === 'SM2') {
    let d: bigint;
    try {
      d = sm2PrivateKeyFromPkcs8(k.privateKey);
    } catch {
      return fail('is not an SM2 private key in PKCS#8 (OID 1.2.156.10197.1.301)');
    }
    const material = sm2Pkcs8Encode(d);
    return [{ id: seedMaterialId(k.keyId, material), material, publicKey: sm2SpkiEncode(sm2PublicFromPrivate(d)), createdAt }];
  }
  let key;
  try {
    key = createPrivateKey({ key: Buffer.from(k.privateKey), format: 'der', type: 'pkcs8' });
  } catch {
    return fail('is not a PKCS#8 private key');
  }
  /* Precondition: an RSA key spec takes an RSA key of that modulus size. */
  if (key.asymmetricKeyType !== 'rsa') fail(`is not an RSA private key (KeySpec ${k.keySpec})`);
  if (key.asymmetricKeyDetails?.modulusLength !== RSA_BITS[k.keySpec]) fail(`has a ${key.asymmetricKeyDetails?.modulusLength ?? '?'}-bit modulus, not ${RSA_BITS[k.keySpec]} (KeySpec ${k.keySpec})`);
  const material = new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
  const publicKey = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  return [{ id: seedMaterialId(k.keyId, material), material, publicKey, createdAt }];
}

/** Why an existing record conflicts with the seed key, or undefined when it matches. */
function conflict(existing: KeyRecord, k: SeedKey, material: BackingKey[] | undefined): string | undefined {
  if (existing.keySpec !== k.keySpec) return `it exists with KeySpec ${existing.keySpec}, the seed says ${k.keySpec}`;
  if (existing.keyUsage !== 'ENCRYPT_DECRYPT') return `it exists with KeyUsage ${existing.keyUsage}`;
  if (existing.origin !== k.origin) return `it exists with Origin ${existing.origin}, the seed says ${k.origin}`;
  if (material) {
    for (let i = 0; i < material.length; i++) {
      const have = existing.material[i];
      const want = material[i] as BackingKey;
      if (!have || have.id !== want.id || !equalBytes(have.material, want.material)) return `it exists with other key material (version ${i + 1} differs)`;
    }
  }
  return undefined;
}

/**
 * Creates the seed's keys and aliases in their stores (through `KeyStore.createKey` and
 * `createAlias`/`putAlias`), skipping those that already exist as the seed describes them.
 * Returns what it did, for the banner.
 */
export async function applySeed(seed: Seed, options: ApplySeedOptions): Promise<{ created: number; existing: number; aliases: number }> {
  const now = options.now ?? (() => new Date());
  const createdAt = now().getTime();
  const fail = (where: string, why: string): never => {
    throw new ValidationException(`${seed.source}: ${where} ${why}`);
  };
  const seen = new Set<string>();
  let created = 0;
  let existing = 0;
  for (const k of seed.keys) {
    const accountId = k.accountId ?? options.defaultAccount;
    const region = k.region ?? options.defaultRegion;
    const arn = keyArn(region, accountId, k.keyId);
    /* Precondition: a key ID appears once per account and region. */
    if (seen.has(arn)) fail(`${k.where}.KeyId`, `repeats key ${arn}`);
    seen.add(arn);
    if (k.keySpec === 'SM2' && !SM2_REGIONS.includes(region)) fail(`${k.where}.KeySpec`, `SM2 keys exist only in ${SM2_REGIONS.join(' and ')}, not in ${region}`);
    if (k.policy !== undefined) {
      try {
        parseKeyPolicy(k.policy, partitionOf(region));
      } catch (err) {
        if (err instanceof KmsError) fail(`${k.where}.Policy`, `is not a valid key policy: ${err.message}`);
        throw err;
      }
    }
    const store = await options.storeFor(region);
    const material = k.origin === 'EXTERNAL' || k.material || k.privateKey ? await materialOf(k, createdAt, seed.source) : undefined;
    const have = await store.getKey(arn);
    if (have) {
      const why = conflict(have, k, material);
      material?.forEach((m) => wipe(m.material));
      /* Precondition: an existing key of the same ID is the seed's key. */
      if (why) fail(k.where, `conflicts with key ${arn} already in the store: ${why}. Remove the key from the seed or from the data directory.`);
      existing++;
      continue;
    }
    const versions = material ?? (await materialOf(k, createdAt, seed.source));
    const rec: KeyRecord = {
      keyId: k.keyId,
      arn,
      accountId,
      region,
      keySpec: k.keySpec,
      keyUsage: 'ENCRYPT_DECRYPT',
      origin: k.origin,
      description: k.description,
      multiRegion: k.keyId.startsWith('mrk-'),
      creationDate: createdAt,
      keyState: versions.length === 0 ? 'PendingImport' : k.enabled ? 'Enabled' : 'Disabled',
      rotationEnabled: false,
      material: versions,
    };
    if (k.policy !== undefined) rec.policy = k.policy;
    if (k.tags.length) rec.tags = k.tags.map((t) => ({ key: t.TagKey, value: t.TagValue }));
    await store.createKey(startUsageTracking(rec));
    created++;
  }

  let aliases = 0;
  for (const a of seed.aliases) {
    const accountId = a.accountId ?? options.defaultAccount;
    const region = a.region ?? options.defaultRegion;
    const arn = aliasArn(region, accountId, a.aliasName);
    const store = await options.storeFor(region);
    /* Precondition: an alias points to a key of its own account and region. */
    if (!(await store.getKey(keyArn(region, accountId, a.targetKeyId)))) fail(`${a.where}.TargetKeyId`, `names no key ${keyArn(region, accountId, a.targetKeyId)} (aliases point to keys of their own account and region)`);
    const have = await store.getAlias(arn);
    if (have) {
      /* Precondition: an existing alias of the same name points where the seed says. */
      if (have.targetKeyId !== a.targetKeyId) fail(a.where, `conflicts with alias ${arn} already in the store, which points to ${have.targetKeyId}.`);
      continue;
    }
    const rec: AliasRecord = { aliasName: a.aliasName, aliasArn: arn, accountId, region, targetKeyId: a.targetKeyId, creationDate: createdAt, lastUpdatedDate: createdAt };
    if (store.createAlias) {
      if (!(await store.createAlias(rec))) fail(a.where, `conflicts with alias ${arn}, created concurrently.`);
    } else await store.putAlias(rec);
    aliases++;
  }
  return { created, existing, aliases };
}
