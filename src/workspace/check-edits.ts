/**
 * Every edit, tried on every variant's original files before the first build: the file must
 * be sent to that variant's build (not dropped by its .dockerignore) and the edit must apply
 * (the regular expression matches, the generator finds what it changes). Reads the user's
 * tree, writes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../display-path.js';
import { ScenarioError, WorkspaceError } from '../errors.js';
import type { Scenario } from '../scenario/scenario-types.js';
import { applyEdit } from './edits.js';
import { ignoreRulesFor } from './ignore-rules.js';

export function checkEdits(scenario: Pick<Scenario, 'file' | 'context' | 'variants' | 'edits' | 'declared'>): void {
  const shown = displayPath(scenario.file);
  for (const edit of scenario.edits) {
    const field = `edits[${scenario.declared.edits.indexOf(edit.name)}]`;
    for (const variant of scenario.variants) {
      const rules = ignoreRulesFor(scenario.context, variant.dockerfile);
      if (rules.ignores(edit.file)) {
        throw new ScenarioError(
          shown,
          `${field}.file`,
          `names ${edit.file}, which ${displayPath(rules.source ?? '.dockerignore')} leaves out of variant "${variant.name}"'s build context: an edit there cannot change its build`,
          'Edit a file the build receives, or change that .dockerignore.',
        );
      }
    }
    const original = readFileSync(join(scenario.context, edit.file));
    try {
      applyEdit(edit, original, 'layerbench-dry-run', 0);
    } catch (err) {
      if (!(err instanceof WorkspaceError)) throw err;
      const what = edit.kind === 'replace-line' ? 'match' : edit.kind === 'swap-asset' ? 'generator' : 'file';
      throw new ScenarioError(shown, `${field}.${what}`, `cannot be applied (edit "${edit.name}"): ${err.message}`);
    }
  }
}
