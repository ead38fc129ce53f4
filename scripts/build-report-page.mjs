#!/usr/bin/env node
/**
 * Builds the files of report.html beside the compiled html-report.js, which inlines them:
 *
 *   node scripts/build-report-page.mjs [FROM=src/report/html] [TO=dist/report/html]
 *
 * The template (.html) and the CSS are copied; the browser scripts (.ts) are transpiled to
 * .js. `tsc -p tsconfig.browser.json` type-checks those scripts; it does not emit them,
 * because their data type (chart-data.ts) belongs to the node program too and tsc -p
 * tsconfig.json already emits it. Transpiled as src/report/html-report.ts does it when the
 * sources run under vitest (types and comments stripped, ES2022 kept): keep the two in step.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const [from = 'src/report/html', to = 'dist/report/html'] = process.argv.slice(2);
const compilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, removeComments: true };

mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) {
  if (name.endsWith('.html') || name.endsWith('.css')) copyFileSync(join(from, name), join(to, name));
  if (name.startsWith('report-') && name.endsWith('.ts')) {
    const { outputText } = ts.transpileModule(readFileSync(join(from, name), 'utf8'), { compilerOptions, fileName: name });
    writeFileSync(join(to, name.replace(/\.ts$/, '.js')), outputText);
  }
}
