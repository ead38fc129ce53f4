/** GitHub Actions shows what a step appends to $GITHUB_STEP_SUMMARY on the run's page. */
import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writingInto } from '../disk-space.js';

export function stepSummaryOf(env: NodeJS.ProcessEnv): string | undefined {
  const file = env['GITHUB_STEP_SUMMARY'];
  return file === undefined || file === '' ? undefined : file;
}

export function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): void {
  const file = stepSummaryOf(env);
  if (file !== undefined) writingInto(dirname(file), () => appendFileSync(file, `${markdown}\n`));
}
