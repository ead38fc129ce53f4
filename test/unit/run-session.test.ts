/**
 * The run session every command that measures runs in: it resolves with the result, where it
 * went and the reports, or throws RunEndedEarly carrying all three beside the error that
 * ended the run; whatever happens, it writes the final result.json before it releases, and
 * releases everything (the run record, scratch, the run's Docker objects) in reverse order.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLabels } from '../../src/engine/labels.js';
import { BuildFailedError, InterruptedError } from '../../src/errors.js';
import { assembleResult } from '../../src/result/assemble-result.js';
import type { BuildSample, SuiteResult } from '../../src/result/types.js';
import { RunRegistry } from '../../src/run/run-registry.js';
import { endingError, measureInSession, RunEndedEarly, withRunSession, type SessionEvent, type SessionSpec } from '../../src/run/run-session.js';
import { FakeEngine } from '../support/fake-engine.js';
import { makeSample } from './support/sample-factory.js';
import { makeTempDir, removeTempDirs } from './support/temp-dir.js';

const RUN_ID = '20261203-150000-abcd';
let root: string;
let engine: FakeEngine;
let events: SessionEvent[];

beforeEach(() => {
  root = makeTempDir();
  engine = new FakeEngine();
  events = [];
});

afterEach(async () => {
  await engine.close();
  removeTempDirs();
});

async function spec(extra: Partial<SessionSpec> = {}): Promise<SessionSpec> {
  return {
    engine,
    registry: new RunRegistry(join(root, 'state')),
    runId: RUN_ID,
    startedAt: new Date('2026-12-03T15:00:00Z'),
    facts: await engine.system.facts(),
    indexPort: null,
    exclusive: true,
    scratchParent: root,
    keepImages: false,
    signal: new AbortController().signal,
    emit: (event) => events.push(event),
    ...extra,
  };
}

function output(reports: 'reports' | 'no reports' = 'reports') {
  return {
    outDir: join(root, 'out'),
    noun: 'sample',
    reports: reports === 'reports' ? {} : undefined,
    assemble: (complete: boolean, samples: readonly BuildSample[]): SuiteResult =>
      assembleResult({
        runId: RUN_ID,
        startedAt: new Date('2026-12-03T15:00:00Z'),
        finishedAt: new Date('2026-12-03T15:01:00Z'),
        complete,
        machine: { id: 'FAKE', cpus: 2, memoryBytes: 1, engineVersion: '20.10', apiVersion: '1.41', storageDriver: 'overlay2', os: 'linux', endpoint: 'unix' },
        scenario: { name: 's', file: null, sha256: 'x', builder: 'classic', reps: 1, warmup: 0, cold: false, baseline: 'naive', variants: [], edits: [] },
        packageIndex: { mode: 'none', urls: [] },
        bases: [],
        samples,
        conditions: { loadAverageAtStart: null, cpus: 2 },
      }),
  };
}

const scratchDirs = (): string[] => readdirSync(root).filter((name) => name.startsWith(`layerbench-${RUN_ID}-`));
const types = (): string[] => events.map((e) => e.type);

describe('a run session', () => {
  it('resolves with the result, where it went and the reports; result.json, samples.jsonl and report.md are written; nothing is left', async () => {
    const registry = new RunRegistry(join(root, 'state'));
    const outcome = await measureInSession(await spec({ registry }), output(), async (session) => {
      expect(registry.runs().map((r) => r.runId)).toEqual([RUN_ID]);
      expect(scratchDirs()).toHaveLength(1);
      session.openOutput();
      session.record(makeSample({ variant: 'naive', edit: 'code', rep: 1 }));
    });
    expect(outcome.outDir).toBe(join(root, 'out'));
    expect(outcome.result.complete).toBe(true);
    expect(outcome.result.samples).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(root, 'out', 'result.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(outcome.result)));
    expect(readFileSync(join(root, 'out', 'samples.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(outcome.reports?.files).toContain(join(root, 'out', 'report.md'));
    expect(outcome.reports?.comparison.sections.length).toBeGreaterThan(0);
    expect(types()).toEqual(['result-written', 'reports-written']);
    expect(events[0]).toMatchObject({ line: `result: ${join(root, 'out', 'result.json')} (1 sample)` });
    expect(registry.runs()).toEqual([]);
    expect(scratchDirs()).toEqual([]);
  });

  it('without report options writes result.json and samples.jsonl only', async () => {
    const outcome = await measureInSession(await spec(), output('no reports'), async (session) => session.openOutput());
    expect(outcome.reports).toBeUndefined();
    expect(readdirSync(join(root, 'out')).sort()).toEqual(['result.json', 'samples.jsonl']);
    expect(types()).toEqual(['result-written']);
  });

  it('a run that fails throws RunEndedEarly carrying the error, the partial result and where it went; the partial reports are written', async () => {
    const failure = new BuildFailedError('naive', 'RUN false', 'exit 1', []);
    const ended = await measureInSession(await spec(), output(), async (session) => {
      session.openOutput();
      session.record(makeSample({ variant: 'naive', edit: 'code', rep: 1 }));
      throw failure;
    }).catch((err: unknown) => err);
    expect(ended).toBeInstanceOf(RunEndedEarly);
    const early = ended as RunEndedEarly;
    expect(early.cause).toBe(failure);
    expect(endingError(early)).toBe(failure);
    expect(early.outDir).toBe(join(root, 'out'));
    expect(early.result?.complete).toBe(false);
    expect(early.result?.samples).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(root, 'out', 'result.json'), 'utf8')).complete).toBe(false);
    expect(existsSync(join(root, 'out', 'report.md'))).toBe(true);
    expect(events).toEqual([expect.objectContaining({ type: 'result-written', complete: false, samples: 1, line: `partial result: ${join(root, 'out', 'result.json')} (1 sample)` })]);
  });

  it('a run that fails before its output was opened leaves no output directory, and says where none went', async () => {
    const ended = (await measureInSession(await spec(), output(), async () => {
      throw new Error('no base');
    }).catch((err: unknown) => err)) as RunEndedEarly;
    expect(ended.outDir).toBeUndefined();
    expect(existsSync(join(root, 'out'))).toBe(false);
    expect(events).toEqual([]);
    expect(scratchDirs()).toEqual([]);
  });

  it('an interrupt is the error, whatever the work failed with once the signal fired', async () => {
    const controller = new AbortController();
    const ended = (await measureInSession(await spec({ signal: controller.signal }), output(), async () => {
      controller.abort();
      throw new Error('tar: broken pipe');
    }).catch((err: unknown) => err)) as RunEndedEarly;
    expect(ended.cause).toBeInstanceOf(InterruptedError);
  });

  it("removes the run's labelled objects, and reports what it could not release beside the run's error, after the result and in reverse order", async () => {
    await engine.networks.createNetwork(`layerbench-${RUN_ID}`, runLabels(RUN_ID));
    const released: string[] = [];
    const failure = new Error('the build broke');
    const ended = (await measureInSession(await spec(), output(), async (session) => {
      session.defer('first', () => void released.push('first'));
      session.defer('second', () => {
        released.push('second');
        throw new Error('busy');
      });
      session.openOutput();
      throw failure;
    }).catch((err: unknown) => err)) as RunEndedEarly;
    expect(ended.cause).toBe(failure);
    expect(released).toEqual(['second', 'first']);
    expect(types()).toEqual(['result-written', 'cleanup-failed']);
    expect(events[1]).toMatchObject({ what: 'second', line: 'could not remove second: busy; `layerbench clean` will' });
    expect(engine.log).toContainEqual(expect.stringMatching(/^networks\.removeNetwork /));
  });

  it('withRunSession holds the lock and scratch around work that writes no result, and releases them', async () => {
    const registry = new RunRegistry(join(root, 'state'));
    const value = await withRunSession(await spec({ registry }), async (session) => {
      expect(existsSync(session.scratch)).toBe(true);
      return 42;
    });
    expect(value).toBe(42);
    expect(registry.runs()).toEqual([]);
    expect(scratchDirs()).toEqual([]);
  });
});
