/** What the suite runner tells its caller as it goes (the CLI draws progress from these). */
import type { Builder, BuildSample, RepetitionStop } from '../result/types.js';
import type { PlannedPhase } from './plan.js';

/** Which build this is, in words a progress line can use. */
export interface BuildLabel {
  variant: string;
  /** set when the run measures under several builders (it is then worth saying which) */
  builder: Builder | undefined;
  /** `none` for the first build of a variant */
  edit: string;
  phase: PlannedPhase;
  rep: number;
  /** how many of this phase there are (reps or warm-ups) */
  of: number;
}

export type SuiteEvent =
  /** `total` counts every build the run can make; `adaptive`: groups may stop before it */
  | { type: 'build-started'; build: BuildLabel; position: number; total: number; adaptive: boolean }
  | { type: 'step-started'; build: BuildLabel; index: number; of: number; instruction: string }
  | { type: 'health-check'; build: BuildLabel }
  /** `target`: where the group stands against --target-ci (half-width null below n = 6) */
  | { type: 'sample'; sample: BuildSample; editSummary: string | undefined; build: BuildLabel; target?: { halfWidth: number | null; target: number } }
  | { type: 'group-stopped'; stop: RepetitionStop; target: number | null }
  | { type: 'unrecorded-build'; build: BuildLabel; wallMs: number };
