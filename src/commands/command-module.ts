/**
 * The shape of one command of the command line: its yargs definition (command string,
 * description, and a builder with its options, positionals, epilogue and examples) and a
 * handler that turns the parsed arguments into the call of the command's action and resolves
 * with the exit code. cli.ts mounts each one; nothing here knows the others.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { CliIo } from './cli-io.js';

/** What a command's handler is given besides its arguments. */
export interface CommandContext {
  /** the engine, made on first call: a malformed DOCKER_HOST must not stop --help or the commands that need no daemon */
  engine: () => DockerEngine;
  io: CliIo;
}

export interface LayerbenchCommand<Args> {
  /** the command and its positionals, as yargs reads them: `compare <base> <new>` */
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv<Args>;
  /** the command's action for the parsed arguments; resolves with the exit code */
  handler: (args: ArgumentsCamelCase<Args>, context: CommandContext) => number | Promise<number>;
}

/** A command, its `Args` inferred from its builder (so that its handler's arguments are typed). */
export function defineCommand<Args>(command: LayerbenchCommand<Args>): LayerbenchCommand<Args> {
  return command;
}

/** The yargs module of a command: its handler's exit code goes to `finish`. */
export function yargsModule<Args>(command: LayerbenchCommand<Args>, context: CommandContext, finish: (code: number) => void): CommandModule<object, Args> {
  return {
    command: command.command,
    describe: command.describe,
    builder: command.builder,
    handler: (args) => {
      const code = command.handler(args, context);
      // a synchronous command stays synchronous: what it throws reaches yargs as it did
      return typeof code === 'number' ? finish(code) : code.then(finish);
    },
  };
}
