/**
 * What the CI gate can detect on this machine: from A/A results (the same commit run back to
 * back), every ordered pair of runs and every warm group is compared as `compare` would, once
 * as measured (the false alarms) and once with NEW's times slowed by a factor (the detections).
 * Prints, per factor, the share of group pairs `compare` calls a regression; the smallest
 * slowdown it flags is where that share reaches 95 %. Real measurements, a synthetic slowdown:
 * the spread is this machine's, the shift is known.
 *
 *   node dist/bench/gate-calibration.js results/aa1 results/aa2 results/aa3 [--threshold 10%] [--alpha 0.05]
 */
import { timeChange } from '../result/compare-results.js';
import { readResult } from '../result/read-result.js';
import { buildSamplesOf } from '../result/sample-kinds.js';
import { groupKey, isCounted } from '../result/summarize.js';
import type { SuiteResult } from '../result/types.js';

const FACTORS = [1, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.4, 1.5, 1.75, 2];

function warmGroups(result: SuiteResult): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const sample of buildSamplesOf(result.samples)) {
    if (sample.phase !== 'warm' || !isCounted(sample)) continue;
    groups.set(groupKey(sample), [...(groups.get(groupKey(sample)) ?? []), sample.wallMs]);
  }
  return groups;
}

function main(argv: readonly string[]): void {
  const option = (name: string, fallback: string): string => {
    const at = argv.indexOf(name);
    return at < 0 ? fallback : (argv[at + 1] ?? fallback);
  };
  const threshold = Number.parseFloat(option('--threshold', '10')) / 100;
  const alpha = Number.parseFloat(option('--alpha', '0.05'));
  const dirs = argv.filter((arg, i) => !arg.startsWith('--') && !(argv[i - 1] ?? '').startsWith('--'));
  if (dirs.length < 2) throw new Error('give at least two A/A result directories');
  const runs = dirs.map((dir) => ({ dir, groups: warmGroups(readResult(dir)) }));
  const pairs = runs.flatMap((base, i) => runs.flatMap((next, j) => (i === j ? [] : [{ base, next }])));
  console.log(`${runs.length} A/A runs, ${pairs.length} ordered pairs, threshold ${(threshold * 100).toFixed(0)} %, alpha ${alpha}`);
  const row = (factor: number): { flagged: number; of: number; byGroup: Map<string, number> } => {
    let flagged = 0;
    let of = 0;
    const byGroup = new Map<string, number>();
    for (const { base, next } of pairs) {
      for (const [key, baseTimes] of base.groups) {
        const newTimes = next.groups.get(key);
        if (newTimes === undefined) continue;
        const verdict = timeChange(baseTimes, newTimes.map((t) => t * factor), { threshold, alpha })?.verdict;
        of += 1;
        if (verdict === 'regression') {
          flagged += 1;
          byGroup.set(key, (byGroup.get(key) ?? 0) + 1);
        }
      }
    }
    return { flagged, of, byGroup };
  };
  let smallest: number | null = null;
  for (const factor of FACTORS) {
    const { flagged, of, byGroup } = row(factor);
    const share = of === 0 ? 0 : flagged / of;
    if (smallest === null && factor > 1 && share >= 0.95) smallest = factor;
    const missed = factor > 1 && share < 1 ? ` · missed at least once in: ${[...new Set(pairs.flatMap(({ base }) => [...base.groups.keys()]))].filter((k) => (byGroup.get(k) ?? 0) < pairs.length).map((k) => k.split('\u0000').filter((_part, i) => i !== 1 && i !== 3).join(' ')).join(', ')}` : '';
    console.log(`slowdown ×${factor.toFixed(2)}: ${flagged}/${of} group pairs flagged (${(share * 100).toFixed(0)} %)${factor === 1 ? ' — false alarms' : ''}${missed}`);
  }
  console.log(smallest === null ? 'no slowdown tried was flagged in 95 % of group pairs' : `smallest slowdown flagged in ≥ 95 % of group pairs: ×${smallest.toFixed(2)} (+${((smallest - 1) * 100).toFixed(0)} %)`);
}

main(process.argv.slice(2));
