/**
 * Callers for the protocol adapter: a KmsProvider (src/protocol) that binds each request to the
 * principal its SigV4 access key stands for, through a configurable access-key → principal map.
 *
 *   const handler = createProtocolHandler({
 *     kms: principalsByAccessKey({
 *       kms: (accountId) => accounts[accountId],           // one Kms per account, one store
 *       principals: { AKIDALICE: 'arn:aws:iam::111122223333:user/alice',
 *                     AKIDBOB: 'arn:aws:sts::444455556666:assumed-role/Ops/bob' },
 *     }),
 *   });
 *
 * An access key that is not in the map is served as the Kms's own principal (`unknown:
 * 'default'`, the default) or refused with AccessDeniedException (`unknown: 'deny'`).
 * The signature itself is not verified (src/protocol/sigv4.ts). Pure code (no node:*).
 */
import { AccessDeniedException, ValidationException } from '../errors.js';
import { parsePrincipal } from '../auth/principals.js';
import type { Kms } from '../kms.js';
import type { RequestScope } from './json.js';

export interface PrincipalsByAccessKeyOptions {
  /** One Kms for every account, or a function choosing the Kms of an account. */
  kms: Kms | ((accountId: string, scope: RequestScope) => Kms | Promise<Kms>);
  /** Access key ID → principal ARN. */
  principals: Readonly<Record<string, string>> | ReadonlyMap<string, string> | ((accessKeyId: string) => string | undefined);
  /** What to do with an access key the map does not know; default 'default'. */
  unknown?: 'default' | 'deny';
}

export function principalsByAccessKey(options: PrincipalsByAccessKeyOptions): (scope: RequestScope) => Promise<Kms> {
  const p = options.principals;
  const lookup: (id: string) => string | undefined =
    typeof p === 'function'
      ? p
      : p instanceof Map
        ? (id) => p.get(id)
        : (id) => (Object.prototype.hasOwnProperty.call(p, id) ? (p as Record<string, string>)[id] : undefined);
  return async (scope) => {
    const arn = scope.accessKeyId === undefined ? undefined : lookup(scope.accessKeyId);
    const kmsFor = options.kms;
    if (arn === undefined) {
      if (options.unknown === 'deny') throw new AccessDeniedException('The security token included in the request is invalid.');
      return typeof kmsFor === 'function' ? kmsFor(scope.accountId ?? '', scope) : kmsFor;
    }
    const principal = parsePrincipal(arn);
    if (!principal) throw new ValidationException(`The principal of access key ${scope.accessKeyId} is not a principal ARN: ${arn}`);
    const kms = typeof kmsFor === 'function' ? await kmsFor(principal.accountId, scope) : kmsFor;
    return kms.as(principal.arn);
  };
}
