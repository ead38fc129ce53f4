/** Puts a run's facts together in the result contract. Pure. */
import { VERSION } from '../version.js';
import { summarize } from './summarize.js';
import { RESULT_SCHEMA_VERSION, type BaseRecord, type MachineFacts, type RepetitionRecord, type RunNote, type Sample, type ScenarioRecord, type SuiteResult } from './types.js';
import { warningsFor, type RunConditions } from './warnings.js';

export interface RunFacts {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  complete: boolean;
  machine: MachineFacts;
  scenario: ScenarioRecord;
  packageIndex: SuiteResult['packageIndex'];
  bases: BaseRecord[];
  samples: readonly Sample[];
  /** the load on the machine when the run began */
  conditions: RunConditions;
  notes?: readonly RunNote[];
  repetitions?: RepetitionRecord;
}

export function assembleResult(facts: RunFacts): SuiteResult {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'layerbench', version: VERSION },
    runId: facts.runId,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    complete: facts.complete,
    machine: facts.machine,
    machines: [facts.machine],
    scenario: facts.scenario,
    packageIndex: facts.packageIndex,
    bases: facts.bases,
    samples: [...facts.samples],
    summary: summarize(facts.samples),
    warnings: warningsFor(facts.samples, facts.conditions),
    ...(facts.repetitions === undefined ? {} : { repetitions: facts.repetitions }),
    ...(facts.notes === undefined || facts.notes.length === 0 ? {} : { notes: [...facts.notes] }),
  };
}
