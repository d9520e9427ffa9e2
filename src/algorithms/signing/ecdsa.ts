/**
 * ECDSA_SHA_256/384/512 (FIPS 186-5 §6.4) as AWS KMS offers it (Developer Guide, "Supported
 * signing algorithms for ECC key specs"): ECC_NIST_P256 and ECC_SECG_P256K1 with SHA-256,
 * ECC_NIST_P384 with SHA-384, ECC_NIST_P521 with SHA-512 — one algorithm per curve. Signatures
 * are DER ECDSA-Sig-Value (API_Sign: Signature, RFC 3279 §2.2.3).
 *
 * Low-S: AWS documents no normalisation and its signatures are not low-S normalised (users of
 * ECC_SECG_P256K1 must flip s for Ethereum's EIP-2 themselves: Nethereum issue 1035,
 * ava-labs/icm-services PR 273), so kms-core neither normalises when signing nor refuses a
 * high-S signature when verifying, like OpenSSL.
 *
 * k: the platform's (node:crypto, WebCrypto: random k) for RAW messages where the backend has
 * the curve; otherwise @noble/curves with RFC 6979 k hedged with 32 bytes of the Kms `random`
 * (deterministic for an injected random). DIGEST messages always go through noble: no platform
 * API signs a caller's digest.
 */
import type { ShaName } from '../../backend/types.js';
import type { KeySpec } from '../../keys/record.js';
import { ecdsaDerDecode, ecdsaDerEncode } from '../../primitives/ec-keys.js';
import { SHA } from '../../primitives/rsassa.js';
import { bytesToBigInt } from '../../util/bigint.js';
import { checkSigningMessage } from './message.js';
import { ecCurveOf, ecPrivate, ecPublic } from './keys.js';
import type { SigningAlgorithm, SigningAlgorithmSpec } from './types.js';

function ecdsa(name: SigningAlgorithmSpec, shaName: ShaName, keySpecs: readonly KeySpec[]): SigningAlgorithm {
  const h = SHA[shaName];
  const row: SigningAlgorithm = {
    name,
    keySpecs,
    messageTypes: ['RAW', 'DIGEST'],
    digestLength: h.hLen,
    externalMuLength: 0,

    async sign(env, bk, message, messageType) {
      checkSigningMessage(row, message, messageType);
      const c = ecCurveOf(env, bk);
      const { backend } = env;
      if (messageType === 'RAW' && backend.ecdsaKey && backend.ecdsaSign) {
        const key = await env.keyObject(bk, 'ecdsa-sign/', (b) => backend.ecdsaKey!(c.name, b.material, 'pkcs8'));
        if (key !== undefined) return backend.ecdsaSign(key, shaName, message);
      }
      const digest = messageType === 'RAW' ? h.digest(message) : message;
      const compact = c.noble.sign(digest, ecPrivate(env, bk), { prehash: false, lowS: false, extraEntropy: env.random(32) });
      return ecdsaDerEncode(bytesToBigInt(compact.subarray(0, c.size)), bytesToBigInt(compact.subarray(c.size)));
    },

    async verify(env, bk, message, messageType, signature) {
      checkSigningMessage(row, message, messageType);
      const c = ecCurveOf(env, bk);
      const rs = ecdsaDerDecode(c, signature);
      if (!rs) return false;
      const { backend } = env;
      if (messageType === 'RAW' && backend.ecdsaKey && backend.ecdsaVerify) {
        const key = await env.keyObject(bk, 'ecdsa-verify/', (b) => backend.ecdsaKey!(c.name, b.publicKey as Uint8Array, 'spki'));
        if (key !== undefined) return backend.ecdsaVerify(key, shaName, message, signature);
      }
      const digest = messageType === 'RAW' ? h.digest(message) : message;
      try {
        const sig = new c.noble.Signature(rs.r, rs.s).toBytes('compact');
        return c.noble.verify(sig, digest, ecPublic(env, bk), { prehash: false, lowS: false });
      } catch {
        return false;
      }
    },
  };
  return row;
}

export const ecdsaSha256 = ecdsa('ECDSA_SHA_256', 'SHA-256', ['ECC_NIST_P256', 'ECC_SECG_P256K1']);
export const ecdsaSha384 = ecdsa('ECDSA_SHA_384', 'SHA-384', ['ECC_NIST_P384']);
export const ecdsaSha512 = ecdsa('ECDSA_SHA_512', 'SHA-512', ['ECC_NIST_P521']);
