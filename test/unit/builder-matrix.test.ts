/**
 * Measuring under several builders, and downloads held to a line's rate: `--builder
 * classic,buildkit` and `--index-bandwidth 50mbit` on the command line, `builders:` and
 * `indexBandwidth:` in a scenario file (and `builders:` on a variant that only one builder
 * can build), and the plan they give: all of one builder's builds before the next's.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/cli-io.js';
import { builderListOption } from '../../src/commands/option-values.js';
import { ScenarioError, UsageError } from '../../src/errors.js';
import { planBuilds, skippedVariants, type PlannedBuild } from '../../src/measure/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import type { ScenarioOverrides } from '../../src/scenario/scenario-overrides.js';
import type { EditSpec, Scenario, VariantSpec } from '../../src/scenario/scenario-types.js';
import { FakeEngine } from '../support/fake-engine.js';
import { errorOf } from './support/error-of.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

describe('--builder (builderListOption)', () => {
  const builder = builderListOption('--builder');

  it.each([
    ['classic', ['classic']],
    ['buildkit', ['buildkit']],
    ['classic,buildkit', ['classic', 'buildkit']],
    ['buildkit,classic', ['buildkit', 'classic']],
    [' classic , buildkit ', ['classic', 'buildkit']],
  ])('takes %j as the builders %j, in the order given', (value, expected) => {
    expect(builder(value)).toEqual(expected);
  });

  it('drops a builder named twice, keeping the first place it was named', () => {
    expect(builder('buildkit,classic,buildkit')).toEqual(['buildkit', 'classic']);
  });

  it('takes the option given twice (yargs passes an array) as both lists in turn', () => {
    expect(builder(['classic', 'buildkit'])).toEqual(['classic', 'buildkit']);
  });

  it('gives undefined when the option is not given', () => {
    expect(builder(undefined)).toBeUndefined();
  });

  it.each(['docker', 'classic,kaniko', 'Classic', '', ','])('refuses %j with a UsageError naming the option, the choices and the value', (value) => {
    const error = errorOf(UsageError, () => builder(value));
    expect(error.message).toContain('--builder takes classic, buildkit, or both as classic,buildkit');
    expect(error.message).toContain(`it was given "${value}"`);
  });
});

describe('the command line refuses a bad --builder or --index-bandwidth before anything is made', () => {
  const root = makeTempDir();
  process.env['LAYERBENCH_STATE_DIR'] = join(root, 'state');
  afterAll(() => removeTempDirs());

  async function cli(argv: string[]): Promise<{ code: number; stderr: string; engineCalls: string[] }> {
    let stderr = '';
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: process.env };
    const engine = new FakeEngine();
    const code = await main(argv, io, { engine: () => engine });
    await engine.close();
    return { code, stderr, engineCalls: engine.log };
  }

  it.each([
    ['--builder docker', ['run', '--builder', 'docker', '--out', join(root, 'out')], /--builder takes classic, buildkit, or both as classic,buildkit; it was given "docker"/],
    ['--index-bandwidth fast', ['run', '--index-bandwidth', 'fast', '--out', join(root, 'out')], /--index-bandwidth takes a rate such as 50mbit, .*it was given "fast"/],
  ])('%s: exit 2, the option named, nothing asked of the daemon', async (_what, argv, message) => {
    const outcome = await cli(argv);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.engineCalls).toEqual([]);
  });
});

describe('a scenario with builders and an index bandwidth (parseScenario)', () => {
  let root: string;
  let scenarioFile: string;

  beforeEach(() => {
    root = makeTempDir();
    scenarioFile = join(root, 'scenario.yaml');
    writeTree(root, {
      Dockerfile: 'FROM python:3.11-slim\nCOPY . /app\n',
      'cachemount.Dockerfile': 'FROM python:3.11-slim\nRUN --mount=type=cache,target=/root/.cache pip install flask\n',
      'ctx/app/main.py': 'GREETING = "hello"\n',
    });
  });
  afterEach(removeTempDirs);

  function minimal(): Record<string, unknown> {
    return {
      name: 'matrix',
      context: 'ctx',
      variants: [{ name: 'plain', dockerfile: 'Dockerfile' }],
      edits: [{ name: 'code', kind: 'replace-line', file: 'app/main.py', match: '^GREETING = .*$', with: 'GREETING = "{nonce}"' }],
    };
  }

  const parse = (data: Record<string, unknown>, overrides: ScenarioOverrides = {}): Scenario => parseScenario(stringify(data), scenarioFile, overrides);

  it('measures under the builders the file lists, in its order', () => {
    expect(parse({ ...minimal(), builders: ['classic', 'buildkit'] }).builders).toEqual(['classic', 'buildkit']);
    expect(parse({ ...minimal(), builders: ['buildkit', 'classic'] }).builders).toEqual(['buildkit', 'classic']);
  });

  it('lets builders: win over builder:', () => {
    expect(parse({ ...minimal(), builder: 'buildkit', builders: ['classic'] }).builders).toEqual(['classic']);
  });

  it('lets --builder replace the builders of the file', () => {
    expect(parse({ ...minimal(), builders: ['classic', 'buildkit'] }, { builder: 'buildkit' }).builders).toEqual(['buildkit']);
    expect(parse(minimal(), { builder: ['buildkit', 'classic'] }).builders).toEqual(['buildkit', 'classic']);
  });

  it('drops a builder the overrides name twice', () => {
    expect(parse(minimal(), { builder: ['classic', 'buildkit', 'classic'] }).builders).toEqual(['classic', 'buildkit']);
  });

  it('refuses overrides naming an unknown builder, or none, with a UsageError naming --builder', () => {
    for (const builder of [['classic', 'kaniko'], []] as unknown as ScenarioOverrides['builder'][]) {
      const error = errorOf(UsageError, () => parse(minimal(), { builder }));
      expect(error.message).toMatch(/^--builder takes classic, buildkit or both/);
    }
  });

  it.each([
    [['classic', 'classic'], 'builders'],
    [[], 'builders'],
    [['docker'], 'builders[0]'],
  ])('refuses builders: %j in the file (field %s)', (builders, field) => {
    const error = errorOf(ScenarioError, () => parse({ ...minimal(), builders }));
    expect(error.field).toBe(field);
  });

  it('keeps the builders a variant names (null: any builder)', () => {
    const scenario = parse({
      ...minimal(),
      builders: ['classic', 'buildkit'],
      variants: [
        { name: 'plain', dockerfile: 'Dockerfile' },
        { name: 'cachemount', dockerfile: 'cachemount.Dockerfile', builders: ['buildkit'] },
      ],
    });
    expect(scenario.variants.map((v) => [v.name, v.builders])).toEqual([
      ['plain', null],
      ['cachemount', ['buildkit']],
    ]);
  });

  it('refuses a variant builders: naming an unknown builder', () => {
    const error = errorOf(ScenarioError, () => parse({ ...minimal(), variants: [{ name: 'plain', dockerfile: 'Dockerfile', builders: ['podman'] }] }));
    expect(error.field).toBe('variants[0].builders[0]');
  });

  it('holds the index to the indexBandwidth of the file, unlimited when it has none', () => {
    expect(parse({ ...minimal(), indexBandwidth: '50mbit' }).indexBandwidth).toBe('50mbit');
    expect(parse(minimal()).indexBandwidth).toBe('unlimited');
  });

  it.each(['fast', '50', '50 mbit', '50mb', 'mbit'])('refuses indexBandwidth: %j in the file', (indexBandwidth) => {
    const error = errorOf(ScenarioError, () => parse({ ...minimal(), indexBandwidth }));
    expect(error.field).toBe('indexBandwidth');
  });

  it.each(['50mbit', '1gbit', '512kbit', '1.5gbit', 'unlimited'])('takes --index-bandwidth %s over the file', (indexBandwidth) => {
    expect(parse({ ...minimal(), indexBandwidth: '10mbit' }, { indexBandwidth }).indexBandwidth).toBe(indexBandwidth);
  });

  it('refuses --index-bandwidth fast with a UsageError naming the option and the value', () => {
    const error = errorOf(UsageError, () => parse(minimal(), { indexBandwidth: 'fast' }));
    expect(error.message).toBe('--index-bandwidth takes a rate such as 50mbit, 1gbit or 512kbit, or "unlimited"; it was given "fast".');
  });
});

describe('planBuilds and skippedVariants with two builders', () => {
  const variant = (name: string, builders: VariantSpec['builders'] = null): VariantSpec => ({ name, dockerfile: `/x/${name}.Dockerfile`, bases: {}, buildArgs: {}, target: null, builders });
  const code: EditSpec = { name: 'code', kind: 'append-line', file: 'app.py', line: '# {nonce}' };
  const line = (b: PlannedBuild): string => `${b.builder} ${b.variant} ${b.edit?.name ?? '-'} ${b.phase} ${b.rep} #${b.sequence}`;
  const matrix = { builders: ['classic', 'buildkit'] as Scenario['builders'], variants: [variant('naive'), variant('cachemount', ['buildkit'])], edits: [code], reps: 2, warmup: 1, cold: true };

  it("plans all of the first builder's builds, each variant finished before the next, then all of the second's", () => {
    expect(planBuilds(matrix).map(line)).toEqual([
      'classic naive - cold 1 #0',
      'classic naive code warmup 1 #0',
      'classic naive code warm 1 #1',
      'classic naive code warm 2 #2',
      'buildkit naive - cold 1 #0',
      'buildkit naive code warmup 1 #0',
      'buildkit naive code warm 1 #1',
      'buildkit naive code warm 2 #2',
      'buildkit cachemount - cold 1 #0',
      'buildkit cachemount code warmup 1 #0',
      'buildkit cachemount code warm 1 #1',
      'buildkit cachemount code warm 2 #2',
    ]);
  });

  it('follows the order the builders are given in', () => {
    const builders = planBuilds({ ...matrix, builders: ['buildkit', 'classic'] }).map((b) => b.builder);
    expect(builders.indexOf('classic')).toBeGreaterThan(builders.lastIndexOf('buildkit'));
  });

  it('skips a buildkit-only variant under classic, and says so', () => {
    expect(skippedVariants(matrix)).toEqual([{ variant: 'cachemount', builder: 'classic', builders: ['buildkit'] }]);
  });

  it('skips nothing when every variant can be built with every builder', () => {
    expect(skippedVariants({ ...matrix, variants: [variant('naive'), variant('optimized')] })).toEqual([]);
  });

  it('plans nothing for a variant under a builder it does not name, even as the only builder', () => {
    expect(planBuilds({ ...matrix, builders: ['classic'] }).map((b) => b.variant)).not.toContain('cachemount');
    expect(skippedVariants({ ...matrix, builders: ['classic'] })).toEqual([{ variant: 'cachemount', builder: 'classic', builders: ['buildkit'] }]);
  });
});
