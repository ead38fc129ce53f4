/**
 * One run's life, the same for `run`, `pull` and the overhead bench: take the run lock, a
 * scratch directory and the builder's leftovers, each on one disposer stack the moment it
 * exists; measure; write the final result.json; release everything in reverse order; then
 * write the reports (also of a run that ended early). It resolves with the result and where
 * it went, or throws RunEndedEarly, which carries both beside the error that ended the run.
 *
 * result.json is rewritten after every sample and once more before the resources are
 * released: an interrupt at any moment (even a second one, during cleanup) leaves a readable
 * partial result. A failure while cleaning up is reported beside the run's error, never in
 * its place.
 */
import type { DockerEngine } from '../engine/docker-engine.js';
import { findRunObjects, removeRunObjects } from '../engine/run-objects.js';
import { InterruptedError } from '../errors.js';
import type { BuildLeftovers } from '../measure/build-leftovers.js';
import { writeReports, type ReportOptions, type WrittenReports } from '../report/write-reports.js';
import { ResultWriter } from '../result/result-writer.js';
import type { Sample, SuiteResult } from '../result/types.js';
import { DisposerStack } from './disposer-stack.js';
import { scratchParent, stateDirectory } from '../scratch-parent.js';
import { holdRun, type RunHolding } from './run-resources.js';
import { RunRegistry } from './run-registry.js';
import { cleanupFailedLine, reportsWrittenLine, resultWrittenLine } from './session-lines.js';

/** What a session says as it ends, each with the line a person reads. */
export type SessionEvent =
  | { type: 'result-written'; file: string; complete: boolean; samples: number; line: string }
  | { type: 'cleanup-failed'; what: string; error: unknown; line: string }
  | { type: 'reports-written'; files: string[]; line: string }
  | { type: 'note'; text: string };

export interface SessionSpec extends RunHolding {
  engine: DockerEngine;
  registry: RunRegistry;
  keepImages: boolean;
  signal: AbortSignal;
  emit: (event: SessionEvent) => void;
}

/** A session's spec for a run that reads `env` (LAYERBENCH_STATE_DIR: the registry; LAYERBENCH_SCRATCH: scratch). */
export function sessionSpec(env: NodeJS.ProcessEnv, run: Omit<SessionSpec, 'registry' | 'scratchParent'>): SessionSpec {
  return { ...run, registry: new RunRegistry(stateDirectory(env)), scratchParent: scratchParent(env) };
}

/** Where a measuring session writes, and how its result is put together. */
export interface SessionOutput<S extends Sample> {
  outDir: string;
  /** `sample`, `pull`: what the end-of-run line counts */
  noun: string;
  /** the run's result from what it has measured so far */
  assemble: (complete: boolean, samples: readonly S[]) => SuiteResult;
  /** write the reports after the run (report.md, report.html, …); undefined: result.json and samples.jsonl only */
  reports: ReportOptions | undefined;
}

export interface RunOutcome {
  result: SuiteResult;
  outDir: string;
  /** the reports written, with the comparison they show; undefined when none were asked for */
  reports: WrittenReports | undefined;
}

