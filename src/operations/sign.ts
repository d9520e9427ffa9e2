/**
 * Sign and Verify (API reference, API_Sign / API_Verify): a signature with the private half of
 * a SIGN_VERIFY key, and its check with the public half. The runner has resolved the key,
 * authorized kms:Sign / kms:Verify (condition keys kms:SigningAlgorithm, kms:MessageType) and
 * applied the cryptographic key-state rule; the handlers check, in this order, the key usage,
 * the algorithm for the key spec, the MessageType and length (src/algorithms/signing/), DryRun,
 * then act. The signing rows do the cryptography; no handler branches on an algorithm name.
 */
import type { RequestFacts } from '../auth/evaluate.js';
import { checkSigningMessage, type SigningAlgorithm } from '../algorithms/signing/index.js';
import { signingRowFor } from '../algorithms/signing/use.js';
import { KMSInvalidSignatureException } from '../errors.js';
import { currentMaterial, type BackingKey, type KeyRecord } from '../keys/record.js';
import { stateError } from '../keys/state.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { dryRun } from './checks.js';
import type { OpContext } from './context.js';

type SignOp = 'Sign' | 'Verify';

/**
 * The condition keys of a Sign or Verify request. kms:MessageType is RAW when the request
 * omits it: a request condition "works even when the parameter doesn't appear in the request,
 * such as when you use the parameter's default value" (Developer Guide, "AWS KMS condition
 * keys"; API_Sign: MessageType "The default value is RAW").
 */
export function signingFacts(input: Validated<SignOp>): RequestFacts {
  return { signingAlgorithm: input.SigningAlgorithm, messageType: input.MessageType ?? 'RAW' };
}

/** The checks both operations make before they touch key material; the row and the key's material. */
function prepare(rec: KeyRecord, input: Validated<SignOp>, op: SignOp): { row: SigningAlgorithm; bk: BackingKey } {
  const row = signingRowFor(rec, input.SigningAlgorithm, op);
  checkSigningMessage(row, input.Message, input.MessageType ?? 'RAW');
  const bk = currentMaterial(rec);
  // Only a PendingImport key lacks material, and the key-state rule refused it already.
  if (!bk) throw stateError(rec);
  return { row, bk };
}

// The Message (a sensitive member) is validation's own copy: the runner wipes it once the
// operation has settled, whatever happens (operations/run.ts, util/sensitive-copy.ts).
export async function sign(ctx: OpContext, input: Validated<'Sign'>, rec: KeyRecord): Promise<T.SignResponse> {
  const { row, bk } = prepare(rec, input, 'Sign');
  dryRun(input);
  const Signature = await row.sign(ctx.env, bk, input.Message, input.MessageType ?? 'RAW');
  return { KeyId: rec.arn, Signature, SigningAlgorithm: row.name };
}

export async function verify(ctx: OpContext, input: Validated<'Verify'>, rec: KeyRecord): Promise<T.VerifyResponse> {
  const { row, bk } = prepare(rec, input, 'Verify');
  // DryRun checks permissions and parameters (Developer Guide, "Testing your AWS KMS API
  // calls"); whether the signature verifies is the outcome, not a parameter.
  dryRun(input);
  // API_Verify: "If the signature verification fails, the Verify operation fails with an
  // KMSInvalidSignatureException exception" — never SignatureValid: false, one answer for
  // a malformed, truncated or mismatched signature alike.
  if (!(await row.verify(ctx.env, bk, input.Message, input.MessageType ?? 'RAW', input.Signature))) throw new KMSInvalidSignatureException('');
  return { KeyId: rec.arn, SignatureValid: true, SigningAlgorithm: row.name };
}
