#!/usr/bin/env node
// The kms-core command: `kms-core serve [--port 4599] [--data DIR] …` (see src/cli/main.ts).
// Runs the built code in dist/ (npm run build; `npm run serve` builds first).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    // Let stdout drain and the event loop empty; exit anyway if something still holds it.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (e) => {
    console.error('kms-core:', e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
