/**
 * A scenario made from command-line options, for a project that has no scenario file:
 * `--context DIR --dockerfile [name=]PATH … [--edit RULE …]`. Paths are relative to the
 * working directory. It goes through the same schema, overrides and checks as a file, and
 * each problem names the option it came from.
 */
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { parseEditRule } from './edit-rule.js';
import type { ScenarioSource } from './input-error.js';
import { validateRawScenario } from './load-scenario.js';
import { resolveScenario } from './resolve-scenario.js';
import { applyOverrides, type ScenarioOverrides } from './scenario-overrides.js';
import type { Scenario } from './scenario-types.js';

export interface ProjectOptions {
  /** the build context */
  context: string;
  /** `[name=]path` each; the first is the baseline unless `--baseline` says otherwise */
  dockerfiles: readonly string[];
  /** edit rules (`[name=]kind:file[:args]`); none: picked from the context when the run is prepared */
  edits: readonly string[];
  /** relative paths are relative to this @default process.cwd() */
  cwd?: string | undefined;
}

export function projectScenario(options: ProjectOptions, overrides: ScenarioOverrides = {}): Scenario {
  const cwd = options.cwd ?? process.cwd();
  if (options.dockerfiles.length === 0) {
    throw new UsageError('--context needs at least one --dockerfile (one per variant to compare, e.g. --dockerfile naive=Dockerfile.naive --dockerfile optimized=Dockerfile).');
  }
  const variants = options.dockerfiles.map((typed) => variantOf(typed, cwd));
  const duplicate = variants.find((v, i) => variants.findIndex((w) => w.name === v.name) !== i);
  if (duplicate !== undefined) {
    throw new UsageError(`Two Dockerfiles would both be named "${duplicate.name}"${/^dockerfile$/i.test(basename(duplicate.dockerfile)) ? ' (a Dockerfile is named after its directory)' : ''}.`, 'Name each variant: --dockerfile naive=path/to/Dockerfile --dockerfile optimized=other/Dockerfile.');
  }
  const taken = new Set<string>();
  const edits = options.edits.map((rule) => {
    const edit = parseEditRule(rule, taken);
    taken.add(String(edit['name']));
    return edit;
  });
  const source: ScenarioSource = { kind: 'options', variants: options.dockerfiles, edits: options.edits };
  const raw = { name: basename(resolve(cwd, options.context)) || 'project', context: options.context, variants, edits };
  const declared = validateRawScenario(raw, source);
  const data = applyOverrides(declared, overrides, 'the command line');
  return resolveScenario({ data, declared, baseDir: cwd, source, sha256: null });
}

/** `name=path`, or a name made from the path: `naive.Dockerfile`, `Dockerfile.naive` and `naive/Dockerfile` are all "naive". */
function variantOf(typed: string, cwd: string): { name: string; dockerfile: string } {
  const named = /^([^=/\\]+)=(.+)$/.exec(typed);
  if (named !== null) return { name: named[1] ?? '', dockerfile: named[2] ?? '' };
  const file = basename(typed);
  const stem =
    /^(.+)\.dockerfile$/i.exec(file)?.[1] ??
    /^dockerfile[._-](.+)$/i.exec(file)?.[1] ??
    (/^dockerfile$/i.test(file) ? basename(dirname(resolve(cwd, typed))) : file);
  const name = stem.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'dockerfile';
  return { name, dockerfile: typed };
}
