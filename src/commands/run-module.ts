/**
 * `layerbench run` on the command line: its options, help and examples, and the handler that
 * maps them onto `RunCommandOptions`: `runCommand`, or with `--against`, `runAgainstCommand`.
 * Apart from run.ts because run-against.ts builds on run.ts: the one module that calls both
 * sits above them.
 */
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { DEFAULT_INDEX_PORT } from '../package-index/package-index.js';
import { EDIT_RULE_SYNTAX } from '../scenario/edit-rule.js';
import { defineCommand } from './command-module.js';
import { builderListOption, durationOption, integerOption, keyValueOption, nonEmptyOption, optionalPercentOption } from './option-values.js';
import { runCommand, type RunCommandOptions } from './run.js';
import { runAgainstCommand } from './run-against.js';
import { allowMissingOption, alphaOption, exportOptions, indexPortOption, jsonOption, outOption, repsOption, scenarioOption, seedOption, thresholdOption } from './shared-options.js';

const BUNDLED_SCENARIO = fileURLToPath(new URL('../../scenarios/default.yaml', import.meta.url));

export const runModule = defineCommand({
  command: 'run',
  describe: 'Run a scenario — the bundled one, a scenario file, or your own project (--context and --dockerfile): build each variant, apply each edit, rebuild, measure, print the comparison',
  // each group adds its options after the last group's: the order the help lists them in
  builder: (y) => withRunHelp(outputOptions(buildOptions(againstOptions(scheduleOptions(targetOptions(y)))))),
  handler: (args, { engine, io }) => {
    const options: RunCommandOptions = {
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
    };
    if (args.against === undefined) return runCommand(engine, options, io);
    return runAgainstCommand(engine, { ...options, against: args.against, gate: { threshold: args.threshold, alpha: args.alpha, allowMissing: args['allow-missing'] } }, io);
  },
});

/** What to run: a scenario file, or a project (context, Dockerfiles, edits) and how its images are built and probed. */
function targetOptions<T>(y: Argv<T>) {
  return y
    .option('scenario', scenarioOption('scenario file (YAML)', 'the bundled scenarios/default.yaml'))
    .option('context', { alias: 'c', type: 'string', requiresArg: true, describe: 'your project instead of a scenario file: its build context directory (only read, never written)', coerce: nonEmptyOption('--context', 'a directory') })
    .option('dockerfile', { alias: 'f', type: 'string', array: true, requiresArg: true, describe: 'with --context, one per variant: [name=]path (named after the file otherwise; the first is the baseline)' })
    .option('edit', { alias: 'e', type: 'string', array: true, requiresArg: true, describe: `with --context, repeatable: ${EDIT_RULE_SYNTAX} (none: a code and a dependency edit are picked from what the Dockerfiles copy in)` })
    .option('build-arg', { type: 'string', array: true, requiresArg: true, describe: "KEY=VALUE for every variant's build (repeatable)", coerce: keyValueOption('--build-arg', 'PYTHON_VERSION=3.11') })
    .option('target', { type: 'string', requiresArg: true, describe: 'the stage every variant builds (default: the last)' })
    .option('base-map', { type: 'string', array: true, requiresArg: true, describe: "IMAGE=IMAGE: build on the second where a FROM names the first, in layerbench's copy of each Dockerfile (repeatable; for bases that cannot be pulled here)", coerce: keyValueOption('--base-map', 'python:3.11-slim=layerbench/bookworm-python3:2') })
    .option('port', { requiresArg: true, describe: "start each built image and probe this container port over HTTP (default: the scenario's health section; none: images are not started)", coerce: integerOption('--port') })
    .option('health-path', { type: 'string', requiresArg: true, describe: 'the path the probe asks for (default /health; implies the probe, on port 8000 unless --port)' });
}

