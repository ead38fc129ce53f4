/** Puts a run's facts together in the result contract (result-types.ts). Pure. */
import type { EngineFacts } from '../engine/docker-engine.js';
import { VERSION } from '../version.js';
import { RESULT_SCHEMA_VERSION, type BaseRecord, type Sample, type SuiteResult } from './result-types.js';
import { summarize } from './summarize.js';

export interface RunFacts {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  complete: boolean;
  engine: EngineFacts;
  scenario: { name: string; file: string };
  packageIndex: SuiteResult['packageIndex'];
  bases: BaseRecord[];
  samples: Sample[];
}

export function assembleResult(facts: RunFacts): SuiteResult {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'layerbench', version: VERSION },
    runId: facts.runId,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    complete: facts.complete,
    machine: {
      cpus: facts.engine.cpus,
      memoryBytes: facts.engine.memoryBytes,
      engineVersion: facts.engine.engineVersion,
      apiVersion: facts.engine.apiVersion,
      storageDriver: facts.engine.storageDriver,
      os: facts.engine.os,
    },
    scenario: facts.scenario,
    packageIndex: facts.packageIndex,
    bases: facts.bases,
    samples: facts.samples,
    summary: summarize(facts.samples),
  };
}
