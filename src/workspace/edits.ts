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

/** Marks the lines layerbench added (after `#` or `//`), so that the next application replaces them. */
const EDIT_TAG = 'layerbench edit';

/**
 * @param file the file the edit changes (for `touch`, the file its glob chose) and its original content
 * @param replacement for `replace-file`, the content of the file to put in its place
 */
export function applyEdit(edit: EditSpec, file: { path: string; original: Buffer }, nonce: string, sequence: number, replacement?: Buffer): EditApplication {
  const { path, original } = file;
  switch (edit.kind) {
    case 'replace-line':
      return replaceLine(path, original.toString('utf8'), new RegExp(edit.match, 'm'), edit.with.replaceAll('{nonce}', nonce));
    case 'replace':
      return replaceMatch(path, original.toString('utf8'), new RegExp(edit.match, 'm'), edit.with.replaceAll('{nonce}', nonce));
    case 'append-line':
      // without a line of the user's: a comment in the file's own syntax
      return { content: edit.line === undefined ? touched(path, original, nonce) : appendLine(original, edit.line.replaceAll('{nonce}', nonce)), summary: `${path}: line appended` };
    case 'touch':
      // a new modification time alone changes nothing a builder hashes: the content must change
      return { content: touched(path, original, nonce), summary: `${path}: touched (content changed, as a save would)` };
    case 'add-requirement':
      return addDependency(path, original.toString('utf8'), edit.packages, nonce, sequence);
    case 'replace-file': {
      if (replacement === undefined) throw new WorkspaceError(`The edit "${edit.name}" has nothing to put in place of ${path}.`, path);
      return { content: touched(path, replacement, nonce), summary: `${path}: replaced by ${edit.from}` };
    }
    case 'swap-asset':
      return edit.generator === 'refit-numbers'
        ? refitNumbers(path, original.toString('utf8'), nonce)
        : { content: randomBytes(original.length), summary: `${path}: ${original.length} new random bytes` };
  }
}

function appendLine(original: Buffer, line: string): Buffer {
  const text = original.toString('utf8');
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  return Buffer.from(`${text}${separator}${line}\n`);
}

/** A comment in the file's own syntax, so that the edited file still parses. */
export function commentLine(path: string, text: string): string {
  const name = path.split('/').at(-1) ?? path;
  const extension = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  if (['js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'go', 'java', 'kt', 'c', 'h', 'cc', 'cpp', 'hpp', 'cs', 'rs', 'swift', 'scala', 'php'].includes(extension)) return `// ${text}`;
  if (['html', 'htm', 'xml', 'svg', 'md', 'vue'].includes(extension)) return `<!-- ${text} -->`;
  if (['css', 'scss', 'less'].includes(extension)) return `/* ${text} */`;
  if (['sql', 'lua', 'hs'].includes(extension)) return `-- ${text}`;
  return `# ${text}`;
}

function replaceMatch(file: string, text: string, pattern: RegExp, replacement: string): EditApplication {
  const match = pattern.exec(text);
  if (match === null) throw new WorkspaceError(`The edit pattern ${pattern.source} matches nothing in ${file}.`, file);
  // a pattern without the g flag: String.replace changes the first match, `$1` … as usual
  return { content: Buffer.from(text.replace(pattern, replacement)), summary: `${file}: text at line ${text.slice(0, match.index).split('\n').length} replaced` };
}

/**
 * A change that keeps the file what it was: a comment in its own syntax; for a JSON object a
 * `"//"` member (npm's comment convention); other JSON gets the nonce as trailing whitespace
 * (which JSON allows); binary files get it as trailing bytes.
 */
function touched(path: string, original: Buffer, nonce: string): Buffer {
  const text = original.toString('utf8');
  if (/\.json$/i.test(path)) {
    const object = jsonObject(text);
    if (object !== undefined) return Buffer.from(`${JSON.stringify({ ...object, '//': `${EDIT_TAG} ${nonce}` }, null, indentOf(text))}\n`);
    return Buffer.concat([original, Buffer.from(`\n${whitespaceOf(nonce)}\n`)]);
  }
  if (original.subarray(0, 8000).includes(0)) return Buffer.concat([original, Buffer.from(`\n${nonce}\n`)]);
  const separator = original.length === 0 || original.at(-1) === 0x0a ? '' : '\n';
  return Buffer.concat([original, Buffer.from(`${separator}${commentLine(path, `${EDIT_TAG} ${nonce}`)}\n`)]);
}

/** 64 spaces and tabs spelling the nonce's hash: unique per nonce, invisible to a JSON parser. */
function whitespaceOf(nonce: string): string {
  const bits = createHash('sha256').update(nonce).digest();
  return Array.from({ length: 64 }, (_, i) => (((bits[i >> 3] ?? 0) >> (i & 7)) & 1 ? '\t' : ' ')).join('');
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function indentOf(text: string): string {
  return /^(\s+)"/m.exec(text)?.[1] ?? '  ';
}

/** requirements.txt, package.json (dependencies) or go.mod (require), by the file's name. */
function addDependency(file: string, text: string, packages: readonly string[], nonce: string, sequence: number): EditApplication {
  const name = file.split('/').at(-1) ?? file;
  if (name === 'package.json') return addNpmDependency(file, text, packages, nonce, sequence);
  if (name === 'go.mod') return addGoRequirement(file, text, packages, nonce, sequence);
  return addRequirement(file, text, packages, nonce, sequence);
}

/** `left-pad@1.3.0` into package.json's dependencies; the nonce goes in a `"//"` member (JSON has no comments). */
function addNpmDependency(file: string, text: string, packages: readonly string[], nonce: string, sequence: number): EditApplication {
  const manifest = jsonObject(text) as ({ dependencies?: Record<string, string> } & Record<string, unknown>) | undefined;
  if (manifest === undefined) throw new WorkspaceError(`${file} is not a JSON object: no dependency can be added to it.`, file);
  const spec = packages[sequence % packages.length] ?? '';
  const at = spec.lastIndexOf('@');
  const [packageName, version] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, '*'];
  manifest.dependencies = { ...(manifest.dependencies ?? {}), [packageName]: version };
  manifest['//'] = `${EDIT_TAG} ${nonce}`;
  return { content: Buffer.from(`${JSON.stringify(manifest, null, indentOf(text))}\n`), summary: `${file}: added ${packageName}@${version}` };
}

function addGoRequirement(file: string, text: string, packages: readonly string[], nonce: string, sequence: number): EditApplication {
  const spec = packages[sequence % packages.length] ?? '';
  const [modulePath, version = 'latest'] = spec.split('@');
  const kept = text.split('\n').filter((line) => !line.includes(`// ${EDIT_TAG}`));
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  kept.push(`require ${modulePath} ${version} // ${EDIT_TAG} ${nonce}`, '');
  return { content: Buffer.from(kept.join('\n')), summary: `${file}: required ${modulePath} ${version}` };
}

function replaceLine(file: string, text: string, pattern: RegExp, replacement: string): EditApplication {
  // replace-line: the whole first matching line
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
    .filter((line) => !line.includes(`# ${EDIT_TAG}`) && requirementName(line.trim()) !== name);
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  kept.push(`${requirement}  # ${EDIT_TAG} ${nonce}`, '');
  const bumped = text.split('\n').some((line) => requirementName(line.trim()) === name && !line.includes(`# ${EDIT_TAG}`));
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
