/**
 * The terminal comparison: one table per edit (the cold build first), one row per variant,
 * with the speed-up against the baseline variant. Pure: result in, text out.
 */
import { formatBytes, formatMs, formatRatio } from './format.js';
import type { Sample, SuiteResult, SummaryRow } from './result-types.js';

interface Column {
  title: string;
  align: 'left' | 'right';
}

const COLUMNS: Column[] = [
  { title: 'variant', align: 'left' },
  { title: 'median', align: 'right' },
  { title: '±rme', align: 'right' },
  { title: 'speed-up', align: 'right' },
  { title: 'first miss', align: 'left' },
  { title: 'new bytes', align: 'right' },
  { title: 'image', align: 'right' },
  { title: 'healthy', align: 'right' },
];

export function comparisonTable(result: Pick<SuiteResult, 'summary' | 'samples'>, baseline: string): string {
  const edits = [...new Set(result.summary.map((row) => `${row.phase}\u0000${row.edit}`))].sort((a, b) => (a.startsWith('cold') ? -1 : b.startsWith('cold') ? 1 : 0));
  const sections: string[] = [];
  for (const key of edits) {
    const [phase, edit] = key.split('\u0000') as [string, string];
    const rows = result.summary.filter((row) => row.phase === phase && row.edit === edit);
    const base = rows.find((row) => row.variant === baseline);
    const samples = result.samples.filter((s) => s.phase === phase && s.edit === edit);
    const n = [...new Set(rows.map((row) => row.n))].join('/');
    const title = phase === 'cold' ? `cold build (no cache), n=${n}` : `edit "${edit}": rebuild after the edit, n=${n} per variant`;
    const body = rows.map((row) => [
      row.variant,
      formatMs(row.medianMs),
      row.n > 1 ? `${row.rme.toFixed(1)}%` : '–',
      base === undefined ? '–' : row.variant === baseline ? 'baseline' : formatRatio(base.medianMs / row.medianMs),
      typicalFirstMiss(samples.filter((s) => s.variant === row.variant)),
      formatBytes(row.medianNewBytes),
      formatBytes(row.medianImageBytes),
      healthCell(row, samples.filter((s) => s.variant === row.variant)),
    ]);
    sections.push([title, ...renderRows(COLUMNS, body).map((line) => `  ${line}`), ...excludedNotes(rows)].join('\n'));
  }
  return sections.join('\n\n');
}

/** `code-edit rebuild naive/optimized = 31.2x`: the headline figure, for the last line. */
export function headlineRatio(summary: readonly SummaryRow[], edit: string, slow: string, fast: string): string | undefined {
  const find = (variant: string): SummaryRow | undefined => summary.find((r) => r.phase === 'warm' && r.edit === edit && r.variant === variant);
  const slowRow = find(slow);
  const fastRow = find(fast);
  if (slowRow === undefined || fastRow === undefined || !(fastRow.medianMs > 0)) return undefined;
  return `${edit}-edit rebuild ${slow}/${fast} = ${(slowRow.medianMs / fastRow.medianMs).toFixed(1)}x (median ${formatMs(slowRow.medianMs)} vs ${formatMs(fastRow.medianMs)})`;
}

function typicalFirstMiss(samples: readonly Sample[]): string {
  const counts = new Map<string, number>();
  for (const sample of samples) {
    const step = sample.steps.find((s) => s.index === sample.firstMissStep);
    const label = step === undefined ? 'none (all cached)' : `${step.index}: ${shorten(step.instruction, 28)}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '–';
}

function healthCell(row: SummaryRow, samples: readonly Sample[]): string {
  const times = samples.flatMap((s) => (s.health.ok ? [s.health.timeToHealthyMs] : []));
  const typical = times.length > 0 ? ` (${formatMs(times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? Number.NaN)})` : '';
  return `${row.healthy}/${samples.length}${typical}`;
}

function excludedNotes(rows: readonly SummaryRow[]): string[] {
  return rows
    .filter((row) => row.excluded > 0)
    .map((row) => `  ! ${row.variant}: ${row.excluded} sample(s) missed no step at all and were left out (the edit changed nothing the build sees, or the cache recalled it)`);
}

function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export function renderRows(columns: readonly Column[], rows: readonly string[][]): string[] {
  const widths = columns.map((column, i) => Math.max(column.title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (columns[i]?.align === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...rows.map(line)];
}
