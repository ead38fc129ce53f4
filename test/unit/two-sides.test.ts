import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { sideName, sideOf, sideResult, twoSidedScenario } from '../../src/run/two-sides.js';
import type { Scenario, VariantSpec } from '../../src/scenario/scenario-types.js';
import { rebase, sideTree } from '../../src/workspace/git-tree.js';
import { makeSamples, resultOf } from './support/sample-factory.js';

function variant(name: string, dockerfile = `/x/${name}.Dockerfile`): VariantSpec {
  return { name, dockerfile, bases: {}, buildArgs: {}, target: null, builders: null };
}

function scenario(context: string, variants: VariantSpec[], extra: Partial<Scenario> = {}): Scenario {
  return {
    name: 'demo', file: null, sha256: null, context, builders: ['classic'], reps: 3, warmup: 0, cold: true, baseline: variants[0]?.name ?? '',
    variants, edits: [{ name: 'code', kind: 'append-line', file: 'a.txt', line: '# {nonce}' }], baseMap: {}, indexBandwidth: 'unlimited', headlines: [], health: null,
    declared: { variants: variants.map((v) => v.name), edits: ['code'] }, ...extra,
  };
}

describe('twoSidedScenario', () => {
  const base = scenario('/base', [variant('naive', '/base/naive.Dockerfile'), variant('optimized', '/base/optimized.Dockerfile'), variant('retired')], { reps: 9 });
  const next = scenario('/new', [variant('naive', '/new/naive.Dockerfile'), variant('optimized', '/new/optimized.Dockerfile'), variant('added')], { headlines: [{ edit: 'code', slow: 'naive', fast: 'optimized' }] });
  const both = twoSidedScenario(base, next);

  it('puts each variant of both sides side by side, each with its own side\'s Dockerfile and context', () => {
    expect(both.variants.map((v) => [v.name, v.dockerfile, v.context])).toEqual([
      ['naive.base', '/base/naive.Dockerfile', '/base'],
      ['naive.new', '/new/naive.Dockerfile', '/new'],
      ['optimized.base', '/base/optimized.Dockerfile', '/base'],
      ['optimized.new', '/new/optimized.Dockerfile', '/new'],
      ['added.new', '/x/added.Dockerfile', '/new'],
      ['retired.base', '/x/retired.Dockerfile', '/base'],
    ]);
  });

  it('measures both sides the new side\'s way: its edits, reps and baseline, its headlines on each side', () => {
    expect(both.reps).toBe(3);
    expect(both.baseline).toBe('naive.new');
    expect(both.headlines).toEqual([
      { edit: 'code', slow: 'naive.base', fast: 'optimized.base' },
      { edit: 'code', slow: 'naive.new', fast: 'optimized.new' },
    ]);
  });

  it('names sides reversibly, as image-name components', () => {
    expect(sideOf(sideName('multi-stage', 'base'))).toEqual({ variant: 'multi-stage', side: 'base' });
    expect(sideOf('naive')).toBeNull();
    expect(sideName('naive', 'new')).toMatch(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/);
  });
});

describe('sideResult', () => {
  it('gives each side its own samples, variants, baseline and headlines, under their own names', () => {
    const samples = [
      ...makeSamples({ variant: 'naive.base', edit: 'code' }, [10_000, 11_000]),
      ...makeSamples({ variant: 'naive.new', edit: 'code' }, [20_000, 21_000]),
      ...makeSamples({ variant: 'optimized.new', edit: 'code' }, [500, 600]),
    ];
    const whole = resultOf(samples);
    whole.scenario.variants = ['naive.base', 'naive.new', 'optimized.new'].map((name) => ({ ...(whole.scenario.variants[0] as (typeof whole.scenario.variants)[number]), name }));
    whole.scenario.baseline = 'naive.new';
    whole.scenario.headlines = [{ edit: 'code', slow: 'naive.base', fast: 'optimized.base' }, { edit: 'code', slow: 'naive.new', fast: 'optimized.new' }];
    const base = sideResult(whole, 'base');
    const next = sideResult(whole, 'new');
    expect(base.samples.map((s) => (s.kind === 'build' ? `${s.variant} ${s.wallMs}` : ''))).toEqual(['naive 10000', 'naive 11000']);
    expect(next.scenario.variants.map((v) => v.name)).toEqual(['naive', 'optimized']);
    expect(next.scenario.baseline).toBe('naive');
    expect(next.scenario.headlines).toEqual([{ edit: 'code', slow: 'naive', fast: 'optimized' }]);
    expect(base.scenario.headlines).toEqual([{ edit: 'code', slow: 'naive', fast: 'optimized' }]);
    expect(next.summary.map((row) => (row.kind === 'build' ? `${row.variant} ${row.wallMs?.median}` : ''))).toEqual(['naive 20500', 'optimized 550']);
  });
});

describe('the other tree', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'lb-two-sides-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const repo = join(scratch, 'repo');
  mkdirSync(join(repo, 'app'), { recursive: true });
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' });
  git('init', '-q');
  writeFileSync(join(repo, 'app', 'main.py'), 'old\n');
  git('add', '.');
  git('commit', '-qm', 'one');
  writeFileSync(join(repo, 'app', 'main.py'), 'new, not committed\n');

  it('exports a commit into a scratch copy, leaves the working tree as it was, and removes the copy', async () => {
    const tree = await sideTree('HEAD', repo, '20261203-120000-abcd');
    expect(tree.label).toMatch(/^HEAD \([0-9a-f]{7}\)$/);
    expect(readFileSync(join(tree.root, 'app', 'main.py'), 'utf8')).toBe('old\n');
    expect(readFileSync(join(repo, 'app', 'main.py'), 'utf8')).toBe('new, not committed\n');
    expect(git('status', '--porcelain')).toBe(' M app/main.py\n');
    tree.dispose();
    expect(existsSync(tree.root)).toBe(false);
  });

  it('takes a directory as it is, and refuses what is neither a directory nor a commit (exit 2)', async () => {
    expect((await sideTree(scratch, repo, 'x')).root).toBe(scratch);
    const refused = await sideTree('no-such-branch', repo, 'x').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as UsageError).message).toContain('--against no-such-branch is neither a directory nor a commit');
  });

  it('rebases a path of the new tree into the other, and leaves a path outside it alone', () => {
    expect(rebase(join(repo, 'scenarios', 'default.yaml'), repo, '/other')).toBe('/other/scenarios/default.yaml');
    expect(rebase('/elsewhere/x.yaml', repo, '/other')).toBe('/elsewhere/x.yaml');
  });
});
