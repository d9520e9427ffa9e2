/**
 * The field reader of the key-store snapshot (keys/snapshot.ts): typed reads of one JSON object
 * of the document, each failure a ValidationException that names the field and never its value
 * (a snapshot holds key material in the clear), and the ISO 8601 date form the writer uses.
 */
import { ValidationException } from '../errors.js';
import { fromBase64 } from '../util/bytes.js';

/** Dates in a snapshot are ISO 8601 strings. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** Reads a field; every failure names the field, never its value (it may be key material). */
export class Reader {
  constructor(
    private readonly o: Record<string, unknown>,
    private readonly where: string,
  ) {}

  fail(field: string, why: string): never {
    throw new ValidationException(`Invalid key-store snapshot: ${this.where}.${field} ${why}`);
  }

  str(f: string, test?: (s: string) => boolean): string {
    const v = this.o[f];
    if (typeof v !== 'string') this.fail(f, 'must be a string');
    if (test && !test(v)) this.fail(f, 'is malformed');
    return v;
  }

  optStr(f: string): string | undefined {
    return this.o[f] === undefined ? undefined : this.str(f);
  }

  bool(f: string): boolean {
    const v = this.o[f];
    if (typeof v !== 'boolean') this.fail(f, 'must be a boolean');
    return v;
  }

  int(f: string, min: number, max: number): number {
    const v = this.o[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(f, `must be an integer in ${min}..${max}`);
    return v;
  }

  optInt(f: string, min: number, max: number): number | undefined {
    return this.o[f] === undefined ? undefined : this.int(f, min, max);
  }

  date(f: string): number {
    const v = this.str(f);
    const t = Date.parse(v);
    if (!Number.isFinite(t)) this.fail(f, 'must be an ISO 8601 date');
    return t;
  }

  optDate(f: string): number | undefined {
    return this.o[f] === undefined ? undefined : this.date(f);
  }

  bytes(f: string): Uint8Array {
    const b = fromBase64(this.str(f));
    if (!b || b.length === 0) this.fail(f, 'must be non-empty standard base64');
    return b;
  }

  oneOf<T extends string>(f: string, values: readonly T[]): T {
    const v = this.str(f);
    if (!(values as readonly string[]).includes(v)) this.fail(f, `must be one of ${values.join(', ')}`);
    return v as T;
  }
}

export function asObject(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ValidationException(`Invalid key-store snapshot: ${where} must be an object`);
  }
  return v as Record<string, unknown>;
}
