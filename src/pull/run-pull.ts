/**
 * Seed 001's pull experiment, as `layerbench pull` runs it: build the shared tiers, the two
 * apps on them and the two apps monolithically; push them all to a local registry; then, for
 * every repetition, pull onto fresh hosts over a shaped link —
 *   App2 onto a host that holds App1 (with base), App2 onto an empty host (without base),
 *   the base tiers alone onto an empty host, monolithic App2 onto a host that holds
 *   monolithic App1 —
 * timing each pull, each layer, the bytes that crossed the link, and until the app answers.
 *
 * Every resource sits on one disposer stack (as a run's do): the run record, scratch, the
 * package index, the network, the registry, each fresh host and its volume, the images.
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveBases } from '../bases/resolve-bases.js';
import { displayPath } from '../display-path.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { DockerodeEngine } from '../engine/dockerode-engine.js';
import { startHelper } from '../engine/helper-containers.js';
import { runImageTag, runLabels } from '../engine/labels.js';
import { findRunObjects, removeRunObjects } from '../engine/run-objects.js';
import { InterruptedError } from '../errors.js';
import { pollUntilHealthy } from '../measure/health-probe.js';
import { chooseIndex, DEFAULT_INDEX_PORT, preparePackageIndex } from '../package-index/package-index.js';
import { assembleResult } from '../result/assemble-result.js';
import { ResultWriter } from '../result/result-writer.js';
import type { BaseRecord, HealthRecord, PullCase, PullSample, PullSetup, ScenarioRecord, SuiteResult } from '../result/types.js';
import { DisposerStack } from '../run/disposer-stack.js';
import { checkOutputDirectory } from '../run/output-directory.js';
import { checkIndexPortOfRun } from '../run/prepare-run.js';
import { randomSeed, seededShuffle } from '../measure/seeded-shuffle.js';
import { refuseRemoteDaemon } from '../run/refuse-remote-daemon.js';
import { newRunId } from '../run/run-id.js';
import { RunRegistry } from '../run/run-registry.js';
import { holdRun, machineOf } from '../run/run-resources.js';
import { bitsPerSecond } from '../scenario/bandwidth.js';
import { loadPullScenario, type PullOverrides, type PullScenario } from '../scenario/pull-scenario.js';
import { Workspace } from '../workspace/workspace.js';
import { startFreshHost, type FreshHostMode } from './fresh-host.js';
import { ensureHelperImages } from './helper-images.js';
import { LinkShaper } from './link-shaper.js';
import { manifestLayers, type ManifestLayer } from './registry-manifest.js';
import { toPullSample } from './pull-sample.js';
import { tierBuildPlan, tierOfLayers, type TierName } from './tier-images.js';

export type PullEvent =
  | { type: 'note'; text: string }
  | { type: 'status'; text: string }
  | { type: 'pull-sample'; sample: PullSample }
  | { type: 'result-written'; file: string; complete: boolean; samples: number }
  | { type: 'cleanup-failed'; what: string; error: unknown };

export interface PullOptions {
  overrides?: PullOverrides;
  outDir?: string | undefined;
  indexPort?: number | undefined;
  engine?: DockerEngine | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: PullEvent) => void) | undefined;
  registry?: RunRegistry | undefined;
  /** seeds the order of the cases in each repetition (recorded; the same seed repeats it) @default a random one */
  seed?: number | undefined;
}

/**
 * The four pulls. Each repetition makes them in an order shuffled by the run's seed: a link or
 * a disk that drifts over the run then lands on every case alike, not on whichever comes last.
 */
export const PULL_CASES: { case: PullCase; image: TierName; setup: TierName | undefined }[] = [
  { case: 'with-base', image: 'app2', setup: 'app1' },
  { case: 'without-base', image: 'app2', setup: undefined },
  { case: 'base-alone', image: 'f3', setup: undefined },
  { case: 'monolithic-with-app1', image: 'app2-monolithic', setup: 'app1-monolithic' },
];

const REGISTRY_PORT = 5000;
const HEALTH_TIMEOUT_MS = 60_000;

interface PreparedPull {
  scenario: PullScenario;
  runId: string;
  outDir: string;
  indexPort: number;
}

/** Every check before anything is made (as for a run): the scenario, --out, the index port. */
export async function preparePull(file: string, options: PullOptions): Promise<PreparedPull> {
  const scenario = loadPullScenario(file, options.overrides);
  const runId = newRunId();
  const outDir = options.outDir === undefined ? resolve('results', `pull-${runId}`) : checkOutputDirectory(options.outDir);
  const indexPort = options.indexPort ?? DEFAULT_INDEX_PORT;
  const index = await chooseIndex();
  await checkIndexPortOfRun(indexPort, { mustBeFree: index.mode === 'local', registry: options.registry ?? new RunRegistry() });
  return { scenario, runId, outDir, indexPort };
}

