/** Containers layerbench starts itself: a service to probe, a pulled app, a helper (registry, fresh host), a command run in one. */

export interface ServiceContainer {
  id: string;
  /** the host port (on 127.0.0.1) that the container port is published on */
  hostPort: number;
}

export interface ExecOutcome {
  exitCode: number;
  /** stdout and stderr, as the command wrote them */
  output: string;
}

/** A helper container of the pull experiment (its registry, a fresh host), started and waited for. */
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
  /** Stops and removes the container (and its anonymous volumes). */
  stop(): Promise<void>;
}

export interface ContainerArea {
  /** Starts a container with one port published on 127.0.0.1 (random host port). */
  startService(image: string, containerPort: number, labels: Record<string, string>): Promise<ServiceContainer>;
  /** Starts a container of an image (as `docker run -d`), labelled; for the images a pull experiment pulled. */
  runDetached(image: string, options: { labels: Record<string, string>; hostNetwork: boolean }): Promise<string>;
  /**
   * Starts a helper container (never pulled: its image is present) and resolves once a log line
   * says it is ready; rejects with HelperContainerError, DaemonUnavailableError or DiskFullError.
   */
  startHelper(spec: HelperSpec): Promise<StartedHelper>;
  /** Runs a command in a running container and waits for it. */
  exec(containerId: string, command: string[]): Promise<ExecOutcome>;
  logs(id: string): Promise<string>;
  isRunning(id: string): Promise<boolean>;
  remove(id: string): Promise<void>;
  /** Whether a privileged container of `image` starts here (it does not where root lacks CAP_SYS_RESOURCE). */
  privilegedWorks(image: string, labels: Record<string, string>): Promise<{ works: true } | { works: false; reason: string }>;
}
