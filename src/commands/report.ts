/** `layerbench report DIR`: (re)writes the reports of a result directory; also run at the end of every run. */
import { dirname } from 'node:path';
import { displayPath } from '../display-path.js';
import { ExitCode } from '../errors.js';
import { writeReports, type ReportOptions } from '../report/write-reports.js';
import { readResult, resultFileOf } from '../result/read-result.js';
import type { CliIo } from './cli-io.js';

export function reportCommand(path: string, options: ReportOptions, io: CliIo): number {
  const result = readResult(path);
  const written = writeReports(dirname(resultFileOf(path)), result, options);
  for (const file of written.files) io.stdout.write(`${displayPath(file)}\n`);
  return ExitCode.ok;
}
