/**
 * Buffer's native base64, as strict as the protocol adapter's own codec (src/util/bytes.ts):
 * Buffer.from(s, 'base64') accepts anything (it skips invalid characters and missing padding),
 * so a decode counts only when encoding the result gives `s` back — exactly the canonical,
 * padded RFC 4648 strings the pure decoder accepts. Both directions are native; the check is one
 * native encode and a string compare. Node only (src/server/).
 */
import type { Base64Codec } from '../protocol/wire.js';

export const nodeBase64: Base64Codec = {
  decode(s) {
    // Into a buffer of its own (Buffer.from would use Node's shared pool, where decoded
    // plaintext could outlive the request): the adapter wipes it after the call.
    const out = new Uint8Array(Buffer.byteLength(s, 'base64'));
    const b = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    const n = b.write(s, 'base64');
    /* Precondition: only canonical padded base64 decodes (the encoding round trip is the check). */
    if (n !== out.length || b.toString('base64') !== s) {
      out.fill(0);
      return undefined;
    }
    return out;
  },
  encode(b) {
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  },
};
