/**
 * A modern engine for the specs and `npm run bench:overhead`: Debian trixie's Docker Engine 26.1 (API 1.45, BuildKit by
 * default) as Docker in Docker, from the image scripts/setup-modern-engine.sh makes.
 *
 * It runs in the host's network namespace, so that its builds (with the host network) reach
 * what layerbench serves on 127.0.0.1, and the ports its containers publish answer on
 * 127.0.0.1 (docker-proxy). Its daemon has a bridge of its own (made by the entrypoint, named
 * `lbme<hex>`, gone when the engine stops; docker0 stays the host daemon's), no iptables, its
 * data root on a labelled volume, and its socket and exec-root in a folder under the system's
 * temporary directory, bind-mounted at the same path: the host reaches it as
 * `unix://<folder>/docker.sock`.
 *
 *   const engine = await startModernEngine();
 *   if ('skipped' in engine) …                 // the image cannot be made here: say why
 *   else { runCli([...], { DOCKER_HOST: engine.dockerHost }); …; await engine.stop(); }
 *
 * The container and the volume carry a run label (`layerbench.run=<id>`) and the run is
 * recorded as alive while this process lives, so `layerbench clean` leaves a running engine
 * alone and removes a dead one's container, volume and folder. stop() also runs on SIGINT,
 * SIGTERM and process exit; a bridge left by an engine that was killed is removed by the next
 * start.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { scratchParent } from '../scratch-parent.js';
import { fileURLToPath } from 'node:url';
import { RUN_LABEL } from '../engine/labels.js';
import { newRunId } from '../run/run-id.js';
import { processStartOf, RunRegistry } from '../run/run-registry.js';

export const MODERN_ENGINE_IMAGE = process.env['LAYERBENCH_MODERN_ENGINE_IMAGE'] ?? 'layerbench/modern-engine:26';
/** The label the image's containers and volumes carry besides the run's. */
export const MODERN_ENGINE_ROLE = 'layerbench.role';
const BRIDGE_LABEL = 'layerbench.modern-engine.bridge';
const BRIDGE_PATTERN = /^lbme[0-9a-f]{8}$/;
const SETUP_SCRIPT = fileURLToPath(new URL('../../scripts/setup-modern-engine.sh', import.meta.url));

export type DindMode = 'capabilities' | 'privileged';

export interface ModernEngine {
  /** `unix://<folder>/docker.sock` */
  dockerHost: string;
  socketPath: string;
  /** the daemon's version, e.g. `26.1.5+dfsg1` */
  version: string;
  /** the daemon's API version, e.g. `1.45` */
  apiVersion: string;
  /** the run id its container and volume are labelled with */
  runId: string;
  /** the engine's container on the host daemon */
  container: string;
  volume: string;
  bridge: string;
  folder: string;
  mode: DindMode;
  /** how long it took from `docker run` until the daemon answered, in ms */
  startMs: number;
  /** Removes the inner containers and networks, the container, its volume, the bridge and the folder. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  image?: string;
  /** until the inner daemon answers; 90 s by default */
  timeoutMs?: number;
  /** run scripts/setup-modern-engine.sh when the image is absent (default true) */
  make?: boolean;
  /** `auto` (default): the capabilities Docker in Docker needs, else --privileged */
  mode?: DindMode | 'auto';
  /** progress lines (the set-up's, the start's); silent by default */
  say?: (line: string) => void;
}

