/**
 * Import parameters and the ImportToken (GetParametersForImport → ImportKeyMaterial).
 *
 * AWS: "The public key and its import token are permanently linked and must be used together.
 * Each public key and import token set is valid for 24 hours" (API_GetParametersForImport);
 * InvalidImportTokenException: "the provided import token is invalid or is associated with a
 * different KMS key"; ExpiredImportTokenException: "the specified import token is expired"
 * (API model). AWS keeps its token format private, so kms-core defines its own.
 *
 * ## Where the wrapping private key lives
 * In the key record, as one `ImportParameters` entry per GetParametersForImport call
 * (`KeyRecord.importParameters`, persisted by the snapshot like any key material). An entry is
 * removed (and its private key zeroed once the update is stored), when ImportKeyMaterial consumes it (AWS: "You must
 * download and re-encrypt your key material every time you import it", Developer Guide step 2),
 * when it is more than a day past its ParametersValidTo (`pruneImportParameters`), or when more
 * than MAX_IMPORT_PARAMETERS are outstanding (oldest first). A replica in another Region has its
 * own record, so its parameters never serve the primary's import, nor the reverse.
 *
 * ## Token layout (61 bytes, version 1; integers big-endian)
 * | offset | size | field |
 * |---:|---:|---|
 * | 0 | 2 | magic `4B 49` ("KI") |
 * | 2 | 1 | token version `0x01` |
 * | 3 | 1 | WrappingAlgorithm: index in the API model's AlgorithmSpec enum + 1 |
 * | 4 | 1 | WrappingKeySpec: index in the model's WrappingKeySpec enum + 1 |
 * | 5 | 16 | parameter-set ID: names the wrapping key pair in the key record |
 * | 21 | 8 | ParametersValidTo, epoch milliseconds |
 * | 29 | 32 | tag = HMAC-SHA256(wrapping private key (PKCS#8 DER), "kms-core/import-token v1" ‖ 00 ‖ bytes 0..29 ‖ UTF-8(key ARN)) |
 *
 * The tag is keyed by the private key that only kms-core holds, so only kms-core can make a
 * token, and any change to the algorithm, spec, set ID or expiry, or use with another key (the
 * ARN, Region included, is inside the MAC), is InvalidImportTokenException. Expiry is judged
 * only after the tag verifies, so a forged token never gets the "expired" answer.
 *
 * Pure: no backend, no clock of its own (`now` is the Kms clock).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Backend } from '../backend/types.js';
import { WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS, generateWrappingKeyPair, type WrappingAlgorithmSpec, type WrappingKeySpec } from '../algorithms/wrapping.js';
import type { Random } from '../random.js';
import { ExpiredImportTokenException, InvalidImportTokenException } from '../errors.js';
import { equalBytes, fromHex, toHex, utf8, wipe } from '../util/bytes.js';

/** "Each public key and import token set is valid for 24 hours" (API_GetParametersForImport). */
export const IMPORT_PARAMETERS_TTL_MS = 24 * 3_600_000;
/** Outstanding parameter sets kept per key; older ones are dropped (and wiped). */
export const MAX_IMPORT_PARAMETERS = 10;
/** Expired sets are kept this long so their tokens still get ExpiredImportTokenException. */
export const EXPIRED_IMPORT_PARAMETERS_GRACE_MS = 24 * 3_600_000;

export const IMPORT_TOKEN_LEN = 61;
const MAGIC0 = 0x4b;
const MAGIC1 = 0x49;
const TOKEN_VERSION = 0x01;
const BODY_LEN = 29;
const LABEL = utf8('kms-core/import-token v1');

/** One GetParametersForImport result, as the key record keeps it. */
export interface ImportParameters {
  /** 32 lowercase hex: the parameter-set ID carried in the token. */
  id: string;
  wrappingAlgorithm: WrappingAlgorithmSpec;
  wrappingKeySpec: WrappingKeySpec;
  /** PKCS#8 DER of the wrapping private key. Secret: zero it when the entry is dropped. */
  privateKey: Uint8Array;
  /** SubjectPublicKeyInfo DER: the PublicKey of the response. */
  publicKey: Uint8Array;
  /** ParametersValidTo, epoch ms (creation + 24 h). */
  validTo: number;
}

function tagOf(privateKey: Uint8Array, body: Uint8Array, keyArn: string): Uint8Array {
  const arn = utf8(keyArn);
  const msg = new Uint8Array(LABEL.length + 1 + BODY_LEN + arn.length);
  msg.set(LABEL);
  msg.set(body.subarray(0, BODY_LEN), LABEL.length + 1);
  msg.set(arn, LABEL.length + 1 + BODY_LEN);
  return hmac(sha256, privateKey, msg);
}

