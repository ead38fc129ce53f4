/**
 * The registry's and the fresh hosts' images, built once from the bootstrapped OS base and kept
 * between runs like the bases (labelled `layerbench.base`; `layerbench clean --bases` removes them).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DockerEngine } from '../engine/docker-engine.js';
import { Workspace } from '../workspace/workspace.js';

const DOCKER_DIR = fileURLToPath(new URL('../../docker/', import.meta.url));

export const HELPER_IMAGES = {
  registry: { image: 'layerbench/pull-registry:1', context: 'registry' },
  freshHost: { image: 'layerbench/pull-fresh-host:2', context: 'fresh-host' },
} as const;

export async function ensureHelperImages(engine: DockerEngine, osImage: string, scratch: string, say: (line: string) => void): Promise<{ registry: string; freshHost: string }> {
  for (const [key, helper] of Object.entries(HELPER_IMAGES)) {
    if ((await engine.images.inspect(helper.image)) !== undefined) continue;
    say(`building ${helper.image} (once; kept for the next runs)`);
    const context = join(DOCKER_DIR, helper.context);
    const workspace = Workspace.create(join(scratch, `helper-${key}`), context, join(context, 'Dockerfile'));
    await engine.builds.build({
      context: workspace,
      dockerfile: workspace.dockerfileInContext,
      dockerfileModel: undefined,
      builder: 'classic',
      buildArgs: { OS_BASE: osImage },
      tag: helper.image,
      noCache: false,
      variant: helper.image,
      hostNetwork: true,
      signal: undefined,
      onStep: undefined,
      onImage: undefined,
    });
  }
  return { registry: HELPER_IMAGES.registry.image, freshHost: HELPER_IMAGES.freshHost.image };
}
