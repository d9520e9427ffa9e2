/**
 * The credentials file of `kms-core serve --credentials FILE`: who may call the endpoint, with
 * which secret, as which account and principal. Node only (it reads a file).
 *
 *   {
 *     "AKIDALICE": { "secretAccessKey": "…", "principal": "arn:aws:iam::111122223333:user/alice" },
 *     "AKIDOPS":   { "secretAccessKey": "…", "accountId": "444455556666" },
 *     "ASIATEMP":  { "secretAccessKey": "…", "sessionToken": "…",
 *                    "principal": "arn:aws:sts::111122223333:assumed-role/Ops/ci" }
 *   }
 *
 * Each entry: `secretAccessKey` (required), `accountId` (12 digits; default the principal's
 * account, else the server's --account), `principal` (an IAM principal ARN of that account;
 * default the account itself, i.e. its root), `sessionToken` (temporary credentials: requests
 * must carry it as X-Amz-Security-Token). Errors name the file and the entry, never a secret.
 *
 * `verifiedCallers` is the protocol adapter's KmsProvider for such an endpoint: it serves each
 * request — whose access key the HTTP layer has already verified (server/sigv4-verify.ts) — as
 * the account and principal of that key.
 */
import { readFile } from 'node:fs/promises';
import { parsePrincipal } from '../auth/principals.js';
import { UnrecognizedClientException, ValidationException } from '../errors.js';
import type { Kms } from '../kms.js';
import type { RequestScope } from '../protocol/json.js';
import { verifySigV4, type SignedRequest, type SigningCredential } from './sigv4-verify.js';

export interface CredentialEntry extends SigningCredential {
  accessKeyId: string;
  accountId: string;
  /** The IAM principal ARN requests act as; undefined: the account (the Kms's own caller). */
  principal?: string;
}

export type Credentials = ReadonlyMap<string, CredentialEntry>;

const ACCESS_KEY_ID = /^[A-Za-z0-9]{1,128}$/;
const ACCOUNT = /^\d{12}$/;
const FIELDS = new Set(['secretAccessKey', 'accountId', 'principal', 'sessionToken']);

/**
 * Validates a parsed credentials document. `source` names it in errors (a file path);
 * `defaultAccount` is the account of entries that name neither an account nor a principal.
 */
export function parseCredentials(doc: unknown, source: string, defaultAccount: string): Credentials {
  const fail = (where: string, why: string): never => {
    throw new ValidationException(`${source}: ${where} ${why}`);
  };
  /* Precondition: the document is an object of access key ID → entry. */
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('the document', 'must be a JSON object mapping access key IDs to { "secretAccessKey", "accountId"?, "principal"?, "sessionToken"? }');
  const out = new Map<string, CredentialEntry>();
  for (const [akid, v] of Object.entries(doc as Record<string, unknown>)) {
    const where = JSON.stringify(akid.slice(0, 128));
    /* Precondition: access key IDs are 1..128 letters and digits (they appear in the credential scope). */
    if (!ACCESS_KEY_ID.test(akid)) fail(`access key ID ${where}`, 'must be 1 to 128 letters and digits');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'must be an object');
    const e = v as Record<string, unknown>;
    for (const f of Object.keys(e)) if (!FIELDS.has(f)) fail(`${where}.${f.slice(0, 64)}`, 'is not a field (expected secretAccessKey, accountId, principal, sessionToken)');
    /* Precondition: every entry has a non-empty secret. */
    if (typeof e.secretAccessKey !== 'string' || e.secretAccessKey === '') fail(`${where}.secretAccessKey`, 'must be a non-empty string');
    if (e.sessionToken !== undefined && (typeof e.sessionToken !== 'string' || e.sessionToken === '')) fail(`${where}.sessionToken`, 'must be a non-empty string');
    if (e.accountId !== undefined && (typeof e.accountId !== 'string' || !ACCOUNT.test(e.accountId))) fail(`${where}.accountId`, 'must be 12 digits');
    let principal: string | undefined;
    let principalAccount: string | undefined;
    if (e.principal !== undefined) {
      const p = typeof e.principal === 'string' ? parsePrincipal(e.principal) : undefined;
      /* Precondition: the principal is an IAM principal ARN (arn:…:iam::…:root|user/…|role/…, arn:…:sts::…). */
      if (!p || !(e.principal as string).startsWith('arn:')) fail(`${where}.principal`, 'must be an IAM principal ARN (arn:aws:iam::<account>:root|user/…|role/…, arn:aws:sts::<account>:assumed-role/…|federated-user/…)');
      principal = (p as { arn: string }).arn;
      principalAccount = (p as { accountId: string }).accountId;
    }
    const accountId = (e.accountId as string | undefined) ?? principalAccount ?? defaultAccount;
    /* Precondition: the principal belongs to the entry's account. */
    if (principalAccount !== undefined && principalAccount !== accountId) fail(`${where}.principal`, `is in account ${principalAccount}, not in the entry's accountId ${accountId}`);
    const entry: CredentialEntry = { accessKeyId: akid, secretAccessKey: e.secretAccessKey as string, accountId };
    if (principal !== undefined) entry.principal = principal;
    if (e.sessionToken !== undefined) entry.sessionToken = e.sessionToken as string;
    out.set(akid, entry);
  }
  /* Precondition: at least one access key (an empty file would refuse every request). */
  if (out.size === 0) fail('the document', 'names no access key');
  return out;
}

