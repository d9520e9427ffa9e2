/**
 * Helpers for the signing suites (test/signing.*.test.ts): a CryptoEnv over any backend, key
 * records for every signing key spec, and the oracles (node:crypto, OpenSSL CLI, Python
 * `cryptography` for ML-DSA / ML-KEM, which OpenSSL 3.0 does not have).
 */
import { execFileSync } from 'node:child_process';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { KEY_SPECS } from '../../src/algorithms/registry.js';
import { SIGNING_KEY_SPECS } from '../../src/algorithms/signing/index.js';
import type { CryptoEnv } from '../../src/algorithms/types.js';
import type { Backend } from '../../src/backend/types.js';
import type { BackingKey, KeySpec } from '../../src/keys/record.js';
import { MaterialCache } from '../../src/keys/material-cache.js';
import { defaultRandom } from '../../src/random.js';
import { nobleBackend } from '../../src/backend/noble.js';
import { defaultBackend } from './backend.js';
import { openssl } from './oracles.js';

export function envFor(backend: Backend, random: (n: number) => Uint8Array = defaultRandom): CryptoEnv {
  const cache = new MaterialCache();
  return {
    backend,
    random,
    keyObject: (bk, kind, make) => cache.object(bk, kind, make),
    memo: (bk, kind, make) => cache.get(bk, kind, make),
  };
}

/** The backends this project runs: its default one, and the pure-JS one on the webcrypto project. */
export const BACKENDS: Backend[] = defaultBackend.name === 'webcrypto' ? [defaultBackend, nobleBackend] : [defaultBackend];

export function specRow(spec: KeySpec) {
  const row = SIGNING_KEY_SPECS[spec] ?? KEY_SPECS[spec];
  if (!row) throw new Error(`no key spec row ${spec}`);
  return row;
}

export async function newSigningKey(env: CryptoEnv, spec: KeySpec): Promise<BackingKey> {
  return specRow(spec).generate(env, 0);
}

let serial = 0;
/** A fresh KeyMaterialId: the material caches key by it (and by the private material). */
const freshId = () => (++serial).toString(16).padStart(64, '0');

export function backingKey(privateKey: Uint8Array, publicKey: Uint8Array): BackingKey {
  return { id: freshId(), material: privateKey, publicKey, createdAt: 0 };
}

/** A verify-only backing key (Wycheproof gives public keys only). */
export function publicOnly(publicKey: Uint8Array): BackingKey {
  return { id: freshId(), material: new Uint8Array(0), publicKey, createdAt: 0 };
}

export const HASH: Record<string, (m: Uint8Array) => Uint8Array> = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 };

export const der2pem = (der: Uint8Array, label: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** `openssl …` exit status 0? (verify commands report a bad signature with exit 1). */
export function opensslOk(args: string[], files: Record<string, Uint8Array | string>): boolean {
  try {
    openssl(args, files, Object.keys(files)[0]!);
    return true;
  } catch {
    return false;
  }
}

/** Runs a Python 3 snippet with `cryptography` (its own OpenSSL 3.5+), JSON in and out. */
export function python(script: string, input: unknown): any {
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(input), stdio: ['pipe', 'pipe', 'pipe'] });
  return JSON.parse(out.toString('utf8'));
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
export const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
