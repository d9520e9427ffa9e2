/**
 * Labelled guards of the endpoint (src/server/) that no other suite reaches: the credentials
 * file, the server's options, the seed, the SigV4 verifier. Each test gives the input its guard
 * refuses and checks the guard's own error, so it fails when the guard is removed (issue 13,
 * Deliver 5).
 */
import { describe, expect, test } from 'vitest';
import { Kms } from '../src/index.js';
import { parseCredentials, verifiedCallers } from '../src/server/credentials.js';
import { startServer } from '../src/server/http.js';
import { parseSeed } from '../src/server/seed.js';
import { verifySigV4 } from '../src/server/sigv4-verify.js';

const ACCOUNT = '111122223333';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** The ValidationException message parseCredentials gives for `doc`, or undefined when it accepts it. */
function credentialsError(doc: unknown): string | undefined {
  try {
    parseCredentials(doc, 'creds.json', ACCOUNT);
    return undefined;
  } catch (e) {
    expect((e as Error).name).toBe('ValidationException');
    expect((e as Error).message).not.toContain(SECRET);
    return (e as Error).message;
  }
}

describe('the credentials file (--credentials)', () => {
  test('Precondition: the document is an object of access key ID → entry — a list, a string or null is refused', () => {
    for (const doc of [[], 'AKID', null, 42]) {
      expect(credentialsError(doc), JSON.stringify(doc)).toMatch(/^creds\.json: the document must be a JSON object mapping access key IDs to/);
    }
    expect(credentialsError({ AKID: { secretAccessKey: SECRET } })).toBeUndefined();
  });

  test('Precondition: access key IDs are 1..128 letters and digits (they appear in the credential scope) — a slash, a space, an empty or a 129-character ID is refused', () => {
    for (const akid of ['AKID/other', 'AKID X', '', 'A'.repeat(129)]) {
      expect(credentialsError({ [akid]: { secretAccessKey: SECRET } }), akid).toMatch(/^creds\.json: access key ID ".*" must be 1 to 128 letters and digits$/);
    }
    expect(credentialsError({ ['A'.repeat(128)]: { secretAccessKey: SECRET } })).toBeUndefined();
  });

  test('Precondition: every entry has a non-empty secret — a missing, empty or non-string secret is refused', () => {
    for (const entry of [{}, { secretAccessKey: '' }, { secretAccessKey: 7 }]) {
      expect(credentialsError({ AKID: entry }), JSON.stringify(entry)).toBe('creds.json: "AKID".secretAccessKey must be a non-empty string');
    }
  });

  test('Precondition: the principal is an IAM principal ARN (arn:…:iam::…:root|user/…|role/…, arn:…:sts::…) — an account ID, a key ARN or a group is refused', () => {
    for (const principal of [ACCOUNT, `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, `arn:aws:iam::${ACCOUNT}:group/devs`, 42]) {
      expect(credentialsError({ AKID: { secretAccessKey: SECRET, principal } }), String(principal)).toMatch(/^creds\.json: "AKID"\.principal must be an IAM principal ARN/);
    }
    const ok = parseCredentials({ AKID: { secretAccessKey: SECRET, principal: `arn:aws:iam::${ACCOUNT}:role/App` } }, 'creds.json', '444455556666');
    expect(ok.get('AKID')).toMatchObject({ accountId: ACCOUNT, principal: `arn:aws:iam::${ACCOUNT}:role/App` });
  });

  test("Precondition: the principal belongs to the entry's account — a principal of another account than accountId is refused", () => {
    expect(credentialsError({ AKID: { secretAccessKey: SECRET, accountId: '444455556666', principal: `arn:aws:iam::${ACCOUNT}:user/alice` } })).toBe(
      `creds.json: "AKID".principal is in account ${ACCOUNT}, not in the entry's accountId 444455556666`,
    );
  });

  test('Precondition: at least one access key (an empty file would refuse every request) — {} is refused', () => {
    expect(credentialsError({})).toBe('creds.json: the document names no access key');
  });

  test('Precondition: the HTTP layer verified this access key (a request never gets here otherwise) — an unknown or absent access key gets no Kms', async () => {
    const credentials = parseCredentials({ AKID: { secretAccessKey: SECRET, principal: `arn:aws:iam::${ACCOUNT}:user/alice` } }, 'creds.json', ACCOUNT);
    const kmsFor = verifiedCallers(credentials, (scope) => new Kms({ accountId: scope.accountId as string, region: scope.region ?? 'us-east-1' }));
    expect((await kmsFor({ accessKeyId: 'AKID' })).principal).toBe(`arn:aws:iam::${ACCOUNT}:user/alice`);
    for (const scope of [{ accessKeyId: 'AKIDUNKNOWN' }, {}]) {
      await expect(kmsFor(scope)).rejects.toMatchObject({ name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    }
  });
});

describe('server options and seeds', () => {
  test('Precondition: verified credentials carry their accounts; --access-key is for unsigned use — credentials and accessKeys together are refused before listening', async () => {
    const credentials = parseCredentials({ AKID: { secretAccessKey: SECRET } }, 'creds.json', ACCOUNT);
    await expect(startServer({ port: 0, credentials, accessKeys: { AKID: '444455556666' } })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'accessKeys cannot be combined with credentials: give each credential its accountId instead.',
    });
  });

  test('Precondition: PrivateKey belongs to asymmetric keys — a SYMMETRIC_DEFAULT seed key with a PrivateKey is refused', () => {
    const key = { KeyId: '1b0c0d0e-1111-4222-8333-944455556666', PrivateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' };
    expect(() => parseSeed({ keys: [key] }, 's.json')).toThrow('s.json: keys[0].PrivateKey is for RSA and SM2 keys; a SYMMETRIC_DEFAULT key takes KeyMaterial');
    expect(() => parseSeed({ keys: [{ KeyId: key.KeyId }] }, 's.json')).not.toThrow();
  });
});

describe('SigV4 verification', () => {
  const options = { service: 'kms', lookup: () => ({ secretAccessKey: SECRET }), isRegion: () => true };
  const request = (url: string, headers: [string, string][]) => ({ method: 'POST', url, headers, body: new Uint8Array(0) });
  const authorization = `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

  test("Precondition: the request is signed in one place — an Authorization header and X-Amz-Algorithm in the query string is InvalidSignatureException", () => {
    const headers: [string, string][] = [['Host', 'localhost'], ['X-Amz-Date', '20260101T000000Z'], ['Authorization', authorization]];
    expect(() => verifySigV4(request('/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00', headers), options)).toThrowError(
      expect.objectContaining({ name: 'InvalidSignatureException', message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header." }),
    );
    // The same header alone goes on to the next checks (here: the date is too old).
    expect(() => verifySigV4(request('/', headers), options)).toThrowError(expect.objectContaining({ name: 'InvalidSignatureException', message: expect.stringMatching(/^Signature expired/) }));
  });
});
