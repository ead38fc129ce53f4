/**
 * Each variant made ready to build: its workspace (a private copy of the context), its parsed
 * Dockerfile, its build args (the resolved bases, the package index), the layers of its base,
 * and what the result records of it (digests of the Dockerfile and of the context as sent).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../display-path.js';
import { parseDockerfile } from '../dockerfile/dockerfile-model.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { PreparedVariant } from '../measure/run-suite.js';
import type { PackageIndex } from '../package-index/package-index.js';
import type { BaseRecord, VariantRecord } from '../result/types.js';
import type { Scenario } from '../scenario/scenario-types.js';
import { Workspace } from '../workspace/workspace.js';

/** A context with more files than this is kept in the result as a digest only. */
const MAX_CONTEXT_FILES_RECORDED = 5_000;

export type PreparedVariantRecord = PreparedVariant & { record: VariantRecord };

export async function prepareVariants(engine: DockerEngine, scenario: Scenario, scratch: string, bases: readonly BaseRecord[], index: PackageIndex): Promise<PreparedVariantRecord[]> {
  const baseLayers = new Map<string, string[]>();
  for (const base of bases) baseLayers.set(base.name, (await engine.inspectImage(base.image))?.diffIds ?? []);
  return scenario.variants.map((spec) => {
    const workspace = Workspace.create(join(scratch, spec.name), scenario.context, spec.dockerfile);
    const dockerfileBytes = readFileSync(spec.dockerfile);
    const files = workspace.manifest.size <= MAX_CONTEXT_FILES_RECORDED ? workspace.manifest.fileDigests() : null;
    return {
      spec,
      workspace,
      dockerfile: parseDockerfile(dockerfileBytes.toString('utf8')),
      buildArgs: {
        ...spec.buildArgs,
        ...Object.fromEntries(Object.entries(spec.bases).map(([arg, name]) => [arg, bases.find((b) => b.name === name)?.image ?? name])),
        ...index.buildArgs,
      },
      baseLayers: new Set(Object.values(spec.bases).flatMap((name) => baseLayers.get(name) ?? [])),
      record: {
        name: spec.name,
        dockerfile: displayPath(spec.dockerfile),
        dockerfileSha256: createHash('sha256').update(dockerfileBytes).digest('hex'),
        ignoreFile: workspace.rules.source === undefined ? null : displayPath(workspace.rules.source),
        contextSha256: workspace.contextSha256(),
        contextFiles: files,
      },
    };
  });
}
