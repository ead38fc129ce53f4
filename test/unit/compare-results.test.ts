/**
 * compareResults on synthetic results: a clear regression, noise only, a cache regression at
 * n = 1, too few samples to test time, bytes, health, provenance, inputs with nothing in
 * common, and what NEW lacks (a build that failed, a run that did not complete).
 */
import { describe, expect, it } from 'vitest';
import { compareResults, formatFactor, LAYERBENCH_CONTEXT_FILES, type CompareOptions } from '../../src/result/compare-results.js';
import type { BuildSample, SuiteResult } from '../../src/result/types.js';
import { OUTSIDE_DOCKERFILE_NAME } from '../../src/workspace/sent-files.js';
import { makeSample, makeSamples, resultOf } from './support/sample-factory.js';

const OPTIONS = { threshold: 0.1, alpha: 0.05 };
const compareWith = (base: SuiteResult, next: SuiteResult, options: CompareOptions = OPTIONS): ReturnType<typeof compareResults> => compareResults(base, next, options);
const compare = (base: BuildSample[], next: BuildSample[]): ReturnType<typeof compareResults> => compareWith(resultOf(base), resultOf(next));

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
    const atAlpha = compareWith(resultOf(makeSamples({}, [300, 310, 305, 295])), resultOf(makeSamples({}, [900, 910, 905, 895])), { threshold: 0.1, alpha: 2 / 70 });
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

  it('calls more new bytes or a bigger image beyond the threshold a regression, saying before → after (×factor)', () => {
    const comparison = compare([makeSample({ newBytes: 11_620, imageBytes: 100e6 })], [makeSample({ newBytes: 286e6, imageBytes: 140e6 })]);
    expect(comparison.rows[0]?.regressions).toEqual(['new bytes 11.6 kB → 286 MB (×24\u202f600)', 'image size 100 MB → 140 MB (×1.4)']);
    expect(comparison.rows[0]?.regressions.join()).not.toContain('%');
    expect(compare([makeSample({ newBytes: 10_000 })], [makeSample({ newBytes: 10_500 })]).regressionCount).toBe(0);
  });

  it('says the context sent the same way, per build', () => {
    const withSent = (bytes: number): BuildSample => ({ ...makeSample(), contextSent: { transport: 'tar', bytes, files: null } });
    expect(compare([withSent(2_000)], [withSent(15_000)]).rows[0]?.regressions).toEqual(['context sent 2.0 kB → 15.0 kB (×7.5) per build']);
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
    const { provenance, comparable } = compareWith(base, next);
    expect(comparable).toBe(true);
    expect(provenance.files).toEqual([{ variant: 'naive', dockerfile: true, changedFiles: ['app/main.py', 'new.txt'], contextDiffers: false }]);
    expect(provenance.bases).toEqual([{ name: 'python-3.11-slim', base: 'sha256:old', new: 'sha256:new' }]);
  });

  it("never names layerbench's own files as the user's: the copy of an outside Dockerfile is said by `dockerfile`", () => {
    expect([...LAYERBENCH_CONTEXT_FILES]).toContain(OUTSIDE_DOCKERFILE_NAME);
    const base = resultOf([makeSample()]);
    (base.scenario.variants[0] as SuiteResult['scenario']['variants'][number]).contextFiles = { 'app/main.py': 'd'.repeat(64), [OUTSIDE_DOCKERFILE_NAME]: '1'.repeat(64) };
    const next: SuiteResult = JSON.parse(JSON.stringify(base)) as SuiteResult;
    const variant = next.scenario.variants[0] as SuiteResult['scenario']['variants'][number];
    variant.dockerfileSha256 = 'f'.repeat(64);
    variant.contextSha256 = '7'.repeat(64);
    variant.contextFiles = { 'app/main.py': '9'.repeat(64), [OUTSIDE_DOCKERFILE_NAME]: '2'.repeat(64) };
    expect(compareWith(base, next).provenance.files).toEqual([{ variant: 'naive', dockerfile: true, changedFiles: ['app/main.py'], contextDiffers: false }]);
    // only the internal copy differs: the Dockerfile, not "the context (its files were not recorded)"
    variant.contextFiles = { 'app/main.py': 'd'.repeat(64), [OUTSIDE_DOCKERFILE_NAME]: '2'.repeat(64) };
    expect(compareWith(base, next).provenance.files).toEqual([{ variant: 'naive', dockerfile: true, changedFiles: [], contextDiffers: false }]);
  });
});

