/**
 * Everything a run can check before its first build, in one step that the CLI and the
 * library share: the scenario and the overrides, every Dockerfile's syntax and target, every
 * edit on every variant (picked from the context when none is given), the output directory,
 * the package-index port. It writes nothing and makes no Docker object; each
 * problem is a typed error naming the file or option, the field and what was expected.
 */
import { readFileSync } from 'node:fs';
import { displayPath } from '../display-path.js';
import { parseDockerfile } from '../dockerfile/dockerfile-model.js';
import { dockerfileProblem } from '../dockerfile/validate-dockerfile.js';
import { DockerfileError, UsageError } from '../errors.js';
import { MIN_REPS_FOR_TARGET, type RepetitionRule } from '../measure/repetitions.js';
import type { RunOrder } from '../measure/plan.js';
import { randomSeed } from '../measure/seeded-shuffle.js';
import { chooseIndex, DEFAULT_INDEX_PORT, type IndexChoice } from '../package-index/package-index.js';
import { loadScenario } from '../scenario/load-scenario.js';
import { inputError, sourceOf } from '../scenario/input-error.js';
import type { ScenarioOverrides } from '../scenario/scenario-overrides.js';
import type { Scenario } from '../scenario/scenario-types.js';
import { checkEdits } from '../workspace/check-edits.js';
import { pickDefaultEdits } from '../workspace/default-edits.js';
import type { DriverOption } from './choose-build.js';
import { claimRun } from './claim-run.js';

export interface RunOptions {
  /** changes to the scenario (reps, builder, filters …), held to the scenario schema's limits */
  overrides?: ScenarioOverrides;
  /** where result.json and samples.jsonl go @default `results/<runId>` under the working directory */
  outDir?: string | undefined;
  /** the local package index's port on 127.0.0.1 (part of the build cache key: keep it fixed) @default 38751 */
  indexPort?: number | undefined;
  /** keep the built images, tagged per sample, after the run @default false */
  keepImages?: boolean | undefined;
  /**
   * Run even while another run builds on the same daemon (they measure each other). The run
   * then serves its package index on a port of its own. @default false
   */
  concurrent?: boolean | undefined;
  /** how builds reach Python packages: `auto` decides (PyPI, else pip's local indexes); `none` serves nothing @default 'auto' */
  packageIndex?: 'auto' | 'none' | undefined;
  /**
   * What runs each build: `cli`, the docker CLI as the user runs it; `api`, layerbench through
   * the Engine API; `auto`, the CLI for each builder it can build with, else the API. @default 'auto'
   */
  driver?: DriverOption | undefined;
  /**
   * The environment the run reads: LAYERBENCH_SCRATCH (where scratch directories go) and
   * LAYERBENCH_STATE_DIR (where runs are registered, the run lock). @default process.env
   */
  env?: NodeJS.ProcessEnv | undefined;
  /** the run's id, when something made for the run before it was prepared carries it @default a new one */
  runId?: string | undefined;
  /** the order of the warm builds (see plan.ts) @default 'rounds' */
  order?: RunOrder | undefined;
  /** seeds the shuffle of each round; the same seed repeats the order @default a random one, recorded */
  seed?: number | undefined;
  /**
   * Repetitions until the median is known well enough: stop a group once its median's 95 %
   * interval is within this fraction of the median on each side (e.g. 0.05), between minReps
   * and maxReps. Unset: every group gets the scenario's reps.
   */
  targetCi?: number | undefined;
  /** @default 6 with targetCi (the smallest n with a 95 % interval of the median) */
  minReps?: number | undefined;
  /** @default 20 with targetCi */
  maxReps?: number | undefined;
  /** start no round once this much time of the run has passed @default no budget */
  timeBudgetMs?: number | undefined;
}

export interface PreparedRun {
  readonly kind: 'prepared-run';
  scenario: Scenario;
  /** what preparing decided for the user (edits picked for them), said when the run starts */
  notes: string[];
  runId: string;
  outDir: string;
  /** the port to serve the index on; 0: any free one (a concurrent run) */
  indexPort: number;
  index: IndexChoice;
  keepImages: boolean;
  concurrent: boolean;
  driver: DriverOption;
  order: RunOrder;
  seed: number;
  repetitions: RepetitionRule;
  /** the environment the run reads (see RunOptions.env) */
  env: NodeJS.ProcessEnv;
}

