import { expect } from 'vitest';
import { KmsError } from '../../src/index.js';

export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** The AWS exceptions the model marks as server faults; every other one is a client fault. */
const SERVER_FAULTS = new Set(['KMSInternalException', 'DependencyTimeoutException', 'KeyUnavailableException']);

/**
 * Awaits a promise that must reject with the AWS-named KmsError `name` (and message, if given),
 * whose `$fault` is the one AWS gives that exception. The one rejection assertion of the suite.
 */
export async function refuses(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<KmsError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${name}`).toBeInstanceOf(KmsError);
  const k = err as KmsError;
  expect(k.name).toBe(name);
  expect(k.$fault).toBe(SERVER_FAULTS.has(name) ? 'server' : 'client');
  if (typeof message === 'string') expect(k.message).toBe(message);
  else if (message) expect(k.message).toMatch(message);
  return k;
}

/** The KmsError a call ends in, or undefined when it succeeds; anything else fails the test. */
export async function outcomeOf(p: Promise<unknown>): Promise<KmsError | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
}

/**
 * What a decrypt of a damaged blob ends in, as one comparable string: 'success', the error
 * name, 'bare …' for an error that is not a KmsError, or 'InvalidCiphertextException with
 * detail' when that exception carries a message (it must carry none: no oracle).
 */
export async function decryptOutcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'success';
  } catch (e) {
    if (!(e instanceof KmsError)) return `bare ${String(e)}`;
    if (e.name === 'InvalidCiphertextException' && e.message !== '') return 'InvalidCiphertextException with detail';
    return e.name;
  }
}
