/** The command line run in-process, as the CLI specs drive it: its exit code and what it wrote. */
import { main, type CliDependencies } from '../../../src/cli.js';
import type { CliIo } from '../../../src/commands/cli-io.js';

/** A stack trace in the output: an expected failure must never print one. */
export const NO_STACK_TRACE = /\n\s+at [\w.<]/;

export interface MainOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(argv: string[], env: NodeJS.ProcessEnv, dependencies: CliDependencies = {}): Promise<MainOutcome> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env };
  const code = await main(argv, io, dependencies);
  return { code, stdout, stderr };
}
