import { describe, expect, it } from 'vitest';
import { WorkspaceError } from '../../src/errors.js';
import type { EditSpec } from '../../src/scenario/scenario-types.js';
import { applyEdit, commentLine } from '../../src/workspace/edits.js';

function apply(edit: EditSpec, path: string, original: string | Buffer, nonce: string, sequence = 0, replacement?: string | Buffer): { text: string; content: Buffer; summary: string } {
  const originalBytes = typeof original === 'string' ? Buffer.from(original) : original;
  const replacementBytes = typeof replacement === 'string' ? Buffer.from(replacement) : replacement;
  const { content, summary } = applyEdit(edit, { path, original: originalBytes }, nonce, sequence, replacementBytes);
  return { text: content.toString('utf8'), content, summary };
}

/** What an edit added after an unchanged original: fails unless the result starts with it. */
function addedAfter(original: string, result: string): string {
  expect(result.startsWith(original)).toBe(true);
  return result.slice(original.length);
}

describe('applyEdit: replace', () => {
  const edit: EditSpec = { name: 'version', kind: 'replace', file: 'app/version.py', match: 'VERSION = "(\\d+)"', with: 'VERSION = "$1-{nonce}"' };

  it('replaces the first match only, with $1 for the group and {nonce} substituted', () => {
    const { text, summary } = apply(edit, edit.file, 'import os\nVERSION = "3"\nVERSION = "4"\n', 'n1');
    expect(text).toBe('import os\nVERSION = "3-n1"\nVERSION = "4"\n');
    expect(summary).toBe('app/version.py: text at line 2 replaced');
  });

  it('replaces the matched text, not the whole line around it', () => {
    const inline: EditSpec = { name: 'tag', kind: 'replace', file: 'app.py', match: 'v\\d+', with: 'v-{nonce}' };
    expect(apply(inline, 'app.py', 'print("v1")  # keep this comment\n', 'n').text).toBe('print("v-n")  # keep this comment\n');
  });

  it('lets ^ and $ match at the start and end of any line', () => {
    const anchored: EditSpec = { name: 'tag', kind: 'replace', file: 'app.py', match: '^TAG = .*$', with: 'TAG = "{nonce}"' };
    expect(apply(anchored, 'app.py', 'import os\nTAG = "old"\nprint(TAG)\n', 'n').text).toBe('import os\nTAG = "n"\nprint(TAG)\n');
  });

  it('substitutes every {nonce} of the replacement', () => {
    const twice: EditSpec = { ...edit, with: '{nonce}/{nonce}' };
    expect(apply(twice, edit.file, 'VERSION = "3"\n', 'x').text).toBe('x/x\n');
  });

  it('gives different content for two nonces', () => {
    expect(apply(edit, edit.file, 'VERSION = "3"\n', 'n1').text).not.toBe(apply(edit, edit.file, 'VERSION = "3"\n', 'n2').text);
  });

  it('throws a WorkspaceError naming the file when nothing matches', () => {
    const attempt = (): unknown => apply(edit, edit.file, 'print("no version here")\n', 'n');
    expect(attempt).toThrow(WorkspaceError);
    expect(attempt).toThrow(/matches nothing in app\/version\.py/);
  });
});

