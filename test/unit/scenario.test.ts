import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ScenarioError, UsageError } from '../../src/errors.js';
import { expectationOf, fieldOf } from '../../src/schema-errors.js';
import { loadScenario, MAX_SCENARIO_BYTES, parseScenario } from '../../src/scenario/load-scenario.js';
import type { ScenarioOverrides } from '../../src/scenario/scenario-overrides.js';
import { scenarioSchema } from '../../src/scenario/scenario-schema.js';
import { errorOf } from './support/error-of.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

const DEFAULT_SCENARIO = fileURLToPath(new URL('../../scenarios/default.yaml', import.meta.url));

/** A scenario directory: `scenario.yaml` beside a build context `ctx/` and a `Dockerfile`. */
let root: string;
let scenarioFile: string;

beforeEach(() => {
  root = makeTempDir();
  scenarioFile = join(root, 'scenario.yaml');
  writeTree(root, {
    Dockerfile: 'FROM python:3.11-slim\nCOPY . /app\n',
    'ctx/app/main.py': 'GREETING = "hello"\nprint(GREETING)\n',
    'ctx/requirements.txt': 'fastapi==0.1\n',
    'ctx/model.json': '{"w": [0.123456]}\n',
    'ctx-file': 'not a directory',
  });
});
afterEach(removeTempDirs);

/** The smallest valid scenario, as a plain object to be tweaked per spec. */
function minimal(): Record<string, unknown> {
  return {
    name: 'tiny',
    context: 'ctx',
    variants: [{ name: 'only', dockerfile: 'Dockerfile' }],
    edits: [{ name: 'code', kind: 'replace-line', file: 'app/main.py', match: '^GREETING = .*$', with: 'GREETING = "{nonce}"' }],
  };
}

function parse(data: unknown, overrides: ScenarioOverrides = {}): ReturnType<typeof parseScenario> {
  return parseScenario(typeof data === 'string' ? data : stringify(data), scenarioFile, overrides);
}

function expectRejected(data: unknown, field: string, expected: RegExp | string): ScenarioError {
  const error = errorOf(ScenarioError, () => parse(data));
  expect(error.field).toBe(field);
  if (typeof expected === 'string') expect(error.expected).toContain(expected);
  else expect(error.expected).toMatch(expected);
  expect(error.file).toContain('scenario.yaml');
  expect(error.message).toContain('scenario.yaml');
  if (field !== '') expect(error.message).toContain(`field "${field}"`);
  return error;
}

describe('loadScenario on the bundled scenarios/default.yaml', () => {
  const scenario = loadScenario(DEFAULT_SCENARIO);

  it('names the variants naive, optimized, multistage and cachemount, in that order; cachemount is built with BuildKit only', () => {
    expect(scenario.variants.map((v) => v.name)).toEqual(['naive', 'optimized', 'multistage', 'cachemount']);
    expect(scenario.variants.map((v) => v.builders)).toEqual([null, null, null, ['buildkit']]);
  });

  it('has the three edits code, requirements and model, of the kinds the file declares', () => {
    expect(scenario.edits.map((e) => [e.name, e.kind])).toEqual([
      ['code', 'replace-line'],
      ['requirements', 'add-requirement'],
      ['model', 'swap-asset'],
    ]);
  });

  it("names no builder (a run uses the daemon's own), 5 measured reps, no warm-up and a measured cold build", () => {
    expect(scenario.builders).toEqual([]);
    expect(scenario.reps).toBe(5);
    expect(scenario.warmup).toBe(0);
    expect(scenario.cold).toBe(true);
  });

  it('resolves the scenario file, the context and every Dockerfile to absolute paths relative to the scenario file', () => {
    expect(scenario.file).toBe(DEFAULT_SCENARIO);
    expect(isAbsolute(scenario.context)).toBe(true);
    expect(scenario.context).toBe(resolve(DEFAULT_SCENARIO, '../../docker/app'));
    for (const variant of scenario.variants) {
      expect(isAbsolute(variant.dockerfile)).toBe(true);
      expect(variant.dockerfile).toBe(resolve(DEFAULT_SCENARIO, `../../docker/variants/${variant.name}.Dockerfile`));
    }
  });

  it('keeps the logical base images per variant and fills empty build args', () => {
    expect(scenario.variants[0]?.bases).toEqual({ OS_BASE: 'general-os' });
    expect(scenario.variants[1]?.bases).toEqual({ PYTHON_BASE: 'python-3.11-slim' });
    expect(scenario.variants.every((v) => Object.keys(v.buildArgs).length === 0)).toBe(true);
  });

  it('turns the health timeout in seconds into milliseconds and keeps the predict request', () => {
    expect(scenario.health?.port).toBe(8000);
    expect(scenario.health?.path).toBe('/health');
    expect(scenario.health?.timeoutMs).toBe(60_000);
    expect(scenario.health?.predict?.path).toBe('/predict');
    expect((scenario.health?.predict?.body as { features: number[] }).features).toHaveLength(64);
  });
});

