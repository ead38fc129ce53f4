/** `layerbench report DIR`: (re)writes the reports of a result directory; also run at the end of every run. */
import { dirname } from 'node:path';
import { displayPath } from '../display-path.js';
import { ExitCode } from '../errors.js';
import { writeReports, type ReportOptions } from '../report/write-reports.js';
import { readResult, resultFileOf } from '../result/read-result.js';
import type { CliIo } from './cli-io.js';
import { defineCommand } from './command-module.js';
import { nonEmptyOption } from './option-values.js';
import { exportOptions } from './shared-options.js';
import { stepSummaryOf } from './step-summary.js';

export function reportCommand(path: string, options: ReportOptions, io: CliIo): number {
  const result = readResult(path);
  const written = writeReports(dirname(resultFileOf(path)), result, options);
  for (const file of written.files) io.stdout.write(`${displayPath(file)}\n`);
  return ExitCode.ok;
}

export const reportModule = defineCommand({
  command: 'report <dir>',
  describe: 'Write the reports of a result again: report.md, report.html (charts, offline), results.csv, steps.csv; and exports',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'a result directory (or its result.json)', coerce: nonEmptyOption('DIR', 'a result directory') })
      .options(exportOptions('write'))
      .example('$0 report results/20261125-163012-a1b2', 'rewrite that run\'s reports')
      .example('$0 report results/x --export-hyperfine times.json', 'hyperfine\'s plotting scripts read times.json'),
  handler: (args, { io }) => reportCommand(args.dir, { exportHyperfine: args['export-hyperfine'], exportGithubBenchmark: args['export-github-benchmark'], stepSummary: stepSummaryOf(io.env) }, io),
});
