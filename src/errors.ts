/**
 * The failures a user can meet, each with the facts needed to act on it.
 * `cli.ts` alone turns them into a paragraph and an exit code (each class names its code).
 */

/** Exit codes: one table for the whole tool. */
export const ExitCode = {
  ok: 0,
  /** a regression, a failed build or an unhealthy image */
  failure: 1,
  /** bad input: scenario, options, paths, a file that is not a result */
  badInput: 2,
  /** the environment: daemon, disk, base images, package index, another run */
  environment: 3,
  /** interrupted (Ctrl-C, SIGTERM) */
  interrupted: 130,
  /** an unexpected failure: a bug in layerbench (EX_SOFTWARE), never a finding */
  unexpected: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class LayerbenchError extends Error {
  abstract readonly exitCode: ExitCode;
  /** what the user can do about it, one or two sentences */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** A command-line option or argument that cannot be used as given. */
export class UsageError extends LayerbenchError {
  readonly exitCode = ExitCode.badInput;
}

export class ScenarioError extends LayerbenchError {
  readonly exitCode = ExitCode.badInput;
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
    hint?: string,
  ) {
    super(`${file}: ${field === '' ? 'the file' : `field "${field}"`} ${expected}`, hint);
  }
}

/** A file given as a result (compare, report, merge) that cannot be read as one. */
export class ResultFileError extends LayerbenchError {
  readonly exitCode = ExitCode.badInput;
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${file}: ${field === '' ? 'the file' : `field "${field}"`} ${expected}`);
  }
}

export class WorkspaceError extends LayerbenchError {
  readonly exitCode = ExitCode.badInput;
  constructor(
    message: string,
    readonly path: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** A Dockerfile the builder would refuse: found before the first build, with its line. */
export class DockerfileError extends LayerbenchError {
  readonly exitCode = ExitCode.badInput;
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly problem: string,
  ) {
    super(`${file}${line === null ? '' : `, line ${line}`}: ${problem}.`, 'Fix the Dockerfile; layerbench checks every Dockerfile before it builds anything.');
  }
}

/**
 * A daemon on another machine: the package index and the health probe are served on this
 * machine's loopback, which builds and containers there cannot reach. Refused before anything
 * starts, rather than half-run.
 */
export class RemoteDaemonError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(
      `DOCKER_HOST=${endpoint} is ${reason}. layerbench serves its package index and probes the built images on this machine's 127.0.0.1, which a daemon elsewhere cannot reach, so it does not measure there.`,
      'Run layerbench on the daemon\'s machine (or over its local socket), or unset DOCKER_HOST.',
    );
  }
}

export class DaemonUnavailableError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    readonly endpoint: string,
    readonly reason: string,
    /** what layerbench was doing when the daemon stopped answering; undefined before it ever answered */
    readonly during?: string,
  ) {
    super(
      during === undefined
        ? `No Docker daemon answers at ${endpoint} (${reason}).`
        : `The Docker daemon at ${endpoint} stopped answering during ${during} (${reason}). What was measured before is kept.`,
      during === undefined
        ? process.getuid?.() === 0
          ? 'Start one with `npm run setup` (installs Debian\'s docker.io if needed and starts dockerd), or point DOCKER_HOST at a running daemon.'
          : 'Start Docker (e.g. `sudo systemctl start docker`, or run `sudo npm run setup`), or point DOCKER_HOST at a running daemon.'
        : 'Start the daemon again; `layerbench clean` then removes what this run left on it.',
    );
  }
}

export class BuildFailedError extends LayerbenchError {
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly variant: string,
    /** the step that failed, as the builder printed it, e.g. `Step 5/9 : RUN pip install …` */
    readonly step: string | undefined,
    readonly reason: string,
    readonly logTail: readonly string[],
    /** the line of the user's Dockerfile the failed step starts on, when known */
    readonly line?: number | null,
  ) {
    super(
      `The build of "${variant}" failed${step === undefined ? '' : ` at ${step}`}${line === undefined || line === null ? '' : ` (line ${line} of its Dockerfile)`}: ${reason}`,
      logTail.length > 0 ? `Last lines of the build log:\n${logTail.map((l) => `  | ${l}`).join('\n')}` : undefined,
    );
  }
}

export class DiskFullError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    /** the directory (or the daemon's data root) that ran out of space */
    readonly where: string,
    /** bytes still free there, when it could be read */
    readonly freeBytes: number | undefined,
    readonly detail: string,
  ) {
    super(
      `The disk is full: ${where}${freeBytes === undefined ? '' : ` has ${formatFree(freeBytes)} free`} (${detail}).`,
      'Free space: `layerbench clean` removes what earlier runs left; `docker system prune` removes unused Docker data (it is not limited to layerbench).',
    );
  }
}

export class BaseImageError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
}

export class PackageIndexError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
}

/** `--driver cli` was asked for, and no docker CLI here can run the build with that builder. */
export class BuildDriverError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
}

