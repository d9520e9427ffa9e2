/**
 * SM2PKE (GM/T 0003.4 / GB/T 32918.4) on SM2 keys, as AWS KMS offers it in the China Regions:
 * ciphertext is the GM/T 0009 DER `SEQUENCE{INTEGER x1, INTEGER y1, OCTET STRING C3, OCTET
 * STRING C2}` with no kms-core header (OpenSSL 3 `pkeyutl -encrypt` emits the same form), so the
 * key and algorithm must be given to decrypt; plaintext 1..1024 bytes.
 *
 * Pure JS (primitives/sm2-pke.ts on @noble/curves): WebCrypto has no SM2 and node:crypto cannot
 * encrypt with it, so there is nothing for the backend seam to do. The private scalar and the
 * public point's precomputation are cached per key (MaterialCache).
 */
import type { BackingKey } from '../keys/record.js';
import { currentMaterial } from '../keys/record.js';
import { sm2GenerateKey, sm2PrecomputePublic } from '../primitives/sm2-curve.js';
import { sm2Decrypt, sm2Encrypt } from '../primitives/sm2-pke.js';
import { sm2Pkcs8Encode, sm2PrivateKeyFromPkcs8, sm2SpkiDecode, sm2SpkiEncode } from '../primitives/sm2-keys.js';
import { toHex } from '../util/bytes.js';
import type { EncryptionAlgorithm, KeySpecInfo } from './types.js';

/** AWS KMS offers SM2 keys only in the China Regions (Developer Guide, "SM2 key spec"). */
export const SM2_REGIONS: readonly string[] = ['cn-north-1', 'cn-northwest-1'];

export const SM2_MAX_PLAINTEXT = 1024;

export const sm2pke: EncryptionAlgorithm = {
  name: 'SM2PKE',
  selfDescribing: false,
  acceptsContext: false,
  maxPlaintext: () => SM2_MAX_PLAINTEXT,

  async encrypt(env, key, plaintext) {
    const bk = currentMaterial(key) as BackingKey;
    const pub = env.memo(bk, 'sm2-public/', (b) => sm2PrecomputePublic(sm2SpkiDecode(b.publicKey as Uint8Array)));
    return { CiphertextBlob: sm2Encrypt(pub, plaintext, env.random) };
  },

  async decrypt(env, key, blob) {
    const bk = currentMaterial(key) as BackingKey;
    const d = env.memo(bk, 'sm2-private/', (b) => sm2PrivateKeyFromPkcs8(b.material));
    // sm2Decrypt throws one Sm2DecryptError for every ciphertext failure; Kms maps any throw
    // here to the one InvalidCiphertextException.
    return { Plaintext: sm2Decrypt(d, blob) };
  },
};

export const sm2Spec: KeySpecInfo = {
  keySpec: 'SM2',
  keyType: 'asymmetric',
  encryptionAlgorithms: ['SM2PKE'],
  rotatable: false,
  hasPublicKey: true,
  wrapsDataKeys: false,
  bindsContext: false,
  namesMaterial: false,
  // Developer Guide, "SM2 key spec": SM2DSA (algorithms/signing/sm2dsa.ts); API_CreateKey: KeyUsage.
  signingAlgorithms: ['SM2DSA'],
  keyUsages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'],
  keyAgreementAlgorithms: ['ECDH'],
  regions: (region) => SM2_REGIONS.includes(region),
  async generate(env, createdAt) {
    const { d, publicKey } = sm2GenerateKey(env.random);
    return { id: toHex(env.random(32)), material: sm2Pkcs8Encode(d), publicKey: sm2SpkiEncode(publicKey), createdAt };
  },
};
