/**
 * The MessageType rules of Sign and Verify (API_Sign / API_Verify: MessageType), shared by the
 * operation handlers and the algorithm rows:
 *
 * - RAW: 1..4096 bytes (API model: Message length 1..4096), hashed by the algorithm.
 * - DIGEST: exactly the algorithm's digest length; refused by ED25519_SHA_512 (RAW only) and
 *   ML_DSA_SHAKE_256. ED25519_PH_SHA_512 takes DIGEST only (64 bytes), and KMS still applies
 *   the Ed25519ph SHA-512 prehash to those bytes (API_Sign: "the input is hashed twice").
 * - EXTERNAL_MU: ML_DSA_SHAKE_256 only, exactly 64 bytes (FIPS 204 §6.2 μ).
 *
 * Messages: "Digest is invalid length for algorithm X." is what the service answers (seen by
 * SDK users, e.g. awslabs/aws-sdk-rust discussion 571; local-kms uses the same text).
 * "Message type X is incompatible with algorithm Y." is what floci measured against the
 * service for Ed25519 (floci-io/floci PR 2930); kms-core uses it for every refused pairing.
 */
import { ValidationException } from '../../errors.js';
import type { MessageType, SigningAlgorithm } from './types.js';

export const MAX_RAW_MESSAGE = 4096;

/** Throws the ValidationException AWS gives for a Message that `alg` cannot take as `messageType`. */
export function checkSigningMessage(alg: SigningAlgorithm, message: Uint8Array, messageType: MessageType): void {
  /* Precondition: the algorithm accepts this MessageType. */
  if (!alg.messageTypes.includes(messageType)) {
    throw new ValidationException(`Message type ${messageType} is incompatible with algorithm ${alg.name}.`);
  }
  /* Precondition: a RAW message is 1..4096 bytes (API model constraint on Message). */
  if (message.length < 1) throw new ValidationException("1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1");
  if (message.length > MAX_RAW_MESSAGE) {
    throw new ValidationException("1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096");
  }
  /* Precondition: a DIGEST is exactly the algorithm's hash length. */
  if (messageType === 'DIGEST' && message.length !== alg.digestLength) {
    throw new ValidationException(`Digest is invalid length for algorithm ${alg.name}.`);
  }
  /* Precondition: an EXTERNAL_MU is exactly 64 bytes. */
  if (messageType === 'EXTERNAL_MU' && message.length !== alg.externalMuLength) {
    throw new ValidationException(`Digest is invalid length for algorithm ${alg.name}.`);
  }
}
