/** README.md lists the operations kms-core implements and the ones it does not; the code decides. */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { routedOperations } from '../src/index.js';
import { OPERATIONS } from '../src/model/shapes.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The operation names (backquoted PascalCase) of the README line that starts with `label`. */
function listed(label: string): string[] {
  const line = readme.split('\n').find((l) => l.startsWith(label));
  expect(line, `README.md has a line starting with "${label}"`).toBeDefined();
  return [...(line as string).matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1] as string).sort();
}

test('README "Implemented operations" is exactly what the protocol adapter routes', () => {
  expect(listed('**Implemented operations')).toEqual([...routedOperations()].sort());
});

test('README "Not implemented yet" is exactly the rest of the KMS API model', () => {
  const routed = new Set(routedOperations());
  expect(listed('**Not implemented yet')).toEqual(Object.keys(OPERATIONS).filter((o) => !routed.has(o)).sort());
});
