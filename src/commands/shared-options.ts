/**
 * The options several commands take, as data: one definition each (alias, coercion, default),
 * with the words that differ from command to command passed in, so that every command's help
 * reads as it did. A command names the option where it wants it (`.option('out', outOption(…))`):
 * yargs lists options in the order they are given.
 */
import { DEFAULT_INDEX_PORT } from '../package-index/package-index.js';
import { integerOption, nonEmptyOption, percentOption, probabilityOption } from './option-values.js';

/** `--scenario`/`-s`: a scenario file; `bundled` says in the help which one runs when none is named. */
export function scenarioOption(describe: string, bundled: string) {
  return { alias: 's', type: 'string', requiresArg: true, defaultDescription: bundled, describe, coerce: nonEmptyOption('--scenario', 'a scenario file') } as const;
}

/** `--out`/`-o`: the output directory, `defaultDir` where none is given. */
export function outOption(defaultDir: string) {
  return { alias: 'o', type: 'string', requiresArg: true, describe: `output directory (default: ${defaultDir})`, coerce: nonEmptyOption('--out', 'a directory') } as const;
}

/** `--index-port`: where the local package index listens; `why` says what the port means to this command. */
export function indexPortOption(why: string) {
  return { requiresArg: true, default: DEFAULT_INDEX_PORT, describe: `port of the local package index on 127.0.0.1 (${why})`, coerce: integerOption('--index-port') } as const;
}

/** `--json`: machine-readable output on stdout instead of the human one. */
export function jsonOption(describe: string) {
  return { type: 'boolean', default: false, describe } as const;
}

/** `--reps`/`-n`: how many measured repetitions. */
export function repsOption(describe: string) {
  return { alias: 'n', requiresArg: true, describe, coerce: integerOption('--reps') } as const;
}

/** `--seed`: seeds a shuffle, so that the same seed repeats an order. */
export function seedOption(describe: string) {
  return { requiresArg: true, describe, coerce: integerOption('--seed') } as const;
}

/** `--export-hyperfine` and `--export-github-benchmark`; `verb` is "write", or "also write" beside the reports. */
export function exportOptions(verb: 'write' | 'also write') {
  return {
    'export-hyperfine': { type: 'string', requiresArg: true, describe: `${verb} the rebuild times in hyperfine's JSON export format to this file` },
    'export-github-benchmark': { type: 'string', requiresArg: true, describe: `${verb} github-action-benchmark's customSmallerIsBetter input to this file` },
  } as const;
}

/** `--threshold` of the regression gate; `prefix` says when it applies ("with --against: "), or is empty. */
export function thresholdOption(prefix = '') {
  return { default: '10%', describe: `${prefix}a time, byte or size change below this is not a regression`, coerce: percentOption('--threshold') } as const;
}

/** `--alpha` of the regression gate. */
export function alphaOption(prefix = '') {
  return { default: '0.05', describe: `${prefix}significance level of the U test`, coerce: probabilityOption('--alpha') } as const;
}

/** `--allow-missing` of the regression gate: what the new side lacks is listed, not a regression. */
export function allowMissingOption(describe: string) {
  return { type: 'boolean', default: false, describe } as const;
}