/** A Dockerfile's `# syntax=` names a frontend image the daemon does not have and cannot pull. */
export class FrontendImageError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    readonly image: string,
    readonly dockerfile: string,
  ) {
    super(
      `${dockerfile} asks for the BuildKit frontend ${image} (its "# syntax=" line), which the daemon does not have and cannot pull.`,
      `Load that image onto the daemon (docker load, or docker pull where a registry answers), or remove the "# syntax=" line to build with the daemon's built-in frontend.`,
    );
  }
}

/** Another layerbench run is building against the same daemon. */
export class RunInProgressError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    readonly runId: string,
    readonly pid: number,
    readonly startedAt: string,
  ) {
    super(
      `Another layerbench run is in progress against this daemon: run ${runId}, process ${pid}, started ${startedAt}.`,
      'Two runs on one machine measure each other. Wait for it to finish, or pass --concurrent to run anyway (on its own package-index port, so its pip steps miss the cache once).',
    );
  }
}

export class InterruptedError extends LayerbenchError {
  readonly exitCode = ExitCode.interrupted;
  constructor() {
    super('Interrupted; what was measured so far is kept.');
  }
}

/**
 * The Docker daemon answered, and refused or failed what layerbench asked of it (an HTTP error,
 * a pull, push or import that reported an error, an answer without what it should hold). A
 * daemon that does not answer is DaemonUnavailableError; a full disk is DiskFullError.
 */
export class EngineError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    readonly endpoint: string,
    /** what was asked, as a verb phrase: `push 127.0.0.1:5000/lb/f1:x`, `list images` */
    readonly operation: string,
    readonly reason: string,
    /** the daemon's HTTP status, when it answered with one */
    readonly statusCode?: number,
    hint?: string,
  ) {
    super(
      `The Docker daemon at ${endpoint} could not ${operation}: ${reason.trim().replace(/\.$/, '')}.`,
      hint ??
        (statusCode === 404
          ? 'Something removed what layerbench had made or named (another tool, or `docker system prune`); run again.'
          : statusCode === 409
            ? 'It conflicts with an object already on the daemon: `layerbench clean` removes what earlier runs left; run again.'
            : "The daemon's log says why (e.g. `journalctl -u docker`); `layerbench doctor` checks that a run can proceed."),
    );
  }
}

/**
 * A helper container of the pull experiment (the registry, a fresh host) did not start, did
 * not become ready in time, or could not be stopped (testcontainers' failures, named).
 */
export class HelperContainerError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    /** the container's name */
    readonly container: string,
    readonly image: string,
    /** what failed: `did not start`, `was not ready within 60 s`, `could not be stopped` */
    readonly problem: string,
    readonly reason: string,
    hint?: string,
  ) {
    super(
      `The helper container ${container} (${image}) ${problem}: ${reason.trim().replace(/\.$/, '')}.`,
      hint ?? '`layerbench doctor` checks the helper images and privileged containers; `docker logs` on the container (if it is still there) shows why. `layerbench clean` removes what the run left.',
    );
  }
}

/** A fresh host of the pull experiment (a daemon in a container) could not be measured. */
export class FreshHostError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    readonly host: string,
    message: string,
    hint = 'The fresh host\'s container may have stopped: `docker logs` on it shows why; `layerbench doctor` checks that this machine can run one.',
  ) {
    super(message, hint);
  }
}

/** The pull experiment's own registry (a helper container) did not serve what was pushed to it. */
export class RegistryError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    /** e.g. `127.0.0.1:49153` */
    readonly registry: string,
    readonly reason: string,
  ) {
    super(
      `The experiment's registry at ${registry} ${reason.replace(/\.$/, '')}.`,
      'The registry container may have stopped or run out of space; run again, and `layerbench clean` removes what this run left.',
    );
  }
}

/** A link rate that is not one: `100mbit`, `1gbit`, `512kbit` or `unlimited` are. */
export class BandwidthError extends LayerbenchError {
  readonly exitCode = ExitCode.badInput;
  constructor(readonly bandwidth: string) {
    super(`"${bandwidth}" is not a link rate.`, 'Write a rate as a number and kbit, mbit or gbit (e.g. 100mbit), or unlimited.');
  }
}

/** `tc` in the registry's container could not shape the link the pulls cross. */
export class LinkShapeError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    readonly command: string,
    readonly output: string,
  ) {
    super(
      `Could not shape the link (${command})${output === '' ? '' : `: ${output}`}.`,
      'tc needs the kernel\'s tbf (and, for latency, netem) queueing disciplines, e.g. `sudo modprobe sch_tbf sch_netem`; or set the scenario\'s bandwidth to unlimited and its latency to none.',
    );
  }
}

/** The directory where layerbench records its live runs (LAYERBENCH_STATE_DIR) cannot be used. */
export class RunStateError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(
    readonly dir: string,
    message: string,
    hint = `Make ${dir} writable, or point LAYERBENCH_STATE_DIR at a directory that is.`,
  ) {
    super(message, hint);
  }
}

/** `no space left on device` can surface from any Docker call; name it once. */
export function looksLikeDiskFull(text: string): boolean {
  return /no space left on device|ENOSPC/i.test(text);
}

function formatFree(bytes: number): string {
  if (bytes < 1e6) return `${Math.round(bytes / 1e3)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}
