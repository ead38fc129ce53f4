/**
 * The command line: the commands' modules (each in its file in commands/) assembled under one
 * usage and epilogue; and the one place that turns errors into a one-paragraph message and an
 * exit code. Progress goes to stderr, results to stdout. `main` runs in-process (specs call
 * it); bin.ts is the executable.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { bootstrapModule } from './commands/bootstrap.js';
import { cleanModule } from './commands/clean.js';
import { processIo, type CliIo } from './commands/cli-io.js';
import { yargsModule, type CommandContext, type LayerbenchCommand } from './commands/command-module.js';
import { compareModule } from './commands/compare.js';
import { doctorModule } from './commands/doctor.js';
import { mergeModule } from './commands/merge.js';
import { pullModule } from './commands/pull.js';
import { reportModule } from './commands/report.js';
import { runModule } from './commands/run-module.js';
import type { DockerEngine } from './engine/docker-engine.js';
import { DockerodeEngine } from './engine/dockerode-engine.js';
import { ExitCode, LayerbenchError } from './errors.js';
import { endingError } from './run/run-session.js';
import { VERSION } from './version.js';

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
  const context: CommandContext = { engine, io };
  const mount = <Args>(command: LayerbenchCommand<Args>): CommandModule<object, Args> => yargsModule(command, context, finish);
  return cli
    .scriptName('layerbench')
    .version(VERSION)
    .usage('$0 <command> [options]\n\nBuilds competing Dockerfiles of one app on a real Docker daemon, applies scripted edits, rebuilds, and reports what each edit costs.')
    .epilogue(
      'Exit codes: 0 ok · 1 a build failed, an image was unhealthy, or compare found a regression · 2 bad input (scenario, options, DOCKER_HOST, a file that is not a result) · ' +
        '3 environment (no daemon, the daemon refusing a request, disk full, no base image, another run in progress) · 70 an unexpected failure (a bug in layerbench) · 130 interrupted (Ctrl-C, SIGTERM).',
    )
    .command(mount(runModule))
    .command(mount(reportModule))
    .command(mount(compareModule))
    .command(mount(mergeModule))
    .command(mount(pullModule))
    .command(mount(doctorModule))
    .command(mount(bootstrapModule))
    .command(mount(cleanModule))
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

/** The one mapping from an error to a message and an exit code. */
function report(thrown: unknown, io: CliIo): number {
  // a run that ended early has written what it measured; what is reported is why it ended
  const err = endingError(thrown);
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
