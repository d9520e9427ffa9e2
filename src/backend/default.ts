/** The backend a `Kms` uses unless told otherwise. */
export { webBackend as defaultBackend } from './web.js';
