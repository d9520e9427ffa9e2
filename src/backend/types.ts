/**
 * The one seam to platform crypto. Everything below `Kms` that needs AES-GCM, HMAC or RSA goes
 * through a `Backend`; nothing else in the core knows which runtime it runs on.
 *
 * Implementations: backend/web.ts (WebCrypto: browsers, workers, Node, Deno, Bun),
 * backend/node.ts (node:crypto, the default under Node through #default-backend) and
 * backend/noble.ts (pure JS on @noble/*, for runtimes without WebCrypto; no RSA).
 * Randomness is not the backend's: every random byte comes from the `random` option of `Kms`,
 * so that injected randomness makes every backend produce the same bytes.
 *
 * Input bytes are lent for the call: a plaintext or message may be validation's copy, which is
 * wiped and reused by a later request once the call has settled (util/sensitive-copy.ts). A
 * backend reads its inputs before its answer settles and keeps no reference to them after.
 */

import type { MaybePromise } from '../util/maybe.js';

/** An imported key object (CryptoKey, KeyObject, …), opaque to the core. */
export type BackendKey = unknown;

export type RsaHash = 'SHA-1' | 'SHA-256';

/** Hashes of the signing algorithms (Sign / Verify). */
export type ShaName = 'SHA-256' | 'SHA-384' | 'SHA-512';
/** Curves of the ECDSA key specs (ECC_NIST_P256/P384/P521, ECC_SECG_P256K1). */
export type EcCurveName = 'P-256' | 'P-384' | 'P-521' | 'secp256k1';
/** RSASSA-PSS (salt = hash length, MGF1 with the same hash) or RSASSA-PKCS1-v1_5 (RFC 8017 §8). */
export type RsaSignatureScheme = 'PSS' | 'PKCS1_V1_5';

export interface Backend extends MacAgreementBackend {
  readonly name: string;

  /** Imports a raw HMAC-SHA256 key once, so repeated derivations skip the import (node:crypto: synchronously). */
  hmacKey(raw: Uint8Array): MaybePromise<BackendKey>;
  /**
   * HMAC-SHA256 (FIPS 198-1) of `data` under a key from `hmacKey`. This and the two AES-GCM
   * members may answer synchronously (node:crypto does): the envelope then takes no microtask.
   */
  hmacSha256(key: BackendKey, data: Uint8Array): MaybePromise<Uint8Array>;

