/** `layerbench merge DIR…`: one result from the shards of one scenario (a CI matrix, one variant per machine). */
import { resolve } from 'node:path';
import { displayPath } from '../display-path.js';
import { ExitCode } from '../errors.js';
import { writeReports, type ReportOptions } from '../report/write-reports.js';
import { MERGE_NOTE_PREFIX, mergeResults } from '../result/merge-results.js';
import { readResult } from '../result/read-result.js';
import { ResultWriter } from '../result/result-writer.js';
import { newRunId } from '../run/run-id.js';
import { checkOutputDirectory } from '../run/output-directory.js';
import type { CliIo } from './cli-io.js';
import { defineCommand } from './command-module.js';
import { outOption } from './shared-options.js';
import { stepSummaryOf } from './step-summary.js';

/**
 * Refuses (exit 2) one run given twice and a variant built from two Dockerfiles; keeps
 * different machines apart, one row each, unless `pool`; says what it kept apart or pooled.
 */
export function mergeCommand(paths: readonly string[], out: string | undefined, options: ReportOptions, io: CliIo, pool = false): number {
  const parts = paths.map((source) => ({ source, result: readResult(source) }));
  const runId = newRunId();
  const dir = out === undefined ? resolve('results', `merged-${runId}`) : checkOutputDirectory(out);
  const merged = mergeResults(parts, runId, { pool });
  const writer = ResultWriter.open(dir);
  for (const sample of merged.samples) writer.addSample(sample);
  writer.writeResult(merged);
  writeReports(dir, merged, options);
  // what this merge itself noted (a part that is a merge brings its own notes)
  const inherited = new Set(parts.flatMap((p) => p.result.notes ?? []).map((n) => `${n.code}\u0000${n.message}`));
  const own = (merged.notes ?? []).filter((n) => n.code.startsWith(MERGE_NOTE_PREFIX) && !inherited.has(`${n.code}\u0000${n.message}`));
  const how = own.some((n) => n.code === 'merge-machines-apart') ? ', kept apart: one row per machine' : own.some((n) => n.code === 'merge-pooled-machines') ? ', pooled (--pool)' : '';
  io.stdout.write(`merged ${parts.length} results (${merged.samples.length} samples from ${merged.machines.length} machine${merged.machines.length === 1 ? '' : 's'}${how}) into ${displayPath(dir)}\n`);
  for (const note of own) io.stdout.write(`  ${note.message}\n`);
  return ExitCode.ok;
}

export const mergeModule = defineCommand({
  command: 'merge <dirs..>',
  describe: 'Merge result directories of one scenario (CI matrix shards, one variant per machine) into one',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'result directories (or result.json files)' })
      .option('out', outOption('results/merged-<id>/'))
      .option('pool', { type: 'boolean', default: false, describe: 'pool the samples of different machines (cores, Engine, storage driver) in one row instead of one row per machine' })
      .epilogue(
        'A variant measured on machines that differ becomes one variant per machine, "<variant> @ <machine>", unless --pool. ' +
          'A group (variant, builder, edit, phase) two results both measured on one machine pools, and merge says so. ' +
          'Exit 2: the same run given twice, or a variant whose Dockerfile differs between the results.',
      )
      .example('$0 merge shard-naive shard-optimized --out merged', 'one result, one table, each sample with its machine'),
  handler: (args, { io }) => mergeCommand(args.dirs, args.out, { stepSummary: stepSummaryOf(io.env) }, io, args.pool),
});
