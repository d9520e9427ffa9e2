/**
 * Key agreement: the KeyAgreementAlgorithmSpec row ECDH and the KEY_AGREEMENT side of the key
 * specs ECC_NIST_P256 / P384 / P521 (and SM2 in the China Regions).
 *
 * AWS (API_DeriveSharedSecret): "DeriveSharedSecret uses the Elliptic Curve Cryptography
 * Cofactor Diffie-Hellman Primitive (ECDH)" — NIST SP 800-56A rev. 3 §5.7.1.2 — and "returns the
 * raw shared secret", the x-coordinate of d·Q as a field-size octet string (32 / 48 / 66 bytes;
 * 32 for SM2), with no KDF applied (peers that hashed it, as LocalStack did until its fix, do
 * not interoperate with OpenSSL's `pkeyutl -derive`). The peer's key is a DER SubjectPublicKeyInfo
 * (PublicKey, 1..8192 bytes) that "must use the same … curve". All four curves have cofactor 1,
 * so cofactor DH equals plain DH. SM2 KEY_AGREEMENT keys compute the same primitive on the SM2
 * curve: ECDH is the only KeyAgreementAlgorithm AWS lists for them (the GB/T 32918.3 key
 * exchange protocol needs ephemeral keys and identities that the API has no field for).
 *
 * Peer public keys are parsed by kms-core, never by the platform (primitives/ec-keys.ts, the
 * one EC key module; primitives/sm2-keys.ts for SM2): strict DER, id-ecPublicKey with the key's named
 * curve, a SEC 1 uncompressed or compressed point on the curve, not the identity (Wycheproof
 * ecdh_* "invalid" cases). Any failure is the one ValidationException of
 * {@link invalidPeerPublicKey}; AWS documents ValidationException for a PublicKey that is not
 * DER SPKI (API_DeriveSharedSecret, PublicKey note on AWS CLI v1) and does not document a
 * separate error for a point off the curve or on another curve.
 *
 * NIST curves: the ECC CDH step is the backend's (node:crypto, WebCrypto, noble), on a
 * re-encoded SPKI. SM2: pure JS (@noble/curves), as WebCrypto and node:crypto cannot.
 *
 * The key-spec rows are not here: ECC_NIST_P256/P384/P521 are the signing layer's rows
 * (algorithms/signing/, keys from primitives/ec-keys.ts) with `keyAgreementAlgorithms: ['ECDH']`
 * (algorithms/registry.ts), SM2's is in algorithms/sm2pke.ts; the PKCS#8 those rows write is
 * what every backend's `ecdhPrivateKey` imports.
 */
import { ecdh as nobleEcdh } from '@noble/curves/abstract/weierstrass.js';
import type { EcdhCurve } from '../backend/types.js';
import { ValidationException, type KmsError } from '../errors.js';
import type { BackingKey, KeySpec } from '../keys/record.js';
import { EC_CURVES, EcKeyError, ecSpkiCanonical } from '../primitives/ec-keys.js';
import { sm2Point } from '../primitives/sm2-curve.js';
import { Sm2KeyError } from '../primitives/sm2-errors.js';
import { sm2PrivateKeyFromPkcs8, sm2SpkiDecode } from '../primitives/sm2-keys.js';
import { bigIntToBytes } from '../util/bigint.js';
import { wipe } from '../util/bytes.js';
import type { CryptoEnv, KeyAgreementAlgorithmSpec } from './types.js';

export type EccNistKeySpec = Extract<KeySpec, 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521'>;
/** Key specs that may take KeyUsage KEY_AGREEMENT (API_CreateKey: KeyUsage). */
export type KeyAgreementKeySpec = EccNistKeySpec | 'SM2';

/** The curve of each NIST key spec (API_CreateKey: KeySpec "ECC_NIST_P256 (secp256r1)" …). */
export const ECC_NIST_CURVES: Readonly<Record<EccNistKeySpec, EcdhCurve>> = Object.freeze({
  ECC_NIST_P256: 'P-256',
  ECC_NIST_P384: 'P-384',
  ECC_NIST_P521: 'P-521',
});

/** Bytes of the raw shared secret per key spec (the field size). */
export const SHARED_SECRET_BYTES: Readonly<Record<KeyAgreementKeySpec, number>> = Object.freeze({
  ECC_NIST_P256: 32,
  ECC_NIST_P384: 48,
  ECC_NIST_P521: 66,
  SM2: 32,
});

/** Whether `spec` is a key spec of key agreement (a type guard for the handler). */
export function isKeyAgreementKeySpec(spec: KeySpec): spec is KeyAgreementKeySpec {
  return Object.prototype.hasOwnProperty.call(SHARED_SECRET_BYTES, spec);
}

