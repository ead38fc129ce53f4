import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkspaceError } from '../../src/errors.js';
import type { EditSpec } from '../../src/scenario/scenario-types.js';
import { applyEdit, requirementName, seededRandom } from '../../src/workspace/edits.js';

/** The bundled app's files: real inputs for the edits the default scenario makes. */
const APP = new URL('../../docker/app/', import.meta.url);
const MAIN_PY = readFileSync(fileURLToPath(new URL('app/main.py', APP)));
const REQUIREMENTS = readFileSync(fileURLToPath(new URL('requirements.txt', APP)));
const MODEL_JSON = readFileSync(fileURLToPath(new URL('model/model.json', APP)));

function text(content: Buffer): string {
  return content.toString('utf8');
}

/** Half a unit in the last printed digit: `0.0123` → 0.00005, `-7.3e-05` → 0.05e-5. */
function halfOfLastDigit(literal: string): number {
  const parts = /^-?\d+\.(\d+)(?:[eE]([-+]?\d+))?$/.exec(literal);
  return 0.5 * 10 ** (Number(parts?.[2] ?? 0) - (parts?.[1]?.length ?? 0));
}

function lines(content: Buffer | string): string[] {
  return (typeof content === 'string' ? content : text(content)).split('\n');
}

/** Indexes of the lines that differ between two texts of the same line count. */
function differingLines(a: string, b: string): number[] {
  const left = lines(a);
  const right = lines(b);
  expect(right).toHaveLength(left.length);
  return left.flatMap((line, i) => (line === right[i] ? [] : [i]));
}

describe('applyEdit: replace-line', () => {
  const edit: EditSpec = { name: 'code', kind: 'replace-line', file: 'app/main.py', match: '^GREETING = .*$', with: 'GREETING = "ready (build {nonce})"' };

  it('replaces the first line that matches and substitutes {nonce}', () => {
    const original = Buffer.from('import os\nGREETING = "a"\nprint(GREETING)\n');
    const { content, summary } = applyEdit(edit, { path: edit.file, original }, 'n-1', 0);
    expect(text(content)).toBe('import os\nGREETING = "ready (build n-1)"\nprint(GREETING)\n');
    expect(summary).toBe('app/main.py: line 2 replaced');
  });

  it('replaces only the first of several matching lines', () => {
    const original = Buffer.from('GREETING = "a"\nGREETING = "b"\n');
    expect(text(applyEdit(edit, { path: edit.file, original }, 'n', 0).content)).toBe('GREETING = "ready (build n)"\nGREETING = "b"\n');
  });

  it('substitutes every {nonce} in the replacement', () => {
    const twice: EditSpec = { ...edit, with: 'GREETING = "{nonce}-{nonce}"' };
    expect(text(applyEdit(twice, { path: twice.file, original: Buffer.from('GREETING = 1\n') }, 'x', 0).content)).toBe('GREETING = "x-x"\n');
  });

  it('throws a WorkspaceError naming the file when no line matches', () => {
    const attempt = (): unknown => applyEdit(edit, { path: edit.file, original: Buffer.from('print("no greeting here")\n') }, 'n', 0);
    expect(attempt).toThrow(WorkspaceError);
    expect(attempt).toThrow(/matches no line of app\/main\.py/);
  });

  it('starts from the original each time: two nonces give two texts that each differ from the original in exactly one line', () => {
    const first = text(applyEdit(edit, { path: edit.file, original: MAIN_PY }, 'run1-1', 0).content);
    const second = text(applyEdit(edit, { path: edit.file, original: MAIN_PY }, 'run1-2', 1).content);
    expect(first).not.toBe(second);
    expect(differingLines(text(MAIN_PY), first)).toHaveLength(1);
    expect(differingLines(text(MAIN_PY), second)).toHaveLength(1);
    expect(differingLines(first, second)).toEqual(differingLines(text(MAIN_PY), first));
  });

  it('does not modify the original buffer', () => {
    const original = Buffer.from('GREETING = "a"\n');
    applyEdit(edit, { path: edit.file, original }, 'n', 0);
    expect(text(original)).toBe('GREETING = "a"\n');
  });
});

