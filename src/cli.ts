/**
 * The command line: yargs commands, each handed to its file in commands/; and the one place
 * that turns errors into a one-paragraph message and an exit code. Progress goes to stderr,
 * results to stdout. `main` runs in-process (specs call it); bin.ts is the executable.
 */
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { bootstrapCommand } from './commands/bootstrap.js';
import { cleanCommand } from './commands/clean.js';
import { processIo, type CliIo } from './commands/cli-io.js';
import { doctorCommand } from './commands/doctor.js';
import { compareCommand } from './commands/compare.js';
import { mergeCommand } from './commands/merge.js';
import { builderListOption, durationOption, integerOption, keyValueOption, nonEmptyOption, percentOption, probabilityOption } from './commands/option-values.js';
import { pullCommand } from './commands/pull.js';
import { reportCommand } from './commands/report.js';
import { runCommand, type RunCommandOptions } from './commands/run.js';
import { runAgainstCommand } from './commands/run-against.js';
import { stepSummaryOf } from './commands/step-summary.js';
import type { DockerEngine } from './engine/docker-engine.js';
import { DockerodeEngine } from './engine/dockerode-engine.js';
import { ExitCode, LayerbenchError } from './errors.js';
import { DEFAULT_INDEX_PORT } from './package-index/package-index.js';
import { EDIT_RULE_SYNTAX } from './scenario/edit-rule.js';
import { VERSION } from './version.js';

const BUNDLED_SCENARIO = fileURLToPath(new URL('../scenarios/default.yaml', import.meta.url));
const BUNDLED_PULL_SCENARIO = fileURLToPath(new URL('../scenarios/pull.yaml', import.meta.url));

export interface CliDependencies {
  /** the engine commands talk to; made only when a command needs the daemon */
  engine?: (env: NodeJS.ProcessEnv) => DockerEngine;
}

