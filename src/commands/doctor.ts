/** `layerbench doctor`: can a run proceed here, and if not, what to fix. */
import { spawnSync } from 'node:child_process';
import { existsSync, statfsSync } from 'node:fs';
import { request } from 'node:https';
import { BASE_CATALOG } from '../bases/base-catalog.js';
import { cliCanBuild, describeCliBuild } from '../engine/cli/docker-cli.js';
import type { DockerEngine, EngineFacts } from '../engine/docker-engine.js';
import { RUN_LABEL } from '../engine/labels.js';
import { DaemonUnavailableError, ExitCode } from '../errors.js';
import { chooseIndex } from '../package-index/package-index.js';
import { formatBytes } from '../format.js';
import { stateDirectory } from '../scratch-parent.js';
import { RunRegistry } from '../run/run-registry.js';
import type { CliIo } from './cli-io.js';
import { defineCommand } from './command-module.js';
import { jsonOption } from './shared-options.js';

type Verdict = 'ok' | 'warn' | 'fail';
interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
}

const LOW_DISK_BYTES = 10e9;

export async function doctorCommand(engine: DockerEngine, json: boolean, io: CliIo, registry = new RunRegistry(stateDirectory(io.env))): Promise<number> {
  const checks: Check[] = [];
  let facts: EngineFacts | undefined;
  try {
    await engine.system.ping();
    facts = await engine.system.facts();
    checks.push({ name: 'daemon', verdict: 'ok', detail: `answers at ${engine.endpoint}` });
  } catch (err) {
    const hint = err instanceof DaemonUnavailableError ? ` ${err.hint ?? ''}` : '';
    checks.push({ name: 'daemon', verdict: 'fail', detail: `${(err as Error).message}${hint}` });
  }
  if (facts !== undefined) {
    checks.push({ name: 'engine', verdict: 'ok', detail: `Docker Engine ${facts.engineVersion}, API ${facts.apiVersion}, ${facts.os}` });
    checks.push({ name: 'storage driver', verdict: facts.storageDriver === 'overlay2' ? 'ok' : 'warn', detail: facts.storageDriver });
    checks.push({ name: 'machine', verdict: 'ok', detail: `${facts.cpus} cores, ${formatBytes(facts.memoryBytes)} memory` });
    checks.push(diskCheck(facts.dockerRootDir));
    checks.push({ name: 'BuildKit', verdict: facts.buildkitSupported ? 'ok' : 'warn', detail: facts.buildkitSupported ? 'available through the API (builder: buildkit)' : 'not available: only builder: classic' });
    checks.push({ name: 'default builder', verdict: 'ok', detail: `${facts.defaultBuilder.builder}: ${facts.defaultBuilder.why}` });
    const cli = await engine.system.dockerCli();
    checks.push({
      name: 'build driver',
      verdict: 'ok',
      detail:
        cli === undefined ? 'api: no docker CLI found, layerbench sends builds through the Engine API'
        : `cli: ${describeCliBuild(cli, 'classic')}${cliCanBuild(cli, 'buildkit') ? `; ${describeCliBuild(cli, 'buildkit')}` : '; BuildKit through the API (the CLI has no buildx)'}`,
    });
    checks.push(runsCheck(registry, facts.id));
    checks.push(await freshHostCheck(engine));
    const canBootstrap = process.getuid?.() === 0 && (hasCommand('debootstrap') || hasCommand('apt-get'));
    const hubAnswers = await registryReachable();
    for (const base of Object.values(BASE_CATALOG)) {
      const present = (await engine.images.inspect(base.publicImage)) ? base.publicImage : (await engine.images.inspect(base.bootstrap.image)) ? base.bootstrap.image : undefined;
      checks.push(
        present !== undefined ? { name: `base ${base.name}`, verdict: 'ok', detail: `present: ${present}` }
        : hubAnswers ? { name: `base ${base.name}`, verdict: 'ok', detail: `will be pulled: ${base.publicImage}` }
        : canBootstrap ? { name: `base ${base.name}`, verdict: 'ok', detail: `cannot be pulled; will be bootstrapped as ${base.bootstrap.image} (about a minute; \`layerbench bootstrap\` does it now)` }
        : { name: `base ${base.name}`, verdict: 'fail', detail: `not present, cannot be pulled, and bootstrapping needs root with debootstrap or apt-get` },
      );
    }
  }
  const index = await chooseIndex();
  checks.push(
    index.mode === 'pypi' ? { name: 'package index', verdict: 'ok', detail: 'PyPI is reachable' }
    : index.mode === 'local' ? { name: 'package index', verdict: 'ok', detail: `PyPI unreachable; local index served to builds on 127.0.0.1: ${index.directories.join(', ')}` }
    : { name: 'package index', verdict: 'fail', detail: 'PyPI unreachable and pip has no local (file://) index configured: pip steps will fail' },
  );

  const canRun = checks.every((c) => c.verdict !== 'fail');
  if (json) {
    io.stdout.write(`${JSON.stringify({ canRun, checks }, null, 2)}\n`);
  } else {
    const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
    for (const check of checks) io.stdout.write(`${mark[check.verdict]}  ${check.name.padEnd(24)} ${check.detail}\n`);
    io.stdout.write(canRun ? '\nA run can proceed.\n' : '\nA run cannot proceed: fix the FAIL lines above.\n');
  }
  return canRun ? ExitCode.ok : ExitCode.environment;
}

