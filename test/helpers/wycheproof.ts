import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Project Wycheproof vectors, vendored gzipped in test/vectors/wycheproof/ (source, commit and
 * the list of files in its README; Apache-2.0 LICENSE beside them). `file` is the upstream
 * name (`aes_gcm_test.json`); the repository holds `<file>.gz`, byte-for-byte the upstream file
 * once inflated (its SHA-256 is in the README). A missing file fails loudly.
 */
export function wycheproof<T = any>(file: string): T {
  const url = new URL(`../vectors/wycheproof/${file}.gz`, import.meta.url);
  if (!existsSync(url)) throw new Error(`Wycheproof vectors missing: ${url.pathname} (vendor it from C2SP/wycheproof testvectors_v1/, see test/vectors/wycheproof/README.md)`);
  return JSON.parse(gunzipSync(readFileSync(url)).toString('utf8')) as T;
}
