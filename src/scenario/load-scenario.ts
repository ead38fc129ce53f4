import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { ScenarioError } from '../errors.js';
import { pathInside } from '../path-inside.js';
import { scenarioSchema } from './scenario-schema.js';
import type { EditSpec, Scenario, VariantSpec } from './scenario-types.js';

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
const validate = ajv.compile(scenarioSchema);

/** Reads, validates and resolves a scenario file. Every error names the file and the field. */
export function loadScenario(file: string): Scenario {
  const path = resolve(file);
  if (!existsSync(path)) throw new ScenarioError(file, '', 'does not exist');
  return parseScenario(readFileSync(path, 'utf8'), path);
}

/** The pure part of `loadScenario`: text in, typed scenario out (file checks included). */
export function parseScenario(text: string, path: string): Scenario {
  const shown = relative(process.cwd(), path) || path;
  const document = parseDocument(text, { prettyErrors: true });
  const yamlError = document.errors[0];
  if (yamlError !== undefined) {
    throw new ScenarioError(shown, '', `is not valid YAML: ${yamlError.message.split('\n')[0]}`);
  }
  const raw: unknown = document.toJS();
  if (!validate(raw)) {
    const error = validate.errors?.[0];
    throw new ScenarioError(shown, fieldOf(error), expectationOf(error));
  }
  const data = raw as unknown as RawScenario;
  const base = dirname(path);
  const context = resolve(base, data.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new ScenarioError(shown, 'context', `must name a directory; ${context} is not one`);
  }
  uniqueNames(shown, 'variants', data.variants);
  uniqueNames(shown, 'edits', data.edits);

  const variants: VariantSpec[] = data.variants.map((v, i) => {
    const dockerfile = resolve(base, v.dockerfile);
    if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
      throw new ScenarioError(shown, `variants[${i}].dockerfile`, `must name an existing Dockerfile; ${dockerfile} does not exist`);
    }
    return { name: v.name, dockerfile, bases: v.bases, buildArgs: v.buildArgs };
  });
  const edits = data.edits.map((e, i) => {
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
    context,
    builder: data.builder,
    reps: data.reps,
    warmup: data.warmup,
    cold: data.cold,
    variants,
    edits,
    health: {
      port: data.health.port,
      path: data.health.path,
      timeoutMs: data.health.timeoutSeconds * 1000,
      predict: data.health.predict,
    },
  };
}

interface RawScenario {
  name: string;
  context: string;
  builder: Scenario['builder'];
  reps: number;
  warmup: number;
  cold: boolean;
  variants: { name: string; dockerfile: string; bases: Record<string, string>; buildArgs: Record<string, string> }[];
  edits: EditSpec[];
  health: { port: number; path: string; timeoutSeconds: number; predict?: { path: string; body: unknown } };
}

function uniqueNames(file: string, field: string, items: { name: string }[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) throw new ScenarioError(file, `${field}[${i}].name`, `must be unique; "${item.name}" appears twice`);
    seen.add(item.name);
  });
}

/** `/variants/0/dockerfile` → `variants[0].dockerfile` (plus the missing property, if any). */
export function fieldOf(error: ErrorObject | undefined): string {
  if (error === undefined) return '';
  let field = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  const extra =
    error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty
    : error.keyword === 'additionalProperties' ? (error.params as { additionalProperty: string }).additionalProperty
    : undefined;
  if (extra !== undefined) field = field === '' ? extra : `${field}.${extra}`;
  return field;
}

export function expectationOf(error: ErrorObject | undefined): string {
  if (error === undefined) return 'is not a valid scenario';
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field here';
    case 'enum':
      return `must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern': {
      const pattern = (error.params as { pattern: string }).pattern;
      return pattern.includes('nonce') ? 'must contain {nonce}, so that every edit is a new change' : `must match ${pattern}`;
    }
    default:
      return error.message ?? 'is not valid';
  }
}
