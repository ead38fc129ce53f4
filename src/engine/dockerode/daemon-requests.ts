/**
 * How a request to one daemon fails, in the words the CLI reports: the daemon gone, its disk
 * full, or (it answered) an EngineError naming what was asked. Every area of a daemon's engine
 * sends its requests through the same DaemonRequests, which learns where the daemon keeps its
 * data once facts() has asked (a full disk names it).
 */
import { freeBytes } from '../../disk-space.js';
import { DaemonUnavailableError, DiskFullError, EngineError, LayerbenchError, looksLikeDiskFull } from '../../errors.js';
import type { DockerHost } from '../docker-host.js';

export class DaemonRequests {
  /** where the daemon keeps its data, once facts() has asked: named when its disk fills */
  private dataRoot: string | undefined;

  constructor(readonly host: DockerHost) {}

  /** where the daemon is expected (socket path or DOCKER_HOST), for messages */
  get endpoint(): string {
    return this.host.endpoint;
  }

  /** What facts() learnt: where the daemon keeps its data. */
  noteDataRoot(root: string): void {
    this.dataRoot = root;
  }

  /**
   * One request to the daemon; its failure translated, naming `what` was asked (a verb phrase).
   * `answers` turns the refusals a caller expects into the value they mean instead of an error:
   * `{ 404: undefined }` (not there, or already gone), `{ 404: 'gone', 409: 'in use' }`.
   */
  async call<T, A = never>(request: () => Promise<T>, what: string, answers: Readonly<Record<number, A>> = {}): Promise<T | A> {
    try {
      return await request();
    } catch (err) {
      const status = statusOf(err);
      if (status !== undefined && Object.hasOwn(answers, status)) return answers[status] as A;
      throw this.translate(err, what);
    }
  }

  /**
   * Every failure of a request to the daemon, as the error the CLI reports: the daemon gone,
   * its disk full, or (it answered) an EngineError naming `what` was asked. A LayerbenchError
   * thrown on the way is kept as it is.
   */
  translate(err: unknown, what: string): LayerbenchError {
    if (err instanceof LayerbenchError) return err;
    const text = describe(err);
    // a response cut off mid-stream says only `aborted`: its errno is in `code` (ECONNRESET)
    const code = (err as { code?: unknown } | null)?.code;
    const connection = typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
    if (/ECONNREFUSED|ENOENT|EACCES|ECONNRESET|EPIPE|socket hang up|connect ETIMEDOUT/.test(connection) && statusOf(err) === undefined) {
      return new DaemonUnavailableError(this.endpoint, connection);
    }
    if (looksLikeDiskFull(text)) return this.diskFull(text);
    return new EngineError(this.endpoint, what, text, statusOf(err));
  }

  diskFull(detail: string): DiskFullError {
    const root = this.dataRoot ?? '/var/lib/docker';
    const where = `the Docker daemon's data root ${root}`;
    return new DiskFullError(where, this.host.kind === 'unix' ? freeBytes(root) : undefined, detail.split('\n')[0] ?? detail);
  }
}

/** The daemon's HTTP status of a failed request; undefined where it did not answer. */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** What a failure says: the daemon's own message where it sent one. */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const json = (err as { json?: { message?: string } }).json;
    return json?.message ?? err.message;
  }
  return String(err);
}
