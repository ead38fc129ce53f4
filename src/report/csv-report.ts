/** results.csv (one row per sample), steps.csv (one row per step of each sample) and pulls.csv (one row per layer of each pull), for spreadsheets and pandas. */
import { stringify } from 'csv-stringify/sync';
import { buildSamplesOf, pullSamplesOf } from '../result/sample-kinds.js';
import type { SuiteResult } from '../result/types.js';

/** pulls.csv: one row per layer of each pull of the pull experiment; the pull's own fields repeat on each of its rows. */
export function pullsCsv(result: SuiteResult): string {
  return stringify(
    pullSamplesOf(result.samples).flatMap((s) =>
      s.layers.map((layer) => ({
        run_id: result.runId,
        case: s.case,
        image: s.image,
        rep: s.rep,
        pull_ms: s.wallMs,
        bytes_over_link: s.bytesOverLink ?? '',
        layer: layer.digest,
        tier: layer.tier ?? '',
        compressed_bytes: layer.compressedBytes ?? '',
        status: layer.status,
        download_ms: layer.downloadMs ?? '',
        extract_ms: layer.extractMs ?? '',
        // results before sweeps ran every pull at the one link of the setup
        bandwidth: s.bandwidth ?? result.pull?.link.bandwidth ?? '',
        last_byte_ms: s.lastByteMs ?? '',
        extract_tail_ms: s.extractTailMs ?? '',
      })),
    ),
    { header: true, columns: PULL_COLUMNS },
  );
}

export function samplesCsv(result: SuiteResult): string {
  return stringify(
    buildSamplesOf(result.samples).map((s) => {
      const miss = s.steps.find((step) => step.index === s.firstMissStep);
      return {
        run_id: result.runId,
        machine: s.machine,
        variant: s.variant,
        builder: s.builder,
        edit: s.edit,
        phase: s.phase,
        rep: s.rep,
        wall_ms: s.wallMs,
        first_miss_step: s.firstMissStep ?? '',
        first_miss_instruction: miss?.instruction ?? '',
        steps: s.steps.length,
        steps_cached: s.steps.filter((step) => step.cached).length,
        layers: s.layers.total,
        layers_reused: s.layers.reused,
        reused_bytes: s.layers.reusedBytes,
        new_bytes: s.layers.newBytes,
        image_id: s.image.id,
        image_bytes: s.image.sizeBytes,
        layer_count: s.image.layerCount,
        healthy: s.health === null ? '' : s.health.ok,
        time_to_healthy_ms: s.health?.ok === true ? s.health.timeToHealthyMs : '',
        flags: s.flags.join(' '),
        started_at: s.startedAt,
        context_sha256: s.provenance.contextSha256 ?? '',
      };
    }),
    { header: true, columns: SAMPLE_COLUMNS, cast: { boolean: (value) => String(value) } },
  );
}

export function stepsCsv(result: SuiteResult): string {
  return stringify(
    buildSamplesOf(result.samples).flatMap((s) =>
      s.steps.map((step) => ({
        run_id: result.runId,
        variant: s.variant,
        builder: s.builder,
        edit: s.edit,
        phase: s.phase,
        rep: s.rep,
        step: step.index,
        stage: step.stage ?? '',
        line: step.line ?? '',
        instruction: step.instruction,
        cached: step.cached,
        duration_ms: step.durationMs,
      })),
    ),
    { header: true, columns: STEP_COLUMNS, cast: { boolean: (value) => String(value) } },
  );
}

// The header is written even when there is no row.
const SAMPLE_COLUMNS = [
  'run_id', 'machine', 'variant', 'builder', 'edit', 'phase', 'rep', 'wall_ms', 'first_miss_step', 'first_miss_instruction', 'steps', 'steps_cached',
  'layers', 'layers_reused', 'reused_bytes', 'new_bytes', 'image_id', 'image_bytes', 'layer_count', 'healthy', 'time_to_healthy_ms', 'flags', 'started_at', 'context_sha256',
];
const PULL_COLUMNS = ['run_id', 'case', 'image', 'rep', 'pull_ms', 'bytes_over_link', 'layer', 'tier', 'compressed_bytes', 'status', 'download_ms', 'extract_ms', 'bandwidth', 'last_byte_ms', 'extract_tail_ms'];
const STEP_COLUMNS = ['run_id', 'variant', 'builder', 'edit', 'phase', 'rep', 'step', 'stage', 'line', 'instruction', 'cached', 'duration_ms'];
