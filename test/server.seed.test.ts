/**
 * Seeded keys (src/server/seed.ts, `kms-core serve --seed FILE`): a seeded server answers with
 * the seeded key IDs, aliases, descriptions, policies and tags; a ciphertext made by one run
 * decrypts in the next run from the same seed (symmetric, RSA and SM2 material); a second start
 * over the same data directory changes nothing; conflicts and malformed seeds are clear errors
 * that name the seed entry and never the key material.
 */
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { execFileSync } from 'node:child_process';
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../src/cli/main.js';
import { toSnapshot } from '../src/keys/snapshot.js';
import { startServer, type KmsServer } from '../src/server/http.js';
import { loadSeed, parseSeed, seedMaterialId, type Seed } from '../src/server/seed.js';
import { dec, enc } from './helpers/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ACCOUNT = '111122223333';
const SYM = '0b0c0d0e-1111-4222-8333-944455556666';
const ROTATED = '1b0c0d0e-1111-4222-8333-944455556666';
const RSA = '2b0c0d0e-1111-4222-8333-944455556666';
const SM2 = '3b0c0d0e-1111-4222-8333-944455556666';
const PENDING = '4b0c0d0e-1111-4222-8333-944455556666';
const M1 = Buffer.alloc(32, 0x11).toString('base64');
const M2 = Buffer.alloc(32, 0x22).toString('base64');
const M3 = Buffer.alloc(32, 0x33).toString('base64');
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const sm2Pem = execFileSync('openssl', ['genpkey', '-algorithm', 'SM2'], { encoding: 'utf8' });
const POLICY = {
  Version: '2012-10-17',
  Id: 'seeded-policy',
  Statement: [{ Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

function seedDoc(rotated: string[] = [M1, M2]) {
  return {
    keys: [
      { KeyId: SYM.toUpperCase(), Description: 'seeded symmetric', Tags: [{ TagKey: 'env', TagValue: 'test' }], Policy: POLICY, KeyMaterial: [{ Material: M3 }] },
      { KeyId: ROTATED, KeyMaterial: rotated.map((Material) => ({ Material })) },
      { KeyId: RSA, KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', PrivateKey: rsaPem, Description: 'seeded rsa' },
      { KeyId: SM2, Region: 'cn-north-1', KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT', PrivateKey: sm2Pem },
      { KeyId: PENDING, Origin: 'EXTERNAL' },
    ],
    aliases: [
      { AliasName: 'alias/seeded', TargetKeyId: SYM },
      { AliasName: 'alias/seeded-sm2', TargetKeyId: SM2, Region: 'cn-north-1' },
    ],
  };
}

const client = (s: KmsServer, region = 'us-east-1') =>
  new KMSClient({ endpoint: s.url, region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });

async function rejects(p: Promise<unknown>, message: RegExp): Promise<Error> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, String(message)).toBeInstanceOf(Error);
  expect((err as Error).name).toBe('ValidationException');
  expect((err as Error).message).toMatch(message);
  for (const secret of [M1, M2, M3]) expect((err as Error).message).not.toContain(secret);
  return err as Error;
}

describe('seeded keys (--seed)', () => {
  let work: string;
  let seed: Seed;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'kms-core-seed-'));
    seed = parseSeed(seedDoc(), 'seed.json');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('a seeded server answers with the seeded key IDs, aliases, descriptions, policies and states', async () => {
    const server = await startServer({ port: 0, seed });
    const kms = client(server);
    try {
      const md = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/seeded' }))).KeyMetadata;
      expect(md).toMatchObject({ KeyId: SYM, Arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${SYM}`, Description: 'seeded symmetric', KeyState: 'Enabled', Origin: 'AWS_KMS' });
      expect(md?.CurrentKeyMaterialId).toBe(seedMaterialId(SYM, Buffer.from(M3, 'base64')));
      expect(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: SYM, PolicyName: 'default' }))).Policy as string)).toEqual(POLICY);
      expect((await kms.send(new DescribeKeyCommand({ KeyId: RSA }))).KeyMetadata).toMatchObject({ KeySpec: 'RSA_2048', Description: 'seeded rsa' });
      expect((await kms.send(new DescribeKeyCommand({ KeyId: PENDING }))).KeyMetadata).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL' });
      expect((await kms.send(new ListAliasesCommand({}))).Aliases?.map((a) => [a.AliasName, a.TargetKeyId])).toEqual([['alias/seeded', SYM]]);
      // The public key AWS would return is the seeded key's own.
      const pub = (await kms.send(new GetPublicKeyCommand({ KeyId: RSA }))).PublicKey as Uint8Array;
      expect(Buffer.from(pub)).toEqual(createPublicKey(rsaPem).export({ format: 'der', type: 'spki' }));
      // Tags are in the record (ListResourceTags is wired by the operation table).
      expect((await (await server.kmsFor()).keyStore.getKey(md?.Arn as string))?.tags).toEqual([{ key: 'env', value: 'test' }]);
      const sm2 = (await client(server, 'cn-north-1').send(new DescribeKeyCommand({ KeyId: 'alias/seeded-sm2' }))).KeyMetadata;
      expect(sm2).toMatchObject({ KeyId: SM2, KeySpec: 'SM2', Arn: `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/${SM2}` });
    } finally {
      kms.destroy();
      await server.close();
    }
  });

  test('a ciphertext made by one run decrypts in the next run from the same seed (symmetric, rotated, RSA, SM2)', async () => {
    // Run 1: the rotated key holds only its first version yet.
    const first = await startServer({ port: 0, seed: parseSeed(seedDoc([M1]), 'seed.json') });
    const k1 = client(first);
    const cn1 = client(first, 'cn-north-1');
    let sym: Uint8Array;
    let old: Uint8Array;
    let sm2: Uint8Array;
    try {
      sym = (await k1.send(new EncryptCommand({ KeyId: 'alias/seeded', Plaintext: enc('made by run 1'), EncryptionContext: { run: '1' } }))).CiphertextBlob as Uint8Array;
      old = (await k1.send(new EncryptCommand({ KeyId: ROTATED, Plaintext: enc('made under version 1') }))).CiphertextBlob as Uint8Array;
      sm2 = (await cn1.send(new EncryptCommand({ KeyId: SM2, Plaintext: enc('sm2 from run 1'), EncryptionAlgorithm: 'SM2PKE' }))).CiphertextBlob as Uint8Array;
    } finally {
      k1.destroy();
      cn1.destroy();
      await first.close();
    }
    // Outside any run: RSA ciphertext made with node:crypto from the seeded key's public half.
    const rsa = publicEncrypt({ key: createPublicKey(rsaPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, enc('rsa, made by openssl-compatible node:crypto'));

    // Run 2: a fresh server (nothing persisted), the same seed with the key rotated once more.
    const second = await startServer({ port: 0, seed });
    const k2 = client(second);
    const cn2 = client(second, 'cn-north-1');
    try {
      const a = await k2.send(new DecryptCommand({ CiphertextBlob: sym, EncryptionContext: { run: '1' } }));
      expect(dec(a.Plaintext)).toBe('made by run 1');
      expect(a.KeyId).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${SYM}`);
      const b = await k2.send(new DecryptCommand({ CiphertextBlob: old }));
      expect(dec(b.Plaintext)).toBe('made under version 1');
      expect(b.KeyMaterialId).toBe(seedMaterialId(ROTATED, Buffer.from(M1, 'base64')));
      // ReEncrypt on the same key lands on the newest version.
      const re = await k2.send(new ReEncryptCommand({ CiphertextBlob: old, DestinationKeyId: ROTATED }));
      expect(re.DestinationKeyMaterialId).toBe(seedMaterialId(ROTATED, Buffer.from(M2, 'base64')));
      const c = await k2.send(new DecryptCommand({ CiphertextBlob: rsa, KeyId: RSA, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
      expect(dec(c.Plaintext)).toBe('rsa, made by openssl-compatible node:crypto');
      const d = await cn2.send(new DecryptCommand({ CiphertextBlob: sm2, KeyId: SM2, EncryptionAlgorithm: 'SM2PKE' }));
      expect(dec(d.Plaintext)).toBe('sm2 from run 1');
    } finally {
      k2.destroy();
      cn2.destroy();
      await second.close();
    }
  });

  test('idempotent: a second start with the same seed over the same data directory changes nothing, and keeps API changes', async () => {
    const dir = join(work, 'data-idempotent');
    const one = await startServer({ port: 0, dataDir: dir, seed });
    // Compared in the snapshot's field order: a file store may hand records back in another.
    const store = async (s: KmsServer) => JSON.stringify(toSnapshot(await (await s.kmsFor()).keyStore.listKeys('us-east-1', ACCOUNT), []));
    let before: string;
    try {
      await (await one.kmsFor()).disableKey({ KeyId: RSA });
      before = await store(one);
    } finally {
      await one.close();
    }
    const two = await startServer({ port: 0, dataDir: dir, seed });
    try {
      expect(await store(two)).toBe(before);
      expect((await (await two.kmsFor()).describeKey({ KeyId: RSA })).KeyMetadata?.KeyState).toBe('Disabled');
    } finally {
      await two.close();
    }
  });

  test('Precondition: an existing key of the same ID is the seed\'s key — another key material, spec or origin stops the server', async () => {
    const dir = join(work, 'data-conflict');
    await (await startServer({ port: 0, dataDir: dir, seed })).close();
    const other = seedDoc();
    other.keys[0] = { ...other.keys[0], KeyMaterial: [{ Material: M1 }] } as (typeof other.keys)[0];
    await rejects(startServer({ port: 0, dataDir: dir, seed: parseSeed(other, 'seed.json') }), new RegExp(`^seed\\.json: keys\\[0\\] conflicts with key arn:aws:kms:us-east-1:${ACCOUNT}:key/${SYM} already in the store: it exists with other key material \\(version 1 differs\\)\\. Remove the key from the seed or from the data directory\\.$`));
    const spec = seedDoc();
    spec.keys[2] = { KeyId: RSA } as (typeof spec.keys)[2];
    await rejects(startServer({ port: 0, dataDir: dir, seed: parseSeed(spec, 'seed.json') }), /^seed\.json: keys\[2\] conflicts with key .*: it exists with KeySpec RSA_2048, the seed says SYMMETRIC_DEFAULT/);
    // The data directory is released after a refused start: a good seed starts again.
    await (await startServer({ port: 0, dataDir: dir, seed })).close();
  });

  test('Precondition: an existing alias of the same name points where the seed says', async () => {
    const dir = join(work, 'data-alias');
    await (await startServer({ port: 0, dataDir: dir, seed })).close();
    const moved = seedDoc();
    moved.aliases[0] = { AliasName: 'alias/seeded', TargetKeyId: ROTATED } as (typeof moved.aliases)[0];
    await rejects(startServer({ port: 0, dataDir: dir, seed: parseSeed(moved, 'seed.json') }), new RegExp(`^seed\\.json: aliases\\[0\\] conflicts with alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/seeded already in the store, which points to ${SYM}\\.$`));
  });

  test('Precondition: each seed key names its key ID (a UUID, or mrk- and 32 hex for a multi-Region key). Precondition: KeyMaterial (symmetric backing keys) belongs to SYMMETRIC_DEFAULT keys. Precondition: symmetric material is 32 bytes (256-bit AES keys, as AWS imports them). Precondition: alias names are alias/ and letters, digits, / _ - (not alias/aws/, which AWS reserves). Precondition: an RSA key spec takes an RSA key of that modulus size. Precondition: a key ID appears once per account and region. Precondition: an alias points to a key of its own account and region — malformed seeds: clear errors naming the JSON path, never the material', async () => {
    const bad = (mutate: (d: ReturnType<typeof seedDoc>) => void) => {
      const d = seedDoc();
      mutate(d);
      return d;
    };
    const cases: [unknown, RegExp][] = [
      [[], /^s\.json: the document must be an object$/],
      [{ keys: {} }, /^s\.json: keys must be a list$/],
      [{ keyz: [] }, /^s\.json: keyz is not a field/],
      [bad((d) => ((d.keys[1] as Record<string, unknown>).KeyMaterial = [{ Material: Buffer.alloc(16).toString('base64') }])), /^s\.json: keys\[1\]\.KeyMaterial\[0\]\.Material must be standard base64 of exactly 32 bytes/],
      [bad((d) => ((d.keys[1] as Record<string, unknown>).KeyMaterial = [{ Material: M1 }, { Material: M1 }])), /^s\.json: keys\[1\]\.KeyMaterial\[1\] repeats the KeyMaterialId/],
      [bad((d) => ((d.keys[1] as Record<string, unknown>).KeyMaterial = [{ Material: M1, KeyMaterialId: 'ABC' }])), /^s\.json: keys\[1\]\.KeyMaterial\[0\]\.KeyMaterialId must be 64 lowercase hex digits$/],
      [bad((d) => ((d.keys[0] as Record<string, unknown>).KeyId = 'not-a-key-id')), /^s\.json: keys\[0\]\.KeyId must be a key ID/],
      [bad((d) => ((d.keys[0] as Record<string, unknown>).Colour = 'blue')), /^s\.json: keys\[0\]\.Colour is not a field/],
      [bad((d) => ((d.keys[0] as Record<string, unknown>).Tags = [{ TagKey: 'aws:x', TagValue: '' }])), /^s\.json: keys\[0\]\.Tags are not valid: TagException: Tags beginning with aws: are reserved$/],
      [bad((d) => ((d.keys[0] as Record<string, unknown>).KeySpec = 'HMAC_256')), /^s\.json: keys\[0\]\.KeySpec must be one of SYMMETRIC_DEFAULT, RSA_2048/],
      [bad((d) => ((d.keys[2] as Record<string, unknown>).KeyMaterial = [{ Material: M1 }])), /^s\.json: keys\[2\]\.KeyMaterial is for SYMMETRIC_DEFAULT keys; a RSA_2048 key takes PrivateKey$/],
      [bad((d) => ((d.keys[2] as Record<string, unknown>).PrivateKey = '%%%')), /^s\.json: keys\[2\]\.PrivateKey must be a PKCS#8 private key/],
      [bad((d) => ((d.aliases[0] as Record<string, unknown>).AliasName = 'alias/aws/s3')), /^s\.json: aliases\[0\]\.AliasName must not begin with alias\/aws\//],
    ];
    for (const [doc, message] of cases) {
      let err: unknown;
      try {
        parseSeed(doc, 's.json');
      } catch (e) {
        err = e;
      }
      expect((err as Error)?.name, String(message)).toBe('ValidationException');
      expect((err as Error).message).toMatch(message);
      for (const secret of [M1, M2, M3]) expect((err as Error).message).not.toContain(secret);
    }
    // Errors found while applying: they need the server's defaults and the key material.
    await rejects(startServer({ port: 0, seed: parseSeed(bad((d) => ((d.keys[3] as Record<string, unknown>).Region = 'eu-west-1')), 's.json') }), /^s\.json: keys\[3\]\.KeySpec SM2 keys exist only in cn-north-1 and cn-northwest-1, not in eu-west-1$/);
    await rejects(startServer({ port: 0, seed: parseSeed(bad((d) => ((d.keys[2] as Record<string, unknown>).KeySpec = 'RSA_3072')), 's.json') }), /^s\.json: keys\[2\]\.PrivateKey has a 2048-bit modulus, not 3072 \(KeySpec RSA_3072\)$/);
    await rejects(startServer({ port: 0, seed: parseSeed(bad((d) => ((d.keys[2] as Record<string, unknown>).PrivateKey = sm2Pem)), 's.json') }), /^s\.json: keys\[2\]\.PrivateKey is not an RSA private key \(KeySpec RSA_2048\)$/);
    await rejects(startServer({ port: 0, seed: parseSeed(bad((d) => ((d.keys[3] as Record<string, unknown>).PrivateKey = rsaPem)), 's.json') }), /^s\.json: keys\[3\]\.PrivateKey is not an SM2 private key/);
    await rejects(startServer({ port: 0, seed: parseSeed(bad((d) => ((d.keys[0] as Record<string, unknown>).Policy = { Statement: 'nope' })), 's.json') }), /^s\.json: keys\[0\]\.Policy is not a valid key policy/);
    await rejects(startServer({ port: 0, seed: parseSeed(bad((d) => d.aliases.push({ AliasName: 'alias/x', TargetKeyId: '9b0c0d0e-1111-4222-8333-944455556666' })), 's.json') }), /^s\.json: aliases\[2\]\.TargetKeyId names no key arn:aws:kms:us-east-1:111122223333:key\/9b0c0d0e/);
    await rejects(startServer({ port: 0, seed: parseSeed(bad((d) => d.keys.push({ KeyId: ROTATED, KeyMaterial: [{ Material: M3 }] } as (typeof d.keys)[0])), 's.json') }), /^s\.json: keys\[5\]\.KeyId repeats key arn:aws:kms:us-east-1:111122223333:key\/1b0c0d0e/);
  });

  test('the example seed file (examples/seed.json) is valid and starts a server', async () => {
    const s = await loadSeed(new URL('../examples/seed.json', import.meta.url).pathname);
    expect(s.keys.length).toBeGreaterThan(2);
    const server = await startServer({ port: 0, seed: s });
    try {
      const kms = await server.kmsFor();
      for (const k of s.keys) expect((await kms.describeKey({ KeyId: k.keyId })).KeyMetadata?.KeyId).toBe(k.keyId);
      const pt = enc('example');
      const ct = await kms.encrypt({ KeyId: 'alias/test', Plaintext: pt });
      expect(dec((await kms.decrypt({ CiphertextBlob: ct.CiphertextBlob as Uint8Array })).Plaintext)).toBe('example');
    } finally {
      await server.close();
    }
  });

  test('kms-core serve --seed / --credentials with a bad file exits 1 naming the file', async () => {
    const badSeed = join(work, 'bad-seed.json');
    await writeFile(badSeed, JSON.stringify({ keys: [{ KeyId: SYM, KeyMaterial: [{ Material: 'AAAA' }] }] }));
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l) };
    expect(await main(['serve', '--port', '0', '--seed', badSeed], io)).toBe(1);
    expect(err.join('\n')).toBe(`kms-core: cannot start: ${badSeed}: keys[0].KeyMaterial[0].Material must be standard base64 of exactly 32 bytes (e.g. \`openssl rand -base64 32\`)`);
    err.length = 0;
    const notJson = join(work, 'creds.json');
    await writeFile(notJson, '{ "AKID": { "secretAccessKey": "s3cr3t" ');
    expect(await main(['serve', '--port', '0', '--credentials', notJson], io)).toBe(1);
    expect(err.join('\n')).toBe(`kms-core: cannot start: ${notJson}: is not valid JSON`);
    expect(await readFile(notJson, 'utf8')).toContain('s3cr3t');
    expect(err.join('\n')).not.toContain('s3cr3t');
  });
});
