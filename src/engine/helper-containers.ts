/**
 * The pull experiment's helper containers — the registry and the fresh hosts — started and
 * stopped through testcontainers. testcontainers' reaper (Ryuk) is off: its image cannot be
 * pulled on a closed machine, and layerbench's own labels and disposer stack clean up. Every
 * container carries the run's label; its ports are published on 127.0.0.1 only.
 */
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

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

export async function startHelper(spec: HelperSpec): Promise<StartedHelper> {
  // Read when testcontainers first asks for its reaper; set before any container starts.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  let container = new LoopbackContainer(spec.image, spec.privateCgroupNamespace === true)
    .withName(spec.name)
    .withNetworkMode(spec.network)
    .withLabels(spec.labels)
    .withExposedPorts(...spec.ports)
    .withWaitStrategy(Wait.forLogMessage(spec.readyWhenLogs))
    .withStartupTimeout(spec.startupTimeoutMs ?? 60_000)
    .withPullPolicy({ shouldPull: () => false });
  if (spec.command !== undefined) container = container.withCommand(spec.command);
  if (spec.mode === 'privileged') container = container.withPrivilegedMode();
  if (spec.mode === 'capabilities') container = container.withAddedCapabilities(...DIND_CAPABILITIES).withSecurityOpt(...DIND_SECURITY);
  if (spec.capabilities !== undefined && spec.capabilities.length > 0) container = container.withAddedCapabilities(...spec.capabilities);
  if (spec.volumes !== undefined) container = container.withBindMounts(spec.volumes.map((v) => ({ source: v.volume, target: v.target })));
  const started: StartedTestContainer = await container.start();
  return {
    id: started.getId(),
    hostPort: (port) => started.getMappedPort(port),
    stop: async () => {
      await started.stop({ remove: true, removeVolumes: true, timeout: 5_000 });
    },
  };
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
