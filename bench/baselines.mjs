// Raw platform work that each kms-core operation cannot avoid, for the same bytes. These are
// the baselines the benchmark divides by.
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, privateDecrypt, publicEncrypt, randomBytes, constants } from 'node:crypto';

const LABEL_INPUT = 101; // SP 800-108 PRF input of envelope v1

/**
 * The symmetric work of envelope v1 on node:crypto, HBK key object imported once: `seal` is one
 * HMAC-SHA256 derivation + one AES-256-GCM encryption (what Encrypt must do), `open` one
 * derivation + one decryption (what Decrypt must do).
 */
export function nodeSym(hbk) {
  const key = createSecretKey(hbk);
  const input = randomBytes(LABEL_INPUT);
  const seal = (pt, aad) => {
    const dk = createHmac('sha256', key).update(input).digest();
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', dk, iv);
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
    return { iv, ct };
  };
  const open = ({ iv, ct }, aad) => {
    const dk = createHmac('sha256', key).update(input).digest();
    const d = createDecipheriv('aes-256-gcm', dk, iv);
    d.setAAD(aad);
    d.setAuthTag(ct.subarray(ct.length - 16));
    return Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
  };
  return { seal, open };
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
