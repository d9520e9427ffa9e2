/**
 * ML-KEM (FIPS 203) key encodings for the ML_KEM_512/768/1024 data key pairs (API_GenerateDataKeyPair:
 * "For ML-KEM data key pairs, the DER-encoded PKCS8 PrivateKeyInfo contains the private key in
 * seed format"), following the IETF LAMPS profile (draft-ietf-lamps-kyber-certificates):
 *
 * - OIDs id-alg-ml-kem-512/768/1024 = 2.16.840.1.101.3.4.4.1/2/3, parameters absent.
 * - SPKI: the raw encapsulation key (800/1184/1568 bytes) in the BIT STRING.
 * - PKCS#8 seed form: `[0] IMPLICIT OCTET STRING (SIZE (64))` = d ‖ z of ML-KEM.KeyGen_internal
 *   (FIPS 203 Alg. 16), so every spec's private key has the same length, as AWS says.
 * @module
 */
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { wipe } from '../util/bytes.js';
import { derBitString, derInteger, derOctetString, derOid, derSequence, derTlv } from './der.js';

export type MlKemLevel = 512 | 768 | 1024;

const KEM = { 512: ml_kem512, 768: ml_kem768, 1024: ml_kem1024 } as const;
const OID: Record<MlKemLevel, string> = { 512: '2.16.840.1.101.3.4.4.1', 768: '2.16.840.1.101.3.4.4.2', 1024: '2.16.840.1.101.3.4.4.3' };

/** An ML-KEM key pair from a 64-byte seed d ‖ z: SPKI and seed-form PKCS#8 DER. */
export function mlKemKeyPairDer(level: MlKemLevel, seed: Uint8Array): { publicKey: Uint8Array; privateKey: Uint8Array } {
  /* Precondition: the seed is d ‖ z, 64 bytes. */
  if (seed.length !== 64) throw new RangeError('ML-KEM: seed must be 64 bytes');
  const { publicKey, secretKey } = KEM[level].keygen(seed);
  wipe(secretKey);
  const alg = derSequence(derOid(OID[level]));
  const choice = derTlv(0x80, seed);
  const wrapped = derOctetString(choice);
  const privateKey = derSequence(derInteger(0n), alg, wrapped);
  wipe(choice, wrapped);
  return { publicKey: derSequence(alg, derBitString(publicKey)), privateKey };
}
