/**
 * The pull experiment's helper containers — the registry and the fresh hosts — started and
 * stopped through testcontainers. testcontainers' reaper (Ryuk) is off: its image cannot be
 * pulled on a closed machine, and layerbench's own labels and disposer stack clean up. Every
 * container carries the run's label; its ports are published on 127.0.0.1 only. What
 * testcontainers throws leaves here as a LayerbenchError (helperFailure).
 */
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { DaemonUnavailableError, DiskFullError, HelperContainerError, LayerbenchError, looksLikeDiskFull } from '../errors.js';
import { dockerHostFrom } from './docker-host.js';

export interface HelperSpec {
  image: string;
  /** the container's name: on a network layerbench created, also its DNS name */
  name: string;
  /** the network (created by the engine, labelled) the container joins, and only it */
  network: string;
  labels: Record<string, string>;
  /** container ports to publish on 127.0.0.1 (random host ports) */
  ports: number[];
  command?: string[];
  /** `privileged`, or the capabilities Docker-in-Docker needs where privileged containers fail */
  mode?: 'plain' | 'privileged' | 'capabilities';
  /** capabilities to add beyond those (e.g. NET_ADMIN, for `tc`) */
  capabilities?: string[];
  /** a cgroup namespace of its own (Docker-in-Docker mounts its cgroups from it) */
  privateCgroupNamespace?: boolean;
  /** `volume:/path` mounts (named volumes the engine created, labelled) */
  volumes?: { volume: string; target: string }[];
  /** ready when a log line matches */
  readyWhenLogs: RegExp;
  startupTimeoutMs?: number;
}

export interface StartedHelper {
  id: string;
  hostPort(containerPort: number): number;
  stop(): Promise<void>;
}

/** Docker-in-Docker without --privileged: what works where root lacks CAP_SYS_RESOURCE. */
const DIND_CAPABILITIES = ['SYS_ADMIN', 'NET_ADMIN', 'MKNOD'];
const DIND_SECURITY = ['seccomp=unconfined', 'apparmor=unconfined'];
const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

export async function startHelper(spec: HelperSpec): Promise<StartedHelper> {
  // Read when testcontainers first asks for its reaper; set before any container starts.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  let container = new LoopbackContainer(spec.image, spec.privateCgroupNamespace === true)
    .withName(spec.name)
    .withNetworkMode(spec.network)
    .withLabels(spec.labels)
    .withExposedPorts(...spec.ports)
    .withWaitStrategy(Wait.forLogMessage(spec.readyWhenLogs))
    .withStartupTimeout(spec.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS)
    .withPullPolicy({ shouldPull: () => false });
  if (spec.command !== undefined) container = container.withCommand(spec.command);
  if (spec.mode === 'privileged') container = container.withPrivilegedMode();
  if (spec.mode === 'capabilities') container = container.withAddedCapabilities(...DIND_CAPABILITIES).withSecurityOpt(...DIND_SECURITY);
  if (spec.capabilities !== undefined && spec.capabilities.length > 0) container = container.withAddedCapabilities(...spec.capabilities);
  if (spec.volumes !== undefined) container = container.withBindMounts(spec.volumes.map((v) => ({ source: v.volume, target: v.target })));
  let started: StartedTestContainer;
  try {
    started = await container.start();
  } catch (err) {
    throw helperFailure(err, spec, 'start');
  }
  return {
    id: started.getId(),
    hostPort: (port) => {
      try {
        return started.getMappedPort(port);
      } catch (err) {
        throw helperFailure(err, spec, 'port');
      }
    },
    stop: async () => {
      try {
        await started.stop({ remove: true, removeVolumes: true, timeout: 5_000 });
      } catch (err) {
        throw helperFailure(err, spec, 'stop');
      }
    },
  };
}

/**
 * A failure testcontainers threw for a helper, as the error the CLI reports: no daemon, a full
 * disk, the wait strategy timing out (or the container exiting first), the daemon refusing the
 * container. An error layerbench already named is kept as it is.
 */
export function helperFailure(
  err: unknown,
  spec: Pick<HelperSpec, 'name' | 'image' | 'readyWhenLogs' | 'startupTimeoutMs'>,
  during: 'start' | 'port' | 'stop',
  env: NodeJS.ProcessEnv = process.env,
): LayerbenchError {
  if (err instanceof LayerbenchError) return err;
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  const text = typeof json?.message === 'string' ? json.message : err instanceof Error ? err.message : String(err);
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (looksLikeDiskFull(text)) return new DiskFullError("the Docker daemon's data root", undefined, text.split('\n')[0] ?? text);
  if (/Could not find a working container runtime strategy/.test(text) || (typeof status !== 'number' && /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|connect (ETIMEDOUT|ENOENT|EACCES)/.test(text))) {
    return new DaemonUnavailableError(endpointOf(env), text, during === 'stop' ? `the removal of ${spec.name}` : `the start of ${spec.name}`);
  }
  const seconds = Math.round((spec.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS) / 1000);
  if (/not received after \d+ ?ms/.test(text)) {
    return new HelperContainerError(
      spec.name,
      spec.image,
      `was not ready within ${seconds} s`,
      `it never logged a line matching ${String(spec.readyWhenLogs)}`,
      'On a slow or busy machine, run again; `layerbench doctor` checks that this machine can run the helper containers (a fresh host needs privileged containers, or the capabilities Docker-in-Docker needs).',
    );
  }
  if (/Log stream ended/.test(text)) {
    return new HelperContainerError(
      spec.name,
      spec.image,
      'exited before it was ready',
      `it stopped without logging a line matching ${String(spec.readyWhenLogs)}`,
      '`layerbench doctor` checks that this machine can run the helper containers (a fresh host needs privileged containers, or the capabilities Docker-in-Docker needs).',
    );
  }
  if (during === 'stop') return new HelperContainerError(spec.name, spec.image, 'could not be stopped', text, '`layerbench clean` removes what the run left once the daemon lets go of it.');
  if (during === 'port') return new HelperContainerError(spec.name, spec.image, 'has no published port', text);
  if (status === 409) return new HelperContainerError(spec.name, spec.image, 'did not start', text, 'A container of that name is left from an earlier run: `layerbench clean` removes it.');
  return new HelperContainerError(spec.name, spec.image, 'did not start', text);
}

function endpointOf(env: NodeJS.ProcessEnv): string {
  try {
    return dockerHostFrom(env).endpoint;
  } catch {
    return env['DOCKER_HOST'] ?? 'the Docker daemon';
  }
}

/** A GenericContainer whose published ports bind to 127.0.0.1, never to every interface. */
class LoopbackContainer extends GenericContainer {
  constructor(
    image: string,
    private readonly privateCgroupNamespace: boolean,
  ) {
    super(image);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    if (this.privateCgroupNamespace) (this.hostConfig as { CgroupnsMode?: string }).CgroupnsMode = 'private';
    for (const [port, bindings] of Object.entries(this.hostConfig.PortBindings ?? {})) {
      (this.hostConfig.PortBindings as Record<string, unknown>)[port] = (bindings as { HostPort?: string }[]).map((binding) => ({ ...binding, HostIp: '127.0.0.1' }));
    }
  }
}