export async function prepareRun(scenario: string | Scenario, options: RunOptions = {}): Promise<PreparedRun> {
  const given = typeof scenario === 'string' ? loadScenario(scenario, options.overrides) : scenario;
  checkDockerfiles(given);
  const notes: string[] = [];
  let loaded = given;
  if (given.edits.length === 0) {
    const picked = pickDefaultEdits(given.context, given.variants);
    loaded = { ...given, edits: picked.edits, declared: { ...given.declared, edits: picked.edits.map((e) => e.name) } };
    notes.push(`no edits given; picked: ${picked.notes.join('; ')}`);
  }
  checkEdits(loaded);
  const repetitions = repetitionRule(loaded.reps, options);
  const concurrent = options.concurrent ?? false;
  const index: IndexChoice = options.packageIndex === 'none' ? { mode: 'none', directories: [] } : await chooseIndex();
  const requestedPort = options.indexPort ?? DEFAULT_INDEX_PORT;
  const env = options.env ?? process.env;
  const { runId, outDir } = await claimRun({ runId: options.runId, outDir: options.outDir, defaultOutDir: (id) => id, indexPort: requestedPort, portMustBeFree: index.mode === 'local' && !concurrent, env });
  return {
    kind: 'prepared-run',
    scenario: loaded,
    notes,
    runId,
    outDir,
    indexPort: concurrent ? 0 : requestedPort,
    index,
    keepImages: options.keepImages ?? false,
    concurrent,
    driver: options.driver ?? 'auto',
    order: options.order ?? 'rounds',
    seed: options.seed ?? randomSeed(),
    repetitions,
    env,
  };
}

const DEFAULT_MAX_REPS = 20;
const MOST_REPS = 100;

/** The scenario's fixed count, or the bounds of --target-ci; a contradiction is a usage error. */
export function repetitionRule(reps: number, options: Pick<RunOptions, 'targetCi' | 'minReps' | 'maxReps' | 'timeBudgetMs'>): RepetitionRule {
  const timeBudgetMs = options.timeBudgetMs ?? null;
  if (options.targetCi === undefined) {
    if (options.minReps !== undefined || options.maxReps !== undefined) {
      throw new UsageError(`${options.minReps !== undefined ? '--min-reps' : '--max-reps'} bounds the repetitions --target-ci asks for; without a target every group gets --reps (the scenario's ${reps}).`);
    }
    return { minReps: reps, maxReps: reps, targetCi: null, timeBudgetMs };
  }
  if (!(options.targetCi > 0 && options.targetCi < 1)) throw new UsageError('--target-ci takes a percentage above 0 and below 100, e.g. 5%.');
  const minReps = options.minReps ?? Math.min(MIN_REPS_FOR_TARGET, options.maxReps ?? MIN_REPS_FOR_TARGET);
  const maxReps = options.maxReps ?? Math.max(DEFAULT_MAX_REPS, minReps);
  if (minReps < 1 || maxReps > MOST_REPS || minReps > maxReps) {
    throw new UsageError(`--min-reps ${minReps} and --max-reps ${maxReps} must satisfy 1 ≤ min ≤ max ≤ ${MOST_REPS}.`);
  }
  return { minReps, maxReps, targetCi: options.targetCi, timeBudgetMs };
}

/** Each Dockerfile parses as a builder would read it, and has the stage `--target` names. */
function checkDockerfiles(scenario: Scenario): void {
  scenario.variants.forEach((variant) => {
    const text = readDockerfile(variant.dockerfile);
    const problem = dockerfileProblem(text);
    if (problem !== undefined) throw new DockerfileError(displayPath(variant.dockerfile), problem.line, problem.message);
    if (variant.target !== null) {
      const stages = parseDockerfile(text).stages.map((stage) => stage.name).filter((name): name is string => name !== null);
      if (!stages.some((name) => name.toLowerCase() === variant.target?.toLowerCase())) {
        throw inputError(
          sourceOf(scenario),
          `variants[${scenario.declared.variants.indexOf(variant.name)}].target`,
          `names the stage "${variant.target}", which ${displayPath(variant.dockerfile)} does not have (${stages.length === 0 ? 'it names no stage' : `its stages: ${stages.join(', ')}`})`,
        );
      }
    }
  });
}

function readDockerfile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new DockerfileError(displayPath(path), null, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export function isPreparedRun(value: unknown): value is PreparedRun {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'prepared-run';
}
