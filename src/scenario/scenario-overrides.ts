/**
 * What the command line (or a library caller) may change in a scenario: held to the same
 * limits as the file itself, because each override is checked against the scenario schema's
 * own definition of that field.
 */
import { Ajv } from 'ajv';
import { UsageError } from '../errors.js';
import { expectationOf } from '../schema-errors.js';
import type { Builder } from '../result/types.js';
import { scenarioSchema } from './scenario-schema.js';
import type { RawScenario } from './scenario-types.js';

export interface ScenarioOverrides {
  reps?: number | undefined;
  warmup?: number | undefined;
  builder?: Builder | undefined;
  cold?: boolean | undefined;
  baseline?: string | undefined;
  /** keep only these variants (names from the scenario) */
  variants?: readonly string[] | undefined;
  /** keep only these edits (names from the scenario) */
  edits?: readonly string[] | undefined;
}

const SCALARS = ['reps', 'warmup', 'builder', 'cold', 'baseline'] as const;
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
};

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
  next.variants = pick(raw.variants, overrides.variants, 'variants', file);
  next.edits = pick(raw.edits, overrides.edits, 'edits', file);
  if (next.baseline !== undefined && !next.variants.some((v) => v.name === next.baseline)) {
    if (overrides.baseline !== undefined) {
      throw new UsageError(`${OPTION.baseline} names ${next.baseline}, which is not among the variants of this run (${next.variants.map((v) => v.name).join(', ')}).`);
    }
    // The file's baseline was filtered out by --variants: the first variant left takes its place.
    if (overrides.variants !== undefined && raw.variants.some((v) => v.name === next.baseline)) delete next.baseline;
  }
  return next;
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
