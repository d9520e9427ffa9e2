/**
 * The AWS JSON 1.1 protocol of KMS (`TrentService`), as a pure function any HTTP layer can call:
 *
 *   const { handle } = createProtocolHandler({ kms });
 *   const res = await handle(req.headers['x-amz-target'], body, { accountId, region });
 *   // → { status, headers, body }: write them back as they are.
 *
 * Requests are `POST /` with `X-Amz-Target: TrentService.<Operation>` and a JSON body whose
 * blobs are base64 strings and whose timestamps are epoch seconds; responses are the same.
 * Errors are HTTP 400 (500 for exceptions whose `$fault` is 'server') with the body
 * `{"__type": "<Exception>", "message": "…"}` (no `message` when it is empty, as AWS), which the AWS SDKs and CLI map onto their
 * exception classes. An operation outside the KMS API model is UnknownOperationException; a
 * body that is not JSON, or whose JSON types do not fit the model's input shape, is
 * SerializationException; an operation of the model that kms-core does not implement is
 * UnsupportedOperationException.
 *
 * Every operation of the model is known here: the ones kms-core implements
 * (src/operations/implemented.ts) are routed to the Kms method of the same camelCase name; the
 * others answer UnsupportedOperationException naming the operation. UnknownOperationException is
 * kept for targets that are not KMS operations at all.
 *
 * No `node:*` import: this runs in browsers, workers and edge runtimes.
 */
import { KMSInternalException, KmsError, SerializationException, UnknownOperationException, UnsupportedOperationException } from '../errors.js';
import { contextOf, type Kms } from '../kms.js';
import { OPERATIONS } from '../model/shapes.js';
import { notImplementedMessage } from '../operations/implemented.js';
import { runOperation } from '../operations/run.js';
import { IMPLEMENTED_OPERATIONS, operationRow } from '../operations/table.js';
import { fromUtf8, lowerFirst, toHex, wipe } from '../util/bytes.js';
import { pooledRandom } from '../random.js';
import { defaultBase64, fromWire, toWireJson, type Base64Codec } from './wire.js';

export const TARGET_PREFIX = 'TrentService.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Who is calling and where, as the HTTP layer learned it (e.g. from the SigV4 credential scope). */
export interface RequestScope {
  accountId?: string;
  region?: string;
  accessKeyId?: string;
}

/** One Kms for every request, or a factory choosing one per account and region. */
export type KmsProvider = Kms | ((scope: RequestScope) => Kms | Promise<Kms>);

export interface ProtocolHandlerOptions {
  kms: KmsProvider;
  /** The `x-amzn-RequestId` of each response; default a random UUID. */
  requestId?: () => string;
  /**
   * The base64 codec of blobs; default the pure one. A runtime with a native codec may pass one
   * that accepts exactly what the default accepts (strict, padded RFC 4648): the Node server
   * passes Buffer's (src/server/base64.ts).
   */
  base64?: Base64Codec;
}

export interface ProtocolResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ProtocolHandler {
  /**
   * Serves one request. `target` is the X-Amz-Target header, `body` the request body (JSON
   * text or its UTF-8 bytes). Never rejects: every failure is an AWS error response.
   */
  handle(target: string | null | undefined, body: string | Uint8Array | null | undefined, scope?: RequestScope): Promise<ProtocolResponse>;
}


/** Random bytes for request IDs: one getRandomValues call per 256 IDs (they are not secrets). */
const idRandom = pooledRandom();

