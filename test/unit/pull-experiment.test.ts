/**
 * The pull experiment without Docker: a fake engine stands in for the daemon, its helper
 * containers (the registry, the fresh hosts) and the fresh hosts' own daemons. What the
 * experiment builds, pushes and pulls, in which order, what result.json records, and what it
 * leaves — after success, a failure mid-way, and an interrupt. The package index is stubbed
 * (no probe of PyPI from a unit spec), counting how often PyPI would be probed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineError, HelperContainerError, InterruptedError, PackageIndexError } from '../../src/errors.js';
import { seededShuffle } from '../../src/measure/seeded-shuffle.js';
import type { IndexChoice } from '../../src/package-index/package-index.js';
import { PULL_CASES, runPullExperiment, runPullSession, type PullEvent, type PullOptions } from '../../src/pull/run-pull.js';
import { readResult } from '../../src/result/read-result.js';
import { pullSamplesOf } from '../../src/result/sample-kinds.js';
import type { PullCase, PullSample, SuiteResult } from '../../src/result/types.js';
import { RunRegistry } from '../../src/run/run-registry.js';
import { RunEndedEarly } from '../../src/run/run-session.js';
import { FakeEngine } from '../support/fake-engine.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

/** What the stubbed package index saw: each probe of PyPI, each index served and with which choice, each closed. */
const index = vi.hoisted(() => ({ choices: [] as IndexChoice[], probes: 0, served: [] as { port: number; choice: IndexChoice | undefined }[], closed: 0 }));

vi.mock('../../src/package-index/package-index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/package-index/package-index.js')>();
  const chooseIndex = async (): Promise<IndexChoice> => {
    index.probes += 1;
    return index.choices.shift() ?? { mode: 'pypi', directories: [] };
  };
  // as the real one: without a choice it probes again
  const preparePackageIndex = async (port: number, choice?: IndexChoice): Promise<Awaited<ReturnType<typeof actual.preparePackageIndex>>> => {
    index.served.push({ port, choice });
    const chosen = choice ?? (await chooseIndex());
    const close = async (): Promise<void> => {
      index.closed += 1;
    };
    if (chosen.mode !== 'local') return { mode: chosen.mode, urls: [], bitsPerSecond: null, buildArgs: {}, close };
    const url = `http://127.0.0.1:${port}/wheels/`;
    return { mode: 'local', urls: [url], bitsPerSecond: null, buildArgs: { PIP_INDEX_URL: url, PIP_TRUSTED_HOST: '127.0.0.1' }, close };
  };
  return { ...actual, chooseIndex, preparePackageIndex };
});

const LOCAL: IndexChoice = { mode: 'local', directories: ['/srv/wheels'] };
const TIER_IMAGES = ['f1', 'f2', 'f3', 'app1', 'app2', 'app1-monolithic', 'app2-monolithic'];

let root: string;
let engine: FakeEngine;
let registry: RunRegistry;
let events: PullEvent[];
let indexPort: number;

beforeEach(async () => {
  root = makeTempDir();
  writeTree(root, {
    'pull.yaml': [
      'name: pull-tiny',
      `tiers: ${resolve('docker/tiers')}`,
      'reps: 2',
      'bandwidth: 100mbit',
      'latency: 20ms',
      'scale: tiny',
      'scales:',
      '  tiny: { securityPackages: [ca-certificates], generalPackages: [six], modelPackages: [fastapi], modelBytes: 1000, appAssetBytes: 10 }',
      '',
    ].join('\n'),
  });
  mkdirSync(join(root, 'scratch'));
  engine = new FakeEngine();
  // the logical bases the scenario names, present as their public images
  engine.addImage('python:3.11-slim-bookworm', ['sha256:base-layer'], [100]);
  engine.addImage('ubuntu:24.04', ['sha256:ubuntu-layer'], [100]);
  registry = new RunRegistry(join(root, 'state'));
  events = [];
  Object.assign(index, { choices: [], probes: 0, served: [], closed: 0 });
  indexPort = await freePort();
});