/** A run already building on this daemon: a new one would be refused (and would measure it). */
function runsCheck(registry: RunRegistry, daemonId: string): Check {
  const holder = registry.holderOf(daemonId);
  if (holder !== undefined) {
    return { name: 'runs in progress', verdict: 'fail', detail: `run ${holder.runId} (process ${holder.pid}, started ${holder.startedAt}) is building on this daemon; a new run waits for it (or --concurrent)` };
  }
  const others = registry.runs().filter((run) => run.alive);
  return others.length === 0
    ? { name: 'runs in progress', verdict: 'ok', detail: 'none' }
    : { name: 'runs in progress', verdict: 'warn', detail: `${others.map((r) => `run ${r.runId} (process ${r.pid})`).join(', ')} running concurrently` };
}

/** How `layerbench pull` will run its Docker-in-Docker fresh hosts here. */
async function freshHostCheck(engine: DockerEngine): Promise<Check> {
  const image = (await Promise.all(Object.values(BASE_CATALOG).flatMap((b) => [b.publicImage, b.bootstrap.image]).map(async (ref) => ((await engine.images.inspect(ref)) === undefined ? [] : [ref])))).flat()[0];
  if (image === undefined) return { name: 'pull: fresh hosts', verdict: 'ok', detail: 'not probed yet (no base image here; `layerbench bootstrap` makes one)' };
  // labelled as a run of its own: should doctor die mid-probe, `clean` removes the container
  const probe = await engine.containers.privilegedWorks(image, { [RUN_LABEL]: `doctor-${process.pid}` });
  return probe.works
    ? { name: 'pull: fresh hosts', verdict: 'ok', detail: 'privileged containers work: Docker-in-Docker runs --privileged' }
    : { name: 'pull: fresh hosts', verdict: 'ok', detail: `privileged containers fail here (${probe.reason.replace(/^.*unable to start container process: /, '').replace(/: unknown$/, '')}); Docker-in-Docker runs with SYS_ADMIN, NET_ADMIN, MKNOD, seccomp and apparmor unconfined` };
}

function diskCheck(root: string): Check {
  if (!existsSync(root)) return { name: 'disk', verdict: 'ok', detail: `Docker root ${root} is not on this machine (remote daemon)` };
  const stats = statfsSync(root);
  const free = stats.bavail * stats.bsize;
  return { name: 'disk', verdict: free < LOW_DISK_BYTES ? 'warn' : 'ok', detail: `${formatBytes(free)} free under ${root}${free < LOW_DISK_BYTES ? ' (a run needs several GB)' : ''}` };
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Whether Docker Hub answers from here (401 counts: it answered). */
function registryReachable(timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request('https://registry-1.docker.io/v2/', { method: 'GET', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(true);
    });
    probe.on('timeout', () => probe.destroy(new Error('timeout')));
    probe.on('error', () => resolve(false));
    probe.end();
  });
}

export const doctorModule = defineCommand({
  command: 'doctor',
  describe: 'Check this machine: daemon, engine, disk, BuildKit, runs in progress, base images, package index',
  builder: (y) => y.option('json', jsonOption('print the checks as JSON')).example('$0 doctor', 'exit 0 when a run can proceed'),
  handler: (args, { engine, io }) => doctorCommand(engine(), args.json, io),
});