describe('applyEdit: append-line', () => {
  const edit: EditSpec = { name: 'tail', kind: 'append-line', file: 'notes.txt', line: '# edit {nonce}' };

  it('appends the line with {nonce} substituted and a final newline', () => {
    const { content, summary } = applyEdit(edit, { path: edit.file, original: Buffer.from('a\nb\n') }, 'n7', 0);
    expect(text(content)).toBe('a\nb\n# edit n7\n');
    expect(summary).toBe('notes.txt: line appended');
  });

  it('adds the missing newline first when the original does not end with one', () => {
    expect(text(applyEdit(edit, { path: edit.file, original: Buffer.from('a\nb') }, 'n7', 0).content)).toBe('a\nb\n# edit n7\n');
  });

  it('writes just the line into an empty file', () => {
    expect(text(applyEdit(edit, { path: edit.file, original: Buffer.alloc(0) }, 'n7', 0).content)).toBe('# edit n7\n');
  });

  it('starts from the original each time, so lines do not pile up', () => {
    const once = text(applyEdit(edit, { path: edit.file, original: Buffer.from('a\n') }, 'n1', 0).content);
    const again = text(applyEdit(edit, { path: edit.file, original: Buffer.from('a\n') }, 'n2', 1).content);
    expect(lines(once)).toHaveLength(lines(again).length);
  });
});

describe('applyEdit: add-requirement', () => {
  const edit: EditSpec = { name: 'requirements', kind: 'add-requirement', file: 'requirements.txt', packages: ['six==1.17.0', 'python-dotenv==1.2.4', 'tabulate'] };
  const original = Buffer.from('# pinned\nfastapi==0.142.2\nnumpy==2.4.6\n');

  it('appends the package chosen by the sequence, tagged with the nonce', () => {
    const { content, summary } = applyEdit(edit, { path: edit.file, original }, 'n1', 0);
    expect(text(content)).toBe('# pinned\nfastapi==0.142.2\nnumpy==2.4.6\nsix==1.17.0  # layerbench edit n1\n');
    expect(summary).toBe('requirements.txt: added six==1.17.0');
  });

  it('cycles through the packages by sequence', () => {
    const added = [0, 1, 2, 3, 4].map((sequence) => lines(applyEdit(edit, { path: edit.file, original }, `n${sequence}`, sequence).content).at(-2));
    expect(added).toEqual([
      'six==1.17.0  # layerbench edit n0',
      'python-dotenv==1.2.4  # layerbench edit n1',
      'tabulate  # layerbench edit n2',
      'six==1.17.0  # layerbench edit n3',
      'python-dotenv==1.2.4  # layerbench edit n4',
    ]);
  });

  it('keeps every original requirement line', () => {
    const result = lines(applyEdit(edit, { path: edit.file, original: REQUIREMENTS }, 'n', 0).content);
    for (const line of lines(REQUIREMENTS).filter((l) => l !== '')) expect(result).toContain(line);
  });

  it('adds exactly one line per application, since each starts from the original', () => {
    const originalLines = lines(REQUIREMENTS).filter((l) => l !== '').length;
    for (const sequence of [0, 1, 2]) {
      const result = lines(applyEdit(edit, { path: edit.file, original: REQUIREMENTS }, `n${sequence}`, sequence).content).filter((l) => l !== '');
      expect(result).toHaveLength(originalLines + 1);
      expect(result.filter((l) => l.includes('# layerbench edit'))).toHaveLength(1);
    }
  });

  it('replaces an existing pin of the same package (a bump) and says "bumped"', () => {
    const pinned = Buffer.from('fastapi==0.142.2\nsix==1.16.0\nnumpy==2.4.6\n');
    const { content, summary } = applyEdit(edit, { path: edit.file, original: pinned }, 'n1', 0);
    expect(text(content)).toBe('fastapi==0.142.2\nnumpy==2.4.6\nsix==1.17.0  # layerbench edit n1\n');
    expect(summary).toBe('requirements.txt: bumped six==1.17.0');
  });

  it('never leaves two lines for one package, whatever the spelling of its name', () => {
    const pinned = Buffer.from('Python_Dotenv==1.0.0\nfastapi==0.1\n');
    const result = lines(applyEdit(edit, { path: edit.file, original: pinned }, 'n', 1).content).filter((l) => requirementName(l) === 'python-dotenv');
    expect(result).toEqual(['python-dotenv==1.2.4  # layerbench edit n']);
  });

  it('does not take a package whose name merely starts with the same letters for a pin of it', () => {
    const pinned = Buffer.from('sixty==1.0\n');
    const { content, summary } = applyEdit(edit, { path: edit.file, original: pinned }, 'n', 0);
    expect(lines(content)).toContain('sixty==1.0');
    expect(summary).toContain('added');
  });

  it('ends the file with a single newline even when the original has trailing blank lines', () => {
    const content = text(applyEdit(edit, { path: edit.file, original: Buffer.from('fastapi==0.1\n\n\n') }, 'n', 0).content);
    expect(content).toBe('fastapi==0.1\nsix==1.17.0  # layerbench edit n\n');
  });
});