export async function startModernEngine(options: StartOptions = {}): Promise<ModernEngine | { skipped: string }> {
  const image = options.image ?? MODERN_ENGINE_IMAGE;
  const say = options.say ?? ((): void => {});
  if (process.platform !== 'linux') return { skipped: 'the modern engine runs as Docker in Docker in the host\'s network namespace: Linux only' };
  // the host's daemon, as this process names it now (a spec may point DOCKER_HOST elsewhere later)
  const host = process.env['DOCKER_HOST'];
  const outer = (args: string[]): Promise<string> => docker(args, hostEnv(host));
  const hostDaemon = await outer(['info', '--format', '{{.ID}}']).catch((err: Error) => err);
  if (hostDaemon instanceof Error) return { skipped: `no Docker daemon answers the docker CLI (${firstLine(hostDaemon.message)})` };

  if (!(await imageExists(outer, image))) {
    if (options.make === false) return { skipped: `the image ${image} is absent; scripts/setup-modern-engine.sh makes it` };
    say(`making ${image} with scripts/setup-modern-engine.sh`);
    const setup = await run('bash', [SETUP_SCRIPT], { ...hostEnv(host), LAYERBENCH_MODERN_ENGINE_IMAGE: image });
    if (!(await imageExists(outer, image))) {
      const why = setup.stderr.split('\n').filter((l) => /skipped:/.test(l)).map((l) => l.replace(/^.*?skipped:\s*/, ''));
      return { skipped: `the image ${image} could not be made: ${why.join('; ') || firstLine(setup.stderr) || `the set-up exited ${setup.code}`}` };
    }
  }
  await sweepStaleBridges(host, image);

  const modes: DindMode[] = options.mode === undefined || options.mode === 'auto' ? ['capabilities', 'privileged'] : [options.mode];
  let failure: Error | undefined;
  for (const mode of modes) {
    try {
      return await startOne(host, image, mode, hostDaemon.trim(), options.timeoutMs ?? 90_000, say);
    } catch (err) {
      failure = err as Error;
      if (modes.length > 1) say(`the modern engine did not start with ${mode}: ${firstLine(failure.message)}`);
    }
  }
  throw failure ?? new Error('the modern engine did not start');
}

