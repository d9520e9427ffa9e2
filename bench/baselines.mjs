// Raw platform work that each kms-core operation cannot avoid, for the same bytes. These are
// the baselines the benchmark divides by.
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, privateDecrypt, publicEncrypt, randomBytes, randomUUID, constants } from 'node:crypto';

const LABEL_INPUT = 101; // SP 800-108 PRF input of envelope v1

/**
 * One HMAC-SHA256 derivation under `key` (a key object or the HBK's bytes) + one AES-256-GCM
 * encryption: what Encrypt must do.
 */
function sealUnder(key, input, pt, aad) {
  const dk = createHmac('sha256', key).update(input).digest();
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', dk, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
  return { iv, ct };
}

/** One derivation + one AES-256-GCM decryption: what Decrypt must do. Throws on a wrong tag. */
function openUnder(key, input, { iv, ct }, aad) {
  const dk = createHmac('sha256', key).update(input).digest();
  const d = createDecipheriv('aes-256-gcm', dk, iv);
  d.setAAD(aad);
  d.setAuthTag(ct.subarray(ct.length - 16));
  return Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
}

/**
 * The symmetric work of envelope v1 on node:crypto, HBK key object imported once: `seal` is
 * sealUnder, `open` openUnder.
 */
export function nodeSym(hbk) {
  const key = createSecretKey(hbk);
  const input = randomBytes(LABEL_INPUT);
  return { seal: (pt, aad) => sealUnder(key, input, pt, aad), open: (sealed, aad) => openUnder(key, input, sealed, aad) };
}

export function nodeRsaEncrypt(publicKey, oaepHash = 'sha256') {
  return (pt) => publicEncrypt({ key: publicKey, oaepHash, padding: constants.RSA_PKCS1_OAEP_PADDING }, pt);
}

export function nodeRsaDecrypt(privateKey, oaepHash = 'sha256') {
  return (ct) => privateDecrypt({ key: privateKey, oaepHash, padding: constants.RSA_PKCS1_OAEP_PADDING }, ct);
}

/** The same symmetric work through WebCrypto (keys imported once, as kms-core caches them). */
export async function webSealOpen(hbk) {
  const s = globalThis.crypto.subtle;
  const hk = await s.importKey('raw', hbk, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const input = randomBytes(LABEL_INPUT);
  const seal = async (pt, aad) => {
    const dk = await s.sign('HMAC', hk, input);
    const k = await s.importKey('raw', dk, 'AES-GCM', false, ['encrypt']);
    const iv = randomBytes(12);
    return { iv, ct: new Uint8Array(await s.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, k, pt)) };
  };
  const open = async ({ iv, ct }, aad) => {
    const dk = await s.sign('HMAC', hk, input);
    const k = await s.importKey('raw', dk, 'AES-GCM', false, ['decrypt']);
    return new Uint8Array(await s.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, k, ct));
  };
  return { seal, open };
}

/**
 * The plain node:crypto way over `count` keys, as an application holding its own keys would
 * write it: a key object per HBK in a Map by key ID, and a pool of `blobs` sealed blobs, each
 * naming its key (the first `count` one per key, the rest under random keys, as workloads.mjs
 * keySet spreads kms-core's). `random()` opens a random blob under its key and seals the
 * plaintext under a random key: nodeSym's work, plus finding two keys among `count`. The
 * platform's own figure at 10^5 keys against 10, for the kms-core row of the same ratio.
 */
export function nodeSymKeys(count, blobs, plaintext, aad) {
  const keys = new Map();
  const ids = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    ids.push(id);
    keys.set(id, nodeSym(randomBytes(32)));
  }
  const pick = (xs) => xs[(Math.random() * xs.length) | 0];
  const pool = [];
  for (let i = 0; i < blobs; i++) {
    const id = i < count ? ids[i] : pick(ids);
    pool.push({ id, sealed: keys.get(id).seal(plaintext, aad) });
  }
  return {
    random() {
      const b = pick(pool);
      const pt = keys.get(b.id).open(b.sealed, aad);
      return keys.get(pick(ids)).seal(pt, aad);
    },
  };
}

/**
 * The same work as nodeSymKeys with no object per key: every HBK in one slab of 32-byte slots,
 * a key named by its slot's index (as a data-oriented store would hand out handles), each blob
 * naming its key's index, `createHmac` keyed with the slot's bytes. Finding a key is one read in
 * one contiguous block instead of a Map probe, a closure and a key object. The row of this way at
 * 10^5 keys against 10 says what the platform costs when the per-key state a call reads is a few
 * cache lines in one region, i.e. how much of nodeSymKeys's drop the per-key objects are
 * (issue 14; a `/tmp` script of its sixteenth session read ~1.0 for this layout against ~0.55
 * for a Map of key objects, wall time, separate processes). `open(i, sealed)` is for the tests.
 */
export function nodeSymSlab(count, blobs, plaintext, aad) {
  const slab = randomBytes(32 * count);
  const input = randomBytes(LABEL_INPUT);
  const hbk = (i) => slab.subarray(32 * i, 32 * i + 32);
  const seal = (i, pt) => sealUnder(hbk(i), input, pt, aad);
  const open = (i, sealed) => openUnder(hbk(i), input, sealed, aad);
  const pickIndex = () => (Math.random() * count) | 0;
  const pool = [];
  for (let i = 0; i < blobs; i++) {
    const k = i < count ? i : pickIndex();
    pool.push({ k, sealed: seal(k, plaintext) });
  }
  return {
    /** A random blob opened under its key, sealed under a random key: `{ k, sealed }`. */
    random() {
      const b = pool[(Math.random() * pool.length) | 0];
      const pt = open(b.k, b.sealed);
      const k = pickIndex();
      return { k, sealed: seal(k, pt) };
    },
    open,
  };
}
