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
    expect(stdout).toContain('--allow-missing');
  });

  describe('what NEW lacks', () => {
    const times = [1_000, 1_010, 990, 1_005, 995];
    const both = resultOf([...times.map((wallMs, i) => makeSample({ variant: 'naive', rep: i + 1, wallMs })), ...times.map((wallMs, i) => makeSample({ variant: 'optimized', rep: i + 1, wallMs: wallMs / 3 }))]);
    const failed: SuiteResult = { ...resultOf(times.map((wallMs, i) => makeSample({ variant: 'naive', rep: i + 1, wallMs }))), complete: false };

    it('exits 1 when NEW lacks a group because its run did not complete, naming the group, and says so before the table', async () => {
      const outcome = await cli(['compare', resultDir('both', both), resultDir('failed', failed)]);
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toContain('**1 regression.**');
      expect(outcome.stdout).toMatch(/- \*\*optimized\*\* · classic · edit "code": missing from new \(the run did not complete: interrupted, or a build failed\)/);
      const incomplete = outcome.stdout.indexOf('> **Incomplete**: new did not complete (interrupted, or a build failed)');
      expect(incomplete).toBeGreaterThan(0);
      expect(incomplete).toBeLessThan(outcome.stdout.indexOf('**1 regression.**'));
      expect(incomplete).toBeLessThan(outcome.stdout.indexOf('| variant |'));
      expect(outcome.stdout).not.toContain('only in base');
    });

    it('says it first in JSON too', async () => {
      const outcome = await cli(['compare', resultDir('both-json', both), resultDir('failed-json', failed), '--json']);
      expect(outcome.code).toBe(1);
      const json = JSON.parse(outcome.stdout) as Record<string, unknown>;
      expect(Object.keys(json).slice(0, 2)).toEqual(['complete', 'incomplete']);
      expect(json.complete).toEqual({ base: true, new: false });
      expect(json.missing).toMatchObject([{ variant: 'optimized', edit: 'code', regression: true }]);
      expect(json.regressionCount).toBe(1);
    });

    it('with --allow-missing lists the missing group, calls it no regression and exits 0', async () => {
      const outcome = await cli(['compare', resultDir('both2', both), resultDir('failed2', failed), '--allow-missing']);
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toContain('**No regression.**');
      expect(outcome.stdout).toContain('> **Incomplete**: new');
      expect(outcome.stdout).toMatch(/## Missing \(allowed: not regressions\)\n\n- \*\*optimized\*\* · classic · edit "code": missing from new/);
    });
  });

  it("shows each median with the median's 95 % interval, not the mean's margin of error", async () => {
    const skewed = resultOf([1_000, 1_000, 1_000, 1_000, 5_000].map((wallMs, i) => makeSample({ rep: i + 1, wallMs })));
    const dir = resultDir('skewed', skewed);
    const { stdout } = await cli(['compare', dir, dir]);
    expect(stdout).toContain('| naive | classic | edit "code" | 1.00 s (1.00 s – 5.00 s, 94 %) | 1.00 s (1.00 s – 5.00 s, 94 %) | ~ |');
    expect(stdout).toContain('base, new: the median rebuild time and its 95 % confidence interval');
    expect(stdout).not.toMatch(/±|123 %/);
  });

  it('says byte changes as before → after (×factor) in the table and the regressions', async () => {
    const small = resultOf([makeSample({ newBytes: 11_620 })]);
    const big = resultOf([makeSample({ newBytes: 286e6 })]);
    const { code, stdout } = await cli(['compare', resultDir('small', small), resultDir('big', big)]);
    expect(code).toBe(1);
    expect(stdout).toContain('| 11.6 kB → 286 MB (×24\u202f600) |');
    expect(stdout).toContain('- **naive** · classic · edit "code": new bytes 11.6 kB → 286 MB (×24\u202f600)');
    expect(stdout).not.toContain('2462');
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

  it('exits 2 on the same run given twice, naming both', async () => {
    const a = resultDir('twice', resultOf([makeSample({ variant: 'naive' })], '20261125-100000-aaaa'));
    const outcome = await cli(['merge', a, join(a, 'result.json'), '--out', join(root, 'merged-twice')]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(`${join(a, 'result.json')}: field "runId" is "20261125-100000-aaaa", as in ${a}:`);
  });

  it('keeps two machines apart, one row each, and says so; --pool pools them', async () => {
    const small = resultOf([makeSample({ variant: 'naive', wallMs: 600, machine: 'small' })], '20261125-100000-aaaa');
    const big = resultOf([makeSample({ variant: 'naive', wallMs: 300, machine: 'big' })], '20261125-100000-bbbb');
    small.machines = [{ ...small.machine, id: 'small' }];
    big.machines = [{ ...big.machine, id: 'big', cpus: 64 }];
    const dirs = [resultDir('small', small), resultDir('big', big)];
    const apart = await cli(['merge', ...dirs, '--out', join(root, 'merged-apart')]);
    expect(apart.code).toBe(0);
    expect(apart.stdout).toMatch(/^merged 2 results \(2 samples from 2 machines, kept apart: one row per machine\) into .*\n {2}2 machines kept apart: "naive" was measured on more than one/);
    expect(buildSamplesOf(readResult(join(root, 'merged-apart')).samples).map((s) => s.variant)).toEqual(['naive @ 2 cores, Engine 20.10.24, overlay2', 'naive @ 64 cores, Engine 20.10.24, overlay2']);
    const pooled = await cli(['merge', ...dirs, '--pool', '--out', join(root, 'merged-pooled')]);
    expect(pooled.code).toBe(0);
    expect(pooled.stdout).toMatch(/\(2 samples from 2 machines, pooled \(--pool\)\)[^\n]*\n {2}pooled across 2 machines/);
    const merged = readResult(join(root, 'merged-pooled'));
    expect(buildSamplesOf(merged.samples).map((s) => s.variant)).toEqual(['naive', 'naive']);
    expect(merged.notes?.map((n) => n.code)).toEqual(['merge-pooled-machines']);
  });
});
