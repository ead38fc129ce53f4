/**
 * What layerbench changes in the workspace copy of a user's Dockerfile (never in the user's
 * file), and says it did:
 * - `--base-map`: a FROM naming a mapped image builds on the image it maps to — a literal
 *   reference is rewritten in place (multi-stage, `AS name`, `--platform` kept); a base given
 *   by an ARG (`FROM ${BASE}`) keeps its text and gets the mapped value as a build arg.
 * - the offline package index: a stage that runs pip but declares no PIP_INDEX_URL gets the
 *   index's ARG declarations after its FROM, so that an unchanged `pip install` works offline.
 *   They are instructions of layerbench's, not the user's: their steps carry no line.
 * Pure: text in, text out, with the notes and a map from new lines back to the user's.
 */
import { parseFamiliarName } from '@swimlane/docker-reference';
import { DockerfileParser } from 'dockerfile-ast';

export interface RewriteOptions {
  /** image reference → the reference to build on instead */
  baseMap: Readonly<Record<string, string>>;
  /** build args the build gets (they decide what `${ARG}` in a FROM resolves to) */
  buildArgs: Readonly<Record<string, string>>;
  /** ARG names to declare after each FROM of a stage that runs pip and lacks them */
  indexArgs: readonly string[];
}

export interface Rewritten {
  text: string;
  /** one sentence per change, for the result and the progress */
  notes: string[];
  /** build args that carry a mapped base (`FROM ${BASE}`) */
  buildArgs: Record<string, string>;
  /** for each line of the new text (1-based), the user's line, or null for a line layerbench added */
  originalLine: (line: number) => number | null;
}

export interface FromLine {
  /** the line the FROM starts on */
  line: number;
  /** where the image reference is written (a FROM may continue over several lines): 1-based line, 0-based columns */
  at: { line: number; start: number; end: number } | undefined;
  /** the image as written (may hold `${ARG}`) */
  written: string;
  /** with the ARGs resolved; undefined when it names an earlier stage */
  image: string | undefined;
}

export function rewriteDockerfile(text: string, options: RewriteOptions): Rewritten {
  const lines = text.split('\n');
  const notes: string[] = [];
  const buildArgs: Record<string, string> = {};
  const insertAfter = new Map<number, string[]>();
  for (const from of fromLines(text, options.buildArgs)) {
    if (from.image === undefined) continue;
    const target = mappedTo(from.image, options.baseMap);
    if (target === undefined) continue;
    const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(from.written)?.[1];
    if (variable !== undefined) {
      buildArgs[variable] = target;
      notes.push(`line ${from.line}: FROM ${from.written} (${from.image}) builds on ${target} (build arg ${variable})`);
    } else if (from.at !== undefined) {
      const index = from.at.line - 1;
      const line = lines[index] ?? '';
      lines[index] = line.slice(0, from.at.start) + target + line.slice(from.at.end);
      notes.push(`line ${from.line}: FROM ${from.written} → ${target}`);
    }
  }
  if (options.indexArgs.length > 0) {
    const stages = stagesNeedingIndexArgs(text, options.indexArgs);
    for (const line of stages) insertAfter.set(line, options.indexArgs.map((name) => `ARG ${name}`));
    if (stages.length > 0) notes.push(`declared ${options.indexArgs.join(', ')} after ${stages.length === 1 ? 'the FROM' : `${stages.length} FROMs`} on line ${stages.join(', ')}, so that pip reaches the local package index`);
  }
  const output: string[] = [];
  const origin: (number | null)[] = [];
  lines.forEach((line, i) => {
    output.push(line);
    origin.push(i + 1);
    for (const added of insertAfter.get(i + 1) ?? []) {
      output.push(added);
      origin.push(null);
    }
  });
  return { text: output.join('\n'), notes, buildArgs, originalLine: (line) => origin[line - 1] ?? null };
}

/** Every FROM, with its image resolved through the ARGs before the first FROM (and the build args). */
export function fromLines(text: string, buildArgs: Readonly<Record<string, string>>): FromLine[] {
  const parsed = DockerfileParser.parse(text);
  const defaults: Record<string, string> = {};
  for (const arg of parsed.getInitialARGs()) {
    const property = arg.getProperty();
    const name = property?.getName();
    if (name !== undefined) defaults[name] = property?.getValue() ?? '';
  }
  const values = { ...defaults, ...buildArgs };
  const stages = new Set<string>();
  return parsed.getFROMs().map((from) => {
    const written = from.getImage() ?? '';
    const resolved = written.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const value = values[name];
      return value === undefined || value === '' ? (fallback ?? '') : value;
    });
    const stage = from.getBuildStage();
    const isStage = stages.has(resolved.toLowerCase());
    if (stage !== null) stages.add(stage.toLowerCase());
    const range = from.getImageRange();
    const at = range === null || range.start.line !== range.end.line ? undefined : { line: range.start.line + 1, start: range.start.character, end: range.end.character };
    return { line: from.getRange().start.line + 1, at, written, image: isStage || resolved === 'scratch' ? undefined : resolved };
  });
}

/** The mapped reference for an image, comparing references as Docker does (`ubuntu` is `docker.io/library/ubuntu:latest`). */
export function mappedTo(image: string, baseMap: Readonly<Record<string, string>>): string | undefined {
  if (Object.hasOwn(baseMap, image)) return baseMap[image];
  const wanted = canonical(image);
  if (wanted === undefined) return undefined;
  for (const [from, to] of Object.entries(baseMap)) if (canonical(from) === wanted) return to;
  return undefined;
}

function canonical(reference: string): string | undefined {
  try {
    const parsed = parseFamiliarName(reference);
    return `${parsed.domain}/${parsed.repository}:${parsed.tag ?? 'latest'}${parsed.digest === undefined ? '' : `@${parsed.digest}`}`;
  } catch {
    return undefined;
  }
}

/** The lines of the FROMs whose stage runs pip and declares none of the index ARGs. */
function stagesNeedingIndexArgs(text: string, indexArgs: readonly string[]): number[] {
  const parsed = DockerfileParser.parse(text);
  const instructions = parsed.getInstructions();
  const lines: number[] = [];
  let current: { from: number; pip: boolean; declares: boolean } | undefined;
  const close = (): void => {
    if (current !== undefined && current.pip && !current.declares) lines.push(current.from);
  };
  for (const instruction of instructions) {
    const keyword = instruction.getKeyword().toUpperCase();
    if (keyword === 'FROM') {
      close();
      current = { from: instruction.getRange().end.line + 1, pip: false, declares: false };
    } else if (current !== undefined && keyword === 'RUN' && /\bpip3?\b|python3? -m pip\b/.test(instruction.toString())) {
      current.pip = true;
    } else if (current !== undefined && keyword === 'ARG' && indexArgs.some((name) => new RegExp(`^ARG\\s+${name}(\\s|=|$)`).test(instruction.toString()))) {
      current.declares = true;
    }
  }
  close();
  return lines;
}
