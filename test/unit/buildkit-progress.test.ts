import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { BuildkitProgressDecoder } from '../../src/engine/buildkit-progress.js';
import { decodeStatusResponse } from '../../src/engine/buildkit-trace.js';
import { firstMissStep, type DecodedBuild } from '../../src/engine/build-trace.js';
import { type StepEvent, lastReportedImageId, loadFixture, replayWithEvents } from './support/replay-fixture.js';

function decode(name: string): { build: DecodedBuild; events: StepEvent[] } {
  return replayWithEvents(name, (onStep) => new BuildkitProgressDecoder(onStep));
}

const INSTALL = /pip3? install/;

function expectSaneSteps(build: DecodedBuild): void {
  for (const step of build.steps) {
    expect(Number.isFinite(step.durationMs)).toBe(true);
    expect(step.durationMs).toBeGreaterThanOrEqual(0);
    // the `[N/M]` / `[stage N/M]` prefix is gone, BuildKit's own vertexes are not steps
    expect(step.instruction).toMatch(/^[A-Z]+ /);
    expect(step.instruction).not.toMatch(/internal|exporting to image|copy \/context/);
  }
  const indexes = build.steps.map((s) => s.index);
  expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
  expect(new Set(indexes).size).toBe(indexes.length);
}

describe('decodeStatusResponse', () => {
  it('decodes a recorded moby.buildkit.trace payload into plain objects', () => {
    const traces = loadFixture('buildkit-cold').flatMap(({ msg }) => {
      const raw = msg as { id?: unknown; aux?: unknown };
      return raw.id === 'moby.buildkit.trace' && typeof raw.aux === 'string' ? [decodeStatusResponse(raw.aux)] : [];
    });
    expect(traces.length).toBeGreaterThan(0);
    const vertexes = traces.flatMap((t) => t.vertexes);
    expect(vertexes.every((v) => /^sha256:[0-9a-f]{64}$/.test(v.digest))).toBe(true);
    const names = new Set(vertexes.map((v) => v.name));
    expect(names).toContain('[1/6] FROM docker.io/lbexp/pyroot:1');
    expect([...names].some((n) => n.startsWith('[internal] '))).toBe(true);
    const done = vertexes.filter((v) => v.startedMs !== undefined && v.completedMs !== undefined);
    expect(done.length).toBeGreaterThan(0);
    for (const v of done) expect(v.completedMs! - v.startedMs!).toBeGreaterThanOrEqual(0);
    const logs = traces.flatMap((t) => t.logs);
    expect(logs.map((l) => Buffer.from(l.msg).toString('utf8')).join('')).toContain('app version');
    expect(logs.every((l) => l.stream === 1 || l.stream === 2)).toBe(true);
  });

  it('rejects a payload that is not a StatusResponse', () => {
    expect(() => decodeStatusResponse(Buffer.from([0x0a, 0xff, 0xff, 0xff]).toString('base64'))).toThrow();
  });
});

