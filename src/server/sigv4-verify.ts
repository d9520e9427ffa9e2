/**
 * Verifying AWS Signature Version 4 on incoming requests, as AWS does (IAM User Guide, "Create a
 * signed AWS API request": canonical request → string to sign → signing key → signature). Node
 * only (HMAC-SHA256 and SHA-256 from node:crypto); `kms-core serve --credentials FILE` runs it
 * on every request before the protocol adapter sees it.
 *
 *   const v = verifySigV4(
 *     { method: 'POST', url: '/', headers: [['Host', '127.0.0.1:4599'], …], body },
 *     { service: 'kms', lookup: (akid) => credentials.get(akid), isRegion: (r) => REGION.test(r) },
 *   );
 *   // → { accessKeyId, region, date } or throws an AWS-named KmsError
 *
 * The checks run in the order AWS's JSON services answer them, with AWS's exception names and
 * messages (recorded DynamoDB/Coral responses, as mhart/dynalite reproduces them; KMS runs on the
 * same front end and answers with the same `__type`s, all HTTP 400):
 *
 *   no Authorization header, or not `AWS4-…`  → MissingAuthenticationTokenException
 *   Credential / Signature / SignedHeaders / date missing → IncompleteSignatureException
 *   X-Amz-Date not ISO 8601 basic format     → IncompleteSignatureException
 *   X-Amz-Date more than 5 minutes off       → InvalidSignatureException ("Signature expired: …")
 *   host (and, in kms-core, x-amz-target) not signed → InvalidSignatureException
 *   algorithm other than AWS4-HMAC-SHA256     → IncompleteSignatureException
 *   Credential not 5 slash-separated parts   → IncompleteSignatureException
 *   scope: region, service, terminator, date → InvalidSignatureException
 *   unknown access key ID                    → UnrecognizedClientException
 *   signature differs                        → InvalidSignatureException
 *   session token missing, wrong or unexpected → UnrecognizedClientException
 *
 * The signature is compared in constant time. No secret reaches a message: the secret access key
 * never leaves the signing-key derivation (whose buffers are zeroed), and the canonical request
 * quoted in a signature mismatch has the X-Amz-Security-Token value replaced by `<redacted>`.
 * No RegExp is built from request data.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from '../errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
/** AWS KMS accepts a request whose X-Amz-Date is at most 5 minutes from its clock. */
export const MAX_SKEW_MS = 5 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEX64 = /^[0-9a-f]{64}$/;
/** Longest request-supplied text quoted back in a message. */
const QUOTE_MAX = 512;

/** An HTTP request as the verifier sees it. */
export interface SignedRequest {
  method: string;
  /** The request target as sent: path and query, e.g. `/` or `/?Param1=value1`. */
  url: string;
  /** Header (name, value) pairs in arrival order, duplicates kept (node's `rawHeaders`). */
  headers: readonly (readonly [string, string])[];
  body: Uint8Array;
}

/** What the verifier needs to know about an access key. */
export interface SigningCredential {
  secretAccessKey: string;
  /** When set, requests must carry exactly this X-Amz-Security-Token; when unset, none. */
  sessionToken?: string;
}

export interface VerifyOptions {
  /** The signing name the credential scope must carry, e.g. `kms`. */
  service: string;
  /** The credential of an access key ID, or undefined when it is not known. */
  lookup: (accessKeyId: string) => SigningCredential | undefined;
  /** Whether the credential scope's region is one this endpoint serves. */
  isRegion: (region: string) => boolean;
  /** Header names (lowercase) that must be signed besides `host`; default none. */
  requiredSignedHeaders?: readonly string[];
  /** The clock in epoch milliseconds; default Date.now. */
  now?: () => number;
}

export interface VerifiedRequest {
  accessKeyId: string;
  region: string;
  /** The request's X-Amz-Date. */
  amzDate: string;
}

// ─────────────────────────── the signing algorithm ───────────────────────────

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** RFC 3986 percent-encoding of every byte but the unreserved characters, as SigV4's UriEncode. */
export function uriEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const unreserved =
      (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e;
    out += unreserved ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The canonical URI of a path as sent: dot segments and empty segments removed (services other
 * than S3 normalize the path), then each segment URI-encoded once more, so an already encoded
 * `%20` becomes `%2520` as the SDKs sign it ("Each path segment must be URI-encoded twice").
 */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const trailing = segments.length > 0 && (path.endsWith('/') || path.endsWith('/.') || path.endsWith('/..'));
  return `/${segments.map(uriEncode).join('/')}${trailing ? '/' : ''}`;
}

