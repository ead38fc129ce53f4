/**
 * `layerbench compare BASE NEW`: benchstat-style comparison, Markdown on stdout, exit 0/1/2.
 * A group of BASE that NEW lacks is a regression unless `allowMissing`.
 */
import { ExitCode, ResultFileError } from '../errors.js';
import { compareMarkdown } from '../report/compare-markdown.js';
import { compareResults, type CompareOptions } from '../result/compare-results.js';
import { readResult } from '../result/read-result.js';
import { appendStepSummary } from './step-summary.js';
import type { CliIo } from './cli-io.js';
import { defineCommand } from './command-module.js';
import { allowMissingOption, alphaOption, jsonOption, thresholdOption } from './shared-options.js';

export function compareCommand(basePath: string, newPath: string, options: CompareOptions & { json: boolean }, io: CliIo): number {
  const base = readResult(basePath);
  const next = readResult(newPath);
  const comparison = compareResults(base, next, { threshold: options.threshold, alpha: options.alpha, allowMissing: options.allowMissing === true });
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

export const compareModule = defineCommand({
  command: 'compare <base> <new>',
  describe: 'Compare two results as benchstat does: medians, change, Mann–Whitney U; lost caches, bytes, health',
  builder: (y) =>
    y
      .positional('base', { type: 'string', demandOption: true, describe: 'the result to compare against (a directory or result.json; version 1 or 2)' })
      .positional('new', { type: 'string', demandOption: true, describe: 'the result under test' })
      .option('threshold', thresholdOption())
      .option('alpha', alphaOption())
      .option('json', jsonOption('print the comparison as JSON instead of Markdown'))
      .option('allow-missing', allowMissingOption('list the (variant, builder, edit) groups of BASE that NEW lacks without calling them regressions'))
      .epilogue(
        'A regression is a time change that is significant (p ≤ alpha, by the exact U test where samples are small, ties included; sizes at which no data could reach alpha, such as 3 + 3, do not gate on time) and beyond the threshold; ' +
          'or, at any n: a step cached in every BASE sample that NEW missed, more new bytes or a bigger image beyond the threshold, an image that stopped answering its health check; ' +
          'or a (variant, builder, edit) of BASE that NEW lacks, or holds fewer samples of because its run did not complete (a build failed, an interrupt), unless --allow-missing. A result that did not complete is said first. ' +
          'Exit codes: 0 no regression · 1 a regression · 2 not comparable (no variant, builder and edit in common, or a file that is not a result) · 70 an unexpected failure (a bug in layerbench).',
      )
      .example('$0 compare results/main results/pr', 'exit 1 when the pull request made a rebuild slower or lost a cache')
      .example('$0 compare results/main results/pr --allow-missing', 'a variant the pull request removed is listed, not a regression'),
  handler: (args, { io }) => compareCommand(args.base, args.new, { threshold: args.threshold, alpha: args.alpha, allowMissing: args['allow-missing'], json: args.json }, io),
});
