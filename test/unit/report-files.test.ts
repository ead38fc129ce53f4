/**
 * The reports of a real result (test/fixtures/result-v2.json, a run of naive and optimized
 * here): report.md and the CSVs as snapshots; the exports in the shapes other tools read;
 * merge of two single-variant halves gives the table of the whole; on hand-made results, what
 * merge refuses (one run twice, two Dockerfiles for one variant), keeps apart (machines) and pools.
 */
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { comparisonTable } from '../../src/report/comparison-table.js';
import { samplesCsv, stepsCsv } from '../../src/report/csv-report.js';
import { githubBenchmarkExport, hyperfineExport } from '../../src/report/exports.js';
import { chartData } from '../../src/report/html-report.js';
import { markdownReport } from '../../src/report/markdown-report.js';
import { buildComparison } from '../../src/result/comparison.js';
import { mergeResults } from '../../src/result/merge-results.js';
import { readResult } from '../../src/result/read-result.js';
import type { SuiteResult } from '../../src/result/types.js';
import { ResultFileError } from '../../src/errors.js';
import { buildRowsOf, buildSamplesOf } from '../../src/result/sample-kinds.js';
import { summarize } from '../../src/result/summarize.js';
import { makeSamples, resultOf } from './support/sample-factory.js';

const result = readResult(fileURLToPath(new URL('../fixtures/result-v2.json', import.meta.url)));
const comparison = buildComparison(result);

describe('report.md', () => {
  const markdown = markdownReport(result, comparison);

  it('matches the snapshot', async () => {
    await expect(markdown).toMatchFileSnapshot('__snapshots__/report.md');
  });

  it('starts with the headline, then one table per edit with the 95 % interval, speed-up, steps reused and first miss', () => {
    const lines = markdown.split('\n');
    expect(lines[2]).toMatch(/^\*\*code-edit rebuild naive\/optimized = [\d.]+x/);
    expect(markdown).toContain('| variant | median (95 % interval) | n | speed-up | steps reused | first miss | new bytes | context sent | image | healthy |');
    expect(markdown).toMatch(/\| optimized \| [\d.]+ ms \([\d.]+ ms – [\d.]+ ms, 50 %\) \| 2 \| \d+× \| 8\/11 \| 9: `COPY \. \.` \|/);
  });

  it('ends with the warnings, the run (machine, engine, bases, version) and the provenance hashes', () => {
    expect(markdown.indexOf('## Warnings')).toBeLessThan(markdown.indexOf('## Run'));
    expect(markdown).toMatch(/- layerbench \d+\.\d+\.\d+ · run `20261125-221226-6056`/);
    expect(markdown).toContain('Docker Engine 20.10.24');
    expect(markdown).toMatch(/\| naive: Dockerfile \| `docker\/variants\/naive\.Dockerfile` \| `[0-9a-f]{12}` \|/);
  });
});

describe('results.csv and steps.csv', () => {
  it('have one row per sample, and one per step of each sample', () => {
    const samples = parse(samplesCsv(result), { columns: true }) as Record<string, string>[];
    expect(samples).toHaveLength(buildSamplesOf(result.samples).length);
    expect(samples[1]).toMatchObject({ variant: 'naive', edit: 'code', phase: 'warm', rep: '1', first_miss_instruction: 'COPY . /app', healthy: 'true' });
    const steps = parse(stepsCsv(result), { columns: true }) as Record<string, string>[];
    expect(steps).toHaveLength(buildSamplesOf(result.samples).reduce((sum, s) => sum + s.steps.length, 0));
    expect(steps.find((s) => s.variant === 'optimized' && s.edit === 'code' && (s.instruction ?? '').startsWith('RUN pip3'))).toMatchObject({ cached: 'true', stage: '0' });
  });

  it('match the snapshot', async () => {
    await expect(samplesCsv(result)).toMatchFileSnapshot('__snapshots__/results.csv');
  });

  it('keep the header of a result without samples', () => {
    expect(samplesCsv({ ...result, samples: [] }).split('\n')[0]).toMatch(/^run_id,machine,variant,builder,edit,phase,rep,wall_ms,/);
  });
});