/** Reads and validates a credentials file. */
export async function loadCredentials(path: string, defaultAccount: string): Promise<Credentials> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ValidationException(`${path}: cannot read the credentials file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // The parser's message may quote the file, secrets included.
    throw new ValidationException(`${path}: is not valid JSON`);
  }
  return parseCredentials(doc, path, defaultAccount);
}

/**
 * The KmsProvider of an endpoint with verified credentials: the request's (verified) access key
 * chooses the account's Kms, bound to the key's principal when the entry names one. `kmsFor`
 * gives the Kms of an account and region (the server's per-account cache).
 */
export function verifiedCallers(credentials: Credentials, kmsFor: (scope: RequestScope) => Kms | Promise<Kms>): (scope: RequestScope) => Promise<Kms> {
  return async (scope) => {
    const entry = scope.accessKeyId === undefined ? undefined : credentials.get(scope.accessKeyId);
    /* Precondition: the HTTP layer verified this access key (a request never gets here otherwise). */
    if (!entry) throw new UnrecognizedClientException('The security token included in the request is invalid.');
    const scoped: RequestScope = { accountId: entry.accountId, accessKeyId: entry.accessKeyId };
    if (scope.region !== undefined) scoped.region = scope.region;
    const kms = await kmsFor(scoped);
    return entry.principal === undefined ? kms : kms.as(entry.principal);
  };
}

/**
 * Verifies the SigV4 signature of a request against `credentials` (as AWS KMS checks it, with
 * host and X-Amz-Target signed) and returns its scope: the region of its credential scope, and
 * the account and access key of its (verified) access key.
 */
export function verifyRequest(credentials: Credentials, req: SignedRequest, isRegion: (region: string) => boolean, now?: () => number): Required<Pick<RequestScope, 'accountId' | 'region' | 'accessKeyId'>> {
  const v = verifySigV4(req, {
    service: 'kms',
    lookup: (id) => credentials.get(id),
    isRegion,
    requiredSignedHeaders: ['x-amz-target'],
    ...(now ? { now } : {}),
  });
  return { accountId: (credentials.get(v.accessKeyId) as CredentialEntry).accountId, region: v.region, accessKeyId: v.accessKeyId };
}

/** node's `rawHeaders` ([name, value, name, value, …]) as pairs. */
export function headerPairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}
