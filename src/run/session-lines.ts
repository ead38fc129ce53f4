/** The lines a person reads as a run ends: where its result went, what could not be removed, the reports. */
import { displayPath } from '../display-path.js';
import { DaemonUnavailableError } from '../errors.js';

/** `result: results/x/result.json (12 samples)`, or `partial result: …` */
export function resultWrittenLine(file: string, complete: boolean, samples: number, noun: string): string {
  return `${complete ? 'result' : 'partial result'}: ${displayPath(file)} (${count(samples, noun)})`;
}

export function cleanupFailedLine(what: string, error: unknown): string {
  const reason = error instanceof DaemonUnavailableError ? 'the daemon does not answer' : error instanceof Error ? error.message : String(error);
  return `could not remove ${what}: ${reason}; \`layerbench clean\` will`;
}

export function reportsWrittenLine(files: readonly string[]): string {
  return `reports: ${files.map(displayPath).join(', ')}`;
}

export function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
