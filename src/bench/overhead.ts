/**
 * `npm run bench:overhead`: does layerbench time the user's build? The same Dockerfile and
 * the same kind of edit (a code line), built through layerbench's engine and through
 * `docker build`, in interleaved pairs (the order alternates), timed by tinybench. Prints
 * each pair and layerbench ÷ docker CLI: the median of the pairs' ratios. Classic builder
 * always; BuildKit where a docker CLI on this machine can build with it.
 *
 * Two cases:
 * - `bundled`: the bundled app's variant; both sides build layerbench's workspace copy.
 * - `ignored-folder`: the Flask example plus a 500 MB `data/` folder its .dockerignore drops.
 *   `docker build` gets the project itself (it must skip the folder while packing);
 *   layerbench builds its copy, which never held the folder. Equal times mean the folder
 *   costs layerbench's timed build nothing the CLI's does not pay.
 *
 *   npm run bench:overhead -- [--pairs 9] [--builder classic|buildkit|both] [--variant optimized] [--case bundled|ignored-folder|both]
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Bench, type FnReturnedObject } from 'tinybench';
import { randomBytes } from 'node:crypto';
import { BASE_CATALOG } from '../bases/base-catalog.js';
import { resolveBases } from '../bases/resolve-bases.js';
import type { BuilderKind } from '../engine/build-trace.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { DockerodeEngine } from '../engine/dockerode-engine.js';
import { runImageTag } from '../engine/labels.js';
import type { BuildLeftovers } from '../measure/build-leftovers.js';
import type { PreparedVariant } from '../measure/run-suite.js';
import { DEFAULT_INDEX_PORT, preparePackageIndex, type PackageIndex } from '../package-index/package-index.js';
import { median } from '../result/statistics.js';
import { DisposerStack } from '../run/disposer-stack.js';
import { prepareVariants } from '../run/prepare-variants.js';
import { newRunId } from '../run/run-id.js';
import { RunRegistry } from '../run/run-registry.js';
import { holdRun } from '../run/run-resources.js';
import { loadScenario } from '../scenario/load-scenario.js';
import { projectScenario } from '../scenario/project-scenario.js';
import type { EditSpec, Scenario } from '../scenario/scenario-types.js';
import { formatBytes, formatMs } from '../report/format.js';
import { applyEdit } from '../workspace/edits.js';

const BUNDLED_SCENARIO = fileURLToPath(new URL('../../scenarios/default.yaml', import.meta.url));
const FLASK_EXAMPLE = fileURLToPath(new URL('../../docker/examples/flask/', import.meta.url));
/** The ignored folder of the `ignored-folder` case: 50 files of 10 MB, 500 MB. */
const IGNORED_FILES = 50;
const IGNORED_FILE_BYTES = 10_000_000;
const LAYERBENCH = 'layerbench engine';
const DOCKER_CLI = 'docker build';

interface Pair {
  layerbenchMs: number;
  cliMs: number;
}