/** Runs one command line; resolves with the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo, dependencies: CliDependencies = {}): Promise<number> {
  // A malformed DOCKER_HOST must not stop --help: the engine is made when a command needs it.
  const engine = (): DockerEngine => (dependencies.engine ?? ((env) => new DockerodeEngine(env)))(io.env);
  let exitCode: number = ExitCode.ok;
  const finish = (code: number): void => {
    exitCode = code;
  };
  try {
    const output = await new Promise<string>((resolve, reject) => {
      void commands(yargs([...argv]), engine, io, finish)
        .parseAsync([...argv], {}, (err: Error | undefined, _argv: unknown, text: string) => (err ? reject(err) : resolve(text)))
        .catch(reject);
    });
    if (output !== '') io.stdout.write(`${output}\n`);
    return exitCode;
  } catch (err) {
    return report(err, io);
  }
}

function commands(cli: Argv, engine: () => DockerEngine, io: CliIo, finish: (code: number) => void): Argv {
  return cli
    .scriptName('layerbench')
    .version(VERSION)
    .usage('$0 <command> [options]\n\nBuilds competing Dockerfiles of one app on a real Docker daemon, applies scripted edits, rebuilds, and reports what each edit costs.')
    .epilogue(
      'Exit codes: 0 ok · 1 a build failed, an image was unhealthy, or compare found a regression · 2 bad input (scenario, options, DOCKER_HOST, a file that is not a result) · ' +
        '3 environment (no daemon, the daemon refusing a request, disk full, no base image, another run in progress) · 70 an unexpected failure (a bug in layerbench) · 130 interrupted (Ctrl-C, SIGTERM).',
    )
    .command(
      'run',
      'Run a scenario — the bundled one, a scenario file, or your own project (--context and --dockerfile): build each variant, apply each edit, rebuild, measure, print the comparison',
      (y) =>
        y
          .option('scenario', { alias: 's', type: 'string', requiresArg: true, defaultDescription: 'the bundled scenarios/default.yaml', describe: 'scenario file (YAML)', coerce: nonEmptyOption('--scenario', 'a scenario file') })
          .option('context', { alias: 'c', type: 'string', requiresArg: true, describe: 'your project instead of a scenario file: its build context directory (only read, never written)', coerce: nonEmptyOption('--context', 'a directory') })
          .option('dockerfile', { alias: 'f', type: 'string', array: true, requiresArg: true, describe: 'with --context, one per variant: [name=]path (named after the file otherwise; the first is the baseline)' })
          .option('edit', { alias: 'e', type: 'string', array: true, requiresArg: true, describe: `with --context, repeatable: ${EDIT_RULE_SYNTAX} (none: a code and a dependency edit are picked from what the Dockerfiles copy in)` })
          .option('build-arg', { type: 'string', array: true, requiresArg: true, describe: 'KEY=VALUE for every variant\'s build (repeatable)', coerce: keyValueOption('--build-arg', 'PYTHON_VERSION=3.11') })
          .option('target', { type: 'string', requiresArg: true, describe: 'the stage every variant builds (default: the last)' })
          .option('base-map', { type: 'string', array: true, requiresArg: true, describe: "IMAGE=IMAGE: build on the second where a FROM names the first, in layerbench's copy of each Dockerfile (repeatable; for bases that cannot be pulled here)", coerce: keyValueOption('--base-map', 'python:3.11-slim=layerbench/bookworm-python3:2') })
          .option('port', { requiresArg: true, describe: 'start each built image and probe this container port over HTTP (default: the scenario\'s health section; none: images are not started)', coerce: integerOption('--port') })
          .option('health-path', { type: 'string', requiresArg: true, describe: 'the path the probe asks for (default /health; implies the probe, on port 8000 unless --port)' })
          .option('reps', { alias: 'n', requiresArg: true, describe: 'measured repetitions per edit, 1–100 (default: the scenario\'s, 5 if unset)', coerce: integerOption('--reps') })
          .option('order', {
            choices: ['rounds', 'blocked'] as const,
            default: 'rounds' as const,
            describe:
              'rounds: after the cold builds, round k builds repetition k of an edit for every variant, shuffled per round (drift then slows every variant alike, and the speed-ups get intervals from the per-round ratios); blocked: one variant after the other',
          })
          .option('seed', { requiresArg: true, describe: 'seeds the shuffle of the rounds (default: a random one; the result records it, and the same seed repeats the order)', coerce: integerOption('--seed') })
          .option('target-ci', { requiresArg: true, describe: "repeat each edit until its median's 95 % interval is within PCT of the median on each side (e.g. 5%), between --min-reps and --max-reps; instead of --reps", coerce: optionalPercent('--target-ci') })
          .option('min-reps', { requiresArg: true, describe: 'with --target-ci: repetitions every group gets first (default 6, the fewest with a 95 % interval of the median)', coerce: integerOption('--min-reps') })
          .option('max-reps', { requiresArg: true, describe: 'with --target-ci: the most repetitions a group gets (default 20)', coerce: integerOption('--max-reps') })
          .option('time-budget', { requiresArg: true, describe: 'start no new round once the run has taken this long, e.g. 20m (the groups then stop where they are; the result says so)', coerce: durationOption('--time-budget') })
          .option('against', {
            type: 'string',
            requiresArg: true,
            describe:
              "two sides in one run: REF (a branch, tag or commit of this git repository, exported to a scratch copy) or a directory is the base, the working tree the new side; both sides' variants are built in the same rounds on this machine, each side's result is written to base/ and new/, and they are compared as `compare` does (exit 1 on a regression)",
          })
          .option('threshold', { default: '10%', describe: 'with --against: a time, byte or size change below this is not a regression', coerce: percentOption('--threshold') })
          .option('alpha', { default: '0.05', describe: 'with --against: significance level of the U test', coerce: probabilityOption('--alpha') })
          .option('allow-missing', { type: 'boolean', default: false, describe: 'with --against: a variant, builder or edit the base has and the new side lacks is listed, not a regression' })
          .option('warmup', { requiresArg: true, describe: 'unmeasured edits before the measured ones, 0–20 (default: the scenario\'s)', coerce: integerOption('--warmup') })
          .option('builder', { type: 'string', requiresArg: true, describe: "classic, buildkit, or both as classic,buildkit: every variant under each, one builder after the other (default: the scenario's; where it names none, the daemon's own: BuildKit on Engine 23 and later, classic before)", coerce: builderListOption('--builder') })
          .option('driver', {
            choices: ['auto', 'cli', 'api'] as const,
            default: 'auto' as const,
            describe:
              "what runs each build: cli, the docker CLI as you run it (docker buildx build for BuildKit, docker build for classic): its whole run is timed; api, layerbench through the Engine API (a BuildKit session with file sync, or a tar); auto: cli where the docker CLI here can build with the builder, api otherwise",
          })
          .option('cold', { type: 'boolean', describe: 'measure a build without cache first (--no-cold: build once, unrecorded)' })
          .option('variants', { type: 'string', array: true, requiresArg: true, describe: 'only these variants (names from the scenario)' })
          .option('edits', { type: 'string', array: true, requiresArg: true, describe: 'only these edits (names from the scenario)' })
          .option('baseline', { type: 'string', requiresArg: true, describe: 'the variant speed-ups are measured against (default: the scenario\'s, else its first)' })
          .option('out', { alias: 'o', type: 'string', requiresArg: true, describe: 'output directory (default: results/<runId>/)', coerce: nonEmptyOption('--out', 'a directory') })
          .option('keep-images', { type: 'boolean', default: false, describe: 'keep the built images after the run, tagged layerbench-run/<variant>:<runId>-<sample>' })
          .option('index-port', { requiresArg: true, default: DEFAULT_INDEX_PORT, describe: 'port of the local package index on 127.0.0.1 (part of the build cache key: keep it fixed)', coerce: integerOption('--index-port') })
          .option('index-bandwidth', { type: 'string', requiresArg: true, describe: "hold downloads from the local package index to this rate, e.g. 50mbit, as a developer's line to PyPI would (default: the scenario's, unlimited)" })
          .option('concurrent', { type: 'boolean', default: false, describe: 'run even while another run builds on this daemon (they slow each other down); uses its own index port' })
          .option('json', { type: 'boolean', default: false, describe: 'print result.json to stdout instead of the table (with --against: the comparison, as compare --json prints it)' })
          .option('export-hyperfine', { type: 'string', requiresArg: true, describe: 'also write the rebuild times in hyperfine\'s JSON export format to this file' })
          .option('export-github-benchmark', { type: 'string', requiresArg: true, describe: 'also write github-action-benchmark\'s customSmallerIsBetter input to this file' })
          .epilogue(
            'Writes result.json, samples.jsonl, report.md, report.html, results.csv and steps.csv into the output directory; appends report.md to $GITHUB_STEP_SUMMARY when it is set.\n\n' +
              'Edit rules (--edit, each repetition a new change): append-line:FILE[:TEXT] · replace:FILE:REGEX:REPLACEMENT (with {nonce}; \\: is a literal colon) · ' +
              'replace-line:FILE:REGEX:LINE · touch:GLOB (one matching file gets a content change) · add-requirement:FILE:PKG[,PKG…] (requirements*.txt, package.json, go.mod) · ' +
              'replace-file:FILE:FROM · swap-asset:FILE[:random-bytes|refit-numbers]. Your tree is only read: edits go to a copy.',
          )
          .example('$0 run', 'the bundled benchmark: naive vs optimized vs multi-stage, three kinds of edit')
          .example('$0 run --reps 3 --edits code --out /tmp/lb', 'three code edits only, written to /tmp/lb')
          .example('$0 run --against origin/main', 'the base branch and your working tree as the two sides of one run, exit 1 on a regression')
          .example('$0 run --edits code --target-ci 5% --max-reps 15', 'repeat the code edit until each median is known within ±5 %')
          .example(
            "$0 run -c docker/examples/flask -f naive=docker/examples/flask/naive.Dockerfile -f optimized=docker/examples/flask/optimized.Dockerfile -e append-line:app.py -e add-requirement:requirements.txt:six --base-map python:3.11-slim=layerbench/bookworm-python3:2 --port 8000 --health-path /health",
            'your own project: two Dockerfiles, two edits, a public base mapped to a local stand-in',
          )
          .example('$0 run -c . -f Dockerfile -f Dockerfile.slim -e replace:src/app.py:"VERSION = .*":"VERSION = \'{nonce}\'" -e touch:"src/**/*.py"', 'edit rules: replace (regex, with {nonce}), touch (a glob)'),
      async (args) => {
        const run = args.against === undefined ? runCommand : (e: typeof engine, o: RunCommandOptions, i: CliIo) => runAgainstCommand(e, { ...o, against: args.against ?? '', gate: { threshold: args.threshold, alpha: args.alpha, allowMissing: args['allow-missing'] } }, i);
        finish(
          await run(
            engine,
            {
              what: { scenario: args.scenario, context: args.context, dockerfiles: args.dockerfile, edits: args.edit, bundled: BUNDLED_SCENARIO },
              overrides: {
                reps: args.reps,
                warmup: args.warmup,
                builder: args.builder,
                cold: args.cold,
                baseline: args.baseline,
                variants: args.variants,
                edits: args.edits,
                buildArgs: args['build-arg'],
                target: args.target,
                baseMap: args['base-map'],
                port: args.port,
                healthPath: args['health-path'],
                indexBandwidth: args['index-bandwidth'],
              },
              out: args.out,
              keepImages: args['keep-images'],
              indexPort: args['index-port'] ?? DEFAULT_INDEX_PORT,
              concurrent: args.concurrent,
              driver: args.driver,
              schedule: { order: args.order, seed: args.seed, targetCi: args['target-ci'], minReps: args['min-reps'], maxReps: args['max-reps'], timeBudgetMs: args['time-budget'] },
              json: args.json,
              exportHyperfine: args['export-hyperfine'],
              exportGithubBenchmark: args['export-github-benchmark'],
            },
            io,
          ),
        );
      },
    )
    .command(
      'report <dir>',
      'Write the reports of a result again: report.md, report.html (charts, offline), results.csv, steps.csv; and exports',
      (y) =>
        y
          .positional('dir', { type: 'string', demandOption: true, describe: 'a result directory (or its result.json)', coerce: nonEmptyOption('DIR', 'a result directory') })
          .option('export-hyperfine', { type: 'string', requiresArg: true, describe: 'write the rebuild times in hyperfine\'s JSON export format to this file' })
          .option('export-github-benchmark', { type: 'string', requiresArg: true, describe: 'write github-action-benchmark\'s customSmallerIsBetter input to this file' })
          .example('$0 report results/20261125-163012-a1b2', 'rewrite that run\'s reports')
          .example('$0 report results/x --export-hyperfine times.json', 'hyperfine\'s plotting scripts read times.json'),
      (args) => finish(reportCommand(args.dir, { exportHyperfine: args['export-hyperfine'], exportGithubBenchmark: args['export-github-benchmark'], stepSummary: stepSummaryOf(io.env) }, io)),
    )
    .command(
      'compare <base> <new>',
      'Compare two results as benchstat does: medians, change, Mann–Whitney U; lost caches, bytes, health',
      (y) =>
        y
          .positional('base', { type: 'string', demandOption: true, describe: 'the result to compare against (a directory or result.json; version 1 or 2)' })
          .positional('new', { type: 'string', demandOption: true, describe: 'the result under test' })
          .option('threshold', { default: '10%', describe: 'a time, byte or size change below this is not a regression', coerce: percentOption('--threshold') })
          .option('alpha', { default: '0.05', describe: 'significance level of the U test', coerce: probabilityOption('--alpha') })
          .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON instead of Markdown' })
          .option('allow-missing', { type: 'boolean', default: false, describe: 'list the (variant, builder, edit) groups of BASE that NEW lacks without calling them regressions' })
          .epilogue(
            'A regression is a time change that is significant (p ≤ alpha, by the exact U test where samples are small, ties included; sizes at which no data could reach alpha, such as 3 + 3, do not gate on time) and beyond the threshold; ' +
              'or, at any n: a step cached in every BASE sample that NEW missed, more new bytes or a bigger image beyond the threshold, an image that stopped answering its health check; ' +
              'or a (variant, builder, edit) of BASE that NEW lacks, or holds fewer samples of because its run did not complete (a build failed, an interrupt), unless --allow-missing. A result that did not complete is said first. ' +
              'Exit codes: 0 no regression · 1 a regression · 2 not comparable (no variant, builder and edit in common, or a file that is not a result) · 70 an unexpected failure (a bug in layerbench).',
          )
          .example('$0 compare results/main results/pr', 'exit 1 when the pull request made a rebuild slower or lost a cache')
          .example('$0 compare results/main results/pr --allow-missing', 'a variant the pull request removed is listed, not a regression'),
      (args) => finish(compareCommand(args.base, args.new, { threshold: args.threshold, alpha: args.alpha, allowMissing: args['allow-missing'], json: args.json }, io)),
    )
    .command(
      'merge <dirs..>',
      'Merge result directories of one scenario (CI matrix shards, one variant per machine) into one',
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'result directories (or result.json files)' })
          .option('out', { alias: 'o', type: 'string', requiresArg: true, describe: 'output directory (default: results/merged-<id>/)', coerce: nonEmptyOption('--out', 'a directory') })
          .option('pool', { type: 'boolean', default: false, describe: 'pool the samples of different machines (cores, Engine, storage driver) in one row instead of one row per machine' })
          .epilogue(
            'A variant measured on machines that differ becomes one variant per machine, "<variant> @ <machine>", unless --pool. ' +
              'A group (variant, builder, edit, phase) two results both measured on one machine pools, and merge says so. ' +
              'Exit 2: the same run given twice, or a variant whose Dockerfile differs between the results.',
          )
          .example('$0 merge shard-naive shard-optimized --out merged', 'one result, one table, each sample with its machine'),
      (args) => finish(mergeCommand(args.dirs, args.out, { stepSummary: stepSummaryOf(io.env) }, io, args.pool)),
    )
    .command(
      'pull',
      "Reproduce seed 001's pull experiment: shared base tiers, a local registry, fresh hosts, a shaped link",
      (y) =>
        y
          .option('scenario', { alias: 's', type: 'string', requiresArg: true, default: BUNDLED_PULL_SCENARIO, defaultDescription: 'the bundled scenarios/pull.yaml', describe: 'pull scenario file (YAML)', coerce: nonEmptyOption('--scenario', 'a scenario file') })
          .option('scale', { type: 'string', requiresArg: true, describe: "the scenario's scale: default (a few hundred MB, for CI) or article (≈ 1.8 GB of tiers, ≈ 1.9 GB app)" })
          .option('reps', { alias: 'n', requiresArg: true, describe: 'pulls per case, 1–20 (default: the scenario\'s)', coerce: integerOption('--reps') })
          .option('bandwidth', { type: 'string', requiresArg: true, describe: 'the registry → host link: 100mbit, 1gbit, 512kbit, or unlimited (default: the scenario\'s)' })
          .option('fresh-host', { choices: ['auto', 'privileged', 'capabilities'] as const, describe: 'how the Docker-in-Docker hosts run (auto: privileged where that works)' })
          .option('seed', { requiresArg: true, describe: 'seeds the order of the four cases in each repetition (default: a random one; the result records it)', coerce: integerOption('--seed') })
          .option('out', { alias: 'o', type: 'string', requiresArg: true, describe: 'output directory (default: results/pull-<runId>/)', coerce: nonEmptyOption('--out', 'a directory') })
          .option('index-port', { requiresArg: true, default: DEFAULT_INDEX_PORT, describe: 'port of the local package index on 127.0.0.1 (the tiers install Python packages)', coerce: integerOption('--index-port') })
          .option('json', { type: 'boolean', default: false, describe: 'print result.json to stdout instead of the table' })
          .epilogue('Pulls App2 onto a fresh host that holds App1 (with base), onto an empty one (without base), the base tiers alone, and monolithic App2 onto a host holding monolithic App1; per pull: time, each layer (downloaded or present, download and extract time), the bytes that crossed the link, the time until the app answers.')
          .example('$0 pull', 'the default scale over 100 Mbit/s, 3 pulls per case')
          .example('$0 pull --scale article', 'the article\'s sizes, over the link the scale names'),
      async (args) =>
        finish(
          await pullCommand(
            engine,
            {
              scenario: args.scenario,
              overrides: { scale: args.scale, reps: args.reps, bandwidth: args.bandwidth, freshHost: args['fresh-host'] },
              out: args.out,
              indexPort: args['index-port'] ?? DEFAULT_INDEX_PORT,
              seed: args.seed,
              json: args.json,
            },
            io,
          ),
        ),
    )
    .command(
      'doctor',
      'Check this machine: daemon, engine, disk, BuildKit, runs in progress, base images, package index',
      (y) => y.option('json', { type: 'boolean', default: false, describe: 'print the checks as JSON' }).example('$0 doctor', 'exit 0 when a run can proceed'),
      async (args) => finish(await doctorCommand(engine(), args.json, io)),
    )
    .command(
      'bootstrap [bases..]',
      'Make the base images now (pulled where possible, else built from Debian\'s mirror with debootstrap)',
      (y) =>
        y
          .positional('bases', { type: 'string', array: true, describe: 'logical bases (default: all): general-os, python-3.11-slim' })
          .option('force', { type: 'boolean', default: false, describe: 'remake bootstrapped bases even when present' })
          .example('$0 bootstrap', 'make every base a run may need'),
      async (args) => finish(await bootstrapCommand(engine(), args.bases ?? [], args.force, io)),
    )
    .command(
      'clean',
      'Remove what runs that are no longer alive left: labelled containers, networks, volumes; run-tagged images; scratch directories',
      (y) =>
        y
          .option('run', { type: 'string', requiresArg: true, describe: 'only what this run id left' })
          .option('bases', { type: 'boolean', default: false, describe: 'also remove the bootstrapped base images' })
          .option('build-cache', { type: 'boolean', default: false, describe: "also empty BuildKit's build cache and its cache mounts (all of it: it is every BuildKit build's on this daemon, not a layerbench object); for a truly cold BuildKit start" })
          .option('dry-run', { type: 'boolean', default: false, describe: 'list, do not remove' })
          .example('$0 clean --dry-run', 'what would be removed')
          .example('$0 clean --build-cache', "also BuildKit's cache: the next BuildKit build starts from nothing"),
      async (args) => finish(await cleanCommand(engine(), { runId: args.run, bases: args.bases, buildCache: args['build-cache'], dryRun: args['dry-run'] }, io)),
    )
    .demandCommand(1, 'Name a command: run, report, compare, merge, pull, doctor, bootstrap or clean (see --help).')
    .strict()
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(110, io.stdout.columns ?? 110))
    .fail((message: string | undefined, err: Error | undefined) => {
      if (err) throw err;
      throw new UsageErrorFromYargs(message ?? 'invalid command line');
    });
}