/** The one error for a peer public key kms-core cannot use; the message holds no key bytes. */
export function invalidPeerPublicKey(keySpec: KeySpec): KmsError {
  return new ValidationException(
    `PublicKey must be a DER-encoded SubjectPublicKeyInfo of a point on the curve of key spec ${keySpec}.`,
  );
}

/** A peer public key checked for a key spec: what {@link KeyAgreementAlgorithm.derive} takes. */
export interface PeerPublicKey {
  readonly keySpec: KeyAgreementKeySpec;
  /** NIST curves: the canonical SPKI (named curve, uncompressed point); SM2: 04‖x‖y. */
  readonly bytes: Uint8Array;
}

export interface KeyAgreementAlgorithm {
  readonly name: KeyAgreementAlgorithmSpec;
  /**
   * The peer's SPKI checked for `keySpec` (strict DER, the key's curve, a point on it). Throws
   * {@link invalidPeerPublicKey}'s ValidationException for any unusable peer key.
   */
  peerPublicKey(keySpec: KeyAgreementKeySpec, peerSpki: Uint8Array): PeerPublicKey;
  /**
   * The raw shared secret (SHARED_SECRET_BYTES[keySpec] bytes) of key version `bk` (PKCS#8
   * private key) and a checked peer key: a fresh buffer the caller owns (it returns it as
   * SharedSecret); every intermediate is wiped here.
   */
  derive(env: CryptoEnv, bk: BackingKey, peer: PeerPublicKey): Promise<Uint8Array>;
  /** DeriveSharedSecret below the operations: `derive(env, bk, peerPublicKey(keySpec, peerSpki))`. */
  deriveSharedSecret(env: CryptoEnv, keySpec: KeyAgreementKeySpec, bk: BackingKey, peerSpki: Uint8Array): Promise<Uint8Array>;
}

const sm2Ecdh = /* @__PURE__ */ nobleEcdh(sm2Point);

function peerPublicKey(keySpec: KeyAgreementKeySpec, peerSpki: Uint8Array): PeerPublicKey {
  try {
    if (keySpec === 'SM2') {
      // Strict DER, id-ecPublicKey + the SM2 curve OID, an uncompressed or compressed point on
      // the curve (primitives/sm2-keys.ts); re-encoded 04‖x‖y.
      return { keySpec, bytes: sm2SpkiDecode(peerSpki) };
    }
    return { keySpec, bytes: ecSpkiCanonical(EC_CURVES[ECC_NIST_CURVES[keySpec]], peerSpki) };
  } catch (e) {
    if (e instanceof EcKeyError || e instanceof Sm2KeyError) throw invalidPeerPublicKey(keySpec);
    throw e;
  }
}

async function deriveNist(env: CryptoEnv, keySpec: EccNistKeySpec, bk: BackingKey, canonicalSpki: Uint8Array): Promise<Uint8Array> {
  const curve = ECC_NIST_CURVES[keySpec];
  const key = await env.keyObject(bk, `ecdh/${curve}/`, (b) => env.backend.ecdhPrivateKey(curve, b.material));
  return env.backend.ecdhDerive(key, canonicalSpki);
}

function deriveSm2(env: CryptoEnv, bk: BackingKey, peer: Uint8Array): Uint8Array {
  const d = env.memo(bk, 'sm2-private/', (b) => sm2PrivateKeyFromPkcs8(b.material));
  const dBytes = bigIntToBytes(d, 32);
  const shared = sm2Ecdh.getSharedSecret(dBytes, peer, true);
  try {
    return shared.slice(1);
  } finally {
    wipe(dBytes, shared);
  }
}

export const ecdh: KeyAgreementAlgorithm = {
  name: 'ECDH',
  peerPublicKey,
  async derive(env, bk, peer) {
    if (peer.keySpec === 'SM2') return deriveSm2(env, bk, peer.bytes);
    return deriveNist(env, peer.keySpec, bk, peer.bytes);
  },
  async deriveSharedSecret(env, keySpec, bk, peerSpki) {
    return ecdh.derive(env, bk, peerPublicKey(keySpec, peerSpki));
  },
};

/** The KeyAgreementAlgorithmSpec rows. */
export const KEY_AGREEMENT_ALGORITHMS: Readonly<Record<KeyAgreementAlgorithmSpec, KeyAgreementAlgorithm>> = Object.freeze({ ECDH: ecdh });

export function keyAgreementAlgorithm(name: KeyAgreementAlgorithmSpec): KeyAgreementAlgorithm | undefined {
  return Object.prototype.hasOwnProperty.call(KEY_AGREEMENT_ALGORITHMS, name) ? KEY_AGREEMENT_ALGORITHMS[name] : undefined;
}
