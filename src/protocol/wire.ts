/**
 * AWS JSON 1.1 value mapping, driven by the KMS API model (src/model/shapes.ts).
 *
 * On the wire a blob is a standard base64 string and a timestamp is a JSON number of epoch
 * seconds (fractions allowed). `fromWire` walks a request's input shape and turns those into
 * the Uint8Array and Date the Kms class takes; a JSON type that cannot be the model's type
 * (a number where a blob is expected, malformed base64, an object where a string is expected)
 * is a SerializationException, as a real endpoint answers. Constraints of the right type
 * (lengths, enums, patterns, required members) are left to validate.ts, which the Kms methods
 * run and which reports them as ValidationException.
 *
 * Messages name the member path and the expected type, never the value: a Plaintext that is
 * not valid base64 is still plaintext.
 */
import { SerializationException } from '../errors.js';
import { SHAPES } from '../model/shapes.js';
import type { Shape } from '../model/types.js';
import { fromBase64, lowerFirst, toBase64 } from '../util/bytes.js';
import { validationError } from '../validate.js';

function shape(name: string): Shape {
  const s = SHAPES[name];
  /* Invariant: the generated model holds every shape it references (names come from the model, never from a request). */
  if (!s) throw new Error(`kms-core: model shape ${name} missing`);
  return s;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

function mismatch(path: string, expected: string, v: unknown): never {
  const at = path === '' ? 'the request body' : `'${path}'`;
  throw new SerializationException(`Cannot deserialize ${at}: expected ${expected}, found ${kind(v)}.`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** AWS's lower-camel member names, computed once per model member (not per request). */
const memberPaths = new Map<string, string>();
function memberPath(path: string, member: string): string {
  let m = memberPaths.get(member);
  if (m === undefined) memberPaths.set(member, (m = lowerFirst(member)));
  return path ? `${path}.${m}` : m;
}

/**
 * The longest base64 text a blob of at most `max` bytes can have: ceil(max / 3) * 4. A longer
 * string is refused before any decoding (issue 12.7: a 100 MB Plaintext used to be decoded
 * — seconds of event loop — only for validation to refuse its length), with the message
 * validation gives a decoded blob over the limit (blobs are never echoed).
 */
function checkEncodedLength(v: string, s: Shape, path: string): void {
  /* Precondition: base64 text no longer than the model's blob max allows. */
  if (s.max !== undefined && v.length > Math.ceil(s.max / 3) * 4) {
    throw validationError([`Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${s.max}`]);
  }
}

/**
 * How blobs travel as text: standard base64 (RFC 4648 §4, padded), strict both ways. The default
 * is the pure implementation of util/bytes.ts; a runtime with a native codec (the Node server)
 * may inject one that accepts and produces exactly the same strings (test/protocol.test.ts
 * checks the Node one against the default on arbitrary input).
 */
export interface Base64Codec {
  /** The bytes of `s`, or undefined when `s` is not canonical padded base64. */
  decode(s: string): Uint8Array | undefined;
  encode(b: Uint8Array): string;
}

export const defaultBase64: Base64Codec = { decode: fromBase64, encode: toBase64 };

/**
 * Converts the JSON value `v` of model shape `name` to the Kms input form. `null` members of a
 * structure are dropped (absent); `null` inside a list or map is kept so that validation
 * reports "Member must not be null". Members the model does not know are ignored.
 */
export function fromWire(v: unknown, name: string, path = '', codec: Base64Codec = defaultBase64): unknown {
  const s = shape(name);
  switch (s.type) {
    case 'structure': {
      if (!isPlainObject(v)) return mismatch(path, 'a structure (JSON object)', v);
      const out: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(s.members ?? {})) {
        if (!Object.prototype.hasOwnProperty.call(v, member)) continue;
        const mv = v[member];
        if (mv === null || mv === undefined) continue;
        out[member] = fromWire(mv, memberShape, memberPath(path, member), codec);
      }
      return out;
    }
    case 'string':
      if (typeof v !== 'string') return mismatch(path, 'a string', v);
      return v;
    case 'blob': {
      if (typeof v !== 'string') return mismatch(path, 'a base64-encoded blob (JSON string)', v);
      checkEncodedLength(v, s, path);
      const b = codec.decode(v);
      if (!b) throw new SerializationException(`Cannot deserialize '${path}': not valid base64 (RFC 4648, padded).`);
      return b;
    }
    case 'integer':
    case 'long':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) return mismatch(path, 'an integer (JSON number)', v);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') return mismatch(path, 'a boolean', v);
      return v;
    case 'timestamp': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return mismatch(path, 'a timestamp (JSON number of epoch seconds)', v);
      const d = new Date(Math.round(v * 1000));
      if (Number.isNaN(d.getTime())) throw new SerializationException(`Cannot deserialize '${path}': timestamp out of range.`);
      return d;
    }
    case 'list': {
      if (!Array.isArray(v)) return mismatch(path, 'a list (JSON array)', v);
      const member = s.member as string;
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        // Strings (GrantTokens, Operations, …) need no conversion: no path is built for them.
        out[i] = x === null ? null : typeof x === 'string' && shape(member).type === 'string' ? x : fromWire(x, member, `${path}.${i + 1}.member`, codec);
      }
      return out;
    }
    case 'map': {
      if (!isPlainObject(v)) return mismatch(path, 'a map (JSON object)', v);
      // A null-prototype object: a key such as "__proto__" is an ordinary map key.
      const out = Object.create(null) as Record<string, unknown>;
      // JSON object keys are strings: a string key shape needs no check (every map of the model has one).
      const keyIsString = shape(s.key as string).type === 'string';
      const valueShape = s.value as string;
      const valueIsString = shape(valueShape).type === 'string';
      for (const k of Object.keys(v)) {
        if (!keyIsString) fromWire(k, s.key as string, `${path}.${k}.key`, codec);
        const x = v[k];
        out[k] = x === null ? null : valueIsString && typeof x === 'string' ? x : fromWire(x, valueShape, `${path}.${k}.value`, codec);
      }
      return out;
    }
  }
}

