import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The same suite runs once per backend (noble-ciphers' habit): the default backend that `Kms`
// picks up through package.json "imports" (#default-backend) is aliased per project.
const backend = (file: string) => ({ '#default-backend': fileURLToPath(new URL(`./src/backend/${file}`, import.meta.url)) });

const shared = {
  include: ['test/**/*.test.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    // vitest's default in run mode is one worker fewer than the CPUs: a single worker on CI's
    // 2 cores, idle while a test waits on its child processes (aws, openssl, python, serve,
    // PostgreSQL). Two workers keep both cores busy.
    maxWorkers: 2,
    projects: [
      { resolve: { alias: backend('default.node.ts') }, test: { ...shared, name: 'node' } },
      { resolve: { alias: backend('default.ts') }, test: { ...shared, name: 'webcrypto' } },
    ],
  },
});
