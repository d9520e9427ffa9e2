/**
 * Input validation against the KMS API model (src/model/shapes.ts, generated from
 * model/kms-service-2.json): required members, types, lengths, ranges, enums and patterns, in
 * one place. Violations are collected and reported as AWS JSON services do:
 *
 *   1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must
 *   have length less than or equal to 4096
 *
 * Member paths use AWS's lower-camel names ('keyId', 'grantTokens.1.member'). Values are echoed
 * only for non-sensitive strings and numbers; blobs and `sensitive` shapes never are, so no
 * message can hold plaintext.
 */
import { ValidationException } from './errors.js';
import { OPERATIONS, SHAPES } from './model/shapes.js';
import type { OperationName, Validated } from './model/api.js';
import type { Shape } from './model/types.js';
import { lowerFirst } from './util/bytes.js';

const patternCache = new Map<string, RegExp>();

function regex(pattern: string): RegExp {
  let r = patternCache.get(pattern);
  if (!r) {
    // Smithy patterns are not implicitly anchored: the ones that need anchoring carry ^…$.
    r = new RegExp(pattern);
    patternCache.set(pattern, r);
  }
  return r;
}

function shape(name: string): Shape {
  const s = SHAPES[name];
  /* Precondition: the generated model holds every shape it references. */
  if (!s) throw new Error(`kms-core: model shape ${name} missing`);
  return s;
}

function describe(value: unknown, s: Shape): string {
  if (s.sensitive || s.type === 'blob' || s.type === 'structure' || s.type === 'map') return 'Value';
  if (s.type === 'list' && Array.isArray(value)) return `Value '[${value.map(String).join(', ')}]'`;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return `Value '${String(value)}'`;
  return 'Value';
}

function check(value: unknown, name: string, path: string, out: string[]): void {
  const s = shape(name);
  const at = (constraint: string) => out.push(`${describe(value, s)} at '${path}' failed to satisfy constraint: ${constraint}`);
  switch (s.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
        at('Member must be a structure');
        return;
      }
      const obj = value as Record<string, unknown>;
      for (const [member, memberShape] of Object.entries(s.members ?? {})) {
        const v = obj[member];
        const p = path ? `${path}.${lowerFirst(member)}` : lowerFirst(member);
        if (v === undefined || v === null) {
          if (s.required?.includes(member)) out.push(`Value null at '${p}' failed to satisfy constraint: Member must not be null`);
          continue;
        }
        check(v, memberShape, p, out);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return void at('Member must be a string');
      if (s.enum && !s.enum.includes(value)) return void at(`Member must satisfy enum value set: [${s.enum.join(', ')}]`);
      if (s.min !== undefined && value.length < s.min) at(`Member must have length greater than or equal to ${s.min}`);
      if (s.max !== undefined && value.length > s.max) at(`Member must have length less than or equal to ${s.max}`);
      if (s.pattern !== undefined && !regex(s.pattern).test(value)) at(`Member must satisfy regular expression pattern: ${s.pattern}`);
      return;
    }
    case 'blob': {
      if (!(value instanceof Uint8Array)) return void at('Member must be a blob (Uint8Array)');
      if (s.min !== undefined && value.length < s.min) at(`Member must have length greater than or equal to ${s.min}`);
      if (s.max !== undefined && value.length > s.max) at(`Member must have length less than or equal to ${s.max}`);
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return void at('Member must be an integer');
      if (s.min !== undefined && value < s.min) at(`Member must have value greater than or equal to ${s.min}`);
      if (s.max !== undefined && value > s.max) at(`Member must have value less than or equal to ${s.max}`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') at('Member must be a boolean');
      return;
    case 'timestamp':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) at('Member must be a timestamp (Date)');
      return;
    case 'list': {
      if (!Array.isArray(value)) return void at('Member must be a list');
      if (s.min !== undefined && value.length < s.min) at(`Member must have length greater than or equal to ${s.min}`);
      if (s.max !== undefined && value.length > s.max) at(`Member must have length less than or equal to ${s.max}`);
      value.forEach((v, i) => {
        if (v === undefined || v === null) out.push(`Value null at '${path}.${i + 1}.member' failed to satisfy constraint: Member must not be null`);
        else check(v, s.member as string, `${path}.${i + 1}.member`, out);
      });
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
        return void at('Member must be a map');
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        check(k, s.key as string, `${path}.${k}.key`, out);
        if (v === undefined || v === null) out.push(`Value null at '${path}.${k}.value' failed to satisfy constraint: Member must not be null`);
        else check(v, s.value as string, `${path}.${k}.value`, out);
      }
      return;
    }
  }
}

/** Formats violations exactly as AWS JSON services do. */
export function validationError(violations: readonly string[]): InstanceType<typeof ValidationException> {
  const n = violations.length;
  return new ValidationException(`${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`);
}

/**
 * Validates `input` against the model's request shape of `operation`; throws
 * ValidationException. The result is typed with the operation's required members present.
 */
export function validateInput<Op extends OperationName>(operation: Op, input: unknown): Validated<Op> {
  const op = OPERATIONS[operation];
  /* Precondition: only operations of the model are validated. */
  if (!op) throw new Error(`kms-core: operation ${operation} not in the model`);
  const out: string[] = [];
  const value = input ?? {};
  check(value, op.input, '', out);
  if (out.length) throw validationError(out);
  return value as Validated<Op>;
}

/** A single range violation found by a service-level rule (e.g. PendingWindowInDays 7..30). */
export function rangeViolation(path: string, value: number, min: number, max: number): string | undefined {
  if (value < min) return `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`;
  if (value > max) return `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${max}`;
  return undefined;
}
