/**
 * Reads, validates and resolves a scenario file, with the command line's overrides applied.
 * Every error is a ScenarioError (or a UsageError for an override) naming the file, the field
 * and what was expected; nothing here writes anything.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { displayPath } from '../display-path.js';
import { ScenarioError } from '../errors.js';
import { expectationOf, fieldOf } from '../schema-errors.js';
import { inputError, type ScenarioSource } from './input-error.js';
import { resolveScenario } from './resolve-scenario.js';
import { applyOverrides, type ScenarioOverrides } from './scenario-overrides.js';
import { scenarioSchema } from './scenario-schema.js';
import type { RawScenario, Scenario } from './scenario-types.js';

/** A scenario is a page of YAML; anything near this size is not one. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** YAML aliases beyond this are refused (a "billion laughs" file would expand without end). */
export const MAX_YAML_ALIASES = 100;

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
const validateScenario = ajv.compile(scenarioSchema);

export function loadScenario(file: string, overrides: ScenarioOverrides = {}): Scenario {
  const path = resolve(file);
  const bytes = readScenarioFile(path, file === '' ? '(empty path)' : file);
  return parseScenario(bytes.toString('utf8'), path, overrides, createHash('sha256').update(bytes).digest('hex'));
}

/** A scenario file's bytes, once it is known to be a regular file under the size cap (the run's and the pull's). */
export function readScenarioFile(path: string, shown: string): Buffer {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new ScenarioError(shown, '', 'does not exist');
  }
  if (!stats.isFile()) throw new ScenarioError(shown, '', stats.isDirectory() ? 'is a directory, not a scenario file' : 'is not a regular file');
  if (stats.size > MAX_SCENARIO_BYTES) throw new ScenarioError(shown, '', `is ${stats.size} bytes; a scenario file is at most ${MAX_SCENARIO_BYTES} bytes`);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ScenarioError(shown, '', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The pure part of `loadScenario`: text in, typed scenario out (file checks included). */
export function parseScenario(text: string, path: string, overrides: ScenarioOverrides = {}, sha256: string | null = null): Scenario {
  const shown = displayPath(path);
  const source: ScenarioSource = { kind: 'file', file: path };
  const declared = validateRawScenario(parseYaml(text, shown), source);
  const data = applyOverrides(declared, overrides, shown);
  return resolveScenario({ data, declared, baseDir: dirname(path), source, sha256 });
}

/** Checks a scenario's data against the schema (filling its defaults) and its names for uniqueness. */
export function validateRawScenario(raw: unknown, source: ScenarioSource): RawScenario {
  if (!validateScenario(raw)) {
    const error = validateScenario.errors?.[0];
    throw inputError(source, fieldOf(error), expectationOf(error, describePattern));
  }
  const declared = raw as unknown as RawScenario;
  uniqueNames(source, 'variants', declared.variants);
  uniqueNames(source, 'edits', declared.edits);
  return declared;
}

/** YAML text to plain data: aliases bounded, duplicate keys refused, every failure a ScenarioError naming the file. */
export function parseYaml(text: string, shown: string): unknown {
  let document;
  try {
    document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw new ScenarioError(shown, '', `is not valid YAML: ${firstLine(err)}`);
  }
  const yamlError = document.errors[0];
  if (yamlError !== undefined) throw new ScenarioError(shown, '', `is not valid YAML: ${firstLine(yamlError)}`);
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new ScenarioError(shown, '', `cannot be read as a scenario: ${firstLine(err)}`);
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function describePattern(pattern: string): string {
  if (pattern.includes('nonce')) return 'must contain {nonce}, so that every edit is a new change';
  if (pattern === scenarioSchema.properties.variants.items.properties.name.pattern) {
    return 'must be usable in an image name: lower-case letters and digits, separated by single dots, underscores or dashes (not first or last)';
  }
  return `must match ${pattern}`;
}

function uniqueNames(source: ScenarioSource, field: string, items: { name: string }[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) throw inputError(source, `${field}[${i}].name`, `must be unique; "${item.name}" appears twice`);
    seen.add(item.name);
  });
}
