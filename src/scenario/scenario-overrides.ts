/**
 * What the command line (or a library caller) may change in a scenario: held to the same
 * limits as the file itself, because each override is checked against the scenario schema's
 * own definition of that field.
 */
import { Ajv } from 'ajv';
import { UsageError } from '../errors.js';
import { expectationOf } from '../schema-errors.js';
import type { Builder } from '../result/types.js';
import { BANDWIDTH } from './bandwidth.js';
import { BUILDERS, scenarioSchema } from './scenario-schema.js';
import type { RawScenario } from './scenario-types.js';

export interface ScenarioOverrides {
  reps?: number | undefined;
  warmup?: number | undefined;
  /** one builder, or several (`--builder classic,buildkit`): every variant under each */
  builder?: Builder | readonly Builder[] | undefined;
  cold?: boolean | undefined;
  baseline?: string | undefined;
  /** keep only these variants (names from the scenario) */
  variants?: readonly string[] | undefined;
  /** keep only these edits (names from the scenario) */
  edits?: readonly string[] | undefined;
  /** more base mappings (image → image), over the scenario's own */
  baseMap?: Readonly<Record<string, string>> | undefined;
  /** build args for every variant, over each variant's own */
  buildArgs?: Readonly<Record<string, string>> | undefined;
  /** the stage every variant builds */
  target?: string | undefined;
  /** hold downloads from the local package index to this rate (`50mbit`, `unlimited`) */
  indexBandwidth?: string | undefined;
  /** probe the images on this port (and `healthPath`), even where the scenario has no health section */
  port?: number | undefined;
  healthPath?: string | undefined;
}

const SCALARS = ['reps', 'warmup', 'cold', 'baseline'] as const;
const ajv = new Ajv({ allErrors: false, strict: false });
const validators = Object.fromEntries(
  SCALARS.map((name) => [name, ajv.compile(stripDefault(scenarioSchema.properties[name]))]),
) as Record<(typeof SCALARS)[number], ReturnType<typeof ajv.compile>>;

/** The option that carries each override, for messages. */
const OPTION: Record<keyof ScenarioOverrides, string> = {
  reps: '--reps',
  warmup: '--warmup',
  builder: '--builder',
  cold: '--cold',
  baseline: '--baseline',
  variants: '--variants',
  edits: '--edits',
  baseMap: '--base-map',
  buildArgs: '--build-arg',
  target: '--target',
  port: '--port',
  healthPath: '--health-path',
  indexBandwidth: '--index-bandwidth',
};

const healthProperties = scenarioSchema.properties.health.properties;
const portValidator = ajv.compile(stripDefault(healthProperties.port));
const pathValidator = ajv.compile(stripDefault(healthProperties.path));

export function applyOverrides(raw: RawScenario, overrides: ScenarioOverrides, file: string): RawScenario {
  const next: RawScenario = { ...raw };
  for (const name of SCALARS) {
    const value = overrides[name];
    if (value === undefined) continue;
    const validate = validators[name];
    if (!validate(value)) {
      throw new UsageError(`${OPTION[name]} ${describeLimits(name) ?? expectationOf(validate.errors?.[0])}; it was given ${JSON.stringify(value)}.`);
    }
    (next as unknown as Record<string, unknown>)[name] = value;
  }
  if (overrides.builder !== undefined) {
    const builders = typeof overrides.builder === 'string' ? [overrides.builder] : [...overrides.builder];
    const unknown = builders.filter((b) => !(BUILDERS as readonly string[]).includes(b));
    if (builders.length === 0 || unknown.length > 0) throw new UsageError(`${OPTION.builder} takes ${BUILDERS.join(', ')} or both, comma-separated; it was given "${builders.join(',')}".`);
    next.builders = [...new Set(builders)];
  }
  next.variants = pick(raw.variants, overrides.variants, 'variants', file);
  next.edits = pick(raw.edits, overrides.edits, 'edits', file);
  if (next.baseline !== undefined && !next.variants.some((v) => v.name === next.baseline)) {
    if (overrides.baseline !== undefined) {
      throw new UsageError(`${OPTION.baseline} names ${next.baseline}, which is not among the variants of this run (${next.variants.map((v) => v.name).join(', ')}).`);
    }
    // The file's baseline was filtered out by --variants: the first variant left takes its place.
    if (overrides.variants !== undefined && raw.variants.some((v) => v.name === next.baseline)) delete next.baseline;
  }
  if (overrides.baseMap !== undefined) next.baseMap = { ...raw.baseMap, ...overrides.baseMap };
  if (overrides.indexBandwidth !== undefined) {
    if (!new RegExp(BANDWIDTH).test(overrides.indexBandwidth)) throw new UsageError(`${OPTION.indexBandwidth} takes a rate such as 50mbit, 1gbit or 512kbit, or "unlimited"; it was given "${overrides.indexBandwidth}".`);
    next.indexBandwidth = overrides.indexBandwidth;
  }
  const { buildArgs, target } = overrides;
  if (buildArgs !== undefined || target !== undefined) {
    if (target !== undefined && target.trim() === '') throw new UsageError(`${OPTION.target} needs the name of a stage.`);
    next.variants = next.variants.map((v) => ({ ...v, buildArgs: { ...v.buildArgs, ...buildArgs }, ...(target === undefined ? {} : { target }) }));
  }
  if (overrides.port !== undefined || overrides.healthPath !== undefined) next.health = healthOverride(raw.health, overrides.port, overrides.healthPath);
  return next;
}

function healthOverride(health: RawScenario['health'], port: number | undefined, path: string | undefined): NonNullable<RawScenario['health']> {
  if (port !== undefined && !portValidator(port)) throw new UsageError(`${OPTION.port} must be a port number from 1 to 65535; it was given ${JSON.stringify(port)}.`);
  if (path !== undefined && !pathValidator(path)) throw new UsageError(`${OPTION.healthPath} must be a URL path starting with /; it was given ${JSON.stringify(path)}.`);
  return {
    port: port ?? health?.port ?? healthProperties.port.default,
    path: path ?? health?.path ?? healthProperties.path.default,
    timeoutSeconds: health?.timeoutSeconds ?? healthProperties.timeoutSeconds.default,
    // a predict request belongs to the app the scenario describes, not to another port or path
    ...(health?.predict !== undefined && port === undefined ? { predict: health.predict } : {}),
  };
}

function pick<T extends { name: string }>(items: T[], names: readonly string[] | undefined, what: 'variants' | 'edits', file: string): T[] {
  if (names === undefined) return items;
  if (names.length === 0 || names.some((n) => n === '')) throw new UsageError(`${OPTION[what]} needs at least one name from the scenario (${items.map((i) => i.name).join(', ')}).`);
  const unknown = names.filter((n) => !items.some((i) => i.name === n));
  if (unknown.length > 0) {
    throw new UsageError(`${OPTION[what]} names ${unknown.join(', ')}, which ${file} does not have (it has: ${items.map((i) => i.name).join(', ')}).`);
  }
  return items.filter((i) => names.includes(i.name));
}

function describeLimits(name: (typeof SCALARS)[number]): string | undefined {
  const definition = scenarioSchema.properties[name] as { minimum?: number; maximum?: number };
  if (definition.minimum === undefined || definition.maximum === undefined) return undefined;
  return `must be a whole number from ${definition.minimum} to ${definition.maximum}`;
}

function stripDefault<T extends object>(definition: T): Omit<T, 'default'> {
  const { default: _ignored, ...rest } = definition as T & { default?: unknown };
  return rest;
}
