/**
 * The terminal comparison: one table per builder and edit (the cold build first), one row per
 * variant. Renders the comparison model; computes nothing of its own.
 */
import type { Comparison, ComparisonSection, Headline } from '../result/comparison.js';
import { bytesCell, excludedNote, firstMissCell, healthCell, sectionTitle, speedupCell } from './cells.js';
import { formatMs } from './format.js';

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
  const title = `${sectionTitle(section, nameBuilder)}, n=${n}${section.phase === 'cold' ? '' : ' per variant'}`;
  const body = section.rows.map((row) => [
    row.variant,
    formatMs(row.wallMs?.median ?? Number.NaN),
    row.wallMs !== null && row.wallMs.n > 1 ? `${row.wallMs.rme.toFixed(1)}%` : '–',
    speedupCell(row),
    firstMissCell(row, 28),
    bytesCell(row.newBytes),
    bytesCell(row.imageBytes),
    healthCell(row),
  ]);
  const notes = section.rows.flatMap((row) => excludedNote(row) ?? []).map((note) => `  ! ${note}`);
  return [title, ...renderRows(COLUMNS, body).map((line) => `  ${line}`), ...notes].join('\n');
}

/** `code-edit rebuild naive/optimized = 31.2x (median 24.8 s vs 0.60 s)` */
export function headlineLine(headline: Headline, nameBuilder: boolean): string {
  const builder = nameBuilder ? ` [${headline.builder}]` : '';
  return `${headline.edit}-edit rebuild ${headline.slow}/${headline.fast} = ${headline.ratio.toFixed(1)}x${builder} (median ${formatMs(headline.slowMs)} vs ${formatMs(headline.fastMs)})`;
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
