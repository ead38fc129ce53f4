/**
 * The failures a user can meet, each with the facts needed to act on it.
 * `cli.ts` alone turns them into a paragraph and an exit code (see `exitCodeOf`).
 */

/** Exit codes: one table for the whole tool. */
export const ExitCode = {
  ok: 0,
  /** a regression or a failed check (a failed build counts here) */
  failure: 1,
  /** bad input: scenario, options, paths */
  badInput: 2,
  /** the environment: daemon, disk, base images, package index */
  environment: 3,
  /** interrupted by the user (Ctrl-C) */
  interrupted: 130,
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

export class UsageError extends LayerbenchError {
  readonly exitCode = ExitCode.badInput;
}

export class ScenarioError extends LayerbenchError {
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
  ) {
    super(message);
  }
}

export class DaemonUnavailableError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(readonly endpoint: string, cause: string) {
    super(
      `No Docker daemon answers at ${endpoint} (${cause}).`,
      process.getuid?.() === 0
        ? 'Start one with `npm run setup` (installs Debian\'s docker.io if needed and starts dockerd), or point DOCKER_HOST at a running daemon.'
        : 'Start Docker (e.g. `sudo systemctl start docker`, or run `sudo npm run setup`), or point DOCKER_HOST at a running daemon.',
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
  ) {
    super(
      `The build of "${variant}" failed${step === undefined ? '' : ` at ${step}`}: ${reason}`,
      logTail.length > 0 ? `Last lines of the build log:\n${logTail.map((l) => `  | ${l}`).join('\n')}` : undefined,
    );
  }
}

export class DiskFullError extends LayerbenchError {
  readonly exitCode = ExitCode.environment;
  constructor(readonly where: string) {
    super(
      `The disk is full (${where}).`,
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

export class InterruptedError extends LayerbenchError {
  readonly exitCode = ExitCode.interrupted;
  constructor() {
    super('Interrupted; what was measured so far is kept.');
  }
}

/** `no space left on device` can surface from any Docker call; name it once. */
export function looksLikeDiskFull(text: string): boolean {
  return /no space left on device|ENOSPC/i.test(text);
}
