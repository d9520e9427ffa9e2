/**
 * The real `kms-core serve` (bin/kms-core.js → dist/cli) as a child process, and a lean AWS
 * JSON 1.1 client for it: server.crash.test.ts and server.postgres.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin/kms-core.js');

export interface Child {
  proc: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
const clients = new Set<JsonClient>();

/** Starts `kms-core serve --port 0 …args` and waits until it has printed its banner. */
export async function serveBin(args: string[]): Promise<Child> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kms-core did not start in 20 s\nstdout: ${out}\nstderr: ${err}`)), 20_000);
    const check = () => {
      const m = /serving AWS KMS .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('Stop with Ctrl-C')) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    proc.stdout!.on('data', check);
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`kms-core exited (${code ?? signal}) before serving\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  return { proc, url, stdout: () => out, stderr: () => err, exit };
}

/** Runs `kms-core serve …args` expecting it to fail at start; resolves with its exit code and stderr. */
export async function serveFails(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const p = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(p);
  let err = '';
  p.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  children.delete(p);
  return { code, stderr: err };
}

/**
 * A lean AWS JSON 1.1 client with its own keep-alive connections, taking the AWS SDK's command
 * objects (`new EncryptCommand({...})`): on a busy 2-core box the SDK's per-call signing and
 * middleware cost more than the server's work (server.sdk.test.ts covers the SDK itself). Blobs
 * travel as base64; the credential scope names `region`; errors reject with the AWS name.
 */
export class JsonClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });
  constructor(
    readonly url: string,
    private readonly region: string,
  ) {
    clients.add(this);
  }

  // The outputs are what the service's JSON says: typed loosely, checked by the tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async send(command: { input: object; constructor: { name: string } }): Promise<any> {
    const op = command.constructor.name.replace(/Command$/, '');
    const body = JSON.stringify(command.input, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
    const u = new URL(this.url);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `TrentService.${op}`,
            authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/${this.region}/kms/aws4_request, SignedHeaders=host, Signature=0`,
          },
        },
        (res) => {
          let t = '';
          res.setEncoding('utf8').on('data', (d: string) => (t += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const out = JSON.parse(text) as Record<string, unknown>;
    if (status !== 200) throw Object.assign(new Error(String(out.message ?? text)), { name: String(out.__type ?? `HTTP ${status}`) });
    for (const f of ['CiphertextBlob', 'Plaintext']) if (typeof out[f] === 'string') out[f] = new Uint8Array(Buffer.from(out[f] as string, 'base64'));
    return out;
  }

  destroy(): void {
    this.agent.destroy();
    clients.delete(this);
  }
}

/** Ends every client and child process still around (call from afterAll). */
export function cleanup(): void {
  for (const c of clients) c.destroy();
  for (const p of children) p.kill('SIGKILL');
}
