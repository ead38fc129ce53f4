/**
 * The terminal comparison: one table per builder and edit (the cold build first), one row per
 * variant. Renders the comparison model; computes nothing of its own.
 */
import type { Comparison, ComparisonRow, ComparisonSection, Headline } from '../result/comparison.js';
import { formatBytes, formatMs, formatRatio } from './format.js';

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

export function comparisonTable(comparison: Comparison): string {
  const builders = new Set(comparison.sections.map((s) => s.builder));
  return comparison.sections.map((section) => renderSection(section, builders.size > 1)).join('\n\n');
}

function renderSection(section: ComparisonSection, nameBuilder: boolean): string {
  const n = [...new Set(section.rows.map((row) => row.n))].join('/');
  const builder = nameBuilder ? ` [${section.builder}]` : '';
  const title = section.phase === 'cold' ? `cold build (no cache)${builder}, n=${n}` : `edit "${section.edit}": rebuild after the edit${builder}, n=${n} per variant`;
  const body = section.rows.map((row) => [
    row.variant,
    formatMs(row.wallMs?.median ?? Number.NaN),
    row.wallMs !== null && row.wallMs.n > 1 ? `${row.wallMs.rme.toFixed(1)}%` : '–',
    row.isBaseline ? 'baseline' : row.speedup === null ? '–' : formatRatio(row.speedup),
    firstMissCell(row),
    formatBytes(row.newBytes ?? Number.NaN),
    formatBytes(row.imageBytes ?? Number.NaN),
    healthCell(row),
  ]);
  return [title, ...renderRows(COLUMNS, body).map((line) => `  ${line}`), ...excludedNotes(section.rows)].join('\n');
}

/** `code-edit rebuild naive/optimized = 31.2x (median 24.8 s vs 0.60 s)` */
export function headlineLine(headline: Headline, nameBuilder: boolean): string {
  const builder = nameBuilder ? ` [${headline.builder}]` : '';
  return `${headline.edit}-edit rebuild ${headline.slow}/${headline.fast} = ${headline.ratio.toFixed(1)}x${builder} (median ${formatMs(headline.slowMs)} vs ${formatMs(headline.fastMs)})`;
}

function firstMissCell(row: ComparisonRow): string {
  const miss = row.firstMiss;
  if (miss === null) return '–';
  if (miss.step === null) return 'none (all cached)';
  return `${miss.step}: ${shorten(miss.instruction ?? '', 28)}`;
}

function healthCell(row: ComparisonRow): string {
  const { checked, healthy, medianTimeToHealthyMs } = row.health;
  if (checked === 0) return 'not checked';
  return `${healthy}/${checked}${medianTimeToHealthyMs === null ? '' : ` (${formatMs(medianTimeToHealthyMs)})`}`;
}

function excludedNotes(rows: readonly ComparisonRow[]): string[] {
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