describe('parseScenario fills the documented defaults', () => {
  it("takes reps 5, warmup 1, cold true and no builder (the daemon's own) when they are omitted", () => {
    const scenario = parse(minimal());
    expect(scenario.reps).toBe(5);
    expect(scenario.warmup).toBe(1);
    expect(scenario.cold).toBe(true);
    expect(scenario.builders).toEqual([]);
  });

  it('starts no image when health is omitted: health is null, "not checked"', () => {
    expect(parse(minimal()).health).toBeNull();
  });

  it('takes port 8000, path /health, a 60 s timeout (60000 ms) and no predict request from an empty health section', () => {
    expect(parse({ ...minimal(), health: {} }).health).toEqual({ port: 8000, path: '/health', timeoutMs: 60_000, predict: undefined });
  });

  it('fills the health fields that a partial health section leaves out', () => {
    const scenario = parse({ ...minimal(), health: { port: 9000 } });
    expect(scenario.health).toEqual({ port: 9000, path: '/health', timeoutMs: 60_000, predict: undefined });
  });

  it('gives every variant empty bases and build args when they are omitted', () => {
    expect(parse(minimal()).variants[0]).toMatchObject({ bases: {}, buildArgs: {} });
  });

  it('keeps values that are given instead of the defaults', () => {
    const scenario = parse({ ...minimal(), builder: 'buildkit', reps: 3, warmup: 0, cold: false, health: { timeoutSeconds: 2.5 } });
    expect(scenario).toMatchObject({ builders: ['buildkit'], reps: 3, warmup: 0, cold: false });
    expect(scenario.health?.timeoutMs).toBe(2500);
  });

  it('resolves the context and Dockerfiles relative to the scenario file, not to the working directory', () => {
    const scenario = parse(minimal());
    expect(scenario.context).toBe(join(root, 'ctx'));
    expect(scenario.variants[0]?.dockerfile).toBe(join(root, 'Dockerfile'));
    expect(scenario.file).toBe(scenarioFile);
  });

  it('accepts every edit kind with its own fields', () => {
    const scenario = parse({
      ...minimal(),
      edits: [
        { name: 'code', kind: 'replace-line', file: 'app/main.py', match: '^GREETING', with: 'GREETING = "{nonce}"' },
        { name: 'tail', kind: 'append-line', file: 'app/main.py', line: '# {nonce}' },
        { name: 'requirements', kind: 'add-requirement', file: 'requirements.txt', packages: ['six==1.17.0', 'toolz'] },
        { name: 'model', kind: 'swap-asset', file: 'model.json', generator: 'refit-numbers' },
      ],
    });
    expect(scenario.edits.map((e) => e.kind)).toEqual(['replace-line', 'append-line', 'add-requirement', 'swap-asset']);
  });
});

