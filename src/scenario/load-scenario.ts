/**
 * Reads, validates and resolves a scenario file, with the command line's overrides applied.
 * Every error is a ScenarioError (or a UsageError for an override) naming the file, the field
 * and what was expected; nothing here writes anything.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseFamiliarName } from '@swimlane/docker-reference';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { displayPath } from '../display-path.js';
import { ScenarioError } from '../errors.js';
import { pathInside } from '../path-inside.js';
import { expectationOf, fieldOf } from '../schema-errors.js';
import { applyOverrides, type ScenarioOverrides } from './scenario-overrides.js';
import { scenarioSchema } from './scenario-schema.js';
import type { RawScenario, Scenario, VariantSpec } from './scenario-types.js';

/** A scenario is a page of YAML; anything near this size is not one. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** YAML aliases beyond this are refused (a "billion laughs" file would expand without end). */
export const MAX_YAML_ALIASES = 100;

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
const validate = ajv.compile(scenarioSchema);

export function loadScenario(file: string, overrides: ScenarioOverrides = {}): Scenario {
  const path = resolve(file);
  const shown = file === '' ? '(empty path)' : file;
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new ScenarioError(shown, '', 'does not exist');
  }
  if (!stats.isFile()) throw new ScenarioError(shown, '', stats.isDirectory() ? 'is a directory, not a scenario file' : 'is not a regular file');
  if (stats.size > MAX_SCENARIO_BYTES) throw new ScenarioError(shown, '', `is ${stats.size} bytes; a scenario file is at most ${MAX_SCENARIO_BYTES} bytes`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ScenarioError(shown, '', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseScenario(bytes.toString('utf8'), path, overrides, createHash('sha256').update(bytes).digest('hex'));
}

/** The pure part of `loadScenario`: text in, typed scenario out (file checks included). */
export function parseScenario(text: string, path: string, overrides: ScenarioOverrides = {}, sha256: string | null = null): Scenario {
  const shown = displayPath(path);
  const raw = parseYaml(text, shown);
  if (!validate(raw)) {
    const error = validate.errors?.[0];
    throw new ScenarioError(shown, fieldOf(error), expectationOf(error, describePattern));
  }
  const declared = raw as unknown as RawScenario;
  uniqueNames(shown, 'variants', declared.variants);
  uniqueNames(shown, 'edits', declared.edits);
  const data = applyOverrides(declared, overrides, shown);
  const base = dirname(path);
  const context = resolve(base, data.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new ScenarioError(shown, 'context', `must name a directory; ${context} is not one`);
  }
  const baseline = data.baseline ?? data.variants[0]?.name ?? '';
  if (!data.variants.some((v) => v.name === baseline)) {
    throw new ScenarioError(shown, 'baseline', `names ${baseline}, which is not a variant (the variants are: ${data.variants.map((v) => v.name).join(', ')})`);
  }

  const at = (list: { name: string }[], name: string): number => list.findIndex((item) => item.name === name);
  const variants: VariantSpec[] = data.variants.map((v) => {
    const i = at(declared.variants, v.name);
    const dockerfile = resolve(base, v.dockerfile);
    if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
      throw new ScenarioError(shown, `variants[${i}].dockerfile`, `must name an existing Dockerfile; ${dockerfile} does not exist`);
    }
    for (const [arg, reference] of Object.entries(v.bases)) {
      const problem = referenceProblem(reference);
      if (problem !== undefined) throw new ScenarioError(shown, `variants[${i}].bases.${arg}`, `must be a logical base or an image reference; "${reference}" ${problem}`);
    }
    return { name: v.name, dockerfile, bases: v.bases, buildArgs: v.buildArgs };
  });
  const edits = data.edits.map((e) => {
    const i = at(declared.edits, e.name);
    const target = resolve(context, e.file);
    if (pathInside(context, target) === undefined) {
      throw new ScenarioError(shown, `edits[${i}].file`, 'must stay inside the build context');
    }
    if (!existsSync(target) || !statSync(target).isFile()) {
      throw new ScenarioError(shown, `edits[${i}].file`, `must name a file in the context; ${target} is not one`);
    }
    if (e.kind === 'replace-line') {
      try {
        new RegExp(e.match, 'm');
      } catch (err) {
        throw new ScenarioError(shown, `edits[${i}].match`, `must be a regular expression (${(err as Error).message})`);
      }
    }
    return e;
  });
  return {
    name: data.name,
    file: path,
    sha256,
    context,
    builder: data.builder,
    reps: data.reps,
    warmup: data.warmup,
    cold: data.cold,
    baseline,
    variants,
    edits,
    health: {
      port: data.health.port,
      path: data.health.path,
      timeoutMs: data.health.timeoutSeconds * 1000,
      predict: data.health.predict,
    },
    declared: { variants: declared.variants.map((v) => v.name), edits: declared.edits.map((e) => e.name) },
  };
}

function parseYaml(text: string, shown: string): unknown {
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

/** Why a base reference is not one Docker would accept, or undefined when it is fine. */
export function referenceProblem(reference: string): string | undefined {
  try {
    parseFamiliarName(reference);
    return undefined;
  } catch {
    return 'is not a valid image reference (name[:tag][@digest], lower-case)';
  }
}

function describePattern(pattern: string): string {
  if (pattern.includes('nonce')) return 'must contain {nonce}, so that every edit is a new change';
  if (pattern === scenarioSchema.properties.variants.items.properties.name.pattern) {
    return 'must be usable in an image name: lower-case letters and digits, separated by single dots, underscores or dashes (not first or last)';
  }
  return `must match ${pattern}`;
}

function uniqueNames(file: string, field: string, items: { name: string }[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) throw new ScenarioError(file, `${field}[${i}].name`, `must be unique; "${item.name}" appears twice`);
    seen.add(item.name);
  });
}
