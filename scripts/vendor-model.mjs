// Vendors the full KMS API model: botocore's botocore/data/kms/2014-11-01/service-2.json
// (boto/botocore, commit 0e6e240, Apache-2.0) → model/kms-service-2.json.
//
//   node scripts/vendor-model.mjs <path to upstream service-2.json>
//
// Documentation strings are dropped to keep the file small, except the documentation of the
// request members that identify a key (KeyId, SourceKeyId, DestinationKeyId, TargetKeyId):
// scripts/gen-model.mjs derives from them which identifier forms each operation accepts
// ("Specify the key ID or key ARN of the KMS key" vs "use its key ID, key ARN, alias name, or
// alias ARN"). Nothing else is changed; the output keeps upstream key order (1-space JSON), so
// a re-run on the same upstream file gives the same bytes (the upstream SHA-256 is recorded in
// model/README.md).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = process.argv[2];
if (!src) {
  console.error('usage: node scripts/vendor-model.mjs <upstream service-2.json>');
  process.exit(2);
}
const raw = readFileSync(src);
const model = JSON.parse(raw.toString('utf8'));
const keyMember = (name) => /(^|[a-z])KeyId$/.test(name) && name !== 'XksKeyId' && name !== 'CustomKeyStoreId';
const inputs = new Set(Object.values(model.operations).map((o) => o.input?.shape).filter(Boolean));

function strip(v, keep) {
  if (Array.isArray(v)) return v.map((x) => strip(x, false));
  if (v === null || typeof v !== 'object') return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'documentation' && !keep) continue;
    out[k] = strip(x, false);
  }
  return out;
}
const out = strip(model, false);
for (const name of inputs) {
  const members = model.shapes[name].members ?? {};
  for (const [m, ref] of Object.entries(members)) if (keyMember(m) && ref.documentation) out.shapes[name].members[m].documentation = ref.documentation;
}
writeFileSync(join(root, 'model/kms-service-2.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`wrote model/kms-service-2.json from ${src} (upstream sha256 ${createHash('sha256').update(raw).digest('hex')})`);
