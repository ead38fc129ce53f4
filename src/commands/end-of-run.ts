/**
 * What `run` and `pull` say and do alike as a run ends: where its result went, what could not
 * be removed, and the reports of a run that ended early.
 */
import { existsSync } from 'node:fs';
import { displayPath } from '../display-path.js';
import { DaemonUnavailableError } from '../errors.js';
import { writeReports, type ReportOptions } from '../report/write-reports.js';
import { readResult, resultFileOf } from '../result/read-result.js';

/** `result: results/x/result.json (12 samples)`, or `partial result: …` */
export function resultWrittenLine(event: { file: string; complete: boolean; samples: number }, noun: string): string {
  return `${event.complete ? 'result' : 'partial result'}: ${displayPath(event.file)} (${count(event.samples, noun)})`;
}

export function cleanupFailedLine(what: string, error: unknown): string {
  const reason = error instanceof DaemonUnavailableError ? 'the daemon does not answer' : error instanceof Error ? error.message : String(error);
  return `could not remove ${what}: ${reason}; \`layerbench clean\` will`;
}

/** A run that ended early still leaves readable reports of what it measured; a failure here does not hide the run's. */
export function reportPartial(outDir: string, options: ReportOptions, note: (line: string) => void): void {
  const file = resultFileOf(outDir);
  if (!existsSync(file)) return;
  try {
    writeReports(outDir, readResult(file), options);
  } catch (err) {
    note(`could not write the reports of the partial result: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
