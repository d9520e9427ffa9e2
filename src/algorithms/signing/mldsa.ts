/**
 * ML_DSA_SHAKE_256 on ML_DSA_44/65/87 keys (FIPS 204), as AWS KMS offers it (Developer Guide,
 * "ML-DSA keys"; API_Sign: MessageType):
 *
 * - RAW (≤ 4096 bytes): pure ML-DSA.Sign (FIPS 204 Alg. 2) with the empty context string, i.e.
 *   M′ = 0x00 ‖ 0x00 ‖ M and μ = SHAKE256(tr ‖ M′, 64).
 * - EXTERNAL_MU (64 bytes): the caller's μ (§6.2), signed by ML-DSA.Sign_internal; "the
 *   signatures produced by the externally computed μ are the same as the RAW ones".
 * - DIGEST is refused (it is not HashML-DSA, §5.4).
 *
 * Signing is the hedged variant: rnd = 32 bytes of the Kms `random` (FIPS 204 Alg. 2 step 5),
 * so an injected random makes signatures reproducible (all-zero random gives the deterministic
 * variant, what Wycheproof's sign vectors use). @noble/post-quantum on every backend.
 */
import { wipe } from '../../util/bytes.js';
import { checkSigningMessage } from './message.js';
import { mlDsaParamsOf, mlDsaPublic, mlDsaSecret } from './keys.js';
import type { SigningAlgorithm } from './types.js';

const EMPTY = new Uint8Array(0);

export const mlDsaShake256: SigningAlgorithm = {
  name: 'ML_DSA_SHAKE_256',
  keySpecs: ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'],
  messageTypes: ['RAW', 'EXTERNAL_MU'],
  digestLength: 0,
  externalMuLength: 64,

  async sign(env, bk, message, messageType) {
    checkSigningMessage(mlDsaShake256, message, messageType);
    const p = mlDsaParamsOf(env, bk);
    const sk = mlDsaSecret(env, bk);
    const rnd = env.random(32);
    try {
      if (messageType === 'EXTERNAL_MU') return p.noble.internal.sign(message, sk, { externalMu: true, extraEntropy: rnd });
      return p.noble.sign(message, sk, { context: EMPTY, extraEntropy: rnd });
    } finally {
      wipe(rnd);
    }
  },

  async verify(env, bk, message, messageType, signature) {
    checkSigningMessage(mlDsaShake256, message, messageType);
    const p = mlDsaParamsOf(env, bk);
    if (signature.length !== p.signatureBytes) return false;
    try {
      if (messageType === 'EXTERNAL_MU') return p.noble.internal.verify(signature, message, mlDsaPublic(env, bk), { externalMu: true });
      return p.noble.verify(signature, message, mlDsaPublic(env, bk), { context: EMPTY });
    } catch {
      return false;
    }
  },
};
