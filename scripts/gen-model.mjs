// Generates src/model/shapes.ts from model/kms-service-2.json (the full KMS API model, botocore;
// see model/README.md) plus the small supplement below. Only what kms-core reads is kept: the
// input shapes reachable from the operations' requests (they drive validate.ts and the wire
// mapping), each operation's error list, and which key identifier forms each KeyId-like member
// accepts (derived from the member's documentation). Run: node scripts/gen-model.mjs (the
// output is committed; test/model.test.ts checks it is up to date).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const model = JSON.parse(readFileSync(join(root, 'model/kms-service-2.json'), 'utf8'));

// Encapsulate and Decapsulate (ML-KEM) are newer than the botocore file. Transcribed from
// @aws-sdk/client-kms 3.1164.0 (dist-types/commands/EncapsulateCommand.d.ts,
// DecapsulateCommand.d.ts, models/models_0.d.ts, models/enums.d.ts) and the API reference pages
// API_Encapsulate / API_Decapsulate: the two operations, their request shapes, the
// EncapsulationAlgorithmSpec enum, and the enum values the SDK adds to shapes the file has.
// Lengths follow the other operations' shapes of the same kind (KeyIdType, CiphertextType).
export const SUPPLEMENT = {
  operations: {
    Encapsulate: {
      input: 'EncapsulateRequest',
      output: 'EncapsulateResponse',
      errors: ['DependencyTimeoutException', 'DisabledException', 'DryRunOperationException', 'InvalidGrantTokenException', 'InvalidKeyUsageException', 'KeyUnavailableException', 'KMSInternalException', 'KMSInvalidStateException', 'NotFoundException'],
    },
    Decapsulate: {
      input: 'DecapsulateRequest',
      output: 'DecapsulateResponse',
      errors: ['DependencyTimeoutException', 'DisabledException', 'DryRunOperationException', 'InvalidCiphertextException', 'InvalidGrantTokenException', 'InvalidKeyUsageException', 'KeyUnavailableException', 'KMSInternalException', 'KMSInvalidStateException', 'NotFoundException'],
    },
  },
  shapes: {
    EncapsulationAlgorithmSpec: { type: 'string', enum: ['ML_KEM'] },
    EncapsulationAlgorithmSpecList: { type: 'list', member: { shape: 'EncapsulationAlgorithmSpec' } },
    EncapsulateResponse: {
      type: 'structure',
      members: {
        KeyId: { shape: 'KeyIdType' },
        SharedSecret: { shape: 'PlaintextType' },
        SharedSecretCiphertextBlob: { shape: 'CiphertextType' },
        EncapsulationAlgorithm: { shape: 'EncapsulationAlgorithmSpec' },
      },
    },
    DecapsulateResponse: {
      type: 'structure',
      members: { KeyId: { shape: 'KeyIdType' }, SharedSecret: { shape: 'PlaintextType' }, EncapsulationAlgorithm: { shape: 'EncapsulationAlgorithmSpec' } },
    },
    EncapsulateRequest: {
      type: 'structure',
      required: ['KeyId', 'EncapsulationAlgorithm'],
      members: {
        KeyId: { shape: 'KeyIdType', documentation: 'To specify a KMS key, use its key ID, key ARN, alias name, or alias ARN.' },
        EncapsulationAlgorithm: { shape: 'EncapsulationAlgorithmSpec' },
        GrantTokens: { shape: 'GrantTokenList' },
        DryRun: { shape: 'NullableBooleanType' },
      },
    },
    DecapsulateRequest: {
      type: 'structure',
      required: ['KeyId', 'SharedSecretCiphertextBlob', 'EncapsulationAlgorithm'],
      members: {
        KeyId: { shape: 'KeyIdType', documentation: 'To specify a KMS key, use its key ID, key ARN, alias name, or alias ARN.' },
        SharedSecretCiphertextBlob: { shape: 'CiphertextType' },
        EncapsulationAlgorithm: { shape: 'EncapsulationAlgorithmSpec' },
        GrantTokens: { shape: 'GrantTokenList' },
        DryRun: { shape: 'NullableBooleanType' },
      },
    },
  },
  enumValues: {
    KeySpec: ['ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024'],
    DataKeyPairSpec: ['ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024'],
    KeyUsageType: ['ENCAPSULATE_DECAPSULATE'],
    GrantOperation: ['Encapsulate', 'Decapsulate'],
    KeyLastUsageTrackingOperation: ['Encapsulate', 'Decapsulate'],
  },
  members: {
    KeyMetadata: { EncapsulationAlgorithms: { shape: 'EncapsulationAlgorithmSpecList' } },
    GetPublicKeyResponse: { EncapsulationAlgorithms: { shape: 'EncapsulationAlgorithmSpecList' } },
  },
};

