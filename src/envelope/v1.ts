/**
 * Envelope v1: seal and open symmetric ciphertext blobs (layout in format.ts, byte by byte in
 * vectors/FORMAT.md). Randomness is drawn in a fixed order, derivation nonce (16 bytes) then IV
 * (12 bytes), so that injected randomness reproduces a blob exactly.
 */
import type { Backend, BackendKey } from '../backend/types.js';
import type { Random } from '../random.js';
import { wipe } from '../util/bytes.js';
import { andThenWith, lastlyWith, valueAfter, type MaybePromise } from '../util/maybe.js';
import { HEADER_LEN, IV_LEN, NONCE_LEN, OFF_IV, OFF_NONCE, TAG_LEN } from './format.js';
import { deriveDataKey } from './kdf.js';


/**
 * Encrypts `plaintext` under the backing key `hbk`, binding `context` (canonical bytes).
 * `prefix` is bytes 0..56 of the header for that backing key (format.ts keyHeaderPrefix).
 * Synchronous when the backend is (node:crypto); the data key is wiped once the cipher is done
 * either way.
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
  // Continued by a plain function, not a closure: a closure here would make V8 allocate a
  // context for these variables on every call, synchronous or not (util/maybe.ts andThenWith).
  return andThenWith(deriveDataKey(backend, hbk, blob), sealUnder, backend, blob, plaintext, context);
}

/**
 * The AES-GCM half of sealV1: encrypts into `blob`, then wipes the data key once the backend has
 * settled. Written without closures (util/maybe.ts lastlyWith, valueAfter): on node:crypto a
 * seal allocates no closure or context, only the blob, its views, the data key and node's own
 * objects (issue 14).
 */
function sealUnder(dataKey: Uint8Array, backend: Backend, blob: Uint8Array, plaintext: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array> {
  return valueAfter(lastlyWith(wipe, dataKey, encryptInto, backend, dataKey, blob, plaintext, context), blob);
}

function encryptInto(backend: Backend, dataKey: Uint8Array, blob: Uint8Array, plaintext: Uint8Array, context: Uint8Array): MaybePromise<unknown> {
  // AAD = header ‖ canonical context (vectors/FORMAT.md §3), given in its two parts.
  return backend.aesGcmEncrypt(dataKey, blob.subarray(OFF_IV, HEADER_LEN), plaintext, blob.subarray(0, HEADER_LEN), blob.subarray(HEADER_LEN), context);
}

/**
 * Decrypts a v1 blob whose header the caller has already read (and whose key it resolved).
 * Returns undefined for every failure: the caller turns that into the one
 * InvalidCiphertextException.
 */
export function openV1(backend: Backend, hbk: BackendKey, blob: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array | undefined> {
  return andThenWith(deriveDataKey(backend, hbk, blob), openUnder, backend, blob, context);
}

/** The AES-GCM half of openV1; the data key is wiped once the backend has settled (as sealUnder). */
function openUnder(dataKey: Uint8Array, backend: Backend, blob: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array | undefined> {
  return lastlyWith(wipe, dataKey, decryptFrom, backend, dataKey, blob, context);
}

function decryptFrom(backend: Backend, dataKey: Uint8Array, blob: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array | undefined> {
  return backend.aesGcmDecrypt(dataKey, blob.subarray(OFF_IV, HEADER_LEN), blob.subarray(HEADER_LEN), blob.subarray(0, HEADER_LEN), context);
}
