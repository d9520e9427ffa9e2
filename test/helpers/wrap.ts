/**
 * Wrapping key material for ImportKeyMaterial with code we did not write: node:crypto
 * (publicEncrypt OAEP, `id-aes256-wrap-pad`) and the OpenSSL CLI, exactly the Developer Guide's
 * "Step 3: Encrypt the key material" commands (`openssl pkeyutl -encrypt … -pkeyopt
 * rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:… -pkeyopt rsa_mgf1_md:…`; for RSA_AES_KEY_WRAP,
 * `openssl enc -id-aes256-wrap-pad -K <aes key> -iv A65959A6` of the material after the OAEP
 * of the AES key: `cat aes-key-wrapped.bin key-material-wrapped.bin`). And an independent
 * opener of kms-core envelope v1 blobs (vectors/FORMAT.md, node:crypto only) to prove which
 * material a key encrypts with.
 */
import { constants, createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Backend } from '../../src/backend/types.js';
import { openssl, spkiPem } from './oracles.js';

const FIXTURES = new URL('../fixtures/wrapping-keys/', import.meta.url);
const fixturePairs = new Map<number, { privateKey: Uint8Array; publicKey: Uint8Array }>();

/** An RSA private key of test/fixtures/wrapping-keys made by OpenSSL, to import as key material. */
export function fixtureRsaKey(bits: 2048 | 3072) {
  return createPrivateKey(readFileSync(new URL(`material-rsa-${bits}.pem`, FIXTURES)));
}

/**
 * `backend` with RSA wrapping key pairs read from test/fixtures/wrapping-keys (made once by
 * OpenSSL) instead of generated per call: every GetParametersForImport still gets its own
 * parameter set and token; RSA key generation would otherwise dominate the suite's time.
 */
export function fixtureBackend(backend: Backend): Backend {
  return {
    ...backend,
    async rsaGenerateKeyPair(bits) {
      return fixtureRsaPair(bits as 2048 | 3072 | 4096);
    },
  };
}

/** The RSA key pair of test/fixtures/wrapping-keys/rsa-<bits>.pem (OpenSSL's genpkey) as PKCS#8 and SPKI DER, fresh copies. */
export function fixtureRsaPair(bits: 2048 | 3072 | 4096): { privateKey: Uint8Array; publicKey: Uint8Array } {
  let p = fixturePairs.get(bits);
  if (!p) {
    const key = createPrivateKey(readFileSync(new URL(`rsa-${bits}.pem`, FIXTURES)));
    p = { privateKey: new Uint8Array(key.export({ format: 'der', type: 'pkcs8' })), publicKey: new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' })) };
    fixturePairs.set(bits, p);
  }
  return { privateKey: p.privateKey.slice(), publicKey: p.publicKey.slice() };
}

export const rnd = (n: number) => new Uint8Array(randomBytes(n));

export type RsaWrapping = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';
export const RSA_WRAPPINGS: readonly RsaWrapping[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'];
const md = (a: RsaWrapping) => (a.endsWith('SHA_1') ? 'sha1' : 'sha256');

function nodeOaep(spki: Uint8Array, hash: 'sha1' | 'sha256', m: Uint8Array): Buffer {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, m);
}

function nodeKwp(kek: Uint8Array, m: Uint8Array): Buffer {
  const c = createCipheriv('id-aes256-wrap-pad', kek, Buffer.from('A65959A6', 'hex'));
  return Buffer.concat([c.update(m), c.final()]);
}

/** node:crypto wraps `material` under the wrapping public key (SPKI DER) with `alg`. */
export function nodeWrap(alg: RsaWrapping, spki: Uint8Array, material: Uint8Array): Uint8Array {
  if (alg.startsWith('RSAES_OAEP')) return new Uint8Array(nodeOaep(spki, md(alg), material));
  const aes = rnd(32);
  return new Uint8Array(Buffer.concat([nodeOaep(spki, md(alg), aes), nodeKwp(aes, material)]));
}

function pkeyutlOaep(spki: Uint8Array, hash: 'sha1' | 'sha256', m: Uint8Array): Buffer {
  const args = ['pkeyutl', '-encrypt', '-in', 'PlaintextKeyMaterial.bin', '-out', 'EncryptedKeyMaterial.bin', '-inkey', 'WrappingPublicKey.bin', '-keyform', 'DER', '-pubin'];
  args.push('-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${hash}`, '-pkeyopt', `rsa_mgf1_md:${hash}`);
  return openssl(args, { 'WrappingPublicKey.bin': spki, 'PlaintextKeyMaterial.bin': m }, 'EncryptedKeyMaterial.bin');
}

/** The OpenSSL CLI wraps `material` as the Developer Guide does for `alg`. */
export function opensslWrap(alg: RsaWrapping, spki: Uint8Array, material: Uint8Array): Uint8Array {
  if (alg.startsWith('RSAES_OAEP')) return new Uint8Array(pkeyutlOaep(spki, md(alg), material));
  const aes = rnd(32); // openssl rand -out aes-key.bin 32
  const wrapped = openssl(
    ['enc', '-id-aes256-wrap-pad', '-K', Buffer.from(aes).toString('hex'), '-iv', 'A65959A6', '-in', 'PlaintextKeyMaterial.bin', '-out', 'key-material-wrapped.bin'],
    { 'PlaintextKeyMaterial.bin': material },
    'key-material-wrapped.bin',
  );
  return new Uint8Array(Buffer.concat([pkeyutlOaep(spki, md(alg), aes), wrapped]));
}

/** `openssl pkeyutl -encrypt` with an SM2 wrapping public key (SM2PKE, GM/T 0009 DER). */
export function opensslSm2Wrap(spki: Uint8Array, material: Uint8Array): Uint8Array {
  return new Uint8Array(openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'm.bin', '-out', 'c.bin'], { 'pub.pem': spkiPem(spki), 'm.bin': material }, 'c.bin'));
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/**
 * Opens an envelope v1 blob made without encryption context under backing key `hbk`, from
 * vectors/FORMAT.md §2–§4 alone; undefined when it does not open.
 */
export function openV1WithMaterial(hbk: Uint8Array, blob: Uint8Array): Uint8Array | undefined {
  const b = Buffer.from(blob);
  const header = b.subarray(0, 84);
  const kdfIn = Buffer.concat([u32(1), Buffer.from('kms-core/v1 data key'), Buffer.from([0]), header.subarray(0, 72), u32(256)]);
  const dataKey = createHmac('sha256', hbk).update(kdfIn).digest();
  const d = createDecipheriv('aes-256-gcm', dataKey, header.subarray(72, 84));
  d.setAAD(Buffer.concat([header, u32(0)]));
  d.setAuthTag(b.subarray(b.length - 16));
  try {
    return new Uint8Array(Buffer.concat([d.update(b.subarray(84, b.length - 16)), d.final()]));
  } catch {
    return undefined;
  }
}

/** The KeyMaterialId kms-core assigns to imported material (src/keys/import-material.ts), by node:crypto. */
export function expectedMaterialId(keyId: string, material: Uint8Array): string {
  return createHmac('sha256', material).update(Buffer.concat([Buffer.from('kms-core/imported key material id v1'), Buffer.from([0]), Buffer.from(keyId, 'utf8')])).digest('hex');
}
