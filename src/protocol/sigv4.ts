/**
 * The credential scope of an AWS Signature Version 4 `Authorization` header:
 *
 *   AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kms/aws4_request,
 *   SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=…
 *
 * Only the scope is read (to pick the account and region); the signature is NOT verified.
 */

export interface CredentialScope {
  accessKeyId: string;
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
}

const CREDENTIAL = /(?:^|[\s,])Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request(?=$|[\s,])/;

/** Parses the `Credential=` scope of a SigV4 Authorization header; undefined when absent or malformed. */
export function parseCredentialScope(authorization: string | undefined): CredentialScope | undefined {
  if (typeof authorization !== 'string' || !authorization.startsWith('AWS4-HMAC-SHA256 ')) return undefined;
  const m = CREDENTIAL.exec(authorization);
  if (!m) return undefined;
  const [, accessKeyId, date, region, service] = m as unknown as [string, string, string, string, string];
  return { accessKeyId, date, region, service };
}
