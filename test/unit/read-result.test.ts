/**
 * readResult: a result.json as written by this version, by version 1 (migrated), and files
 * that are not results — each refused with the file, the field and what was expected.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { ResultFileError } from '../../src/errors.js';
import { assembleResult } from '../../src/result/assemble-result.js';
import { V1_MACHINE_ID } from '../../src/result/migrate-v1.js';
import { parseResult, readResult, resultSchema } from '../../src/result/read-result.js';
import type { SuiteResult } from '../../src/result/types.js';
import { makeSample, makeSamples } from './support/sample-factory.js';
import { makeTempDir, removeTempDirs } from './support/temp-dir.js';
import { buildRowsOf, buildSamplesOf } from '../../src/result/sample-kinds.js';

const V1_FIXTURE = fileURLToPath(new URL('../fixtures/result-v1.json', import.meta.url));
afterEach(removeTempDirs);

function v2Result(): SuiteResult {
  const machine = { id: 'engine-1', cpus: 2, memoryBytes: 24e9, engineVersion: '20.10.24', apiVersion: '1.41', storageDriver: 'overlay2', os: 'Debian', endpoint: 'unix' as const };
  return assembleResult({
    runId: '20261125-100000-abcd',
    startedAt: new Date('2026-11-25T10:00:00Z'),
    finishedAt: new Date('2026-11-25T10:05:00Z'),
    complete: true,
    machine,
    scenario: {
      name: 'default',
      file: 'scenarios/default.yaml',
      sha256: 'a'.repeat(64),
      builder: 'classic',
      reps: 2,
      warmup: 0,
      cold: true,
      baseline: 'naive',
      variants: [{ name: 'naive', dockerfile: 'naive.Dockerfile', dockerfileSha256: 'b'.repeat(64), ignoreFile: null, contextSha256: 'c'.repeat(64), contextFiles: { 'app.py': 'd'.repeat(64) } }],
      edits: [{ name: 'code', kind: 'append-line', file: 'app.py' }],
    },
    packageIndex: { mode: 'local', urls: ['http://127.0.0.1:38751/index-0/simple/'] },
    bases: [{ name: 'general-os', image: 'layerbench/bookworm-minbase:1', id: 'sha256:1', source: 'bootstrapped' }],
    samples: [makeSample({ phase: 'cold' }), ...makeSamples({}, [1_000, 1_200]), makeSample({ variant: 'optimized', flags: ['no-step-missed'], firstMissStep: null }), makeSample({ healthy: null })],
    conditions: { loadAverageAtStart: 3.5, cpus: 2 },
  });
}

function refusal(text: string): ResultFileError {
  try {
    parseResult(text, 'r.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ResultFileError);
    return err as ResultFileError;
  }
  throw new Error('expected a ResultFileError');
}

describe('readResult on a version 2 result', () => {
  it('reads back exactly what was written, from the file or from its directory', () => {
    const dir = makeTempDir();
    const result = v2Result();
    writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
    expect(readResult(join(dir, 'result.json'))).toEqual(result);
    expect(readResult(dir)).toEqual(result);
  });

  it('accepts null statistics for a group whose samples were all left out', () => {
    const result = v2Result();
    expect(buildRowsOf(result.summary).some((row) => row.wallMs === null)).toBe(true);
    expect(parseResult(JSON.stringify(result), 'r.json')).toEqual(result);
  });

  it('ships its JSON Schema, which other tools can validate with', () => {
    const validate = new Ajv({ strict: false }).compile(resultSchema);
    expect(validate(v2Result())).toBe(true);
    expect(validate({ ...v2Result(), schemaVersion: 3 })).toBe(false);
  });
});

describe('readResult on a version 1 result (layerbench 0.1)', () => {
  const migrated = readResult(V1_FIXTURE);

  it('migrates it to version 2, keeping every sample and its measurements', () => {
    expect(migrated.schemaVersion).toBe(2);
    expect(migrated.samples).toHaveLength(6);
    expect(buildSamplesOf(migrated.samples).map((s) => [s.kind, s.variant, s.edit, s.phase, s.rep, s.wallMs])).toEqual([
      ['build', 'optimized', 'none', 'cold', 1, 14720],
      ['build', 'optimized', 'code', 'warm', 1, 474],
      ['build', 'optimized', 'code', 'warm', 2, 412],
      ['build', 'multistage', 'none', 'cold', 1, 25513],
      ['build', 'multistage', 'code', 'warm', 1, 416],
      ['build', 'multistage', 'code', 'warm', 2, 442],
    ]);
    expect(buildSamplesOf(migrated.samples)[1]?.steps.every((step) => step.stage === null && step.line === null)).toBe(true);
  });

  it('marks what version 1 did not record as unknown (null), never as made-up values', () => {
    expect(migrated.machine).toMatchObject({ id: V1_MACHINE_ID, endpoint: 'unknown', cpus: 2, storageDriver: 'overlay2' });
    expect(buildSamplesOf(migrated.samples).every((s) => s.machine === V1_MACHINE_ID && s.provenance.contextSha256 === null && s.provenance.edit === null)).toBe(true);
    expect(migrated.scenario).toMatchObject({ name: 'default', file: 'scenarios/default.yaml', sha256: null, baseline: 'optimized', reps: 2, cold: true });
    expect(migrated.scenario.variants.map((v) => [v.name, v.dockerfileSha256])).toEqual([['optimized', null], ['multistage', null]]);
    expect(migrated.bases.every((b) => b.id === null)).toBe(true);
  });

  it('recomputes the summary as version 2 computes it', () => {
    const row = buildRowsOf(migrated.summary).find((r) => r.variant === 'optimized' && r.edit === 'code');
    expect(row?.wallMs).toMatchObject({ n: 2, median: 443, min: 412, max: 474 });
  });

  it('refuses a version 1 file that lacks what version 1 required, naming the field', () => {
    const broken = JSON.parse(JSON.stringify(readV1())) as { samples: Record<string, unknown>[] };
    delete broken.samples[2]?.['wallMs'];
    const error = refusal(JSON.stringify(broken));
    expect(error.field).toBe('samples[2].wallMs');
    expect(error.message).toBe('r.json: field "samples[2].wallMs" is required');
  });
});

describe('readResult on files that are not results', () => {
  it('refuses text that is not JSON', () => {
    expect(refusal('{"schemaVersion": 2,').expected).toMatch(/^is not JSON/);
  });

  it('refuses JSON that is not an object', () => {
    expect(refusal('[1, 2]').expected).toBe('is not a layerbench result (not a JSON object)');
  });

  it('refuses an object without a schema version', () => {
    expect(refusal('{"samples": []}')).toMatchObject({ field: 'schemaVersion', expected: 'is missing: not a layerbench result' });
  });

  it('refuses a version it does not know, saying which it reads', () => {
    expect(refusal('{"schemaVersion": 9}').expected).toMatch(/is 9; this layerbench reads versions 1 and 2/);
  });

  it('refuses a version 2 file with a field of the wrong kind, naming the field', () => {
    const result = v2Result() as unknown as { samples: Record<string, unknown>[] };
    (result.samples[1] as Record<string, unknown>)['wallMs'] = 'fast';
    expect(refusal(JSON.stringify(result))).toMatchObject({ field: 'samples[1].wallMs', expected: 'must be a number' });
  });

  it('refuses a version 2 file with a field it does not know', () => {
    expect(refusal(JSON.stringify({ ...v2Result(), extra: 1 }))).toMatchObject({ field: 'extra', expected: 'is not a known field here' });
  });

  it('refuses a path that cannot be read, naming the path', () => {
    expect(() => readResult('/nonexistent/result.json')).toThrow(/\/nonexistent\/result\.json: the file cannot be read \(ENOENT\)/);
  });
});

function readV1(): unknown {
  return JSON.parse(readFileSync(V1_FIXTURE, 'utf8')) as unknown;
}
