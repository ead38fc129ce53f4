/**
 * `layerbench compare BASE NEW`: benchstat-style comparison, Markdown on stdout, exit 0/1/2.
 * A group of BASE that NEW lacks is a regression unless `allowMissing`.
 */
import { ExitCode, ResultFileError } from '../errors.js';
import { compareMarkdown } from '../report/compare-markdown.js';
import { formatBytes } from '../report/format.js';
import { compareResults, type CompareOptions } from '../result/compare-results.js';
import { readResult } from '../result/read-result.js';
import { appendStepSummary } from './step-summary.js';
import type { CliIo } from './cli-io.js';

export function compareCommand(basePath: string, newPath: string, options: CompareOptions & { json: boolean }, io: CliIo): number {
  const base = readResult(basePath);
  const next = readResult(newPath);
  const comparison = compareResults(base, next, { threshold: options.threshold, alpha: options.alpha, allowMissing: options.allowMissing === true }, formatBytes);
  if (options.json) io.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
  else {
    const markdown = compareMarkdown(comparison, basePath, newPath);
    io.stdout.write(markdown);
    appendStepSummary(io.env, markdown);
  }
  if (!comparison.comparable) {
    throw new ResultFileError(newPath, '', `has no (variant, builder, edit) in common with ${basePath}: nothing to compare`);
  }
  return comparison.regressionCount > 0 ? ExitCode.failure : ExitCode.ok;
}
