/**
 * Applying a seed (seed-parse.ts reads it) for `kms-core serve --seed FILE` (seed.ts): the
 * seed's keys and aliases created in their stores when the server starts. Node only
 * (node:crypto reads RSA keys).
 *
 * Idempotent: a key that already exists (with --data) is left as it is if its key spec, usage,
 * origin and seeded material versions match — changes made since through the API (description,
 * policy, tags, state, rotations) are kept; a key or alias that conflicts with the seed stops the
 * server with an error naming the seed entry. Errors name the file and the JSON path, never key
 * material.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { defaultBackend } from '#default-backend';
import { keySpecInfo } from '../algorithms/registry.js';
import type { CryptoEnv } from '../algorithms/types.js';
import { SM2_REGIONS } from '../algorithms/sm2pke.js';
import { parseKeyPolicy } from '../auth/policy.js';
import { KmsError, ValidationException } from '../errors.js';
import { aliasArn, keyArn, partitionOf } from '../keys/arn.js';
import type { AliasRecord, BackingKey, KeyRecord, KeySpec } from '../keys/record.js';
import type { KeyStore } from '../keys/store.js';
import { startUsageTracking } from '../keys/usage.js';
import { sm2PublicFromPrivate } from '../primitives/sm2-curve.js';
import { sm2Pkcs8Encode, sm2PrivateKeyFromPkcs8, sm2SpkiEncode } from '../primitives/sm2-keys.js';
import { defaultRandom } from '../random.js';
import { equalBytes, wipe } from '../util/bytes.js';
import { seedMaterialId, type Seed, type SeedKey } from './seed-parse.js';

const RSA_BITS: Partial<Record<KeySpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

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