function supplemented() {
  const m = structuredClone(model);
  for (const [k, v] of Object.entries(SUPPLEMENT.shapes)) {
    if (m.shapes[k]) throw new Error(`supplement shape ${k} is in the model now: drop it from the supplement`);
    m.shapes[k] = v;
  }
  for (const [k, v] of Object.entries(SUPPLEMENT.operations)) {
    if (m.operations[k]) throw new Error(`supplement operation ${k} is in the model now: drop it from the supplement`);
    m.operations[k] = { name: k, input: { shape: v.input }, output: { shape: v.output }, errors: v.errors.map((shape) => ({ shape })) };
  }
  for (const [k, vals] of Object.entries(SUPPLEMENT.enumValues)) for (const v of vals) if (!m.shapes[k].enum.includes(v)) m.shapes[k].enum.push(v);
  for (const [k, members] of Object.entries(SUPPLEMENT.members)) Object.assign(m.shapes[k].members, members);
  return m;
}

/** Request members that name a key. */
const KEY_MEMBERS = ['KeyId', 'SourceKeyId', 'DestinationKeyId', 'TargetKeyId'];

/**
 * The identifier forms a KeyId-like member accepts, read from its documentation: "Alias names
 * are not supported" or "Specify the key ID or key ARN" without any alias form → key ID and key
 * ARN only (AWS answers an alias there with NotFoundException); "alias name, or alias ARN" → all
 * four. A member whose documentation names no form (GenerateMac, VerifyMac; RetireGrant asks for
 * "the key ARN") keeps all four, except that RetireGrant's grant-bound KeyId never took aliases.
 */
function keyIdForms(op, member, doc) {
  const text = (doc ?? '').replace(/<[^>]+>/g, '');
  const aliasesRefused = /Alias names are not supported/.test(text);
  const aliases = !aliasesRefused && /alias name/i.test(text);
  const ids = /key ID or key ARN|key ID, key ARN/.test(text);
  if (aliases) return 'any';
  if (ids || aliasesRefused) return 'key';
  if (op === 'RetireGrant') return 'key';
  return 'any';
}

