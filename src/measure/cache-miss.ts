/**
 * Why a build's first missed step missed, from what layerbench knows it changed since the
 * variant's previous build under the same builder: files of the context as sent (hashed as
 * builders hash them, so a new modification time alone is no change), intersected with the
 * sources of the COPY or ADD that missed; a build argument; the image a FROM names; a stage
 * it copies from; or `--no-cache`. Pure.
 */
import { copySourceMatcher, type ContextCopy } from '../dockerfile/context-copies.js';
import type { CacheMiss, StepRecord } from '../result/types.js';

export interface CacheMissFacts {
  steps: readonly StepRecord[];
  firstMissStep: number | null;
  /** built with `--no-cache` (a cold build) */
  noCache: boolean;
  /** the COPY and ADD instructions that read the context, in the Dockerfile that was built */
  copies: readonly ContextCopy[];
  /** context paths changed since the previous build of the variant under this builder; undefined: there was none */
  changedPaths: readonly string[] | undefined;
  /** the edit applied before this build, and the paths it wrote */
  edit: { name: string; paths: readonly string[] } | undefined;
  changedBuildArgs: readonly string[];
  changedBases: readonly { image: string; before: string; after: string }[];
}

/** How many changed files a `because` clause names before it counts the rest. */
const NAMED_FILES = 3;

export function explainCacheMiss(facts: CacheMissFacts): CacheMiss | null {
  const miss = facts.steps.find((step) => step.index === facts.firstMissStep);
  if (miss === undefined) return null;
  const later = facts.steps.filter((step) => step.index > miss.index && !step.cached);
  const base = {
    step: miss.index,
    instruction: miss.instruction,
    line: miss.line,
    rebuiltSteps: later.length,
    rebuiltMs: Math.round(miss.durationMs + later.reduce((sum, step) => sum + step.durationMs, 0)),
  };
  const cause = causeOf(miss, facts);
  return { ...base, ...cause };
}

function causeOf(miss: StepRecord, facts: CacheMissFacts): Pick<CacheMiss, 'reason' | 'changedFiles' | 'because'> {
  if (facts.noCache) return { reason: 'no-cache', changedFiles: [], because: 'built without cache (--no-cache)' };
  if (facts.changedBases.length > 0) {
    const [first] = facts.changedBases;
    return {
      reason: 'base-changed',
      changedFiles: facts.changedBases.map((b) => b.image),
      because: `the base image ${first?.image} changed (${short(first?.before)} → ${short(first?.after)})`,
    };
  }
  if (facts.changedBuildArgs.length > 0) {
    return { reason: 'build-arg-changed', changedFiles: [...facts.changedBuildArgs], because: `build arg ${facts.changedBuildArgs.join(', ')} changed` };
  }
  const copy = facts.copies.find((c) => c.position === miss.index);
  const changedBy = (c: ContextCopy): string[] => {
    const matchers = c.sources.map(copySourceMatcher);
    return (facts.changedPaths ?? []).filter((path) => matchers.some((matches) => matches(path)));
  };
  if (copy !== undefined) {
    const changed = changedBy(copy);
    if (changed.length > 0) return { reason: 'context-changed', changedFiles: changed, because: describeChange(changed, facts.edit) };
  }
  // An earlier COPY brought the change, yet was cached: an identical earlier build (another
  // Dockerfile's, or this one's before the edit was undone) left that very result in the cache.
  for (const earlier of facts.copies.filter((c) => c.position < miss.index).reverse()) {
    const changed = changedBy(earlier);
    if (changed.length > 0) {
      return {
        reason: 'context-changed',
        changedFiles: changed,
        because: `${describeChange(changed, facts.edit)}, brought in by step ${earlier.position}, which the builder found cached from an identical earlier build`,
      };
    }
  }
  const stage = /^(?:COPY|ADD)\b.*--from=(\S+)/i.exec(miss.instruction)?.[1];
  if (stage !== undefined) return { reason: 'parent-missed', changedFiles: [], because: `it copies from stage "${stage}", which was rebuilt` };
  return { reason: 'unexplained', changedFiles: [], because: "nothing layerbench changed reaches it (the builder's cache entry may have been evicted)" };
}

function describeChange(changed: readonly string[], edit: CacheMissFacts['edit']): string {
  const named = changed.slice(0, NAMED_FILES).join(', ');
  const more = changed.length > NAMED_FILES ? ` and ${changed.length - NAMED_FILES} more` : '';
  const byEdit = edit !== undefined && changed.every((path) => edit.paths.includes(path)) ? ` (edit "${edit.name}")` : '';
  return `${named}${more} changed${byEdit}`;
}

function short(id: string | undefined): string {
  return id === undefined ? '?' : id.replace(/^sha256:/, '').slice(0, 12);
}
