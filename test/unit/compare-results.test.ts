/**
 * compareResults on synthetic results: a clear regression, noise only, a cache regression at
 * n = 1, too few samples to test time, bytes, health, provenance, and inputs with nothing in common.
 */
import { describe, expect, it } from 'vitest';
import { compareResults } from '../../src/result/compare-results.js';
import type { BuildSample, SuiteResult } from '../../src/result/types.js';
import { makeSample, makeSamples, resultOf } from './support/sample-factory.js';

const OPTIONS = { threshold: 0.1, alpha: 0.05 };
const compare = (base: BuildSample[], next: BuildSample[]): ReturnType<typeof compareResults> => compareResults(resultOf(base), resultOf(next), OPTIONS);

describe('compareResults: time', () => {
  it('calls a significant change beyond the threshold a regression (5 + 5, fully separated: p = 0.008)', () => {
    const comparison = compare(makeSamples({}, [300, 310, 305, 295, 302]), makeSamples({}, [900, 910, 905, 895, 902]));
    const row = comparison.rows[0];
    expect(row?.time?.verdict).toBe('regression');
    expect(row?.time?.p).toBeCloseTo(2 / 252, 10);
    expect(row?.time?.change).toBeCloseTo(2, 1);
    expect(row?.regressions).toEqual([expect.stringMatching(/^rebuild time \+199 % \(p=0\.008\)$/)]);
    expect(comparison.regressionCount).toBe(1);
  });

  it('calls noise no change (~), however the medians differ', () => {
    const comparison = compare(makeSamples({}, [300, 340, 290, 330, 310]), makeSamples({}, [320, 295, 345, 305, 335]));
    expect(comparison.rows[0]?.time?.verdict).toBe('no-change');
    expect(comparison.regressionCount).toBe(0);
  });

  it('calls a significant change within the threshold neither better nor worse', () => {
    expect(compare(makeSamples({}, [300, 301, 302, 303, 304]), makeSamples({}, [310, 311, 312, 313, 314])).rows[0]?.time?.verdict).toBe('within-threshold');
  });

  it('calls a significant drop beyond the threshold an improvement, not a regression', () => {
    const comparison = compare(makeSamples({}, [900, 910, 905, 895, 902]), makeSamples({}, [300, 310, 305, 295, 302]));
    expect(comparison.rows[0]?.time?.verdict).toBe('improvement');
    expect(comparison.regressionCount).toBe(0);
  });

  it('does not test time where no data could reach α at the sample sizes (3 + 3: the smallest p is 0.1), and says so', () => {
    const comparison = compare(makeSamples({}, [300, 310, 305]), makeSamples({}, [900, 910, 905]));
    expect(comparison.rows[0]?.time).toMatchObject({ verdict: 'too-few-samples', p: null });
    expect(comparison.regressionCount).toBe(0);
  });

  it('tests 3 against 10, where a clear change reaches p = 2/286 = 0.007', () => {
    const comparison = compare(makeSamples({}, [300, 310, 305]), makeSamples({}, [900, 910, 905, 901, 902, 903, 904, 906, 907, 908]));
    expect(comparison.rows[0]?.time?.verdict).toBe('regression');
    expect(comparison.rows[0]?.time?.p).toBeCloseTo(2 / 286, 10);
  });

  it('counts ties exactly, as benchstat: [270,280,290,300] vs [300,330,340,350] is p = 0.057, ~ and no regression', () => {
    const comparison = compare(makeSamples({}, [270, 280, 290, 300]), makeSamples({}, [300, 330, 340, 350]));
    expect(comparison.rows[0]?.time?.p).toBeCloseTo(2 / 35, 10);
    expect(comparison.rows[0]?.time?.verdict).toBe('no-change');
    expect(comparison.regressionCount).toBe(0);
  });

  it('calls p = α a change (benchstat shows ~ only where p > α)', () => {
    const atAlpha = compareResults(resultOf(makeSamples({}, [300, 310, 305, 295])), resultOf(makeSamples({}, [900, 910, 905, 895])), { threshold: 0.1, alpha: 2 / 70 });
    expect(atAlpha.rows[0]?.time?.p).toBeCloseTo(2 / 70, 12);
    expect(atAlpha.rows[0]?.time?.verdict).toBe('regression');
  });

  it('leaves samples in which nothing missed out of the time test', () => {
    const next = [...makeSamples({}, [300, 310, 305, 295]), makeSample({ rep: 5, wallMs: 50, flags: ['no-step-missed'], firstMissStep: null })];
    expect(compare(makeSamples({}, [300, 310, 305, 295, 302]), next).rows[0]?.time?.new.n).toBe(4);
  });
});