describe('compareResults: what NEW lacks', () => {
  const both = (): BuildSample[] => [...makeSamples({ variant: 'naive' }, [1_000, 1_010, 990]), ...makeSamples({ variant: 'optimized' }, [300, 310, 290])];
  const failed = (samples: BuildSample[], notes: SuiteResult['notes'] = []): SuiteResult => ({ ...resultOf(samples), complete: false, notes });

  it('calls a group of BASE that an incomplete NEW lacks a regression, naming it, and says first that NEW did not complete', () => {
    const comparison = compareWith(resultOf(both()), failed(makeSamples({ variant: 'naive' }, [1_000, 1_010, 990])));
    expect(Object.keys(comparison).slice(0, 2)).toEqual(['complete', 'incomplete']);
    expect(comparison.complete).toEqual({ base: true, new: false });
    expect(comparison.incomplete).toEqual(['new did not complete (interrupted, or a build failed); it holds only what was measured']);
    expect(comparison.missing).toEqual([
      { variant: 'optimized', builder: 'classic', edit: 'code', phase: 'warm', samples: { base: 3, new: 0 }, words: 'missing from new (the run did not complete: interrupted, or a build failed)', regression: true },
    ]);
    expect(comparison.comparable).toBe(true);
    expect(comparison.regressionCount).toBe(1);
  });

  it('names the reason the run recorded for stopping', () => {
    const comparison = compareWith(resultOf(both()), failed(makeSamples({ variant: 'naive' }, [1_000]), [{ code: 'build-failed', message: 'optimized: step 4 RUN pip install failed (exit 1)' }, { code: 'buildkit-cold-build', message: 'unrelated' }]));
    expect(comparison.missing[0]?.words).toBe('missing from new (the run did not complete: optimized: step 4 RUN pip install failed (exit 1))');
    expect(comparison.incomplete[0]).not.toContain('unrelated');
  });

  it('lists missing groups without calling them regressions when missing groups are allowed', () => {
    const comparison = compareWith(resultOf(both()), failed(makeSamples({ variant: 'naive' }, [1_000, 1_010, 990])), { ...OPTIONS, allowMissing: true });
    expect(comparison.missing).toMatchObject([{ variant: 'optimized', edit: 'code', regression: false }]);
    expect(comparison.regressionCount).toBe(0);
    expect(comparison.incomplete).toHaveLength(1);
  });

  it('calls a group absent from a complete NEW a regression too (a variant the change dropped), unless allowed', () => {
    const comparison = compareWith(resultOf(both()), resultOf(makeSamples({ variant: 'naive' }, [1_000, 1_010, 990])));
    expect(comparison.missing).toMatchObject([{ variant: 'optimized', words: 'missing from new', regression: true }]);
    expect(comparison.incomplete).toEqual([]);
    expect(comparison.regressionCount).toBe(1);
  });

  it('calls a group a NEW that did not complete holds fewer samples of than planned a regression, once with its other regressions', () => {
    const next = failed([...makeSamples({ variant: 'naive' }, [1_000, 1_010, 990]), makeSample({ variant: 'optimized', wallMs: 300, healthy: false })]);
    const comparison = compareWith(resultOf(both()), next);
    expect(comparison.missing).toMatchObject([{ variant: 'optimized', samples: { base: 3, new: 1 }, words: 'only 1 of 3 samples in new (the run did not complete: interrupted, or a build failed)', regression: true }]);
    expect(comparison.rows.find((r) => r.variant === 'optimized')?.regressions).toEqual(['1 of 1 images no longer answer their health check']);
    expect(comparison.regressionCount).toBe(1);
  });

  it('takes what a stopping rule gave a group as planned: stopped by a narrow interval is finished, not yet stopped is not', () => {
    const six = (variant: string): BuildSample[] => makeSamples({ variant }, [1_000, 1_010, 990, 1_005, 995, 1_000]);
    const next = failed([...six('naive'), ...six('optimized')]);
    next.scenario.reps = 20;
    next.repetitions = { minReps: 6, maxReps: 20, targetCi: 0.05, timeBudgetMs: null, groups: [{ variant: 'naive', builder: 'classic', edit: 'code', reps: 6, stoppedBecause: 'target-ci', halfWidth: 0.01 }] };
    const comparison = compareWith(resultOf([...six('naive'), ...six('optimized')]), next);
    expect(comparison.missing).toMatchObject([{ variant: 'optimized', words: 'only 6 samples in new, before its stopping rule ended the group (the run did not complete: interrupted, or a build failed)' }]);
    expect(comparison.regressionCount).toBe(1);
  });

  it('fails the gate on a NEW that stopped before measuring anything BASE has, rather than calling the two not comparable', () => {
    const comparison = compareWith(resultOf(both()), failed([]));
    expect(comparison.comparable).toBe(true);
    expect(comparison.missing.map((m) => m.variant)).toEqual(['naive', 'optimized']);
    expect(comparison.regressionCount).toBe(2);
    expect(compareWith(resultOf(both()), failed([]), { ...OPTIONS, allowMissing: true }).comparable).toBe(false);
  });

  it('says first that BASE did not complete, without calling what it lacks a regression', () => {
    const comparison = compareWith(failed(makeSamples({ variant: 'naive' }, [1_000, 1_010, 990])), resultOf(both()));
    expect(comparison.incomplete).toEqual(['base did not complete (interrupted, or a build failed); it holds only what was measured']);
    expect(comparison.missing).toEqual([]);
    expect(comparison.regressionCount).toBe(0);
  });
});

describe('formatFactor', () => {
  it('gives one decimal below 10, whole numbers below 100, three significant digits grouped by thousands from 10 000 above', () => {
    expect([1.4, 4, 9.96, 24.4, 99.6, 246.1, 2_461, 24_655, 1_234_567].map(formatFactor)).toEqual(['1.4', '4.0', '10', '24', '100', '246', '2460', '24\u202f700', '1\u202f230\u202f000']);
    expect(formatFactor(0.456)).toBe('0.46');
  });
});
