/**
 * report.md: what a reviewer reads in ten seconds — the headline, one table per builder and
 * edit (median with its 95 % interval, speed-up, steps reused, first miss, bytes, health) with
 * why each variant rebuilt, the steps that rebuilt across repetitions, the warnings, then the
 * machine and the provenance. Renders the comparison model only.
 */
import type { Comparison, ComparisonSection } from '../result/comparison.js';
import type { SuiteResult } from '../result/types.js';
import { bytesCell, excludedNote, firstMissCell, healthCell, medianWithInterval, nCell, sectionTitle, speedupCell, stepsReusedCell, whyCell } from './cells.js';
import { headlineLine } from './comparison-table.js';
import { pullTable } from './pull-table.js';
import { formatBytes, formatMs } from '../format.js';

export function markdownReport(result: SuiteResult, comparison: Comparison): string {
  const builders = new Set(comparison.sections.map((s) => s.builder));
  const lines: string[] = [`# layerbench · ${result.scenario.name}`, ''];
  if (!result.complete) lines.push('> **Partial result**: the run did not complete (interrupted, or a build failed); the tables hold what was measured.', '');
  for (const headline of comparison.headlines) lines.push(`**${headlineLine(headline, builders.size > 1)}**`, '');
  for (const section of comparison.sections) lines.push(...sectionTable(section, builders.size > 1), '');
  if (result.pull !== undefined) lines.push('## The pull experiment (seed 001)', '', '```', pullTable(result), '```', '');
  lines.push(...warningList(result), ...runFacts(result), ...provenance(result));
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

function sectionTable(section: ComparisonSection, nameBuilder: boolean): string[] {
  const title = sectionTitle(section, nameBuilder);
  return [
    `## ${title.charAt(0).toUpperCase()}${title.slice(1)}`,
    '',
    '| variant | median (95 % interval) | n | speed-up | steps reused | first miss | new bytes | context sent | image | healthy |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|',
    ...section.rows.map(
      (row) =>
        `| ${row.variant} | ${medianWithInterval(row.wallMs)} | ${nCell(row)} | ${speedupCell(row)} | ${stepsReusedCell(row)} | ${code(firstMissCell(row))} | ${bytesCell(row.newBytes)} | ${bytesCell(row.contextBytes)} | ${bytesCell(row.imageBytes)} | ${healthCell(row)} |`,
    ),
    ...section.rows.flatMap((row) => excludedNote(row) ?? []).map((note) => `\n> ${note}`),
    ...whyList(section),
    ...stepTable(section),
  ];
}

/** One bullet per variant: its typical first miss, with the instruction as code, and why. */
function whyList(section: ComparisonSection): string[] {
  if (section.phase === 'cold') return [];
  const lines = section.rows.flatMap((row) => {
    const why = whyCell(row);
    return why === undefined ? [] : [`- **${row.variant}**: ${why.replace(/^step (\d+) (.*?) missed:/, (_, step: string, instruction: string) => `step ${step} \`${instruction.replace(/`/g, "'")}\` missed:`)}`];
  });
  return lines.length === 0 ? [] : ['', 'Why it rebuilt:', '', ...lines];
}

/** The steps that rebuilt in any repetition: how often, and how long they took when they did. */
function stepTable(section: ComparisonSection): string[] {
  if (section.phase === 'cold') return [];
  const rows = section.rows.flatMap((row) =>
    row.steps
      .filter((step) => step.cached < step.of)
      .map((step) => `| ${row.variant} | ${step.index} | ${step.line ?? '–'} | \`${step.instruction.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${step.of - step.cached}/${step.of} | ${step.medianRebuiltMs === null ? '–' : formatMs(step.medianRebuiltMs)} |`),
  );
  if (rows.length === 0) return [];
  return ['', 'Steps that rebuilt (the rest were cached every time):', '', '| variant | step | line | instruction | rebuilt | median when rebuilt |', '|---|---:|---:|---|---:|---:|', ...rows];
}

function warningList(result: SuiteResult): string[] {
  const notes = result.notes ?? [];
  return [
    ...(result.warnings.length === 0 ? [] : ['## Warnings', '', ...result.warnings.map((w) => `- \`${w.code}\` ${w.message}`), '']),
    ...(notes.length === 0 ? [] : ['## How it was measured', '', ...notes.map((n) => `- \`${n.code}\` ${n.message}`), '']),
  ];
}

function runFacts(result: SuiteResult): string[] {
  const machineLine = (m: SuiteResult['machine']): string =>
    `${m.cpus} cores, ${formatBytes(m.memoryBytes)} memory · Docker Engine ${m.engineVersion} (API ${m.apiVersion}, ${m.storageDriver}) · ${m.os}`;
  return [
    '## Run',
    '',
    `- layerbench ${result.tool.version} · run \`${result.runId}\` · ${result.startedAt} → ${result.finishedAt}${result.complete ? '' : ' (partial)'}`,
    ...(result.machines.length === 1 ? [`- machine: ${machineLine(result.machine)}`] : result.machines.map((m) => `- machine \`${m.id.slice(0, 12)}\`: ${machineLine(m)}`)),
    `- scenario: ${scenarioSource(result.scenario)} · ${(result.scenario.builders ?? [result.scenario.builder]).join(' and ')} builder${(result.scenario.builders?.length ?? 1) > 1 ? 's' : ''} · ${result.scenario.reps} reps${result.scenario.warmup > 0 ? `, ${result.scenario.warmup} warm-up` : ''}${result.scenario.cold ? ', cold build measured' : ''}`,
    ...result.bases.map((b) => `- base ${b.name}: \`${b.image}\` (${b.source}${b.id === null ? '' : `, ${b.id.slice(0, 19)}`})`),
    ...result.scenario.variants.flatMap((v) => (v.dockerfileChanges ?? []).map((change) => `- ${v.name}: layerbench's copy of the Dockerfile, ${change}`)),
    `- package index: ${result.packageIndex.mode === 'local' ? 'served from local files on 127.0.0.1 (downloads cost next to nothing)' : result.packageIndex.mode === 'pypi' ? 'PyPI' : 'none'}`,
    '',
  ];
}

function scenarioSource(scenario: SuiteResult['scenario']): string {
  if (scenario.file !== null) return `\`${scenario.file}\``;
  return `command-line options${scenario.context === undefined ? '' : ` on \`${scenario.context}\``}`;
}

function provenance(result: SuiteResult): string[] {
  const short = (digest: string | null): string => (digest === null ? '–' : `\`${digest.slice(0, 12)}\``);
  return [
    '## Provenance (sha256)',
    '',
    '| what | file | sha256 |',
    '|---|---|---|',
    ...(result.scenario.file === null ? [] : [`| scenario | \`${result.scenario.file}\` | ${short(result.scenario.sha256)} |`]),
    ...result.scenario.variants.flatMap((v) => [
      `| ${v.name}: Dockerfile | \`${v.dockerfile}\` | ${short(v.dockerfileSha256)} |`,
      `| ${v.name}: context as sent | ${v.ignoreFile === null ? 'no .dockerignore' : `after \`${v.ignoreFile}\``} | ${short(v.contextSha256)} |`,
    ]),
    '',
  ];
}

/** `9: COPY . .` → `9: \`COPY . .\``: an instruction reads as code; a table's pipes are escaped. */
function code(cell: string): string {
  const match = /^(\d+): (.*)$/.exec(cell);
  return match === null ? cell : `${match[1]}: \`${(match[2] ?? '').replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
}
