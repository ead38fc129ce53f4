/**
 * Why each variant rebuilt, as every report says it: the comparison picks the typical
 * explanation of a row (the most common step, reason and clause among its counted samples,
 * with the medians of those samples), and the terminal table and report.md show it under each
 * edit's table — never under the cold build, which missed because it was asked to.
 */
import { describe, expect, it } from 'vitest';
import { cacheMissClause, whyCell } from '../../src/report/cells.js';
import { comparisonTable } from '../../src/report/comparison-table.js';
import { markdownReport } from '../../src/report/markdown-report.js';
import { buildComparison, type ComparisonRow } from '../../src/result/comparison.js';
import { summarize } from '../../src/result/summarize.js';
import type { BuildSample, CacheMiss, SuiteResult } from '../../src/result/types.js';
import { makeSample, resultOf, scenarioOf, type SampleShape } from './support/sample-factory.js';

const CODE_CLAUSE = 'app/main.py changed (edit "code")';

function miss(more: Partial<CacheMiss> = {}): CacheMiss {
  return { step: 5, instruction: 'COPY . .', line: 5, reason: 'context-changed', changedFiles: ['app/main.py'], because: CODE_CLAUSE, rebuiltSteps: 1, rebuiltMs: 1_000, ...more };
}

const UNEXPLAINED = miss({ reason: 'unexplained', changedFiles: [], because: "nothing layerbench changed reaches it (the builder's cache entry may have been evicted)" });

/** A sample with its explanation; `stepMs` overrides the durations of rebuilt steps by index. */
function explained(shape: SampleShape, cacheMiss: CacheMiss | null, stepMs: Record<number, number> = {}): BuildSample {
  const sample = makeSample(shape);
  return { ...sample, cacheMiss, steps: sample.steps.map((step) => ({ ...step, durationMs: stepMs[step.index] ?? step.durationMs })) };
}

/**
 * naive: cold 3×; after the code edit, 3× at `COPY . .` for the edit's file (rebuilt 1000–1100 ms of 1100–1300 ms).
 * optimized: after the code edit, 2× the edit's file at step 5, 1× unexplained at step 3 (9 s),
 * and one sample that missed nothing and is left out.
 */
function run(): BuildSample[] {
  return [
    ...[60_000, 61_000, 62_000].map((wallMs, i) =>
      explained({ variant: 'naive', phase: 'cold', rep: i + 1, wallMs }, miss({ step: 1, instruction: 'FROM python:3.11-slim', line: 1, reason: 'no-cache', changedFiles: [], because: 'built without cache (--no-cache)', rebuiltSteps: 5, rebuiltMs: wallMs - 100 })),
    ),
    explained({ variant: 'naive', rep: 1, wallMs: 1_100 }, miss({ rebuiltMs: 1_000 })),
    explained({ variant: 'naive', rep: 2, wallMs: 1_200 }, miss({ rebuiltMs: 1_050 })),
    explained({ variant: 'naive', rep: 3, wallMs: 1_300 }, miss({ rebuiltMs: 1_100 })),
    explained({ variant: 'optimized', rep: 1, wallMs: 300 }, miss({ rebuiltMs: 250 }), { 5: 400 }),
    explained({ variant: 'optimized', rep: 2, wallMs: 320 }, miss({ rebuiltMs: 270 }), { 5: 600 }),
    explained({ variant: 'optimized', rep: 3, wallMs: 9_000, firstMissStep: 3 }, { ...UNEXPLAINED, step: 3, instruction: 'COPY requirements.txt .', line: 3, rebuiltSteps: 3, rebuiltMs: 8_900 }, { 5: 800 }),
    explained({ variant: 'optimized', rep: 4, wallMs: 150, firstMissStep: null, flags: ['no-step-missed'] }, null),
  ];
}

function comparisonOf(samples: BuildSample[]): ReturnType<typeof buildComparison> {
  return buildComparison({ samples, summary: summarize(samples), scenario: scenarioOf(['naive', 'optimized'], ['code']) });
}

