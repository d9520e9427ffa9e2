/**
 * The signing-algorithm registry's row type: one row per SigningAlgorithmSpec of the KMS API
 * (Sign / Verify). The operation handlers never branch on an algorithm name; they ask the row
 * which key specs and MessageTypes it takes and how long a DIGEST must be.
 */
import type { BackingKey, KeySpec } from '../../keys/record.js';
import type { CryptoEnv } from '../types.js';

/** API model enum SigningAlgorithmSpec. */
export type SigningAlgorithmSpec =
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'ECDSA_SHA_512'
  | 'SM2DSA'
  | 'ML_DSA_SHAKE_256'
  | 'ED25519_SHA_512'
  | 'ED25519_PH_SHA_512';

/** API model enum MessageType. */
export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU';

export interface SigningAlgorithm {
  readonly name: SigningAlgorithmSpec;
  /** Key specs that offer this algorithm (Developer Guide, "Key spec reference"). */
  readonly keySpecs: readonly KeySpec[];
  /** The MessageTypes AWS accepts with this algorithm (API_Sign: MessageType). */
  readonly messageTypes: readonly MessageType[];
  /** Exact Message length in bytes for DIGEST (the algorithm's hash output); 0 if DIGEST is refused. */
  readonly digestLength: number;
  /** Exact Message length for EXTERNAL_MU (64, FIPS 204 §6.2 μ); 0 if EXTERNAL_MU is refused. */
  readonly externalMuLength: number;
  /**
   * Signs `message` of type `messageType` with the private half of `bk` (PKCS#8 in
   * `bk.material`). The caller checked the message with `checkSigningMessage` first; the row
   * re-checks and throws ValidationException rather than sign a wrong length.
   */
  sign(env: CryptoEnv, bk: BackingKey, message: Uint8Array, messageType: MessageType): Promise<Uint8Array>;
  /**
   * Whether `signature` is a valid signature of `message` under the public half of `bk`
   * (SPKI in `bk.publicKey`). Never throws for any signature bytes: a malformed signature is
   * `false`, which the handler turns into KMSInvalidSignatureException.
   */
  verify(env: CryptoEnv, bk: BackingKey, message: Uint8Array, messageType: MessageType, signature: Uint8Array): Promise<boolean>;
}