afterEach(async () => {
  await engine.close();
  removeTempDirs();
});

function options(extra: Partial<PullOptions> = {}): PullOptions {
  // scratch under the spec's own directory: specs elsewhere look for strays in the system's temporary one
  return { engine, env: { LAYERBENCH_STATE_DIR: registry.dir, LAYERBENCH_SCRATCH: join(root, 'scratch') }, outDir: join(root, 'out'), indexPort, seed: 7, onProgress: (event) => events.push(event), ...extra };
}

const scenarioFile = (): string => join(root, 'pull.yaml');

/** What the experiment must not leave: helpers, hosts, network, volumes, run images, its record, its scratch. */
function expectNothingLeft(runId: string): void {
  expect(engine.containersLeft()).toEqual([]);
  expect(engine.networksLeft()).toEqual([]);
  expect(engine.volumesLeft()).toEqual([]);
  expect(engine.images.runTags()).toEqual([]);
  expect(registry.runs()).toEqual([]);
  expect(readdirSync(join(root, 'scratch')).filter((name) => name.startsWith(`layerbench-${runId}-`))).toEqual([]);
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the experiment to fail');
    },
    (err: unknown) => err,
  );
}

function pullOf(result: SuiteResult, kind: PullCase, rep = 1): PullSample {
  const sample = pullSamplesOf(result.samples).find((s) => s.case === kind && s.rep === rep);
  if (sample === undefined) throw new Error(`no ${kind} pull in rep ${rep}`);
  return sample;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const server: Server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

describe('the pull experiment with a fake engine', () => {
  it('builds the helpers, the tiers, the apps on them and the monolithic apps without cache, in that order', async () => {
    await runPullExperiment(scenarioFile(), options());
    expect(engine.builds.requests.map((b) => `${b.variant}${b.noCache ? ' nocache' : ''}`)).toEqual([
      'layerbench/pull-registry:1',
      'layerbench/pull-fresh-host:2',
      'pull-f1',
      'pull-f2',
      'pull-f3',
      'pull-app1',
      'pull-app2',
      'pull-app1-monolithic nocache',
      'pull-app2-monolithic nocache',
    ]);
  });

  it('pushes every image to the registry on the run\'s network, under the registry\'s published port, and untags it again', async () => {
    const result = await runPullExperiment(scenarioFile(), options());
    const { runId } = result;
    expect(engine.log).toContain(`networks.createNetwork layerbench-${runId}`);
    expect(engine.log).toContain(`containers.startHelper layerbench-registry-${runId}`);
    const pushes = engine.log.filter((line) => line.startsWith('images.push '));
    // the tiers and apps, then the calibration blob
    expect(pushes.map((line) => line.replace(/127\.0\.0\.1:\d+/, 'REGISTRY'))).toEqual([...TIER_IMAGES.map((name) => `lb/${name}`), 'lb/calibration'].map((name) => `images.push REGISTRY/${name}:${runId}`));
    for (const push of pushes) expect(engine.log).toContain(push.replace('images.push', 'images.remove'));
  });

  it('makes four pulls per repetition, each onto a fresh host, in the order the seed shuffles them, and records the seed', async () => {
    const result = await runPullExperiment(scenarioFile(), options({ seed: 7 }));
    const shuffle = seededShuffle(7);
    const expected = [1, 2].flatMap((rep) => shuffle(PULL_CASES).map((c) => `${rep} ${c.case}`));
    expect(pullSamplesOf(result.samples).map((s) => `${s.rep} ${s.case}`)).toEqual(expected);
    expect(result.scenario.order).toEqual({ kind: 'rounds', seed: 7 });
    const hosts = engine.log.filter((line) => line.startsWith('containers.startHelper layerbench-') && line.includes('-host-'));
    expect(hosts).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `containers.startHelper layerbench-${result.runId}-host-${n} privileged`));
    // one more fresh host: the link's calibration
    expect(engine.peers).toHaveLength(1 + 8);
  });

  it('another seed, another order', async () => {
    const seven = await runPullExperiment(scenarioFile(), options({ seed: 7, outDir: join(root, 'seven') }));
    const eight = await runPullExperiment(scenarioFile(), options({ seed: 8, outDir: join(root, 'eight') }));
    const order = (result: SuiteResult): string[] => pullSamplesOf(result.samples).map((s) => s.case);
    const shuffle = seededShuffle(8);
    expect(order(eight)).toEqual([1, 2].flatMap(() => shuffle(PULL_CASES).map((c) => c.case)));
    expect(order(eight)).not.toEqual(order(seven));
  });

  it('a host that holds App1 downloads only App2\'s own layer; an empty host downloads all of App2; the bytes over the link are what was downloaded', async () => {
    const result = await runPullExperiment(scenarioFile(), options());
    const withBase = pullOf(result, 'with-base');
    expect(withBase.layers.map((l) => `${l.tier} ${l.status}`)).toEqual(['os already-present', 'app downloaded']);
    expect(withBase).toMatchObject({ image: 'app2', downloadedBytes: 10, bytesOverLink: 10, health: { ok: true, predict: null } });
    const withoutBase = pullOf(result, 'without-base');
    expect(withoutBase.layers.map((l) => `${l.tier} ${l.status}`)).toEqual(['os downloaded', 'app downloaded']);
    expect(withoutBase).toMatchObject({ downloadedBytes: 110, bytesOverLink: 110 });
    expect(pullOf(result, 'base-alone')).toMatchObject({ image: 'f3', downloadedBytes: 110, health: null });
    const monolithic = pullOf(result, 'monolithic-with-app1');
    expect(monolithic.layers.map((l) => `${l.tier} ${l.status}`)).toEqual(['os already-present', 'own downloaded']);
    expect(monolithic.layers.every((l) => l.status === 'already-present' || (l.downloadMs === 20 && l.extractMs === 5))).toBe(true);
  });

  it('gives a host what the case says it holds over an unshaped link, and shapes only the measured pull', async () => {
    const result = await runPullExperiment(scenarioFile(), options({ seed: 1 }));
    const registryId = engine.log.find((line) => line.startsWith('containers.exec ') && line.includes('netem delay 1ms'))?.split(' ')[1];
    expect(registryId).toBeDefined();
    const shaped = `containers.exec ${registryId} tc qdisc replace dev eth0 root netem delay 20ms rate 100mbit`;
    const cleared = `containers.exec ${registryId} tc qdisc del dev eth0 root`;
    const withBase = engine.peers[1 + pullSamplesOf(result.samples).findIndex((s) => s.case === 'with-base' && s.rep === 1)];
    const setupPull = withBase?.log.find((line) => line.startsWith('images.pullTimed')) ?? '';
    expect(setupPull).toMatch(new RegExp(`^images\\.pullTimed layerbench-registry-${result.runId}:5000/lb/app1:${result.runId}$`));
    expect(engine.log.filter((line) => line === shaped)).toHaveLength(1 + 8);
    // each shaped pull is followed by clearing the link
    const lines = engine.log.filter((line) => line === shaped || line === cleared);
    lines.forEach((line, i) => {
      if (line === shaped) expect(lines[i + 1]).toBe(cleared);
    });
  });

  it('starts each pulled app on its fresh host and times it until /health answers (not the base tiers alone)', async () => {
    const result = await runPullExperiment(scenarioFile(), options());
    const apps = pullSamplesOf(result.samples).filter((s) => s.case !== 'base-alone');
    expect(apps.every((s) => s.health?.ok === true && typeof s.health.timeToHealthyMs === 'number')).toBe(true);
    const started = engine.peers.flatMap((peer) => peer.log.filter((line) => line.startsWith('containers.runDetached')));
    expect(started).toHaveLength(6);
  });

  it('records a pulled app that does not start on the fresh host as unhealthy, and goes on', async () => {
    engine.onPeer = (peer) => {
      peer.containers.runDetached = async () => {
        throw new Error('no space left on the fresh host');
      };
    };
    const result = await runPullExperiment(scenarioFile(), options());
    expect(result.complete).toBe(true);
    expect(pullOf(result, 'with-base').health).toEqual({ ok: false, timeToHealthyMs: null, reason: 'could not start the image on the fresh host: no space left on the fresh host' });
    expect(pullOf(result, 'base-alone').health).toBeNull();
  });

  it('records a pulled app that exits before it answers as unhealthy, with its last log lines', async () => {
    engine.onPeer = (peer) => {
      const runDetached = peer.containers.runDetached.bind(peer.containers);
      peer.containers.runDetached = async (image, runOptions) => {
        const id = await runDetached(image, runOptions);
        peer.exitContainer(id, 'Traceback (most recent call last):\n  File "/app/main.py", line 1\nModuleNotFoundError: No module named \'fastapi\'\n');
        return id;
      };
    };
    const result = await runPullExperiment(scenarioFile(), options());
    expect(pullOf(result, 'without-base').health).toEqual({
      ok: false,
      timeToHealthyMs: null,
      reason: 'the container exited before it was healthy: Traceback (most recent call last): |   File "/app/main.py", line 1 | ModuleNotFoundError: No module named \'fastapi\'',
    });
  });

  it('writes a complete result.json: the machine, the scenario, the seed, every image with its layers\' tiers, the link and the hosts\' mode', async () => {
    const result = await runPullExperiment(scenarioFile(), options());
    const written = readResult(join(root, 'out'));
    expect(written).toEqual(JSON.parse(JSON.stringify(result)));
    expect(written).toMatchObject({ complete: true, scenario: { name: 'pull-tiny', builder: 'classic', reps: 2, baseline: 'with-base' } });
    expect(written.samples).toHaveLength(8);
    expect(written.bases.map((b) => `${b.name} ${b.image} ${b.source}`)).toEqual(['python-3.11-slim python:3.11-slim-bookworm present', 'general-os ubuntu:24.04 present']);
    expect(written.pull).toMatchObject({ scale: 'tiny', link: { bandwidth: '100mbit', bitsPerSecond: 1e8, latency: '20ms' }, freshHostMode: 'privileged' });
    expect(written.pull?.images.map((i) => [i.name, i.uncompressedBytes, i.layers.map((l) => l.tier)])).toEqual([
      ['f1', 110, ['os', 'f1']],
      ['f2', 110, ['os', 'f2']],
      ['f3', 110, ['os', 'f3']],
      ['app1', 110, ['os', 'app']],
      ['app2', 110, ['os', 'app']],
      ['app1-monolithic', 110, ['os', 'own']],
      ['app2-monolithic', 110, ['os', 'own']],
    ]);
    expect(readFileSync(join(root, 'out', 'samples.jsonl'), 'utf8').trim().split('\n')).toHaveLength(8);
    expect(events.filter((e) => e.type === 'pull-sample')).toHaveLength(8);
    expect(events.filter((e) => e.type === 'result-written')).toEqual([expect.objectContaining({ complete: true, samples: 8, file: join(root, 'out', 'result.json') })]);
  });

  it('releases everything: the registry and every host stopped, each host\'s volume, the network, the run\'s images, its record and its scratch', async () => {
    let scratchDuring: string[] = [];
    const onProgress = (event: PullEvent): void => {
      if (event.type === 'pull-sample') scratchDuring = readdirSync(join(root, 'scratch'));
    };
    const result = await runPullExperiment(scenarioFile(), options({ onProgress }));
    expect(scratchDuring).toEqual([expect.stringMatching(new RegExp(`^layerbench-${result.runId}-`))]);
    expectNothingLeft(result.runId);
    expect(engine.log).toContain(`containers.stopHelper layerbench-registry-${result.runId}`);
    expect(engine.log.filter((line) => line.startsWith(`containers.stopHelper layerbench-${result.runId}-host-`))).toHaveLength(8);
    expect(engine.log.filter((line) => line.startsWith(`containers.stopHelper layerbench-${result.runId}-calibration-`))).toHaveLength(1);
    expect(engine.log.filter((line) => line.startsWith('networks.removeVolume layerbench-'))).toHaveLength(1 + 8);
    expect(index.closed).toBe(1);
  });

  it('removes the intermediate images the tier builds created (as a run does)', async () => {
    const intermediate = engine.addImage(undefined, ['sha256:base-layer', 'sha256:step'], [100, 1]);
    // the helpers' two builds, then f1, whose stream names an image one of its steps committed
    engine.thenBuilds(() => ({}), () => ({}), () => ({ images: [{ id: intermediate, how: 'created' }] }));
    await runPullExperiment(scenarioFile(), options());
    expect(await engine.images.inspect(intermediate)).toBeUndefined();
  });

  it('keeps the helper images for the next run, which builds them no more', async () => {
    await runPullExperiment(scenarioFile(), options({ outDir: join(root, 'first') }));
    expect(await engine.images.inspect('layerbench/pull-registry:1')).toBeDefined();
    const builds = engine.builds.requests.length;
    await runPullExperiment(scenarioFile(), options({ outDir: join(root, 'second') }));
    expect(engine.builds.requests.slice(builds).map((b) => b.variant)).not.toContain('layerbench/pull-registry:1');
    expect(engine.builds.requests.slice(builds)).toHaveLength(7);
  });

  it('resolves with where the result went, and writes the reports when asked', async () => {
    const outcome = await runPullSession(scenarioFile(), options({ reports: {} }));
    expect(outcome.outDir).toBe(join(root, 'out'));
    expect(outcome.result.complete).toBe(true);
    expect(outcome.reports?.files.length).toBeGreaterThan(0);
    expect(events).toContainEqual(expect.objectContaining({ type: 'reports-written' }));
  });

  it('shapes bandwidth alone with a token bucket where the kernel has no netem, and records the latency as not shaped', async () => {
    const exec = engine.containers.exec.bind(engine.containers);
    engine.containers.exec = async (id, command) => (command.includes('netem') ? { exitCode: 2, output: 'Error: Specified qdisc kind is unknown.' } : exec(id, command));
    const result = await runPullExperiment(scenarioFile(), options());
    expect(result.pull?.link.latency).toBe('not shaped (this kernel has no netem)');
    expect(engine.log.some((line) => line.endsWith('tc qdisc replace dev eth0 root tbf rate 100mbit burst 256kb latency 50ms'))).toBe(true);
  });
});

