/** The default backend under the `node` condition (package.json "imports": #default-backend). */
export { nodeBackend as defaultBackend } from './node.js';
