/** The labels layerbench puts on what it creates; cleanup only ever removes labelled objects. */
export const RUN_LABEL = 'layerbench.run';
export const VARIANT_LABEL = 'layerbench.variant';

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [RUN_LABEL]: runId, ...extra };
}

/** `layerbench.run=<runId>`, or any run when no id is given. */
export function runLabelFilter(runId?: string): string {
  return runId === undefined ? RUN_LABEL : `${RUN_LABEL}=${runId}`;
}
