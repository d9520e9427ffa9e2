/**
 * How PostgresKeyStore stores strings PostgreSQL cannot hold. Node only.
 *
 * PostgreSQL text and jsonb cannot hold U+0000 or an unpaired surrogate, which a Description,
 * a tag or an encryption-context pair may contain: in every string (and member name) stored,
 * U+0001 is written U+0001 U+0001, U+0000 is written U+0001 "0", and an unpaired surrogate
 * U+0001 "u" and four hex digits. Other strings are stored as they are.
 *
 * It applies to every string and member name of a key's snapshot JSON on the way in
 * (postgres-rows.ts keyToRows), and unescapeJson undoes it exactly on the way out, so a record
 * reads back as it was written.
 */
import type { Json } from './record-json.js';

const SPECIAL = /[\u0000\u0001\ud800-\udfff]/;
const ESC = '\u0001';

function escapeString(s: string): string {
  if (!SPECIAL.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) out += `${ESC}0`;
    else if (c === 1) out += ESC + ESC;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) out += s.slice(i, ++i + 1);
    else if (c >= 0xd800 && c <= 0xdfff) out += `${ESC}u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return out;
}

function unescapeString(s: string): string {
  if (!s.includes(ESC)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== ESC) {
      out += s[i];
      continue;
    }
    const n = s[++i];
    if (n === '0') out += '\u0000';
    else if (n === 'u') {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += ESC;
  }
  return out;
}

/** Applies `f` to every string and member name of a JSON value. */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (typeof v === 'object' && v !== null) {
    const o: Json = {};
    for (const [k, x] of Object.entries(v)) o[f(k)] = mapStrings(x, f);
    return o;
  }
  return v;
}

/** A snapshot JSON value → the form stored (see the header), and back. */
export const escapeJson = <T>(v: T): T => mapStrings(v, escapeString) as T;
export const unescapeJson = <T>(v: T): T => mapStrings(v, unescapeString) as T;
