/**
 * GenerateMac / VerifyMac through the Kms API on every backend (node + noble in the `node`
 * project, WebCrypto in `webcrypto`): HMAC keys from CreateKey and from a key-store snapshot,
 * RFC 4231 and Wycheproof hmac_sha224/256/384/512 (every group whose tag is the full digest:
 * KMS never truncates), node:crypto and @noble/hashes as oracles, bit flips of message and
 * MAC, and the refusals in AWS's order (usage, algorithm, DryRun, key state, rotation).
 *
 * Vector keys become KMS key material by RFC 2104 §2's own equivalence, so the HMAC is the
 * vector's: a key longer than the hash's block B is replaced by H(K) (HMAC does that itself),
 * and a key shorter than the spec's smallest importable length is padded with zeros to the
 * spec's generated length (HMAC pads every key with zeros to B). Keys already in the
 * importable range (Developer Guide, imported HMAC key material: 28–64, 32–64, 48–128, 64–128
 * bytes) are loaded as they are.
 */
import { createHash, createHmac } from 'node:crypto';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HMAC_KEY_BYTES, MAC_ALGORITHMS, type HmacKeySpec } from '../src/algorithms/mac.js';
import type { MacAlgorithmSpec } from '../src/algorithms/types.js';
import type { Backend } from '../src/backend/types.js';
import { InMemoryKeyStore, Kms, type KeyStoreSnapshot } from '../src/index.js';
import { enc } from './helpers/index.js';
import { hex, projectBackends, toHexString } from './helpers/env.js';
import { keyInState, refuses, seededRandom } from './helpers/keys.js';
import { storeWith, type SnapshotKey } from './helpers/snapshot-keys.js';
import { wycheproof } from './helpers/wycheproof.js';

const BACKENDS: Backend[] = await projectBackends();
const SPECS = ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const satisfies readonly HmacKeySpec[];
const ALG: Record<HmacKeySpec, MacAlgorithmSpec> = { HMAC_224: 'HMAC_SHA_224', HMAC_256: 'HMAC_SHA_256', HMAC_384: 'HMAC_SHA_384', HMAC_512: 'HMAC_SHA_512' };
const NODE_HASH: Record<HmacKeySpec, string> = { HMAC_224: 'sha224', HMAC_256: 'sha256', HMAC_384: 'sha384', HMAC_512: 'sha512' };
const NOBLE_HASH = { HMAC_224: sha224, HMAC_256: sha256, HMAC_384: sha384, HMAC_512: sha512 } as const;
const BLOCK: Record<HmacKeySpec, number> = { HMAC_224: 64, HMAC_256: 64, HMAC_384: 128, HMAC_512: 128 };

/** The KMS key material with the same HMAC as `key` (RFC 2104 §2), and whether it differs from `key`. */
function kmsMaterial(spec: HmacKeySpec, key: Uint8Array): { material: Uint8Array; mapped: boolean } {
  let k = key;
  if (k.length > BLOCK[spec]) k = new Uint8Array(createHash(NODE_HASH[spec]).update(k).digest());
  const [min] = HMAC_KEY_BYTES[spec].imported;
  if (k.length < min) {
    const padded = new Uint8Array(HMAC_KEY_BYTES[spec].generated);
    padded.set(k);
    k = padded;
  }
  return { material: k, mapped: k !== key };
}

const nodeMac = (spec: HmacKeySpec, key: Uint8Array, msg: Uint8Array) => createHmac(NODE_HASH[spec], key).update(msg).digest('hex');
const nobleMac = (spec: HmacKeySpec, key: Uint8Array, msg: Uint8Array) => toHexString(nobleHmac(NOBLE_HASH[spec], key, msg));

