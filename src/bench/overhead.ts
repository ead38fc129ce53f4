/**
 * `npm run bench:overhead`: does layerbench time the user's build? The same Dockerfile and
 * the same kind of edit (a code line), built through layerbench's engine and through
 * `docker build`, in interleaved pairs (the order alternates), timed by tinybench. Prints
 * each pair and layerbench ÷ docker CLI: the median of the pairs' ratios. Classic builder
 * always; BuildKit where a docker CLI on this machine can build with it.
 *
 *   npm run bench:overhead -- [--pairs 9] [--builder classic|buildkit|both] [--variant optimized]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Bench, type FnReturnedObject } from 'tinybench';
import { resolveBases } from '../bases/resolve-bases.js';
import type { BuilderKind } from '../engine/build-trace.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { DockerodeEngine } from '../engine/dockerode-engine.js';
import { runImageTag } from '../engine/labels.js';
import { BuildLeftovers } from '../measure/build-leftovers.js';
import type { PreparedVariant } from '../measure/run-suite.js';
import { DEFAULT_INDEX_PORT, preparePackageIndex } from '../package-index/package-index.js';
import { median } from '../result/statistics.js';
import { DisposerStack } from '../run/disposer-stack.js';
import { prepareVariants } from '../run/prepare-variants.js';
import { newRunId } from '../run/run-id.js';
import { processStartOf, RunRegistry } from '../run/run-registry.js';
import { loadScenario } from '../scenario/load-scenario.js';
import type { EditSpec } from '../scenario/scenario-types.js';
import { formatMs } from '../report/format.js';

const BUNDLED_SCENARIO = fileURLToPath(new URL('../../scenarios/default.yaml', import.meta.url));
const LAYERBENCH = 'layerbench engine';
const DOCKER_CLI = 'docker build';

interface Pair {
  layerbenchMs: number;
  cliMs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { pairs: { type: 'string', default: '9' }, builder: { type: 'string', default: 'both' }, variant: { type: 'string', default: 'optimized' } },
  });
  const pairs = Number(values.pairs);
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error('--pairs takes a whole number ≥ 1');
  const builders: BuilderKind[] = values.builder === 'both' ? ['classic', 'buildkit'] : [values.builder as BuilderKind];
  const scenario = loadScenario(BUNDLED_SCENARIO, { variants: [values.variant] });
  const edit = scenario.edits.find((e) => e.name === 'code');
  if (edit === undefined) throw new Error('the bundled scenario has no code edit');

  const engine = new DockerodeEngine();
  await engine.ping();
  const facts = await engine.facts();
  const runId = newRunId();
  const registry = new RunRegistry();
  const stack = new DisposerStack();
  try {
    registry.register({ runId, pid: process.pid, processStart: processStartOf('self'), startedAt: new Date().toISOString(), daemonId: facts.id, endpoint: engine.endpoint, scratch: null, indexPort: DEFAULT_INDEX_PORT }, true);
    stack.defer('the run record', (failed) => (failed.length === 0 ? registry.unregister(runId) : undefined));
    const scratch = mkdtempSync(join(tmpdir(), `layerbench-${runId}-`));
    stack.defer('the scratch directory', () => rmSync(scratch, { recursive: true, force: true }));
    const leftovers = new BuildLeftovers(engine, (id) => registry.journal(runId, id));
    stack.defer("the builder's leftovers", () => leftovers.sweepAll());
    const tags = [runImageTag('overhead-engine', runId), runImageTag('overhead-cli', runId)];
    stack.defer('the images', async () => {
      for (const tag of tags) await engine.removeImage(tag);
    });
    const bases = await resolveBases(engine, scenario.variants.flatMap((v) => Object.values(v.bases)), (line) => process.stderr.write(`${line}\n`));
    const index = await preparePackageIndex(DEFAULT_INDEX_PORT);
    stack.defer('the package index server', () => index.close());
    const [variant] = await prepareVariants(engine, scenario, scratch, bases, index);
    if (variant === undefined) throw new Error(`no variant ${values.variant}`);

    process.stdout.write(`layerbench overhead: variant ${variant.spec.name}, a code edit per build, ${pairs} interleaved pairs; Engine ${facts.engineVersion}\n`);
    for (const builder of builders) {
      const cli = await dockerCliFor(builder, variant);
      if (cli === undefined) {
        process.stdout.write(`\n${builder}: skipped — no docker CLI here builds with BuildKit (it needs the buildx plugin, or a 20.10 client)\n`);
        continue;
      }
      const measured = await measure(engine, variant, edit, builder, cli, tags as [string, string], leftovers, pairs);
      print(builder, cli, measured);
    }
  } finally {
    for (const { name, error } of await stack.disposeAll()) process.stderr.write(`could not remove ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

async function measure(
  engine: DockerEngine,
  variant: PreparedVariant,
  edit: EditSpec,
  builder: BuilderKind,
  cli: string,
  [engineTag, cliTag]: [string, string],
  leftovers: BuildLeftovers,
  pairs: number,
): Promise<Pair[]> {
  let edits = 0;
  const previous = new Map<string, string>();
  const applyEdit = (): void => {
    variant.workspace.apply(edit, `overhead-${builder}-${(edits += 1)}`, edits);
  };
  /** Outside the timed region, as between a run's builds: the image the tag left goes. */
  const tidy = async (tag: string): Promise<void> => {
    const now = (await engine.inspectImage(tag))?.id;
    const before = previous.get(tag);
    if (before !== undefined && before !== now) await engine.removeUntaggedImages([before], { prune: true });
    if (now !== undefined) previous.set(tag, now);
    await leftovers.sweep();
  };
  const viaEngine = async (): Promise<FnReturnedObject> => {
    leftovers.buildStarted(new Date());
    const trace = await engine.build({
      context: variant.workspace.pack(),
      dockerfile: variant.workspace.dockerfileInContext,
      dockerfileModel: variant.dockerfile,
      builder,
      buildArgs: variant.buildArgs,
      tag: engineTag,
      noCache: false,
      variant: variant.spec.name,
      hostNetwork: true,
      signal: undefined,
      onStep: undefined,
      onImage: (image) => leftovers.imageReported(image),
    });
    leftovers.buildFinished();
    // what layerbench records as the sample's wall time
    return { overriddenDuration: trace.wallMs };
  };
  const viaCli = (): Promise<void> => dockerBuild(cli, builder, variant, cliTag);

  // The first build of each side fills the cache for that side's path; not measured.
  applyEdit();
  await viaEngine();
  await tidy(engineTag);
  applyEdit();
  await viaCli();
  await tidy(cliTag);

  const results: Pair[] = [];
  for (let round = 0; round < pairs; round += 1) {
    const bench = new Bench({ name: `pair ${round + 1}`, iterations: 1, time: 0, warmup: false, retainSamples: true, throws: true });
    const tasks: [string, () => Promise<unknown>, string][] = [
      [LAYERBENCH, viaEngine, engineTag],
      [DOCKER_CLI, viaCli, cliTag],
    ];
    if (round % 2 === 1) tasks.reverse();
    for (const [name, fn, tag] of tasks) bench.add(name, fn, { async: true, beforeEach: applyEdit, afterEach: () => tidy(tag) });
    await bench.run();
    const sample = (name: string): number => {
      const task = bench.getTask(name);
      const value = task?.result.state === 'completed' ? task.result.latency.samples?.[0] : undefined;
      if (value === undefined) throw new Error(`${name} did not complete in pair ${round + 1}`);
      return value;
    };
    results.push({ layerbenchMs: sample(LAYERBENCH), cliMs: sample(DOCKER_CLI) });
  }
  return results;
}

