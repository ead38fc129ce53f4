/**
 * Several results of one scenario as one: the shards of a CI matrix, or one variant per
 * machine. Samples keep the machine that measured them; the summary and the warnings are
 * recomputed over all of them. Pure.
 */
import { ResultFileError } from '../errors.js';
import { summarize } from './summarize.js';
import type { ScenarioRecord, SuiteResult, VariantRecord } from './types.js';
import { warningsFor } from './warnings.js';

export interface NamedResult {
  /** where it was read from, for messages */
  source: string;
  result: SuiteResult;
}

export function mergeResults(parts: readonly NamedResult[], runId: string): SuiteResult {
  const [first, ...rest] = parts;
  if (first === undefined) throw new ResultFileError('(nothing)', '', 'names no result to merge');
  for (const part of rest) {
    if (part.result.scenario.name !== first.result.scenario.name) {
      throw new ResultFileError(part.source, 'scenario.name', `is "${part.result.scenario.name}", not "${first.result.scenario.name}" like ${first.source}: only results of one scenario merge`);
    }
  }
  const results = parts.map((p) => p.result);
  const machines = uniqueBy(results.flatMap((r) => r.machines), (m) => m.id);
  const samples = results.flatMap((r) => r.samples);
  const startedAt = results.map((r) => r.startedAt).sort()[0] as string;
  const finishedAt = results.map((r) => r.finishedAt).sort().at(-1) as string;
  return {
    schemaVersion: 2,
    tool: first.result.tool,
    runId,
    startedAt,
    finishedAt,
    complete: results.every((r) => r.complete),
    machine: first.result.machine,
    machines,
    scenario: mergeScenarios(results.map((r) => r.scenario)),
    packageIndex: first.result.packageIndex,
    bases: uniqueBy(results.flatMap((r) => r.bases), (b) => `${b.name}\u0000${b.id ?? ''}`),
    samples,
    summary: summarize(samples),
    warnings: [
      ...results.flatMap((r) => r.warnings.filter((w) => w.code === 'busy-machine')),
      ...warningsFor(samples, { loadAverageAtStart: null, cpus: 0 }),
    ],
    ...notesOf(results),
  };
}

function notesOf(results: readonly SuiteResult[]): Pick<SuiteResult, 'notes'> {
  const notes = uniqueBy(results.flatMap((r) => r.notes ?? []), (n) => `${n.code}\u0000${n.message}`);
  return notes.length === 0 ? {} : { notes };
}

function mergeScenarios(scenarios: readonly ScenarioRecord[]): ScenarioRecord {
  const first = scenarios[0] as ScenarioRecord;
  const builders = [...new Set(scenarios.flatMap((s) => s.builders ?? [s.builder]))];
  const variants: VariantRecord[] = uniqueBy(scenarios.flatMap((s) => s.variants), (v) => v.name);
  return {
    ...first,
    reps: Math.max(...scenarios.map((s) => s.reps)),
    builder: builders[0] ?? first.builder,
    builders,
    baseline: first.baseline,
    // a shard's scenario file may be the same with other filters: the hashes of each part are in the parts
    sha256: scenarios.every((s) => s.sha256 === first.sha256) ? first.sha256 : null,
    variants: orderLike(variants, scenarios),
    edits: uniqueBy(scenarios.flatMap((s) => s.edits), (e) => e.name),
  };
}

/** Variants in the order a full run would have them: the first shard's, then the others'. */
function orderLike(variants: VariantRecord[], scenarios: readonly ScenarioRecord[]): VariantRecord[] {
  const order = scenarios.flatMap((s) => s.variants.map((v) => v.name));
  return [...variants].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
