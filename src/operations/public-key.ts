/** GetPublicKey: the DER SubjectPublicKeyInfo of an asymmetric key (API reference, GetPublicKey). */
import { UnsupportedOperationException } from '../errors.js';
import { currentMaterial, type KeyRecord } from '../keys/record.js';
import { stateError } from '../keys/state.js';
import type { Validated } from '../model/api.js';
import type * as T from '../types.js';
import type { OpContext } from './context.js';
import { algorithmLists, keySpecRow } from './spec.js';

export async function getPublicKey(_ctx: OpContext, _input: Validated<'GetPublicKey'>, rec: KeyRecord): Promise<T.GetPublicKeyResponse> {
  const spec = keySpecRow(rec);
  /* Precondition: the key has a public key (asymmetric keys). */
  if (!spec.hasPublicKey) throw new UnsupportedOperationException(`${rec.arn} key usage is ${rec.keyUsage} with key spec ${rec.keySpec}, which has no public key.`);
  const pub = currentMaterial(rec)?.publicKey;
  if (!pub) throw stateError(rec);
  return {
    KeyId: rec.arn,
    PublicKey: new Uint8Array(pub),
    CustomerMasterKeySpec: rec.keySpec as T.CustomerMasterKeySpec,
    KeySpec: rec.keySpec,
    KeyUsage: rec.keyUsage,
    ...algorithmLists(rec),
  };
}