describe('parseScenario rejects a bad file with a ScenarioError that names the file and the field', () => {
  it('rejects text that is not valid YAML, naming the file as a whole', () => {
    const error = expectRejected('name: [unclosed\ncontext: ctx\n', '', 'is not valid YAML');
    expect(error.message).toContain('the file');
  });

  it('rejects a file without variants: field "variants" is required', () => {
    const { variants: _omitted, ...rest } = minimal();
    expectRejected(rest, 'variants', 'is required');
  });

  it('rejects an unknown top-level field, naming that field', () => {
    expectRejected({ ...minimal(), repetitions: 3 }, 'repetitions', 'is not a known field here');
  });

  it('rejects an unknown field inside a variant, with its index in the field path', () => {
    expectRejected({ ...minimal(), variants: [{ name: 'only', dockerfile: 'Dockerfile', file: 'x' }] }, 'variants[0].file', 'is not a known field here');
  });

  it('rejects builder: docker and lists the allowed builders "classic" and "buildkit"', () => {
    const error = expectRejected({ ...minimal(), builder: 'docker' }, 'builder', 'must be one of');
    expect(error.expected).toContain('"classic"');
    expect(error.expected).toContain('"buildkit"');
  });

  it('rejects reps: 0 (at least one measured repetition)', () => {
    expectRejected({ ...minimal(), reps: 0 }, 'reps', '>= 1');
  });

  it('rejects a replace-line edit whose replacement lacks {nonce}, saying that it must contain {nonce}', () => {
    const edits = [{ name: 'code', kind: 'replace-line', file: 'app/main.py', match: '^GREETING', with: 'GREETING = "same every time"' }];
    expectRejected({ ...minimal(), edits }, 'edits[0].with', '{nonce}');
  });

  it('rejects an append-line edit whose line lacks {nonce}', () => {
    const edits = [{ name: 'tail', kind: 'append-line', file: 'app/main.py', line: '# constant' }];
    expectRejected({ ...minimal(), edits }, 'edits[0].line', '{nonce}');
  });

  it('rejects an edit of an unknown kind, naming its kind field', () => {
    const edits = [{ name: 'code', kind: 'rewrite-file', file: 'app/main.py' }];
    const error = expectRejected({ ...minimal(), edits }, 'edits[0].kind', 'must be one of');
    expect(error.expected).toContain('"replace-line"');
  });

  it('rejects a field that belongs to another edit kind', () => {
    const edits = [{ name: 'model', kind: 'swap-asset', file: 'model.json', generator: 'refit-numbers', packages: ['six'] }];
    expectRejected({ ...minimal(), edits }, 'edits[0].packages', 'is not a known field here');
  });

  it('rejects a variant whose Dockerfile does not exist, naming variants[0].dockerfile', () => {
    const error = expectRejected({ ...minimal(), variants: [{ name: 'only', dockerfile: 'Missing.Dockerfile' }] }, 'variants[0].dockerfile', 'must name an existing Dockerfile');
    expect(error.expected).toContain(join(root, 'Missing.Dockerfile'));
  });

  it('rejects a context that is not a directory', () => {
    expectRejected({ ...minimal(), context: 'ctx-file' }, 'context', 'must name a directory');
  });

  it('rejects a context that does not exist', () => {
    expectRejected({ ...minimal(), context: 'nowhere' }, 'context', 'must name a directory');
  });

  it('rejects an edit of a file outside the context (../x)', () => {
    const edits = [{ name: 'code', kind: 'append-line', file: '../Dockerfile', line: '# {nonce}' }];
    expectRejected({ ...minimal(), edits }, 'edits[0].file', 'must stay inside the build context');
  });

  it('rejects an edit of a file that the context does not hold', () => {
    const edits = [{ name: 'code', kind: 'append-line', file: 'app/missing.py', line: '# {nonce}' }];
    expectRejected({ ...minimal(), edits }, 'edits[0].file', 'must name a file in the build context');
  });

  it('rejects two variants with the same name, naming the second one', () => {
    const variants = [
      { name: 'same', dockerfile: 'Dockerfile' },
      { name: 'same', dockerfile: 'Dockerfile' },
    ];
    expectRejected({ ...minimal(), variants }, 'variants[1].name', 'must be unique');
  });

  it('rejects two edits with the same name', () => {
    const edit = { name: 'code', kind: 'append-line', file: 'app/main.py', line: '# {nonce}' };
    expectRejected({ ...minimal(), edits: [edit, edit] }, 'edits[1].name', 'must be unique');
  });

  it('rejects a replace-line match that is not a valid regular expression', () => {
    const edits = [{ name: 'code', kind: 'replace-line', file: 'app/main.py', match: '^GREETING = (', with: 'GREETING = "{nonce}"' }];
    expectRejected({ ...minimal(), edits }, 'edits[0].match', 'must be a regular expression');
  });

  it("rejects a variant name that is not a path component of an image name (Docker's reference grammar)", () => {
    for (const name of ['Has Space', 'UPPER', 'naive-', '-naive', 'a..b', 'a._b', '.a', 'a/b', 'a:b']) {
      expectRejected({ ...minimal(), variants: [{ name, dockerfile: 'Dockerfile' }] }, 'variants[0].name', 'must be usable in an image name');
    }
  });

  it('accepts the variant names Docker accepts: separators between letters and digits', () => {
    for (const name of ['naive', 'naive_v2', 'a.b', 'a__b', 'a--b', 'multi-stage', '0']) {
      expect(parse({ ...minimal(), variants: [{ name, dockerfile: 'Dockerfile' }] }).variants[0]?.name).toBe(name);
    }
  });

  it('rejects a base that is not a valid image reference, naming the build arg', () => {
    const error = expectRejected({ ...minimal(), variants: [{ name: 'only', dockerfile: 'Dockerfile', bases: { BASE: 'Ubuntu:Latest' } }] }, 'variants[0].bases.BASE', 'not a valid image reference');
    expect(error.expected).toContain('Ubuntu:Latest');
  });

  it('accepts logical bases and image references as bases', () => {
    const variants = [{ name: 'only', dockerfile: 'Dockerfile', bases: { A: 'general-os', B: 'python:3.11-slim-bookworm', C: 'registry:5000/team/app@sha256:' + 'a'.repeat(64) } }];
    expect(parse({ ...minimal(), variants }).variants[0]?.bases).toEqual(variants[0]?.bases);
  });

  it('rejects a baseline that names no variant', () => {
    expectRejected({ ...minimal(), baseline: 'nope' }, 'baseline', 'which is not a variant');
  });

  it('takes the first variant as the baseline unless the file names one', () => {
    const variants = [{ name: 'a', dockerfile: 'Dockerfile' }, { name: 'b', dockerfile: 'Dockerfile' }];
    expect(parse({ ...minimal(), variants }).baseline).toBe('a');
    expect(parse({ ...minimal(), variants, baseline: 'b' }).baseline).toBe('b');
  });

  it('refuses YAML whose aliases would expand without end (a "billion laughs" file)', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 9; i += 1) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
    expectRejected(lines.join('\n'), '', 'cannot be read as a scenario');
  });

  it('refuses a key given twice (YAML would keep only the last)', () => {
    expectRejected(`${stringify(minimal())}name: again\n`, '', 'is not valid YAML');
  });
});