/** What one case builds: a prepared variant for layerbench, and what `docker build` gets. */
interface Subject {
  title: string;
  variant: PreparedVariant;
  edit: EditSpec;
  /** the context directory and Dockerfile `docker build` is given */
  cliContext: string;
  cliDockerfile: string;
  /** writes the edit where `docker build` reads it (the workspace copy, or the project itself) */
  applyForCli: (nonce: string, sequence: number) => void;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pairs: { type: 'string', default: '9' },
      builder: { type: 'string', default: 'both' },
      variant: { type: 'string', default: 'optimized' },
      case: { type: 'string', default: 'both' },
    },
  });
  const pairs = Number(values.pairs);
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error('--pairs takes a whole number ≥ 1');
  const builders: BuilderKind[] = values.builder === 'both' ? ['classic', 'buildkit'] : [values.builder as BuilderKind];
  const cases = values.case === 'both' ? ['bundled', 'ignored-folder'] : [values.case];
  if (cases.some((c) => c !== 'bundled' && c !== 'ignored-folder')) throw new Error('--case takes bundled, ignored-folder or both');

  const engine = new DockerodeEngine();
  await engine.ping();
  const facts = await engine.facts();
  const runId = newRunId();
  const registry = new RunRegistry();
  const stack = new DisposerStack();
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  try {
    const { scratch, leftovers } = holdRun(stack, registry, engine, { runId, startedAt: new Date(), facts, indexPort: DEFAULT_INDEX_PORT, exclusive: true });
    const tags = [runImageTag('overhead-engine', runId), runImageTag('overhead-cli', runId)];
    stack.defer('the images', async () => {
      for (const tag of tags) await engine.removeImage(tag);
    });
    const index = await preparePackageIndex(DEFAULT_INDEX_PORT);
    stack.defer('the package index server', () => index.close());

    process.stdout.write(`layerbench overhead: a code edit per build, ${pairs} interleaved pairs; Engine ${facts.engineVersion}\n`);
    for (const name of cases) {
      const subject = name === 'bundled' ? await bundledSubject(engine, values.variant, join(scratch, 'bundled'), index, say) : await ignoredFolderSubject(engine, join(scratch, 'ignored-folder'), index, say);
      process.stdout.write(`\n== ${subject.title}\n`);
      for (const builder of builders) {
        const cli = await dockerCliFor(builder, subject);
        if (cli === undefined) {
          process.stdout.write(`\n${builder}: skipped — no docker CLI here builds with BuildKit (it needs the buildx plugin, or a 20.10 client)\n`);
          continue;
        }
        const measured = await measure(engine, subject, builder, cli, tags as [string, string], leftovers, pairs);
        print(builder, cli, measured);
      }
    }
  } finally {
    for (const { name, error } of await stack.disposeAll()) process.stderr.write(`could not remove ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/** The bundled app's variant; both sides build layerbench's workspace copy. */
async function bundledSubject(engine: DockerEngine, variantName: string, scratch: string, index: PackageIndex, say: (line: string) => void): Promise<Subject> {
  const scenario = loadScenario(BUNDLED_SCENARIO, { variants: [variantName] });
  const edit = scenario.edits.find((e) => e.name === 'code');
  if (edit === undefined) throw new Error('the bundled scenario has no code edit');
  const bases = await resolveBases(engine, scenario.variants.flatMap((v) => Object.values(v.bases)), say);
  const variant = await onlyVariant(engine, scenario, scratch, bases, index, say);
  return {
    title: `bundled app, variant ${variant.spec.name}: both sides build layerbench's copy`,
    variant,
    edit,
    cliContext: variant.workspace.dir,
    cliDockerfile: join(variant.workspace.dir, variant.workspace.dockerfileInContext),
    applyForCli: (nonce, sequence) => void variant.workspace.apply(edit, nonce, sequence),
  };
}

/**
 * The Flask example with a 500 MB `data/` folder that its .dockerignore drops: `docker build`
 * packs the project itself, layerbench its copy (the same Dockerfile as layerbench rewrote it).
 */
