/**
 * The result contract, schema version 2: what a run writes to result.json, what `compare`,
 * `report` and `merge` read, and what other tools may rely on. `result.schema.json` beside
 * this file says the same in JSON Schema; `readResult` validates against it and migrates
 * version 1 files. Any incompatible change bumps RESULT_SCHEMA_VERSION and adds a migration.
 *
 * Conventions: times in milliseconds, sizes in bytes, instants as ISO 8601 strings; `null`
 * means "not known" or "not measured" (a statistic over no sample, provenance a v1 file
 * did not record), never zero.
 */
export const RESULT_SCHEMA_VERSION = 2;

export type Builder = 'classic' | 'buildkit';
export type Phase = 'cold' | 'warm';

export interface StepRecord {
  /** position of the instruction in the Dockerfile, 1-based (the classic builder's `Step N/M`) */
  index: number;
  /** the instruction as the builder printed it, e.g. `RUN pip3 install -r requirements.txt` */
  instruction: string;
  cached: boolean;
  /** wall time the step took as seen by the builder (cached steps take a few ms) */
  durationMs: number;
  /** the build stage the step belongs to (its `AS` name, else its number from 0), when known */
  stage: string | null;
  /** the Dockerfile line the instruction starts on, when known */
  line: number | null;
  /** BuildKit only: the vertex that ran the step and the vertexes it depends on */
  vertex?: { digest: string; inputs: string[] };
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

/** Whether the built image started and answered; `null` on a sample means the check was not run. */
export type HealthRecord =
  | { ok: true; timeToHealthyMs: number; predict: unknown }
  | { ok: false; timeToHealthyMs: null; reason: string };

export type SampleFlag =
  /** a warm sample in which no step missed the cache: the edit changed nothing the build sees; left out of the statistics */
  | 'no-step-missed'
  /** the image history did not line up with its layers: per-layer sizes are estimates */
  | 'layer-sizes-approximate';

export interface SampleProvenance {
  /** sha256 of the build context as sent for this build (after .dockerignore, after the edit) */
  contextSha256: string | null;
  /** what the edit wrote: a digest of the changed files' new content, and their paths in the context */
  edit: { sha256: string; paths: string[] } | null;
}

export interface BuildSample {
  kind: 'build';
  variant: string;
  builder: Builder;
  /** the edit's name from the scenario; `none` for a cold build */
  edit: string;
  phase: Phase;
  /** 1-based repetition within (variant, builder, edit, phase) */
  rep: number;
  /** from sending the build request to the end of the builder's stream */
  wallMs: number;
  steps: StepRecord[];
  /** index of the first step that missed the cache, null when every step was cached */
  firstMissStep: number | null;
  layers: LayerComparison;
  image: ImageFacts;
  health: HealthRecord | null;
  flags: SampleFlag[];
  startedAt: string;
  /** the `id` of the machine (in `machines`) that measured it */
  machine: string;
  provenance: SampleProvenance;
  /** why the first missed step missed; null when no step missed (absent in older results) */
  cacheMiss?: CacheMiss | null;
  /** what ran the build: the docker CLI, or layerbench through the Engine API (absent in older results) */
  driver?: BuildDriver;
  /** what the build sent of its context (absent in older results) */
  contextSent?: ContextSentRecord | null;
}

/** `cli`: the docker CLI ran the build, as the user would; `api`: layerbench sent it through the Engine API. */
export type BuildDriver = 'cli' | 'api';

/** What one build sent of its context. */
export interface ContextSentRecord {
  /** `tar`: the whole context (after .dockerignore) as the request body; `session`: BuildKit pulled what it needed over file sync */
  transport: 'tar' | 'session';
  /** bytes of the tar, or of the file content file sync sent; null where the driver could not tell */
  bytes: number | null;
  /** files whose content travelled (session); null for a tar */
  files: number | null;
}

/**
 * Why a build's first missed step missed, from what layerbench knows it changed:
 * - `no-cache`: a cold build, built without cache
 * - `context-changed`: files its COPY/ADD brings in changed since the variant's previous build
 * - `build-arg-changed`, `base-changed`: an argument, or the image a FROM names, differs
 * - `parent-missed`: it copies from a stage that was rebuilt
 * - `unexplained`: nothing layerbench changed reaches it (an evicted cache entry, say)
 */
export type CacheMissReason = 'no-cache' | 'context-changed' | 'build-arg-changed' | 'base-changed' | 'parent-missed' | 'unexplained';

export interface CacheMiss {
  /** the step's index, as in `steps` */
  step: number;
  instruction: string;
  /** the line of the user's Dockerfile, when known */
  line: number | null;
  reason: CacheMissReason;
  /** context paths the step brings in that changed (context-changed); the build args or images that changed otherwise */
  changedFiles: string[];
  /** one clause naming the cause, e.g. `app/main.py changed (edit "code")` */
  because: string;
  /** steps after it that were rebuilt too */
  rebuiltSteps: number;
  /** time of the missed step and every rebuilt step after it */
  rebuiltMs: number;
}

/** The four pulls of seed 001's experiment (see `layerbench pull`). */
export type PullCase = 'with-base' | 'without-base' | 'base-alone' | 'monolithic-with-app1';

export interface PulledLayerRecord {
  /** the layer's blob digest (`sha256:…`), or its 12-hex short id when the manifest did not say */
  digest: string;
  /** the tier that brought the layer in (`os`, `f1`, `f2`, `f3`, `app`), `own` for a monolithic image's own layers */
  tier: string | null;
  /** compressed size, as the registry's manifest gives it */
  compressedBytes: number | null;
  status: 'already-present' | 'downloaded';
  downloadMs: number | null;
  extractMs: number | null;
  /**
   * The layer's timeline, in ms from the pull's request: downloads overlap (three at a time), so
   * these are intervals, never to be summed. Null where the stream did not say or nothing was
   * downloaded; absent in older results.
   */
  downloadStartMs?: number | null;
  downloadEndMs?: number | null;
  extractStartMs?: number | null;
  extractEndMs?: number | null;
}

export interface PullSample {
  kind: 'pull';
  case: PullCase;
  /** what was pulled: `app2`, `tiers`, `app2-monolithic` */
  image: string;
  rep: number;
  /** from the pull request to the end of the daemon's stream, on the fresh host */
  wallMs: number;
  /** when the last layer's download completed, from the request: the download-bound part; null when nothing was downloaded (absent in older results) */
  lastByteMs?: number | null;
  /** wallMs − lastByteMs: from the last byte to "pull complete", extraction after the link was done; null with lastByteMs */
  extractTailMs?: number | null;
  layers: PulledLayerRecord[];
  /** compressed bytes of the layers that were downloaded */
  downloadedBytes: number;
  /** bytes the fresh host received over the link during the pull (its interface counter) */
  bytesOverLink: number | null;
  /** the link rate it was pulled at (`100mbit`); absent in results before sweeps */
  bandwidth?: string;
  /** that rate in bits per second; null: unlimited */
  bitsPerSecond?: number | null;
  /** a container of the pulled image started on the fresh host, until it answered; null for images without an app */
  health: HealthRecord | null;
  startedAt: string;
  machine: string;
}

/** Every kind of sample a result can hold. */
export type Sample = BuildSample | PullSample;

export interface Statistics {
  n: number;
  median: number;
  mean: number;
  /** sample standard deviation (n − 1); 0 for a single value */
  stddev: number;
  min: number;
  max: number;
  /** relative margin of error of the mean at 95 % confidence, in percent (0 for n < 2) */
  rme: number;
  /**
   * A distribution-free confidence interval of the median (order statistics), at 95 % where n
   * allows it; below n = 6 it is [min, max] and `confidence` says how much that covers.
   */
  medianInterval: { low: number; high: number; confidence: number };
}

export interface BuildSummaryRow {
  kind: 'build';
  variant: string;
  builder: Builder;
  edit: string;
  phase: Phase;
  /** samples in the statistics */
  n: number;
  /** samples left out of the statistics (flagged `no-step-missed`) */
  excluded: number;
  /** null when no sample counted */
  wallMs: Statistics | null;
  /** median new bytes of the counted samples (what a push would send) */
  newBytes: number | null;
  /** median bytes of context the counted samples sent; null where no sample says (absent in older results) */
  contextBytes?: number | null;
  /** median image size of all samples */
  imageBytes: number | null;
  health: {
    /** samples whose image was started and probed */
    checked: number;
    healthy: number;
    medianTimeToHealthyMs: number | null;
  };
}

export interface PullSummaryRow {
  kind: 'pull';
  case: PullCase;
  image: string;
  /** the link rate of the group; null for results before sweeps */
  bandwidth?: string | null;
  bitsPerSecond?: number | null;
  n: number;
  wallMs: Statistics | null;
  downloadedBytes: number | null;
  bytesOverLink: number | null;
  health: BuildSummaryRow['health'];
}

export type SummaryRow = BuildSummaryRow | PullSummaryRow;

/** How the pull experiment was set up: the images, the link, the fresh hosts. */
export interface PullSetup {
  /** the scenario's scale: `default`, `article` … */
  scale: string;
  link: {
    /** as the scenario gave it, e.g. `100mbit`, `unlimited` */
    bandwidth: string;
    bitsPerSecond: number | null;
    /** `tc netem` where the kernel has it; here `not shaped` when it has not */
    latency: string;
    /** `client`: the bandwidth was shaped on each fresh host's ingress; absent: on the registry's egress */
    shapedAt?: 'client';
  };
  /** the link rates swept, in the order given (`link` is the first); absent before sweeps */
  bandwidths?: string[];
  /** one transfer of a blob of known size per shaped rate, before the first measured pull at it; absent before calibration */
  calibrations?: LinkCalibration[];
  /** how the fresh hosts (Docker in Docker) ran */
  freshHostMode: 'privileged' | 'capabilities';
  /** the images pushed to the registry: their layers as the registry holds them (compressed) */
  images: { name: string; uncompressedBytes: number; layers: { digest: string; compressedBytes: number; tier: string }[] }[];
}

/** A blob of known size through the measured pulls' path (registry → shaped link → a fresh host), at one rate. */
export interface LinkCalibration {
  bandwidth: string;
  /** the rate asked for; null: unlimited */
  bitsPerSecond: number | null;
  /** the blob's compressed size in the registry */
  bytes: number;
  downloadMs: number;
  /** the rate it arrived at; null when its download could not be timed */
  measuredBitsPerSecond: number | null;
  /** measured ÷ asked − 1 (−0.03: 3 % slow); null when either is unknown */
  offBy: number | null;
}

export interface MachineFacts {
  /** stable per daemon (the Engine's ID): samples name it, merged results keep each */
  id: string;
  cpus: number;
  memoryBytes: number;
  engineVersion: string;
  apiVersion: string;
  storageDriver: string;
  os: string;
  /** how layerbench reached the daemon */
  endpoint: 'unix' | 'tcp' | 'ssh' | 'npipe' | 'unknown';
  /** the docker CLI that ran the builds (cli driver), e.g. `docker 28.2.2, buildx v0.13.1`; null: none did (absent in older results) */
  dockerCli?: string | null;
}

export type BaseSource = 'present' | 'pulled' | 'bootstrapped';

export interface BaseRecord {
  /** the logical name the scenario used, e.g. `python-3.11-slim` */
  name: string;
  /** the image reference that was built on */
  image: string;
  /** the image ID it had during the run */
  id: string | null;
  source: BaseSource;
}

export interface VariantRecord {
  name: string;
  /** as the scenario gave it, relative to the scenario file where possible */
  dockerfile: string;
  dockerfileSha256: string | null;
  /** the .dockerignore that applied, if any */
  ignoreFile: string | null;
  /** sha256 of the context as sent before any edit (after .dockerignore) */
  contextSha256: string | null;
  /** per-file sha256 of that context, for naming what changed between two results; null when too large to keep */
  contextFiles: Record<string, string> | null;
  /** the stage built (`--target`); null or absent: the last */
  target?: string | null;
  /**
   * What layerbench changed in its copy of the Dockerfile: mapped bases, the package index's
   * build args declared after a FROM. The user's file is never written.
   */
  dockerfileChanges?: string[];
}

export interface ScenarioRecord {
  name: string;
  /** relative to the working directory of the run where possible; null for a scenario made from options */
  file: string | null;
  sha256: string | null;
  /** the build context, relative to the working directory where possible (absent in older results) */
  context?: string;
  /** the first of `builders` (older results name one builder only) */
  builder: Builder;
  /** every variant was measured under each (absent in older results: `[builder]`) */
  builders?: Builder[];
  reps: number;
  warmup: number;
  cold: boolean;
  /** the variant speed-ups are measured against */
  baseline: string;
  variants: VariantRecord[];
  edits: { name: string; kind: string; file: string }[];
  /** the ratios the run ends with, when the scenario names them (absent: the baseline over the next variant after the first edit) */
  headlines?: { edit: string; slow: string; fast: string }[];
  /**
   * The order the warm builds ran in (absent in older results: blocked). `rounds`: round k
   * built repetition k of an edit for every variant, shuffled by `seed` (`--seed` repeats it).
   */
  order?: { kind: 'rounds' | 'blocked'; seed: number };
}

/**
 * Why a group got the repetitions it got: `reps`, the fixed count; `target-ci`, the median's
 * 95 % interval became narrow enough; `max-reps`, it did not by the maximum; `time-budget`, the
 * run's budget passed before the group's next round; `build-failed`, a build of the variant
 * failed (the other variants went on).
 */
export type StopReason = 'reps' | 'target-ci' | 'max-reps' | 'time-budget' | 'build-failed';

export interface RepetitionStop {
  variant: string;
  builder: Builder;
  edit: string;
  /** measured repetitions it got */
  reps: number;
  stoppedBecause: StopReason;
  /** half-width of the median's 95 % interval when it stopped, as a fraction of the median; null below n = 6 */
  halfWidth: number | null;
}

/** How many repetitions each group was given, and why (absent in older results). */
export interface RepetitionRecord {
  minReps: number;
  maxReps: number;
  /** the target half-width, a fraction of the median; null: a fixed count */
  targetCi: number | null;
  timeBudgetMs: number | null;
  groups: RepetitionStop[];
}

export interface Warning {
  /** machine-readable, e.g. `slow-first-sample`, `trend`, `high-rme` */
  code: string;
  message: string;
  variant?: string;
  builder?: Builder;
  edit?: string;
  phase?: Phase;
}

export interface RunNote {
  /** machine-readable, e.g. `buildkit-cold-build` */
  code: string;
  message: string;
}

export interface SuiteResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  tool: { name: 'layerbench'; version: string };
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** false when the run was interrupted or a build failed; samples hold what was measured */
  complete: boolean;
  /** the machine of this run */
  machine: MachineFacts;
  /** every machine a sample came from (more than one after `merge`); this run's first */
  machines: MachineFacts[];
  scenario: ScenarioRecord;
  packageIndex: {
    mode: 'pypi' | 'local' | 'none';
    urls: string[];
    /** the rate downloads from the local index were held to (`50mbit`), null: unlimited; absent in older results */
    bandwidth?: string | null;
  };
  bases: BaseRecord[];
  samples: Sample[];
  summary: SummaryRow[];
  warnings: Warning[];
  /** how it was measured, where a reader should know (what a cold BuildKit build clears …); absent in older results */
  notes?: RunNote[];
  /** set by `layerbench pull` */
  pull?: PullSetup;
  /** the stopping rule of the warm repetitions and why each group stopped (absent in older results) */
  repetitions?: RepetitionRecord;
}
