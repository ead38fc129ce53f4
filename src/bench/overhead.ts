/**
 * `npm run bench:overhead`: does layerbench time the user's build? The same Dockerfile and
 * the same kind of edit (a code line), built three ways in interleaved rounds (the order
 * rotates round by round), timed by tinybench:
 * - `layerbench cli`: layerbench's CLI driver (it runs the docker CLI; what a run records);
 * - `layerbench api`: layerbench's API driver (a BuildKit session with file sync, or a tar);
 * - `docker CLI`: the docker CLI run by hand, as a user types it (`docker buildx build` for
 *   BuildKit, `DOCKER_BUILDKIT=0 docker build` for classic).
 * It prints each round and, per engine, builder and case, each driver ÷ the hand-run CLI (the
 * median of the rounds' ratios) and the context bytes each side sent per build.
 *
 * Three cases:
 * - `bundled`: the bundled app's optimized variant; every side builds layerbench's copy.
 * - `ignored-folder`: the Flask example plus a 500 MB `data/` folder its .dockerignore drops;
 *   the hand-run CLI gets the project itself, layerbench its copy (which never held the folder).
 * - `unreferenced-folder`: the Flask example plus a 1 GB `media/` folder that is not ignored
 *   and that no COPY names (the Dockerfile copies named files only): a tar carries it every
 *   time, a session never.
 *
 * Two engines: the host's daemon, and Engine 26 with buildx as Docker in Docker (skipped,
 * with the reason, where it cannot be made). Nothing is left behind: every image a side's tag
 * pointed to is removed, and the daemon's dangling images are checked against those before.
 *
 *   npm run bench:overhead -- [--pairs 9] [--builder classic|buildkit|both] [--case bundled|ignored-folder|unreferenced-folder|all] [--engine host|modern|both]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Bench, type FnReturnedObject } from 'tinybench';
import { BASE_CATALOG } from '../bases/base-catalog.js';
import { resolveBases } from '../bases/resolve-bases.js';
import type { Builder, BuildDriver } from '../result/types.js';
import { cliCanBuild, describeCliBuild, type DockerCli } from '../engine/cli/docker-cli.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { DockerodeEngine } from '../engine/dockerode-engine.js';
import { runImageTag } from '../engine/labels.js';
import type { BuildLeftovers } from '../measure/build-leftovers.js';
import type { PreparedVariant } from '../measure/run-suite.js';
import { DEFAULT_INDEX_PORT, preparePackageIndex, type PackageIndex } from '../package-index/package-index.js';
import { formatBytes, formatMs } from '../format.js';
import { median } from '../result/statistics.js';
import { DisposerStack } from '../run/disposer-stack.js';
import { prepareVariants } from '../run/prepare-variants.js';
import { newRunId } from '../run/run-id.js';
import { sessionSpec, withRunSession, type SessionEvent } from '../run/run-session.js';
import { loadScenario } from '../scenario/load-scenario.js';
import { projectScenario } from '../scenario/project-scenario.js';
import type { EditSpec, Scenario } from '../scenario/scenario-types.js';
import { applyEdit } from '../workspace/edits.js';
import { copyImageTo, startModernEngine, type ModernEngine } from './modern-engine.js';

const BUNDLED_SCENARIO = fileURLToPath(new URL('../../scenarios/default.yaml', import.meta.url));
const FLASK_EXAMPLE = fileURLToPath(new URL('../../docker/examples/flask/', import.meta.url));
const FOLDER_FILE_BYTES = 10_000_000;
const CASES = ['bundled', 'ignored-folder', 'unreferenced-folder'] as const;
type CaseName = (typeof CASES)[number];
const SIDES = ['layerbench cli', 'layerbench api', 'docker CLI'] as const;
type Side = (typeof SIDES)[number];

/** One side's build in one round: its time and what it sent of the context. */
interface Measured {
  ms: number;
  bytes: number | null;
}
type Round = Partial<Record<Side, Measured>>;

/** What one case builds: a prepared variant for layerbench, and what the hand-run CLI gets. */
interface Subject {
  title: string;
  variant: PreparedVariant;
  edit: EditSpec;
  /** the context directory and Dockerfile the hand-run CLI is given */
  cliContext: string;
  cliDockerfile: string;
  /** writes the edit where the hand-run CLI reads it (the workspace copy, or the project itself) */
  applyForCli: (nonce: string, sequence: number) => void;
}

