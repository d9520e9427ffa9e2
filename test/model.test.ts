/** src/model/shapes.ts is generated from model/kms-service-2.json; it must be up to date. */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { generate } from '../scripts/gen-model.mjs';

test('src/model/shapes.ts equals what scripts/gen-model.mjs generates (run `node scripts/gen-model.mjs`)', () => {
  expect(readFileSync(new URL('../src/model/shapes.ts', import.meta.url), 'utf8')).toBe((generate as () => string)());
});
