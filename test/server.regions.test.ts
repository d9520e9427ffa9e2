/**
 * Regions chosen by the client (issue 12.4): the SigV4 credential scope's region is accepted only
 * in AWS's form (src/keys/region.ts: at most 32 characters), anything else is AWS's
 * InvalidSignatureException "Credential should be scoped to a valid region, not '…'."; and a
 * server creates a key store (a file, with --data) for at most `maxRegions` distinct regions,
 * refusing the next with LimitExceededException that says so.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { main } from '../src/cli/main.js';
import { isRegionName } from '../src/keys/region.js';
import { startServer, type KmsServer } from '../src/server/http.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await (cleanup.pop() as () => Promise<void>)();
});

async function server(opts: Parameters<typeof startServer>[0] = {}): Promise<{ s: KmsServer; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kms-core-regions-'));
  const s = await startServer({ port: 0, dataDir: dir, ...opts });
  cleanup.push(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { s, dir };
}

async function inRegion(s: KmsServer, region: string, target = 'CreateKey'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(s.url, {
    method: 'POST',
    headers: {
      'x-amz-target': `TrentService.${target}`,
      'content-type': 'application/x-amz-json-1.1',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/${region}/kms/aws4_request, SignedHeaders=host, Signature=00`,
    },
    body: '{}',
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const storeFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.startsWith('keystore.'));

describe('regions from the credential scope', () => {
  test('Precondition: the scope\'s region is a Region name of AWS\'s form, at most 32 characters (it also names a file) — 12.4 a scope region of 250 characters is a 400 that says why, not a 500 (and no file)', async () => {
    const { s, dir } = await server();
    const long = `us-${'a'.repeat(250)}-1`;
    const r = await inRegion(s, long);
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('InvalidSignatureException');
    expect(r.json.message).toBe(`Credential should be scoped to a valid region, not '${long.slice(0, 64)}…'.`);
    expect(await storeFiles(dir)).toEqual([]);
    // 33 characters: one over the model's RegionType max.
    const r33 = await inRegion(s, `us-${'a'.repeat(28)}-1`);
    expect([r33.status, r33.json.__type]).toEqual([400, 'InvalidSignatureException']);
    const ok = await inRegion(s, `us-${'a'.repeat(27)}-1`);
    expect(ok.status).toBe(200);
  });

  test('Precondition: a new region stays within maxRegions (each is a store, and a file with --data) — 12.4 300 made-up regions make at most --max-regions stores; the rest are refused with LimitExceededException', async () => {
    const { s, dir } = await server();
    const statuses = new Map<string, number>();
    let refused: Record<string, unknown> | undefined;
    for (let i = 1; i <= 300; i++) {
      const r = await inRegion(s, `zz-made-${i}`, 'ListKeys');
      const key = `${r.status} ${String(r.json.__type ?? 'ok')}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (r.status !== 200) refused ??= r.json;
    }
    expect(Object.fromEntries(statuses)).toEqual({ '200 ok': 32, '400 LimitExceededException': 268 });
    expect(refused?.message).toBe("This kms-core server serves at most 32 regions (--max-regions) and already serves 32; the credential scope names another: 'zz-made-33'.");
    // Only regions that were given a Kms have a store at all; none is beyond the cap.
    expect((await storeFiles(dir)).length).toBeLessThanOrEqual(32);
    // The admitted regions keep working.
    expect((await inRegion(s, 'zz-made-1')).status).toBe(200);
  });

  test('maxRegions is configurable; the regions already in the data directory count', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-core-regions-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const a = await startServer({ port: 0, dataDir: dir, maxRegions: 2 });
    expect((await inRegion(a, 'eu-west-1')).status).toBe(200);
    expect((await inRegion(a, 'ap-south-1')).status).toBe(200);
    expect((await inRegion(a, 'us-west-2')).json.__type).toBe('LimitExceededException');
    await a.close();
    const b = await startServer({ port: 0, dataDir: dir, maxRegions: 2 });
    cleanup.push(() => b.close());
    expect((await inRegion(b, 'ap-south-1')).status).toBe(200);
    expect((await inRegion(b, 'us-west-2')).json.__type).toBe('LimitExceededException');
    await expect(startServer({ port: 0, maxRegions: 0 })).rejects.toThrow(/Invalid maxRegions/);
  });

  test('the region form: two letters, one or two words, a number, at most 32 characters', () => {
    for (const r of ['us-east-1', 'eu-central-2', 'ap-southeast-5', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-isob-east-1', 'eu-isoe-west-1', 'mx-central-1'])
      expect(isRegionName(r), r).toBe(true);
    for (const r of ['', 'us-east', 'useast-1', 'u-east-1', 'us-east-1a', 'US-EAST-1', 'us--east-1', 'us-a-b-c-1', '../etc-1', 'us-east-1\n', `us-${'a'.repeat(28)}-1`, 42])
      expect(isRegionName(r), String(r)).toBe(false);
  });

  test('kms-core serve --max-regions takes a positive integer', async () => {
    const err: string[] = [];
    const code = await main(['serve', '--max-regions', '0'], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/--max-regions must be a positive integer, not '0'/);
  });
});
