/** The pull experiment's images: the shared tiers, the two apps on them, the two apps monolithically. */
import { join } from 'node:path';
import type { DockerEngine } from '../engine/docker-engine.js';
import { runImageTag } from '../engine/labels.js';
import { InterruptedError } from '../errors.js';
import type { HeldRun } from '../run/run-session.js';
import type { PullScenario } from '../scenario/pull-scenario.js';
import { Workspace } from '../workspace/workspace.js';
import { tierBuildPlan, type TierName } from './tier-images.js';

export interface TierInputs {
  engine: DockerEngine;
  scenario: PullScenario;
  osImage: string;
  /** the package index's build args (what the tiers' pip installs reach) */
  indexArgs: Record<string, string>;
  say: (event: { type: 'note' | 'status'; text: string }) => void;
}

/** The run's tag of each image. */
export function tierTag(name: TierName, runId: string): string {
  return runImageTag(`pull-${name}`, runId);
}

export async function buildTiers(inputs: TierInputs, session: HeldRun): Promise<void> {
  const { engine, scenario, say } = inputs;
  const { runId, leftovers, signal } = session;
  const workspace = Workspace.create(join(session.scratch, 'tiers'), scenario.tiers, join(scenario.tiers, 'app.Dockerfile'));
  const tagOf = (name: TierName): string => tierTag(name, runId);
  for (const build of tierBuildPlan({ scale: scenario.scale, osImage: inputs.osImage, indexArgs: inputs.indexArgs, tagOf })) {
    if (signal.aborted) throw new InterruptedError();
    say({ type: 'status', text: `building ${build.name}${build.noCache ? ' (no cache: shares nothing but the OS)' : ''}` });
    leftovers.buildStarted(new Date());
    const trace = await engine.builds.build({
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
      onStep: (i, of, instruction) => say({ type: 'status', text: `building ${build.name} · step ${i}/${of} ${instruction}` }),
      onImage: (image) => leftovers.imageReported(image),
    }).catch((err: unknown) => {
      leftovers.buildCut();
      throw err;
    });
    leftovers.buildFinished();
    say({ type: 'note', text: `built ${build.name} in ${(trace.wallMs / 1000).toFixed(1)} s` });
  }
}