interface EngineUnderTest {
  name: string;
  engine: DockerEngine;
  env: NodeJS.ProcessEnv;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pairs: { type: 'string', default: '9' },
      builder: { type: 'string', default: 'both' },
      variant: { type: 'string', default: 'optimized' },
      case: { type: 'string', default: 'all' },
      engine: { type: 'string', default: 'both' },
    },
  });
  const rounds = Number(values.pairs);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--pairs takes a whole number ≥ 1');
  const builders: Builder[] = values.builder === 'both' ? ['classic', 'buildkit'] : [values.builder as Builder];
  const cases: CaseName[] = values.case === 'all' ? [...CASES] : [values.case as CaseName];
  if (cases.some((c) => !CASES.includes(c))) throw new Error(`--case takes ${CASES.join(', ')} or all`);
  if (!['host', 'modern', 'both'].includes(values.engine)) throw new Error('--engine takes host, modern or both');

  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const stack = new DisposerStack();
  const stopOnSignal = (): void => void stack.disposeAll().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  let leftBehind = false;
  try {
    const host = new DockerodeEngine();
    await host.system.ping();
    const index = await preparePackageIndex(DEFAULT_INDEX_PORT);
    stack.defer('the package index server', () => index.close());
    process.stdout.write(`layerbench overhead: a code edit per build, ${rounds} interleaved rounds of three builds (layerbench's cli driver, its api driver, the docker CLI by hand)\n`);

    const engines: EngineUnderTest[] = [];
    if (values.engine !== 'modern') engines.push({ name: 'host', engine: host, env: process.env });
    if (values.engine !== 'host') {
      const modern = await startModernEngine({ say });
      if ('skipped' in modern) process.stdout.write(`\nEngine 26: skipped — ${modern.skipped}\n`);
      else {
        stack.defer('the modern engine', () => modern.stop());
        engines.push(modernUnderTest(modern));
      }
    }
    for (const target of engines) {
      leftBehind = (await benchEngine(target, host, { builders, cases, rounds, variant: values.variant, index, say })) || leftBehind;
    }
  } finally {
    for (const { name, error } of await stack.disposeAll()) process.stderr.write(`could not remove ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  if (leftBehind) process.exitCode = 1;
}

function modernUnderTest(modern: ModernEngine): EngineUnderTest {
  const env = { ...process.env, DOCKER_HOST: modern.dockerHost };
  return { name: `Engine ${modern.version} (Docker in Docker)`, engine: new DockerodeEngine(env), env };
}

/** Every case and builder on one engine; resolves true when it left a dangling image behind. */
async function benchEngine(
  target: EngineUnderTest,
  host: DockerEngine,
  options: { builders: Builder[]; cases: CaseName[]; rounds: number; variant: string; index: PackageIndex; say: (line: string) => void },
): Promise<boolean> {
  const { engine } = target;
  const facts = await engine.system.facts();
  const cli = await engine.system.dockerCli();
  const runId = newRunId();
  const tags = Object.fromEntries(SIDES.map((side) => [side, runImageTag(`overhead-${side.replace(/\W+/g, '-').toLowerCase()}`, runId)])) as Record<Side, string>;
  const made = new Set<string>();
  const danglingBefore = new Set(await engine.images.listDangling());
  const session = sessionSpec(process.env, {
    engine,
    runId,
    startedAt: new Date(),
    facts,
    indexPort: DEFAULT_INDEX_PORT,
    exclusive: true,
    keepImages: false,
    signal: new AbortController().signal,
    emit: (event: SessionEvent) => void (event.type === 'cleanup-failed' ? process.stderr.write(`${event.line}\n`) : undefined),
  });
  await withRunSession(session, async ({ scratch, leftovers, defer }) => {
    defer('the images', async () => {
      for (const tag of Object.values(tags)) await engine.images.remove(tag);
      await engine.images.removeUntagged([...made], { prune: true });
    });
    process.stdout.write(`\n#### ${target.name}: Engine ${facts.engineVersion}, API ${facts.apiVersion}; default builder ${facts.defaultBuilder.builder}; docker CLI ${cli === undefined ? 'none' : `${cli.clientVersion}, buildx ${cli.buildxVersion ?? 'none'}`}\n`);
    if (engine !== host) await copyImageTo(BASE_CATALOG['python-3.11-slim']?.bootstrap.image ?? '', target.env, options.say);
    for (const name of options.cases) {
      const subject = await subjectFor(name, engine, options.variant, join(scratch, name), options.index, options.say);
      process.stdout.write(`\n== ${subject.title}\n`);
      for (const builder of options.builders) {
        const measured = await measure({ engine, subject, builder, cli, tags, made, leftovers, rounds: options.rounds, env: target.env });
        print(builder, cli, measured);
      }
    }
  });
  const danglingAfter = (await engine.images.listDangling()).filter((id) => !danglingBefore.has(id));
  process.stdout.write(`\n${target.name}: dangling images ${danglingAfter.length === 0 ? 'as before the bench' : `left behind: ${danglingAfter.length} (${danglingAfter.join(', ')})`}\n`);
  return danglingAfter.length > 0;
}

