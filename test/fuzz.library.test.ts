/**
 * Fuzz suite, library API (issue 12, Acceptance): random request objects per operation, built
 * from the model's input shapes and laced with hostile values (wrong types, nulls, huge values,
 * Proxies, getters, prototype tricks, a polluted Object.prototype), against a Kms holding real
 * keys, aliases, grants and ciphertexts. Every outcome must be success or an AWS-named
 * client-fault KmsError: never a bare Error, a server fault, or a hang. Mutated ciphertext blobs
 * must never decrypt.
 *
 * Size: FUZZ_RUNS cases per target (default small, for `npm test`; `npm run fuzz` runs 10^5).
 * Reproduce with FUZZ_SEED=<seed>.
 */
import { describe, expect, test } from 'vitest';
import { Kms, KmsError, type KeyMetadata } from '../src/index.js';
import { IMPLEMENTED_OPERATIONS } from '../src/operations/table.js';
import { lowerFirst } from '../src/util/bytes.js';
import { Rng, caseTags, fuzzRuns, fuzzSeed, mutate, singlePoint, valid, wrap, type World } from './fuzz/gen.js';
import { Findings, describeValue, judgeLibrary, settle, type Verdict } from './fuzz/outcome.js';

const RUNS = fuzzRuns(400);
const SEED = fuzzSeed();
/** The test's own bound grows with its size (a few ms per case at most on a loaded machine). */
const BOUND = 60_000 + RUNS * 9;
const ROLE = 'arn:aws:iam::111122223333:role/App';

async function makeWorld(rng: Rng): Promise<{ kms: Kms; world: World; sym: KeyMetadata }> {
  const kms = new Kms();
  const sym = (await kms.createKey({ Description: 'fuzz' })).KeyMetadata!;
  const other = (await kms.createKey({})).KeyMetadata!;
  await kms.createAlias({ AliasName: 'alias/fuzz', TargetKeyId: sym.KeyId! });
  const grant = await kms.createGrant({ KeyId: sym.KeyId!, GranteePrincipal: ROLE, Operations: ['Decrypt', 'Encrypt', 'RetireGrant'], Constraints: { EncryptionContextSubset: { tenant: 'acme' } } });
  const blobs = [
    (await kms.encrypt({ KeyId: sym.KeyId!, Plaintext: rng.bytes(32) })).CiphertextBlob!,
    (await kms.encrypt({ KeyId: other.KeyId!, Plaintext: rng.bytes(5), EncryptionContext: { tenant: 'acme' } })).CiphertextBlob!,
  ];
  const world: World = {
    keyIds: [sym.KeyId!, other.KeyId!],
    keyArns: [sym.Arn!, other.Arn!],
    aliasNames: ['alias/fuzz'],
    aliasArns: [`arn:aws:kms:us-east-1:111122223333:alias/fuzz`],
    blobs,
    grantTokens: [grant.GrantToken!],
    grantIds: [grant.GrantId!],
    principals: [ROLE, 'arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'],
  };
  return { kms, world, sym };
}

const POLLUTE = ['KeyId', 'tenant', 'Plaintext', 'GrantTokens', 'DryRun', 'EncryptionContext', 'CiphertextBlob'];

