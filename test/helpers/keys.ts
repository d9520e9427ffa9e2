/**
 * Helpers for the key-model suites (test/keys.*.test.ts): a settable clock, a seeded random
 * source, an AWS-error assertion that also checks `$fault`, and keys in states that only a
 * snapshot can produce.
 */
import { expect } from 'vitest';
import { InMemoryKeyStore, Kms, KmsError, type KeyMetadata, type KeyState, type KeyStoreSnapshot } from '../../src/index.js';
import { enc } from './index.js';

export const DAY = 86_400_000;
export const ACCOUNT_A = '111122223333';
export const ACCOUNT_B = '444455556666';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const HEX64 = /^[0-9a-f]{64}$/;

export { refuses } from './index.js';

/** Same for a synchronous call. */
export function refusesSync(fn: () => unknown, name: string, message?: string | RegExp): KmsError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${name}`).toBeInstanceOf(KmsError);
  const k = err as KmsError;
  expect(k.name).toBe(name);
  expect(k.$fault).toBe('client');
  if (typeof message === 'string') expect(k.message).toBe(message);
  else if (message) expect(k.message).toMatch(message);
  return k;
}

/** A clock that only moves when told to. */
export class ManualClock {
  t: number;
  constructor(start = '2026-01-01T00:00:00.000Z') {
    this.t = Date.parse(start);
  }
  readonly now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
  advanceDays(d: number): void {
    this.t += d * DAY;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

/** A deterministic random source (xorshift32), so snapshot contents are reproducible. */
export function seededRandom(seed = 0x9e3779b9): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

export async function newKey(kms: Kms, input: Parameters<Kms['createKey']>[0] = {}): Promise<KeyMetadata> {
  const { KeyMetadata } = await kms.createKey(input);
  expect(KeyMetadata).toBeDefined();
  return KeyMetadata as KeyMetadata;
}

export async function describe_(kms: Kms, keyId: string): Promise<KeyMetadata> {
  return (await kms.describeKey({ KeyId: keyId })).KeyMetadata as KeyMetadata;
}

/** Reads the JSON record of one key in a snapshot. */
export function snapshotKey(s: KeyStoreSnapshot, arn: string): Record<string, unknown> {
  const k = s.keys.find((x) => x.Arn === arn);
  expect(k, `snapshot holds ${arn}`).toBeDefined();
  return k as Record<string, unknown>;
}

/**
 * A key in `state`, which only a loaded snapshot can produce (Unavailable, Creating, Updating,
 * PendingReplicaDeletion, or PendingImport on a key that has material): the key is created
 * Enabled, a ciphertext is made under it, the snapshot is edited and loaded into a new store.
 */
export async function keyInState(state: KeyState, edit: (k: Record<string, unknown>) => void = () => {}) {
  const clock = new ManualClock();
  const store = new InMemoryKeyStore();
  const before = new Kms({ keyStore: store, now: clock.now });
  const key = await newKey(before, { Description: `was Enabled, now ${state}` });
  const { CiphertextBlob } = await before.encrypt({ KeyId: key.KeyId, Plaintext: enc('made while Enabled') });
  const snap = JSON.parse(JSON.stringify(store.exportSnapshot())) as KeyStoreSnapshot;
  const k = snapshotKey(snap, key.Arn as string);
  k.KeyState = state;
  edit(k);
  const loaded = InMemoryKeyStore.fromSnapshot(JSON.stringify(snap));
  const kms = new Kms({ keyStore: loaded, now: clock.now });
  return { kms, key, arn: key.Arn as string, blob: CiphertextBlob as Uint8Array, clock };
}