describe('requirementName', () => {
  it('normalises names as pip does: lower case, runs of - _ . become one -', () => {
    expect(requirementName('Scikit_Learn==1')).toBe('scikit-learn');
    expect(requirementName('zope.interface>=5')).toBe('zope-interface');
    expect(requirementName('typing__extensions')).toBe('typing-extensions');
  });

  it('takes the name before any version specifier or extras', () => {
    expect(requirementName('scikit-learn==1.9.1')).toBe('scikit-learn');
    expect(requirementName('uvicorn[standard]~=0.30')).toBe('uvicorn');
  });

  it('gives an empty name for comments, blank lines and options', () => {
    expect(requirementName('# pinned')).toBe('');
    expect(requirementName('')).toBe('');
    expect(requirementName('--index-url https://example.org')).toBe('');
  });
});

describe('applyEdit: swap-asset with refit-numbers', () => {
  const edit: EditSpec = { name: 'model', kind: 'swap-asset', file: 'model/model.json', generator: 'refit-numbers' };
  const DECIMAL = /-?\d+\.\d+(?:[eE][-+]?\d+)?/g;
  const originalText = text(MODEL_JSON);
  const refit = text(applyEdit(edit, { path: edit.file, original: MODEL_JSON }, 'nonce-a', 0).content);

  it('keeps the model parseable JSON with the same keys and array lengths', () => {
    const before = JSON.parse(originalText) as Record<string, unknown>;
    const after = JSON.parse(refit) as Record<string, unknown>;
    expect(Object.keys(after)).toEqual(Object.keys(before));
    const shape = (value: unknown): unknown => (Array.isArray(value) ? value.map(shape) : typeof value);
    expect(shape(after['coef'])).toEqual(shape(before['coef']));
    expect(shape(after['intercept'])).toEqual(shape(before['intercept']));
    expect(shape(after['example'])).toEqual(shape(before['example']));
  });

  it('leaves integers such as "classes": [0, 1, …, 9] and the text fields untouched', () => {
    const before = JSON.parse(originalText) as Record<string, unknown>;
    const after = JSON.parse(refit) as Record<string, unknown>;
    expect(after['classes']).toEqual(before['classes']);
    expect(after['classes']).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const key of ['format', 'estimator', 'revision']) expect(after[key]).toBe(before[key]);
  });

  it('changes most decimals, each by a relative amount below 1e-3 (plus the rounding of its printed digits)', () => {
    const before = originalText.match(DECIMAL) ?? [];
    const after = refit.match(DECIMAL) ?? [];
    expect(after).toHaveLength(before.length);
    const pairs = before.map((literal, i) => [literal, after[i] ?? ''] as const);
    const meaningful = pairs.filter(([literal]) => Math.abs(Number(literal)) >= 0.01);
    expect(meaningful.filter(([a, b]) => a !== b).length).toBeGreaterThan(meaningful.length / 2);
    for (const [a, b] of pairs) {
      expect(Math.abs(Number(b) - Number(a))).toBeLessThanOrEqual(Math.abs(Number(a)) * 1e-3 + halfOfLastDigit(a) + 1e-15);
    }
  });

  it('keeps the number of digits after the point of plain decimals such as -0.014499', () => {
    const plain = (literals: string[]): string[] => literals.filter((literal) => !/e/i.test(literal));
    const before = plain(originalText.match(DECIMAL) ?? []);
    const after = plain(refit.match(DECIMAL) ?? []);
    expect(after).toHaveLength(before.length);
    expect(after.map((literal) => literal.split('.')[1]?.length)).toEqual(before.map((literal) => literal.split('.')[1]?.length));
  });

  // Regression: exponent literals such as -7.3e-05 are rewritten with
  // toExponential() at full precision (-7.305155671831174e-5), so the file grows.
  it('keeps the size of the real model file, exponent literals such as -7.3e-05 included', () => {
    expect(refit.length).toBe(originalText.length);
  });

  it('stays within 1e-3 relative for numbers printed with many digits', () => {
    const precise = Buffer.from(JSON.stringify({ w: [1.234567890123, -0.98765432101, 12345.678901234, 0.000123456789012] }));
    const before = JSON.parse(text(precise)) as { w: number[] };
    const after = JSON.parse(text(applyEdit(edit, { path: edit.file, original: precise }, 'nonce-b', 0).content)) as { w: number[] };
    after.w.forEach((value, i) => {
      const original = before.w[i] ?? Number.NaN;
      expect(value).not.toBe(original);
      expect(Math.abs(value - original) / Math.abs(original)).toBeLessThan(1e-3);
    });
  });

  it('is deterministic for a nonce', () => {
    expect(text(applyEdit(edit, { path: edit.file, original: MODEL_JSON }, 'nonce-a', 7).content)).toBe(refit);
  });

  it('differs between nonces', () => {
    expect(text(applyEdit(edit, { path: edit.file, original: MODEL_JSON }, 'nonce-b', 0).content)).not.toBe(refit);
  });

  it('summarises how many weights changed', () => {
    expect(applyEdit(edit, { path: edit.file, original: MODEL_JSON }, 'nonce-a', 0).summary).toMatch(/^model\/model\.json: \d+ weights refit$/);
  });

  it('throws a WorkspaceError for a file without decimal numbers', () => {
    const attempt = (): unknown => applyEdit(edit, { path: edit.file, original: Buffer.from('{"classes": [0, 1, 2], "name": "v1"}') }, 'n', 0);
    expect(attempt).toThrow(WorkspaceError);
    expect(attempt).toThrow(/holds no decimal numbers/);
  });
});