describe('fuzz: library API', () => {
  test(`hostile request objects for every operation (${RUNS} cases) end in success or an AWS-named client-fault KmsError`, async () => {
    const rng = new Rng(SEED);
    const findings = new Findings();
    let env = await makeWorld(rng);
    for (let i = 0; i < RUNS; i++) {
      if (i % 300 === 299) env = await makeWorld(rng);
      caseTags.clear();
      const op = rng.pick(IMPLEMENTED_OPERATIONS);
      const model = (await import('../src/model/shapes.js')).OPERATIONS[op]!;
      const base = valid(rng, model.input, env.world, '') as Record<string, unknown>;
      const mode = rng.int(20);
      const input = mode < 3 ? wrap(rng, base) : mode < 11 ? singlePoint(rng, base, env.world) : mutate(rng, base, env.world, rng.pick([0, 0.05, 0.2]));
      const caller = rng.chance(0.2) ? env.kms.as(ROLE) : env.kms;
      const polluted = rng.chance(0.05) ? rng.pick(POLLUTE) : undefined;
      const method = (caller as unknown as Record<string, (x: unknown) => Promise<unknown>>)[lowerFirst(op)]!;
      let example = '';
      try {
        example = `${op}(${describeValue(input)})${polluted ? ` with Object.prototype.${polluted}` : ''}`;
      } catch {
        example = `${op}(<undescribable>)`;
      }
      if (process.env.FUZZ_TRACE) process.stderr.write(`case ${i}: ${example.slice(0, 200)}\n`);
      if (polluted) (Object.prototype as Record<string, unknown>)[polluted] = rng.pick(['acme', env.world.keyIds[0], true, []]);
      let result;
      try {
        result = await settle(() => method.call(caller, rng.chance(0.02) ? rng.pick([undefined, null, 'x', 1, []]) : input));
      } finally {
        if (polluted) delete (Object.prototype as Record<string, unknown>)[polluted];
      }
      findings.cases++;
      const v = judgeLibrary(result);
      if (v.ok) continue;
      findings.add(op, v, example, SEED, i);
    }
    console.log(findings.report(`fuzz library (seed ${SEED})`));
    expect(findings.list(), findings.report('findings')).toEqual([]);
  }, BOUND);

  test(`mutated ciphertext blobs never decrypt (${RUNS} cases)`, async () => {
    const rng = new Rng(SEED ^ 0x5eed);
    const { kms, world, sym } = await makeWorld(rng);
    const findings = new Findings();
    const contexts: Array<Record<string, string> | undefined> = [undefined, { tenant: 'acme' }, { a: 'b', c: 'd' }];
    const originals = await Promise.all(
      contexts.map(async (ctx) => ({ ctx, blob: (await kms.encrypt({ KeyId: sym.KeyId!, Plaintext: rng.bytes(1 + rng.int(64)), ...(ctx ? { EncryptionContext: ctx } : {}) })).CiphertextBlob! })),
    );
    for (let i = 0; i < RUNS; i++) {
      const { ctx, blob } = rng.pick(originals);
      const m = new Uint8Array(blob);
      let t: Uint8Array = m;
      switch (rng.int(6)) {
        case 0: m[rng.int(m.length)]! ^= 1 << rng.int(8); break;
        case 1: m[rng.int(m.length)] = rng.int(256); break;
        case 2: t = m.subarray(0, rng.int(m.length)); break;
        case 3: t = new Uint8Array([...m, ...rng.bytes(1 + rng.int(8))]); break;
        case 4: { const at = rng.int(m.length); t = new Uint8Array([...m.subarray(0, at), rng.int(256), ...m.subarray(at)]); break; }
        default: { const a = rng.int(m.length); const b = rng.int(m.length); const x = m[a]!; m[a] = m[b]!; m[b] = x; if (m[a] === m[b]) m[a]! ^= 0x80; }
      }
      if (t.length === blob.length && t.every((x, j) => x === blob[j])) continue; // an identity mutation
      findings.cases++;
      const how = rng.int(3);
      const r = await settle(() =>
        how === 0
          ? kms.decrypt({ CiphertextBlob: t, ...(ctx ? { EncryptionContext: ctx } : {}) })
          : how === 1
            ? kms.reEncrypt({ CiphertextBlob: t, DestinationKeyId: world.keyIds[1]!, ...(ctx ? { SourceEncryptionContext: ctx } : {}) })
            : kms.decrypt({ CiphertextBlob: t, KeyId: sym.KeyId!, ...(ctx ? { EncryptionContext: ctx } : {}) }),
      );
      const v = judgeLibrary(r);
      if (!v.ok) findings.add(how === 1 ? 'ReEncrypt' : 'Decrypt', v, `mutation of a ${blob.length}-byte blob`, SEED, i);
      else if (!('error' in r)) findings.add(how === 1 ? 'ReEncrypt' : 'Decrypt', { ok: false, kind: 'tampered blob accepted', detail: 'success' }, Buffer.from(t).toString('hex'), SEED, i);
      else expect((r.error as KmsError).name).not.toBe('');
    }
    console.log(findings.report(`fuzz blobs (seed ${SEED})`));
    expect(findings.list(), findings.report('findings')).toEqual([]);
  }, BOUND);
});

// Minimal reproductions of what the fuzzer found before issue 12's request copy landed (each
// failed then: a KMSInternalException or a run of minutes); now ordinary regression tests.
{
  describe('fuzz findings, fixed by the validated request copy', () => {
    async function fixture() {
      const kms = new Kms();
      const key = (await kms.createKey({})).KeyMetadata!;
      const { CiphertextBlob } = await kms.encrypt({ KeyId: key.KeyId!, Plaintext: new Uint8Array([1]) });
      return { kms, key, CiphertextBlob: CiphertextBlob! };
    }
    const clientFault = async (p: Promise<unknown>) => {
      const v = judgeLibrary(await settle(() => p));
      expect(v).toEqual({ ok: true });
    };

    test('12.3 (fuzz): null in an optional member is absent (decrypt KeyId: null, listAliases KeyId: null)', async () => {
      const { kms, CiphertextBlob } = await fixture();
      await clientFault(kms.decrypt({ CiphertextBlob, KeyId: null as unknown as string }));
      await clientFault(kms.listAliases({ KeyId: null as unknown as string }));
    });

    test('12.1 (fuzz): a getter that answers undefined on its second read is not a server fault', async () => {
      const { kms, key } = await fixture();
      let reads = 0;
      const input = Object.defineProperty({}, 'KeyId', { enumerable: true, get: () => (reads++ === 0 ? key.KeyId : undefined) });
      await clientFault(kms.describeKey(input as { KeyId: string }));
    });

    test('12.1/12.6 (fuzz): a Proxy whose traps throw is a client fault, not KMSInternalException', async () => {
      const { kms } = await fixture();
      const boom = () => {
        throw new Error('trap');
      };
      await clientFault(kms.describeKey(new Proxy({}, { get: boom, ownKeys: boom, has: boom }) as { KeyId: string }));
    });

    test('12.6 (fuzz): eleven null-prototype grant tokens are a ValidationException', async () => {
      const { kms, key } = await fixture();
      await clientFault(kms.describeKey({ KeyId: key.KeyId!, GrantTokens: Array.from({ length: 11 }, () => Object.create(null)) as string[] }));
    });

    test('12.6 (fuzz): an over-long list holding a 5,000-deep nested array is a ValidationException, not a stack overflow', async () => {
      const { kms, key } = await fixture();
      let deepest: unknown = 'x';
      for (let i = 0; i < 5000; i++) deepest = [deepest];
      await clientFault(kms.describeKey({ KeyId: key.KeyId!, GrantTokens: [...Array(10).fill('t'), deepest] as string[] }));
    });

    test('12.6 (fuzz): holes in a list are "must not be null", not silently accepted (a sparse 2^32−1 list is walked for minutes)', async () => {
      const { kms, CiphertextBlob } = await fixture();
      const sparse: string[] = [];
      sparse.length = 1_000_000;
      const r = await settle(() => kms.decrypt({ CiphertextBlob, DryRunModifiers: sparse as never }));
      expect((r.error as KmsError | undefined)?.name).toBe('ValidationException');
    });
  });
}