async function subjectFor(name: CaseName, engine: DockerEngine, variant: string, scratch: string, index: PackageIndex, say: (line: string) => void): Promise<Subject> {
  if (name === 'bundled') return bundledSubject(engine, variant, scratch, index, say);
  return name === 'ignored-folder'
    ? flaskSubject(engine, scratch, index, say, { folder: 'data', files: 50, why: 'its .dockerignore drops' })
    : flaskSubject(engine, scratch, index, say, { folder: 'media', files: 100, why: 'is not ignored and no COPY names' });
}

/** The bundled app's variant; every side builds layerbench's workspace copy. */
async function bundledSubject(engine: DockerEngine, variantName: string, scratch: string, index: PackageIndex, say: (line: string) => void): Promise<Subject> {
  const scenario = loadScenario(BUNDLED_SCENARIO, { variants: [variantName] });
  const edit = scenario.edits.find((e) => e.name === 'code');
  if (edit === undefined) throw new Error('the bundled scenario has no code edit');
  const bases = await resolveBases(engine, scenario.variants.flatMap((v) => Object.values(v.bases)), say);
  const variant = await onlyVariant(engine, scenario, scratch, bases, index, say);
  return {
    title: `bundled app, variant ${variant.spec.name}: every side builds layerbench's copy`,
    variant,
    edit,
    cliContext: variant.workspace.dir,
    cliDockerfile: join(variant.workspace.dir, variant.workspace.dockerfileInContext),
    applyForCli: (nonce, sequence) => void variant.workspace.apply(edit, nonce, sequence),
  };
}

/**
 * The Flask example with a big folder: the hand-run CLI gets the project itself, layerbench
 * its copy (the same Dockerfile as layerbench rewrote it: mapped base, the index's ARGs).
 */
async function flaskSubject(
  engine: DockerEngine,
  scratch: string,
  index: PackageIndex,
  say: (line: string) => void,
  folder: { folder: string; files: number; why: string },
): Promise<Subject> {
  const project = join(scratch, 'project');
  cpSync(FLASK_EXAMPLE, project, { recursive: true });
  mkdirSync(join(project, folder.folder));
  for (let i = 0; i < folder.files; i += 1) writeFileSync(join(project, folder.folder, `part-${i}.bin`), randomBytes(FOLDER_FILE_BYTES));
  const standIn = BASE_CATALOG['python-3.11-slim']?.bootstrap.image ?? '';
  const present = (await engine.images.inspect('python:3.11-slim')) !== undefined;
  const scenario = projectScenario(
    { context: project, dockerfiles: [`optimized=${join(project, 'optimized.Dockerfile')}`], edits: ['code=append-line:app.py'] },
    present ? {} : { baseMap: { 'python:3.11-slim': standIn } },
  );
  const edit = scenario.edits[0];
  if (edit === undefined) throw new Error('no edit');
  const variant = await onlyVariant(engine, scenario, join(scratch, 'workspace'), [], index, say);
  const original = readFileSync(join(project, 'app.py'));
  return {
    title: `Flask example with a ${formatBytes(folder.files * FOLDER_FILE_BYTES)} ${folder.folder}/ folder that ${folder.why}: the hand-run CLI gets the project, layerbench its copy`,
    variant,
    edit,
    cliContext: project,
    cliDockerfile: join(variant.workspace.dir, variant.workspace.dockerfileInContext),
    applyForCli: (nonce, sequence) => writeFileSync(join(project, 'app.py'), applyEdit(edit, { path: 'app.py', original }, nonce, sequence).content),
  };
}