class UsageErrorFromYargs extends Error {}

function optionalPercent(option: string): (value: unknown) => number | undefined {
  const parse = percentOption(option);
  return (value) => (value === undefined ? undefined : parse(value));
}

/** The one mapping from an error to a message and an exit code. */
function report(err: unknown, io: CliIo): number {
  if (err instanceof LayerbenchError) {
    io.stderr.write(`layerbench: ${err.message}\n${err.hint === undefined ? '' : `${err.hint}\n`}`);
    return err.exitCode;
  }
  if (err instanceof UsageErrorFromYargs || (err instanceof Error && err.name === 'YError')) {
    io.stderr.write(`layerbench: ${err.message}\nSee \`layerbench --help\`.\n`);
    return ExitCode.badInput;
  }
  const error = err instanceof Error ? err : new Error(String(err));
  // Not a failure layerbench knows: a bug, with its own code so that CI never reads it as a regression.
  io.stderr.write(`layerbench: unexpected failure: ${error.message}\nThis is a bug in layerbench (exit ${ExitCode.unexpected}); set LAYERBENCH_DEBUG=1 for the stack trace, and report it with that.\n`);
  if (io.env['LAYERBENCH_DEBUG'] !== undefined) io.stderr.write(`${error.stack ?? ''}\n`);
  return ExitCode.unexpected;
}