describe('exports', () => {
  it("hyperfine: {results: [{command, mean, stddev, median, user, system, min, max, times}]} in seconds, stddev null for one run", () => {
    const exported = hyperfineExport(result);
    const validate = new Ajv().compile({
      type: 'object',
      required: ['results'],
      properties: {
        results: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['command', 'mean', 'stddev', 'median', 'user', 'system', 'min', 'max', 'times'],
            properties: { command: { type: 'string' }, mean: { type: 'number' }, stddev: { type: ['number', 'null'] }, times: { type: 'array', items: { type: 'number' } } },
          },
        },
      },
    });
    expect(validate(exported)).toBe(true);
    const cold = exported.results.find((r) => r.command === 'naive · classic · cold build');
    expect(cold?.stddev).toBeNull();
    expect(cold?.times).toEqual([(buildSamplesOf(result.samples)[0]?.wallMs ?? 0) / 1000]);
    const code = exported.results.find((r) => r.command === 'optimized · classic · code edit');
    expect(code?.times).toHaveLength(2);
    expect(code?.median).toBeLessThan(1);
  });

  it('github-action-benchmark: [{name, unit, value, range?, extra?}] for customSmallerIsBetter — rebuild ms, new bytes, image bytes', () => {
    const entries = githubBenchmarkExport(result);
    const validate = new Ajv().compile({
      type: 'array',
      items: { type: 'object', required: ['name', 'unit', 'value'], additionalProperties: false, properties: { name: { type: 'string' }, unit: { type: 'string' }, value: { type: 'number' }, range: { type: 'string' }, extra: { type: 'string' } } },
    });
    expect(validate(entries)).toBe(true);
    expect(entries.map((e) => `${e.name} [${e.unit}]`)).toEqual(
      expect.arrayContaining([
        'optimized · classic · code edit: rebuild [ms]',
        'optimized · classic · code edit: new bytes [bytes]',
        'naive · classic: image size [bytes]',
      ]),
    );
    expect(new Set(entries.map((e) => e.name)).size).toBe(entries.length);
  });
});

describe('report.html chart data', () => {
  it('holds every sample per section and variant, new bytes per edit, image sizes, and one waterfall per variant', () => {
    const data = chartData(result, comparison);
    expect(data.sections).toEqual(['cold build', 'code edit', 'requirements edit']);
    expect(data.times.map((t) => [t.variant, t.points.length])).toEqual([['naive', 5], ['optimized', 5]]);
    expect(data.newBytes.every((series) => series.values[0] === null)).toBe(true);
    expect(data.waterfalls.map((w) => w.variant)).toEqual(['naive', 'optimized']);
    const steps = data.waterfalls[1]?.steps ?? [];
    expect(steps.every((step, i) => i === 0 || step.start === steps[i - 1]?.end)).toBe(true);
    expect(steps.filter((step) => !step.cached).map((step) => step.label)).toEqual(expect.arrayContaining(['9 COPY . .']));
  });
});

