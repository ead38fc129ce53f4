/** Turns a run's events into progress lines: a live status on a terminal, notes that stay. */
import type { RunEvent } from '../run/run-scenario.js';
import type { BuildLabel } from '../measure/suite-events.js';
import type { BuildSample } from '../result/types.js';
import { displayPath } from '../display-path.js';
import { DaemonUnavailableError } from '../errors.js';
import { formatBytes, formatMs } from '../report/format.js';
import { VERSION } from '../version.js';
import type { Progress } from './progress.js';

export function showRunEvent(event: RunEvent, progress: Progress): void {
  switch (event.type) {
    case 'run-started': {
      const warmup = event.warmup > 0 ? ` (+${event.warmup} warm-up)` : '';
      progress.note(
        `layerbench ${VERSION} · run ${event.runId} · scenario ${event.scenario}: ${count(event.variants, 'variant')} × ${count(event.edits, 'edit')} × ${count(event.reps, 'rep')}${warmup} · ${event.builder} builder`,
      );
      return;
    }
    case 'note':
      progress.note(event.text);
      return;
    case 'build-started':
      progress.status(`${describe(event.build)} · preparing (${event.position}/${event.total})`);
      return;
    case 'step-started':
      progress.status(`${describe(event.build)} · step ${event.index}/${event.of} ${event.instruction}`);
      return;
    case 'health-check':
      progress.status(`${describe(event.build)} · starting the image for its health check`);
      return;
    case 'sample':
      progress.note(sampleLine(event.sample, event.editSummary));
      return;
    case 'unrecorded-build':
      progress.note(`  ${describe(event.build)}: ${formatMs(event.wallMs)} (not recorded)`);
      return;
    case 'result-written':
      progress.done();
      progress.note(`${event.complete ? 'result' : 'partial result'}: ${displayPath(event.file)} (${count(event.samples, 'sample')})`);
      return;
    case 'cleanup-failed': {
      const reason = event.error instanceof DaemonUnavailableError ? 'the daemon does not answer' : event.error instanceof Error ? event.error.message : String(event.error);
      progress.note(`could not remove ${event.what}: ${reason}; \`layerbench clean\` will`);
      return;
    }
  }
}

function describe(build: BuildLabel): string {
  const what = build.edit === 'none' ? (build.phase === 'cold' ? 'cold build' : 'first build') : build.edit;
  const rep = build.phase === 'warm' ? ` rep ${build.rep}/${build.of}` : build.phase === 'warmup' ? ` warm-up ${build.rep}/${build.of}` : '';
  return `${build.variant} · ${what}${rep}`;
}

function sampleLine(sample: BuildSample, edit: string | undefined): string {
  const step = sample.steps.find((s) => s.index === sample.firstMissStep);
  const parts = [
    `  ${sample.variant.padEnd(12)} ${(sample.phase === 'cold' ? 'cold' : `${sample.edit} #${sample.rep}`).padEnd(16)} ${formatMs(sample.wallMs).padStart(8)}`,
    step === undefined ? 'all steps cached' : `first miss: step ${step.index}`,
    `new ${formatBytes(sample.layers.newBytes)}`,
    sample.health === null ? 'health not checked' : sample.health.ok ? `healthy in ${formatMs(sample.health.timeToHealthyMs)}` : `UNHEALTHY: ${sample.health.reason}`,
  ];
  if (sample.flags.includes('no-step-missed')) parts.push('FLAGGED: no step missed the cache');
  if (edit !== undefined) parts.push(edit);
  return parts.join(' · ');
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