describe('BuildkitProgressDecoder on recorded BuildKit streams', () => {
  it('decodes a cold build: the Dockerfile steps in order, no RUN or COPY cached', () => {
    const { build, events } = decode('buildkit-cold');
    expect(build.failure).toBeUndefined();
    expect(build.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(build.imageId).toBe(lastReportedImageId('buildkit-cold'));
    expect(build.steps.map((s) => s.instruction)).toEqual([
      'FROM docker.io/lbexp/pyroot:1',
      'WORKDIR /app',
      'COPY requirements.txt .',
      `RUN python3 -c "print('pip install -r requirements.txt: installing (simulated)')" && sleep 1`,
      'COPY app.py .',
      `RUN python3 -c "import app; print('app version', app.VERSION)"`,
    ]);
    expect(build.steps.map((s) => s.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(build.steps[0]?.cached).toBe(true);
    expect(build.steps.filter((s) => /^(RUN|COPY) /.test(s.instruction) && s.cached)).toEqual([]);
    // BuildKit (Engine 20.10) applies `nocache` to RUN and COPY but still reports WORKDIR's
    // directory creation as cached when an earlier build made it: the first miss may be step 3
    const firstRun = build.steps.find((s) => /^RUN /.test(s.instruction));
    expect(firstMissStep(build.steps)).not.toBeNull();
    expect(firstMissStep(build.steps)).toBeLessThanOrEqual(firstRun?.index ?? 0);
    expect(events).toEqual(build.steps.map((s) => ({ index: s.index, total: 6, instruction: s.instruction })));
    // the `sleep 1` step took longest, by BuildKit's own clock
    const install = build.steps.find((s) => INSTALL.test(s.instruction));
    expect(Math.max(...build.steps.map((s) => s.durationMs))).toBe(install?.durationMs);
    expect(build.logTail).toContain('app version 1');
    expectSaneSteps(build);
  });

  it('decodes a failing RUN: the failure names the step and the exit code, the tail has its output', () => {
    const { build } = decode('buildkit-failure');
    expect(build.imageId).toBeUndefined();
    expect(build.failure).toBeDefined();
    expect(build.failure?.step).toBe('[3/4] RUN echo about to fail && exit 3');
    expect(build.failure?.message).toMatch(/exit code: 3\b/);
    expect(build.logTail).toContain('about to fail');
    expect(build.logTail.length).toBeLessThanOrEqual(25);
    // the vertex's error and the daemon's errorDetail say the same: once in the tail
    expect(build.logTail.filter((line) => /exit code: 3/.test(line))).toHaveLength(1);
    const failed = build.steps.at(-1);
    expect(failed?.instruction).toBe('RUN echo about to fail && exit 3');
    expect(failed?.cached).toBe(false);
    // announced by BuildKit, never started: not a step that ran
    expect(build.steps.some((s) => /never reached/.test(s.instruction))).toBe(false);
    expectSaneSteps(build);
  });

  it('decodes a multi-stage build: steps of both stages, totals per stage, the final image id', () => {
    const { build, events } = decode('buildkit-multistage');
    expect(build.failure).toBeUndefined();
    expect(build.imageId).toBe(lastReportedImageId('buildkit-multistage'));
    const instructions = build.steps.map((s) => s.instruction);
    expect(instructions).toEqual(
      expect.arrayContaining([
        'FROM docker.io/lbexp/pyroot:1',
        'RUN mkdir -p /opt/x && echo built > /opt/x/y',
        'COPY hello.txt /opt/x/hello.txt',
        'COPY --from=build /opt/x /opt/x',
        'RUN cat /opt/x/y /opt/x/hello.txt',
      ]),
    );
    expect(build.steps.filter((s) => !/^FROM /.test(s.instruction) && s.cached)).toEqual([]);
    expect(new Set(events.map((e) => e.total))).toEqual(new Set([3]));
    expect(build.logTail).toEqual(expect.arrayContaining(['built', 'hello']));
    expectSaneSteps(build);
  });
});

/** Hand-encodes a StatusResponse (field numbers as in BuildKit's control.proto). */
function trace(parts: { vertexes?: SyntheticVertex[]; logs?: { vertex: string; msg: string }[] }): { id: string; aux: string } {
  const w = protobuf.Writer.create();
  const timestamp = (field: number, ms: number): void => {
    w.uint32((field << 3) | 2).fork();
    w.uint32(8).int64(Math.floor(ms / 1000));
    w.uint32(16).int32(Math.round((ms % 1000) * 1e6));
    w.ldelim();
  };
  for (const v of parts.vertexes ?? []) {
    w.uint32((1 << 3) | 2).fork();
    w.uint32(10).string(v.digest);
    w.uint32(26).string(v.name);
    if (v.cached === true) w.uint32(32).bool(true);
    if (v.startedMs !== undefined) timestamp(5, v.startedMs);
    if (v.completedMs !== undefined) timestamp(6, v.completedMs);
    if (v.error !== undefined) w.uint32(58).string(v.error);
    w.ldelim();
  }
  for (const l of parts.logs ?? []) {
    w.uint32((3 << 3) | 2).fork();
    w.uint32(10).string(l.vertex);
    w.uint32(24).int64(1);
    w.uint32(34).bytes(Buffer.from(l.msg, 'utf8'));
    w.ldelim();
  }
  return { id: 'moby.buildkit.trace', aux: Buffer.from(w.finish()).toString('base64') };
}

interface SyntheticVertex {
  digest: string;
  name: string;
  cached?: boolean;
  startedMs?: number;
  completedMs?: number;
  error?: string;
}

describe('BuildkitProgressDecoder on synthetic traces', () => {
  const A = `sha256:${'a'.repeat(64)}`;
  const B = `sha256:${'b'.repeat(64)}`;
  const T0 = 1_700_000_000_000;

  it('joins log lines split across messages and measures an unfinished step on the stream clock', () => {
    const decoder = new BuildkitProgressDecoder();
    const push = (message: object, at: number): void => decoder.push(message as never, at);
    push(trace({ vertexes: [{ digest: A, name: '[1/2] RUN ./build.sh' }, { digest: B, name: '[2/2] RUN ./test.sh' }] }), 0);
    push(trace({ vertexes: [{ digest: A, name: '[1/2] RUN ./build.sh', startedMs: T0 }] }), 10);
    push(trace({ logs: [{ vertex: A, msg: 'first li' }] }), 20);
    push(trace({ logs: [{ vertex: A, msg: 'ne\nprogress 10%\rprogress 100%\nno newline' }] }), 30);
    push(trace({ vertexes: [{ digest: A, name: '[1/2] RUN ./build.sh', startedMs: T0, completedMs: T0 + 2500 }] }), 40);
    push(trace({ vertexes: [{ digest: B, name: '[2/2] RUN ./test.sh', startedMs: T0 + 2600 }] }), 50);
    const build = decoder.finish(450);
    expect(build.logTail).toEqual(['[1/2] RUN ./build.sh', 'first line', 'progress 100%', 'no newline', '[2/2] RUN ./test.sh']);
    expect(build.steps).toEqual([
      { index: 1, instruction: 'RUN ./build.sh', cached: false, durationMs: 2500, stage: null, line: null, vertex: { digest: A, inputs: [] } },
      { index: 2, instruction: 'RUN ./test.sh', cached: false, durationMs: 400, stage: null, line: null, vertex: { digest: B, inputs: [] } },
    ]);
    expect(build.failure).toBeUndefined();
    expect(build.imageId).toBeUndefined();
  });

  it('blames the step that failed, not the one BuildKit canceled, even without an errorDetail', () => {
    const decoder = new BuildkitProgressDecoder();
    const push = (message: object, at: number): void => decoder.push(message as never, at);
    push(trace({ vertexes: [{ digest: A, name: '[a 2/2] RUN false', startedMs: T0, completedMs: T0 + 5, error: 'exit code: 1' }] }), 0);
    push(trace({ vertexes: [{ digest: B, name: '[b 2/2] RUN sleep 9', startedMs: T0, completedMs: T0 + 6, error: 'context canceled' }] }), 1);
    const build = decoder.finish(2);
    expect(build.failure).toEqual({ step: '[a 2/2] RUN false', message: 'exit code: 1' });
    expect(build.steps.map((s) => s.cached)).toEqual([false, false]);
  });
});
