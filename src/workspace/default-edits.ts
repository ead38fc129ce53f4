/**
 * The edits a run makes when the user names none: the changes a developer makes most — a
 * line of code, a dependency — on files that every variant's Dockerfile copies in. Which
 * files were picked is said, so that the numbers are read for what they measure.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { contextCopies, copySourceMatcher } from '../dockerfile/context-copies.js';
import type { EditSpec, VariantSpec } from '../scenario/scenario-types.js';
import { requirementName } from './edits.js';
import { ignoreRulesFor } from './ignore-rules.js';
import { sentFiles } from './sent-files.js';

export interface DefaultEdits {
  edits: EditSpec[];
  /** one sentence per edit: what it changes and why that file */
  notes: string[];
}

const SOURCE_EXTENSIONS = new Set(['py', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'go', 'rb', 'php', 'java', 'kt', 'rs', 'cs', 'scala', 'swift', 'c', 'cc', 'cpp', 'h', 'ex', 'exs', 'clj', 'lua', 'pl', 'r']);
const ENTRY_POINTS = new Set(['main', 'app', 'server', 'index', 'wsgi', 'asgi', 'manage', '__main__', 'application', 'api']);
/** Small packages nobody minds, a different one where the file already lists the first. */
const PYTHON_PACKAGES = ['six', 'tabulate', 'python-dotenv'];
const NPM_PACKAGES = ['ms@2.1.3', 'is-number@7.0.0'];

export function pickDefaultEdits(context: string, variants: readonly Pick<VariantSpec, 'name' | 'dockerfile'>[]): DefaultEdits {
  const copiedByAll = filesCopiedByEveryVariant(context, variants);
  const edits: EditSpec[] = [];
  const notes: string[] = [];
  const manifest = copiedByAll.filter((file) => /(^|\/)(requirements[^/]*\.txt|package\.json)$/.test(file)).sort(byManifestKind)[0];
  const code = copiedByAll.filter((file) => isSource(file) && !isTest(file)).sort(byEntryPoint)[0] ?? copiedByAll.filter((file) => file !== manifest && !isDockerfile(file)).sort(byDepthThenName)[0];
  if (code !== undefined) {
    edits.push({ name: 'code', kind: 'append-line', file: code });
    notes.push(`"code" appends a comment to ${code}, a ${isSource(code) ? 'source file' : 'file'} that every Dockerfile copies in`);
  }
  if (manifest !== undefined) {
    const npm = manifest.endsWith('package.json');
    const present = readFileSync(`${context}/${manifest}`, 'utf8');
    const candidates = npm ? NPM_PACKAGES : PYTHON_PACKAGES;
    const fresh = candidates.find((p) => !listed(present, p, npm)) ?? candidates[0] ?? '';
    edits.push({ name: 'dependencies', kind: 'add-requirement', file: manifest, packages: [fresh] });
    notes.push(`"dependencies" adds ${fresh} to ${manifest}, the dependency manifest`);
  }
  if (edits.length === 0) {
    throw new UsageError(
      `No edit was given, and no file of ${context} reaches every variant's image through a COPY or ADD, so there is nothing to pick one from.`,
      'Name the edits: --edit append-line:src/app.py, --edit touch:"src/**/*.py", --edit add-requirement:requirements.txt:six (see layerbench run --help).',
    );
  }
  return { edits, notes };
}

function filesCopiedByEveryVariant(context: string, variants: readonly Pick<VariantSpec, 'name' | 'dockerfile'>[]): string[] {
  let common: string[] | undefined;
  for (const variant of variants) {
    const files = sentFiles(context, ignoreRulesFor(context, variant.dockerfile));
    const matchers = contextCopies(readFileSync(variant.dockerfile, 'utf8')).flatMap((copy) => copy.sources.map(copySourceMatcher));
    const copied = files.filter((file) => matchers.some((matches) => matches(file)));
    common = common === undefined ? copied : common.filter((file) => copied.includes(file));
  }
  return common ?? [];
}

function extension(file: string): string {
  return /\.([^./]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
}

function isSource(file: string): boolean {
  return SOURCE_EXTENSIONS.has(extension(file));
}

function isTest(file: string): boolean {
  return /(^|\/)(tests?|spec|__tests__)\//.test(file) || /(^|\/)test_[^/]*$|[._-](test|spec)\.[^/]+$/.test(file);
}

function isDockerfile(file: string): boolean {
  return /(^|\/)(Dockerfile[^/]*|[^/]*\.Dockerfile|\.dockerignore)$/i.test(file);
}

function depth(file: string): number {
  return file.split('/').length;
}

function byDepthThenName(a: string, b: string): number {
  return depth(a) - depth(b) || a.localeCompare(b);
}

/** `requirements.txt` and `package.json` before `requirements-dev.txt` and the like; then the shallowest. */
function byManifestKind(a: string, b: string): number {
  const rank = (file: string): number => (/(^|\/)(requirements\.txt|package\.json)$/.test(file) ? 0 : 1);
  return rank(a) - rank(b) || byDepthThenName(a, b);
}

/** Entry points (`main.py`, `app.js` …) first, then the shallowest, then by name. */
function byEntryPoint(a: string, b: string): number {
  const entry = (file: string): number => (ENTRY_POINTS.has((file.split('/').at(-1) ?? '').replace(/\.[^.]+$/, '')) ? 0 : 1);
  return entry(a) - entry(b) || byDepthThenName(a, b);
}

function listed(text: string, spec: string, npm: boolean): boolean {
  if (npm) {
    const name = spec.slice(0, spec.lastIndexOf('@') > 0 ? spec.lastIndexOf('@') : undefined);
    return text.includes(`"${name}"`);
  }
  const name = requirementName(spec);
  return text.split('\n').some((line) => requirementName(line.trim()) === name);
}
