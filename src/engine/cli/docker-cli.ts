/**
 * The docker CLI on this machine, as a build driver: which one, which version, and whether it
 * can build with a builder. BuildKit needs the buildx plugin (a 23+ client refuses BuildKit
 * without it; layerbench reads buildx's `--progress=rawjson`); the classic builder only needs
 * `docker build` with `DOCKER_BUILDKIT=0`.
 */
import { spawn } from 'node:child_process';
import type { Builder } from '../../result/types.js';
import type { DockerCli } from '../docker-engine.js';

export type { DockerCli } from '../docker-engine.js';


const PROBE_TIMEOUT_MS = 10_000;

/**
 * Finds the docker CLI and its buildx plugin; undefined when no `docker` runs here. Asked
 * asynchronously: the caller may serve something (the package index) from this process.
 */
export async function findDockerCli(env: NodeJS.ProcessEnv = process.env, command = env['LAYERBENCH_DOCKER_CLI'] ?? 'docker'): Promise<DockerCli | undefined> {
  const client = await output(command, ['version', '--format', '{{.Client.Version}}'], env);
  // `docker version` exits 1 when no daemon answers, after printing the client's part
  const clientVersion = client.stdout.trim().split('\n')[0]?.trim() ?? '';
  if (client.failedToStart || !/^\d+\.\d+/.test(clientVersion)) return undefined;
  const buildx = await output(command, ['buildx', 'version'], env);
  // `github.com/docker/buildx 0.13.1+ds1 …` or `github.com/docker/buildx v0.13.1 …`
  const buildxVersion = buildx.code === 0 ? (/buildx\s+(v?\d[^\s]*)/.exec(buildx.stdout)?.[1] ?? null) : null;
  const context = env['DOCKER_HOST'] === undefined ? await output(command, ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], env) : undefined;
  const endpoint = env['DOCKER_HOST'] ?? (context?.code === 0 ? context.stdout.trim() || null : null);
  return { command, clientVersion, buildxVersion, endpoint };
}

/** Whether this CLI builds with the builder in a way layerbench can read. */
export function cliCanBuild(cli: DockerCli, builder: Builder): boolean {
  return builder === 'classic' || cli.buildxVersion !== null;
}

/** What the CLI driver runs for a builder, e.g. `docker buildx build (docker 28.2.2, buildx v0.13.1)`. */
export function describeCliBuild(cli: DockerCli, builder: Builder): string {
  return builder === 'buildkit'
    ? `${cli.command} buildx build (docker ${cli.clientVersion}, buildx ${cli.buildxVersion ?? 'missing'})`
    : `DOCKER_BUILDKIT=0 ${cli.command} build (docker ${cli.clientVersion})`;
}

/** The CLI's version as a result records it. */
export function cliVersionOf(cli: DockerCli, builder: Builder): string {
  return builder === 'buildkit' && cli.buildxVersion !== null ? `docker ${cli.clientVersion}, buildx ${cli.buildxVersion}` : `docker ${cli.clientVersion}`;
}

function output(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; failedToStart: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'], timeout: PROBE_TIMEOUT_MS });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.once('error', () => resolve({ code: null, stdout, failedToStart: true }));
    child.once('close', (code) => resolve({ code, stdout, failedToStart: false }));
  });
}
