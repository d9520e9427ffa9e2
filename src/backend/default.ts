/**
 * The backend a `Kms` uses unless told otherwise, for every condition but `node` (see
 * package.json "imports" #default-backend): WebCrypto where it exists, pure JS where it does not.
 */
import { nobleBackend } from './noble.js';
import type { Backend } from './types.js';
import { webBackend } from './web.js';

export const defaultBackend: Backend = globalThis.crypto?.subtle ? webBackend : nobleBackend;
