/**
 * Version 1 of the result contract (layerbench 0.1) and its migration to version 2.
 * What v1 did not record becomes `null` (unknown), never a made-up value; the summary is
 * recomputed from the samples, as v2 computes it.
 */
import { Ajv } from 'ajv';
import { expectationOf, fieldOf } from '../schema-errors.js';
import { summarize } from './summarize.js';
import type { BuildSample, HealthRecord, MachineFacts, SampleFlag, SuiteResult } from './types.js';

export interface V1Sample {
  variant: string;
  builder: 'classic' | 'buildkit';
  edit: string;
  phase: 'cold' | 'warm';
  rep: number;
  wallMs: number;
  steps: { index: number; instruction: string; cached: boolean; durationMs: number }[];
  firstMissStep: number | null;
  layers: { total: number; reused: number; reusedBytes: number; newBytes: number };
  image: { id: string; sizeBytes: number; layerCount: number };
  health: HealthRecord;
  flags: SampleFlag[];
  startedAt: string;
}

export interface V1Result {
  schemaVersion: 1;
  tool: { name: 'layerbench'; version: string };
  runId: string;
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  machine: { cpus: number; memoryBytes: number; engineVersion: string; apiVersion: string; storageDriver: string; os: string };
  scenario: { name: string; file: string };
  packageIndex: { mode: 'pypi' | 'local' | 'none'; urls: string[] };
  bases: { name: string; image: string; source: 'present' | 'pulled' | 'bootstrapped' }[];
  samples: V1Sample[];
}

/** The machine id given to a v1 result's machine, which had none. */
export const V1_MACHINE_ID = 'v1-unrecorded';

const number = { type: 'number' } as const;
const string = { type: 'string' } as const;
const v1Schema = {
  type: 'object',
  required: ['schemaVersion', 'runId', 'startedAt', 'finishedAt', 'machine', 'scenario', 'samples'],
  properties: {
    runId: string,
    startedAt: string,
    finishedAt: string,
    complete: { type: 'boolean' },
    machine: { type: 'object', required: ['cpus', 'memoryBytes', 'engineVersion', 'apiVersion', 'storageDriver', 'os'] },
    scenario: { type: 'object', required: ['name', 'file'], properties: { name: string, file: string } },
    bases: { type: 'array', items: { type: 'object', required: ['name', 'image', 'source'] } },
    samples: {
      type: 'array',
      items: {
        type: 'object',
        required: ['variant', 'builder', 'edit', 'phase', 'rep', 'wallMs', 'steps', 'firstMissStep', 'layers', 'image', 'health', 'flags', 'startedAt'],
        properties: {
          variant: string,
          builder: { enum: ['classic', 'buildkit'] },
          edit: string,
          phase: { enum: ['cold', 'warm'] },
          rep: { type: 'integer', minimum: 1 },
          wallMs: number,
          steps: {
            type: 'array',
            items: { type: 'object', required: ['index', 'instruction', 'cached', 'durationMs'], properties: { index: { type: 'integer' }, instruction: string, cached: { type: 'boolean' }, durationMs: number } },
          },
          layers: { type: 'object', required: ['total', 'reused', 'reusedBytes', 'newBytes'] },
          image: { type: 'object', required: ['id', 'sizeBytes', 'layerCount'] },
          health: { type: 'object', required: ['ok'] },
          flags: { type: 'array', items: string },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile(v1Schema);

export function validateV1(data: unknown): { field: string; expected: string } | undefined {
  if (validate(data)) return undefined;
  const error = validate.errors?.[0];
  return { field: fieldOf(error), expected: expectationOf(error) };
}

export function migrateV1(v1: V1Result): SuiteResult {
  const machine: MachineFacts = { id: V1_MACHINE_ID, ...v1.machine, endpoint: 'unknown' };
  const samples: BuildSample[] = v1.samples.map((s) => ({
    kind: 'build',
    variant: s.variant,
    builder: s.builder,
    edit: s.edit,
    phase: s.phase,
    rep: s.rep,
    wallMs: s.wallMs,
    steps: s.steps.map((step) => ({ index: step.index, instruction: step.instruction, cached: step.cached, durationMs: step.durationMs, stage: null, line: null })),
    firstMissStep: s.firstMissStep,
    layers: s.layers,
    image: s.image,
    health: s.health,
    flags: s.flags,
    startedAt: s.startedAt,
    machine: machine.id,
    provenance: { contextSha256: null, edit: null },
  }));
  const variants = [...new Set(samples.map((s) => s.variant))];
  const edits = [...new Set(samples.filter((s) => s.edit !== 'none').map((s) => s.edit))];
  return {
    schemaVersion: 2,
    tool: v1.tool,
    runId: v1.runId,
    startedAt: v1.startedAt,
    finishedAt: v1.finishedAt,
    complete: v1.complete,
    machine,
    machines: [machine],
    scenario: {
      name: v1.scenario.name,
      file: v1.scenario.file,
      sha256: null,
      builder: samples[0]?.builder ?? 'classic',
      reps: Math.max(0, ...samples.filter((s) => s.phase === 'warm').map((s) => s.rep)),
      // v1 did not record warm-ups: they were not samples
      warmup: 0,
      cold: samples.some((s) => s.phase === 'cold'),
      baseline: variants[0] ?? '',
      variants: variants.map((name) => ({ name, dockerfile: '', dockerfileSha256: null, ignoreFile: null, contextSha256: null, contextFiles: null })),
      edits: edits.map((name) => ({ name, kind: 'unknown', file: '' })),
    },
    packageIndex: v1.packageIndex,
    bases: (v1.bases ?? []).map((b) => ({ ...b, id: null })),
    samples,
    summary: summarize(samples),
    warnings: [],
  };
}
