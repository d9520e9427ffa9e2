/**
 * AES Key Wrap (RFC 3394, NIST SP 800-38F KW) and AES Key Wrap with Padding (RFC 5649, SP 800-38F
 * KWP), for the RSA_AES_KEY_WRAP_SHA_1/256 import wrapping algorithms: the Developer Guide
 * ("Step 3: Encrypt the key material") wraps the material with `openssl enc -id-aes256-wrap-pad
 * -iv A65959A6`, i.e. RFC 5649 under an ephemeral 256-bit AES key.
 *
 * Why pure code and not the backend seam: the seam has AES-GCM only, node:crypto's
 * `id-aes*-wrap-pad` and WebCrypto's AES-KW differ (WebCrypto has no KWP at all), and
 * @noble/ciphers ships both `aeskw` and `aeskwp` (constant-time integrity checks, wiping their
 * scratch). This file is the thin typed boundary over them: unwrapping never throws for bad
 * input, it returns `undefined` (one failure, no padding oracle beyond it).
 *
 * Pure JS: no `node:*`, no Buffer.
 * @module
 */
import { aeskw, aeskwp } from '@noble/ciphers/aes.js';

const KEK_LENGTHS: readonly number[] = [16, 24, 32];

/* Precondition: a KEK is an AES-128, AES-192 or AES-256 key. */
function checkKek(kek: Uint8Array): void {
  if (!KEK_LENGTHS.includes(kek.length)) throw new RangeError('AES key-wrap KEK must be 16, 24 or 32 bytes');
}

/** RFC 3394 §2.2.1 wrap: `key` is 16.. bytes, a multiple of 8; returns key length + 8 bytes. */
export function aesKeyWrap(kek: Uint8Array, key: Uint8Array): Uint8Array {
  checkKek(kek);
  /* Precondition: KW wraps at least two 64-bit semiblocks (RFC 3394 §2: n ≥ 2). */
  if (key.length < 16 || key.length % 8 !== 0) throw new RangeError('AES-KW input must be a multiple of 8 bytes, at least 16');
  return aeskw(kek).encrypt(key);
}

/** RFC 3394 §2.2.2 unwrap with the default IV A6A6A6A6A6A6A6A6; undefined for every failure. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | undefined {
  if (!KEK_LENGTHS.includes(kek.length) || wrapped.length < 24 || wrapped.length % 8 !== 0) return undefined;
  try {
    return aeskw(kek).decrypt(wrapped); // noble unwraps into a fresh buffer: the caller wipes it
  } catch {
    return undefined;
  }
}

/** RFC 5649 §4.1 wrap with padding: any key of 1.. bytes; returns ⌈len/8⌉·8 + 8 bytes. */
export function aesKeyWrapPad(kek: Uint8Array, key: Uint8Array): Uint8Array {
  checkKek(kek);
  /* Precondition: KWP wraps at least one byte (RFC 5649 §4: 1 ≤ MLI < 2^32). */
  if (key.length === 0) throw new RangeError('AES-KWP input must not be empty');
  return aeskwp(kek).encrypt(key);
}

/**
 * RFC 5649 §4.2 unwrap with padding (AIV A65959A6 ‖ MLI, zero padding checked); undefined for
 * every failure: bad length, bad AIV, bad MLI, non-zero padding, wrong KEK.
 */
export function aesKeyUnwrapPad(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | undefined {
  if (!KEK_LENGTHS.includes(kek.length) || wrapped.length < 16 || wrapped.length % 8 !== 0) return undefined;
  try {
    return aeskwp(kek).decrypt(wrapped); // fresh buffer, wiped by the caller
  } catch {
    return undefined;
  }
}
