/**
 * A CryptoEnv (algorithms/types.ts) for suites that test the algorithm layer below the Kms
 * operations: a backend, a random source and the same material cache Kms uses.
 */
import type { CryptoEnv } from '../../src/algorithms/types.js';
import type { Backend } from '../../src/backend/types.js';
import { MaterialCache } from '../../src/keys/material-cache.js';
import type { BackingKey } from '../../src/keys/record.js';
import { defaultRandom, type Random } from '../../src/random.js';

export function cryptoEnv(backend: Backend, random: Random = defaultRandom): CryptoEnv {
  const cache = new MaterialCache();
  return {
    backend,
    random,
    keyObject: (bk, kind, make) => cache.object(bk, kind, make),
    memo: (bk, kind, make) => cache.get(bk, kind, make),
  };
}

/** A material version holding `material` (and `publicKey`), with a fixed-looking KeyMaterialId. */
export function backingKey(material: Uint8Array, publicKey?: Uint8Array, id = 'a'.repeat(64)): BackingKey {
  return publicKey ? { id, material, publicKey, createdAt: 0 } : { id, material, createdAt: 0 };
}

export const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
export const toHexString = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * The backends a suite of the algorithm layer runs on in this vitest project, each once over
 * the two projects: the project's default (node or webcrypto), and the pure-JS noble backend
 * in the node project.
 */
export async function projectBackends(): Promise<Backend[]> {
  const { defaultBackend } = await import('./backend.js');
  if (defaultBackend.name !== 'node') return [defaultBackend];
  const { nobleBackend } = await import('../../src/backend/noble.js');
  return [defaultBackend, nobleBackend];
}
