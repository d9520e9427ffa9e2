/**
 * What inspection shows of objects that hold key material (issue 12.5): `util.inspect`
 * (console.log, console.dir) calls the method under this registered symbol, and JSON.stringify
 * calls `toJSON`, so a Kms, a key store or a material cache answers with a summary of what it
 * is (account, region, counts) and never with what it holds. The symbol is the one Node
 * registers (`Symbol.for`), so the core imports nothing from node:*; elsewhere it is inert.
 * The material itself sits in #private fields, which inspection cannot reach even with
 * `customInspect: false` or `showHidden: true`.
 */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** `Name { a: 'x', n: 3 }` from own, non-secret summary fields. */
export function summary(name: string, fields: Readonly<Record<string, string | number | undefined>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}: ${typeof v === 'number' ? v : `'${v}'`}`);
  return `${name} { ${parts.join(', ')} }`;
}