describe('parseScenario applies the overrides of the command line, held to the schema\'s limits', () => {
  const twoVariants = (): Record<string, unknown> => ({
    ...minimal(),
    variants: [{ name: 'a', dockerfile: 'Dockerfile' }, { name: 'b', dockerfile: 'Dockerfile' }],
    edits: [
      { name: 'code', kind: 'append-line', file: 'app/main.py', line: '# {nonce}' },
      { name: 'deps', kind: 'add-requirement', file: 'requirements.txt', packages: ['six==1.17.0'] },
    ],
  });

  it('takes reps, warmup, builder and cold from the overrides', () => {
    expect(parse(minimal(), { reps: 2, warmup: 0, builder: 'buildkit', cold: false })).toMatchObject({ reps: 2, warmup: 0, builders: ['buildkit'], cold: false });
  });

  it('takes several builders from the overrides, in the order given, and builders: from the file', () => {
    expect(parse(minimal(), { builder: ['buildkit', 'classic'] }).builders).toEqual(['buildkit', 'classic']);
    expect(parse({ ...minimal(), builders: ['classic', 'buildkit'] }).builders).toEqual(['classic', 'buildkit']);
  });

  it('refuses reps outside 1–100 and non-integers, naming the option, its range and the value', () => {
    for (const reps of [0, 101, 1.5, Number.NaN]) {
      const error = errorOf(UsageError, () => parse(minimal(), { reps }));
      expect(error.message).toContain('--reps must be a whole number from 1 to 100');
    }
    expect(errorOf(UsageError, () => parse(minimal(), { warmup: -1 })).message).toContain('--warmup must be a whole number from 0 to 20');
  });

  it('keeps only the variants and edits named, in the file\'s order', () => {
    const scenario = parse(twoVariants(), { variants: ['b'], edits: ['deps'] });
    expect(scenario.variants.map((v) => v.name)).toEqual(['b']);
    expect(scenario.edits.map((e) => e.name)).toEqual(['deps']);
    expect(scenario.declared).toEqual({ variants: ['a', 'b'], edits: ['code', 'deps'] });
  });

  it('refuses a filter naming something the scenario lacks, or naming nothing', () => {
    expect(errorOf(UsageError, () => parse(twoVariants(), { variants: ['c'] })).message).toMatch(/--variants names c, which .* does not have \(it has: a, b\)/);
    expect(errorOf(UsageError, () => parse(twoVariants(), { edits: [] })).message).toContain('--edits needs at least one name');
    expect(errorOf(UsageError, () => parse(twoVariants(), { edits: [''] })).message).toContain('--edits needs at least one name');
  });

  it('lets the first remaining variant be the baseline when a filter drops the file\'s baseline', () => {
    expect(parse({ ...twoVariants(), baseline: 'a' }, { variants: ['b'] }).baseline).toBe('b');
  });

  it('refuses a --baseline that is not among the variants of the run', () => {
    expect(errorOf(UsageError, () => parse(twoVariants(), { variants: ['b'], baseline: 'a' })).message).toContain('--baseline names a');
  });
});

