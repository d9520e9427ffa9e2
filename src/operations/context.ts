/**
 * What every operation handler works with: the caller and its account and Region, the key
 * store, the clock and the crypto environment. A `Kms` holds one; `kms.as(principal)` makes a
 * second one for another caller that shares everything else (store, caches, options).
 */
import type { CryptoEnv } from '../algorithms/types.js';
import type { IdentityPolicy } from '../auth/evaluate.js';
import type { Principal } from '../auth/principals.js';
import { KMSInternalException } from '../errors.js';
import type { KeyStore } from '../keys/store.js';
import type { BlobArnMemo, KeyArnMemo } from '../keys/arn-memo.js';
import type { KeyUsageLog } from '../keys/usage.js';

export interface OpContext {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly keyStore: KeyStore;
  /** The caller, parsed; `caller.arn` is the principal AWS names in messages. */
  readonly caller: Principal;
  readonly identityPolicy: IdentityPolicy | undefined;
  readonly clock: () => Date;
  readonly env: CryptoEnv;
  /** Blob key reference (header bytes 0..24) → key ARN in this Region (src/keys/arn-memo.ts). */
  readonly blobArns: BlobArnMemo;
  /** Key ID → key ARN in this account and Region (src/keys/arn-memo.ts). */
  readonly keyArns: KeyArnMemo;
  /** The key store's usage log (src/keys/usage.ts), shared by every Kms on the store. */
  readonly usage: KeyUsageLog;
  /** The clock as epoch ms, NaN when it answers garbage; Date.now itself for the default clock (no Date per call). */
  readonly epochMs: () => number;
}

/** The clock as epoch milliseconds; a clock that answers garbage is a server fault. */
export function nowMs(ctx: OpContext): number {
  const d = ctx.clock();
  const t = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(t)) throw new KMSInternalException('The clock returned an invalid date.');
  return t;
}