describe('compareResults: exact metrics, at any n', () => {
  it('names a step cached in every base sample that a new sample missed: a cache regression at n = 1', () => {
    // base: the first miss is step 5 (COPY . .); new: step 4 (the pip install) missed too
    const comparison = compare([makeSample({ firstMissStep: 5 })], [makeSample({ firstMissStep: 4 })]);
    const row = comparison.rows[0];
    expect(row?.lostCache).toEqual([{ instruction: 'RUN pip install --no-cache-dir -r requirements.txt', missedIn: 1, of: 1 }]);
    expect(row?.regressions).toContain('step "RUN pip install --no-cache-dir -r requirements.txt" lost its cache (missed in 1 of 1 samples; cached in every base sample)');
    expect(comparison.regressionCount).toBe(1);
  });

  it('matches steps by their instruction, so a reordered Dockerfile still compares', () => {
    const base = makeSample({ firstMissStep: 5 });
    const reordered = makeSample({ firstMissStep: 3 });
    reordered.steps = [reordered.steps[0], reordered.steps[1], reordered.steps[4], reordered.steps[2], reordered.steps[3], reordered.steps[5]].map((step, i) => ({ ...(step as BuildSample['steps'][number]), index: i + 1, cached: i < 2 }));
    const lost = compare([base], [reordered]).rows[0]?.lostCache.map((l) => l.instruction);
    expect(lost).toEqual(['COPY requirements.txt .', 'RUN pip install --no-cache-dir -r requirements.txt']);
  });

  it('calls more new bytes or a bigger image beyond the threshold a regression', () => {
    const comparison = compare([makeSample({ newBytes: 10_000, imageBytes: 100e6 })], [makeSample({ newBytes: 300e6, imageBytes: 400e6 })]);
    expect(comparison.rows[0]?.regressions).toEqual(['new bytes +2999900 %', 'image size +300 %']);
    expect(compare([makeSample({ newBytes: 10_000 })], [makeSample({ newBytes: 10_500 })]).regressionCount).toBe(0);
  });

  it('calls an image that stopped answering its health check a regression', () => {
    const comparison = compare([makeSample({ healthy: true })], [makeSample({ healthy: false })]);
    expect(comparison.rows[0]?.healthLost).toEqual({ unhealthy: 1, of: 1 });
    expect(comparison.rows[0]?.regressions).toContain('1 of 1 images no longer answer their health check');
    expect(compare([makeSample({ healthy: null })], [makeSample({ healthy: false })]).regressionCount).toBe(0);
  });
});

describe('compareResults: what the two results hold', () => {
  it('is not comparable when no (variant, builder, edit, phase) is in both', () => {
    const comparison = compare([makeSample({ variant: 'a' })], [makeSample({ variant: 'b' })]);
    expect(comparison.comparable).toBe(false);
    expect(comparison.onlyInBase).toEqual(['a · classic · edit "code"']);
    expect(comparison.onlyInNew).toEqual(['b · classic · edit "code"']);
  });

  it('names what differs in provenance rather than refusing: the Dockerfile, context files, bases', () => {
    const base = resultOf([makeSample()]);
    const next: SuiteResult = JSON.parse(JSON.stringify(base)) as SuiteResult;
    const variant = next.scenario.variants[0] as SuiteResult['scenario']['variants'][number];
    variant.dockerfileSha256 = 'f'.repeat(64);
    variant.contextFiles = { ...variant.contextFiles, 'app/main.py': '9'.repeat(64), 'new.txt': '8'.repeat(64) };
    next.bases = [{ ...(next.bases[0] as SuiteResult['bases'][number]), id: 'sha256:new' }];
    const { provenance, comparable } = compareResults(base, next, OPTIONS);
    expect(comparable).toBe(true);
    expect(provenance.files).toEqual([{ variant: 'naive', dockerfile: true, changedFiles: ['app/main.py', 'new.txt'], contextDiffers: false }]);
    expect(provenance.bases).toEqual([{ name: 'python-3.11-slim', base: 'sha256:old', new: 'sha256:new' }]);
  });
});
