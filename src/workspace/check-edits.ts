/**
 * Every edit, tried on every variant's original files before the first build: the file must
 * be sent to that variant's build (not dropped by its .dockerignore), a `touch` glob must
 * match a file the build receives, and the edit must apply (the regular expression matches,
 * the generator finds what it changes). Reads the user's tree, writes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../display-path.js';
import { WorkspaceError } from '../errors.js';
import { inputError, sourceOf } from '../scenario/input-error.js';
import type { EditSpec, Scenario } from '../scenario/scenario-types.js';
import { applyEdit } from './edits.js';
import { ignoreRulesFor } from './ignore-rules.js';
import { sentFiles, touchTarget } from './sent-files.js';

export function checkEdits(scenario: Pick<Scenario, 'file' | 'context' | 'variants' | 'edits' | 'declared'>): void {
  const source = sourceOf(scenario);
  const received = new Map<string, string[]>();
  const contextOf = (variant: Scenario['variants'][number]): string => variant.context ?? scenario.context;
  const rulesOf = new Map(scenario.variants.map((variant) => [variant.name, ignoreRulesFor(contextOf(variant), variant.dockerfile)]));
  for (const edit of scenario.edits) {
    const field = `edits[${scenario.declared.edits.indexOf(edit.name)}]`;
    for (const variant of scenario.variants) {
      const rules = rulesOf.get(variant.name) ?? ignoreRulesFor(contextOf(variant), variant.dockerfile);
      const ignoredBy = displayPath(rules.source ?? '.dockerignore');
      let path = edit.file;
      if (edit.kind === 'touch') {
        const files = received.get(variant.name) ?? sentFiles(contextOf(variant), rules);
        received.set(variant.name, files);
        const target = touchTarget(edit.file, files);
        if (target === undefined) {
          throw inputError(source, `${field}.file`, `is a glob (${edit.file}) that matches no file variant "${variant.name}"'s build receives${rules.source === undefined ? '' : ` (after ${ignoredBy})`}`, 'Give a glob relative to the build context, e.g. "src/**/*.py".');
        }
        path = target;
      } else if (rules.ignores(edit.file)) {
        throw inputError(
          source,
          `${field}.file`,
          `names ${edit.file}, which ${ignoredBy} leaves out of variant "${variant.name}"'s build context: an edit there cannot change its build`,
          'Edit a file the build receives, or change that .dockerignore.',
        );
      }
      tryEdit(edit, path, contextOf(variant), (what, message) => inputError(source, `${field}.${what}`, `cannot be applied (edit "${edit.name}"): ${message}`));
    }
  }
}

function tryEdit(edit: EditSpec, path: string, context: string, blame: (field: string, message: string) => Error): void {
  const original = readFileSync(join(context, path));
  const replacement = edit.kind === 'replace-file' ? readFileSync(edit.from) : undefined;
  try {
    applyEdit(edit, { path, original }, 'layerbench-dry-run', 0, replacement);
  } catch (err) {
    if (!(err instanceof WorkspaceError)) throw err;
    const what = edit.kind === 'replace-line' || edit.kind === 'replace' ? 'match' : edit.kind === 'swap-asset' ? 'generator' : 'file';
    throw blame(what, err.message.replace(/\.$/, ''));
  }
}
