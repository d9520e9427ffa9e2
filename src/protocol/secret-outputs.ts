/**
 * Secrets in a response that kms-core made for the caller: a plaintext (Decrypt,
 * GenerateDataKey, GenerateRandom), a data key pair's private key (GenerateDataKeyPair), a
 * shared secret (DeriveSharedSecret, Encapsulate, Decapsulate).
 *
 * Ownership: an operation returns each in a fresh buffer that nothing else in kms-core
 * references. Through the library the caller owns it (kms-core holds no copy). Through the
 * protocol adapter the buffer stays kms-core's own once the JSON body is built, so the adapter
 * zeroes it then (DESIGN.md §2: "every buffer that held plaintext … data keys, data key pairs,
 * shared secrets … is overwritten").
 */
import { wipe } from '../util/bytes.js';

const SECRET_MEMBERS = ['Plaintext', 'PrivateKeyPlaintext', 'SharedSecret'] as const;

/** Zeroes the secret members of an operation's output (own Uint8Array members only). */
export function wipeSecretOutputs(output: unknown): void {
  if (typeof output !== 'object' || output === null) return;
  for (const m of SECRET_MEMBERS) {
    const v = Object.prototype.hasOwnProperty.call(output, m) ? (output as Record<string, unknown>)[m] : undefined;
    if (v instanceof Uint8Array) wipe(v);
  }
}