describe('a sweep over link rates', () => {
  it('pulls every case at each rate in one run, on the same images, the rates and cases shuffled together per repetition', async () => {
    const result = await runPullExperiment(scenarioFile(), options({ overrides: { bandwidth: '20mbit,1gbit' } }));
    const pulls = pullSamplesOf(result.samples);
    expect(pulls).toHaveLength(2 * 2 * 4);
    const shuffle = seededShuffle(7);
    const points = ['20mbit', '1gbit'].flatMap((bandwidth) => PULL_CASES.map((c) => `${bandwidth} ${c.case}`));
    expect(pulls.map((s) => `${s.rep} ${s.bandwidth} ${s.case}`)).toEqual([1, 2].flatMap((rep) => shuffle(points).map((point) => `${rep} ${point}`)));
    expect(pulls.filter((s) => s.bandwidth === '1gbit').every((s) => s.bitsPerSecond === 1e9)).toBe(true);
    // built and pushed once: seven builds, seven pushes
    expect(engine.log.filter((line) => line.startsWith('images.push '))).toHaveLength(TIER_IMAGES.length + 1);
    expect(result.pull?.bandwidths).toEqual(['20mbit', '1gbit']);
  });

  it('shapes each measured pull to its own rate', async () => {
    await runPullExperiment(scenarioFile(), options({ overrides: { bandwidth: '20mbit,1gbit' } }));
    const shaping = engine.log.filter((line) => line.includes(' tc qdisc replace '));
    // each rate's calibration, then its measured pulls
    expect(shaping.filter((line) => line.includes('rate 20mbit')).length).toBe(1 + 2 * 4);
    expect(shaping.filter((line) => line.includes('rate 1gbit')).length).toBe(1 + 2 * 4);
  });

  it('--shape client shapes each fresh host\'s ingress through ifb instead of the registry\'s egress, and records it', async () => {
    const result = await runPullExperiment(scenarioFile(), options({ overrides: { bandwidth: '20mbit', shape: 'client', latency: 'none' } }));
    const registryId = engine.log.find((line) => line.startsWith('containers.exec ') && line.includes('netem delay 1ms'))?.split(' ')[1];
    expect(engine.log.filter((line) => line.startsWith(`containers.exec ${registryId} tc qdisc replace`))).toEqual([]);
    const ingress = engine.log.filter((line) => / tc qdisc replace dev ifb0 root tbf rate 20mbit /.test(line));
    // the calibration's host, then each measured pull's
    expect(ingress).toHaveLength(1 + 2 * 4);
    expect(new Set(ingress.map((line) => line.split(' ')[1])).size).toBe(1 + 2 * 4);
    expect(engine.log.filter((line) => line.includes(' tc filter replace dev eth0 parent ffff: ') && line.includes('mirred egress redirect dev ifb0'))).toHaveLength(1 + 2 * 4);
    expect(result.pull?.link).toMatchObject({ bandwidth: '20mbit', shapedAt: 'client' });
  });

  it('calibrates each shaped rate once, before the measured pulls, records it, and warns where the blob arrived more than 10 % off the rate', async () => {
    const result = await runPullExperiment(scenarioFile(), options({ overrides: { bandwidth: '20mbit,unlimited' } }));
    // the fake daemon downloads any layer in 20 ms: far faster than 20 Mbit/s
    expect(result.pull?.calibrations).toEqual([{ bandwidth: '20mbit', bitsPerSecond: 2e7, bytes: expect.any(Number), downloadMs: 20, measuredBitsPerSecond: expect.any(Number), offBy: expect.any(Number) }]);
    expect(result.pull?.calibrations?.[0]?.offBy).toBeGreaterThan(0.1);
    const notes = events.flatMap((e) => (e.type === 'note' ? [e.text] : []));
    expect(notes).toContainEqual(expect.stringMatching(/^warning: link 20mbit: the calibration blob \(.+\) arrived at [\d.]+ Mbit\/s \(\+[\d.]+ %\) — more than 10 % off/));
    const calibrated = engine.log.findIndex((line) => line.startsWith(`containers.startHelper layerbench-${result.runId}-calibration-1`));
    const firstPull = engine.log.findIndex((line) => line.startsWith(`containers.startHelper layerbench-${result.runId}-host-1`));
    expect(calibrated).toBeGreaterThan(-1);
    expect(calibrated).toBeLessThan(firstPull);
  });

  it('summarises each case at each rate, and the table has a row per case and rate, the slowest link first', async () => {
    const outcome = await runPullSession(scenarioFile(), options({ overrides: { bandwidth: '1gbit,20mbit' } }));
    const rows = outcome.result.summary.filter((row) => row.kind === 'pull');
    expect(rows.map((row) => `${row.kind === 'pull' ? row.case : ''} ${row.kind === 'pull' ? row.bandwidth : ''}`).sort()).toEqual(
      PULL_CASES.flatMap((c) => [`${c.case} 1gbit`, `${c.case} 20mbit`]).sort(),
    );
    const { pullTable } = await import('../../src/report/pull-table.js');
    const lines = pullTable(outcome.result).split('\n');
    const table = lines.slice(1, lines.indexOf('')); // the rows: under the title, above the notes
    const firstGbit = table.findIndex((line) => line.includes('1 Gbit/s') && line.includes('App2'));
    const lastSlow = table.map((line) => line.includes('20 Mbit/s') && line.includes('App2')).lastIndexOf(true);
    expect(lastSlow).toBeGreaterThan(0);
    expect(firstGbit).toBeGreaterThan(lastSlow);
  });
});

