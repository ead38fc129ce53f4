/**
 * Each variant made ready to build: its workspace (a private copy of the context) with
 * layerbench's copy of the Dockerfile (mapped bases, the index's build args declared), its
 * parsed Dockerfile (lines named as the user wrote them), its build args, the layers of the
 * images its FROMs name (present or pulled, else an error before any build), and what the
 * result records of it (digests of the Dockerfile and of the context as sent, the changes).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../display-path.js';
import { ensureFromImages } from '../bases/from-images.js';
import { FrontendImageError } from '../errors.js';
import { syntaxDirective } from '../dockerfile/syntax-directive.js';
import { contextCopies } from '../dockerfile/context-copies.js';
import { parseDockerfile } from '../dockerfile/dockerfile-model.js';
import { fromLines, rewriteDockerfile } from '../dockerfile/rewrite.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { PreparedVariant } from '../measure/run-suite.js';
import type { PackageIndex } from '../package-index/package-index.js';
import type { BaseRecord, VariantRecord } from '../result/types.js';
import type { Scenario } from '../scenario/scenario-types.js';
import { Workspace } from '../workspace/workspace.js';

/** A context with more files than this is kept in the result as a digest only. */
const MAX_CONTEXT_FILES_RECORDED = 5_000;

export type PreparedVariantRecord = PreparedVariant & { record: VariantRecord };

export async function prepareVariants(
  engine: DockerEngine,
  scenario: Scenario,
  scratch: string,
  bases: readonly BaseRecord[],
  index: PackageIndex,
  say: (line: string) => void,
  signal?: AbortSignal,
): Promise<PreparedVariantRecord[]> {
  const prepared = scenario.variants.map((spec) => {
    const workspace = Workspace.create(join(scratch, spec.name), spec.context ?? scenario.context, spec.dockerfile);
    const dockerfileBytes = readFileSync(spec.dockerfile);
    const buildArgs = {
      ...spec.buildArgs,
      ...Object.fromEntries(Object.entries(spec.bases).map(([arg, name]) => [arg, bases.find((b) => b.name === name)?.image ?? name])),
      ...index.buildArgs,
    };
    // layerbench's copy of the Dockerfile: mapped bases, the index's ARGs where pip runs without them
    const rewritten = rewriteDockerfile(dockerfileBytes.toString('utf8'), {
      baseMap: scenario.baseMap,
      buildArgs,
      indexArgs: index.mode === 'local' ? Object.keys(index.buildArgs) : [],
    });
    if (rewritten.text !== dockerfileBytes.toString('utf8')) workspace.writeDockerfile(rewritten.text);
    const finalArgs = { ...buildArgs, ...rewritten.buildArgs };
    const shown = displayPath(spec.dockerfile);
    const userFroms = fromLines(dockerfileBytes.toString('utf8'), buildArgs);
    const froms = fromLines(rewritten.text, finalArgs).flatMap((from) => {
      if (from.image === undefined) return [];
      const line = rewritten.originalLine(from.line);
      const written = userFroms.find((f) => f.line === line)?.image ?? from.image;
      return [{ image: from.image, written, where: `${shown}, line ${line ?? from.line}` }];
    });
    const files = workspace.manifest.size <= MAX_CONTEXT_FILES_RECORDED ? workspace.manifest.fileDigests() : null;
    return {
      froms,
      variant: {
        spec,
        workspace,
        dockerfile: parseDockerfile(rewritten.text, rewritten.originalLine),
        copies: contextCopies(rewritten.text),
        buildArgs: finalArgs,
        baseLayers: new Set<string>(),
        record: {
          name: spec.name,
          dockerfile: shown,
          dockerfileSha256: createHash('sha256').update(dockerfileBytes).digest('hex'),
          ignoreFile: workspace.rules.source === undefined ? null : displayPath(workspace.rules.source),
          contextSha256: workspace.contextSha256(),
          contextFiles: files,
          target: spec.target,
          dockerfileChanges: rewritten.notes,
        },
      },
    };
  });
  for (const { variant } of prepared) for (const change of variant.record.dockerfileChanges ?? []) say(`${variant.spec.name}: ${change}`);
  await ensureFrontendImages(engine, scenario, say, signal);
  const layers = await ensureFromImages(engine, prepared.flatMap((p) => p.froms), say, signal);
  return prepared.map(({ froms, variant }) => ({ ...variant, baseLayers: new Set(froms.flatMap((from) => layers.get(from.image) ?? [])) }));
}

/**
 * A Dockerfile built with BuildKit whose `# syntax=` names a frontend image: the image is
 * here or pulled before the first build, else the run stops, naming it (BuildKit would fail
 * the first timed build on it, or wait on a registry that does not answer).
 */
async function ensureFrontendImages(engine: DockerEngine, scenario: Scenario, say: (line: string) => void, signal?: AbortSignal): Promise<void> {
  for (const spec of scenario.variants) {
    const builders = spec.builders ?? scenario.builders;
    if (!builders.includes('buildkit') || !scenario.builders.includes('buildkit')) continue;
    const directive = syntaxDirective(readFileSync(spec.dockerfile, 'utf8'));
    if (directive === undefined || (await engine.images.inspect(directive.image)) !== undefined) continue;
    say(`pulling ${directive.image} (the BuildKit frontend of ${displayPath(spec.dockerfile)}, line ${directive.line})`);
    if (!(await engine.images.pull(directive.image, signal))) throw new FrontendImageError(directive.image, `${displayPath(spec.dockerfile)}, line ${directive.line},`);
  }
}