/** RFC 4231 §4.2–4.8: key, data, and HMAC-SHA-224/256/384/512 (test case 5: the first 128 bits). */
const RFC4231 = [
  { n: 1, key: '0b'.repeat(20), data: toHexString(enc('Hi There')), truncated: false, mac: ['896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22', 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7', 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6', '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854'] },
  { n: 2, key: toHexString(enc('Jefe')), data: toHexString(enc('what do ya want for nothing?')), truncated: false, mac: ['a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649', '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737'] },
  { n: 3, key: 'aa'.repeat(20), data: 'dd'.repeat(50), truncated: false, mac: ['7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea', '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe', '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27', 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb'] },
  { n: 4, key: '0102030405060708090a0b0c0d0e0f10111213141516171819', data: 'cd'.repeat(50), truncated: false, mac: ['6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a', '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b', '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb', 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd'] },
  { n: 5, key: '0c'.repeat(20), data: toHexString(enc('Test With Truncation')), truncated: true, mac: ['0e2aea68a90c8d37c988bcdb9fca6fa8', 'a3b6167473100ee06e0c796c2955552b', '3abf34c3503b2a23a46efc619baef897', '415fad6271580a531d4179bc891d87a6'] },
  { n: 6, key: 'aa'.repeat(131), data: toHexString(enc('Test Using Larger Than Block-Size Key - Hash Key First')), truncated: false, mac: ['95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e', '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54', '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952', '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598'] },
  { n: 7, key: 'aa'.repeat(131), data: toHexString(enc('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.')), truncated: false, mac: ['3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1', '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2', '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e', 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58'] },
];

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** The HMAC key material of a key, read back from the store's snapshot (the oracle's key). */
function materialOf(store: InMemoryKeyStore, arn: string): Uint8Array {
  const k = (store.exportSnapshot() as KeyStoreSnapshot).keys.find((x) => x.Arn === arn) as { KeyMaterial: { Material: string }[] };
  return new Uint8Array(Buffer.from(k.KeyMaterial[0]!.Material, 'base64'));
}

describe.each(BACKENDS)('GenerateMac / VerifyMac on the $name backend', (backend) => {
  test('RFC 4231 test cases 1–7 for HMAC_SHA_224/256/384/512, keys loaded through the snapshot; node:crypto and @noble/hashes agree', async () => {
    const keys: SnapshotKey[] = [];
    const cases: { spec: HmacKeySpec; data: Uint8Array; key: Uint8Array; mac: string; truncated: boolean }[] = [];
    for (const c of RFC4231) {
      SPECS.forEach((spec, i) => {
        keys.push({ keySpec: spec, keyUsage: 'GENERATE_VERIFY_MAC', material: kmsMaterial(spec, hex(c.key)).material });
        cases.push({ spec, data: hex(c.data), key: hex(c.key), mac: c.mac[i] as string, truncated: c.truncated });
      });
    }
    const { store, keyIds } = storeWith(keys);
    const kms = new Kms({ keyStore: store, backend });
    for (const [i, c] of cases.entries()) {
      const KeyId = keyIds[i] as string;
      const { Mac, MacAlgorithm, KeyId: arn } = await kms.generateMac({ KeyId, Message: c.data, MacAlgorithm: ALG[c.spec] });
      expect(MacAlgorithm).toBe(ALG[c.spec]);
      expect(arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${KeyId}`);
      const got = toHexString(Mac as Uint8Array);
      // The full digest always (KMS never truncates); test case 5 gives its first 128 bits.
      expect(got.length / 2).toBe(MAC_ALGORITHMS[ALG[c.spec]].macBytes);
      expect(c.truncated ? got.slice(0, 32) : got).toBe(c.mac);
      expect(got).toBe(nodeMac(c.spec, c.key, c.data));
      expect(got).toBe(nobleMac(c.spec, c.key, c.data));
      const v = await kms.verifyMac({ KeyId, Message: c.data, MacAlgorithm: ALG[c.spec], Mac: hex(got) });
      expect(v).toEqual({ KeyId: arn, MacValid: true, MacAlgorithm: ALG[c.spec] });
    }
  });

  test.each(SPECS.map((s) => [s, `hmac_sha${s.slice(5)}_test.json`] as const))('%s, Wycheproof %s: every full-tag case through kms.generateMac / kms.verifyMac (keys through the snapshot)', async (spec, file) => {
    interface MacTest { tcId: number; key: string; msg: string; tag: string; result: 'valid' | 'invalid' }
    const doc = wycheproof<{ testGroups: { keySize: number; tagSize: number; tests: MacTest[] }[] }>(file);
    const digestBits = MAC_ALGORITHMS[ALG[spec]].macBytes * 8;
    const tests = doc.testGroups.filter((g) => g.tagSize === digestBits).flatMap((g) => g.tests);
    const mapped = tests.map((t) => kmsMaterial(spec, hex(t.key)));
    const { store, keyIds } = storeWith(mapped.map((m) => ({ keySpec: spec, keyUsage: 'GENERATE_VERIFY_MAC', material: m.material })));
    const kms = new Kms({ keyStore: store, backend });
    const counts = { valid: 0, invalid: 0, emptyMessage: 0, mappedKeys: mapped.filter((m) => m.mapped).length };
    for (const [i, t] of tests.entries()) {
      const req = { KeyId: keyIds[i] as string, Message: hex(t.msg), MacAlgorithm: ALG[spec] };
      if (t.msg === '') {
        // KMS messages are 1..4096 bytes (GenerateMacRequest.Message): an empty one is refused.
        await refuses(kms.generateMac(req), 'ValidationException', /Member must have length greater than or equal to 1/);
        await refuses(kms.verifyMac({ ...req, Mac: hex(t.tag) }), 'ValidationException');
        counts.emptyMessage++;
        continue;
      }
      if (t.result === 'valid') {
        const { Mac } = await kms.generateMac(req);
        expect(toHexString(Mac as Uint8Array), `tcId ${t.tcId}`).toBe(t.tag);
        expect((await kms.verifyMac({ ...req, Mac: hex(t.tag) })).MacValid).toBe(true);
        counts.valid++;
      } else {
        await refuses(kms.verifyMac({ ...req, Mac: hex(t.tag) }), 'KMSInvalidMacException', '');
        expect(toHexString((await kms.generateMac(req)).Mac as Uint8Array)).not.toBe(t.tag);
        counts.invalid++;
      }
    }
    // Each file's full-tag groups: 30 valid and 27 invalid cases with a message, 30 with none.
    expect([counts.valid, counts.invalid, counts.emptyMessage]).toEqual([30, 27, 30]);
    // The 14/16-byte and 65-byte keys (SHA-224/256) needed the RFC 2104 mapping; the digest-length keys did not.
    expect(counts.mappedKeys).toBe(spec === 'HMAC_224' || spec === 'HMAC_256' ? 6 : 3);
  });

  test.each(SPECS)('%s from CreateKey: DescribeKey lists its one MacAlgorithm; the key is the spec\'s length and node:crypto and noble agree on random messages', async (spec) => {
    const store = new InMemoryKeyStore();
    const kms = new Kms({ keyStore: store, backend });
    const md = (await kms.createKey({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    expect(md.MacAlgorithms).toEqual([ALG[spec]]);
    expect(md.EncryptionAlgorithms).toBeUndefined();
    expect(md.SigningAlgorithms).toBeUndefined();
    expect(md.KeyUsage).toBe('GENERATE_VERIFY_MAC');
    expect(md.CurrentKeyMaterialId).toBeUndefined();
    const key = materialOf(store, md.Arn!);
    expect(key.length).toBe(HMAC_KEY_BYTES[spec].generated);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), async (msg) => {
        const { Mac } = await kms.generateMac({ KeyId: md.KeyId, Message: msg, MacAlgorithm: ALG[spec] });
        expect(toHexString(Mac as Uint8Array)).toBe(nodeMac(spec, key, msg));
        expect(toHexString(Mac as Uint8Array)).toBe(nobleMac(spec, key, msg));
      }),
      { numRuns: 25 },
    );
  });

  test('Precondition: the MAC is the HMAC of the message under the key (KMSInvalidMacException). Any bit flip of the message or the MAC, a truncated or extended MAC, another key\'s MAC', async () => {
    const kms = new Kms({ backend });
    const a = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    const b = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    const msg = enc('pay 100 to alice');
    const { Mac } = await kms.generateMac({ KeyId: a.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_256' });
    const mac = Mac as Uint8Array;
    const verify = (m: Uint8Array, t: Uint8Array, KeyId = a.KeyId) => kms.verifyMac({ KeyId, Message: m, MacAlgorithm: 'HMAC_SHA_256', Mac: t });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: msg.length * 8 - 1 }), fc.nat({ max: mac.length * 8 - 1 }), async (mb, tb) => {
        await refuses(verify(flipBit(msg, mb), mac), 'KMSInvalidMacException', '');
        await refuses(verify(msg, flipBit(mac, tb)), 'KMSInvalidMacException', '');
      }),
      { numRuns: 40 },
    );
    await refuses(verify(msg, mac.subarray(0, 31)), 'KMSInvalidMacException', '');
    await refuses(verify(msg, Uint8Array.from([...mac, 0])), 'KMSInvalidMacException', '');
    await refuses(verify(msg, mac, b.KeyId), 'KMSInvalidMacException', '');
    expect((await verify(msg, mac)).MacValid).toBe(true);
  });
});

describe('GenerateMac / VerifyMac refusals, in AWS\'s order', () => {
  test("Precondition: the key's usage is the one the operation needs (InvalidKeyUsageException). A symmetric or an ECC key", async () => {
    const kms = new Kms();
    const sym = (await kms.createKey()).KeyMetadata!;
    const ecc = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata!;
    await refuses(kms.generateMac({ KeyId: sym.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_256' }), 'InvalidKeyUsageException', `${sym.Arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`);
    await refuses(kms.verifyMac({ KeyId: ecc.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_256', Mac: new Uint8Array(32) }), 'InvalidKeyUsageException', `${ecc.Arn} key usage is SIGN_VERIFY which is not valid for VerifyMac.`);
  });

  test("Precondition: the algorithm is one the key's spec lists for its usage (InvalidKeyUsageException). Each HMAC spec takes only its own MacAlgorithm", async () => {
    const kms = new Kms();
    for (const spec of SPECS) {
      const md = (await kms.createKey({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
      for (const other of SPECS.filter((s) => s !== spec)) {
        await refuses(kms.generateMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: ALG[other] }), 'InvalidKeyUsageException', `Algorithm ${ALG[other]} is incompatible with key spec ${spec}.`);
        await refuses(kms.verifyMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: ALG[other], Mac: new Uint8Array(64) }), 'InvalidKeyUsageException', `Algorithm ${ALG[other]} is incompatible with key spec ${spec}.`);
      }
    }
  });

  test('model limits: Message 1..4096 bytes, Mac 1..6144 bytes, MacAlgorithm from the enum (ValidationException)', async () => {
    const kms = new Kms();
    const md = (await kms.createKey({ KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    await refuses(kms.generateMac({ KeyId: md.KeyId, Message: new Uint8Array(4097), MacAlgorithm: 'HMAC_SHA_384' }), 'ValidationException', /Member must have length less than or equal to 4096/);
    expect((await kms.generateMac({ KeyId: md.KeyId, Message: new Uint8Array(4096), MacAlgorithm: 'HMAC_SHA_384' })).Mac).toHaveLength(48);
    await refuses(kms.verifyMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_384', Mac: new Uint8Array(6145) }), 'ValidationException', /Member must have length less than or equal to 6144/);
    await refuses(kms.verifyMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_384', Mac: new Uint8Array(0) }), 'ValidationException');
    await refuses(kms.generateMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_1' as MacAlgorithmSpec }), 'ValidationException', /Member must satisfy enum value set/);
  });

  test('Precondition: a DryRun request stops here, once every check has passed. A wrong algorithm still answers InvalidKeyUsageException', async () => {
    const kms = new Kms();
    const md = (await kms.createKey({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    await refuses(kms.generateMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_512', DryRun: true }), 'DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
    await refuses(kms.verifyMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_512', Mac: new Uint8Array(64), DryRun: true }), 'DryRunOperationException');
    await refuses(kms.generateMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_256', DryRun: true }), 'InvalidKeyUsageException');
  });

  test('key states: Disabled → DisabledException, PendingDeletion → KMSInvalidStateException; both before the usage check', async () => {
    const kms = new Kms();
    const md = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    const sym = (await kms.createKey()).KeyMetadata!;
    const req = { KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_256' as const };
    await kms.disableKey({ KeyId: md.KeyId });
    await kms.disableKey({ KeyId: sym.KeyId });
    await refuses(kms.generateMac(req), 'DisabledException', `${md.Arn} is disabled.`);
    await refuses(kms.generateMac({ ...req, KeyId: sym.KeyId }), 'DisabledException', `${sym.Arn} is disabled.`);
    await kms.scheduleKeyDeletion({ KeyId: md.KeyId, PendingWindowInDays: 7 });
    await refuses(kms.verifyMac({ ...req, Mac: new Uint8Array(32) }), 'KMSInvalidStateException', `${md.Arn} is pending deletion.`);
    const { kms: k2, arn } = await keyInState('Unavailable');
    await refuses(k2.generateMac({ KeyId: arn, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_256' }), 'KMSInvalidStateException', `${arn} is unavailable.`);
  });

  test('HMAC keys: no rotation (API_EnableKeyRotation, API_RotateKeyOnDemand: "You cannot … HMAC KMS keys"), no public key, one material version', async () => {
    const kms = new Kms();
    const md = (await kms.createKey({ KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    await refuses(kms.enableKeyRotation({ KeyId: md.KeyId }), 'UnsupportedOperationException', /does not support rotation/);
    await refuses(kms.disableKeyRotation({ KeyId: md.KeyId }), 'UnsupportedOperationException', /does not support rotation/);
    // AWS answers RotateKeyOnDemand on a non-symmetric key without a message (recorded response).
    await refuses(kms.rotateKeyOnDemand({ KeyId: md.KeyId }), 'UnsupportedOperationException', '');
    await refuses(kms.getPublicKey({ KeyId: md.KeyId }), 'UnsupportedOperationException', /which has no public key/);
    await refuses(kms.createKey({ KeySpec: 'HMAC_256' }), 'ValidationException', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    await refuses(kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' }), 'UnsupportedOperationException');
  });

  test('grants: GenerateMac and VerifyMac are grant operations of HMAC keys (Encrypt is not); a grant lets its grantee MAC', async () => {
    const kms = new Kms();
    const bob = kms.as('arn:aws:iam::111122223333:user/bob');
    const md = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    const req = { KeyId: md.Arn!, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_256' as const };
    // The default key policy reaches bob only through IAM (the hook allows everything by default):
    // with a key policy for the root alone and an IAM that refuses, only a grant lets him in.
    const strict = new Kms({ keyStore: kms.keyStore, identityPolicy: () => false }).as('arn:aws:iam::111122223333:user/bob');
    await refuses(strict.generateMac(req), 'AccessDeniedException');
    await refuses(kms.createGrant({ KeyId: md.KeyId, GranteePrincipal: bob.principal, Operations: ['Encrypt'] }), 'ValidationException', /which does not support the grant operation Encrypt/);
    await refuses(kms.createGrant({ KeyId: md.KeyId, GranteePrincipal: bob.principal, Operations: ['GetPublicKey'] }), 'ValidationException');
    await kms.createGrant({ KeyId: md.KeyId, GranteePrincipal: bob.principal, Operations: ['GenerateMac'] });
    const { Mac } = await strict.generateMac(req);
    await refuses(strict.verifyMac({ ...req, Mac: Mac as Uint8Array }), 'AccessDeniedException');
    await kms.createGrant({ KeyId: md.KeyId, GranteePrincipal: bob.principal, Operations: ['VerifyMac'] });
    expect((await strict.verifyMac({ ...req, Mac: Mac as Uint8Array })).MacValid).toBe(true);
  });

  test('key policy condition kms:MacAlgorithm is the request\'s MacAlgorithm', async () => {
    const kms = new Kms();
    const alice = kms.as('arn:aws:iam::111122223333:user/alice');
    const md = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: alice.principal }, Action: 'kms:GenerateMac', Resource: '*', Condition: { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } } },
      ],
    };
    await kms.putKeyPolicy({ KeyId: md.KeyId, Policy: JSON.stringify(policy) });
    await refuses(alice.generateMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_256' }), 'AccessDeniedException', /with an explicit deny in a resource-based policy$/);
    // Another algorithm does not match the deny: the request reaches the algorithm check.
    await refuses(alice.generateMac({ KeyId: md.KeyId, Message: enc('m'), MacAlgorithm: 'HMAC_SHA_512' }), 'InvalidKeyUsageException');
  });

  test('snapshot round trip: an HMAC key exported and loaded MACs the same; the same injected random gives the same key', async () => {
    const a = new Kms({ random: seededRandom(3) });
    const b = new Kms({ random: seededRandom(3) });
    const ka = (await a.createKey({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    const kb = (await b.createKey({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata!;
    expect(kb.KeyId).toBe(ka.KeyId);
    const m = { Message: enc('persist me'), MacAlgorithm: 'HMAC_SHA_512' as const };
    const mac = (await a.generateMac({ KeyId: ka.KeyId, ...m })).Mac as Uint8Array;
    expect((await b.generateMac({ KeyId: kb.KeyId, ...m })).Mac).toEqual(mac);
    const loaded = new Kms({ keyStore: InMemoryKeyStore.fromSnapshot(JSON.stringify((a.keyStore as InMemoryKeyStore).exportSnapshot())) });
    expect((await loaded.generateMac({ KeyId: ka.KeyId, ...m })).Mac).toEqual(mac);
    expect((await loaded.verifyMac({ KeyId: ka.KeyId, ...m, Mac: mac })).MacValid).toBe(true);
    expect((await loaded.describeKey({ KeyId: ka.KeyId })).KeyMetadata!.MacAlgorithms).toEqual(['HMAC_SHA_512']);
  });
});
