/**
 * Edits written on the command line: `[name=]kind:file[:args]`. Arguments are separated by
 * `:`; a literal colon inside one is written `\:`. The last argument of a kind takes the rest
 * of the rule as it is, colons included.
 *
 *   append-line:FILE[:TEXT]            TEXT with {nonce}; without it a comment in the file's syntax
 *   replace:FILE:REGEX:REPLACEMENT     first match; REPLACEMENT with {nonce} ($1 … for groups)
 *   replace-line:FILE:REGEX:LINE       the whole first matching line
 *   touch:GLOB                         the first file the glob matches gets a content change
 *   add-requirement:FILE:PKG[,PKG…]    requirements file, package.json or go.mod
 *   replace-file:FILE:FROM             FROM's content in place of FILE
 *   swap-asset:FILE[:GENERATOR]        random-bytes (default) or refit-numbers
 */
import { UsageError } from '../errors.js';
import { EDIT_KINDS } from './scenario-schema.js';

export const EDIT_RULE_SYNTAX = '[name=]kind:file[:args], kind one of ' + EDIT_KINDS.join(', ');

/** How many arguments after the file each kind takes: [required, at most]; at most 1 takes the rest verbatim. */
const ARGUMENTS: Record<(typeof EDIT_KINDS)[number], [number, number]> = {
  'append-line': [0, 1],
  replace: [2, 2],
  'replace-line': [2, 2],
  touch: [0, 0],
  'add-requirement': [1, 1],
  'replace-file': [1, 1],
  'swap-asset': [0, 1],
};

/**
 * One rule → the scenario-file form of the edit (validated later against the scenario schema,
 * like a file's). `taken` holds the names already used, so that defaults stay unique.
 */
export function parseEditRule(rule: string, taken: ReadonlySet<string>): Record<string, unknown> {
  const named = /^([a-z0-9][a-z0-9_.-]*)=(?=[a-z-]+(:|$))/.exec(rule);
  const body = named === null ? rule : rule.slice(named[0].length);
  const parts = splitUnescaped(body);
  const kind = parts[0] ?? '';
  if (!(EDIT_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`--edit ${JSON.stringify(rule)}: "${kind}" is not an edit kind; the kinds are ${EDIT_KINDS.join(', ')}.`, `Write each edit as ${EDIT_RULE_SYNTAX}, e.g. --edit append-line:app.py or --edit touch:"src/**/*.py".`);
  }
  const [required, most] = ARGUMENTS[kind as keyof typeof ARGUMENTS];
  const file = parts[1] ?? '';
  if (file === '') throw new UsageError(`--edit ${JSON.stringify(rule)}: the ${kind === 'touch' ? 'glob' : 'file'} is missing (${kind}:${kind === 'touch' ? 'GLOB' : 'FILE'}…).`);
  const rest = parts.slice(2);
  if (most === 0 && rest.length > 0) throw new UsageError(`--edit ${JSON.stringify(rule)}: ${kind} takes nothing after the ${kind === 'touch' ? 'glob' : 'file'}.`);
  if (most === 2 && rest.length !== 2) {
    throw new UsageError(`--edit ${JSON.stringify(rule)}: ${kind} needs a pattern and its replacement (${kind}:FILE:REGEX:REPLACEMENT).`, 'A colon inside the pattern or the replacement is written \\:.');
  }
  // a kind's one argument takes the rest of the rule, colons and all
  const args = most === 1 && rest.length > 0 ? [rest.join(':')] : rest;
  if (args.length < required) {
    throw new UsageError(`--edit ${JSON.stringify(rule)}: ${kind} needs ${kind === 'add-requirement' ? 'the packages (add-requirement:FILE:PKG[,PKG…])' : 'the file to put in place (replace-file:FILE:FROM)'}.`);
  }
  const name = named?.[1] ?? uniqueName(`${kind}-${file.split('/').filter((p) => p !== '' && p !== '*' && p !== '**').at(-1) ?? 'files'}`, taken);
  const edit: Record<string, unknown> = { name, kind, file };
  const [first, second] = args;
  switch (kind) {
    case 'append-line':
      if (first !== undefined) edit['line'] = first;
      break;
    case 'replace':
    case 'replace-line':
      edit['match'] = first;
      edit['with'] = second;
      break;
    case 'add-requirement':
      edit['packages'] = (first ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
      break;
    case 'replace-file':
      edit['from'] = first;
      break;
    case 'swap-asset':
      edit['generator'] = first ?? 'random-bytes';
      break;
  }
  return edit;
}

/** Splits at `:` not preceded by a backslash; `\:` becomes `:`. */
function splitUnescaped(text: string): string[] {
  return text.split(/(?<!\\):/).map((part) => part.replaceAll('\\:', ':'));
}

/** A name usable in the scenario schema (lower-case, dots, dashes), unique among `taken`. */
function uniqueName(wanted: string, taken: ReadonlySet<string>): string {
  const base = wanted.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 60) || 'edit';
  let name = base;
  for (let i = 2; taken.has(name); i += 1) name = `${base}-${i}`;
  return name;
}
