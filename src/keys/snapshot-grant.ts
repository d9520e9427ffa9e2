/**
 * Grants in the key-store snapshot (keys/snapshot.ts): a key's "Grants" entries, written from and
 * read back into GrantRecord (auth/grants.ts). Read checks the IDs, principals of the key's
 * partition, the grant operations, the token nonces and the two encryption-context constraints.
 */
import { GRANT_OPERATIONS } from '../auth/grants.js';
import { parsePrincipal } from '../auth/principals.js';
import type { GrantConstraintsRecord, GrantRecord } from './record.js';
import { Reader, asObject, iso } from './snapshot-fields.js';

const GRANT_ID = /^[0-9a-f]{64}$/;
const TOKEN_NONCE = /^[0-9a-f]{32}$/;
const GRANT_NAME = /^[a-zA-Z0-9:/_-]{1,256}$/;

export function grantToJson(g: GrantRecord): Record<string, unknown> {
  const o: Record<string, unknown> = { GrantId: g.grantId };
  if (g.name !== undefined) o.Name = g.name;
  o.GranteePrincipal = g.granteePrincipal;
  if (g.retiringPrincipal !== undefined) o.RetiringPrincipal = g.retiringPrincipal;
  o.IssuingAccount = g.issuingAccount;
  o.Operations = [...g.operations];
  if (g.constraints) {
    const c: Record<string, unknown> = {};
    if (g.constraints.encryptionContextEquals) c.EncryptionContextEquals = { ...g.constraints.encryptionContextEquals };
    if (g.constraints.encryptionContextSubset) c.EncryptionContextSubset = { ...g.constraints.encryptionContextSubset };
    o.Constraints = c;
  }
  o.CreationDate = iso(g.creationDate);
  o.GrantTokenNonces = [...g.tokens];
  return o;
}

function contextMap(v: unknown, r: Reader, field: string): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    r.fail(field, 'must be a map of strings');
  }
  return { ...(v as Record<string, string>) };
}

export function grantFromJson(v: unknown, where: string, partition: string): GrantRecord {
  const o = asObject(v, where);
  const r = new Reader(o, where);
  const principal = (s: string) => parsePrincipal(s, partition) !== undefined;
  const g: GrantRecord = {
    grantId: r.str('GrantId', (s) => GRANT_ID.test(s)),
    granteePrincipal: r.str('GranteePrincipal', principal),
    issuingAccount: r.str('IssuingAccount', principal),
    operations: [],
    creationDate: r.date('CreationDate'),
    tokens: [],
  };
  const name = r.optStr('Name');
  if (name !== undefined) {
    if (!GRANT_NAME.test(name)) r.fail('Name', 'is malformed');
    g.name = name;
  }
  const retiring = r.optStr('RetiringPrincipal');
  if (retiring !== undefined) {
    if (!principal(retiring)) r.fail('RetiringPrincipal', 'is malformed');
    g.retiringPrincipal = retiring;
  }
  const ops = o.Operations;
  if (!Array.isArray(ops) || ops.length === 0 || !ops.every((x) => typeof x === 'string' && (GRANT_OPERATIONS as readonly string[]).includes(x))) {
    r.fail('Operations', 'must be a non-empty list of grant operations');
  }
  g.operations = [...(ops as string[])];
  const tokens = o.GrantTokenNonces;
  if (!Array.isArray(tokens) || !tokens.every((x) => typeof x === 'string' && TOKEN_NONCE.test(x))) {
    r.fail('GrantTokenNonces', 'must be a list of 32 lowercase hex characters each');
  }
  g.tokens = [...(tokens as string[])];
  if (o.Constraints !== undefined) {
    const c = asObject(o.Constraints, `${where}.Constraints`);
    const cr = new Reader(c, `${where}.Constraints`);
    const out: GrantConstraintsRecord = {};
    for (const f of Object.keys(c)) if (f !== 'EncryptionContextEquals' && f !== 'EncryptionContextSubset') cr.fail(f, 'is not a grant constraint');
    if (c.EncryptionContextEquals !== undefined) out.encryptionContextEquals = contextMap(c.EncryptionContextEquals, cr, 'EncryptionContextEquals');
    if (c.EncryptionContextSubset !== undefined) out.encryptionContextSubset = contextMap(c.EncryptionContextSubset, cr, 'EncryptionContextSubset');
    if (out.encryptionContextEquals || out.encryptionContextSubset) g.constraints = out;
  }
  return g;
}
