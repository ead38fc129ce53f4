/**
 * The terminal comparison: one table per edit (the cold build first), one row per variant —
 * per variant and builder, with a builder column, when the run used several — and under it
 * why each variant rebuilt. Renders the comparison model; computes nothing of its own.
 */
import type { Comparison, ComparisonRow, ComparisonSection, Headline } from '../result/comparison.js';
import { bytesCell, excludedNote, firstMissCell, healthCell, medianIntervalCell, ratioIntervalWords, sectionTitle, speedupCell, whyCell } from './cells.js';
import { formatMs } from '../format.js';

interface Column {
  title: string;
  align: 'left' | 'right';
}

const COLUMNS: Column[] = [
  { title: 'variant', align: 'left' },
  { title: 'median', align: 'right' },
  /** the median's own interval (order statistics), not the mean's margin of error */
  { title: "median's 95 % CI", align: 'right' },
  { title: 'speed-up', align: 'right' },
  { title: 'first miss', align: 'left' },
  { title: 'new bytes', align: 'right' },
  { title: 'sent', align: 'right' },
  { title: 'image', align: 'right' },
  { title: 'healthy', align: 'right' },
];

export function comparisonTable(comparison: Comparison): string {
  const builders = new Set(comparison.sections.map((s) => s.builder));
  const sections = builders.size > 1 ? mergeBuilders(comparison.sections) : comparison.sections;
  return sections.map((section) => renderSection(section, builders.size > 1)).join('\n\n');
}

/** One section per edit holding every builder's rows: variant by variant, the builders side by side. */
function mergeBuilders(sections: readonly ComparisonSection[]): ComparisonSection[] {
  const merged = new Map<string, ComparisonSection>();
  const variantOrder: string[] = [];
  for (const section of sections) {
    const key = `${section.phase}\u0000${section.edit}`;
    const into = merged.get(key) ?? { ...section, rows: [] };
    into.rows.push(...section.rows);
    merged.set(key, into);
    for (const row of section.rows) if (!variantOrder.includes(row.variant)) variantOrder.push(row.variant);
  }
  const order = [...merged.values()].sort((a, b) => (a.phase === b.phase ? 0 : a.phase === 'cold' ? -1 : 1));
  for (const section of order) section.rows.sort((a, b) => variantOrder.indexOf(a.variant) - variantOrder.indexOf(b.variant));
  return order;
}

function renderSection(section: ComparisonSection, withBuilders: boolean): string {
  const n = [...new Set(section.rows.map((row) => row.n))].join('/');
  const title = `${sectionTitle(section, false)}, n=${n}${section.phase === 'cold' ? '' : ` per variant${withBuilders ? ' and builder' : ''}`}`;
  const columns = withBuilders ? [COLUMNS[0] as Column, { title: 'builder', align: 'left' } as Column, ...COLUMNS.slice(1)] : COLUMNS;
  const body = section.rows.map((row) => [
    row.variant,
    ...(withBuilders ? [row.builder] : []),
    formatMs(row.wallMs?.median ?? Number.NaN),
    medianIntervalCell(row.wallMs),
    speedupCell(row),
    firstMissCell(row, 28),
    bytesCell(row.newBytes),
    bytesCell(row.contextBytes),
    bytesCell(row.imageBytes),
    healthCell(row),
  ]);
  const notes = section.rows.flatMap((row) => excludedNote(row) ?? []).map((note) => `  ! ${note}`);
  const why = section.phase === 'cold' ? [] : whyLines(section.rows, withBuilders);
  return [title, ...renderRows(columns, body).map((line) => `  ${line}`), ...notes, ...why].join('\n');
}

/** `  why naive: step 6 COPY . . missed: app.py changed (edit "code"); …`, one per row that says. */
function whyLines(rows: readonly ComparisonRow[], withBuilders: boolean): string[] {
  const named = rows.flatMap((row) => {
    const why = whyCell(row);
    return why === undefined ? [] : [{ name: withBuilders ? `${row.variant} [${row.builder}]` : row.variant, why }];
  });
  const width = Math.max(0, ...named.map((n) => n.name.length));
  return named.map(({ name, why }) => `  why ${`${name}:`.padEnd(width + 1)} ${why}`);
}

/** `code-edit rebuild naive/optimized = 31.2x (median 24.8 s vs 0.60 s)` */
export function headlineLine(headline: Headline, nameBuilder: boolean): string {
  const builder = nameBuilder ? ` [${headline.builder}]` : '';
  const interval = headline.interval === null ? '' : `; per-round ratios ${ratioIntervalWords(headline.interval)}`;
  return `${headline.edit}-edit rebuild ${headline.slow}/${headline.fast} = ${headline.ratio.toFixed(1)}x${builder} (median ${formatMs(headline.slowMs)} vs ${formatMs(headline.fastMs)}${interval})`;
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