export function generate() {
  const m = supplemented();
  const keep = new Map();
  const visit = (name) => {
    if (keep.has(name)) return;
    const s = m.shapes[name];
    if (!s) throw new Error(`shape ${name} missing`);
    const out = { type: s.type };
    for (const k of ['min', 'max', 'pattern', 'enum', 'sensitive', 'required']) if (s[k] !== undefined) out[k] = s[k];
    keep.set(name, out);
    if (s.type === 'structure') {
      out.members = {};
      for (const [mm, ref] of Object.entries(s.members)) {
        out.members[mm] = ref.shape;
        visit(ref.shape);
      }
    } else if (s.type === 'list') {
      out.member = s.member.shape;
      visit(s.member.shape);
    } else if (s.type === 'map') {
      out.key = s.key.shape;
      out.value = s.value.shape;
      visit(s.key.shape);
      visit(s.value.shape);
    }
  };
  const ops = {};
  const names = Object.keys(m.operations).sort();
  for (const name of names) {
    const op = m.operations[name];
    const input = op.input.shape;
    const entry = { input, errors: op.errors.map((e) => e.shape) };
    const forms = {};
    for (const [mm, ref] of Object.entries(m.shapes[input].members ?? {})) if (KEY_MEMBERS.includes(mm)) forms[mm] = keyIdForms(name, mm, ref.documentation);
    if (Object.keys(forms).length) entry.keyIdForms = forms;
    ops[name] = entry;
    visit(input);
  }
  // Shapes the adapter needs beyond the inputs: none today (outputs are written as they are).
  const shapes = Object.fromEntries([...keep.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `// Generated by scripts/gen-model.mjs from model/kms-service-2.json (KMS API ${m.metadata.apiVersion}, ${names.length} operations)
// and the supplement in that script. Do not edit by hand.
import type { OperationModel, Shape } from './types.js';

export const OPERATIONS: Readonly<Record<string, OperationModel>> = ${JSON.stringify(ops)};

export const SHAPES: Readonly<Record<string, Shape>> = ${JSON.stringify(shapes)};
`;
}

/**
 * TypeScript types of every request and response of the model, with the conventions of
 * @aws-sdk/client-kms: blobs are Uint8Array, timestamps Date, enums string-literal unions;
 * required request members are `T | undefined` (present in the type, checked at run time by
 * validate.ts), everything else optional. `Validated<'Encrypt'>` is what validateInput returns:
 * the same shape with the required members narrowed to defined values.
 */
export function generateTypes() {
  const m = supplemented();
  const names = Object.keys(m.operations).sort();
  const seen = new Set();
  const order = [];
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const s = m.shapes[name];
    if (!s) throw new Error(`shape ${name} missing`);
    if (s.type === 'structure') for (const ref of Object.values(s.members)) visit(ref.shape);
    if (s.type === 'list') visit(s.member.shape);
    if (s.type === 'map') {
      visit(s.key.shape);
      visit(s.value.shape);
    }
    order.push(name);
  };
  for (const n of names) visit(m.operations[n].input.shape);
  // Structures reachable from a request take SDK objects, whose required members are typed
  // `T | undefined`; the others are kms-core's answers, whose required members are always set.
  const inputShapes = new Set(seen);
  for (const n of names) if (m.operations[n].output) visit(m.operations[n].output.shape);
  const ref = (name) => {
    const s = m.shapes[name];
    switch (s.type) {
      case 'structure':
        return name;
      case 'string':
        return s.enum ? name : 'string';
      case 'blob':
        return 'Uint8Array';
      case 'integer':
      case 'long':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'timestamp':
        return 'Date';
      case 'list':
        return `${ref(s.member.shape)}[]`;
      case 'map':
        return `Record<${ref(s.key.shape)}, ${ref(s.value.shape)}>`;
      default:
        throw new Error(`type of ${name}`);
    }
  };
  const out = [];
  for (const name of order.sort()) {
    const s = m.shapes[name];
    if (s.type === 'string' && s.enum) out.push(`export type ${name} = ${s.enum.map((v) => JSON.stringify(v)).join(' | ')};`);
    if (s.type !== 'structure') continue;
    const required = new Set(s.required ?? []);
    const req = (t) => (inputShapes.has(name) ? `${t} | undefined` : t);
    const lines = Object.entries(s.members).map(([mm, r]) => (required.has(mm) ? `  ${mm}: ${req(ref(r.shape))};` : `  ${mm}?: ${ref(r.shape)} | undefined;`));
    out.push(lines.length ? `export interface ${name} {\n${lines.join('\n')}\n}` : `export interface ${name} {}`);
  }
  const ops = names.map((n) => {
    const o = m.operations[n];
    const req = m.shapes[o.input.shape].required ?? [];
    return `  ${n}: { input: ${o.input.shape}; output: ${o.output ? o.output.shape : 'Record<string, never>'}; required: ${req.length ? req.map((r) => JSON.stringify(r)).join(' | ') : 'never'} };`;
  });
  return `// Generated by scripts/gen-model.mjs from model/kms-service-2.json and its supplement. Do not edit by hand.
/* eslint-disable */

${out.join('\n\n')}

/** Every operation of the model: its request and response types and its required request members. */
export interface Operations {
${ops.join('\n')}
}

export type OperationName = keyof Operations;
export type OperationInput<Op extends OperationName> = Operations[Op]['input'];
export type OperationOutput<Op extends OperationName> = Operations[Op]['output'];

/** A request after validation: the required members are present. */
export type Validated<Op extends OperationName> = Omit<OperationInput<Op>, Operations[Op]['required']> & {
  [K in Operations[Op]['required'] & keyof OperationInput<Op>]-?: Exclude<OperationInput<Op>[K], undefined>;
};
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(join(root, 'src/model'), { recursive: true });
  writeFileSync(join(root, 'src/model/shapes.ts'), generate());
  writeFileSync(join(root, 'src/model/api.ts'), generateTypes());
  console.log('wrote src/model/shapes.ts and src/model/api.ts');
}
