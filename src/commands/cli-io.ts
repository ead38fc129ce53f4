/** Where a command writes and what it reads of its environment: the process's, or a test's. */
import type { ProgressStream } from './progress.js';

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
