/**
 * Ready-to-use cores of the Sign and Verify handlers, with explicit arguments (no `this`): the
 * handler resolves the key, authorizes (kms:Sign / kms:Verify with kms:SigningAlgorithm and
 * kms:MessageType in the request context), checks the key state and DryRun, then calls these.
 * They check what only the key and the algorithm decide, in this order: KeyUsage, algorithm
 * for the key spec, MessageType / length; then sign or verify with the key's material.
 */
import { InvalidKeyUsageException, KMSInvalidSignatureException } from '../../errors.js';
import { currentMaterial, type BackingKey, type KeyRecord } from '../../keys/record.js';
import type { CryptoEnv } from '../types.js';
import { checkSigningMessage } from './message.js';
import { signingAlgorithm } from './index.js';
import type { MessageType, SigningAlgorithm } from './types.js';

/**
 * The row for `algorithm` on `record`, or the InvalidKeyUsageException AWS gives (messages of
 * the recorded Encrypt forms, REFERENCE.md "Errors seen from the real service").
 */
export function signingRowFor(record: KeyRecord, algorithm: string, operation: 'Sign' | 'Verify'): SigningAlgorithm {
  /* Precondition: the key's KeyUsage is SIGN_VERIFY. */
  if (record.keyUsage !== 'SIGN_VERIFY') {
    throw new InvalidKeyUsageException(`${record.arn} key usage is ${record.keyUsage} which is not valid for ${operation}.`);
  }
  const row = signingAlgorithm(algorithm);
  /* Precondition: the algorithm is one of the key spec's signing algorithms. */
  if (!row || !row.keySpecs.includes(record.keySpec)) {
    throw new InvalidKeyUsageException(`Algorithm ${algorithm} is incompatible with key spec ${record.keySpec}.`);
  }
  return row;
}

function material(record: KeyRecord): BackingKey {
  const bk = currentMaterial(record);
  /* Precondition: the key has material (PendingImport keys are refused by the state check first). */
  if (!bk) throw new InvalidKeyUsageException(`${record.arn} has no key material.`);
  return bk;
}

/** Sign: the Signature bytes. */
export async function signWithKey(env: CryptoEnv, record: KeyRecord, algorithm: string, message: Uint8Array, messageType: MessageType = 'RAW'): Promise<Uint8Array> {
  const row = signingRowFor(record, algorithm, 'Sign');
  checkSigningMessage(row, message, messageType);
  return row.sign(env, material(record), message, messageType);
}

/** Verify: resolves when the signature verifies; otherwise KMSInvalidSignatureException. */
export async function verifyWithKey(
  env: CryptoEnv,
  record: KeyRecord,
  algorithm: string,
  message: Uint8Array,
  messageType: MessageType,
  signature: Uint8Array,
): Promise<void> {
  const row = signingRowFor(record, algorithm, 'Verify');
  checkSigningMessage(row, message, messageType);
  if (!(await row.verify(env, material(record), message, messageType, signature))) {
    // API_Verify: "If the signature is not verified, the Verify operation fails with a
    // KMSInvalidSignatureException"; one answer whatever the cause.
    throw new KMSInvalidSignatureException('');
  }
}