async function onlyVariant(engine: DockerEngine, scenario: Scenario, scratch: string, bases: Parameters<typeof prepareVariants>[3], index: PackageIndex, say: (line: string) => void): Promise<PreparedVariant> {
  const [variant] = await prepareVariants(engine, { ...scenario, builders: ['classic', 'buildkit'] }, scratch, bases, index, say);
  if (variant === undefined) throw new Error('no variant');
  return variant;
}

interface MeasureInputs {
  engine: DockerEngine;
  subject: Subject;
  builder: Builder;
  cli: DockerCli | undefined;
  tags: Record<Side, string>;
  /** every image a side's tag pointed to: removed at the end */
  made: Set<string>;
  leftovers: BuildLeftovers;
  rounds: number;
  env: NodeJS.ProcessEnv;
}

async function measure(inputs: MeasureInputs): Promise<Round[]> {
  const { engine, subject, builder, cli, tags, made, leftovers } = inputs;
  const { variant, edit } = subject;
  let edits = 0;
  const previous = new Map<string, string>();
  const editWorkspace = (): void => void variant.workspace.apply(edit, `overhead-${builder}-${(edits += 1)}`, edits);
  const editForCli = (): void => subject.applyForCli(`overhead-${builder}-${(edits += 1)}`, edits);
  /** Outside the timed region, as between a run's builds: the image the tag left goes. */
  const tidy = async (tag: string): Promise<void> => {
    const now = (await engine.images.inspect(tag))?.id;
    const before = previous.get(tag);
    if (before !== undefined && before !== now) await engine.images.removeUntagged([before], { prune: true });
    if (now !== undefined) {
      previous.set(tag, now);
      made.add(now);
    }
    await leftovers.sweep();
  };
  const viaLayerbench = (driver: BuildDriver, tag: string) => async (): Promise<FnReturnedObject> => {
    leftovers.buildStarted(new Date());
    const trace = await engine.builds.build({
      context: variant.workspace,
      driver,
      sharedKey: variant.workspace.dir,
      dockerfile: variant.workspace.dockerfileInContext,
      dockerfileModel: variant.dockerfile,
      builder,
      buildArgs: variant.buildArgs,
      tag,
      noCache: false,
      variant: variant.spec.name,
      hostNetwork: true,
      signal: undefined,
      onStep: undefined,
      onImage: (image) => leftovers.imageReported(image),
    });
    leftovers.buildFinished();
    sent.set(tag, trace.sent.bytes);
    // what layerbench records as the sample's wall time
    return { overriddenDuration: trace.wallMs };
  };
  const sent = new Map<string, number | null>();
  const byHand = async (): Promise<void> => {
    sent.set(tags['docker CLI'], await dockerByHand(builder, subject, tags['docker CLI'], inputs.env));
  };

  const sides: [Side, () => Promise<unknown>, () => void][] = [
    ...(cli !== undefined && cliCanBuild(cli, builder) ? [['layerbench cli', viaLayerbench('cli', tags['layerbench cli']), editWorkspace] as [Side, () => Promise<unknown>, () => void]] : []),
    ['layerbench api', viaLayerbench('api', tags['layerbench api']), editWorkspace],
    ['docker CLI', byHand, editForCli],
  ];
  // The first build of each side fills the cache for that side's path; not measured.
  for (const [side, build, editFor] of sides) {
    editFor();
    await build();
    await tidy(tags[side]);
  }

  const results: Round[] = [];
  for (let round = 0; round < inputs.rounds; round += 1) {
    const bench = new Bench({ name: `round ${round + 1}`, iterations: 1, time: 0, warmup: false, retainSamples: true, throws: true });
    // every side goes first, second and last equally often: the order rotates by round
    const ordered = sides.map((_, i) => sides[(i + round) % sides.length] as (typeof sides)[number]);
    for (const [side, build, editFor] of ordered) bench.add(side, build, { async: true, beforeEach: editFor, afterEach: () => tidy(tags[side]) });
    await bench.run();
    const row: Round = {};
    for (const [side] of sides) {
      const task = bench.getTask(side);
      const ms = task?.result.state === 'completed' ? task.result.latency.samples?.[0] : undefined;
      if (ms === undefined) throw new Error(`${side} did not complete in round ${round + 1}`);
      row[side] = { ms, bytes: sent.get(tags[side]) ?? null };
    }
    results.push(row);
  }
  return results;
}

