/**
 * A build run by the docker CLI, as the user runs it: `docker buildx build` for BuildKit,
 * `DOCKER_BUILDKIT=0 docker build` for the classic builder, on the same context, Dockerfile,
 * tag, build args and target. The timed span is the CLI process, from spawn to exit: its
 * start, its session, its upload, the build and the export — what the user waits for.
 *
 * The per-step trace comes from the CLI's own output: buildx's `--progress=rawjson` (the
 * SolveStatus the API path decodes too), or the classic builder's step lines. The image ID
 * comes from `--iidfile`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildStreamMessage, DecodedBuild } from '../build-trace.js';
import { BuildkitProgressDecoder } from '../buildkit-progress.js';
import { ClassicProgressDecoder } from '../classic-progress.js';
import type { BuildRequest } from '../docker-engine.js';
import type { DockerCli } from './docker-cli.js';
import { SolveStatusReader } from './solve-status-json.js';

/** How long the CLI gets to let go of a build after SIGINT before it is killed. */
const CANCEL_GRACE_MS = 15_000;
const STDERR_TAIL_LINES = 25;

export interface CliBuildOutcome {
  decoded: DecodedBuild;
  wallMs: number;
  /** the CLI's exit code; null when it was killed */
  exitCode: number | null;
  /** the last lines the CLI wrote that were not progress (its own errors) */
  stderrTail: string[];
}

export async function runCliBuild(cli: DockerCli, request: BuildRequest, options: { endpoint: string; now: () => number; env?: NodeJS.ProcessEnv }): Promise<CliBuildOutcome> {
  const scratch = mkdtempSync(join(tmpdir(), 'layerbench-cli-build-'));
  const iidFile = join(scratch, 'image-id');
  try {
    const decoder =
      request.builder === 'buildkit'
        ? new BuildkitProgressDecoder(request.onStep, request.dockerfileModel)
        : new ClassicProgressDecoder(request.onStep, request.onImage, request.dockerfileModel);
    const stderrTail: string[] = [];
    const plainLine = (line: string): void => {
      if (line.trim() === '' || isCliNotice(line)) return;
      if (/^ERROR:|^Error response from daemon|returned a non-zero code/i.test(line)) decoder.push(asError(line), options.now());
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    };
    const rawjson = decoder instanceof BuildkitProgressDecoder ? new SolveStatusReader((status) => decoder.pushStatus(status, options.now()), plainLine) : undefined;
    const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
      if (rawjson !== undefined && stream === 'stderr') rawjson.push(line);
      // the classic builder's step lines, as the Engine streams them
      else if (decoder instanceof ClassicProgressDecoder && stream === 'stdout') decoder.push({ stream: `${line}\n` }, options.now());
      else plainLine(line);
    };
    const startedAt = options.now();
    const exitCode = await spawnBuild(cli.command, buildArguments(request, iidFile), childEnvironment(cli, request.builder, options), request.signal, onLine);
    rawjson?.end();
    const wallMs = options.now() - startedAt;
    const decoded = decoder.finish(options.now());
    const imageId = readImageId(iidFile);
    return { decoded: imageId === undefined || exitCode !== 0 ? decoded : { ...decoded, imageId }, wallMs, exitCode, stderrTail };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The CLI's arguments: what a user would type for this build. */
export function buildArguments(request: BuildRequest, iidFile: string): string[] {
  const args = request.builder === 'buildkit' ? ['buildx', 'build', '--progress=rawjson'] : ['build', '--rm', '--force-rm'];
  args.push('--iidfile', iidFile, '-f', join(request.context.dir, request.dockerfile), '-t', request.tag);
  if (request.hostNetwork) args.push('--network', 'host');
  for (const [key, value] of Object.entries(request.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  if (request.target !== null && request.target !== undefined) args.push('--target', request.target);
  if (request.noCache) args.push('--no-cache');
  args.push(request.context.dir);
  return args;
}

/**
 * The CLI as the user runs it, on the daemon layerbench inspects: its environment as it is
 * where its own endpoint is that daemon; DOCKER_HOST set to it where the CLI would talk to
 * another (a context that points elsewhere).
 */
export function childEnvironment(cli: Pick<DockerCli, 'endpoint'>, builder: BuildRequest['builder'], options: { endpoint: string; env?: NodeJS.ProcessEnv }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' };
  if (cli.endpoint === options.endpoint) return env;
  delete env['DOCKER_CONTEXT'];
  return { ...env, DOCKER_HOST: options.endpoint };
}

function spawnBuild(command: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return resolve(null);
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = (stream: 'stdout' | 'stderr'): ((chunk: Buffer) => void) => {
      let partial = '';
      child[stream].on('end', () => partial !== '' && onLine(partial, stream));
      return (chunk) => {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const part of parts) onLine(part.replace(/\r$/, ''), stream);
      };
    };
    child.stdout.on('data', lines('stdout'));
    child.stderr.on('data', lines('stderr'));
    // Ctrl-C as a user gives it: the CLI cancels the build on the daemon, then exits.
    let killer: NodeJS.Timeout | undefined;
    const cancel = (): void => {
      child.kill('SIGINT');
      killer = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    child.once('error', (err) => {
      signal?.removeEventListener('abort', cancel);
      reject(err);
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', cancel);
      if (killer !== undefined) clearTimeout(killer);
      resolve(code);
    });
  });
}

function readImageId(file: string): string | undefined {
  try {
    const id = readFileSync(file, 'utf8').trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined;
  }
}

/** The CLI's deprecation notice for the classic builder: not the build's output. */
function isCliNotice(line: string): boolean {
  return /^DEPRECATED:|legacy builder is deprecated|BuildKit is currently disabled|Install the buildx component|docs\.docker\.com\/go\/buildx/i.test(line.trim());
}

function asError(line: string): BuildStreamMessage {
  const message = line.replace(/^ERROR:\s*/, '').trim();
  return { error: message, errorDetail: { message } };
}
