/**
 * The result contract: field names here are what other tools (CI checks, `compare`) read.
 * Bump RESULT_SCHEMA_VERSION on any incompatible change.
 */
export const RESULT_SCHEMA_VERSION = 1;

export type Builder = 'classic' | 'buildkit';
export type Phase = 'cold' | 'warm';

export interface StepRecord {
  /** 1-based, as the builder counts steps */
  index: number;
  /** the instruction as the builder printed it, e.g. `RUN pip3 install -r requirements.txt` */
  instruction: string;
  cached: boolean;
  /** wall time the step took as seen from the stream (cached steps take a few ms) */
  durationMs: number;
}

export interface LayerComparison {
  total: number;
  /** layers present in the image before this build (the previous image of the variant; for a cold build, the base) */
  reused: number;
  reusedBytes: number;
  /** bytes of layers the previous image lacked: what a push after this edit would send */
  newBytes: number;
}

export interface ImageFacts {
  id: string;
  sizeBytes: number;
  layerCount: number;
}

export type HealthRecord =
  | { ok: true; timeToHealthyMs: number; predict: unknown }
  | { ok: false; timeToHealthyMs: null; reason: string };

export interface Sample {
  variant: string;
  builder: Builder;
  /** the edit's name from the scenario; `none` for a cold build */
  edit: string;
  phase: Phase;
  /** 1-based repetition within (variant, edit, phase) */
  rep: number;
  wallMs: number;
  steps: StepRecord[];
  /** index of the first step that missed the cache, null when every step was cached */
  firstMissStep: number | null;
  layers: LayerComparison;
  image: ImageFacts;
  health: HealthRecord;
  /**
   * Set when a warm sample missed no step at all: the edit changed nothing the build sees
   * (or the cache remembered an identical edit). Such samples are left out of the summary.
   */
  flags: SampleFlag[];
  startedAt: string;
}

export type SampleFlag = 'no-step-missed' | 'layer-sizes-approximate';

export interface SummaryRow {
  variant: string;
  builder: Builder;
  edit: string;
  phase: Phase;
  n: number;
  medianMs: number;
  meanMs: number;
  stddevMs: number;
  minMs: number;
  maxMs: number;
  /** relative margin of error of the mean at 95 % confidence, in percent */
  rme: number;
  /** median new bytes per sample (what a push would send) */
  medianNewBytes: number;
  medianImageBytes: number;
  healthy: number;
  /** samples left out of the statistics (flagged) */
  excluded: number;
}

export interface MachineFacts {
  cpus: number;
  memoryBytes: number;
  engineVersion: string;
  apiVersion: string;
  storageDriver: string;
  os: string;
}

export type BaseSource = 'present' | 'pulled' | 'bootstrapped';

export interface BaseRecord {
  /** the logical name the scenario used, e.g. `python-3.11-slim` */
  name: string;
  /** the image reference that was built on */
  image: string;
  source: BaseSource;
}

export interface SuiteResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  tool: { name: 'layerbench'; version: string };
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** false when the run was interrupted or a build failed; samples hold what was measured */
  complete: boolean;
  machine: MachineFacts;
  scenario: { name: string; file: string };
  packageIndex: { mode: 'pypi' | 'local' | 'none'; urls: string[] };
  bases: BaseRecord[];
  samples: Sample[];
  summary: SummaryRow[];
}