function rowOf(samples: BuildSample[], variant: string, phase: 'cold' | 'warm' = 'warm'): ComparisonRow {
  const row = comparisonOf(samples).sections.find((s) => s.phase === phase)?.rows.find((r) => r.variant === variant);
  if (row === undefined) throw new Error(`no ${phase} row for ${variant}`);
  return row;
}

describe('buildComparison: the typical cache miss of a row', () => {
  it('is the explanation every counted sample gives, with the medians of its rebuilt time and wall time', () => {
    expect(rowOf(run(), 'naive').cacheMiss).toEqual({ miss: expect.objectContaining({ step: 5, reason: 'context-changed', because: CODE_CLAUSE }), count: 3, of: 3, rebuiltMs: 1_050, wallMs: 1_200 });
  });

  it('is the most common one when they differ, counted among the counted samples only, with the medians of its own samples', () => {
    // 2 of the 3 counted samples (the fourth missed nothing and is left out); medians of those two, not of all three
    expect(rowOf(run(), 'optimized').cacheMiss).toEqual({ miss: expect.objectContaining({ step: 5, reason: 'context-changed', because: CODE_CLAUSE }), count: 2, of: 3, rebuiltMs: 260, wallMs: 310 });
  });

  it('tells explanations apart by their clause: the same step and reason for other files is another explanation', () => {
    const samples = [
      explained({ rep: 1, wallMs: 1_000 }, miss({ because: 'app/main.py, notes.txt changed', changedFiles: ['app/main.py', 'notes.txt'] })),
      explained({ rep: 2, wallMs: 2_000 }, miss()),
      explained({ rep: 3, wallMs: 3_000 }, miss()),
    ];
    const typical = rowOf(samples, 'naive').cacheMiss;
    expect(typical?.miss.because).toBe(CODE_CLAUSE);
    expect([typical?.count, typical?.of, typical?.wallMs]).toEqual([2, 3, 2_500]);
  });

  it('tells explanations apart by their step: the same clause at another step is another explanation', () => {
    const samples = [
      explained({ rep: 1, wallMs: 1_000, firstMissStep: 3 }, { ...UNEXPLAINED, step: 3, instruction: 'COPY requirements.txt .' }),
      explained({ rep: 2, wallMs: 2_000 }, UNEXPLAINED),
      explained({ rep: 3, wallMs: 3_000 }, UNEXPLAINED),
    ];
    const typical = rowOf(samples, 'naive').cacheMiss;
    expect([typical?.miss.step, typical?.count, typical?.of]).toEqual([5, 2, 3]);
  });

  it('is null when no sample says why (a result from before explanations were recorded)', () => {
    expect(rowOf([makeSample({ rep: 1 }), makeSample({ rep: 2 })], 'naive').cacheMiss).toBeNull();
  });
});