/** A random version-4 UUID, as AWS request IDs look. */
export function randomRequestId(): string {
  const b = idRandom(16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function respond(status: number, body: unknown, requestId: string): ProtocolResponse {
  return respondText(status, JSON.stringify(body), requestId);
}

function respondText(status: number, body: string, requestId: string): ProtocolResponse {
  return { status, headers: { 'content-type': CONTENT_TYPE, 'x-amzn-RequestId': requestId }, body };
}

/**
 * The AWS JSON 1.1 error response for `error`: its AWS name as `__type`, 400 for client faults,
 * 500 for server faults. Anything that is not a KmsError becomes KMSInternalException with a
 * generic message (its own message might hold anything). An empty message is omitted, as AWS
 * omits it: InvalidCiphertextException, and UnsupportedOperationException for RotateKeyOnDemand
 * on an asymmetric key, come back with no `message` member (AWS-recorded responses, LocalStack's
 * AWS-validated snapshots: "Message": "" in botocore's parse, no `message` field in the body).
 * The AWS SDKs then show an empty or absent message, as they do against AWS (issue 12.8).
 */
export function errorResponse(error: unknown, requestId: string = randomRequestId()): ProtocolResponse {
  const e = error instanceof KmsError ? error : new KMSInternalException('An internal error occurred.');
  const body: { __type: string; message?: string } = { __type: e.name };
  if (typeof e.message === 'string' && e.message !== '') body.message = e.message;
  return respond(e.$fault === 'server' ? 500 : 400, body, requestId);
}

/** The operations of the model that kms-core implements, i.e. the targets a handler routes. */
export function routedOperations(_kms?: Kms): string[] {
  return [...IMPLEMENTED_OPERATIONS];
}

/** Only JSON whitespace (RFC 8259 §2) or nothing. */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

function parseBody(body: string | Uint8Array | null | undefined): unknown {
  let text: string;
  if (body === undefined || body === null) text = '';
  else if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) {
    try {
      text = fromUtf8(body);
    } catch {
      throw new SerializationException('The request body is not valid UTF-8.');
    }
  } else throw new SerializationException('The request body must be JSON text.');
  // An operation without input members may be sent with an empty body (a scan, not a trimmed copy).
  if (isBlank(text)) return {};
  try {
    return JSON.parse(text);
  } catch {
    // The parser's own message quotes the body; it may hold secrets.
    throw new SerializationException('The request body is not valid JSON.');
  }
}

/** Overwrites the blobs of a decoded request (top level, where every request blob of the model is). */
function wipeBlobs(input: unknown): void {
  if (typeof input !== 'object' || input === null) return;
  for (const v of Object.values(input)) if (v instanceof Uint8Array) wipe(v);
}

export function createProtocolHandler(options: ProtocolHandlerOptions): ProtocolHandler {
  const codec = options.base64 ?? defaultBase64;
  const provider = options.kms;
  const newId = options.requestId ?? randomRequestId;
  const kmsFor = typeof provider === 'function' ? provider : () => provider;

  async function handle(target: string | null | undefined, body: string | Uint8Array | null | undefined, scope: RequestScope = {}): Promise<ProtocolResponse> {
    let requestId: string;
    try {
      requestId = newId();
    } catch {
      requestId = randomRequestId();
    }
    // Blobs decoded here (plaintext among them) are the adapter's own buffers: wiped after the call.
    let input: unknown;
    try {
      /* Precondition: the target is TrentService.<an operation of the KMS API model>. */
      const op = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
      const row = op === undefined ? undefined : operationRow(op);
      const model = row && OPERATIONS[row.name];
      if (!row || !model) {
        throw new UnknownOperationException(typeof target === 'string' && target !== '' ? `Unknown operation ${target.slice(0, 128)}` : 'Missing X-Amz-Target header');
      }
      if (row.handler === undefined) throw new UnsupportedOperationException(notImplementedMessage(row.name));
      input = fromWire(parseBody(body), model.input, '', codec);
      const kms = await kmsFor(scope);
      const output: unknown = await runOperation(contextOf(kms), row, input, requestId);
      const res = respondText(200, toWireJson(output ?? {}, codec), requestId);
      // The response's blobs (plaintext, data keys, shared secrets) now live in its text only.
      wipeBlobs(output);
      return res;
    } catch (e) {
      return errorResponse(e, requestId);
    } finally {
      wipeBlobs(input);
    }
  }

  return { handle };
}