describe('applyEdit: append-line without a line of its own', () => {
  const edit = (file: string): EditSpec => ({ name: 'code', kind: 'append-line', file });

  it.each([
    ['app.py', /^# [^\n]*NONCE-7[^\n]*\n$/],
    ['requirements.txt', /^# [^\n]*NONCE-7[^\n]*\n$/],
    ['Dockerfile', /^# [^\n]*NONCE-7[^\n]*\n$/],
    ['docker/api.Dockerfile', /^# [^\n]*NONCE-7[^\n]*\n$/],
    ['src/index.js', /^\/\/ [^\n]*NONCE-7[^\n]*\n$/],
    ['cmd/main.go', /^\/\/ [^\n]*NONCE-7[^\n]*\n$/],
    ['web/index.html', /^<!-- [^\n]*NONCE-7[^\n]* -->\n$/],
  ])('appends to %s one comment line in its own syntax, carrying the nonce', (file, comment) => {
    const original = 'first line\nsecond line\n';
    const { text, summary } = apply(edit(file), file, original, 'NONCE-7');
    expect(addedAfter(original, text)).toMatch(comment);
    expect(summary).toBe(`${file}: line appended`);
  });

  it('ends an unterminated last line before the comment, so that line is not changed', () => {
    const { text } = apply(edit('app.py'), 'app.py', 'print(1)', 'n');
    expect(addedAfter('print(1)', text)).toMatch(/^\n# [^\n]*n[^\n]*\n$/);
  });

  it('gives different content for two nonces', () => {
    expect(apply(edit('app.py'), 'app.py', 'print(1)\n', 'n1').text).not.toBe(apply(edit('app.py'), 'app.py', 'print(1)\n', 'n2').text);
  });

  it('keeps a JSON object valid JSON: the nonce goes in a "//" member, the other members unchanged', () => {
    const original = JSON.stringify({ name: 'app', nested: { list: [1, 2, 3] }, flag: true }, null, 2);
    const { text } = apply(edit('config.json'), 'config.json', `${original}\n`, 'n-json');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed).toEqual({ name: 'app', nested: { list: [1, 2, 3] }, flag: true, '//': expect.stringContaining('n-json') });
  });

  it('keeps the indentation of a JSON object and ends it with a newline', () => {
    const { text } = apply(edit('config.json'), 'config.json', '{\n    "name": "app"\n}\n', 'n');
    expect(text).toContain('\n    "name": "app"');
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('commentLine', () => {
  it.each([
    ['app.py', '# note'],
    ['requirements.txt', '# note'],
    ['Dockerfile', '# note'],
    ['deploy/config.yaml', '# note'],
    ['src/index.ts', '// note'],
    ['main.go', '// note'],
    ['lib/App.java', '// note'],
    ['web/index.html', '<!-- note -->'],
    ['INDEX.HTML', '<!-- note -->'],
    ['styles/site.css', '/* note */'],
    ['db/schema.sql', '-- note'],
  ])('writes a comment for %s as %s', (path, expected) => {
    expect(commentLine(path, 'note')).toBe(expected);
  });

  it('leaves JSON to the callers: they add a "//" member or trailing whitespace, never a comment', () => {
    const edit: EditSpec = { name: 'e', kind: 'touch', file: 'list.json' };
    const touchedArray = applyEdit(edit, { path: 'list.json', original: Buffer.from('[1, 2]\n') }, 'n1', 0).content.toString('utf8');
    expect(JSON.parse(touchedArray)).toEqual([1, 2]);
    expect(touchedArray).not.toBe(applyEdit(edit, { path: 'list.json', original: Buffer.from('[1, 2]\n') }, 'n2', 0).content.toString('utf8'));
  });
});

describe('applyEdit: touch', () => {
  const edit: EditSpec = { name: 'touch', kind: 'touch', file: 'src/**/*' };

  it('changes the content (a new modification time alone would not), differently for two nonces', () => {
    const original = 'def f():\n    return 1\n';
    const first = apply(edit, 'src/app.py', original, 'n1');
    const second = apply(edit, 'src/app.py', original, 'n2');
    expect(first.text).not.toBe(original);
    expect(second.text).not.toBe(first.text);
    expect(first.summary).toBe('src/app.py: touched (content changed, as a save would)');
  });

  it('keeps a Python file Python: the original lines, then a single comment line', () => {
    const original = 'def f():\n    return 1\n';
    expect(addedAfter(original, apply(edit, 'src/app.py', original, 'n1').text)).toMatch(/^# [^\n]*n1[^\n]*\n$/);
  });

  it('keeps a JSON object parseable, with its members and a "//" member carrying the nonce', () => {
    const original = '{"a": 1, "b": [true, null]}';
    const first = apply(edit, 'src/data.json', original, 'n1').text;
    const second = apply(edit, 'src/data.json', original, 'n2').text;
    expect(JSON.parse(first)).toEqual({ a: 1, b: [true, null], '//': expect.stringContaining('n1') });
    expect(JSON.parse(second)).toEqual({ a: 1, b: [true, null], '//': expect.stringContaining('n2') });
  });

  it('gives a binary file its original bytes followed by trailing bytes that differ between nonces', () => {
    const original = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0xff, 0x10]);
    const first = apply(edit, 'src/logo.png', original, 'n1').content;
    const second = apply(edit, 'src/logo.png', original, 'n2').content;
    expect(first.length).toBeGreaterThan(original.length);
    expect(first.subarray(0, original.length).equals(original)).toBe(true);
    expect(second.subarray(0, original.length).equals(original)).toBe(true);
    expect(first.equals(second)).toBe(false);
  });

  it('does not write a text comment into a binary file', () => {
    const original = Buffer.from([0x00, 0x01, 0x02]);
    const added = apply(edit, 'src/blob.py', original, 'n1').content.subarray(original.length).toString('utf8');
    expect(added).not.toMatch(/^\n?# /);
    expect(added).toContain('n1');
  });
});

describe('applyEdit: add-requirement to package.json', () => {
  const edit: EditSpec = { name: 'deps', kind: 'add-requirement', file: 'package.json', packages: ['ms@2.1.3', '@scope/pkg@1.0.0', 'left-pad'] };
  const original = `${JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { express: '4.19.2' } }, null, 2)}\n`;
  type Manifest = { name: string; dependencies: Record<string, string>; '//': string };

  it('adds the package with its version to the dependencies, keeping the others and the rest of the manifest', () => {
    const { text, summary } = apply(edit, 'package.json', original, 'n1', 0);
    const manifest = JSON.parse(text) as Manifest;
    expect(manifest.dependencies).toEqual({ express: '4.19.2', ms: '2.1.3' });
    expect(manifest.name).toBe('app');
    expect(summary).toBe('package.json: added ms@2.1.3');
  });

  it('puts the nonce in a "//" member, so two nonces give different bytes for the same package', () => {
    const first = apply(edit, 'package.json', original, 'n1', 0).text;
    const second = apply(edit, 'package.json', original, 'n2', 0).text;
    expect((JSON.parse(first) as Manifest)['//']).toContain('n1');
    expect(first).not.toBe(second);
  });

  it('cycles through the packages by sequence; a scoped name keeps its @, a bare name gets "*"', () => {
    expect((JSON.parse(apply(edit, 'package.json', original, 'n', 1).text) as Manifest).dependencies).toEqual({ express: '4.19.2', '@scope/pkg': '1.0.0' });
    expect((JSON.parse(apply(edit, 'package.json', original, 'n', 2).text) as Manifest).dependencies).toEqual({ express: '4.19.2', 'left-pad': '*' });
    expect((JSON.parse(apply(edit, 'package.json', original, 'n', 3).text) as Manifest).dependencies).toEqual({ express: '4.19.2', ms: '2.1.3' });
  });

  it('creates the dependencies of a manifest that has none, also in a subdirectory', () => {
    const { text } = apply(edit, 'web/package.json', '{"name": "web"}', 'n', 0);
    expect(JSON.parse(text)).toMatchObject({ name: 'web', dependencies: { ms: '2.1.3' } });
  });

  it('throws a WorkspaceError for a package.json that is not a JSON object', () => {
    for (const broken of ['{"name": "app",', '[]', '']) {
      const attempt = (): unknown => apply(edit, 'package.json', broken, 'n', 0);
      expect(attempt).toThrow(WorkspaceError);
      expect(attempt).toThrow(/package\.json is not a JSON object/);
    }
  });
});

describe('applyEdit: add-requirement to go.mod', () => {
  const edit: EditSpec = { name: 'deps', kind: 'add-requirement', file: 'go.mod', packages: ['golang.org/x/text@v0.14.0', 'github.com/google/uuid@v1.6.0'] };
  const original = 'module example.com/app\n\ngo 1.22\n\nrequire github.com/pkg/errors v0.9.1\n';

  it('adds a `require module version` line, keeping every original line', () => {
    const { text, summary } = apply(edit, 'go.mod', original, 'n1', 0);
    expect(text).toMatch(/^require golang\.org\/x\/text v0\.14\.0(\s|$)/m);
    for (const line of original.split('\n').filter((l) => l !== '')) expect(text.split('\n')).toContain(line);
    expect(summary).toBe('go.mod: required golang.org/x/text v0.14.0');
  });

  it('carries the nonce in a Go comment on the added line, so two nonces give different bytes', () => {
    const first = apply(edit, 'go.mod', original, 'n1', 0).text;
    expect(first).toMatch(/^require golang\.org\/x\/text v0\.14\.0 \/\/ [^\n]*n1$/m);
    expect(apply(edit, 'go.mod', original, 'n2', 0).text).not.toBe(first);
  });

  it('takes the module chosen by the sequence, and only that one', () => {
    const { text } = apply(edit, 'go.mod', original, 'n', 1);
    expect(text).toMatch(/^require github\.com\/google\/uuid v1\.6\.0 /m);
    expect(text).not.toContain('golang.org/x/text');
  });
});

describe('applyEdit: replace-file', () => {
  const edit: EditSpec = { name: 'swap', kind: 'replace-file', file: 'app.py', from: '/elsewhere/app-v2.py' };

  it('writes the replacement followed by a comment line carrying the nonce', () => {
    const { text, summary } = apply(edit, 'app.py', 'print("v1")\n', 'n1', 0, 'print("v2")\n');
    expect(addedAfter('print("v2")\n', text)).toMatch(/^# [^\n]*n1[^\n]*\n$/);
    expect(summary).toBe('app.py: replaced by /elsewhere/app-v2.py');
  });

  it('never keeps the original content', () => {
    expect(apply(edit, 'app.py', 'ORIGINAL = 1\n', 'n1', 0, 'print("v2")\n').text).not.toContain('ORIGINAL');
  });

  it('ends an unterminated replacement before the comment, so its last line is unchanged', () => {
    expect(addedAfter('print("v2")', apply(edit, 'app.py', '', 'n1', 0, 'print("v2")').text)).toMatch(/^\n# [^\n]*n1[^\n]*\n$/);
  });

  it('writes the comment in the syntax of the replaced file', () => {
    const js: EditSpec = { ...edit, file: 'src/app.js' };
    expect(addedAfter('run();\n', apply(js, 'src/app.js', '', 'n1', 0, 'run();\n').text)).toMatch(/^\/\/ [^\n]*n1[^\n]*\n$/);
  });

  it('gives different content for two nonces, the same for one', () => {
    const first = apply(edit, 'app.py', '', 'n1', 0, 'print("v2")\n').text;
    expect(apply(edit, 'app.py', '', 'n2', 0, 'print("v2")\n').text).not.toBe(first);
    expect(apply(edit, 'app.py', '', 'n1', 1, 'print("v2")\n').text).toBe(first);
  });

  it('keeps the bytes of a binary replacement and adds the unique trailer after them', () => {
    const blob = Buffer.from([0x00, 0xff, 0x00, 0x7f]);
    const first = apply({ ...edit, file: 'model.bin' }, 'model.bin', '', 'n1', 0, blob).content;
    const second = apply({ ...edit, file: 'model.bin' }, 'model.bin', '', 'n2', 0, blob).content;
    expect(first.subarray(0, blob.length).equals(blob)).toBe(true);
    expect(first.length).toBeGreaterThan(blob.length);
    expect(first.equals(second)).toBe(false);
  });

  it('throws a WorkspaceError naming the edit when there is no replacement', () => {
    const attempt = (): unknown => apply(edit, 'app.py', 'print("v1")\n', 'n1', 0);
    expect(attempt).toThrow(WorkspaceError);
    expect(attempt).toThrow(/"swap" has nothing to put in place of app\.py/);
  });
});

describe('applyEdit: repeated applications on their own output', () => {
  it('go.mod: the line an earlier application added is replaced, not piled up', () => {
    const edit: EditSpec = { name: 'dep', kind: 'add-requirement', file: 'go.mod', packages: ['example.com/a@v1.0.0', 'example.com/b@v2.0.0'] };
    const once = apply(edit, 'go.mod', 'module x\n\ngo 1.22\n', 'n1', 0).text;
    const twice = apply(edit, 'go.mod', once, 'n2', 1).text;
    expect(twice.split('\n').filter((line) => line.includes('layerbench edit'))).toEqual(['require example.com/b v2.0.0 // layerbench edit n2']);
  });

  it('replace-file on a JSON object keeps it JSON (a "//" member carries the nonce)', () => {
    const edit: EditSpec = { name: 'cfg', kind: 'replace-file', file: 'package.json', from: '/elsewhere/package.json' };
    const first = apply(edit, 'package.json', '{"name": "old"}\n', 'n1', 0, '{"name": "new", "version": "2.0.0"}\n').text;
    const second = apply(edit, 'package.json', '{"name": "old"}\n', 'n2', 0, '{"name": "new", "version": "2.0.0"}\n').text;
    expect(JSON.parse(first)).toMatchObject({ name: 'new', version: '2.0.0' });
    expect(first).not.toBe(second);
  });
});
