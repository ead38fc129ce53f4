/**
 * The house rule that every function in src/ reads in one screen: none spans more than 80 lines,
 * counted from its first line to its closing brace. Parsed with the TypeScript compiler, so
 * methods, arrows, accessors and constructors count as functions too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MAX_LINES = 80;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.isFile() && entry.name.endsWith('.ts') ? [path] : [];
  });
}

type FunctionWithBody = ts.FunctionLikeDeclaration & { body: ts.ConciseBody };

function isFunctionWithBody(node: ts.Node): node is FunctionWithBody {
  const functionLike =
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isConstructorDeclaration(node);
  return functionLike && node.body !== undefined;
}

/** The name a reader would look for: its own, or the variable, property or class member it is assigned to. */
function nameOf(node: FunctionWithBody, file: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name !== undefined) return node.name.getText(file);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name !== undefined) {
    return parent.name.getText(file);
  }
  return '<anonymous>';
}

/** `path:line name (N lines)` for each function of the source text longer than the limit. */
function longFunctions(path: string, text: string): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionWithBody(node)) {
      // from the first token of the function (not its JSDoc) to its last, both lines counted
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_LINES) found.push(`${relative(ROOT, path)}:${first + 1} ${nameOf(node, file)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the functions of src/', () => {
  it(`each span at most ${MAX_LINES} lines, first line to closing brace`, () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((path) => longFunctions(path, readFileSync(path, 'utf8')))).toEqual([]);
  });

  it('are measured as the rule counts them: every kind of function, first line to closing brace', () => {
    const body = (lines: number): string => '  work();\n'.repeat(lines - 2);
    const long = MAX_LINES + 1;
    const source = [
      `/** its JSDoc does not count */\nexport async function fits(): Promise<void> {\n${body(MAX_LINES)}}\n`,
      `function tooLong() {\n${body(long)}}\n`,
      `const arrow = () => {\n${body(long)}};\n`,
      `class Holder {\n  constructor() {\n${body(long)}}\n  get value() {\n${body(long)}}\n  method() {\n${body(long)}}\n}\n`,
      `run({ handler: function () {\n${body(long)}} });\n`,
    ].join('');
    const at = (line: number, name: string): string => `src/sample.ts:${line} ${name} (${long} lines)`;
    const afterFits = 1 + MAX_LINES + 1;
    expect(longFunctions(join(SRC, 'sample.ts'), source)).toEqual([
      at(afterFits, 'tooLong'),
      at(afterFits + long, 'arrow'),
      at(afterFits + 2 * long + 1, 'constructor'),
      at(afterFits + 3 * long + 1, 'value'),
      at(afterFits + 4 * long + 1, 'method'),
      at(afterFits + 5 * long + 2, 'handler'),
    ]);
  });
});
