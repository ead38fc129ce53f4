/**
 * Edits as pure text transforms. Each application starts from the file's original content and
 * writes a change that carries a nonce unique to the run and repetition, so that the daemon's
 * cache (which remembers every earlier run) cannot recall it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { WorkspaceError } from '../errors.js';
import type { EditSpec } from '../scenario/scenario-types.js';

export interface EditApplication {
  /** the file's new content */
  content: Buffer;
  /** one line for progress and logs, e.g. `app/main.py: line 12 replaced` */
  summary: string;
}

/** Marks the requirement lines layerbench added, so the next application replaces them. */
const REQUIREMENT_TAG = '# layerbench edit';

export function applyEdit(edit: EditSpec, original: Buffer, nonce: string, sequence: number): EditApplication {
  switch (edit.kind) {
    case 'replace-line':
      return replaceLine(edit.file, original.toString('utf8'), new RegExp(edit.match, 'm'), edit.with.replaceAll('{nonce}', nonce));
    case 'append-line': {
      const text = original.toString('utf8');
      const separator = text === '' || text.endsWith('\n') ? '' : '\n';
      return { content: Buffer.from(`${text}${separator}${edit.line.replaceAll('{nonce}', nonce)}\n`), summary: `${edit.file}: line appended` };
    }
    case 'add-requirement':
      return addRequirement(edit.file, original.toString('utf8'), edit.packages, nonce, sequence);
    case 'swap-asset':
      return edit.generator === 'refit-numbers'
        ? refitNumbers(edit.file, original.toString('utf8'), nonce)
        : { content: randomBytes(original.length), summary: `${edit.file}: ${original.length} new random bytes` };
  }
}

function replaceLine(file: string, text: string, pattern: RegExp, replacement: string): EditApplication {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => pattern.test(line));
  if (at < 0) throw new WorkspaceError(`The edit pattern ${pattern.source} matches no line of ${file}.`, file);
  lines[at] = replacement;
  return { content: Buffer.from(lines.join('\n')), summary: `${file}: line ${at + 1} replaced` };
}

function addRequirement(file: string, text: string, packages: readonly string[], nonce: string, sequence: number): EditApplication {
  const requirement = packages[sequence % packages.length] ?? '';
  const name = requirementName(requirement);
  const kept = text
    .split('\n')
    .filter((line) => !line.includes(REQUIREMENT_TAG) && requirementName(line.trim()) !== name);
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  kept.push(`${requirement}  ${REQUIREMENT_TAG} ${nonce}`, '');
  const bumped = text.split('\n').some((line) => requirementName(line.trim()) === name && !line.includes(REQUIREMENT_TAG));
  return { content: Buffer.from(kept.join('\n')), summary: `${file}: ${bumped ? 'bumped' : 'added'} ${requirement}` };
}

/** `scikit-learn==1.9.1` → `scikit-learn` (normalised as pip does), '' for comments. */
export function requirementName(line: string): string {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
  return match?.[1]?.toLowerCase().replace(/[-_.]+/g, '-') ?? '';
}

const DECIMAL = /-?\d+\.\d+(?:[eE][-+]?\d+)?/g;

/**
 * Nudges every decimal number by a relative factor below 1e-3, drawn from a generator seeded
 * with the nonce: the same shape and size as the original, different bytes, still loadable.
 */
function refitNumbers(file: string, text: string, nonce: string): EditApplication {
  const random = seededRandom(nonce);
  let changed = 0;
  const content = text.replace(DECIMAL, (literal) => {
    const decimals = /\.(\d+)/.exec(literal)?.[1]?.length ?? 0;
    const value = Number(literal);
    const nudged = value * (1 + (random() * 2 - 1) * 1e-3);
    const written = /e/i.test(literal) ? sameShapeExponential(literal, nudged) : nudged.toFixed(decimals);
    if (written !== literal) changed += 1;
    return written;
  });
  if (changed === 0) throw new WorkspaceError(`The asset ${file} holds no decimal numbers to refit.`, file);
  return { content: Buffer.from(content), summary: `${file}: ${changed} weights refit` };
}

/** `-7.3e-05` nudged stays `-7.3e-05`-shaped: same mantissa digits, exponent width and case. */
function sameShapeExponential(literal: string, value: number): string {
  const [mantissa = '', exponent = ''] = literal.split(/e/i);
  const digits = /\.(\d+)/.exec(mantissa)?.[1]?.length ?? 0;
  const [newMantissa = '', newExponent = '0'] = value.toExponential(digits).split('e');
  const sign = newExponent.startsWith('-') ? '-' : exponent.startsWith('+') ? '+' : '';
  const width = exponent.replace(/^[-+]/, '').length;
  const e = literal.includes('E') ? 'E' : 'e';
  return `${newMantissa}${e}${sign}${newExponent.replace(/^[-+]/, '').padStart(width, '0')}`;
}

/** mulberry32 seeded from a hash of the seed text: deterministic per nonce. */
export function seededRandom(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
