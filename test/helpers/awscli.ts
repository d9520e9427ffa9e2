/**
 * Driving the AWS CLI against a local endpoint (as test/server.awscli.test.ts does): the
 * distinct `aws` executables of this machine, an environment that points them at nothing but
 * the test's own configuration, and a non-blocking runner.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The distinct AWS CLI executables on this machine (one finder for every CLI test). */
export { findAwsClis as findClis } from './clients.js';

/** The CLI's environment: this process's, without AWS_* settings, plus test credentials and `region`. */
export function cliEnv(home: string, region: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_PAGER: '',
    AWS_CLI_AUTO_PROMPT: 'off',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs a command without blocking the event loop. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