function decodeLenient(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The canonical query string: each name and value decoded, UriEncoded, sorted by name then value. */
export function canonicalQuery(query: string): string {
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([uriEncode(decodeLenient(name)), uriEncode(decodeLenient(value))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** A header value as signed: trimmed, runs of spaces and tabs collapsed to one space. */
function trimAll(v: string): string {
  let out = '';
  let space = false;
  for (const ch of v.trim()) {
    if (ch === ' ' || ch === '\t') {
      space = true;
      continue;
    }
    if (space && out !== '') out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

/** The sorted, de-duplicated, lowercase list of signed header names. */
export function signedHeaderList(signedHeaders: string): string[] {
  return [...new Set(signedHeaders.split(';').map((h) => h.trim().toLowerCase()).filter((h) => h !== ''))].sort();
}

/**
 * The canonical request (method, canonical URI, canonical query, canonical headers, signed
 * headers, payload hash). Values of a header sent several times are joined with `,` in arrival
 * order; a signed header the request lacks is signed empty.
 */
export function canonicalRequest(req: Pick<SignedRequest, 'method' | 'url' | 'headers'>, signed: readonly string[], payloadHash: string, redact?: ReadonlySet<string>): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const values = new Map<string, string[]>();
  for (const [name, value] of req.headers) {
    const n = name.toLowerCase();
    let list = values.get(n);
    if (!list) values.set(n, (list = []));
    list.push(trimAll(value));
  }
  const lines = signed.map((n) => `${n}:${redact?.has(n) ? '<redacted>' : (values.get(n) ?? []).join(',')}\n`);
  return [req.method.toUpperCase(), canonicalUri(path), canonicalQuery(query), lines.join(''), signed.join(';'), payloadHash].join('\n');
}

/** The scope `YYYYMMDD/region/service/aws4_request`. */
export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/${TERMINATOR}`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

/** HMAC chain kSecret → kDate → kRegion → kService → kSigning; the caller zeroes the result. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const secret = Buffer.from(`AWS4${secretAccessKey}`, 'utf8');
  let k: Buffer = secret;
  try {
    for (const part of [date, region, service, TERMINATOR]) {
      const next = createHmac('sha256', k).update(part, 'utf8').digest();
      k.fill(0);
      k = next;
    }
    return k;
  } finally {
    secret.fill(0);
  }
}

/** The hex signature of a string to sign. */
export function signature(secretAccessKey: string, date: string, region: string, service: string, sts: string): string {
  const key = signingKey(secretAccessKey, date, region, service);
  try {
    return createHmac('sha256', key).update(sts, 'utf8').digest('hex');
  } finally {
    key.fill(0);
  }
}

// ─────────────────────────── verification ───────────────────────────

const quote = (s: string) => (s.length > QUOTE_MAX ? `${s.slice(0, QUOTE_MAX)}…` : s);

function header(req: SignedRequest, name: string): string | undefined {
  for (const [n, v] of req.headers) if (n.toLowerCase() === name) return v;
  return undefined;
}

/** `YYYYMMDDTHHMMSSZ` of an epoch-ms time. */
function basic(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function parseAmzDate(s: string): number | undefined {
  const m = AMZ_DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  // Date.UTC rolls 20150231 over to March: refuse dates that do not round-trip.
  return basic(t) === s ? t : undefined;
}

/** The `Name=value` parameters after the algorithm, split on commas and spaces. */
function authParams(rest: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const token of rest.split(/[\s,]+/)) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    const name = eq < 0 ? token : token.slice(0, eq);
    const value = eq < 0 ? '' : token.slice(eq + 1);
    /* Precondition: each parameter appears once (a second Credential could name another key). */
    if (out.has(name)) throw new IncompleteSignatureException(`Authorization header has more than one '${quote(name)}' parameter.`);
    out.set(name, value);
  }
  return out;
}

/** Verifies the SigV4 `Authorization` header of `req`; throws the AWS exception AWS would answer. */
export function verifySigV4(req: SignedRequest, options: VerifyOptions): VerifiedRequest {
  const authorization = header(req, 'authorization');
  const q = req.url.indexOf('?');
  const queryAuth = q >= 0 && req.url.slice(q + 1).split('&').some((p) => p.startsWith('X-Amz-Algorithm='));
  /* Precondition: the request is signed in one place. */
  if (authorization !== undefined && queryAuth) {
    throw new InvalidSignatureException("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  }
  /* Precondition: the request carries a SigV4 Authorization header. */
  if (authorization === undefined || !authorization.trim().startsWith('AWS4-')) {
    if (queryAuth) throw new IncompleteSignatureException('kms-core verifies SigV4 in the Authorization header only; query-string signing is not supported.');
    throw new MissingAuthenticationTokenException('Request is missing Authentication Token');
  }
  const trimmed = authorization.trim();
  const sp = trimmed.search(/[\s,]/);
  const algorithm = sp < 0 ? trimmed : trimmed.slice(0, sp);
  const params = authParams(sp < 0 ? '' : trimmed.slice(sp));
  const amzDate = header(req, 'x-amz-date') ?? header(req, 'date');

  /* Precondition: Credential, Signature, SignedHeaders and a date are all present. */
  let missing = '';
  for (const p of ['Credential', 'Signature', 'SignedHeaders']) if (!params.get(p)) missing += `Authorization header requires '${p}' parameter. `;
  if (amzDate === undefined) missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (missing) throw new IncompleteSignatureException(`${missing}Authorization=${quote(authorization)}`);
  const credential = params.get('Credential') as string;
  const provided = params.get('Signature') as string;
  const signed = signedHeaderList(params.get('SignedHeaders') as string);

  /* Precondition: the date is ISO 8601 basic format (YYYYMMDD'T'HHMMSS'Z'). */
  const t = parseAmzDate(amzDate as string);
  if (t === undefined) throw new IncompleteSignatureException(`Date must be in ISO-8601 'basic format'. Got '${quote(amzDate as string)}'. See http://en.wikipedia.org/wiki/ISO_8601`);

  /* Precondition: the date is within 5 minutes of the server's clock. */
  const now = (options.now ?? Date.now)();
  if (t < now - MAX_SKEW_MS) {
    throw new InvalidSignatureException(`Signature expired: ${amzDate} is now earlier than ${basic(now - MAX_SKEW_MS)} (${basic(now)} - 5 min.)`);
  }
  if (t > now + MAX_SKEW_MS) {
    throw new InvalidSignatureException(`Signature not yet current: ${amzDate} is still later than ${basic(now + MAX_SKEW_MS)} (${basic(now)} + 5 min.)`);
  }

  /* Precondition: host is a signed header. */
  if (!signed.includes('host')) throw new InvalidSignatureException("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  /* Precondition: the headers that choose the operation are signed too (kms-core: X-Amz-Target). */
  for (const h of options.requiredSignedHeaders ?? []) {
    if (!signed.includes(h)) throw new InvalidSignatureException(`'${h.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase())}' must be a 'SignedHeader' in the AWS Authorization.`);
  }

  /* Precondition: the algorithm is AWS4-HMAC-SHA256. */
  if (algorithm !== ALGORITHM) throw new IncompleteSignatureException(`Unsupported AWS 'algorithm': '${quote(algorithm)}' (only ${ALGORITHM} for now). `);

  /* Precondition: the credential is keyid/date/region/service/aws4_request. */
  const parts = credential.replace(/\/+$/, '').split('/');
  if (parts.length !== 5) {
    throw new IncompleteSignatureException(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${quote(credential)}'`);
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  const scopeErrors: string[] = [];
  if (!options.isRegion(region)) scopeErrors.push(`Credential should be scoped to a valid region, not '${quote(region)}'.`);
  if (service !== options.service) scopeErrors.push(`Credential should be scoped to correct service: '${options.service}'.`);
  if (terminator !== TERMINATOR) scopeErrors.push(`Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${quote(terminator)}'.`);
  const day = (amzDate as string).slice(0, 8);
  if (date !== day) scopeErrors.push(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${quote(date)}' != '${day}', from '${amzDate}'.`);
  /* Precondition: the scope names this endpoint's region, service and the request's day. */
  if (scopeErrors.length) throw new InvalidSignatureException(scopeErrors.join(' '));

  /* Precondition: the access key is one of ours. */
  const cred = options.lookup(accessKeyId);
  if (!cred) throw new UnrecognizedClientException('The security token included in the request is invalid.');

  const payloadHash = sha256Hex(req.body);
  const canonical = canonicalRequest(req, signed, payloadHash);
  const sts = stringToSign(amzDate as string, credentialScope(date, region, service), canonical);
  const expected = signature(cred.secretAccessKey, date, region, service, sts);
  /* Precondition: the signature is the one the secret makes (compared in constant time). */
  if (!HEX64.test(provided) || !timingSafeEqual(Buffer.from(provided, 'latin1'), Buffer.from(expected, 'latin1'))) {
    const shown = canonicalRequest(req, signed, payloadHash, new Set(['x-amz-security-token']));
    throw new InvalidSignatureException(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' +
        `\n\nThe Canonical String for this request should have been\n'${shown}'\n\nThe String-to-Sign should have been\n'${sts}'\n`,
    );
  }

  /* Precondition: the session token is the access key's own (and absent for a long-term key). */
  const token = header(req, 'x-amz-security-token');
  let tokenOk = cred.sessionToken === undefined ? token === undefined : false;
  if (cred.sessionToken !== undefined && token !== undefined) {
    const a = Buffer.from(token, 'utf8');
    const b = Buffer.from(cred.sessionToken, 'utf8');
    tokenOk = a.length === b.length && timingSafeEqual(a, b);
  }
  if (!tokenOk) throw new UnrecognizedClientException('The security token included in the request is invalid');

  return { accessKeyId, region, amzDate: amzDate as string };
}
