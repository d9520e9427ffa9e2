/**
 * The `kms-core` command line (src/cli/main.ts) without a server process: usage, versions and
 * refusals. `serve` itself, with its signals, runs as the real bin in server.crash.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { main } from '../src/cli/main.js';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('kms-core command line', () => {
  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await cli('--version')).toEqual({ code: 0, out: version, err: '' });
  });

  test('help, and usage errors exit 2 with the usage on stderr', async () => {
    const help = await cli('serve', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: kms-core serve \[options\]/);
    expect(help.out).toMatch(/signature\s+itself is not verified/);
    for (const [argv, message] of [
      [[], /^Usage:/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['serve', '--bogus'], /Unknown option '--bogus'/],
      [['serve', '--port', '70000'], /--port must be 0\.\.65535/],
      [['serve', '--port', 'http'], /--port must be 0\.\.65535/],
      [['serve', '--account', '123'], /--account must be 12 digits/],
      [['serve', '--access-key', 'AKID'], /--access-key takes AKID=ACCOUNT/],
      [['serve', 'extra'], /Unexpected argument 'extra'/],
    ] as const) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
  });

  test('Precondition: the defaults are a valid account and region; the port is a port; the region cap a positive integer — a server that cannot start exits 1 and says why', async () => {
    const r = await cli('serve', '--port', '0', '--region', 'nowhere');
    expect(r).toEqual({ code: 1, out: '', err: "kms-core: cannot start: Invalid region 'nowhere'" });
  });
});
