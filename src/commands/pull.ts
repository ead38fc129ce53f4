/** `layerbench pull`: seed 001's pull experiment — wiring only. */
import { displayPath } from '../display-path.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { ExitCode } from '../errors.js';
import { runPullExperiment, type PullEvent } from '../pull/run-pull.js';
import { pullTable } from '../report/pull-table.js';
import { writeReports } from '../report/write-reports.js';
import type { PullOverrides } from '../scenario/pull-scenario.js';
import type { CliIo } from './cli-io.js';
import { cleanupFailedLine, reportPartial, resultWrittenLine } from './end-of-run.js';
import { withInterrupt } from './interrupt.js';
import { createProgress, type Progress } from './progress.js';
import { stepSummaryOf } from './step-summary.js';
import { formatBytes, formatMs } from '../report/format.js';

export interface PullCommandOptions {
  scenario: string;
  overrides: PullOverrides;
  out: string | undefined;
  indexPort: number;
  seed?: number | undefined;
  json: boolean;
}

export async function pullCommand(engine: () => DockerEngine, options: PullCommandOptions, io: CliIo): Promise<number> {
  const docker = engine();
  const progress = createProgress(io.stderr, Date.now(), io.env);
  let outDir: string | undefined;
  try {
    const result = await withInterrupt(
      (signal) =>
        runPullExperiment(options.scenario, {
          overrides: options.overrides,
          outDir: options.out,
          indexPort: options.indexPort,
          seed: options.seed,
          engine: docker,
          signal,
          onProgress: (event) => {
            if (event.type === 'result-written') outDir = event.file.replace(/\/result\.json$/, '');
            showPullEvent(event, progress);
          },
        }),
      (line) => progress.note(line),
    );
    progress.done();
    const written = writeReports(outDir ?? '.', result, { stepSummary: stepSummaryOf(io.env) });
    progress.note(`reports: ${written.files.map(displayPath).join(', ')}`);
    io.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `\n${pullTable(result)}\n`);
    return result.samples.some((s) => s.health !== null && !s.health.ok) ? ExitCode.failure : ExitCode.ok;
  } catch (err) {
    progress.done();
    if (outDir !== undefined) reportPartial(outDir, {}, progress.note);
    throw err;
  }
}

function showPullEvent(event: PullEvent, progress: Progress): void {
  switch (event.type) {
    case 'note':
      progress.note(event.text);
      return;
    case 'status':
      progress.status(event.text);
      return;
    case 'pull-sample': {
      const s = event.sample;
      const health = s.health === null ? '' : s.health.ok ? ` · answers in ${formatMs(s.health.timeToHealthyMs)}` : ` · UNHEALTHY: ${s.health.reason}`;
      progress.note(`  ${s.case.padEnd(22)} #${s.rep}  ${formatMs(s.wallMs).padStart(8)} · downloaded ${formatBytes(s.downloadedBytes)} · over the link ${s.bytesOverLink === null ? '–' : formatBytes(s.bytesOverLink)}${health}`);
      return;
    }
    case 'result-written':
      progress.done();
      progress.note(resultWrittenLine(event, 'pull'));
      return;
    case 'cleanup-failed':
      progress.note(cleanupFailedLine(event.what, event.error));
      return;
  }
}