/**
 * The docker CLI as a user runs it, with the same Dockerfile and build args: `docker buildx
 * build` (plain progress, as it prints when its output is not a terminal), or the classic
 * `docker build`. Resolves with the context bytes it reported sending, where it said.
 */
function dockerByHand(builder: Builder, subject: Subject, tag: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  const args = builder === 'buildkit' ? ['buildx', 'build', '--progress=plain'] : ['build'];
  args.push('-f', subject.cliDockerfile, '--network', 'host', '-t', tag);
  for (const [key, value] of Object.entries(subject.variant.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  args.push(subject.cliContext);
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' } });
    let output = '';
    const keep = (chunk: Buffer): void => void (output = (output + chunk.toString('utf8')).slice(-200_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(reportedBytes(output)) : reject(new Error(`docker ${args[0]} exited ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/** `#5 transferring context: 35B done` (BuildKit, per step number), or `Sending build context to Docker daemon  1.005MB` (classic). */
function reportedBytes(output: string): number | null {
  const units: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };
  const transfers = new Map<string, number>();
  for (const match of output.matchAll(/^#(\d+) transferring (\w+): ([\d.]+)([kKMG]?B)/gm)) {
    transfers.set(`${match[1]} ${match[2]}`, Number(match[3]) * (units[match[4] ?? 'B'] ?? 1));
  }
  if (transfers.size > 0) return Math.round([...transfers.values()].reduce((a, b) => a + b, 0));
  const classic = [...output.matchAll(/Sending build context to Docker daemon\s+([\d.]+)([kMG]?B)/g)].at(-1);
  return classic === undefined ? null : Math.round(Number(classic[1]) * (units[classic[2] ?? 'B'] ?? 1));
}

function print(builder: Builder, cli: DockerCli | undefined, rounds: readonly Round[]): void {
  const sides = SIDES.filter((side) => rounds.some((round) => round[side] !== undefined));
  const byHand = cli === undefined ? 'docker CLI' : builder === 'buildkit' ? describeCliBuild(cli, builder).replace(/^docker /, 'docker ') : describeCliBuild(cli, builder);
  process.stdout.write(`\n${builder} builder — by hand: ${byHand}\n`);
  process.stdout.write(`  round${sides.map((side) => side.padStart(16)).join('')}\n`);
  rounds.forEach((round, i) => {
    process.stdout.write(`  ${String(i + 1).padStart(5)}${sides.map((side) => formatMs(round[side]?.ms ?? Number.NaN).padStart(16)).join('')}\n`);
  });
  const medianOf = (side: Side, pick: (m: Measured) => number | null): number | null => median(rounds.flatMap((r) => (r[side] === undefined || pick(r[side]) === null ? [] : [pick(r[side]) as number])));
  process.stdout.write(`  median${sides.map((side) => formatMs(medianOf(side, (m) => m.ms) ?? Number.NaN).padStart(15)).join(' ')}\n`);
  process.stdout.write(`  sent  ${sides.map((side) => { const bytes = medianOf(side, (m) => m.bytes); return (bytes === null ? '–' : formatBytes(bytes)).padStart(15); }).join(' ')}\n`);
  for (const side of sides.filter((s) => s !== 'docker CLI')) {
    const ratio = median(rounds.flatMap((r) => (r[side] === undefined || r['docker CLI'] === undefined ? [] : [r[side].ms / r['docker CLI'].ms])));
    const mine = medianOf(side, (m) => m.ms);
    const theirs = medianOf('docker CLI', (m) => m.ms);
    const gap = mine !== null && theirs !== null && mine < theirs ? `; the CLI's fixed cost it skips: ${formatMs(theirs - mine)}` : '';
    process.stdout.write(`${builder}: ${side} ÷ docker CLI = ${(ratio ?? Number.NaN).toFixed(2)} (median of ${rounds.length} rounds' ratios${gap})\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:overhead: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
