/**
 * How layerbench marks what it makes, so that cleanup removes exactly that and nothing else:
 * containers, networks and volumes it starts carry the run's label; images it builds carry a
 * run-specific tag (a build label would cost build time, see docker-engine.ts).
 */
export const RUN_LABEL = 'layerbench.run';
export const VARIANT_LABEL = 'layerbench.variant';
/** The repository prefix of every image a run builds: `layerbench-run/<variant>:<runId>`. */
export const RUN_IMAGE_REPOSITORY = 'layerbench-run';

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [RUN_LABEL]: runId, ...extra };
}

/** `layerbench.run=<runId>`, or any run when no id is given. */
export function runLabelFilter(runId?: string): string {
  return runId === undefined ? RUN_LABEL : `${RUN_LABEL}=${runId}`;
}

export function runImageTag(variant: string, runId: string): string {
  return `${RUN_IMAGE_REPOSITORY}/${variant}:${runId}`;
}

/** The tag of one kept sample image (`--keep-images`): the run's tag plus what the sample was. */
export function keptImageTag(variant: string, runId: string, sample: string): string {
  return `${runImageTag(variant, runId)}-${sample}`.slice(0, RUN_IMAGE_REPOSITORY.length + 1 + variant.length + 1 + 128);
}

/** Run ids look like `20261125-163012-a1b2` (see newRunId). */
export const RUN_ID_PATTERN = '\\d{8}-\\d{6}-[0-9a-f]{4}';

/** The run id in a run image's tag (`layerbench-run/naive:20261125-163012-a1b2[-…]`). */
export function runIdOfTag(tag: string): string | undefined {
  const match = new RegExp(`^${RUN_IMAGE_REPOSITORY}/[^:]+:(${RUN_ID_PATTERN})(?:-.*)?$`).exec(tag);
  return match?.[1];
}