describe('applyEdit: swap-asset with random-bytes', () => {
  const edit: EditSpec = { name: 'blob', kind: 'swap-asset', file: 'weights.bin', generator: 'random-bytes' };
  const original = Buffer.alloc(4096, 7);

  it('keeps the size and changes the content', () => {
    const { content, summary } = applyEdit(edit, { path: edit.file, original }, 'n', 0);
    expect(content).toHaveLength(original.length);
    expect(content.equals(original)).toBe(false);
    expect(summary).toBe('weights.bin: 4096 new random bytes');
  });

  it('writes different bytes on every application', () => {
    expect(applyEdit(edit, { path: edit.file, original }, 'n', 0).content.equals(applyEdit(edit, { path: edit.file, original }, 'n', 1).content)).toBe(false);
  });
});

describe('seededRandom', () => {
  it('gives the same sequence for the same seed', () => {
    const a = seededRandom('seed');
    const b = seededRandom('seed');
    const first = Array.from({ length: 20 }, () => a());
    expect(Array.from({ length: 20 }, () => b())).toEqual(first);
  });

  it('gives a different sequence for a different seed', () => {
    const a = seededRandom('seed-1');
    const b = seededRandom('seed-2');
    expect(Array.from({ length: 5 }, () => a())).not.toEqual(Array.from({ length: 5 }, () => b()));
  });

  it('draws values in [0, 1) that are spread over the interval', () => {
    const random = seededRandom('spread');
    const values = Array.from({ length: 10_000 }, () => random());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