export async function runPullExperiment(file: string, options: PullOptions = {}): Promise<SuiteResult> {
  const prepared = await preparePull(file, options);
  const { scenario, runId } = prepared;
  const engine = options.engine ?? new DockerodeEngine();
  const emit = options.onProgress ?? (() => {});
  const signal = options.signal ?? new AbortController().signal;
  const registry = options.registry ?? new RunRegistry();
  const seed = options.seed ?? randomSeed();
  const now = (): number => performance.now();

  refuseRemoteDaemon(engine);
  await engine.ping();
  const facts = await engine.facts();
  const startedAt = new Date();
  const stack = new DisposerStack();
  const samples: PullSample[] = [];
  let setup: PullSetup | undefined;
  let bases: BaseRecord[] = [];
  let writer: ResultWriter | undefined;
  let complete = false;
  let failure: unknown;
  const labels = runLabels(runId);
  const assemble = (): SuiteResult => ({
    ...assembleResult({
      runId,
      startedAt,
      finishedAt: new Date(),
      complete,
      machine: machineOf(facts),
      scenario: { ...scenarioRecord(scenario), order: { kind: 'rounds', seed } },
      packageIndex: { mode: 'none', urls: [] },
      bases,
      samples,
      conditions: { loadAverageAtStart: null, cpus: facts.cpus },
    }),
    ...(setup === undefined ? {} : { pull: setup }),
  });

  try {
    const { scratch, leftovers } = holdRun(stack, registry, engine, { runId, startedAt, facts, indexPort: prepared.indexPort, exclusive: true });
    writer = ResultWriter.open(prepared.outDir);
    stack.defer('the containers, network, volumes and images of the run', async () => {
      for (const objects of (await findRunObjects(engine, runId)).values()) await removeRunObjects(engine, objects, { keepImages: false });
    });

    emit({ type: 'note', text: `layerbench pull · run ${runId} · scale ${scenario.scale.name} · ${scenario.reps} reps · link ${scenario.bandwidth}` });
    bases = await resolveBases(engine, [scenario.bases.os, scenario.bases.helpers], (text) => emit({ type: 'note', text }), signal);
    const baseImage = (name: string): string => bases.find((b) => b.name === name)?.image ?? name;
    const helpers = await ensureHelperImages(engine, baseImage(scenario.bases.helpers), scratch, (text) => emit({ type: 'note', text }));
    const index = await preparePackageIndex(prepared.indexPort);
    stack.defer('the package index server', () => index.close());

    // The images: the shared tiers, the apps, the monolithic apps.
    const workspace = Workspace.create(join(scratch, 'tiers'), scenario.tiers, join(scenario.tiers, 'app.Dockerfile'));
    const tagOf = (name: TierName): string => runImageTag(`pull-${name}`, runId);
    for (const build of tierBuildPlan({ scale: scenario.scale, osImage: baseImage(scenario.bases.os), indexArgs: index.buildArgs, tagOf })) {
      if (signal.aborted) throw new InterruptedError();
      emit({ type: 'status', text: `building ${build.name}${build.noCache ? ' (no cache: shares nothing but the OS)' : ''}` });
      leftovers.buildStarted(new Date());
      const trace = await engine.build({
        context: workspace,
        dockerfile: build.dockerfile,
        dockerfileModel: undefined,
        builder: 'classic',
        buildArgs: build.buildArgs,
        tag: tagOf(build.name),
        noCache: build.noCache,
        variant: `pull-${build.name}`,
        hostNetwork: true,
        signal,
        onStep: (i, of, instruction) => emit({ type: 'status', text: `building ${build.name} · step ${i}/${of} ${instruction}` }),
        onImage: (image) => leftovers.imageReported(image),
      });
      leftovers.buildFinished();
      emit({ type: 'note', text: `built ${build.name} in ${(trace.wallMs / 1000).toFixed(1)} s` });
    }

    // The registry, on a network of the run's own.
    const network = `layerbench-${runId}`;
    await engine.createNetwork(network, labels);
    const registryName = `layerbench-registry-${runId}`;
    const registryContainer = await startHelper({
      image: helpers.registry,
      name: registryName,
      network,
      labels,
      ports: [REGISTRY_PORT],
      capabilities: ['NET_ADMIN'],
      readyWhenLogs: /listening on/,
    });
    stack.defer('the registry', () => registryContainer.stop());
    const registryPort = registryContainer.hostPort(REGISTRY_PORT);
    const manifests = new Map<TierName, ManifestLayer[]>();
    for (const name of ['f1', 'f2', 'f3', 'app1', 'app2', 'app1-monolithic', 'app2-monolithic'] as const) {
      emit({ type: 'status', text: `pushing ${name} to the registry` });
      const pushed = `127.0.0.1:${registryPort}/lb/${name}:${runId}`;
      await engine.tagImage(tagOf(name), pushed);
      try {
        await engine.pushImage(pushed);
      } finally {
        await engine.removeImage(pushed);
      }
      manifests.set(name, await manifestLayers(registryPort, `lb/${name}`, runId));
    }
    const osLayers = (await engine.inspectImage(baseImage(scenario.bases.os)))?.diffIds.length ?? 0;
    const tiers = tierOfLayers(new Map([...manifests].map(([name, layers]) => [name, layers.map((l) => l.digest)])), osLayers);

    const shaper = await LinkShaper.forContainer(engine, registryContainer.id, { bandwidth: scenario.bandwidth, latency: scenario.latency });
    emit({ type: 'note', text: `link: ${scenario.bandwidth}${bitsPerSecond(scenario.bandwidth) === null ? '' : ' (tc on the registry)'}, latency ${shaper.latencyRecord}` });
    let mode: 'auto' | FreshHostMode = scenario.freshHost;
    setup = {
      scale: scenario.scale.name,
      link: { bandwidth: scenario.bandwidth, bitsPerSecond: bitsPerSecond(scenario.bandwidth), latency: shaper.latencyRecord },
      freshHostMode: mode === 'auto' ? 'capabilities' : mode,
      images: await Promise.all(
        [...manifests].map(async ([name, layers]) => ({
          name,
          uncompressedBytes: (await engine.inspectImage(tagOf(name)))?.sizeBytes ?? 0,
          layers: layers.map((l) => ({ digest: l.digest, compressedBytes: l.size, tier: tiers.get(l.digest) ?? 'own' })),
        })),
      ),
    };
    writer.writeResult(assemble());

    let hostNumber = 0;
    const shuffle = seededShuffle(seed);
    for (let rep = 1; rep <= scenario.reps; rep += 1) {
      for (const planned of shuffle(PULL_CASES)) {
        if (signal.aborted) throw new InterruptedError();
        hostNumber += 1;
        emit({ type: 'status', text: `${planned.case} rep ${rep}/${scenario.reps}: starting a fresh host` });
        const host = await startFreshHost(engine, { image: helpers.freshHost, network, registry: registryName, labels, name: `layerbench-${runId}-host-${hostNumber}` }, mode);
        mode = host.mode;
        setup.freshHostMode = host.mode;
        const stopHost = (): Promise<void> => host.stop();
        try {
          const reference = (name: TierName): string => `${registryName}:${REGISTRY_PORT}/lb/${name}:${runId}`;
          if (planned.setup !== undefined) {
            // what the host already holds arrives over an unshaped link: only the measured pull is shaped
            emit({ type: 'status', text: `${planned.case} rep ${rep}/${scenario.reps}: the host first gets ${planned.setup}` });
            await shaper.off();
            await host.inner.pullTimed(reference(planned.setup), signal);
          }
          await shaper.on();
          emit({ type: 'status', text: `${planned.case} rep ${rep}/${scenario.reps}: pulling ${planned.image} over the link` });
          const pulledAt = new Date();
          const before = await host.receivedBytes();
          const trace = await host.inner.pullTimed(reference(planned.image), signal);
          const received = (await host.receivedBytes()) - before;
          await shaper.off();
          const health = planned.image === 'f3' ? null : await appHealth(host.inner, reference(planned.image), host.appUrl, labels, now, signal);
          const sample = toPullSample({
            case: planned.case,
            image: planned.image,
            rep,
            trace,
            manifest: manifests.get(planned.image) ?? [],
            tiers,
            bytesOverLink: received,
            health,
            startedAt: pulledAt,
            machine: facts.id,
          });
          samples.push(sample);
          writer.addSample(sample);
          writer.writeResult(assemble());
          emit({ type: 'pull-sample', sample });
        } finally {
          await stopHost();
        }
      }
    }
    complete = true;
  } catch (err) {
    failure = signal.aborted && !(err instanceof InterruptedError) ? new InterruptedError() : err;
  }

  const result = assemble();
  try {
    if (writer !== undefined) emit({ type: 'result-written', file: writer.writeResult(result), complete, samples: samples.length });
  } catch (err) {
    failure ??= err;
  }
  for (const { name, error } of await stack.disposeAll()) emit({ type: 'cleanup-failed', what: name, error });
  if (failure !== undefined) throw failure;
  return result;
}

