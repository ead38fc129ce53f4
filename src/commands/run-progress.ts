/** Turns a run's events into progress lines: a live status on a terminal, notes that stay. */
import type { RunEvent } from '../run/run-scenario.js';
import type { BuildLabel } from '../measure/suite-events.js';
import type { BuildSample, RepetitionStop } from '../result/types.js';
import { formatBytes, formatMs } from '../format.js';
import { VERSION } from '../version.js';
import { count } from '../run/session-lines.js';
import type { Progress } from './progress.js';

export function showRunEvent(event: RunEvent, progress: Progress): void {
  switch (event.type) {
    case 'run-started': {
      const warmup = event.warmup > 0 ? ` (+${event.warmup} warm-up)` : '';
      progress.note(
        `layerbench ${VERSION} · run ${event.runId} · scenario ${event.scenario}: ${count(event.variants, 'variant')} × ${count(event.edits, 'edit')} × ${count(event.reps, 'rep')}${warmup} · ${event.builders.join(' and ')} builder${event.builders.length > 1 ? 's' : ''}`,
      );
      return;
    }
    case 'note':
      progress.note(event.text);
      return;
    case 'build-started':
      progress.status(`${describe(event.build)} · preparing (${event.position}/${event.adaptive ? '≤' : ''}${event.total})`);
      return;
    case 'step-started':
      progress.status(`${describe(event.build)} · step ${event.index}/${event.of} ${event.instruction}`);
      return;
    case 'health-check':
      progress.status(`${describe(event.build)} · starting the image for its health check`);
      return;
    case 'sample':
      progress.note(sampleLine(event.sample, event.editSummary, event.build.builder !== undefined) + (event.target === undefined ? '' : ` · ${targetPart(event.target)}`));
      return;
    case 'group-stopped': {
      const line = stoppedLine(event.stop, event.target);
      if (line !== '') progress.note(line);
      return;
    }
    case 'unrecorded-build':
      progress.note(`  ${describe(event.build)}: ${formatMs(event.wallMs)} (not recorded)`);
      return;
    case 'result-written':
    case 'reports-written':
      progress.done();
      progress.note(event.line);
      return;
    case 'cleanup-failed':
      progress.note(event.line);
      return;
  }
}

/** `median ±3.1 % (target ±5 %)`: how far the group is from --target-ci. */
function targetPart(target: { halfWidth: number | null; target: number }): string {
  const goal = `target ±${percent(target.target)}`;
  if (target.halfWidth === null) return `median interval: needs 6 samples (${goal})`;
  return `median ±${percent(target.halfWidth)} (${goal}${target.halfWidth <= target.target ? ', met' : ''})`;
}

function stoppedLine(stop: RepetitionStop, target: number | null): string {
  const group = `${stop.variant}${stop.builder === 'classic' ? '' : ` [${stop.builder}]`} · ${stop.edit}`;
  const width = stop.halfWidth === null ? 'no 95 % interval yet' : `median ±${percent(stop.halfWidth)}`;
  const why: Record<RepetitionStop['stoppedBecause'], string> = {
    reps: `${count(stop.reps, 'rep')}, as asked`,
    'target-ci': `target met after ${count(stop.reps, 'rep')}: ${width} ≤ ±${percent(target ?? 0)}`,
    'max-reps': `${count(stop.reps, 'rep')}, the maximum, without meeting the target: ${width} > ±${percent(target ?? 0)}`,
    'time-budget': `the time budget passed after ${count(stop.reps, 'rep')} (${width})`,
    'build-failed': `a build failed after ${count(stop.reps, 'rep')}`,
  };
  return stop.stoppedBecause === 'reps' ? '' : `  ${group}: ${why[stop.stoppedBecause]}`;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

function describe(build: BuildLabel): string {
  const what = build.edit === 'none' ? (build.phase === 'cold' ? 'cold build' : build.phase === 'realign' ? 'realigning build (its own cache chain again)' : 'first build') : build.edit;
  const rep = build.phase === 'warm' ? ` rep ${build.rep}/${build.of}` : build.phase === 'warmup' ? ` warm-up ${build.rep}/${build.of}` : '';
  return `${build.variant}${build.builder === undefined ? '' : ` [${build.builder}]`} · ${what}${rep}`;
}

function sampleLine(sample: BuildSample, edit: string | undefined, showBuilder: boolean): string {
  const step = sample.steps.find((s) => s.index === sample.firstMissStep);
  const variant = showBuilder ? `${sample.variant} [${sample.builder}]` : sample.variant;
  const parts = [
    `  ${variant.padEnd(showBuilder ? 22 : 12)} ${(sample.phase === 'cold' ? 'cold' : `${sample.edit} #${sample.rep}`).padEnd(16)} ${formatMs(sample.wallMs).padStart(8)}`,
    step === undefined ? 'all steps cached' : missPart(sample, step.index),
    `new ${formatBytes(sample.layers.newBytes)}`,
    sample.health === null ? 'health not checked' : sample.health.ok ? `healthy in ${formatMs(sample.health.timeToHealthyMs)}` : `UNHEALTHY: ${sample.health.reason}`,
  ];
  if (sample.flags.includes('no-step-missed')) parts.push('FLAGGED: no step missed the cache');
  if (edit !== undefined) parts.push(edit);
  return parts.join(' · ');
}

/** `first miss: step 6 COPY . . — app.py changed (edit "code")`; the cause left out for a cold build. */
function missPart(sample: BuildSample, step: number): string {
  const miss = sample.cacheMiss;
  if (miss === undefined || miss === null || miss.reason === 'no-cache') return `first miss: step ${step}`;
  return `first miss: step ${step} ${miss.instruction} — ${miss.because}`;
}
