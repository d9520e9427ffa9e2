/** Types for scripts/bundle.mjs (imported by test/bundle.test.ts). */
export declare const ROOT: string;
export declare const BUDGET: Readonly<{ minified: number; gzip: number }>;
export declare const NODE_GLOBALS: readonly string[];
export declare const KMS_ENTRY: string;

export interface BrowserBundle {
  code: string;
  /** esbuild metafile input paths, relative to the package root. */
  inputs: string[];
  /** Every violation found (node:* import, Node global, external import); empty when clean. */
  findings: string[];
  warnings: unknown[];
}

export declare function bundleBrowser(options: {
  contents?: string;
  entryPoint?: string;
  resolveDir?: string;
  minify?: boolean;
  conditions?: string[];
  sourcefile?: string;
}): Promise<BrowserBundle>;

export declare function sizes(code: string): { minified: number; gzip: number };

export declare function checkKmsBundle(options?: { conditions?: string[] }): Promise<BrowserBundle & { minified: number; gzip: number }>;