/** The pulled app, started on the fresh host, until it answers /health. */
async function appHealth(inner: DockerEngine, image: string, appUrl: string, labels: Record<string, string>, now: () => number, signal: AbortSignal): Promise<HealthRecord> {
  const startedAt = now();
  let id: string | undefined;
  try {
    id = await inner.runDetached(image, { labels, hostNetwork: true });
    const container = id;
    const polled = await pollUntilHealthy(`${appUrl}/health`, {
      now,
      deadline: startedAt + HEALTH_TIMEOUT_MS,
      signal,
      exited: async () => ((await inner.isRunning(container)) ? undefined : (await inner.containerLogs(container)).trim().split('\n').slice(-3).join(' | ')),
    });
    return polled.ok ? { ok: true, timeToHealthyMs: Math.round(polled.atMs - startedAt), predict: null } : { ok: false, timeToHealthyMs: null, reason: polled.reason };
  } catch (err) {
    return { ok: false, timeToHealthyMs: null, reason: `could not start the image on the fresh host: ${(err as Error).message}` };
  }
}

function scenarioRecord(scenario: PullScenario): ScenarioRecord {
  return {
    name: scenario.name,
    file: displayPath(scenario.file),
    sha256: scenario.sha256,
    builder: 'classic',
    reps: scenario.reps,
    warmup: 0,
    cold: false,
    baseline: 'with-base',
    variants: [],
    edits: [],
  };
}

