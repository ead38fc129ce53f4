/**
 * Writes every report of a result next to its result.json — report.md, report.html,
 * results.csv, steps.csv — and the exports asked for; appends report.md to the GitHub step
 * summary when there is one (GITHUB_STEP_SUMMARY, set by GitHub Actions).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writingInto } from '../disk-space.js';
import { buildComparison, type Comparison } from '../result/comparison.js';
import type { SuiteResult } from '../result/types.js';
import { pullsCsv, samplesCsv, stepsCsv } from './csv-report.js';
import { githubBenchmarkExport, hyperfineExport } from './exports.js';
import { htmlReport } from './html-report.js';
import { markdownReport } from './markdown-report.js';

export interface ReportOptions {
  /** write hyperfine's JSON export here */
  exportHyperfine?: string | undefined;
  /** write github-action-benchmark's customSmallerIsBetter input here */
  exportGithubBenchmark?: string | undefined;
  /** append report.md to this file (GitHub Actions' step summary) */
  stepSummary?: string | undefined;
}

export interface WrittenReports {
  files: string[];
  markdown: string;
  /** the comparison the reports show (worked out once per result) */
  comparison: Comparison;
}

export function writeReports(dir: string, result: SuiteResult, options: ReportOptions = {}): WrittenReports {
  const comparison = buildComparison(result);
  const markdown = markdownReport(result, comparison);
  const files: [string, string][] = [
    [join(dir, 'report.md'), markdown],
    [join(dir, 'report.html'), htmlReport(result, comparison)],
    [join(dir, 'results.csv'), samplesCsv(result)],
    [join(dir, 'steps.csv'), stepsCsv(result)],
  ];
  if (result.pull !== undefined) files.push([join(dir, 'pulls.csv'), pullsCsv(result)]);
  if (options.exportHyperfine !== undefined) files.push([resolve(options.exportHyperfine), `${JSON.stringify(hyperfineExport(result), null, 2)}\n`]);
  if (options.exportGithubBenchmark !== undefined) files.push([resolve(options.exportGithubBenchmark), `${JSON.stringify(githubBenchmarkExport(result, comparison), null, 2)}\n`]);
  for (const [path, text] of files) writingInto(dirname(path), () => writeFileSync(path, text));
  if (options.stepSummary !== undefined && options.stepSummary !== '') {
    const summary = options.stepSummary;
    writingInto(dirname(summary), () => appendFileSync(summary, `${markdown}\n`));
  }
  return { files: files.map(([path]) => path), markdown, comparison };
}
