/**
 * `layerbench compare` as Markdown, in benchstat's manner: first a result that did not
 * complete; one row per (variant, builder, edit) with both medians and their 95 % intervals,
 * the change, and `~` with its p and n when the change is not significant; then the
 * regressions, named (missing groups among them), and what differs in provenance.
 */
import { byteChangeWords, type MissingGroup, type ResultComparison, type RowComparison, type TimeChange } from '../result/compare-results.js';
import { medianWithInterval } from './cells.js';

export function compareMarkdown(comparison: ResultComparison, baseName: string, newName: string): string {
  const { threshold, alpha } = comparison.options;
  const lines = [`# layerbench compare`, '', `base: \`${baseName}\` · new: \`${newName}\` · threshold ${Math.round(threshold * 100)} % · α = ${alpha}`, ''];
  // said before anything else: a result that did not complete holds only part of what it planned
  for (const words of comparison.incomplete) lines.push(`> **Incomplete**: ${words}.`, '');
  const missing = comparison.missing.filter((m) => m.regression);
  if (comparison.rows.length === 0) {
    lines.push(
      comparison.comparable
        ? `**${comparison.regressionCount} regression${comparison.regressionCount === 1 ? '' : 's'}**: new measured nothing that base has.`
        : '**Not comparable**: the two results have no (variant, builder, edit) in common.',
      '',
    );
  } else {
    lines.push(
      comparison.regressionCount === 0 ? '**No regression.**' : `**${comparison.regressionCount} regression${comparison.regressionCount === 1 ? '' : 's'}.**`,
      '',
      '| variant | builder | build | base | new | change | p | new bytes | context sent | image |',
      '|---|---|---|---:|---:|---:|---|---:|---:|---:|',
      ...comparison.rows.map((row) => rowLine(row, missing.some((m) => m.variant === row.variant && m.builder === row.builder && m.edit === row.edit && m.phase === row.phase))),
      '',
      '> base, new: the median rebuild time and its 95 % confidence interval (order statistics; where n is too small for 95 %, the confidence it has).',
      '',
    );
    const tooFew = comparison.rows.filter((r) => r.time?.verdict === 'too-few-samples');
    if (tooFew.length > 0) {
      lines.push(`> ${tooFew.length} row${tooFew.length === 1 ? ' has' : 's have'} too few samples for the U test: at those sizes even fully separated times give p = 2 / C(n₁ + n₂, n₁) > α = ${alpha} (3 + 3 give 0.1; 4 + 4 or 3 + 10 are enough), so time does not gate there. Steps, bytes and health still do.`, '');
    }
  }
  const regressions = comparison.rows.filter((r) => r.regressions.length > 0);
  if (regressions.length > 0 || missing.length > 0) {
    lines.push('## Regressions', '');
    for (const group of missing) lines.push(missingLine(group));
    for (const row of regressions) for (const reason of row.regressions) lines.push(`- **${row.variant}** · ${row.builder} · ${buildName(row)}: ${reason}`);
    lines.push('');
  }
  const allowed = comparison.missing.filter((m) => !m.regression);
  if (allowed.length > 0) lines.push('## Missing (allowed: not regressions)', '', ...allowed.map(missingLine), '');
  lines.push(...differences(comparison));
  return `${lines.join('\n').trim()}\n`;
}

function rowLine(row: RowComparison, samplesMissing: boolean): string {
  const time = row.time;
  const flag = row.regressions.length > 0 || samplesMissing ? ' ⚠' : '';
  return `| ${row.variant}${flag} | ${row.builder} | ${buildName(row)} | ${medianWithInterval(time?.base ?? null)} | ${medianWithInterval(time?.new ?? null)} | ${changeCell(time)} | ${pCell(time)} | ${bytesChange(row.newBytes)} | ${bytesChange(row.contextBytes)} | ${bytesChange(row.imageBytes)} |`;
}

function missingLine(group: MissingGroup): string {
  return `- **${group.variant}** · ${group.builder} · ${buildName(group)}: ${group.words}`;
}

function buildName(row: Pick<RowComparison, 'phase' | 'edit'>): string {
  return row.phase === 'cold' ? 'cold build' : `edit "${row.edit}"`;
}

function changeCell(time: TimeChange | null): string {
  if (time === null) return '–';
  if (time.verdict === 'no-change') return '~';
  const sign = time.change > 0 ? '+' : '';
  const value = `${sign}${(time.change * 100).toFixed(Math.abs(time.change) < 0.1 ? 1 : 0)} %`;
  return time.verdict === 'regression' ? `**${value}**` : value;
}

function pCell(time: TimeChange | null): string {
  if (time === null) return '–';
  const n = `n=${time.base.n}+${time.new.n}`;
  return time.p === null ? `too few samples (${n})` : `p=${time.p.toFixed(3)} ${n}`;
}

/** `11.6 kB → 286 MB (×24 600)`, as the regressions say it. */
function bytesChange(change: RowComparison['newBytes']): string {
  return change === null ? '–' : byteChangeWords(change);
}

function differences(comparison: ResultComparison): string[] {
  const { provenance } = comparison;
  const lines: string[] = [];
  if (provenance.scenarioChanged) lines.push('- the scenario file differs');
  for (const file of provenance.files) {
    if (file.dockerfile) lines.push(`- ${file.variant}: the Dockerfile differs`);
    if (file.changedFiles.length > 0) lines.push(`- ${file.variant}: context files differ: ${file.changedFiles.slice(0, 10).map((f) => `\`${f}\``).join(', ')}${file.changedFiles.length > 10 ? ` and ${file.changedFiles.length - 10} more` : ''}`);
    if (file.contextDiffers) lines.push(`- ${file.variant}: the context differs (its files were not recorded)`);
  }
  for (const base of provenance.bases) lines.push(`- base ${base.name}: ${base.base ?? 'unknown'} → ${base.new ?? 'unknown'}`);
  const machines = (list: string[]): string => [...new Set(list)].join('; ');
  if (machines(provenance.machines.base) !== machines(provenance.machines.new)) lines.push(`- machines: ${machines(provenance.machines.base)} → ${machines(provenance.machines.new)}`);
  // where the two compare, what only base has is listed with the regressions, or as missing
  const only = [...(comparison.comparable ? [] : comparison.onlyInBase.map((k) => `- only in base: ${k}`)), ...comparison.onlyInNew.map((k) => `- only in new: ${k}`)];
  if (lines.length === 0 && only.length === 0) return [];
  return ['## What differs', '', ...lines, ...only, ''];
}