describe('the package index of a pull experiment', () => {
  it('records the index its builds used: a local one\'s mode and URLs, its build args in the pip tiers (defect: it recorded mode none)', async () => {
    index.choices.push(LOCAL);
    const result = await runPullExperiment(scenarioFile(), options());
    const url = `http://127.0.0.1:${indexPort}/wheels/`;
    expect(result.packageIndex).toEqual({ mode: 'local', urls: [url], bandwidth: null });
    expect(readResult(join(root, 'out')).packageIndex).toEqual({ mode: 'local', urls: [url], bandwidth: null });
    const pipBuilds = engine.builds.requests.filter((b) => b.buildArgs['PIP_INDEX_URL'] === url).map((b) => b.variant);
    expect(pipBuilds).toEqual(['pull-f2', 'pull-f3', 'pull-app1-monolithic', 'pull-app2-monolithic']);
  });

  it('records PyPI where PyPI answers, with no build args', async () => {
    const result = await runPullExperiment(scenarioFile(), options());
    expect(result.packageIndex).toEqual({ mode: 'pypi', urls: [], bandwidth: null });
    expect(engine.builds.requests.every((b) => b.buildArgs['PIP_INDEX_URL'] === undefined)).toBe(true);
  });

  it('probes PyPI once and serves exactly the choice its port was checked for, however a second probe would answer (defect: it probed twice)', async () => {
    // a flaky link: the first probe finds no PyPI, a second would
    index.choices.push(LOCAL, { mode: 'pypi', directories: [] });
    const result = await runPullExperiment(scenarioFile(), options());
    expect(index.probes).toBe(1);
    expect(index.served).toEqual([{ port: indexPort, choice: LOCAL }]);
    expect(result.packageIndex.mode).toBe('local');
  });

  it('refuses a local index on a port in use before anything is made (no output, no record, nothing on the daemon)', async () => {
    index.choices.push(LOCAL);
    const holder = createServer();
    await new Promise<void>((listening) => holder.listen(indexPort, '127.0.0.1', listening));
    try {
      const failure = await failureOf(runPullSession(scenarioFile(), options()));
      expect(failure).toBeInstanceOf(PackageIndexError);
    } finally {
      await new Promise((closed) => holder.close(closed));
    }
    expect(existsSync(join(root, 'out'))).toBe(false);
    expect(registry.runs()).toEqual([]);
    expect(engine.log).toEqual([]);
  });

  it('takes a port in use where PyPI answers: nothing is served on it', async () => {
    const holder = createServer();
    await new Promise<void>((listening) => holder.listen(indexPort, '127.0.0.1', listening));
    try {
      const result = await runPullExperiment(scenarioFile(), options());
      expect(result.complete).toBe(true);
    } finally {
      await new Promise((closed) => holder.close(closed));
    }
  });
});

