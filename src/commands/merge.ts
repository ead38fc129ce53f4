/** `layerbench merge DIR…`: one result from the shards of one scenario (a CI matrix, one variant per machine). */
import { resolve } from 'node:path';
import { displayPath } from '../display-path.js';
import { ExitCode } from '../errors.js';
import { writeReports, type ReportOptions } from '../report/write-reports.js';
import { mergeResults } from '../result/merge-results.js';
import { readResult } from '../result/read-result.js';
import { ResultWriter } from '../result/result-writer.js';
import { newRunId } from '../run/run-id.js';
import { checkOutputDirectory } from '../run/output-directory.js';
import type { CliIo } from './cli-io.js';

export function mergeCommand(paths: readonly string[], out: string | undefined, options: ReportOptions, io: CliIo): number {
  const parts = paths.map((source) => ({ source, result: readResult(source) }));
  const runId = newRunId();
  const dir = out === undefined ? resolve('results', `merged-${runId}`) : checkOutputDirectory(out);
  const merged = mergeResults(parts, runId);
  const writer = ResultWriter.open(dir);
  for (const sample of merged.samples) writer.addSample(sample);
  writer.writeResult(merged);
  writeReports(dir, merged, options);
  io.stdout.write(`merged ${parts.length} results (${merged.samples.length} samples from ${merged.machines.length} machine${merged.machines.length === 1 ? '' : 's'}) into ${displayPath(dir)}\n`);
  return ExitCode.ok;
}