describe('mergeResults', () => {
  const half = (variant: string, runId: string): SuiteResult => ({
    ...result,
    runId,
    machine: { ...result.machine, id: `machine-${variant}` },
    machines: [{ ...result.machine, id: `machine-${variant}` }],
    samples: buildSamplesOf(result.samples).filter((s) => s.variant === variant).map((s) => ({ ...s, machine: `machine-${variant}` })),
    scenario: { ...result.scenario, variants: result.scenario.variants.filter((v) => v.name === variant), baseline: variant },
  });

  it('gives two single-variant runs the same table as one run of both, keeping each sample\'s machine', () => {
    const merged = mergeResults([{ source: 'a', result: half('naive', 'r1') }, { source: 'b', result: half('optimized', 'r2') }], 'merged-1');
    expect(comparisonTable(buildComparison(merged))).toBe(comparisonTable(comparison));
    expect(merged.machines.map((m) => m.id)).toEqual(['machine-naive', 'machine-optimized']);
    expect(buildSamplesOf(merged.samples).filter((s) => s.variant === 'optimized').every((s) => s.machine === 'machine-optimized')).toBe(true);
    // as this version summarises one run of both (the fixture's stored summary predates contextBytes)
    expect(buildRowsOf(merged.summary)).toEqual(buildRowsOf(summarize(result.samples)));
  });

  it('refuses results of different scenarios, naming the file', () => {
    const other = { ...half('optimized', 'r2'), scenario: { ...result.scenario, name: 'other' } };
    expect(() => mergeResults([{ source: 'a', result: half('naive', 'r1') }, { source: 'b/result.json', result: other }], 'm')).toThrow(ResultFileError);
    expect(() => mergeResults([{ source: 'a', result: half('naive', 'r1') }, { source: 'b/result.json', result: other }], 'm')).toThrow(/b\/result\.json: field "scenario\.name" is "other", not "default"/);
  });

  describe('one population only', () => {
    const SMALL = { id: 'engine-small', cpus: 2 };
    const BIG = { id: 'engine-big', cpus: 64 };
    /** a result of naive and optimized after the code edit, measured on one machine */
    const shard = (runId: string, machine: { id: string; cpus: number; engineVersion?: string }, times: { naive?: number[]; optimized?: number[] }): SuiteResult => {
      const samples = [
        ...makeSamples({ variant: 'naive', machine: machine.id }, times.naive ?? []),
        ...makeSamples({ variant: 'optimized', machine: machine.id }, times.optimized ?? []),
      ];
      const base = resultOf(samples, runId);
      const facts = { ...base.machine, ...machine };
      return { ...base, machine: facts, machines: [facts] };
    };
    const rowsOf = (merged: SuiteResult): [string, number, number | undefined][] => buildRowsOf(merged.summary).map((r) => [r.variant, r.n, r.wallMs?.median]);

    it('refuses the same run given twice, naming both sources', () => {
      const run = shard('20261125-100000-aaaa', SMALL, { naive: [300, 310, 305] });
      const merge = (): SuiteResult => mergeResults([{ source: 'shard-a', result: run }, { source: 'shard-a-again', result: structuredClone(run) }], 'm');
      expect(merge).toThrow(ResultFileError);
      expect(merge).toThrow(/^shard-a-again: field "runId" is "20261125-100000-aaaa", as in shard-a: the same run given twice/);
      try {
        merge();
      } catch (error) {
        expect((error as ResultFileError).exitCode).toBe(2);
      }
    });

    it('refuses a result merged with one of its own parts: the same samples twice', () => {
      const a = shard('20261125-100000-aaaa', SMALL, { naive: [300, 310, 305] });
      const b = shard('20261125-100000-bbbb', SMALL, { optimized: [100, 110, 105] });
      const ab = mergeResults([{ source: 'a', result: a }, { source: 'b', result: b }], 'merged-ab');
      expect(() => mergeResults([{ source: 'merged', result: ab }, { source: 'b', result: b }], 'm')).toThrow(/^b: field "samples" are also in merged \(optimized · classic · edit "code" rep 1/);
    });

    it('refuses a variant whose Dockerfile differs between the results, naming both and the hashes', () => {
      const a = shard('20261125-100000-aaaa', SMALL, { naive: [300, 310, 305] });
      const b = shard('20261125-100000-bbbb', SMALL, { naive: [320, 330, 325] });
      b.scenario.variants = b.scenario.variants.map((v) => ({ ...v, dockerfileSha256: 'f'.repeat(64) }));
      const merge = (): SuiteResult => mergeResults([{ source: 'a/result.json', result: a }, { source: 'b/result.json', result: b }], 'm');
      expect(merge).toThrow(ResultFileError);
      expect(merge).toThrow(`b/result.json: field "scenario.variants[0].dockerfileSha256" of variant "naive" is ${'f'.repeat(12)}, not ${'b'.repeat(12)} like a/result.json`);
    });

    it('keeps two machines apart: one variant per machine, its own rows, the baseline and headline on the first machine, each shard\'s hashes', () => {
      const a = shard('20261125-100000-aaaa', SMALL, { naive: [600, 610, 605], optimized: [200, 210, 205] });
      const b = shard('20261125-100000-bbbb', BIG, { naive: [300, 310, 305], optimized: [100, 110, 105] });
      b.scenario.variants = b.scenario.variants.map((v) => ({ ...v, contextSha256: 'e'.repeat(64) }));
      const merged = mergeResults([{ source: 'a', result: a }, { source: 'b', result: b }], 'm');
      const small = '2 cores, Engine 20.10.24, overlay2';
      const big = '64 cores, Engine 20.10.24, overlay2';
      expect(rowsOf(merged)).toEqual([
        [`naive @ ${small}`, 3, 605],
        [`optimized @ ${small}`, 3, 205],
        [`naive @ ${big}`, 3, 305],
        [`optimized @ ${big}`, 3, 105],
      ]);
      expect(merged.scenario.variants.map((v) => [v.name, v.contextSha256?.[0]])).toEqual([
        [`naive @ ${small}`, 'c'],
        [`naive @ ${big}`, 'e'],
        [`optimized @ ${small}`, 'c'],
        [`optimized @ ${big}`, 'e'],
      ]);
      expect(merged.scenario.baseline).toBe(`naive @ ${small}`);
      const comparison = buildComparison(merged);
      expect(comparison.headlines.map((h) => [h.slow, h.fast, h.ratio])).toEqual([
        [`naive @ ${small}`, `optimized @ ${small}`, 605 / 205],
        [`naive @ ${big}`, `optimized @ ${big}`, 305 / 105],
      ]);
      expect(merged.notes?.map((n) => n.code)).toEqual(['merge-machines-apart']);
      expect(merged.notes?.[0]?.message).toMatch(/^2 machines kept apart: "naive", "optimized" were measured on more than one/);
      // the samples keep their machine
      expect(buildSamplesOf(merged.samples).filter((s) => s.variant.endsWith(big)).every((s) => s.machine === 'engine-big')).toBe(true);
    });

    it('keeps two Engine versions apart as two machines', () => {
      const a = shard('20261125-100000-aaaa', SMALL, { naive: [300, 310, 305] });
      const b = shard('20261125-100000-bbbb', { ...SMALL, id: 'engine-new', engineVersion: '28.2.2' }, { naive: [320, 330, 325] });
      expect(rowsOf(mergeResults([{ source: 'a', result: a }, { source: 'b', result: b }], 'm')).map(([variant]) => variant)).toEqual([
        'naive @ 2 cores, Engine 20.10.24, overlay2',
        'naive @ 2 cores, Engine 28.2.2, overlay2',
      ]);
    });

    it('pools the machines with pool, and says so', () => {
      const a = shard('20261125-100000-aaaa', SMALL, { naive: [600, 610, 605] });
      const b = shard('20261125-100000-bbbb', BIG, { naive: [300, 310, 305] });
      const merged = mergeResults([{ source: 'a', result: a }, { source: 'b', result: b }], 'm', { pool: true });
      expect(rowsOf(merged)).toEqual([['naive', 6, 455]]);
      expect(merged.scenario.variants.map((v) => v.name)).toEqual(['naive']);
      expect(merged.notes).toEqual([{ code: 'merge-pooled-machines', message: expect.stringMatching(/^pooled across 2 machines \(--pool\): naive on 2 cores, Engine 20\.10\.24, overlay2 and 64 cores/) }]);
    });

    it('keeps the names where each variant was measured on one machine, and notes that the speed-up compares machines too', () => {
      const a = shard('20261125-100000-aaaa', SMALL, { naive: [600, 610, 605] });
      const b = shard('20261125-100000-bbbb', BIG, { optimized: [100, 110, 105] });
      const merged = mergeResults([{ source: 'a', result: a }, { source: 'b', result: b }], 'm');
      expect(rowsOf(merged).map(([variant]) => variant)).toEqual(['naive', 'optimized']);
      expect(merged.notes?.map((n) => n.code)).toEqual(['merge-machines']);
      expect(merged.notes?.[0]?.message).toContain('naive on 2 cores, Engine 20.10.24, overlay2; optimized on 64 cores, Engine 20.10.24, overlay2');
    });

    it('pools a group two results measured on one machine (another daemon of the same description), says so and numbers the reps on', () => {
      const a = shard('20261125-100000-aaaa', SMALL, { naive: [300, 310, 305] });
      const b = shard('20261125-100000-bbbb', { ...SMALL, id: 'engine-twin' }, { naive: [320, 330, 325], optimized: [100, 110, 105] });
      const merged = mergeResults([{ source: 'a', result: a }, { source: 'b', result: b }], 'm');
      expect(rowsOf(merged)).toEqual([['naive', 6, 315], ['optimized', 3, 105]]);
      expect(buildSamplesOf(merged.samples).filter((s) => s.variant === 'naive').map((s) => s.rep)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(merged.notes).toEqual([{ code: 'merge-overlap', message: 'naive · classic · edit "code" was measured by a and b on one machine (2 cores, Engine 20.10.24, overlay2): their 6 samples are pooled in one row, reps numbered on in that order' }]);
    });
  });
});
