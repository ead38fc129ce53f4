/**
 * The pull experiment's scenario (scenarios/pull.yaml): the tiers' build context, the scales
 * (what goes into each tier), the link, the repetitions. Validated like a run's scenario:
 * every error names the file, the field and what was expected.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { displayPath } from '../display-path.js';
import { ScenarioError, UsageError } from '../errors.js';
import { expectationOf, fieldOf } from '../schema-errors.js';
import { parseYaml, readScenarioFile } from './load-scenario.js';
import { BANDWIDTH } from './bandwidth.js';

/** The most link rates one run sweeps: each multiplies the pulls. */
const MOST_BANDWIDTHS = 8;

const PACKAGE = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*([<>=!~]=?[^\\s#]+)?$' } as const;

const scaleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['securityPackages', 'generalPackages', 'modelPackages', 'modelBytes'],
  properties: {
    description: { type: 'string' },
    securityPackages: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[a-z0-9][a-z0-9.+-]*$' }, description: 'f1: Debian packages' },
    generalPackages: { type: 'array', minItems: 1, items: PACKAGE, description: 'f2: Python packages (the general tools)' },
    modelPackages: { type: 'array', minItems: 1, items: PACKAGE, description: "f3: the model's Python dependencies" },
    modelBytes: { type: 'integer', minimum: 0, maximum: 20e9, description: 'f3: the model payload' },
    appAssetBytes: { type: 'integer', minimum: 0, maximum: 20e9, default: 0, description: "f4: data shipped with each app's code" },
    bandwidth: { type: 'string', pattern: BANDWIDTH, description: 'the link this scale is measured over, when it has its own' },
  },
} as const;

export const pullScenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'tiers', 'scales'],
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    tiers: { type: 'string', minLength: 1, description: "the tiers' build context, relative to the scenario file" },
    reps: { type: 'integer', minimum: 1, maximum: 20, default: 3 },
    bandwidth: { type: 'string', pattern: BANDWIDTH, default: '100mbit', description: 'the registry → host link: `100mbit`, `1gbit`, `unlimited`' },
    bandwidths: {
      type: 'array',
      minItems: 1,
      maxItems: MOST_BANDWIDTHS,
      uniqueItems: true,
      items: { type: 'string', pattern: BANDWIDTH },
      description: 'a sweep: every case is pulled at each of these link rates, in one run, on the same images (instead of `bandwidth`)',
    },
    latency: { type: 'string', pattern: '^(none|\\d+ms)$', default: '20ms', description: 'added where the kernel has netem' },
    shape: { enum: ['registry', 'client'], default: 'registry', description: "where the bandwidth is shaped: the registry's egress, or each fresh host's ingress (through ifb)" },
    freshHost: { enum: ['auto', 'privileged', 'capabilities'], default: 'auto', description: 'how the Docker-in-Docker hosts run' },
    scale: { type: 'string', minLength: 1, default: 'default' },
    scales: { type: 'object', minProperties: 1, additionalProperties: scaleSchema },
    bases: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        os: { type: 'string', default: 'python-3.11-slim', description: "the apps' OS (with Python): seed 001's `python3`" },
        helpers: { type: 'string', default: 'general-os', description: 'what the registry and the fresh hosts are built on' },
      },
    },
  },
} as const;

export interface PullScale {
  name: string;
  securityPackages: string[];
  generalPackages: string[];
  modelPackages: string[];
  modelBytes: number;
  appAssetBytes: number;
  bandwidth: string | undefined;
}

export interface PullScenario {
  name: string;
  file: string;
  sha256: string;
  /** absolute path of the tiers' build context */
  tiers: string;
  reps: number;
  /** the link rates the cases are pulled at, in the order given (one, unless a sweep) */
  bandwidths: string[];
  latency: string;
  /** where the bandwidth is shaped: the registry's egress, or each fresh host's ingress */
  shape: 'registry' | 'client';
  freshHost: 'auto' | 'privileged' | 'capabilities';
  scale: PullScale;
  bases: { os: string; helpers: string };
}

export interface PullOverrides {
  scale?: string | undefined;
  reps?: number | undefined;
  /** one link rate, or a sweep: `20mbit,100mbit,1gbit` */
  bandwidth?: string | undefined;
  /** latency added on the link (`20ms`, `none`) */
  latency?: string | undefined;
  shape?: 'registry' | 'client' | undefined;
  freshHost?: 'auto' | 'privileged' | 'capabilities' | undefined;
}

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
const validate = ajv.compile(pullScenarioSchema);