/** The error that ended a run, with the partial result it left and where (once written). */
export class RunEndedEarly extends Error {
  override readonly name = 'RunEndedEarly';
  constructor(
    override readonly cause: unknown,
    readonly result: SuiteResult | undefined,
    readonly outDir: string | undefined,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** The error a caller of the library expects: the one that ended the run. */
export function endingError(err: unknown): unknown {
  return err instanceof RunEndedEarly ? err.cause : err;
}

/** What the work inside a session is given. */
export class RunSession<S extends Sample = Sample> {
  private readonly measured: S[] = [];
  private writer: ResultWriter | undefined;

  constructor(
    readonly runId: string,
    readonly scratch: string,
    readonly leftovers: BuildLeftovers,
    readonly signal: AbortSignal,
    private readonly stack: DisposerStack,
    private readonly output: SessionOutput<S> | undefined,
  ) {}

  /** Releases `what` when the session ends, after everything deferred later. */
  defer(what: string, release: () => Promise<void> | void): void {
    this.stack.defer(what, release);
  }

  get samples(): readonly S[] {
    return this.measured;
  }

  /** Creates the output directory: once every input is known good (bad input leaves none). */
  openOutput(): void {
    if (this.output === undefined || this.writer !== undefined) return;
    this.writer = ResultWriter.open(this.output.outDir);
    this.writeProgress();
  }

  get outputOpened(): boolean {
    return this.writer !== undefined;
  }

  /** Appends the sample to samples.jsonl and rewrites result.json with it. */
  record(sample: S): void {
    this.measured.push(sample);
    this.writer?.addSample(sample);
    this.writeProgress();
  }

  /** Rewrites result.json as the run stands (setup that the result records changed). */
  writeProgress(): void {
    if (this.output !== undefined) this.writer?.writeResult(this.output.assemble(false, this.measured));
  }

  /** The final result.json; the file written, or undefined before the output was opened. */
  writeFinal(result: SuiteResult): string | undefined {
    return this.writer?.writeResult(result);
  }
}

/** What a phase of a run needs of its session: the run's resources, not its samples. */
export type HeldRun = Pick<RunSession, 'runId' | 'scratch' | 'leftovers' | 'signal' | 'defer'>;

/** Holds the run's resources around `work`, and releases them whatever happens. */
export async function withRunSession<T>(spec: SessionSpec, work: (session: HeldRun) => Promise<T>): Promise<T> {
  const stack = new DisposerStack();
  let session: HeldRun | undefined;
  try {
    session = holdSession(spec, stack, undefined);
    return await work(session);
  } finally {
    await release(stack, spec.emit, session);
  }
}

/** A session that measures: its samples become result.json, then the reports. */
export async function measureInSession<S extends Sample>(spec: SessionSpec, output: SessionOutput<S>, work: (session: RunSession<S>) => Promise<void>): Promise<RunOutcome> {
  const stack = new DisposerStack();
  let session: RunSession<S> | undefined;
  let complete = false;
  let failure: unknown;
  try {
    session = holdSession(spec, stack, output);
    await work(session);
    complete = true;
  } catch (err) {
    failure = spec.signal.aborted && !(err instanceof InterruptedError) ? new InterruptedError() : err;
  }
  const result = output.assemble(complete, session?.samples ?? []);
  try {
    const file = session?.writeFinal(result);
    if (file !== undefined) spec.emit({ type: 'result-written', file, complete, samples: result.samples.length, line: resultWrittenLine(file, complete, result.samples.length, output.noun) });
  } catch (err) {
    failure ??= err;
  }
  await release(stack, spec.emit, session);
  const opened = session?.outputOpened ?? false;
  if (failure !== undefined) {
    if (opened) writePartialReports(output, result, spec.emit);
    throw new RunEndedEarly(failure, result, opened ? output.outDir : undefined);
  }
  return { result, outDir: output.outDir, reports: writeFinalReports(output, result, spec.emit) };
}

function holdSession<S extends Sample>(spec: SessionSpec, stack: DisposerStack, output: SessionOutput<S> | undefined): RunSession<S> {
  const { engine, runId } = spec;
  const { scratch, leftovers } = holdRun(stack, spec.registry, engine, spec);
  stack.defer('the containers, networks, volumes and images of the run', async () => {
    for (const objects of (await findRunObjects(engine, runId)).values()) await removeRunObjects(engine, objects, { keepImages: spec.keepImages });
  });
  return new RunSession<S>(runId, scratch, leftovers, spec.signal, stack, output);
}

async function release(stack: DisposerStack, emit: (event: SessionEvent) => void, session: HeldRun | undefined): Promise<void> {
  // First: the daemon may still be committing for a build an interrupt cut, on images of the run
  // that must not go before it has done.
  try {
    await session?.leftovers.settleCutBuilds();
  } catch (error) {
    const name = 'the builds an interrupt cut';
    emit({ type: 'cleanup-failed', what: name, error, line: cleanupFailedLine(name, error) });
  }
  for (const { name, error } of await stack.disposeAll()) emit({ type: 'cleanup-failed', what: name, error, line: cleanupFailedLine(name, error) });
}

function writeFinalReports<S extends Sample>(output: SessionOutput<S>, result: SuiteResult, emit: (event: SessionEvent) => void): WrittenReports | undefined {
  if (output.reports === undefined) return undefined;
  const written = writeReports(output.outDir, result, output.reports);
  emit({ type: 'reports-written', files: written.files, line: reportsWrittenLine(written.files) });
  return written;
}

/** A run that ended early still leaves readable reports of what it measured; a failure here does not hide the run's. */
function writePartialReports<S extends Sample>(output: SessionOutput<S>, result: SuiteResult, emit: (event: SessionEvent) => void): void {
  if (output.reports === undefined) return;
  try {
    writeReports(output.outDir, result, output.reports);
  } catch (err) {
    emit({ type: 'note', text: `could not write the reports of the partial result: ${err instanceof Error ? err.message : String(err)}` });
  }
}
