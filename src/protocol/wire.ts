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

function shape(name: string): Shape {
  const s = SHAPES[name];
  /* Precondition: the generated model holds every shape it references. */
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

/**
 * Converts the JSON value `v` of model shape `name` to the Kms input form. `null` members of a
 * structure are dropped (absent); `null` inside a list or map is kept so that validation
 * reports "Member must not be null". Members the model does not know are ignored.
 */
export function fromWire(v: unknown, name: string, path = ''): unknown {
  const s = shape(name);
  switch (s.type) {
    case 'structure': {
      if (!isPlainObject(v)) return mismatch(path, 'a structure (JSON object)', v);
      const out: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(s.members ?? {})) {
        if (!Object.prototype.hasOwnProperty.call(v, member)) continue;
        const mv = v[member];
        if (mv === null || mv === undefined) continue;
        out[member] = fromWire(mv, memberShape, path ? `${path}.${lowerFirst(member)}` : lowerFirst(member));
      }
      return out;
    }
    case 'string':
      if (typeof v !== 'string') return mismatch(path, 'a string', v);
      return v;
    case 'blob': {
      if (typeof v !== 'string') return mismatch(path, 'a base64-encoded blob (JSON string)', v);
      const b = fromBase64(v);
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
      return v.map((x, i) => (x === null ? null : fromWire(x, s.member as string, `${path}.${i + 1}.member`)));
    }
    case 'map': {
      if (!isPlainObject(v)) return mismatch(path, 'a map (JSON object)', v);
      // A null-prototype object: a key such as "__proto__" is an ordinary map key.
      const out = Object.create(null) as Record<string, unknown>;
      for (const [k, x] of Object.entries(v)) {
        fromWire(k, s.key as string, `${path}.${k}.key`);
        out[k] = x === null ? null : fromWire(x, s.value as string, `${path}.${k}.value`);
      }
      return out;
    }
  }
}

/**
 * Converts a Kms output to its JSON 1.1 form: Uint8Array → base64, Date → epoch seconds
 * (milliseconds kept as a fraction), undefined members dropped.
 */
export function toWire(v: unknown): unknown {
  if (v instanceof Uint8Array) return toBase64(v);
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(toWire);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toWire(x);
    return out;
  }
  return v;
}
