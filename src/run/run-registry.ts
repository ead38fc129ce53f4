/**
 * Which layerbench runs are alive on this machine, and against which daemon. Each run writes
 * a record (its id, process, start, daemon) and a journal of the images its builds commit;
 * one run per daemon holds that daemon's lock. `doctor` reads the records, `clean` skips the
 * runs that are alive and uses a dead run's journal to remove what it left.
 *
 * A process is alive when it exists and started when the record says (a recycled pid is not
 * the run). Everything lives in one directory under the system's temporary directory.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asDiskFull } from '../disk-space.js';
import { stateDirectory } from '../scratch-parent.js';
import { LayerbenchError, RunInProgressError, RunStateError } from '../errors.js';

export interface RunRecord {
  runId: string;
  pid: number;
  /** the process's start time as the kernel counts it (clock ticks since boot), when readable */
  processStart: string | null;
  startedAt: string;
  /** the Engine ID of the daemon the run builds on */
  daemonId: string;
  endpoint: string;
  /** the run's scratch directory */
  scratch: string | null;
  /** the port its package index is served on, if it serves one */
  indexPort: number | null;
}

export interface LiveRun extends RunRecord {
  alive: boolean;
}

export class RunRegistry {
  constructor(readonly dir: string = stateDirectory(process.env)) {}

  /**
   * Records this run; with `exclusive`, also takes the daemon's lock, refused with
   * RunInProgressError while another live run holds it.
   */
  register(record: RunRecord, exclusive: boolean): void {
    this.writing(() => {
      mkdirSync(this.dir, { recursive: true });
      if (exclusive) this.lockDaemon(record);
      writeFileSync(this.recordFile(record.runId), JSON.stringify(record));
    });
  }

  /** Forgets the run: its record, journal and (if it held it) the daemon's lock. */
  unregister(runId: string): void {
    const record = this.read(runId);
    rmSync(this.recordFile(runId), { force: true });
    rmSync(this.journalFile(runId), { force: true });
    if (record !== undefined) {
      const lock = this.readLock(record.daemonId);
      if (lock?.runId === runId) rmSync(this.lockFile(record.daemonId), { force: true });
    }
  }

  /** Appends an image a build of the run committed. */
  journal(runId: string, imageId: string): void {
    this.writing(() => appendFileSync(this.journalFile(runId), `${imageId}\n`));
  }

  /** Replaces the journal with the images still to remove. */
  rewriteJournal(runId: string, imageIds: readonly string[]): void {
    this.writing(() => writeFileSync(this.journalFile(runId), imageIds.map((id) => `${id}\n`).join('')));
  }

  /** The record of a run, alive or not. */
  recordOf(runId: string): RunRecord | undefined {
    return this.read(runId);
  }

  journalOf(runId: string): string[] {
    try {
      return readFileSync(this.journalFile(runId), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  /** Every recorded run, alive or not. */
  runs(): LiveRun[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((name) => name.endsWith('.run.json'))
      .flatMap((name) => {
        const record = this.read(name.slice(0, -'.run.json'.length));
        return record === undefined ? [] : [{ ...record, alive: isAlive(record) }];
      });
  }

  /** The live run holding the daemon's lock, if any. */
  holderOf(daemonId: string): RunRecord | undefined {
    const lock = this.readLock(daemonId);
    return lock !== undefined && isAlive(lock) ? lock : undefined;
  }

  private lockDaemon(record: RunRecord): void {
    const file = this.lockFile(record.daemonId);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        writeFileSync(file, JSON.stringify(record), { flag: 'wx' });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = this.readLock(record.daemonId);
      if (holder !== undefined && isAlive(holder)) throw new RunInProgressError(holder.runId, holder.pid, holder.startedAt);
      // the holder died without letting go: its lock is stale
      rmSync(file, { force: true });
    }
    throw new RunStateError(
      this.dir,
      `Could not take the daemon's run lock ${file}: it came back each time a dead run's lock was removed.`,
      `Another layerbench run may be starting at this moment: run again. If no run is alive (\`layerbench doctor\` lists them), remove ${file}.`,
    );
  }

  /** A write to the state directory; its failure a RunStateError (or DiskFullError) naming it. */
  private writing<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      if (err instanceof LayerbenchError) throw err;
      const code = (err as NodeJS.ErrnoException | null)?.code;
      throw asDiskFull(err, this.dir) ?? new RunStateError(this.dir, `Could not write layerbench's run records in ${this.dir} (${typeof code === 'string' ? code : (err as Error).message}).`);
    }
  }

  private read(runId: string): RunRecord | undefined {
    return readJson(this.recordFile(runId));
  }

  private readLock(daemonId: string): RunRecord | undefined {
    return readJson(this.lockFile(daemonId));
  }

  private recordFile(runId: string): string {
    return join(this.dir, `${runId}.run.json`);
  }

  private journalFile(runId: string): string {
    return join(this.dir, `${runId}.images`);
  }

  private lockFile(daemonId: string): string {
    return join(this.dir, `daemon-${daemonId.replace(/[^A-Za-z0-9_-]/g, '_')}.lock`);
  }
}

function readJson(file: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** This process's start time in clock ticks since boot (field 22 of /proc/self/stat), on Linux. */
export function processStartOf(pid: number | 'self'): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function isAlive(record: Pick<RunRecord, 'pid' | 'processStart'>): boolean {
  try {
    process.kill(record.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (record.processStart === null) return true;
  const now = processStartOf(record.pid);
  return now === null || now === record.processStart;
}
