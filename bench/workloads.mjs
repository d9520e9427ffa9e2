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

/** Blobs of the many-keys workload, the same pool for every number of keys (keySet below). */
export const BLOB_POOL = 10_000;

/**
 * The many-keys workload (ReEncrypt 4 KiB, 2 pairs), shared by run.mjs section 2 and
 * young-gen.mjs: `count` keys in a Kms made by `makeKms`, and BLOB_POOL blobs of `plaintext`
 * under `context`, every key having one while there are fewer keys than blobs and the rest under
 * random keys. Both key counts get the same pool: 10,000 blobs are 40 MB that no cache holds,
 * and a random one of them costs ~3.5 µs more per call than one of 10 whatever the number of keys
 * (measured on 10 keys, 10 vs 10,000 blobs). With the pool the same, the 10 vs 10^5 rows differ
 * only in the number of keys, which is what their target is about.
 * `hot`: one blob under the first key, to the second; `random`: a random blob, to a random key.
 */
export async function keySet(makeKms, count, plaintext, context) {
  const kms = makeKms();
  const pick = (xs) => xs[(Math.random() * xs.length) | 0];
  const req = (blob, dst) => ({ CiphertextBlob: blob, DestinationKeyId: dst, SourceEncryptionContext: context, DestinationEncryptionContext: context });
  const ids = [];
  for (let i = 0; i < count; i++) ids.push((await kms.createKey()).KeyMetadata.KeyId);
  const blobs = [];
  for (let i = 0; i < BLOB_POOL; i++) blobs.push((await kms.encrypt({ KeyId: i < count ? ids[i] : pick(ids), Plaintext: plaintext, EncryptionContext: context })).CiphertextBlob);
  const hot = (await kms.encrypt({ KeyId: ids[0], Plaintext: plaintext, EncryptionContext: context })).CiphertextBlob;
  const hotDst = ids[1 % count];
  return {
    hot: () => kms.reEncrypt(req(hot, hotDst)),
    random: () => kms.reEncrypt(req(pick(blobs), pick(ids))),
    /**
     * Uses every key once, as a long-running process has: each key the destination of one
     * ReEncrypt, from the blobs in turn (so every key with a blob is a source too). Without it
     * a row over 10^5 keys spends most of its calls on keys' first uses (key objects made,
     * per-key state promoted), one-time work the 10-key row did in its warm-up.
     */
    async useEveryKey() {
      for (let i = 0; i < ids.length; i++) await kms.reEncrypt(req(blobs[i % blobs.length], ids[i]));
    },
  };
}
