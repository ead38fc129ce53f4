import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where layerbench makes its scratch directories: LAYERBENCH_SCRATCH, else the system's temporary directory. */
export function scratchParent(env: NodeJS.ProcessEnv): string {
  return env['LAYERBENCH_SCRATCH'] ?? tmpdir();
}

/** Where the run registry keeps its records: LAYERBENCH_STATE_DIR, else under the system's temporary directory. */
export function stateDirectory(env: NodeJS.ProcessEnv): string {
  return env['LAYERBENCH_STATE_DIR'] ?? join(tmpdir(), 'layerbench-runs');
}