describe('loadScenario reads the file from disk', () => {
  it('gives the same scenario as parseScenario on the file text, with the file\'s sha256', () => {
    writeTree(root, { 'scenario.yaml': stringify(minimal()) });
    const loaded = loadScenario(scenarioFile);
    expect({ ...loaded, sha256: null }).toEqual(parse(minimal()));
    expect(loaded.sha256).toBe(createHash('sha256').update(readFileSync(scenarioFile)).digest('hex'));
  });

  it('refuses a directory, and a file above the size cap, before reading it', () => {
    expect(errorOf(ScenarioError, () => loadScenario(root)).expected).toBe('is a directory, not a scenario file');
    writeTree(root, { 'big.yaml': `name: big\n${'#'.repeat(MAX_SCENARIO_BYTES)}\n` });
    expect(errorOf(ScenarioError, () => loadScenario(join(root, 'big.yaml'))).expected).toMatch(/a scenario file is at most 1048576 bytes/);
  });

  it('rejects a path that does not exist with a ScenarioError about the file', () => {
    const missing = join(root, 'nope.yaml');
    const error = errorOf(ScenarioError, () => loadScenario(missing));
    expect(error.file).toBe(missing);
    expect(error.field).toBe('');
    expect(error.expected).toBe('does not exist');
  });
});

describe('fieldOf and expectationOf turn Ajv errors into a field path and a sentence', () => {
  function ajvError(error: Partial<ErrorObject> & Pick<ErrorObject, 'keyword'>): ErrorObject {
    return { instancePath: '', schemaPath: '#', params: {}, ...error };
  }

  it('writes array indexes in brackets: /variants/0/dockerfile → variants[0].dockerfile', () => {
    expect(fieldOf(ajvError({ keyword: 'minLength', instancePath: '/variants/0/dockerfile' }))).toBe('variants[0].dockerfile');
  });

  it('appends the missing property of a required error', () => {
    expect(fieldOf(ajvError({ keyword: 'required', params: { missingProperty: 'variants' } }))).toBe('variants');
    expect(fieldOf(ajvError({ keyword: 'required', instancePath: '/edits/2', params: { missingProperty: 'with' } }))).toBe('edits[2].with');
  });

  it('appends the unknown property of an additionalProperties error', () => {
    expect(fieldOf(ajvError({ keyword: 'additionalProperties', instancePath: '/health', params: { additionalProperty: 'host' } }))).toBe('health.host');
  });

  it('gives an empty field and a generic sentence when there is no error object', () => {
    expect(fieldOf(undefined)).toBe('');
    expect(expectationOf(undefined)).toBe('is not valid');
  });

  it('explains a pattern error by the pattern, unless the caller words it', () => {
    expect(expectationOf(ajvError({ keyword: 'pattern', params: { pattern: '^/' } }))).toBe('must match ^/');
    expect(expectationOf(ajvError({ keyword: 'pattern', params: { pattern: '^x' } }), () => 'must start with x')).toBe('must start with x');
  });

  it('names the expected type with its article', () => {
    expect(expectationOf(ajvError({ keyword: 'type', params: { type: 'integer' } }))).toBe('must be an integer');
    expect(expectationOf(ajvError({ keyword: 'type', params: { type: 'string' } }))).toBe('must be a string');
  });

  it("falls back on Ajv's own message for other keywords", () => {
    expect(expectationOf(ajvError({ keyword: 'minimum', message: 'must be >= 1' }))).toBe('must be >= 1');
  });
});

describe('scenarioSchema', () => {
  it('requires name, context and variants at the top level; edits default to none (picked when the run is prepared)', () => {
    expect(scenarioSchema.required).toEqual(['name', 'context', 'variants']);
    expect(scenarioSchema.properties.edits.default).toEqual([]);
  });

  it('declares the defaults in one place: reps 5, warmup 1, cold true; no builder (the daemon decides)', () => {
    const { builder, reps, warmup, cold } = scenarioSchema.properties;
    expect([reps.default, warmup.default, cold.default]).toEqual([5, 1, true]);
    expect('default' in builder).toBe(false);
  });

  it('declares the health defaults: port 8000, path /health, 60 s', () => {
    const health = scenarioSchema.properties.health.properties;
    expect([health.port.default, health.path.default, health.timeoutSeconds.default]).toEqual([8000, '/health', 60]);
  });
});
