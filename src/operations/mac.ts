/**
 * GenerateMac, VerifyMac (API reference, each page): the HMAC of a message under an HMAC KMS
 * key (HMAC_224/256/384/512, KeyUsage GENERATE_VERIFY_MAC), one MacAlgorithm per key spec
 * (Developer Guide, "HMAC keys in AWS KMS": "The length of the key determines the MAC
 * algorithm"). The runner has resolved the key, authorized kms:GenerateMac / kms:VerifyMac with
 * the kms:MacAlgorithm condition key and checked its state; the checks here follow in AWS's
 * order: key usage (InvalidKeyUsageException), algorithm for the key spec
 * (InvalidKeyUsageException), DryRun. The message (PlaintextType, 1..4096 bytes, sensitive) is
 * validation's copy, wiped by the runner once the operation has settled (operations/run.ts).
 * The MAC is not secret (API_GenerateMac: "Mac").
 */
import { macAlgorithm, generateMac as hmacOf, verifyMac as hmacVerifies } from '../algorithms/mac.js';
import type { MacAlgorithm } from '../algorithms/mac.js';
import { KMSInvalidMacException } from '../errors.js';
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { dryRun } from './checks.js';
import type { OpContext } from './context.js';
import { checkListedAlgorithm, checkUsage, keyMaterial, keySpecRow } from './spec.js';

type MacOp = 'GenerateMac' | 'VerifyMac';

/** Usage, then the algorithm against the key spec's MacAlgorithms (API_GenerateMac: InvalidKeyUsageException). */
function macAlgorithmFor(rec: KeyRecord, name: string, op: MacOp): MacAlgorithm {
  checkUsage(rec, 'GENERATE_VERIFY_MAC', op);
  checkListedAlgorithm(rec, keySpecRow(rec).macAlgorithms, name);
  return macAlgorithm(name) as MacAlgorithm;
}

export async function generateMac(ctx: OpContext, input: Validated<'GenerateMac'>, rec: KeyRecord): Promise<T.GenerateMacResponse> {
  const alg = macAlgorithmFor(rec, input.MacAlgorithm, 'GenerateMac');
  const bk = keyMaterial(rec);
  dryRun(input);
  return { Mac: await hmacOf(ctx.env, alg, bk, input.Message), MacAlgorithm: alg.name, KeyId: rec.arn };
}

/**
 * VerifyMac: `MacValid: true`, or KMSInvalidMacException (API_VerifyMac: "If the HMAC is not
 * verified, the VerifyMac operation fails with a KMSInvalidMacException"); the comparison is
 * constant-time over the digest (algorithms/mac.ts), a MAC of another length simply invalid.
 */
export async function verifyMac(ctx: OpContext, input: Validated<'VerifyMac'>, rec: KeyRecord): Promise<T.VerifyMacResponse> {
  const alg = macAlgorithmFor(rec, input.MacAlgorithm, 'VerifyMac');
  const bk = keyMaterial(rec);
  dryRun(input);
  /* Precondition: the MAC is the HMAC of the message under the key (KMSInvalidMacException). */
  if (!(await hmacVerifies(ctx.env, alg, bk, input.Message, input.Mac))) throw new KMSInvalidMacException('');
  return { KeyId: rec.arn, MacValid: true, MacAlgorithm: alg.name };
}