/** `docker build` as a user runs it, on the workspace layerbench builds from, with the same build args. */
function dockerBuild(cli: string, builder: BuilderKind, variant: PreparedVariant, tag: string): Promise<void> {
  const args = ['build', '-f', join(variant.workspace.dir, variant.workspace.dockerfileInContext), '--network', 'host', '-t', tag];
  for (const [key, value] of Object.entries(variant.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  args.push(variant.workspace.dir);
  return new Promise((resolve, reject) => {
    const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cli} build exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/**
 * A docker CLI that can build with this builder: the one on PATH for the classic builder;
 * for BuildKit, one with buildx or a 20.10 client (which has BuildKit built in). Asked by
 * building (asynchronously: the package index is served from this very process).
 */
async function dockerCliFor(builder: BuilderKind, variant: PreparedVariant): Promise<string | undefined> {
  const candidates = ['docker', '/usr/bin/docker'];
  if (builder === 'classic') return candidates.find((cli) => spawnSync(cli, ['version'], { stdio: 'ignore' }).status === 0);
  const probeTag = runImageTag('overhead-probe', newRunId());
  for (const cli of candidates) {
    try {
      await dockerBuild(cli, builder, variant, probeTag);
      return cli;
    } catch (err) {
      process.stderr.write(`${cli} cannot build with BuildKit here: ${err instanceof Error ? err.message : String(err)}\n`);
    } finally {
      spawnSync('docker', ['rmi', probeTag], { stdio: 'ignore' });
    }
  }
  return undefined;
}

function print(builder: BuilderKind, cli: string, pairs: readonly Pair[]): void {
  process.stdout.write(`\n${builder} builder (docker CLI: ${cli})\n`);
  process.stdout.write(`  pair  ${LAYERBENCH.padStart(18)}  ${DOCKER_CLI.padStart(12)}  ratio\n`);
  pairs.forEach((pair, i) => {
    process.stdout.write(`  ${String(i + 1).padStart(4)}  ${formatMs(pair.layerbenchMs).padStart(18)}  ${formatMs(pair.cliMs).padStart(12)}  ${(pair.layerbenchMs / pair.cliMs).toFixed(2)}\n`);
  });
  const ratio = median(pairs.map((p) => p.layerbenchMs / p.cliMs)) ?? Number.NaN;
  const medianEngine = median(pairs.map((p) => p.layerbenchMs)) ?? Number.NaN;
  const medianCli = median(pairs.map((p) => p.cliMs)) ?? Number.NaN;
  process.stdout.write(`  median ${formatMs(medianEngine).padStart(16)}  ${formatMs(medianCli).padStart(12)}\n`);
  process.stdout.write(`${builder}: layerbench ÷ docker CLI = ${ratio.toFixed(2)} (median of ${pairs.length} interleaved pairs; ratio of medians ${(medianEngine / medianCli).toFixed(2)})\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:overhead: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