describe('a pull experiment that ends early', () => {
  it('a fresh host that does not start: RunEndedEarly with the partial result and where it went, the host\'s leftovers and everything else released', async () => {
    const startHelper = engine.containers.startHelper.bind(engine.containers);
    engine.containers.startHelper = async (spec) => {
      if (spec.name.endsWith('-host-3')) throw new HelperContainerError(spec.name, spec.image, 'did not start', 'failed to create task for container: operation not permitted');
      return startHelper(spec);
    };
    const failure = await failureOf(runPullSession(scenarioFile(), options()));
    expect(failure).toBeInstanceOf(RunEndedEarly);
    const ended = failure as RunEndedEarly;
    expect(ended.cause).toBeInstanceOf(HelperContainerError);
    expect(ended.outDir).toBe(join(root, 'out'));
    expect(ended.result).toMatchObject({ complete: false });
    expect(ended.result?.samples).toHaveLength(2);
    const written = readResult(join(root, 'out'));
    expect(written.complete).toBe(false);
    expect(written.samples).toHaveLength(2);
    expect(written.pull?.images).toHaveLength(7);
    const runId = written.runId;
    expect(engine.log).toContain(`containers.remove layerbench-${runId}-host-3`);
    expect(engine.log).toContain(`networks.removeVolume layerbench-${runId}-host-3-docker`);
    expect(engine.log).toContain(`containers.stopHelper layerbench-registry-${runId}`);
    expectNothingLeft(runId);
    expect(events).toContainEqual(expect.objectContaining({ type: 'result-written', complete: false, samples: 2 }));
  });

  it('the library call rejects with the error that ended it', async () => {
    engine.containers.startHelper = async (spec) => {
      throw new HelperContainerError(spec.name, spec.image, 'did not start', 'refused');
    };
    const failure = await failureOf(runPullExperiment(scenarioFile(), options()));
    expect(failure).toBeInstanceOf(HelperContainerError);
    expect((failure as HelperContainerError).container).toMatch(/^layerbench-registry-/);
  });

  it('a push that fails: the partial result has no pulls and no setup yet; the pushed tag, the registry and the network are released', async () => {
    const push = engine.images.push.bind(engine.images);
    let failedPush: string | undefined;
    engine.images.push = async (reference) => {
      if (reference.includes('/lb/app2:')) {
        failedPush = reference;
        throw new EngineError(engine.endpoint, `push ${reference}`, 'received unexpected HTTP status: 500 Internal Server Error');
      }
      return push(reference);
    };
    const failure = await failureOf(runPullSession(scenarioFile(), options()));
    expect((failure as RunEndedEarly).cause).toBeInstanceOf(EngineError);
    const written = readResult(join(root, 'out'));
    expect(written).toMatchObject({ complete: false, samples: [] });
    expect(written.pull).toBeUndefined();
    expect(engine.log).toContain(`images.remove ${failedPush ?? '?'}`);
    expect(engine.log).toContain(`containers.stopHelper layerbench-registry-${written.runId}`);
    expectNothingLeft(written.runId);
  });

  it('a registry that does not serve a manifest: RegistryError, and the registry still stopped', async () => {
    const push = engine.images.push.bind(engine.images);
    // the push "succeeds" but the registry never gets f2
    engine.images.push = async (reference) => (reference.includes('/lb/f2:') ? undefined : push(reference));
    const failure = await failureOf(runPullExperiment(scenarioFile(), options()));
    expect((failure as Error).message).toMatch(/has no manifest for lb\/f2:\S+ \(HTTP 404\)/);
    const written = readResult(join(root, 'out'));
    expectNothingLeft(written.runId);
  });

  it('an interrupt between pulls: InterruptedError, the pulls so far kept, everything released', async () => {
    const controller = new AbortController();
    const run = runPullExperiment(scenarioFile(), options({ signal: controller.signal, onProgress: (event) => (event.type === 'pull-sample' ? controller.abort() : events.push(event)) }));
    const failure = await failureOf(run);
    expect(failure).toBeInstanceOf(InterruptedError);
    const written = readResult(join(root, 'out'));
    expect(written.complete).toBe(false);
    expect(written.samples).toHaveLength(1);
    expectNothingLeft(written.runId);
  });

  it('an interrupt while the tiers build: no build after it, nothing pushed', async () => {
    const controller = new AbortController();
    const onProgress = (event: PullEvent): void => {
      if (event.type === 'status' && event.text.startsWith('building f2')) controller.abort();
    };
    const failure = await failureOf(runPullSession(scenarioFile(), options({ signal: controller.signal, onProgress })));
    expect((failure as RunEndedEarly).cause).toBeInstanceOf(InterruptedError);
    expect(engine.builds.requests.map((b) => b.variant).at(-1)).toBe('pull-f2');
    expect(engine.log.some((line) => line.startsWith('images.push'))).toBe(false);
    expectNothingLeft((failure as RunEndedEarly).result?.runId ?? '?');
  });
});
