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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(join(root, 'src/model'), { recursive: true });
  writeFileSync(join(root, 'src/model/shapes.ts'), generate());
  console.log('wrote src/model/shapes.ts');
}