/** The ImportToken for a parameter set of the key `keyArn`. */
export function sealImportToken(p: ImportParameters, keyArn: string): Uint8Array {
  const id = fromHex(p.id);
  const alg = WRAPPING_ALGORITHMS.indexOf(p.wrappingAlgorithm);
  const spec = WRAPPING_KEY_SPECS.indexOf(p.wrappingKeySpec);
  /* Precondition: a parameter set has a 16-byte ID, a model algorithm and key spec, and a representable ValidTo. */
  if (!id || id.length !== 16 || alg < 0 || spec < 0 || !Number.isSafeInteger(p.validTo) || p.validTo < 0) {
    throw new Error('kms-core: malformed import parameters');
  }
  const token = new Uint8Array(IMPORT_TOKEN_LEN);
  token[0] = MAGIC0;
  token[1] = MAGIC1;
  token[2] = TOKEN_VERSION;
  token[3] = alg + 1;
  token[4] = spec + 1;
  token.set(id, 5);
  new DataView(token.buffer).setBigUint64(21, BigInt(p.validTo));
  token.set(tagOf(p.privateKey, token, keyArn), BODY_LEN);
  return token;
}

const invalidToken = () => new InvalidImportTokenException('The import token is invalid or is associated with a different KMS key.');

/**
 * Finds and checks the parameter set an ImportToken names, for the key `keyArn` at time `now`.
 * Throws InvalidImportTokenException for anything that is not a token kms-core made for this key
 * and one of its outstanding sets (garbage, another key's token, a consumed or dropped set, any
 * altered byte), and ExpiredImportTokenException for a genuine token past its ParametersValidTo.
 */
export function openImportToken(token: Uint8Array, keyArn: string, sets: readonly ImportParameters[] | undefined, now: number): ImportParameters {
  if (token.length !== IMPORT_TOKEN_LEN || token[0] !== MAGIC0 || token[1] !== MAGIC1 || token[2] !== TOKEN_VERSION) throw invalidToken();
  const id = toHex(token.subarray(5, 21));
  const p = sets?.find((s) => s.id === id);
  if (!p) throw invalidToken();
  const expect = tagOf(p.privateKey, token, keyArn);
  const ok = equalBytes(expect, token.subarray(BODY_LEN));
  wipe(expect);
  if (!ok) throw invalidToken();
  // The tag covers these bytes; they must still agree with the record (a record is the truth).
  const validTo = Number(new DataView(token.buffer, token.byteOffset, token.byteLength).getBigUint64(21));
  if (
    WRAPPING_ALGORITHMS[(token[3] as number) - 1] !== p.wrappingAlgorithm ||
    WRAPPING_KEY_SPECS[(token[4] as number) - 1] !== p.wrappingKeySpec ||
    validTo !== p.validTo
  ) {
    throw invalidToken();
  }
  if (now >= p.validTo) {
    throw new ExpiredImportTokenException('The import token is expired. Use GetParametersForImport to get a new import token and public key, use the new public key to encrypt the key material, and then try the request again.');
  }
  return p;
}

/** The outcome of pruning or consuming: the sets to store, and the dropped ones. */
export interface ImportParametersUpdate {
  keep: ImportParameters[];
  /**
   * Zero each dropped set's private key (`wipe(d.privateKey)`) once the record update that
   * removes it is stored: a store may share buffers between copies of a record, so wiping
   * before a failed update would break the stored set.
   */
  dropped: ImportParameters[];
}

/**
 * The sets to keep after adding `fresh` (if any) at time `now`: drops sets expired for more than
 * a day and all but the newest MAX_IMPORT_PARAMETERS.
 */
export function pruneImportParameters(sets: readonly ImportParameters[] | undefined, now: number, fresh?: ImportParameters): ImportParametersUpdate {
  const all = [...(sets ?? []), ...(fresh ? [fresh] : [])];
  const keep: ImportParameters[] = [];
  const dropped: ImportParameters[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const s = all[i] as ImportParameters;
    if (keep.length < MAX_IMPORT_PARAMETERS && now < s.validTo + EXPIRED_IMPORT_PARAMETERS_GRACE_MS) keep.unshift(s);
    else dropped.push(s);
  }
  return { keep, dropped };
}

/** The sets left once `used` was consumed by a successful ImportKeyMaterial. */
export function consumeImportParameters(sets: readonly ImportParameters[] | undefined, used: ImportParameters): ImportParametersUpdate {
  return { keep: (sets ?? []).filter((s) => s.id !== used.id), dropped: [used] };
}

/**
 * Everything GetParametersForImport makes, for a choice the handler has already checked
 * (`checkWrappingChoice`): a fresh wrapping key pair, the parameter set to keep in the key record
 * (`pruneImportParameters(rec.importParameters, now, params)`), and the response.
 */
export async function newImportParameters(
  backend: Backend,
  random: Random,
  args: { keyArn: string; wrappingAlgorithm: WrappingAlgorithmSpec; wrappingKeySpec: WrappingKeySpec; now: number },
): Promise<{ params: ImportParameters; response: { KeyId: string; PublicKey: Uint8Array; ImportToken: Uint8Array; ParametersValidTo: Date } }> {
  const pair = await generateWrappingKeyPair(backend, args.wrappingKeySpec, random);
  const params: ImportParameters = {
    id: toHex(random(16)),
    wrappingAlgorithm: args.wrappingAlgorithm,
    wrappingKeySpec: args.wrappingKeySpec,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    validTo: args.now + IMPORT_PARAMETERS_TTL_MS,
  };
  return {
    params,
    response: { KeyId: args.keyArn, PublicKey: pair.publicKey.slice(), ImportToken: sealImportToken(params, args.keyArn), ParametersValidTo: new Date(params.validTo) },
  };
}
