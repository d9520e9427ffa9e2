/**
 * AWS principals as KMS sees them: who calls (the caller of a Kms, or of a view made with
 * `kms.as(arn)`), who a key policy statement names, who a grant names.
 *
 * Forms (IAM User Guide, "IAM identifiers"; KMS Developer Guide, "Key policies"):
 *
 *   111122223333                                          an account (same as its :root ARN)
 *   arn:<partition>:iam::111122223333:root                the account principal
 *   arn:<partition>:iam::111122223333:user/[path/]Name    an IAM user
 *   arn:<partition>:iam::111122223333:role/[path/]Name    an IAM role
 *   arn:<partition>:sts::111122223333:assumed-role/Role/Session   a role session (a caller)
 *   arn:<partition>:sts::111122223333:federated-user/Name         a federated user
 *
 * A policy or grant that names a role matches every session of that role: the session ARN
 * `arn:aws:sts::ACCT:assumed-role/Role/Session` matches `arn:aws:iam::ACCT:role/[path/]Role`
 * (the session ARN carries the role name without its path). Pure code: runs in browsers.
 */

export type PrincipalKind = 'root' | 'user' | 'role' | 'assumed-role' | 'federated-user';

export interface Principal {
  /** Canonical ARN (an account ID becomes `arn:<partition>:iam::<account>:root`). */
  readonly arn: string;
  readonly partition: string;
  readonly accountId: string;
  readonly kind: PrincipalKind;
  /** Roles and role sessions: the role name (without path). */
  readonly roleName?: string;
}

const PARTITION = '(aws|aws-cn|aws-us-gov)';
const NAME = "[\\w+=,.@-]+";
const PATH = `(?:${NAME}/)*`;
const IAM_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}):(root|user/${PATH}${NAME}|role/${PATH}(${NAME}))$`);
const STS_ARN = new RegExp(`^arn:${PARTITION}:sts::(\\d{12}):(assumed-role/(${NAME})/${NAME}|federated-user/${NAME})$`);
const ACCOUNT = /^\d{12}$/;

export function rootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/**
 * Every principal has the same five properties, roleName undefined where there is none: one
 * object shape for V8, so the call sites that read a caller (every authorization) stay
 * monomorphic when a root user and a role share one process (issue 14).
 */
function principal(arn: string, partition: string, accountId: string, kind: PrincipalKind, roleName?: string): Principal {
  return { arn, partition, accountId, kind, roleName };
}

/**
 * Parses a principal ARN (or a 12-digit account ID, read in `partition`); undefined when it
 * is none of the forms above.
 */
export function parsePrincipal(s: string, partition = 'aws'): Principal | undefined {
  if (typeof s !== 'string') return undefined;
  if (ACCOUNT.test(s)) return principal(rootArn(partition, s), partition, s, 'root');
  let m = IAM_ARN.exec(s);
  if (m) {
    const [, p, accountId, resource, roleName] = m as unknown as [string, string, string, string, string | undefined];
    if (resource === 'root') return principal(s, p, accountId, 'root');
    if (resource.startsWith('user/')) return principal(s, p, accountId, 'user');
    return principal(s, p, accountId, 'role', roleName as string);
  }
  m = STS_ARN.exec(s);
  if (m) {
    const [, p, accountId, resource, roleName] = m as unknown as [string, string, string, string, string | undefined];
    if (resource.startsWith('assumed-role/')) return principal(s, p, accountId, 'assumed-role', roleName as string);
    return principal(s, p, accountId, 'federated-user');
  }
  return undefined;
}

/**
 * How a named principal (in a key policy statement or a grant) covers a caller:
 * - 'name': the caller is that principal (or a session of that role, or `*`);
 * - 'account': the name is the caller's account principal and the caller is not the account's
 *   root user, so the permission reaches the caller only through IAM (the identity policy);
 * - false: it does not cover the caller.
 */
export type PrincipalMatch = 'name' | 'account' | false;

export function principalMatch(named: Principal, caller: Principal): PrincipalMatch {
  if (named.partition !== caller.partition || named.accountId !== caller.accountId) return false;
  switch (named.kind) {
    case 'root':
      return caller.kind === 'root' ? 'name' : 'account';
    case 'role':
      if (caller.kind === 'role') return caller.arn === named.arn ? 'name' : false;
      return caller.kind === 'assumed-role' && caller.roleName === named.roleName ? 'name' : false;
    default:
      return caller.arn === named.arn ? 'name' : false;
  }
}