/**
 * Converts a Kms output to its JSON 1.1 form: Uint8Array → base64, Date → epoch seconds
 * (milliseconds kept as a fraction), undefined members dropped.
 */
export function toWire(v: unknown, codec: Base64Codec = defaultBase64): unknown {
  if (v instanceof Uint8Array) return codec.encode(v);
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map((x) => toWire(x, codec));
  if (isPlainObject(v)) {
    // Null prototype: a map key "__proto__" stays a member (on `{}` it would set the prototype).
    const out = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x !== undefined) out[k] = toWire(x, codec);
    }
    return out;
  }
  return v;
}

/**
 * `JSON.stringify(toWire(v, codec))`, in one walk and without re-scanning blobs: a base64 string
 * (RFC 4648 alphabet and padding, which the codec contract guarantees) never needs a JSON escape,
 * so it is put between quotes as it is. JSON.stringify of a ReEncrypt response spends most of
 * its time scanning the 5.6 KiB base64 of a 4 KiB blob for characters to escape (issue 14:
 * ~15 µs of the adapter's ~60). Everything else is written by JSON.stringify itself, so strings,
 * numbers and keys come out byte for byte as before (test/protocol.wire-json.test.ts).
 */
export function toWireJson(v: unknown, codec: Base64Codec = defaultBase64): string {
  if (v instanceof Uint8Array) return `"${codec.encode(v)}"`;
  if (v instanceof Date) return JSON.stringify(v.getTime() / 1000);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      // JSON.stringify writes an undefined (or function) array element as null.
      out += (i === 0 ? '' : ',') + (x === undefined || typeof x === 'function' ? 'null' : toWireJson(x, codec));
    }
    return `${out}]`;
  }
  if (isPlainObject(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
    let out = '{';
    let first = true;
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      out += `${first ? '' : ','}${JSON.stringify(k)}:${toWireJson(x, codec)}`;
      first = false;
    }
    return `${out}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