describe('buildComparison: the steps of a row', () => {
  it('summarizes each step over the counted samples only', () => {
    const steps = rowOf(run(), 'optimized').steps;
    expect(steps.map((s) => s.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps.every((s) => s.of === 3)).toBe(true);
    expect(steps.find((s) => s.index === 3)).toMatchObject({ instruction: 'COPY requirements.txt .', cached: 2, of: 3, medianRebuiltMs: 500 });
    expect(steps.find((s) => s.index === 5)).toMatchObject({ cached: 0, of: 3, medianRebuiltMs: 600 });
  });
});

describe('cacheMissClause', () => {
  const sixth = miss({ step: 6, instruction: 'COPY . .', because: 'app.py changed (edit "code")', rebuiltSteps: 3, rebuiltMs: 1 });

  it('says the step, its instruction, why it missed, how many later steps rebuilt, and the rebuilt and wall times given', () => {
    expect(cacheMissClause(sixth, 11_000, 11_300)).toBe('step 6 COPY . . missed: app.py changed (edit "code"); 3 later steps rebuilt, 11.0 s of 11.3 s');
  });

  it('says "1 later step", in the singular', () => {
    expect(cacheMissClause({ ...sixth, rebuiltSteps: 1 }, 900, 1_000)).toBe('step 6 COPY . . missed: app.py changed (edit "code"); 1 later step rebuilt, 900 ms of 1.00 s');
  });

  it('says when no later step rebuilt', () => {
    expect(cacheMissClause({ ...sixth, rebuiltSteps: 0 }, 900, 1_000)).toBe('step 6 COPY . . missed: app.py changed (edit "code"); no later step rebuilt, 900 ms of 1.00 s');
  });
});

describe('whyCell', () => {
  it("gives the typical explanation with the row's medians, without a share when every sample agrees", () => {
    expect(whyCell(rowOf(run(), 'naive'))).toBe(`step 5 COPY . . missed: ${CODE_CLAUSE}; 1 later step rebuilt, 1.05 s of 1.20 s`);
  });

  it('adds how many samples say so when not all do', () => {
    expect(whyCell(rowOf(run(), 'optimized'))).toBe(`step 5 COPY . . missed: ${CODE_CLAUSE}; 1 later step rebuilt, 260 ms of 310 ms (2 of 3 samples)`);
  });

  it('gives nothing for a row without an explanation', () => {
    expect(whyCell(rowOf([makeSample()], 'naive'))).toBeUndefined();
  });
});

describe('comparisonTable: why each variant rebuilt, under its edit table', () => {
  const sections = comparisonTable(comparisonOf(run())).split('\n\n');
  const cold = sections.find((s) => s.startsWith('cold build')) ?? '';
  const code = sections.find((s) => s.startsWith('edit "code"')) ?? '';

  it('ends the edit table with one "why" line per variant, names aligned', () => {
    expect(code.split('\n').slice(-2)).toEqual([
      `  why naive:     step 5 COPY . . missed: ${CODE_CLAUSE}; 1 later step rebuilt, 1.05 s of 1.20 s`,
      `  why optimized: step 5 COPY . . missed: ${CODE_CLAUSE}; 1 later step rebuilt, 260 ms of 310 ms (2 of 3 samples)`,
    ]);
  });

  it('has no "why" line under the cold build, though its samples say why they missed', () => {
    expect(cold).not.toBe('');
    expect(cold).not.toContain('why');
  });

  it('leaves out the line of a variant that has no explanation', () => {
    const samples = [...run().filter((s) => s.variant !== 'optimized'), makeSample({ variant: 'optimized', wallMs: 300 })];
    const section = comparisonTable(comparisonOf(samples)).split('\n\n').find((s) => s.startsWith('edit "code"')) ?? '';
    const why = section.split('\n').filter((line) => line.startsWith('  why'));
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/^ {2}why naive: +step 5 COPY \. \. missed: /);
  });

  it('names the builder of each line when the table holds several', () => {
    const samples = [explained({ rep: 1, wallMs: 1_000 }, miss({ rebuiltMs: 900 })), explained({ builder: 'buildkit', rep: 1, wallMs: 800 }, miss({ rebuiltMs: 700, because: 'app/main.py changed' }))];
    const section = comparisonTable(comparisonOf(samples));
    expect(section.split('\n').filter((line) => line.startsWith('  why'))).toEqual([
      `  why naive [classic]:  step 5 COPY . . missed: ${CODE_CLAUSE}; 1 later step rebuilt, 900 ms of 1.00 s`,
      '  why naive [buildkit]: step 5 COPY . . missed: app/main.py changed; 1 later step rebuilt, 700 ms of 800 ms',
    ]);
  });
});

