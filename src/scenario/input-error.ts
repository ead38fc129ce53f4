/**
 * One way to blame an input, whether the scenario came from a file (`file: field "edits[1].match"
 * must …`) or from command-line options (`--edit "replace:app.py:…" must …`).
 */
import { displayPath } from '../display-path.js';
import { ScenarioError, UsageError, type LayerbenchError } from '../errors.js';

export type ScenarioSource =
  | { kind: 'file'; file: string }
  /** each variant's `--dockerfile` and each edit's `--edit`, as typed */
  | { kind: 'options'; variants: readonly string[]; edits: readonly string[] };

/** `field` as a scenario file names it: `context`, `variants[0].dockerfile`, `edits[2].match`, `baseMap.ubuntu` … */
export function inputError(source: ScenarioSource, field: string, expected: string, hint?: string): LayerbenchError {
  if (source.kind === 'file') return new ScenarioError(displayPath(source.file), field, expected, hint);
  return new UsageError(`${optionOf(source, field)} ${expected}.`, hint);
}

function optionOf(source: Extract<ScenarioSource, { kind: 'options' }>, field: string): string {
  const item = /^(variants|edits)\[(\d+)\]/.exec(field);
  if (item !== null) {
    const typed = (item[1] === 'variants' ? source.variants : source.edits)[Number(item[2])];
    return `${item[1] === 'variants' ? '--dockerfile' : '--edit'} ${JSON.stringify(typed ?? '')}`;
  }
  const head = field.split('.')[0] ?? field;
  const options: Record<string, string> = { context: '--context', baseline: '--baseline', baseMap: '--base-map', health: '--port/--health-path' };
  return options[head] ?? `--${head}`;
}

/** Where a loaded scenario came from, for blaming its inputs. */
export function sourceOf(scenario: { file: string | null; declared: { options?: { variants: string[]; edits: string[] } | undefined } }): ScenarioSource {
  if (scenario.file !== null) return { kind: 'file', file: scenario.file };
  return { kind: 'options', variants: scenario.declared.options?.variants ?? [], edits: scenario.declared.options?.edits ?? [] };
}
