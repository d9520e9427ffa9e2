/**
 * DeriveSharedSecret (API reference): the raw ECDH shared secret of a KEY_AGREEMENT key
 * (ECC_NIST_P256/P384/P521; SM2 in the China Regions) and the other party's public key, "the
 * Elliptic Curve Cryptography Cofactor Diffie-Hellman Primitive (ECDH)" of NIST SP 800-56A
 * rev. 3 §5.7.1.2 with no KDF ("returns the raw shared secret"; the caller derives keys from it).
 *
 * After the runner (key, kms:DeriveSharedSecret with kms:KeyAgreementAlgorithm, key state), in
 * AWS's order: key usage KEY_AGREEMENT (InvalidKeyUsageException), the algorithm against the
 * key spec (InvalidKeyUsageException), the peer's SubjectPublicKeyInfo (the one
 * ValidationException of algorithms/ecdh.ts for a malformed key, a point off the curve or a
 * key of another curve: AWS documents ValidationException for a PublicKey that is not DER SPKI
 * and no other error), DryRun, then the derivation. A Recipient (Nitro Enclaves) is refused
 * before the key lookup, as for Decrypt (table precheck).
 *
 * Ownership of the secret: the backend's output is a fresh buffer that becomes the response's
 * SharedSecret; kms-core keeps no other reference (the private-key object stays cached, the
 * secret does not). A library caller owns what it receives; the protocol adapter zeroes it
 * once the JSON is built (src/protocol/json.ts, wipeSecretOutputs). Every intermediate is
 * wiped where it is made (algorithms/ecdh.ts, the backends).
 */
import { isKeyAgreementKeySpec, keyAgreementAlgorithm, type KeyAgreementAlgorithm } from '../algorithms/ecdh.js';
import { InvalidKeyUsageException } from '../errors.js';
import type { KeyRecord } from '../keys/record.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import { dryRun } from './checks.js';
import type { OpContext } from './context.js';
import { checkListedAlgorithm, checkUsage, keyMaterial, keySpecRow } from './spec.js';

export async function deriveSharedSecret(ctx: OpContext, input: Validated<'DeriveSharedSecret'>, rec: KeyRecord): Promise<T.DeriveSharedSecretResponse> {
  checkUsage(rec, 'KEY_AGREEMENT', 'DeriveSharedSecret');
  checkListedAlgorithm(rec, keySpecRow(rec).keyAgreementAlgorithms, input.KeyAgreementAlgorithm);
  const ka = keyAgreementAlgorithm(input.KeyAgreementAlgorithm) as KeyAgreementAlgorithm;
  const spec = rec.keySpec;
  // A registry row listing ECDH is a key-agreement spec; this only narrows the type.
  if (!isKeyAgreementKeySpec(spec)) throw new InvalidKeyUsageException(`Algorithm ${ka.name} is incompatible with key spec ${spec}.`);
  const peer = ka.peerPublicKey(spec, input.PublicKey);
  const bk = keyMaterial(rec);
  dryRun(input);
  const secret = await ka.derive(ctx.env, bk, peer);
  // API_DeriveSharedSecret response: no KeyMaterialId; KeyOrigin "AWS_KMS and EXTERNAL".
  return { KeyId: rec.arn, SharedSecret: secret, KeyAgreementAlgorithm: ka.name, KeyOrigin: rec.origin };
}
