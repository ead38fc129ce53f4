/**
 * Which local package indexes the host's pip is configured with (`pip config list` and
 * PIP_* variables). Only `file://` indexes matter: build containers cannot read host files,
 * so layerbench serves those over HTTP.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LocalIndexes {
  /** directories holding a PEP 503 "simple" index, in pip's order (index-url first) */
  directories: string[];
}

/** Parses `pip config list` output and the environment into local index directories. */
export function localIndexesFrom(pipConfigList: string, env: NodeJS.ProcessEnv): LocalIndexes {
  const values = new Map<string, string>();
  for (const line of pipConfigList.split('\n')) {
    // pip prints values with Python's repr(): '…' or "…", with \n for newlines.
    const match = /^([^=]+)=(['"])(.*)\2$/.exec(line.trim());
    if (!match?.[1] || match[3] === undefined) continue;
    const key = match[1].replace(/^.*\./, '');
    const value = match[3].replace(/\\n/g, ' ').replace(/\\t/g, ' ').replace(/\\(['"\\])/g, '$1');
    if (key === 'index-url' || key === 'extra-index-url') {
      values.set(key, [values.get(key), value].filter(Boolean).join(' '));
    }
  }
  const index = env['PIP_INDEX_URL'] ?? values.get('index-url') ?? '';
  const extra = env['PIP_EXTRA_INDEX_URL'] ?? values.get('extra-index-url') ?? '';
  const urls = [...index.split(/\s+/), ...extra.split(/\s+/)].filter((u) => u.startsWith('file://'));
  const directories = urls.flatMap((u) => {
    try {
      return [fileURLToPath(u).replace(/\/+$/, '')];
    } catch {
      return []; // file://host/… names another machine: not ours to serve
    }
  });
  return { directories: [...new Set(directories)] };
}

/** Asks the host's pip; no pip means no local indexes. */
export function readLocalIndexes(env: NodeJS.ProcessEnv = process.env): LocalIndexes {
  for (const command of [['pip3', 'config', 'list'], ['python3', '-m', 'pip', 'config', 'list']] as const) {
    try {
      const output = execFileSync(command[0], command.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15_000 });
      return localIndexesFrom(output, env);
    } catch {
      // try the next way of asking
    }
  }
  return localIndexesFrom('', env);
}
