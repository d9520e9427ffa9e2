/**
 * Data-key derivation (vectors/FORMAT.md §2): NIST SP 800-108r1 §4.1, KDF in counter mode with
 * PRF = HMAC-SHA256 keyed by the backing key (HBK), r = 32, L = 256 (one PRF block):
 *
 *   K = HMAC-SHA256(HBK, [1]_32 ‖ Label ‖ 0x00 ‖ Context ‖ [256]_32)
 *   Label   = ASCII "kms-core/v1 data key"
 *   Context = blob bytes 0..72 (magic, version, key reference, KeyMaterialId, derivation nonce)
 *
 * Binding the whole key reference and the nonce into Context makes every call's data key
 * unique to that key, that backing-key version and that nonce.
 */
import type { Backend, BackendKey } from '../backend/types.js';
import { utf8 } from '../util/bytes.js';
import { isPending, type MaybePromise } from '../util/maybe.js';
import { counterModeInput } from './sp800-108.js';

export const KDF_LABEL = utf8('kms-core/v1 data key');
export const KDF_CONTEXT_LEN = 72;

/** The PRF input for one derivation; `context` is the first 72 bytes of the blob. L = 256. */
export function kdfInput(context: Uint8Array): Uint8Array {
  return counterModeInput(KDF_LABEL, context, KDF_CONTEXT_LEN, 256);
}

/** Counter, Label, separator and L: everything but Context (zero until written). */
function fixedPart(): Uint8Array {
  return counterModeInput(KDF_LABEL, new Uint8Array(0), KDF_CONTEXT_LEN, 256);
}

function writeContext(input: Uint8Array, context: Uint8Array): Uint8Array {
  input.set(context.subarray(0, KDF_CONTEXT_LEN), 5 + KDF_LABEL.length);
  return input;
}

/**
 * One PRF input buffer reused by derivations (issue 14), free while no derivation holds it. Its
 * bytes are public (header bytes and constants), never key material; it never reaches a caller.
 * A derivation that finds it taken (another one's asynchronous backend still running) makes its
 * own, and the buffer is handed back only once the backend's answer has settled.
 */
let scratch: Uint8Array | undefined = fixedPart();

/** The 32-byte AES-256 data key. The caller wipes it after use. */
export function deriveDataKey(backend: Backend, hbk: BackendKey, context: Uint8Array): MaybePromise<Uint8Array> {
  const input = writeContext(scratch ?? fixedPart(), context);
  scratch = undefined;
  let key: MaybePromise<Uint8Array>;
  try {
    key = backend.hmacSha256(hbk, input);
  } catch (e) {
    scratch = input;
    throw e;
  }
  if (!isPending(key)) {
    scratch = input;
    return key;
  }
  return Promise.resolve(key).finally(() => {
    scratch = input;
  });
}
