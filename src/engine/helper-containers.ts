/**
 * The pull experiment's helper containers — the registry and the fresh hosts — started and
 * stopped through testcontainers, on the daemon of the engine that asks (the host layerbench
 * resolved, see testcontainersOn). testcontainers' reaper (Ryuk) is off: its image cannot be
 * pulled on a closed machine, and layerbench's own labels and disposer stack clean up. Every
 * container carries the run's label; its ports are published on 127.0.0.1 only. What
 * testcontainers throws leaves here as a LayerbenchError (helperFailure).
 */
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import { DaemonUnavailableError, DiskFullError, HelperContainerError, LayerbenchError, looksLikeDiskFull } from '../errors.js';
import type { HelperSpec, StartedHelper } from './areas/container-area.js';
import type { DockerEngine } from './docker-engine.js';

// the helper's types belong to the container area; named here too for the callers of startHelper
export type { HelperSpec, StartedHelper };

/** Docker-in-Docker without --privileged: what works where root lacks CAP_SYS_RESOURCE. */
const DIND_CAPABILITIES = ['SYS_ADMIN', 'NET_ADMIN', 'MKNOD'];
const DIND_SECURITY = ['seccomp=unconfined', 'apparmor=unconfined'];
const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

/** Starts a helper on the daemon of `engine` (the run's engine: its endpoint is the host layerbench resolved). */
export async function startHelper(engine: Pick<DockerEngine, 'endpoint'>, spec: HelperSpec): Promise<StartedHelper> {
  // Read when testcontainers first asks for its reaper; set before any container starts.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  const { endpoint } = engine;
  await testcontainersOn(endpoint, spec);
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
    throw helperFailure(err, spec, 'start', endpoint);
  }
  return {
    id: started.getId(),
    hostPort: (port) => {
      try {
        return started.getMappedPort(port);
      } catch (err) {
        throw helperFailure(err, spec, 'port', endpoint);
      }
    },
    stop: async () => {
      try {
        await started.stop({ remove: true, removeVolumes: true, timeout: 5_000 });
      } catch (err) {
        throw helperFailure(err, spec, 'stop', endpoint);
      }
    },
  };
}

/** The daemon testcontainers was pointed at in this process, and its client being made. */
let testcontainersDaemon: { endpoint: string; client: Promise<void> } | undefined;

/**
 * Points testcontainers at `endpoint` before its first container. testcontainers takes no
 * client: it makes one per process, on first use, from DOCKER_HOST, DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH in process.env (~/.testcontainers.properties under them, its `tc.host`
 * above them), and where that daemon does not answer it quietly tries the default socket.
 * So DOCKER_HOST is set to the endpoint only while that client is made (the TLS settings stay
 * process.env's, which the engine's own client reads too), the client made is checked to talk
 * to the endpoint, and a helper for a second daemon in the same process is refused rather
 * than started on the first.
 */
async function testcontainersOn(endpoint: string, spec: HelperSpec): Promise<void> {
  if (testcontainersDaemon === undefined) {
    const client = makeTestcontainersClient(endpoint, spec);
    testcontainersDaemon = { endpoint, client };
    // a daemon that did not answer may answer the next helper: try again then
    client.catch(() => {
      if (testcontainersDaemon?.client === client) testcontainersDaemon = undefined;
    });
  } else if (testcontainersDaemon.endpoint !== endpoint) {
    throw new HelperContainerError(spec.name, spec.image, 'did not start', `testcontainers serves one Docker daemon per process, and here it serves ${testcontainersDaemon.endpoint}, not ${endpoint}`, 'Run the pull experiment against one daemon per process.');
  }
  await testcontainersDaemon.client;
}

async function makeTestcontainersClient(endpoint: string, spec: HelperSpec): Promise<void> {
  const before = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = endpoint;
  let modem: ClientModem;
  try {
    modem = (await getContainerRuntimeClient()).container.dockerode.modem as ClientModem;
  } catch (err) {
    throw helperFailure(err, spec, 'start', endpoint);
  } finally {
    if (before === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = before;
  }
  if (!talksTo(modem, endpoint)) {
    const reached = modem.socketPath === undefined ? `${modem.host ?? '?'}:${String(modem.port ?? '')}` : modem.socketPath;
    throw new HelperContainerError(
      spec.name,
      spec.image,
      'did not start',
      `testcontainers found the Docker daemon at ${reached}, not the one at ${endpoint}`,
      `A tc.host in ~/.testcontainers.properties overrides DOCKER_HOST for testcontainers: remove it; or ${endpoint} did not answer when testcontainers looked (\`layerbench doctor\` checks it).`,
    );
  }
}

/** What of a docker-modem says where it connects. */
interface ClientModem {
  socketPath?: string;
  host?: string;
  port?: string | number;
}

/** Whether a client's modem connects to the endpoint (a socket path, or a host and port). */
export function talksTo(modem: ClientModem, endpoint: string): boolean {
  const socket = /^(unix|npipe):\/\/(.*)$/.exec(endpoint);
  if (socket !== null) return modem.host === undefined && modem.socketPath === socket[2];
  const url = new URL(endpoint);
  return modem.host === url.hostname && (url.port === '' || String(modem.port) === url.port);
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
  /** the daemon the helper was for */
  endpoint: string,
): LayerbenchError {
  if (err instanceof LayerbenchError) return err;
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  const text = typeof json?.message === 'string' ? json.message : err instanceof Error ? err.message : String(err);
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (looksLikeDiskFull(text)) return new DiskFullError("the Docker daemon's data root", undefined, text.split('\n')[0] ?? text);
  if (/Could not find a working container runtime strategy/.test(text) || (typeof status !== 'number' && /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|connect (ETIMEDOUT|ENOENT|EACCES)/.test(text))) {
    return new DaemonUnavailableError(endpoint, text, during === 'stop' ? `the removal of ${spec.name}` : `the start of ${spec.name}`);
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