async function startOne(host: string | undefined, image: string, mode: DindMode, hostDaemonId: string, timeoutMs: number, say: (line: string) => void): Promise<ModernEngine> {
  const outer = (args: string[]): Promise<string> => docker(args, hostEnv(host));
  const runId = newRunId();
  const name = `layerbench-modern-engine-${runId}`;
  const volume = `${name}-data`;
  const bridge = `lbme${randomBytes(4).toString('hex')}`;
  // clean removes a dead run's `layerbench-<runId>-…` folders; the exec-root's sockets must stay under 108 bytes
  const folder = join(scratchParent(process.env), `layerbench-${runId}-engine`);
  if (folder.length > 64) throw new Error(`the modern engine's folder ${folder} is too long for its sockets: set LAYERBENCH_SCRATCH to a shorter directory`);
  const socketPath = join(folder, 'docker.sock');
  const labels = [RUN_LABEL, runId, MODERN_ENGINE_ROLE, 'modern-engine'];
  const registry = new RunRegistry();

  mkdirSync(folder, { recursive: true, mode: 0o755 });
  registry.register(
    {
      runId,
      pid: process.pid,
      processStart: processStartOf('self'),
      startedAt: new Date().toISOString(),
      daemonId: hostDaemonId,
      endpoint: host ?? 'unix:///var/run/docker.sock',
      scratch: folder,
      indexPort: null,
    },
    false,
  );
  const parts: Parts = { host, runId, container: name, volume, bridge, folder, socketPath, image, registry };
  const stop = once(() => removeEngine(parts));
  const handle = { stop, parts };
  live.add(handle);
  watchSignals();
  try {
    await outer(['volume', 'create', '--label', `${labels[0]}=${labels[1]}`, '--label', `${labels[2]}=${labels[3]}`, volume]);
    const privileges =
      mode === 'privileged'
        ? ['--privileged']
        : ['--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_ADMIN', '--cap-add', 'MKNOD', '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined'];
    const started = Date.now();
    await outer([
      'run', '--detach', '--name', name,
      '--label', `${labels[0]}=${labels[1]}`, '--label', `${labels[2]}=${labels[3]}`, '--label', `${BRIDGE_LABEL}=${bridge}`,
      ...privileges,
      '--cgroupns', 'private',
      '--network', 'host',
      '--volume', `${volume}:/var/lib/docker`,
      '--volume', `${folder}:${folder}`,
      '--env', `LAYERBENCH_ENGINE_DIR=${folder}`,
      '--env', `LAYERBENCH_BRIDGE=${bridge}`,
      '--stop-timeout', '20',
      image,
      // the socket's group: the user's, so that a member of the docker group reaches it too
      '--group', String(process.getgid?.() ?? 0),
      '--shutdown-timeout', '3',
    ]);
    await waitUntilAnswers(host, name, socketPath, timeoutMs);
    const startMs = Date.now() - started;
    const version = JSON.parse((await engineRequest(socketPath, 'GET', '/version')).body) as { Version: string; ApiVersion: string };
    say(`modern engine ${version.Version} (API ${version.ApiVersion}) answers at unix://${socketPath} after ${startMs} ms`);
    return { dockerHost: `unix://${socketPath}`, socketPath, version: version.Version, apiVersion: version.ApiVersion, runId, container: name, volume, bridge, folder, mode, startMs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitUntilAnswers(host: string | undefined, container: string, socketPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastCheck = 0;
  for (;;) {
    const ping = await engineRequest(socketPath, 'GET', '/_ping', 2_000).catch(() => undefined);
    if (ping?.status === 200) return;
    if (Date.now() - lastCheck > 1_000) {
      lastCheck = Date.now();
      const state = await docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container], hostEnv(host)).catch(() => 'gone');
      if (!state.startsWith('running')) throw new Error(`the modern engine's container stopped before its daemon answered (${state.trim()}); its log ends:\n${await logTail(host, container)}`);
    }
    if (Date.now() > deadline) throw new Error(`the modern engine's daemon did not answer at unix://${socketPath} within ${Math.round(timeoutMs / 1000)} s; its log ends:\n${await logTail(host, container)}`);
    await sleep(200);
  }
}

interface Parts {
  /** the host daemon's DOCKER_HOST when the engine started */
  host: string | undefined;
  runId: string;
  container: string;
  volume: string;
  bridge: string;
  folder: string;
  socketPath: string;
  image: string;
  registry: RunRegistry;
}

async function removeEngine(parts: Parts): Promise<void> {
  try {
    // what ran inside first: its containers would hold the daemon's shutdown, its networks' bridges live in the host's namespace
    const listed = await engineRequest(parts.socketPath, 'GET', '/containers/json?all=1', 5_000).catch(() => undefined);
    const inner = listed?.status === 200 ? (JSON.parse(listed.body) as { Id: string }[]) : [];
    await Promise.all(inner.map((c) => engineRequest(parts.socketPath, 'DELETE', `/containers/${c.Id}?force=1&v=1`, 20_000).catch(() => undefined)));
    await engineRequest(parts.socketPath, 'POST', '/networks/prune', 10_000).catch(() => undefined);
    // SIGTERM: the entrypoint stops dockerd, removes the bridge and empties the folder
    const outer = (args: string[]): Promise<unknown> => docker(args, hostEnv(parts.host)).catch(() => undefined);
    await outer(['stop', '--time', '20', parts.container]);
    await outer(['rm', '--force', '--volumes', parts.container]);
    await outer(['volume', 'rm', '--force', parts.volume]);
    if (bridgeExists(parts.bridge)) removeBridges(parts.host, [parts.bridge], parts.image);
    removeFolder(parts.host, parts.folder, parts.image);
    parts.registry.unregister(parts.runId);
  } finally {
    for (const handle of live) if (handle.parts === parts) live.delete(handle);
    if (live.size === 0) unwatchSignals();
  }
}

/** The same, synchronously: for process exit, when stop() was not awaited. */
function removeEngineNow(parts: Parts): void {
  const env = hostEnv(parts.host);
  spawnSync('docker', ['rm', '--force', '--volumes', parts.container], { stdio: 'ignore', env });
  spawnSync('docker', ['volume', 'rm', '--force', parts.volume], { stdio: 'ignore', env });
  if (bridgeExists(parts.bridge)) removeBridges(parts.host, [parts.bridge], parts.image);
  removeFolder(parts.host, parts.folder, parts.image);
  parts.registry.unregister(parts.runId);
}

/** Bridges `lbme<hex>` whose engine container is gone (killed, or removed by `layerbench clean`). */
async function sweepStaleBridges(host: string | undefined, image: string): Promise<void> {
  const bridges = hostBridges().filter((b) => BRIDGE_PATTERN.test(b));
  if (bridges.length === 0) return;
  const owned = new Set(
    (await docker(['ps', '--filter', `label=${BRIDGE_LABEL}`, '--format', `{{.Label "${BRIDGE_LABEL}"}}`], hostEnv(host)).catch(() => '')).split('\n').filter(Boolean),
  );
  const stale = bridges.filter((b) => !owned.has(b));
  if (stale.length > 0) removeBridges(host, stale, image);
}

function hostBridges(): string[] {
  const listed = spawnSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' });
  if (listed.status === 0) return [...listed.stdout.matchAll(/^\d+:\s+([^:@\s]+)/gm)].map((m) => m[1] ?? '');
  // no iproute2 on the host: sysfs lists the same
  const sys = spawnSync('ls', ['/sys/class/net'], { encoding: 'utf8' });
  return sys.status === 0 ? sys.stdout.split('\n').filter(Boolean) : [];
}

function bridgeExists(bridge: string): boolean {
  return spawnSync('test', ['-e', `/sys/class/net/${bridge}`]).status === 0;
}

function removeBridges(host: string | undefined, bridges: string[], image: string): void {
  for (const bridge of bridges) {
    if (!BRIDGE_PATTERN.test(bridge)) continue;
    if (process.getuid?.() === 0 && spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' }).status === 0) continue;
    // not root (or no ip here): the image's own ip, in the host's network namespace
    spawnSync('docker', ['run', '--rm', '--network', 'host', '--cap-add', 'NET_ADMIN', '--entrypoint', 'ip', image, 'link', 'del', bridge], { stdio: 'ignore', env: hostEnv(host) });
  }
}

function removeFolder(host: string | undefined, folder: string, image: string): void {
  try {
    rmSync(folder, { recursive: true, force: true });
  } catch {
    // what root left in it (an engine that was killed): removed by a container of the image
    spawnSync('docker', ['run', '--rm', '--volume', `${folder}:/gone`, '--entrypoint', 'sh', image, '-c', 'rm -rf /gone/* /gone/.[!.]*'], { stdio: 'ignore', env: hostEnv(host) });
    rmSync(folder, { recursive: true, force: true });
  }
}

// --- stop() on signals and exit ----------------------------------------------------------

const live = new Set<{ stop: () => Promise<void>; parts: Parts }>();
let watching = false;
let exitWatched = false;

function onSignal(signal: NodeJS.Signals): void {
  unwatchSignals();
  const stops = Promise.allSettled([...live].map((h) => h.stop()));
  void Promise.race([stops, sleep(45_000)]).then(() => {
    // nobody else handles it: end as the signal would have
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function onExit(): void {
  for (const handle of [...live]) removeEngineNow(handle.parts);
  live.clear();
}

function watchSignals(): void {
  if (!exitWatched) {
    exitWatched = true;
    // does nothing once every engine is stopped
    process.on('exit', onExit);
  }
  if (watching) return;
  watching = true;
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

function unwatchSignals(): void {
  if (!watching) return;
  watching = false;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
}

// --- talking to the daemons ---------------------------------------------------------------

export interface EngineResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to a daemon's unix socket (`/_ping`'s headers say the API version and the default builder). */
export function engineRequest(socketPath: string, method: string, path: string, timeoutMs = 10_000): Promise<EngineResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} on ${socketPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The socket path of a `unix://` DOCKER_HOST. */
export function socketOf(dockerHost: string): string {
  if (!dockerHost.startsWith('unix://')) throw new Error(`not a unix socket: ${dockerHost}`);
  return dockerHost.slice('unix://'.length);
}

/**
 * A tiny image on the engine, made from its own root: perl and what it links (about 11 MB),
 * no pull. TINY_HTTP_SERVER runs in it: an HTTP server on port 8000 that answers `ok`.
 */
export async function importTinyImage(engine: Pick<ModernEngine, 'container' | 'dockerHost'>, tag: string, host = process.env['DOCKER_HOST']): Promise<void> {
  const script = `tar -ch $(ldd /usr/bin/perl | grep -o '/[^ ]*') /usr/bin/perl /usr/lib/*-linux-gnu/perl-base 2>/dev/null | docker -H '${engine.dockerHost}' import --change 'LABEL layerbench.image=tiny' - '${tag}'`;
  await docker(['exec', engine.container, 'sh', '-c', script], hostEnv(host));
}

export const TINY_HTTP_SERVER = [
  '/usr/bin/perl',
  '-MIO::Socket::INET',
  '-e',
  '$s = IO::Socket::INET->new(LocalPort => 8000, Listen => 5, ReuseAddr => 1) or die "listen: $!"; ' +
    'while ($c = $s->accept) { while (<$c>) { last if /^\\r?$/ } print $c "HTTP/1.0 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nok\\n"; close $c }',
];

/** The environment with DOCKER_HOST as given (absent: the default socket). */
export function hostEnv(dockerHost: string | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (dockerHost === undefined) delete env['DOCKER_HOST'];
  else env['DOCKER_HOST'] = dockerHost;
  return env;
}

/** The docker CLI in `env` (this process's environment by default). */
export function docker(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return run('docker', args, env).then((outcome) => {
    if (outcome.code !== 0) throw new Error(`docker ${args.slice(0, 2).join(' ')} failed (exit ${outcome.code}): ${outcome.stderr.trim()}`);
    return outcome.stdout;
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127;
      resolve({ code, stdout, stderr: err !== null && stderr === '' ? err.message : stderr });
    });
  });
}

async function imageExists(outer: (args: string[]) => Promise<string>, image: string): Promise<boolean> {
  return outer(['image', 'inspect', '--format', '{{.Id}}', image]).then(
    () => true,
    () => false,
  );
}

async function logTail(host: string | undefined, container: string): Promise<string> {
  const logs = await run('docker', ['logs', '--tail', '15', container], hostEnv(host));
  return `${logs.stdout}${logs.stderr}`.trim() || '(no log)';
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => (pending ??= fn());
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';

/**
 * Puts an image of the host's daemon onto another engine (`docker save | docker load`), as a
 * user would carry a base over; skipped when that engine has it. Its bases cannot be pulled
 * there either, and bootstrapping them again would take minutes.
 */
export async function copyImageTo(reference: string, target: NodeJS.ProcessEnv, say: (line: string) => void = () => {}, host = process.env['DOCKER_HOST']): Promise<void> {
  if (await imageExists((args) => docker(args, target), reference)) return;
  say(`copying ${reference} to ${target['DOCKER_HOST'] ?? 'the default daemon'} (docker save | docker load)`);
  await new Promise<void>((resolve, reject) => {
    const save = spawn('docker', ['save', reference], { env: hostEnv(host), stdio: ['ignore', 'pipe', 'pipe'] });
    const load = spawn('docker', ['load', '--quiet'], { env: target, stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    save.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    load.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    save.stdout.pipe(load.stdin);
    save.once('error', reject);
    load.once('error', reject);
    load.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker load of ${reference} failed (exit ${code}): ${errors.trim()}`))));
  });
}