describe('report.md: why it rebuilt, and the steps that rebuilt', () => {
  const report = (samples: BuildSample[], more: Partial<SuiteResult> = {}): string => {
    const result = { ...resultOf(samples), ...more };
    return markdownReport(result, buildComparison(result));
  };
  /** The text of one `## ` section, up to the next. */
  const sectionOf = (markdown: string, heading: string): string => {
    const start = markdown.indexOf(`\n## ${heading}`);
    if (start < 0) return '';
    const end = markdown.indexOf('\n## ', start + 1);
    return markdown.slice(start, end < 0 ? undefined : end);
  };
  const md = report(run());
  const code = sectionOf(md, 'Edit "code"');
  const cold = sectionOf(md, 'Cold build');

  it('lists why each variant rebuilt under the edit table, the instruction as code', () => {
    expect(code).toContain(
      [
        'Why it rebuilt:',
        '',
        `- **naive**: step 5 \`COPY . .\` missed: ${CODE_CLAUSE}; 1 later step rebuilt, 1.05 s of 1.20 s`,
        `- **optimized**: step 5 \`COPY . .\` missed: ${CODE_CLAUSE}; 1 later step rebuilt, 260 ms of 310 ms (2 of 3 samples)`,
      ].join('\n'),
    );
    expect(code.indexOf('| optimized |')).toBeLessThan(code.indexOf('Why it rebuilt:'));
  });

  it('tables the steps that rebuilt in any counted repetition, how often and their median when rebuilt; always-cached steps are left out', () => {
    const table = code.slice(code.indexOf('Steps that rebuilt'));
    expect(table.split('\n').filter((line) => line.startsWith('|'))).toEqual([
      '| variant | step | line | instruction | rebuilt | median when rebuilt |',
      '|---|---:|---:|---|---:|---:|',
      '| naive | 5 | 5 | `COPY . .` | 3/3 | 500 ms |',
      '| naive | 6 | 6 | `CMD ["uvicorn", "app.main:app"]` | 3/3 | 500 ms |',
      '| optimized | 3 | 3 | `COPY requirements.txt .` | 1/3 | 500 ms |',
      '| optimized | 4 | 4 | `RUN pip install --no-cache-dir -r requirements.txt` | 1/3 | 500 ms |',
      '| optimized | 5 | 5 | `COPY . .` | 3/3 | 600 ms |',
      '| optimized | 6 | 6 | `CMD ["uvicorn", "app.main:app"]` | 3/3 | 500 ms |',
    ]);
    expect(code.indexOf('Why it rebuilt:')).toBeLessThan(code.indexOf('Steps that rebuilt (the rest were cached every time):'));
  });

  it('says neither under the cold build', () => {
    expect(cold).not.toBe('');
    expect(cold).not.toContain('Why it rebuilt');
    expect(cold).not.toContain('Steps that rebuilt');
    expect(md.match(/Why it rebuilt:/g)).toHaveLength(1);
  });

  it('has no "Why it rebuilt" list when no sample says why', () => {
    expect(report([makeSample({ rep: 1 }), makeSample({ rep: 2 })])).not.toContain('Why it rebuilt');
  });

  it('escapes pipes in a step instruction, writes backticks as quotes, and "–" for an unknown line', () => {
    const sample = makeSample();
    const odd = {
      ...sample,
      cacheMiss: miss({ step: 6, instruction: 'RUN echo `date` | tee log', because: 'nothing layerbench changed reaches it' }),
      steps: sample.steps.map((step) => (step.index === 6 ? { ...step, instruction: 'RUN echo `date` | tee log', line: null } : step)),
    };
    const text = report([odd]);
    expect(text).toContain("| naive | 6 | – | `RUN echo 'date' \\| tee log` | 1/1 | 500 ms |");
    expect(text).toContain("- **naive**: step 6 `RUN echo 'date' | tee log` missed: nothing layerbench changed reaches it;");
  });

  it('lists the notes of the result under "How it was measured", after the warnings and before the run facts', () => {
    const notes = [
      { code: 'buildkit-cold-build', message: 'Cold BuildKit builds ran with --no-cache.' },
      { code: 'driver-cli-buildkit', message: 'buildkit builds ran through the docker CLI.' },
    ];
    const text = report(run(), { notes, warnings: [{ code: 'high-rme', message: 'optimized varies a lot' }] });
    expect(text).toContain(
      ['## How it was measured', '', '- `buildkit-cold-build` Cold BuildKit builds ran with --no-cache.', '- `driver-cli-buildkit` buildkit builds ran through the docker CLI.'].join('\n'),
    );
    expect(text.indexOf('## How it was measured')).toBeLessThan(text.indexOf('## Run'));
    expect(text.indexOf('## Warnings')).toBeGreaterThan(0);
    expect(text.indexOf('## Warnings')).toBeLessThan(text.indexOf('## How it was measured'));
  });

  it('has no "How it was measured" section without notes', () => {
    expect(md).not.toContain('How it was measured');
    expect(report(run(), { notes: [] })).not.toContain('How it was measured');
  });
});