/** How many repetitions, in which order, until when. */
function scheduleOptions<T>(y: Argv<T>) {
  return y
    .option('reps', repsOption("measured repetitions per edit, 1–100 (default: the scenario's, 5 if unset)"))
    .option('order', {
      choices: ['rounds', 'blocked'] as const,
      default: 'rounds' as const,
      describe:
        'rounds: after the cold builds, round k builds repetition k of an edit for every variant, shuffled per round (drift then slows every variant alike, and the speed-ups get intervals from the per-round ratios); blocked: one variant after the other',
    })
    .option('seed', seedOption('seeds the shuffle of the rounds (default: a random one; the result records it, and the same seed repeats the order)'))
    .option('target-ci', { requiresArg: true, describe: "repeat each edit until its median's 95 % interval is within PCT of the median on each side (e.g. 5%), between --min-reps and --max-reps; instead of --reps", coerce: optionalPercentOption('--target-ci') })
    .option('min-reps', { requiresArg: true, describe: 'with --target-ci: repetitions every group gets first (default 6, the fewest with a 95 % interval of the median)', coerce: integerOption('--min-reps') })
    .option('max-reps', { requiresArg: true, describe: 'with --target-ci: the most repetitions a group gets (default 20)', coerce: integerOption('--max-reps') })
    .option('time-budget', { requiresArg: true, describe: 'start no new round once the run has taken this long, e.g. 20m (the groups then stop where they are; the result says so)', coerce: durationOption('--time-budget') });
}

/** `--against`: two sides in one run, and the gate their comparison passes. */
function againstOptions<T>(y: Argv<T>) {
  return y
    .option('against', {
      type: 'string',
      requiresArg: true,
      describe:
        "two sides in one run: REF (a branch, tag or commit of this git repository, exported to a scratch copy) or a directory is the base, the working tree the new side; both sides' variants are built in the same rounds on this machine, each side's result is written to base/ and new/, and they are compared as `compare` does (exit 1 on a regression)",
    })
    .option('threshold', thresholdOption('with --against: '))
    .option('alpha', alphaOption('with --against: '))
    .option('allow-missing', allowMissingOption('with --against: a variant, builder or edit the base has and the new side lacks is listed, not a regression'));
}

/** What is built, with what, and against which variant. */
function buildOptions<T>(y: Argv<T>) {
  return y
    .option('warmup', { requiresArg: true, describe: "unmeasured edits before the measured ones, 0–20 (default: the scenario's)", coerce: integerOption('--warmup') })
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
    .option('baseline', { type: 'string', requiresArg: true, describe: "the variant speed-ups are measured against (default: the scenario's, else its first)" });
}

/** Where the result goes, what is kept, the package index, and what is printed and exported. */
function outputOptions<T>(y: Argv<T>) {
  return y
    .option('out', outOption('results/<runId>/'))
    .option('keep-images', { type: 'boolean', default: false, describe: 'keep the built images after the run, tagged layerbench-run/<variant>:<runId>-<sample>' })
    .option('index-port', indexPortOption('part of the build cache key: keep it fixed'))
    .option('index-bandwidth', { type: 'string', requiresArg: true, describe: "hold downloads from the local package index to this rate, e.g. 50mbit, as a developer's line to PyPI would (default: the scenario's, unlimited)" })
    .option('concurrent', { type: 'boolean', default: false, describe: 'run even while another run builds on this daemon (they slow each other down); uses its own index port' })
    .option('json', jsonOption('print result.json to stdout instead of the table (with --against: the comparison, as compare --json prints it)'))
    .options(exportOptions('also write'));
}

function withRunHelp<T>(y: Argv<T>): Argv<T> {
  return y
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
      '$0 run -c docker/examples/flask -f naive=docker/examples/flask/naive.Dockerfile -f optimized=docker/examples/flask/optimized.Dockerfile -e append-line:app.py -e add-requirement:requirements.txt:six --base-map python:3.11-slim=layerbench/bookworm-python3:2 --port 8000 --health-path /health',
      'your own project: two Dockerfiles, two edits, a public base mapped to a local stand-in',
    )
    .example('$0 run -c . -f Dockerfile -f Dockerfile.slim -e replace:src/app.py:"VERSION = .*":"VERSION = \'{nonce}\'" -e touch:"src/**/*.py"', 'edit rules: replace (regex, with {nonce}), touch (a glob)');
}