  /**
   * AES-256-GCM (SP 800-38D), 96-bit IV, 128-bit tag. Returns ciphertext ‖ tag, written into
   * `out` (plaintext length + 16 bytes) when given, so the envelope needs no extra copy. The
   * additional data is `aad ‖ aadTail` (the envelope's header and its encryption context, given
   * apart so that no call has to join them).
   */
  aesGcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out?: Uint8Array, aadTail?: Uint8Array): MaybePromise<Uint8Array>;
  /** The plaintext, or undefined when the tag does not verify. Never throws for bad input. */
  aesGcmDecrypt(key: Uint8Array, iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array, aadTail?: Uint8Array): MaybePromise<Uint8Array | undefined>;

  /** A new RSA key pair (public exponent 65537): PKCS#8 and SubjectPublicKeyInfo DER. */
  rsaGenerateKeyPair(modulusBits: number): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }>;
  /** Imports a public key (SPKI DER) for `rsaPublicRaw`; undefined when it is not an RSA key. */
  rsaPublicKey(spki: Uint8Array): Promise<{ key: BackendKey; modulusBytes: number } | undefined>;
  /**
   * The raw RSA public operation (RFC 8017 §5.1.1 RSAEP) on an encoded message of exactly
   * modulusBytes bytes; returns modulusBytes bytes. Padding is the caller's (algorithms/rsa-oaep.ts)
   * so that every backend produces the same ciphertext from the same randomness.
   */
  rsaPublicRaw(key: BackendKey, em: Uint8Array): Promise<Uint8Array>;
  /** Imports a private key (PKCS#8 DER) for RSAES-OAEP decryption with `hash` for OAEP and MGF1. */
  rsaPrivateKey(pkcs8: Uint8Array, hash: RsaHash): Promise<BackendKey>;
  /** RSAES-OAEP-DECRYPT (RFC 8017 §7.1.2), empty label. undefined for every failure. */
  rsaOaepDecrypt(key: BackendKey, ciphertext: Uint8Array): Promise<Uint8Array | undefined>;

  // ---- Signatures (algorithms/signing/). Encodings (EMSA-PSS, EMSA-PKCS1-v1_5, DER ECDSA
  // signatures) are the core's; the backend does the private-key arithmetic. The optional
  // members are platform fast paths for whole messages (RAW): where a backend lacks one, or
  // its key import answers undefined (a curve the platform does not have), the algorithm uses
  // @noble/curves instead, and for DIGEST messages it always does (no platform here signs a
  // caller's digest for ECDSA or Ed25519ph).

  /** Imports an RSA private key (PKCS#8 DER) for `rsaPrivateRaw` and `rsaSignMessage`. */
  rsaSigningKey(pkcs8: Uint8Array): Promise<BackendKey>;
  /**
   * RSASP1 (RFC 8017 §5.2.1) on an encoded message of exactly modulusBytes; returns
   * modulusBytes. `random` serves the backend's blinding where it blinds in JS.
   */
  rsaPrivateRaw(key: BackendKey, em: Uint8Array, random: (n: number) => Uint8Array): Promise<Uint8Array>;
  /** RSASSA of a whole message by the platform, which hashes it (and draws the PSS salt) itself. */
  rsaSignMessage?(key: BackendKey, scheme: RsaSignatureScheme, hash: ShaName, message: Uint8Array): Promise<Uint8Array>;

  /** An ECDSA key (PKCS#8 to sign, SPKI to verify); undefined when the platform lacks the curve. */
  ecdsaKey?(curve: EcCurveName, der: Uint8Array, format: 'pkcs8' | 'spki'): Promise<BackendKey | undefined>;
  /** ECDSA (FIPS 186-5 §6.4) of a whole message hashed with `hash`; DER signature, random k. */
  ecdsaSign?(key: BackendKey, hash: ShaName, message: Uint8Array): Promise<Uint8Array>;
  /** Verifies a DER signature the caller has already parsed strictly (r, s in range). */
  ecdsaVerify?(key: BackendKey, hash: ShaName, message: Uint8Array, der: Uint8Array): Promise<boolean>;

  /** An Ed25519 key (PKCS#8 / SPKI, RFC 8410); undefined when the platform lacks Ed25519. */
  ed25519Key?(der: Uint8Array, format: 'pkcs8' | 'spki'): Promise<BackendKey | undefined>;
  /** PureEdDSA Ed25519 (RFC 8032 §5.1.6), deterministic. */
  ed25519Sign?(key: BackendKey, message: Uint8Array): Promise<Uint8Array>;
  ed25519Verify?(key: BackendKey, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** The hash of an HMAC key (FIPS 198-1 with FIPS 180-4 SHA-2), as KMS's MacAlgorithmSpec names them. */
export type HmacHash = 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** The NIST curves of KMS key agreement (ECC_NIST_P256/P384/P521, FIPS 186-5 / SP 800-186). */
export type EcdhCurve = 'P-256' | 'P-384' | 'P-521';

/**
 * Members added for HMAC keys and key agreement (issue 16). Separate from `Backend` only so
 * that the merge of parallel branches stays additive; `Backend` extends it.
 */
export interface MacAgreementBackend {
  /** Imports a raw HMAC key of any length for `hmac` with `hash`, once per key version. */
  hmacKeyWith(hash: HmacHash, raw: Uint8Array): Promise<BackendKey>;
  /** HMAC (RFC 2104, FIPS 198-1) of `data` under a key from `hmacKeyWith`: the full digest, never truncated. */
  hmac(key: BackendKey, data: Uint8Array): Promise<Uint8Array>;
  /** Imports an EC private key (PKCS#8 DER, RFC 5915 inside) on `curve` for `ecdhDerive`. */
  ecdhPrivateKey(curve: EcdhCurve, pkcs8: Uint8Array): Promise<BackendKey>;
  /**
   * The ECC CDH primitive (SP 800-56A rev. 3 §5.7.1.2; cofactor 1 on these curves): the
   * x-coordinate of d·Q as field-size bytes. `peerSpki` is a SubjectPublicKeyInfo that the
   * caller has already validated (named curve equal to the key's, point on the curve, not the
   * identity) and re-encoded uncompressed, so the backend parses nothing that came from a request.
   */
  ecdhDerive(key: BackendKey, peerSpki: Uint8Array): Promise<Uint8Array>;
}
