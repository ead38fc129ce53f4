/** Runs the built CLI as a user would: a child process, NO_COLOR, output and exit code. */
import { spawn, spawnSync } from 'node:child_process';

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliOutcome {
  const outcome = spawnSync('node', ['dist/bin.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: outcome.status, signal: outcome.signal, stdout: outcome.stdout, stderr: outcome.stderr };
}

/** Starts the CLI and resolves when it exits; `onStderr` sees progress as it arrives. */
export function startCli(args: string[], onStderr: (text: string, child: ReturnType<typeof spawn>) => void, env: NodeJS.ProcessEnv = {}): Promise<CliOutcome> {
  const child = spawn('node', ['dist/bin.js', ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    onStderr(stderr, child);
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** IDs of containers carrying the layerbench run label (any run, or one run). */
export function labelledContainers(runId?: string): string[] {
  const filter = runId === undefined ? 'label=layerbench.run' : `label=layerbench.run=${runId}`;
  return spawnSync('docker', ['ps', '-aq', '--filter', filter], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

/** Tags of images runs built (`layerbench-run/<variant>:<runId>…`), of any run or of one. */
export function runImages(runId?: string): string[] {
  const filter = `reference=layerbench-run/*${runId === undefined ? '' : `:${runId}*`}`;
  return spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', filter], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

/** Untagged images that no image builds on: what a build left behind when nothing removed it. */
export function danglingImages(): string[] {
  return spawnSync('docker', ['images', '-q', '--no-trunc', '--filter', 'dangling=true'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

/** Every container on the daemon, labelled or not (to see what a run left). */
export function allContainers(): string[] {
  return spawnSync('docker', ['ps', '-aq', '--no-trunc'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

/** Every image on the daemon, intermediate ones included (to see what a run left). */
export function allImages(): string[] {
  return spawnSync('docker', ['images', '-aq', '--no-trunc'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}
