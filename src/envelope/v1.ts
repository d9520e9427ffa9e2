/**
 * Envelope v1: seal and open symmetric ciphertext blobs (layout in format.ts, byte by byte in
 * vectors/FORMAT.md). Randomness is drawn in a fixed order, derivation nonce (16 bytes) then IV
 * (12 bytes), so that injected randomness reproduces a blob exactly.
 */
import type { Backend, BackendKey } from '../backend/types.js';
import type { Random } from '../random.js';
import { wipe } from '../util/bytes.js';
import { lastly, andThen, type MaybePromise } from '../util/maybe.js';
import { HEADER_LEN, IV_LEN, NONCE_LEN, OFF_IV, OFF_NONCE, TAG_LEN } from './format.js';
import { deriveDataKey } from './kdf.js';


/**
 * Encrypts `plaintext` under the backing key `hbk`, binding `context` (canonical bytes).
 * `prefix` is bytes 0..56 of the header for that backing key (format.ts keyHeaderPrefix).
 * Synchronous when the backend is (node:crypto); the data key is wiped once the cipher is done
 * either way (util/maybe.ts lastly).
 */
export function sealV1(
  backend: Backend,
  hbk: BackendKey,
  prefix: Uint8Array,
  plaintext: Uint8Array,
  context: Uint8Array,
  random: Random,
): MaybePromise<Uint8Array> {
  const blob = new Uint8Array(HEADER_LEN + plaintext.length + TAG_LEN);
  blob.set(prefix);
  blob.set(random(NONCE_LEN), OFF_NONCE);
  blob.set(random(IV_LEN), OFF_IV);
  return andThen(deriveDataKey(backend, hbk, blob), (dataKey) =>
    lastly(
      // AAD = header ‖ canonical context (vectors/FORMAT.md §3), given in its two parts.
      () => andThen(backend.aesGcmEncrypt(dataKey, blob.subarray(OFF_IV, HEADER_LEN), plaintext, blob.subarray(0, HEADER_LEN), blob.subarray(HEADER_LEN), context), () => blob),
      () => wipe(dataKey),
    ),
  );
}

/**
 * Decrypts a v1 blob whose header the caller has already read (and whose key it resolved).
 * Returns undefined for every failure: the caller turns that into the one
 * InvalidCiphertextException.
 */
export function openV1(backend: Backend, hbk: BackendKey, blob: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array | undefined> {
  return andThen(deriveDataKey(backend, hbk, blob), (dataKey) =>
    lastly(
      () => backend.aesGcmDecrypt(dataKey, blob.subarray(OFF_IV, HEADER_LEN), blob.subarray(HEADER_LEN), blob.subarray(0, HEADER_LEN), context),
      () => wipe(dataKey),
    ),
  );
}
