/** `layerbench run`: wiring only — scenario → bases → index → workspaces → suite → result. */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveBases } from '../bases/resolve-bases.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { runLabelFilter } from '../engine/labels.js';
import { removeLabelled } from '../engine/remove-labelled.js';
import { UsageError } from '../errors.js';
import { runSuite } from '../measure/run-suite.js';
import { comparisonTable, headlineRatio } from '../report/comparison-table.js';
import { ResultWriter } from '../report/result-writer.js';
import { assembleResult } from '../report/assemble-result.js';
import type { BaseRecord, SuiteResult } from '../report/result-types.js';
import { loadScenario } from '../scenario/load-scenario.js';
import type { Scenario } from '../scenario/scenario-types.js';
import { preparePackageIndex } from '../package-index/package-index.js';
import { createProgress } from '../ui/progress.js';
import { VERSION } from '../version.js';
import { Workspace } from '../workspace/workspace.js';
import { withInterrupt } from './interrupt.js';
import { newRunId } from './run-id.js';

export interface RunOptions {
  scenario: string;
  reps: number | undefined;
  warmup: number | undefined;
  builder: Scenario['builder'] | undefined;
  cold: boolean | undefined;
  variants: string[] | undefined;
  edits: string[] | undefined;
  out: string | undefined;
  keepImages: boolean;
  indexPort: number;
  json: boolean;
}

export async function runCommand(engine: DockerEngine, options: RunOptions): Promise<number> {
  const scenario = narrow(loadScenario(options.scenario), options);
  await engine.ping();
  const runId = newRunId();
  const outDir = resolve(options.out ?? join('results', runId));
  const progress = createProgress();
  const say = (line: string): void => progress.note(line);
  const startedAt = new Date();
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  say(
    `layerbench ${VERSION} · run ${runId} · scenario ${scenario.name}: ${count(scenario.variants.length, 'variant')} × ${count(scenario.edits.length, 'edit')} × ${count(scenario.reps, 'rep')}` +
      `${scenario.warmup > 0 ? ` (+${scenario.warmup} warm-up)` : ''} · ${scenario.builder} builder`,
  );

  const writer = new ResultWriter(outDir);
  const scratch = mkdtempSync(join(tmpdir(), `layerbench-${runId}-`));
  let bases: BaseRecord[] = [];
  let indexMode: SuiteResult['packageIndex'] = { mode: 'none', urls: [] };
  let complete = false;
  const facts = await engine.facts();

  try {
    await withInterrupt(async (signal) => {
      const baseNames = scenario.variants.flatMap((v) => Object.values(v.bases));
      bases = await resolveBases(engine, baseNames, say, signal);
      for (const base of bases) say(`base ${base.name}: ${base.image} (${base.source})`);
      const baseLayers = new Map<string, Set<string>>();
      for (const base of bases) baseLayers.set(base.name, new Set((await engine.inspectImage(base.image))?.diffIds ?? []));

      const index = await preparePackageIndex(options.indexPort);
      indexMode = { mode: index.mode, urls: index.urls };
      say(index.mode === 'local' ? `package index: PyPI unreachable; serving the local index at ${index.urls.join(' ')}` : `package index: ${index.mode === 'pypi' ? 'PyPI' : 'none found (pip steps will fail)'}`);
      const workspaces = new Map(scenario.variants.map((v) => [v.name, Workspace.create(join(scratch, v.name), scenario.context, v.dockerfile)]));
      try {
        await runSuite({
          engine,
          scenario,
          runId,
          workspaces,
          buildArgsFor: (variant) => ({
            ...variant.buildArgs,
            ...Object.fromEntries(Object.entries(variant.bases).map(([arg, name]) => [arg, bases.find((b) => b.name === name)?.image ?? name])),
            ...index.buildArgs,
          }),
          baseLayersFor: (variant) => new Set(Object.values(variant.bases).flatMap((name) => [...(baseLayers.get(name) ?? [])])),
          keepImages: options.keepImages,
          onSample: (sample) => writer.add(sample),
          progress,
          now: () => performance.now(),
          wallClock: () => new Date(),
          signal,
          runStartedAt: startedAt,
        });
        complete = true;
      } finally {
        await index.close();
      }
    }, say);
  } finally {
    progress.done();
    rmSync(scratch, { recursive: true, force: true });
    try {
      await removeLabelled(engine, runLabelFilter(runId), { keepImages: options.keepImages });
      if (!options.keepImages) await engine.removeBuildLeftovers(startedAt);
    } catch {
      say('could not remove everything this run created; `layerbench clean` will');
    }
    const result = assembleResult({
      runId,
      startedAt,
      finishedAt: new Date(),
      complete,
      engine: { ...facts, cpus: facts.cpus || cpus().length, memoryBytes: facts.memoryBytes || totalmem() },
      scenario: { name: scenario.name, file: relative(process.cwd(), scenario.file) || scenario.file },
      packageIndex: indexMode,
      bases,
      samples: writer.samples,
    });
    const path = writer.finish(result);
    say(`${complete ? 'result' : 'partial result'}: ${displayPath(path)} (${writer.samples.length} samples)`);
    if (complete) printOutcome(result, scenario, options.json);
  }
  const unhealthy = writer.samples.filter((s) => !s.health.ok).length;
  if (unhealthy > 0) {
    process.stderr.write(`${unhealthy} sample(s) built an image that did not pass its health check.\n`);
    return 1;
  }
  return 0;
}

function printOutcome(result: SuiteResult, scenario: Scenario, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const [baseline, challenger] = scenario.variants.map((v) => v.name);
  process.stdout.write(`\n${comparisonTable(result, baseline ?? '')}\n\n`);
  const firstEdit = scenario.edits[0]?.name;
  const headline = baseline !== undefined && challenger !== undefined && firstEdit !== undefined ? headlineRatio(result.summary, firstEdit, baseline, challenger) : undefined;
  if (headline !== undefined) process.stdout.write(`${headline}\n`);
}

/** Applies the command-line overrides to the scenario and checks the filters name something. */
function narrow(scenario: Scenario, options: RunOptions): Scenario {
  const pick = <T extends { name: string }>(items: T[], names: string[] | undefined, what: string): T[] => {
    if (names === undefined || names.length === 0) return items;
    const unknown = names.filter((n) => !items.some((i) => i.name === n));
    if (unknown.length > 0) throw new UsageError(`--${what} names ${unknown.join(', ')}, which the scenario does not have (it has: ${items.map((i) => i.name).join(', ')}).`);
    return items.filter((i) => names.includes(i.name));
  };
  return {
    ...scenario,
    reps: options.reps ?? scenario.reps,
    warmup: options.warmup ?? scenario.warmup,
    builder: options.builder ?? scenario.builder,
    cold: options.cold ?? scenario.cold,
    variants: pick(scenario.variants, options.variants, 'variants'),
    edits: pick(scenario.edits, options.edits, 'edits'),
  };
}


/** Relative to the working directory when inside it, absolute otherwise. */
function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}