async function ignoredFolderSubject(engine: DockerEngine, scratch: string, index: PackageIndex, say: (line: string) => void): Promise<Subject> {
  const project = join(scratch, 'project');
  cpSync(FLASK_EXAMPLE, project, { recursive: true });
  mkdirSync(join(project, 'data'));
  for (let i = 0; i < IGNORED_FILES; i += 1) writeFileSync(join(project, 'data', `part-${i}.bin`), randomBytes(IGNORED_FILE_BYTES));
  const standIn = BASE_CATALOG['python-3.11-slim']?.bootstrap.image ?? '';
  const present = (await engine.inspectImage('python:3.11-slim')) !== undefined;
  const scenario = projectScenario(
    { context: project, dockerfiles: [`optimized=${join(project, 'optimized.Dockerfile')}`], edits: ['code=append-line:app.py'] },
    present ? {} : { baseMap: { 'python:3.11-slim': standIn } },
  );
  const edit = scenario.edits[0];
  if (edit === undefined) throw new Error('no edit');
  const variant = await onlyVariant(engine, scenario, join(scratch, 'workspace'), [], index, say);
  const original = readFileSync(join(project, 'app.py'));
  return {
    title: `Flask example with a ${formatBytes(IGNORED_FILES * IGNORED_FILE_BYTES)} data/ folder its .dockerignore drops: docker build packs the project, layerbench its copy`,
    variant,
    edit,
    cliContext: project,
    // the Dockerfile as layerbench builds it (mapped base, the index's ARGs), given with -f
    cliDockerfile: join(variant.workspace.dir, variant.workspace.dockerfileInContext),
    applyForCli: (nonce, sequence) => writeFileSync(join(project, 'app.py'), applyEdit(edit, { path: 'app.py', original }, nonce, sequence).content),
  };
}

async function onlyVariant(engine: DockerEngine, scenario: Scenario, scratch: string, bases: Parameters<typeof prepareVariants>[3], index: PackageIndex, say: (line: string) => void): Promise<PreparedVariant> {
  const [variant] = await prepareVariants(engine, scenario, scratch, bases, index, say);
  if (variant === undefined) throw new Error('no variant');
  return variant;
}

async function measure(
  engine: DockerEngine,
  subject: Subject,
  builder: BuilderKind,
  cli: string,
  [engineTag, cliTag]: [string, string],
  leftovers: BuildLeftovers,
  pairs: number,
): Promise<Pair[]> {
  const { variant, edit } = subject;
  let edits = 0;
  const previous = new Map<string, string>();
  const editForEngine = (): void => {
    variant.workspace.apply(edit, `overhead-${builder}-${(edits += 1)}`, edits);
  };
  const editForCli = (): void => subject.applyForCli(`overhead-${builder}-${(edits += 1)}`, edits);
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
      context: variant.workspace,
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
  const viaCli = (): Promise<void> => dockerBuild(cli, builder, subject, cliTag);

  // The first build of each side fills the cache for that side's path; not measured.
  editForEngine();
  await viaEngine();
  await tidy(engineTag);
  editForCli();
  await viaCli();
  await tidy(cliTag);

  const results: Pair[] = [];
  for (let round = 0; round < pairs; round += 1) {
    const bench = new Bench({ name: `pair ${round + 1}`, iterations: 1, time: 0, warmup: false, retainSamples: true, throws: true });
    const tasks: [string, () => Promise<unknown>, () => void, string][] = [
      [LAYERBENCH, viaEngine, editForEngine, engineTag],
      [DOCKER_CLI, viaCli, editForCli, cliTag],
    ];
    if (round % 2 === 1) tasks.reverse();
    for (const [name, fn, edit, tag] of tasks) bench.add(name, fn, { async: true, beforeEach: edit, afterEach: () => tidy(tag) });
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

/** `docker build` as a user runs it, with the same Dockerfile and build args. */
function dockerBuild(cli: string, builder: BuilderKind, subject: Subject, tag: string): Promise<void> {
  const args = ['build', '-f', subject.cliDockerfile, '--network', 'host', '-t', tag];
  for (const [key, value] of Object.entries(subject.variant.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  args.push(subject.cliContext);
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
async function dockerCliFor(builder: BuilderKind, subject: Subject): Promise<string | undefined> {
  const candidates = ['docker', '/usr/bin/docker'];
  if (builder === 'classic') return candidates.find((cli) => spawnSync(cli, ['version'], { stdio: 'ignore' }).status === 0);
  const probeTag = runImageTag('overhead-probe', newRunId());
  for (const cli of candidates) {
    try {
      await dockerBuild(cli, builder, subject, probeTag);
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
