/**
 * A validated scenario (a file's, or one made from options) turned into the typed, resolved
 * form a run uses: paths made absolute and checked, names and references checked. Reads the
 * file system, writes nothing; each problem blames the input it came from.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, posix, resolve } from 'node:path';
import { parseFamiliarName } from '@swimlane/docker-reference';
import { pathInside } from '../path-inside.js';
import { inputError, type ScenarioSource } from './input-error.js';
import type { EditSpec, RawScenario, Scenario, VariantSpec } from './scenario-types.js';

export interface ScenarioInput {
  /** after the overrides (filters applied) */
  data: RawScenario;
  /** as declared, before any filter: errors count items as the input does */
  declared: RawScenario;
  /** relative paths in the input are relative to this directory */
  baseDir: string;
  source: ScenarioSource;
  sha256: string | null;
}

/** Makes one problem's error, blaming the input's field (or option) it came from. */
type Blame = (field: string, expected: string, hint?: string) => Error;

export function resolveScenario({ data, declared, baseDir, source, sha256 }: ScenarioInput): Scenario {
  const blame: Blame = (field, expected, hint) => inputError(source, field, expected, hint);
  const context = resolve(baseDir, data.context);
  if (!isDirectory(context)) throw blame('context', `must name a directory; ${context} is not one`);
  const baseline = data.baseline ?? data.variants[0]?.name ?? '';
  if (!data.variants.some((v) => v.name === baseline)) {
    throw blame('baseline', `names ${baseline}, which is not a variant (the variants are: ${data.variants.map((v) => v.name).join(', ')})`);
  }
  const variants = data.variants.map((v) => resolveVariant(v, `variants[${declaredIndex(declared.variants, v.name)}]`, baseDir, blame));
  checkBaseMap(data.baseMap, blame);
  checkHeadlines(data.headlines ?? [], declared, blame);
  const edits = data.edits.map((written) => resolveEdit(written, `edits[${declaredIndex(declared.edits, written.name)}]`, { baseDir, context }, blame));

  return {
    name: data.name,
    file: source.kind === 'file' ? source.file : null,
    sha256,
    context,
    builders: data.builders ?? (data.builder === undefined ? [] : [data.builder]),
    reps: data.reps,
    warmup: data.warmup,
    cold: data.cold,
    baseline,
    variants,
    edits,
    baseMap: data.baseMap,
    indexBandwidth: data.indexBandwidth,
    headlines: data.headlines ?? [],
    health:
      data.health === undefined
        ? null
        : { port: data.health.port, path: data.health.path, timeoutMs: data.health.timeoutSeconds * 1000, predict: data.health.predict },
    declared: {
      variants: declared.variants.map((v) => v.name),
      edits: declared.edits.map((e) => e.name),
      ...(source.kind === 'options' ? { options: { variants: [...source.variants], edits: [...source.edits] } } : {}),
    },
  };
}

/** Where the input declared an item: errors count items as the input does, before any filter. */
function declaredIndex(list: readonly { name: string }[], name: string): number {
  return list.findIndex((item) => item.name === name);
}

function resolveVariant(v: RawScenario['variants'][number], field: string, baseDir: string, blame: Blame): VariantSpec {
  const dockerfile = resolve(baseDir, v.dockerfile);
  if (!isFile(dockerfile)) throw blame(`${field}.dockerfile`, `must name an existing Dockerfile; ${dockerfile} ${existsSync(dockerfile) ? 'is not a file' : 'does not exist'}`);
  for (const [arg, reference] of Object.entries(v.bases)) {
    const problem = referenceProblem(reference);
    if (problem !== undefined) throw blame(`${field}.bases.${arg}`, `must be a logical base or an image reference; "${reference}" ${problem}`);
  }
  return { name: v.name, dockerfile, bases: v.bases, buildArgs: v.buildArgs, target: v.target ?? null, builders: v.builders ?? null };
}

function checkBaseMap(baseMap: RawScenario['baseMap'], blame: Blame): void {
  for (const [from, to] of Object.entries(baseMap)) {
    for (const reference of [from, to]) {
      const problem = referenceProblem(reference);
      if (problem !== undefined) throw blame(`baseMap.${from}`, `maps image references: "${reference}" ${problem}`, 'Write each mapping as image=image, e.g. python:3.11-slim=layerbench/bookworm-python3:2.');
    }
  }
}

/** A headline names a declared variant on each side and a declared edit. */
function checkHeadlines(headlines: NonNullable<RawScenario['headlines']>, declared: RawScenario, blame: Blame): void {
  headlines.forEach((headline, i) => {
    for (const [field, name, list] of [['slow', headline.slow, declared.variants], ['fast', headline.fast, declared.variants], ['edit', headline.edit, declared.edits]] as const) {
      if (!list.some((item) => item.name === name)) {
        throw blame(`headlines[${i}].${field}`, `names ${name}, which the scenario does not have (it has: ${list.map((item) => item.name).join(', ')})`);
      }
    }
  });
}

function resolveEdit(written: RawScenario['edits'][number], field: string, dirs: { baseDir: string; context: string }, blame: Blame): EditSpec {
  const { baseDir, context } = dirs;
  if (isAbsolute(written.file) || pathInside(context, resolve(context, written.file)) === undefined) throw blame(`${field}.file`, 'must stay inside the build context');
  // `./app/main.py` is `app/main.py`: one name per file, as the context manifest keys it
  const e = { ...written, file: written.kind === 'touch' ? written.file.replace(/^(\.\/)+/, '') : posix.normalize(written.file.replaceAll('\\', '/')) };
  if (e.kind !== 'touch' && !isFile(resolve(context, e.file))) {
    throw blame(`${field}.file`, `must name a file in the build context; ${resolve(context, e.file)} is not one`);
  }
  if (e.kind === 'replace-line' || e.kind === 'replace') {
    try {
      new RegExp(e.match, 'm');
    } catch (err) {
      throw blame(`${field}.match`, `must be a regular expression (${(err as Error).message})`);
    }
  }
  if (e.kind === 'replace-file') {
    const from = resolve(baseDir, e.from);
    if (!isFile(from)) throw blame(`${field}.from`, `must name the file to put in place of ${e.file}; ${from} ${existsSync(from) ? 'is not a file' : 'does not exist'}`);
    return { ...e, from };
  }
  return e;
}

/** Why a base reference is not one Docker would accept, or undefined when it is fine. */
export function referenceProblem(reference: string): string | undefined {
  try {
    parseFamiliarName(reference);
    return undefined;
  } catch {
    return 'is not a valid image reference (name[:tag][@digest], lower-case)';
  }
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
