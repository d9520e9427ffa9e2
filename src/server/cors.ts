/**
 * CORS for `kms-core serve`: the answers a browser needs before the AWS SDK in a page may call
 * the endpoint, shaped as AWS KMS answers them. Node only by placement; no node:* import.
 *
 * AWS KMS's answer to a preflight (`OPTIONS /` with Origin, Access-Control-Request-Method: POST
 * and the SDK's Access-Control-Request-Headers), as recorded against kms.us-east-1.amazonaws.com
 * (AllanZhengYP/cors-test output.md, the survey the AWS SDK for JavaScript v3 team ran before
 * sending retry headers from browsers; aws-sdk-js-v3 PRs #1789, #1934, #2041):
 *
 *   HTTP/1.1 200 OK
 *   Access-Control-Allow-Origin: *
 *   Access-Control-Allow-Headers: <the requested headers, echoed>
 *   Access-Control-Allow-Methods: POST
 *   Access-Control-Expose-Headers: x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date
 *   Access-Control-Max-Age: 172800
 *   Cache-Control: no-cache, no-store, must-revalidate, private   Expires: 0   Pragma: no-cache
 *
 * kms-core answers the same, with two differences. The allowed headers are always an explicit
 * list (the requested ones, each a valid header name, or the SDK's set when none are requested):
 * the Fetch standard's `*` wildcard never covers Authorization, which every SDK call carries. And
 * the allowed origin is the request's Origin only when `--allow-origin` admits it (default: any
 * page served from the loopback interface), with `Vary: Origin`; `*` is sent only when the
 * operator asked for any origin. A request from an origin that is not admitted is refused with
 * 403 before it reaches KMS, which also stops DNS-rebinding pages (their Origin is their own
 * host name) from driving a local endpoint that does not verify signatures.
 *
 * Exposed headers: the SDK reads x-amzn-RequestId (request IDs, `$metadata.requestId`),
 * x-amzn-ErrorType (error names when the body has none) and Date (clock-skew correction).
 */

/** A token of RFC 9110 field names: the only characters an echoed header name may hold. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The headers the AWS SDK for JavaScript sends on a KMS call from a browser. */
export const SDK_REQUEST_HEADERS: readonly string[] = [
  'authorization',
  'content-type',
  'x-amz-content-sha256',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-target',
  'x-amz-user-agent',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
];
export const EXPOSE_HEADERS = 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date';
const MAX_AGE = '172800';

/** `--allow-origin` values: an origin (`http://localhost:3000`), `loopback`, or `*`. */
export type AllowOrigin = string;

/** Whether `origin` is a page served from this machine: localhost, *.localhost, 127/8, [::1]. */
export function isLoopbackOrigin(origin: string): boolean {
  const u = parseOrigin(origin);
  if (!u) return false;
  const h = u.hostname;
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || IPV4_LOOPBACK.test(h);
}

/** The URL of a serialized http(s) origin (scheme://host[:port], nothing more), else undefined. */
function parseOrigin(origin: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return u.origin === origin ? u : undefined;
}

export type CorsAnswer =
  /** No Origin header: not a browser's cross-origin request; nothing to add. */
  | { kind: 'none' }
  | { kind: 'allowed'; headers: Record<string, string> }
  | { kind: 'refused'; message: string };

export interface Preflight {
  status: number;
  headers: Record<string, string>;
  /** Why the preflight was refused (status 403), for the error body. */
  refusal?: string;
}

export interface CorsPolicy {
  /** What to add to (or whether to refuse) an ordinary request with this Origin header. */
  check(origin: string | undefined): CorsAnswer;
  /**
   * The answer to a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method), or
   * undefined when the request is not one.
   */
  preflight(method: string | undefined, headers: Readonly<Record<string, string | string[] | undefined>>): Preflight | undefined;
}

/**
 * The policy for a list of `--allow-origin` values. Throws a plain Error naming the bad value
 * (the CLI and startServer turn it into their own errors).
 */
export function corsPolicy(allow: readonly AllowOrigin[]): CorsPolicy {
  let any = false;
  let loopback = false;
  const exact = new Set<string>();
  for (const a of allow) {
    if (a === '*') any = true;
    else if (a === 'loopback') loopback = true;
    else {
      const u = parseOrigin(a.replace(/\/$/, ''));
      /* Precondition: each allowed origin is scheme://host[:port] (http or https). */
      if (!u) throw new Error(`--allow-origin takes 'loopback', '*' or an origin such as http://localhost:3000, not '${a.slice(0, 200)}'`);
      exact.add(u.origin);
    }
  }

  const admits = (origin: string) => any || exact.has(origin) || (loopback && isLoopbackOrigin(origin));
  const allowOriginHeaders = (origin: string): Record<string, string> =>
    any && !exact.has(origin) && !(loopback && isLoopbackOrigin(origin)) ? { 'access-control-allow-origin': '*' } : { 'access-control-allow-origin': origin, vary: 'Origin' };

  function check(origin: string | undefined): CorsAnswer {
    if (origin === undefined) return { kind: 'none' };
    if (!admits(origin)) return { kind: 'refused', message: refusal(origin) };
    return { kind: 'allowed', headers: { ...allowOriginHeaders(origin), 'access-control-expose-headers': EXPOSE_HEADERS } };
  }

  function refusal(origin: string): string {
    return `Origin '${origin.slice(0, 200)}' is not allowed by this endpoint (kms-core serve --allow-origin; default: pages on the loopback interface only).`;
  }

  function preflight(method: string | undefined, headers: Readonly<Record<string, string | string[] | undefined>>): Preflight | undefined {
    const origin = headers.origin;
    const requested = headers['access-control-request-method'];
    if (method !== 'OPTIONS' || typeof origin !== 'string' || typeof requested !== 'string') return undefined;
    const base = { 'cache-control': 'no-cache, no-store, must-revalidate, private', expires: '0', pragma: 'no-cache' };
    /* Precondition: the page's origin is admitted by --allow-origin. */
    if (!admits(origin)) return { status: 403, headers: base, refusal: refusal(origin) };
    const asked = headers['access-control-request-headers'];
    const names = typeof asked === 'string' ? asked.split(',').map((h) => h.trim()).filter((h) => h !== '') : [];
    /* Precondition: every requested header is a header name (it is echoed back). */
    if (names.some((h) => !FIELD_NAME.test(h))) return { status: 403, headers: base, refusal: 'Access-Control-Request-Headers holds something that is not a header name.' };
    const out: Record<string, string> = {
      ...base,
      ...allowOriginHeaders(origin),
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': (names.length ? names : SDK_REQUEST_HEADERS).join(','),
      'access-control-expose-headers': EXPOSE_HEADERS,
      'access-control-max-age': MAX_AGE,
    };
    // Chromium's Private Network Access: a public page asking to reach this (loopback) server.
    if (headers['access-control-request-private-network'] === 'true') out['access-control-allow-private-network'] = 'true';
    return { status: 200, headers: out };
  }

  return { check, preflight };
}