interface RawPullScenario {
  name: string;
  tiers: string;
  reps: number;
  bandwidth: string;
  bandwidths: string[] | undefined;
  latency: string;
  shape: PullScenario['shape'];
  freshHost: PullScenario['freshHost'];
  scale: string;
  scales: Record<string, Omit<PullScale, 'name'>>;
  bases: { os: string; helpers: string };
}

export function loadPullScenario(file: string, overrides: PullOverrides = {}): PullScenario {
  const path = resolve(file);
  const shown = displayPath(path);
  const bytes = readScenarioFile(path, shown);
  const raw = parseYaml(bytes.toString('utf8'), shown);
  if (!validate(raw)) {
    const error = validate.errors?.[0];
    throw new ScenarioError(shown, fieldOf(error), expectationOf(error));
  }
  const data = raw as unknown as RawPullScenario;
  applyPullOverrides(data, overrides);
  const tiers = resolve(dirname(path), data.tiers);
  if (!existsSync(tiers) || !statSync(tiers).isDirectory()) throw new ScenarioError(shown, 'tiers', `must name a directory; ${tiers} is not one`);
  for (const dockerfile of TIER_DOCKERFILES) {
    if (!existsSync(resolve(tiers, dockerfile))) throw new ScenarioError(shown, 'tiers', `must hold ${dockerfile}; ${tiers} does not`);
  }
  const scale = data.scales[data.scale];
  if (scale === undefined) {
    const message = `names ${data.scale}, which is not among the scales (${Object.keys(data.scales).join(', ')})`;
    if (overrides.scale !== undefined) throw new UsageError(`--scale ${message}.`);
    throw new ScenarioError(shown, 'scale', message);
  }
  return {
    name: data.name,
    file: path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    tiers,
    reps: data.reps,
    // a sweep given on the command line or in the scenario; else a scale measured over a link of its own (the article's) uses it
    bandwidths: data.bandwidths ?? [scale.bandwidth ?? data.bandwidth],
    latency: data.latency,
    shape: data.shape,
    freshHost: data.freshHost,
    scale: { name: data.scale, ...scale, appAssetBytes: scale.appAssetBytes, bandwidth: scale.bandwidth },
    bases: data.bases,
  };
}

/** The Dockerfiles the tiers' context must hold. */
export const TIER_DOCKERFILES = ['f1-security.Dockerfile', 'f2-general.Dockerfile', 'f3-model.Dockerfile', 'app.Dockerfile', 'monolithic.Dockerfile'] as const;

function applyPullOverrides(data: RawPullScenario, overrides: PullOverrides): void {
  if (overrides.scale !== undefined) data.scale = overrides.scale;
  if (overrides.reps !== undefined) {
    const { minimum, maximum } = pullScenarioSchema.properties.reps;
    if (!Number.isInteger(overrides.reps) || overrides.reps < minimum || overrides.reps > maximum) {
      throw new UsageError(`--reps must be a whole number from ${minimum} to ${maximum}; it was given ${JSON.stringify(overrides.reps)}.`);
    }
    data.reps = overrides.reps;
  }
  data.bandwidths = overrideBandwidths(overrides.bandwidth) ?? data.bandwidths;
  if (overrides.latency !== undefined) {
    if (!new RegExp(pullScenarioSchema.properties.latency.pattern).test(overrides.latency)) throw new UsageError(`--latency takes milliseconds such as 20ms, or "none"; it was given "${overrides.latency}".`);
    data.latency = overrides.latency;
  }
  if (overrides.freshHost !== undefined) data.freshHost = overrides.freshHost;
  if (overrides.shape !== undefined) data.shape = overrides.shape;
}

/** `--bandwidth 20mbit,100mbit,1gbit`: the rates, each checked, none twice; undefined when not given. */
function overrideBandwidths(given: string | undefined): string[] | undefined {
  if (given === undefined) return undefined;
  const rates = given.split(',').map((rate) => rate.trim());
  const wrong = rates.find((rate) => !new RegExp(BANDWIDTH).test(rate));
  if (wrong !== undefined) throw new UsageError(`--bandwidth takes rates such as 100mbit, 1gbit or 512kbit, or "unlimited", separated by commas; it was given "${wrong}".`);
  if (new Set(rates).size !== rates.length) throw new UsageError(`--bandwidth names a rate twice ("${given}"): each rate is pulled once per repetition.`);
  if (rates.length > MOST_BANDWIDTHS) throw new UsageError(`--bandwidth sweeps at most ${MOST_BANDWIDTHS} rates; it was given ${rates.length}.`);
  return rates;
}
