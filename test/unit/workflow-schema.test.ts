/**
 * The CI workflows in `.github/workflows/` checked against SchemaStore's published schema for
 * GitHub workflows (vendored in `test/fixtures/schemas/`, see its README for source and date), so
 * a broken workflow fails here rather than first on GitHub.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const WORKFLOWS_DIR = fileURLToPath(new URL('../../.github/workflows/', import.meta.url));
const SCHEMA_FILE = fileURLToPath(new URL('../fixtures/schemas/github-workflow.json', import.meta.url));

// The schema is draft-07, which ajv's default class speaks. It uses union types and `items`
// without `type: array`, which ajv's strict mode reports (it validates the same): strict off,
// as the scenario validator has it.
const ajv = new Ajv({ allErrors: true, strict: false });
const validateWorkflow = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

/** Parses a workflow with the repo's YAML parser (YAML 1.2: `on` is a key, not `true`); throws on a YAML error. */
function parseWorkflow(text: string, shown: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const yamlError = document.errors[0];
  if (yamlError !== undefined) throw new Error(`${shown} is not valid YAML: ${yamlError.message}`);
  return document.toJS();
}

/** The schema's errors for `workflow`, none when it is valid. */
function errorsOf(workflow: unknown): ErrorObject[] {
  return validateWorkflow(workflow) ? [] : [...(validateWorkflow.errors ?? [])];
}

function describeErrors(errors: ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

// GitHub runs the files directly in .github/workflows (not in its subdirectories).
const workflowFiles = readdirSync(WORKFLOWS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
  .map((entry) => entry.name)
  .sort();

describe('the workflows in .github/workflows', () => {
  it('include bench.yml (so the check below is not vacuous)', () => {
    expect(workflowFiles).toContain('bench.yml');
  });

  it.each(workflowFiles)('%s parses and is valid against the GitHub workflow schema', (name) => {
    const workflow = parseWorkflow(readFileSync(join(WORKFLOWS_DIR, name), 'utf8'), name);
    const errors = errorsOf(workflow);
    expect(errors, describeErrors(errors)).toEqual([]);
  });
});

describe('the GitHub workflow schema check', () => {
  /** A minimal valid workflow; each spec below breaks one thing of it. */
  const VALID = `
name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
`;

  const broken = (from: string, to: string): unknown => {
    expect(VALID).toContain(from);
    return parseWorkflow(VALID.replace(from, to), 'broken workflow');
  };

  it('accepts the valid workflow the broken ones are made from', () => {
    const errors = errorsOf(parseWorkflow(VALID, 'valid workflow'));
    expect(errors, describeErrors(errors)).toEqual([]);
  });

  it('rejects a job without runs-on', () => {
    const errors = errorsOf(broken('    runs-on: ubuntu-latest\n', ''));
    expect(errors).toContainEqual(
      expect.objectContaining({ instancePath: '/jobs/build', keyword: 'required', params: { missingProperty: 'runs-on' } }),
    );
  });

  it('rejects a misspelled runs-on', () => {
    const errors = errorsOf(broken('runs-on:', 'run-on:'));
    expect(errors).toContainEqual(
      expect.objectContaining({ instancePath: '/jobs/build', keyword: 'additionalProperties', params: { additionalProperty: 'run-on' } }),
    );
  });

  it('rejects a step with both uses and run', () => {
    const errors = errorsOf(broken('      - uses: actions/checkout@v4\n', '      - uses: actions/checkout@v4\n        run: echo hi\n'));
    expect(errors).toContainEqual(expect.objectContaining({ instancePath: '/jobs/build/steps/0', keyword: 'oneOf' }));
  });

  it('rejects a workflow without on', () => {
    const errors = errorsOf(broken('on:\n  pull_request:\n  push:\n    branches: [main]\n', ''));
    expect(errors).toContainEqual(expect.objectContaining({ instancePath: '', keyword: 'required', params: { missingProperty: 'on' } }));
  });

  it('reports a YAML error as such', () => {
    expect(() => parseWorkflow('on: push\non: pull_request\n', 'duplicate keys')).toThrow(/is not valid YAML/);
  });
});
