#!/usr/bin/env node
/**
 * The command line. The one place that turns errors into a message and an exit code.
 * Progress goes to stderr, results to stdout.
 */
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { bootstrapCommand } from './commands/bootstrap.js';
import { cleanCommand } from './commands/clean.js';
import { doctorCommand } from './commands/doctor.js';
import { runCommand } from './commands/run.js';
import { DockerodeEngine } from './engine/dockerode-engine.js';
import { ExitCode, LayerbenchError } from './errors.js';
import { DEFAULT_INDEX_PORT } from './package-index/package-index.js';
import { VERSION } from './version.js';

const engine = new DockerodeEngine();
const BUNDLED_SCENARIO = fileURLToPath(new URL('../scenarios/default.yaml', import.meta.url));

async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const finish = (code: number): void => {
    exitCode = code;
  };
  await yargs(argv)
    .scriptName('layerbench')
    .version(VERSION)
    .usage('$0 <command> [options]\n\nBuilds competing Dockerfiles of one app on a real Docker daemon, applies scripted edits, rebuilds, and reports what each edit costs.')
    .command(
      'run',
      'Run a scenario: build each variant, apply each edit, rebuild, measure, print the comparison',
      (y) =>
        y
          .option('scenario', { alias: 's', type: 'string', default: BUNDLED_SCENARIO, defaultDescription: 'the bundled scenarios/default.yaml', describe: 'scenario file (YAML)' })
          .option('reps', { alias: 'n', type: 'number', describe: 'measured repetitions per edit (default: the scenario\'s, 5 if unset)' })
          .option('warmup', { type: 'number', describe: 'unmeasured edits before the measured ones (default: the scenario\'s)' })
          .option('builder', { choices: ['classic', 'buildkit'] as const, describe: 'override the scenario\'s builder' })
          .option('cold', { type: 'boolean', describe: 'measure a build without cache first (--no-cold: build once, unrecorded)' })
          .option('variants', { type: 'string', array: true, describe: 'only these variants (names from the scenario)' })
          .option('edits', { type: 'string', array: true, describe: 'only these edits (names from the scenario)' })
          .option('out', { alias: 'o', type: 'string', describe: 'output directory (default: results/<runId>/)' })
          .option('keep-images', { type: 'boolean', default: false, describe: 'keep the built images (labelled with the run id) after the run' })
          .option('index-port', { type: 'number', default: DEFAULT_INDEX_PORT, describe: 'port of the local package index on 127.0.0.1 (part of the build cache key: keep it fixed)' })
          .option('json', { type: 'boolean', default: false, describe: 'print result.json to stdout instead of the table' })
          .example('$0 run', 'the bundled benchmark: naive vs optimized vs multi-stage, three kinds of edit')
          .example('$0 run --reps 3 --edits code --out /tmp/lb', 'three code edits only, written to /tmp/lb'),
      async (args) =>
        finish(
          await runCommand(engine, {
            scenario: args.scenario,
            reps: args.reps,
            warmup: args.warmup,
            builder: args.builder,
            cold: args.cold,
            variants: args.variants,
            edits: args.edits,
            out: args.out,
            keepImages: args['keep-images'],
            indexPort: args['index-port'],
            json: args.json,
          }),
        ),
    )
    .command(
      'doctor',
      'Check this machine: daemon, engine, disk, BuildKit, base images, package index',
      (y) => y.option('json', { type: 'boolean', default: false, describe: 'print the checks as JSON' }).example('$0 doctor', 'exit 0 when a run can proceed'),
      async (args) => finish(await doctorCommand(engine, args.json)),
    )
    .command(
      'bootstrap [bases..]',
      'Make the base images now (pulled where possible, else built from Debian\'s mirror with debootstrap)',
      (y) =>
        y
          .positional('bases', { type: 'string', array: true, describe: 'logical bases (default: all): general-os, python-3.11-slim' })
          .option('force', { type: 'boolean', default: false, describe: 'remake bootstrapped bases even when present' })
          .example('$0 bootstrap', 'make every base a run may need'),
      async (args) => finish(await bootstrapCommand(engine, args.bases ?? [], args.force)),
    )
    .command(
      'clean',
      'Remove containers, networks, volumes and images that earlier runs left (only labelled ones)',
      (y) =>
        y
          .option('run', { type: 'string', describe: 'only what this run id left' })
          .option('bases', { type: 'boolean', default: false, describe: 'also remove the bootstrapped base images' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'list, do not remove' })
          .example('$0 clean --dry-run', 'what would be removed'),
      async (args) => finish(await cleanCommand(engine, { runId: args.run, bases: args.bases, dryRun: args['dry-run'] })),
    )
    .demandCommand(1, 'Name a command: run, doctor, bootstrap or clean (see --help).')
    .strict()
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, err) => {
      if (err) throw err;
      throw new UsageErrorFromYargs(message);
    })
    .parseAsync();
  return exitCode;
}

class UsageErrorFromYargs extends Error {}

function report(err: unknown): number {
  if (err instanceof LayerbenchError) {
    process.stderr.write(`layerbench: ${err.message}\n${err.hint === undefined ? '' : `${err.hint}\n`}`);
    return err.exitCode;
  }
  if (err instanceof UsageErrorFromYargs) {
    process.stderr.write(`layerbench: ${err.message}\nSee \`layerbench --help\`.\n`);
    return ExitCode.badInput;
  }
  const error = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`layerbench: unexpected failure: ${error.message}\nThis is a bug in layerbench; set LAYERBENCH_DEBUG=1 for the stack trace.\n`);
  if (process.env['LAYERBENCH_DEBUG'] !== undefined) process.stderr.write(`${error.stack ?? ''}\n`);
  return ExitCode.failure;
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = report(err);
  },
);
