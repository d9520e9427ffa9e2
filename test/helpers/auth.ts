/**
 * Helpers for the authorization suites (test/auth.*.test.ts): two accounts sharing one store,
 * principals, key policies as objects, and the AccessDeniedException messages AWS gives.
 */
import { expect } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError, type KeyMetadata, type KmsOptions } from '../../src/index.js';
import { ACCOUNT_A, ACCOUNT_B } from './keys.js';

export { ACCOUNT_A, ACCOUNT_B };

export const ROOT_A = `arn:aws:iam::${ACCOUNT_A}:root`;
export const ROOT_B = `arn:aws:iam::${ACCOUNT_B}:root`;
export const ROLE_APP = `arn:aws:iam::${ACCOUNT_A}:role/App`;
export const SESSION_APP = `arn:aws:sts::${ACCOUNT_A}:assumed-role/App/session-1`;
export const USER_ALICE = `arn:aws:iam::${ACCOUNT_A}:user/alice`;
export const USER_BOB = `arn:aws:iam::${ACCOUNT_A}:user/bob`;
export const ROLE_PARTNER = `arn:aws:iam::${ACCOUNT_B}:role/Partner`;
export const SESSION_PARTNER = `arn:aws:sts::${ACCOUNT_B}:assumed-role/Partner/p1`;

export const CIPHERTEXT_KEY_INACCESSIBLE =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';

/**
 * When IAM refuses a Decrypt (kms:ReEncryptFrom) whose request names no key, AWS names no
 * resource (IAM Identity Center User Guide, "Troubleshoot customer managed keys"; issue 12.13).
 */
export function ciphertextDeniedMessage(principal: string, action: string): string {
  return `User: ${principal} is not authorized to perform: kms:${action} on the resource associated with this ciphertext because no identity-based policy allows the kms:${action} action`;
}

export type Outcome = 'allowed' | 'explicit-deny' | 'no-resource-policy' | 'no-identity-policy';

/** The AccessDeniedException message of each refusal kind (notes/aws-behaviour.md §12). */
export function deniedMessage(principal: string, action: string, resource: string, kind: Exclude<Outcome, 'allowed'>): string {
  const head = `User: ${principal} is not authorized to perform: kms:${action} on resource: ${resource}`;
  if (kind === 'explicit-deny') return `${head} with an explicit deny in a resource-based policy`;
  if (kind === 'no-identity-policy') return `${head} because no identity-based policy allows the kms:${action} action`;
  return `${head} because no resource-based policy allows the kms:${action} action`;
}

/** Runs `p` and reports 'allowed' or the refusal kind read back from the AccessDeniedException message. */
export async function outcomeOf(p: Promise<unknown>): Promise<Outcome> {
  try {
    await p;
    return 'allowed';
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    const k = e as KmsError;
    if (k.name !== 'AccessDeniedException') throw e;
    if (k.message.endsWith('with an explicit deny in a resource-based policy')) return 'explicit-deny';
    if (/because no identity-based policy allows the kms:\w+ action$/.test(k.message)) return 'no-identity-policy';
    if (/because no resource-based policy allows the kms:\w+ action$/.test(k.message)) return 'no-resource-policy';
    throw e;
  }
}

export interface StatementSpec {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: '*' | { AWS: string | string[] } | Record<string, unknown>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export function policy(...statements: StatementSpec[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements.map((s) => ({ Resource: '*', ...s })) }, null, 2);
}

/** The statement of the default key policy: the account principal may do anything. */
export function rootAll(account = ACCOUNT_A): StatementSpec {
  return { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*' };
}

/** Account A (owner) and account B sharing one store. */
export function twoAccounts(extra: Omit<KmsOptions, 'keyStore' | 'accountId'> = {}, extraB: Omit<KmsOptions, 'keyStore' | 'accountId'> = extra) {
  const store = new InMemoryKeyStore();
  const a = new Kms({ ...extra, keyStore: store, accountId: ACCOUNT_A });
  const b = new Kms({ ...extraB, keyStore: store, accountId: ACCOUNT_B });
  return { store, a, b };
}

export async function keyWithPolicy(kms: Kms, text?: string): Promise<KeyMetadata> {
  const md = (await kms.createKey({})).KeyMetadata as KeyMetadata;
  if (text !== undefined) await kms.putKeyPolicy({ KeyId: md.KeyId, Policy: text, BypassPolicyLockoutSafetyCheck: true });
  return md;
}

export const enc = (s: string) => new TextEncoder().encode(s);
