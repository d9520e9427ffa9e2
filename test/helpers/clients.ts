/**
 * Other people's KMS clients for the endpoint tests: the AWS CLI executables on this machine
 * and Python's boto3, run as child processes that do not block the event loop (the server under
 * test runs in the test's process).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';

/** The distinct AWS CLI executables: `command -v aws`, then Debian's /usr/bin/aws. */
export function findAwsClis(): string[] {
  const found: string[] = [];
  try {
    const p = execFileSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).trim();
    if (p) found.push(p);
  } catch {
    // not on PATH
  }
  if (existsSync('/usr/bin/aws')) found.push('/usr/bin/aws');
  const seen = new Set<string>();
  return found.filter((p) => {
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      return false;
    }
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

/** Whether `python3 -c 'import boto3'` works. */
export function hasBoto3(): boolean {
  try {
    execFileSync('python3', ['-c', 'import boto3'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** The environment without the caller's AWS_* variables, plus `vars`. */
export function cleanEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return { ...env, AWS_PAGER: '', AWS_CLI_AUTO_PROMPT: 'off', AWS_EC2_METADATA_DISABLED: 'true', ...vars };
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, cwd, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
