// moto's in-process KMS backend as a bench peer: bench/moto_driver.py --serve in a child
// process, spoken to one JSON line at a time. When python3 cannot import moto, `startMoto`
// answers undefined with the reason, and the bench leaves the moto columns out.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DRIVER = fileURLToPath(new URL('./moto_driver.py', import.meta.url));
const PYTHON = process.env.BENCH_PYTHON ?? 'python3';

/** Why moto cannot run here, or undefined when `python3 -c 'import moto'` works. */
export function motoAbsent() {
  if (process.env.BENCH_NO_MOTO === '1') return 'BENCH_NO_MOTO=1';
  const r = spawnSync(PYTHON, ['-c', 'import moto.kms.models'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${PYTHON}: ${r.error.message}`;
  if (r.status !== 0) return `${PYTHON} -c 'import moto' failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  return undefined;
}

export async function startMoto() {
  const absent = motoAbsent();
  if (absent) return { absent };
  const child = spawn(PYTHON, ['-u', DRIVER, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.resolve(l));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`moto driver exited (${code})`));
  });
  const call = (cmd) =>
    new Promise((resolve, reject) => {
      waiting.push({
        resolve: (l) => {
          const ans = JSON.parse(l);
          if (ans.error) reject(new Error(`moto driver: ${ans.error}`));
          else resolve(ans);
        },
        reject,
      });
      child.stdin.write(JSON.stringify(cmd) + '\n');
    });
  const version = await call({ op: 'version' });
  let seq = 0;
  return {
    version,
    /** Prepares `workload` (see moto_driver.py) and returns its round runner. */
    async workload(workload) {
      const name = `w${seq++}`;
      const { seconds } = await call({ op: 'setup', name, workload });
      return {
        setupSeconds: seconds,
        round: async (n) => (await call({ op: 'round', name, n })).rate,
        drop: () => call({ op: 'drop', name }),
      };
    },
    close() {
      child.stdin.end();
      return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}
