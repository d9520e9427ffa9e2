/**
 * Seeded keys for `kms-core serve --seed FILE`: keys with known key IDs and key material,
 * aliases, policies, descriptions and tags, created when the server starts, so that a test
 * environment begins with the keys its fixtures name (local-kms's seed file is the precedent:
 * nsmithuk/local-kms README "Seeding"). Node only.
 *
 * This module is the one import for both halves, each in the file named after it:
 *   seed-parse.ts  the seed file's format (README "Seeded keys", examples/seed.json), reading and
 *                  validating it before anything is created; derived KeyMaterialIds
 *   seed-apply.ts  creating the seed's keys and aliases in their stores, idempotently
 */
export { loadSeed, parseSeed, seedMaterialId, type Seed, type SeedAlias, type SeedKey } from './seed-parse.js';
export { applySeed, type ApplySeedOptions } from './seed-apply.js';
