/**
 * SM2DSA on SM2 SIGN_VERIFY keys (China Regions only): GB/T 32918.2 with SM3, Z_A from the
 * default distinguishing ID 1234567812345678 (Developer Guide, "Offline verification with SM2
 * key pairs"). RAW: e = SM3(Z_A ‖ M) computed here; DIGEST: the caller's 32 bytes are e (the
 * guide: a caller may compute the digest with its own ID and have KMS sign it).
 * Pure JS (primitives/sm2dsa.ts); k from the Kms `random`.
 */
import { sm2PrivateKeyFromPkcs8, sm2SpkiDecode } from '../../primitives/sm2-keys.js';
import { sm2Digest, sm2Sign, sm2Verify } from '../../primitives/sm2dsa.js';
import { checkSigningMessage } from './message.js';
import type { SigningAlgorithm } from './types.js';

export const sm2dsa: SigningAlgorithm = {
  name: 'SM2DSA',
  keySpecs: ['SM2'],
  messageTypes: ['RAW', 'DIGEST'],
  digestLength: 32,
  externalMuLength: 0,

  async sign(env, bk, message, messageType) {
    checkSigningMessage(sm2dsa, message, messageType);
    const d = env.memo(bk, 'sm2-private/', (b) => sm2PrivateKeyFromPkcs8(b.material));
    const pub = env.memo(bk, 'sm2-public-point/', (b) => sm2SpkiDecode(b.publicKey as Uint8Array));
    const e = messageType === 'RAW' ? sm2Digest(pub, message) : message;
    return sm2Sign(d, e, env.random);
  },

  async verify(env, bk, message, messageType, signature) {
    checkSigningMessage(sm2dsa, message, messageType);
    const pub = env.memo(bk, 'sm2-public-point/', (b) => sm2SpkiDecode(b.publicKey as Uint8Array));
    const e = messageType === 'RAW' ? sm2Digest(pub, message) : message;
    return sm2Verify(pub, e, signature);
  },
};
