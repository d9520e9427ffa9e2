/**
 * Known answers from the AWS Signature Version 4 test suite (test/vectors/sigv4/, Apache-2.0):
 * src/server/sigv4-verify.ts must build each case's canonical request and string to sign byte
 * for byte, derive the same signature, and accept the signed request (and refuse it once the
 * signature is altered).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { KmsError } from '../src/errors.js';
import { canonicalRequest, credentialScope, signature, signedHeaderList, stringToSign, verifySigV4, type SignedRequest } from '../src/server/sigv4-verify.js';

interface Case {
  name: string;
  request: { method: string; uri: string; headers: [string, string][]; body: string };
  creq: string;
  sts: string;
  authz: string;
}
const suite = JSON.parse(readFileSync(new URL('./vectors/sigv4/aws-sig-v4-test-suite.json', import.meta.url), 'utf8')) as {
  config: { service: string; region: string; accessKeyId: string; secretAccessKey: string };
  stsToken: string;
  tests: Case[];
};
const { config } = suite;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const AMZ_DATE = '20150830T123600Z';
const NOW = Date.UTC(2015, 7, 30, 12, 36, 0);
/** The two cases whose published .creq disagrees with their own .sts (see the vectors README). */
const INCONSISTENT = new Set(['post-x-www-form-urlencoded', 'post-x-www-form-urlencoded-parameters']);

function parts(c: Case) {
  const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(c.authz)?.[1] as string;
  const sig = /Signature=([0-9a-f]{64})/.exec(c.authz)?.[1] as string;
  return { signed: signedHeaderList(signedHeaders), sig };
}

function request(c: Case, authorization?: string): SignedRequest {
  const headers: [string, string][] = c.request.headers.map(([n, v]) => [n, v]);
  if (authorization !== undefined) headers.push(['Authorization', authorization]);
  return { method: c.request.method, url: c.request.uri, headers, body: new TextEncoder().encode(c.request.body) };
}

const options = (sessionToken?: string) => ({
  service: config.service,
  isRegion: (r: string) => r === config.region,
  lookup: (id: string) => (id === config.accessKeyId ? { secretAccessKey: config.secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined),
  now: () => NOW,
});

describe('AWS SigV4 test suite known answers', () => {
  test('the vendored suite holds the 29 cases of its "all" list, each consistent in itself where upstream is', () => {
    expect(suite.tests).toHaveLength(29);
    for (const c of suite.tests) {
      const consistent = sha256(c.creq) === c.sts.split('\n')[3];
      expect(consistent, c.name).toBe(!INCONSISTENT.has(c.name));
    }
  });

  for (const c of suite.tests) {
    test(`${c.name}: canonical request, string to sign, signature`, () => {
      const { signed, sig } = parts(c);
      const canonical = canonicalRequest(request(c), signed, sha256(c.request.body));
      const sts = stringToSign(AMZ_DATE, credentialScope('20150830', config.region, config.service), canonical);
      if (!INCONSISTENT.has(c.name)) {
        expect(canonical).toBe(c.creq);
        expect(sts).toBe(c.sts);
      } else if (c.name === 'post-x-www-form-urlencoded') {
        // Upstream signed without content-length (as its Authorization header says).
        expect(sts).toBe(c.sts);
      }
      expect(signature(config.secretAccessKey, '20150830', config.region, config.service, c.sts)).toBe(sig);
    });
  }

  for (const c of suite.tests.filter((t) => t.name !== 'post-x-www-form-urlencoded-parameters')) {
    test(`${c.name}: the verifier accepts the signed request and refuses an altered signature`, () => {
      const token = c.name === 'post-sts-header-before' ? suite.stsToken : undefined;
      const verified = verifySigV4(request(c, c.authz), options(token));
      expect(verified).toEqual({ accessKeyId: config.accessKeyId, region: config.region, amzDate: AMZ_DATE });
      const { sig } = parts(c);
      const flipped = c.authz.replace(sig, sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0'));
      let err: unknown;
      try {
        verifySigV4(request(c, flipped), options(token));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KmsError);
      expect((err as KmsError).name).toBe('InvalidSignatureException');
      expect((err as KmsError).message).toMatch(/^The request signature we calculated does not match the signature you provided\./);
    });
  }

  test('post-sts-header-before: the session token is signed, and refused when the key has another (or none)', () => {
    const c = suite.tests.find((t) => t.name === 'post-sts-header-before') as Case;
    for (const token of [undefined, 'another-token']) {
      let err: unknown;
      try {
        verifySigV4(request(c, c.authz), options(token));
      } catch (e) {
        err = e;
      }
      expect((err as KmsError).name).toBe('UnrecognizedClientException');
      expect((err as KmsError).message).not.toContain(suite.stsToken);
    }
  });
});
