/** `layerbench pull`: seed 001's pull experiment — wiring only. */
import { fileURLToPath } from 'node:url';
import { DEFAULT_INDEX_PORT } from '../package-index/package-index.js';
import { defineCommand } from './command-module.js';
import { indexPortOption, jsonOption, outOption, repsOption, scenarioOption, seedOption } from './shared-options.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { ExitCode } from '../errors.js';
import { runPullSession, type PullEvent } from '../pull/run-pull.js';
import type { RunOutcome } from '../run/run-session.js';
import { describeLink, pullTable } from '../report/pull-table.js';
import type { PullOverrides } from '../scenario/pull-scenario.js';
import type { CliIo } from './cli-io.js';
import { withInterrupt } from './interrupt.js';
import { createProgress, type Progress } from './progress.js';
import { stepSummaryOf } from './step-summary.js';
import { formatBytes, formatMs } from '../format.js';

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
  let outcome: RunOutcome;
  try {
    outcome = await withInterrupt(
      (signal) =>
        runPullSession(options.scenario, {
          overrides: options.overrides,
          outDir: options.out,
          indexPort: options.indexPort,
          seed: options.seed,
          engine: docker,
          signal,
          env: io.env,
          reports: { stepSummary: stepSummaryOf(io.env) },
          onProgress: (event) => showPullEvent(event, progress),
        }),
      (line) => progress.note(line),
    );
  } finally {
    progress.done();
  }
  const { result } = outcome;
  io.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `\n${pullTable(result)}\n`);
  return result.samples.some((s) => s.health !== null && !s.health.ok) ? ExitCode.failure : ExitCode.ok;
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
      const link = s.bandwidth === undefined ? '' : `${describeLink(s.bandwidth).padStart(11)} `;
      progress.note(`  ${s.case.padEnd(22)} ${link}#${s.rep}  ${formatMs(s.wallMs).padStart(8)} · downloaded ${formatBytes(s.downloadedBytes)} · over the link ${s.bytesOverLink === null ? '–' : formatBytes(s.bytesOverLink)}${health}`);
      return;
    }
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

const BUNDLED_PULL_SCENARIO = fileURLToPath(new URL('../../scenarios/pull.yaml', import.meta.url));

export const pullModule = defineCommand({
  command: 'pull',
  describe: "Reproduce seed 001's pull experiment: shared base tiers, a local registry, fresh hosts, a shaped link",
  builder: (y) =>
    y
      .option('scenario', { ...scenarioOption('pull scenario file (YAML)', 'the bundled scenarios/pull.yaml'), default: BUNDLED_PULL_SCENARIO })
      .option('scale', { type: 'string', requiresArg: true, describe: "the scenario's scale: default (a few hundred MB, for CI) or article (≈ 1.8 GB of tiers, ≈ 1.9 GB app)" })
      .option('reps', repsOption("pulls per case, 1–20 (default: the scenario's)"))
      .option('bandwidth', {
        type: 'string',
        requiresArg: true,
        describe: "the registry → host link: 100mbit, 1gbit, 512kbit, or unlimited; several, comma-separated, are a sweep: every case at each rate in one run, on the same images (default: the scenario's)",
      })
      .option('latency', { type: 'string', requiresArg: true, describe: "latency added on the link, e.g. 20ms, or none, with tc netem (refused where the kernel has no netem; default: the scenario's, added where it can be)" })
      .option('shape', { choices: ['registry', 'client'] as const, describe: "where the bandwidth is shaped: registry, the registry's egress (where the bytes leave); client, each fresh host's ingress through ifb, for links where the host is the bottleneck (default: the scenario's, registry)" })
      .option('fresh-host', { choices: ['auto', 'privileged', 'capabilities'] as const, describe: 'how the Docker-in-Docker hosts run (auto: privileged where that works)' })
      .option('seed', seedOption('seeds the order of the four cases in each repetition (default: a random one; the result records it)'))
      .option('out', outOption('results/pull-<runId>/'))
      .option('index-port', indexPortOption('the tiers install Python packages'))
      .option('json', jsonOption('print result.json to stdout instead of the table'))
      .epilogue(
        'Pulls App2 onto a fresh host that holds App1 (with base), onto an empty one (without base), the base tiers alone, and monolithic App2 onto a host holding monolithic App1; ' +
          'per pull: time, each layer (downloaded or present, download and extract time), the bytes that crossed the link, the time until the app answers.',
      )
      .example('$0 pull', 'the default scale over 100 Mbit/s, 3 pulls per case')
      .example('$0 pull --scale article', "the article's sizes, over the link the scale names")
      .example('$0 pull --bandwidth 20mbit,100mbit,1gbit', 'a sweep: the fixed cost and throughput of each case, fitted across the three links'),
  handler: (args, { engine, io }) =>
    pullCommand(
      engine,
      {
        scenario: args.scenario,
        overrides: { scale: args.scale, reps: args.reps, bandwidth: args.bandwidth, latency: args.latency, shape: args.shape, freshHost: args['fresh-host'] },
        out: args.out,
        indexPort: args['index-port'] ?? DEFAULT_INDEX_PORT,
        seed: args.seed,
        json: args.json,
      },
      io,
    ),
});
