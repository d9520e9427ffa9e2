import { existsSync, readFileSync } from 'node:fs';

/**
 * Project Wycheproof vectors live beside the project in ../shared/vectors/wycheproof/ (CI has
 * that folder; its README says not to copy them in). A missing folder fails loudly.
 */
export function wycheproof<T = any>(file: string): T {
  const url = new URL(`../../../shared/vectors/wycheproof/${file}`, import.meta.url);
  if (!existsSync(url)) throw new Error(`Wycheproof vectors missing: ${url.pathname} (expected ../shared/vectors/wycheproof beside the project)`);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}
