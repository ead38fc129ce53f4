/**
 * report, compare and merge through the command line's entry point, in-process, on result
 * files (no Docker): the files they write, their exit codes, the GitHub step summary.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/cli-io.js';
import { readResult } from '../../src/result/read-result.js';
import type { SuiteResult } from '../../src/result/types.js';
import { makeSample, resultOf } from './support/sample-factory.js';
import { makeTempDir, removeTempDirs } from './support/temp-dir.js';
import { buildSamplesOf } from '../../src/result/sample-kinds.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/result-v2.json', import.meta.url));
const V1_FIXTURE = fileURLToPath(new URL('../fixtures/result-v1.json', import.meta.url));
const root = makeTempDir();
afterAll(removeTempDirs);

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: { ...process.env, GITHUB_STEP_SUMMARY: '', ...env } };
  const code = await main(argv, io, { engine: () => { throw new Error('no daemon in these specs'); } });
  return { code, stdout, stderr };
}

function resultDir(name: string, result: SuiteResult | string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  if (typeof result === 'string') copyFileSync(result, join(dir, 'result.json'));
  else writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
  return dir;
}

describe('layerbench report', () => {
  it('writes report.md, report.html, results.csv, steps.csv beside result.json, and the exports asked for', async () => {
    const dir = resultDir('report', FIXTURE);
    const outcome = await cli(['report', dir, '--export-hyperfine', join(root, 'hf.json'), '--export-github-benchmark', join(root, 'gb.json')]);
    expect(outcome.code).toBe(0);
    for (const file of ['report.md', 'report.html', 'results.csv', 'steps.csv']) expect(existsSync(join(dir, file)), file).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'hf.json'), 'utf8'))).toHaveProperty('results');
    expect(Array.isArray(JSON.parse(readFileSync(join(root, 'gb.json'), 'utf8')))).toBe(true);
  });

  it('appends report.md to $GITHUB_STEP_SUMMARY when it is set', async () => {
    const summary = join(root, 'step-summary.md');
    writeFileSync(summary, 'earlier step\n');
    await cli(['report', resultDir('summary', FIXTURE)], { GITHUB_STEP_SUMMARY: summary });
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('earlier step\n# layerbench · default')).toBe(true);
  });

  it('reads a version 1 result too', async () => {
    const dir = resultDir('v1', V1_FIXTURE);
    expect((await cli(['report', dir])).code).toBe(0);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('optimized');
  });

  it('refuses a file that is not a result: exit 2, naming it', async () => {
    const file = join(root, 'not-a-result.json');
    writeFileSync(file, '{"hello": 1}');
    const outcome = await cli(['report', file]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/not-a-result\.json: field "schemaVersion" is missing: not a layerbench result/);
  });
});

describe('layerbench compare', () => {
  const base = resultOf([...[300, 310, 305, 295, 302].map((wallMs, i) => makeSample({ variant: 'optimized', rep: i + 1, wallMs, firstMissStep: 5 }))]);
  const regressed = resultOf([...[24_000, 25_000, 24_500, 23_800, 24_900].map((wallMs, i) => makeSample({ variant: 'optimized', rep: i + 1, wallMs, firstMissStep: 4 }))]);

  it('exits 0 comparing a result with itself, saying there is no regression', async () => {
    const dir = resultDir('same', FIXTURE);
    const outcome = await cli(['compare', dir, dir]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('**No regression.**');
  });

  it('exits 1 on a regression and names the variant, the edit and the step that lost its cache', async () => {
    const outcome = await cli(['compare', resultDir('base', base), resultDir('regressed', regressed)]);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/- \*\*optimized\*\* · classic · edit "code": step "RUN pip install --no-cache-dir -r requirements\.txt" lost its cache/);
    expect(outcome.stdout).toMatch(/- \*\*optimized\*\* · classic · edit "code": rebuild time \+\d+ % \(p=0\.008\)/);
  });

  it('honours --threshold and --alpha, and refuses values that are not one', async () => {
    const dirs = [resultDir('base2', base), resultDir('regressed2', regressed)];
    expect((await cli(['compare', ...dirs, '--threshold', '100000%'])).stdout).not.toContain('rebuild time +');
    expect((await cli(['compare', ...dirs, '--alpha', '0.001'])).stdout).not.toContain('rebuild time +');
    expect((await cli(['compare', ...dirs, '--threshold', 'ten'])).code).toBe(2);
    expect((await cli(['compare', ...dirs, '--alpha', '5'])).stderr).toContain('--alpha takes a number between 0 and 1');
  });

  it('exits 2 when the results have nothing in common', async () => {
    const other = resultOf([makeSample({ variant: 'elsewhere' })]);
    const outcome = await cli(['compare', resultDir('base3', base), resultDir('other', other)]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/has no \(variant, builder, edit\) in common/);
  });

  it('exits 2 when a file is not a result', async () => {
    expect((await cli(['compare', resultDir('base4', base), join(root, 'nope')])).code).toBe(2);
  });

  it('--help says what the exit codes mean', async () => {
    const { stdout } = await cli(['compare', '--help']);
    expect(stdout.replace(/\s+/g, ' ')).toMatch(/Exit codes: 0 no regression · 1 a regression · 2 not comparable/);
  });
});

describe('layerbench merge', () => {
  it('writes one result of the parts, each sample with its machine, with its reports', async () => {
    const a = resultOf([makeSample({ variant: 'naive', machine: 'm1' })], '20261125-100000-aaaa');
    const b = resultOf([makeSample({ variant: 'optimized', machine: 'm2' })], '20261125-100000-bbbb');
    a.machines = [{ ...a.machine, id: 'm1' }];
    b.machines = [{ ...b.machine, id: 'm2' }];
    const out = join(root, 'merged');
    const outcome = await cli(['merge', resultDir('a', a), resultDir('b', b), '--out', out]);
    expect(outcome.code).toBe(0);
    const merged = readResult(out);
    expect(buildSamplesOf(merged.samples).map((s) => [s.variant, s.machine])).toEqual([['naive', 'm1'], ['optimized', 'm2']]);
    expect(merged.machines.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });
});
