// What users send: plaintext sizes and encryption contexts of 0, 2 and 10 pairs (the same pairs
// as PAIRS in moto_driver.py), and the AAD the raw baseline binds for them.

export const KiB = (n) => n * 1024;
export const SIZES = [32, KiB(1), KiB(4)];
export const PAIR_COUNTS = [0, 2, 10];
export const label = (n) => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

const PAIRS = [
  ['tenant', 'acme-corp'],
  ['purpose', 'backup'],
  ['app', 'billing'],
  ['env', 'production'],
  ['region', 'eu-west-1'],
  ['service', 'invoices'],
  ['owner', 'team-payments'],
  ['project', 'ledger-2026'],
  ['classification', 'confidential'],
  ['cost-center', 'cc-4711'],
];

/** An encryption context of `n` pairs (undefined for 0: the request carries none). */
export function contextOf(n) {
  return n === 0 ? undefined : Object.fromEntries(PAIRS.slice(0, n));
}

export const pairsLabel = (n) => (n === 0 ? 'no context' : `${n} pairs`);

const HEADER_LEN = 84; // envelope v1 header (vectors/FORMAT.md §1), bound into the AAD

/**
 * The AAD envelope v1 authenticates for a context (header ‖ canonical context, vectors/FORMAT.md
 * §3), computed once: the raw baseline pays for AES-GCM over those bytes, not for building them.
 */
export function baselineAad(ctx) {
  const enc = new TextEncoder();
  const pairs = Object.entries(ctx ?? {})
    .map(([k, v]) => [enc.encode(k), enc.encode(v)])
    .sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts = [Buffer.alloc(HEADER_LEN, 0x4b), u32(pairs.length)];
  for (const [k, v] of pairs) parts.push(u32(k.length), k, u32(v.length), v);
  return Buffer.concat(parts);
}

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
