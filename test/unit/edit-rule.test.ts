import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseEditRule } from '../../src/scenario/edit-rule.js';
import { EDIT_KINDS } from '../../src/scenario/scenario-schema.js';

/** The edit-name pattern of the scenario schema: a default name must pass it. */
const EDIT_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

function parse(rule: string, taken: Iterable<string> = []): Record<string, unknown> {
  return parseEditRule(rule, new Set(taken));
}

/** Runs `parse(rule)`, expects a UsageError whose message quotes the rule as typed, and returns it. */
function rejectionOf(rule: string): UsageError {
  try {
    parse(rule);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(`--edit ${JSON.stringify(rule)}`);
    return err as UsageError;
  }
  throw new Error(`expected a UsageError for ${rule}, but nothing was thrown`);
}

describe('parseEditRule: each kind', () => {
  it('reads append-line:FILE as an append-line edit without a line of its own', () => {
    expect(parse('append-line:app.py')).toStrictEqual({ name: 'append-line-app.py', kind: 'append-line', file: 'app.py' });
  });

  it('reads append-line:FILE:TEXT, the text taking the rest of the rule with its colons', () => {
    expect(parse('append-line:app.py:# saved at 10:30 {nonce}')).toStrictEqual({ name: 'append-line-app.py', kind: 'append-line', file: 'app.py', line: '# saved at 10:30 {nonce}' });
  });

  it('reads replace:FILE:REGEX:REPLACEMENT into match and with, $1 and {nonce} kept as written', () => {
    expect(parse('replace:app/version.py:VERSION = "(\\d+)":VERSION = "$1-{nonce}"')).toStrictEqual({
      name: 'replace-version.py',
      kind: 'replace',
      file: 'app/version.py',
      match: 'VERSION = "(\\d+)"',
      with: 'VERSION = "$1-{nonce}"',
    });
  });

  it('reads replace-line:FILE:REGEX:LINE the same way', () => {
    expect(parse('replace-line:main.py:^GREETING = .*$:GREETING = "{nonce}"')).toStrictEqual({
      name: 'replace-line-main.py',
      kind: 'replace-line',
      file: 'main.py',
      match: '^GREETING = .*$',
      with: 'GREETING = "{nonce}"',
    });
  });

  it('takes \\: as a literal colon inside the pattern and the replacement', () => {
    const edit = parse('replace:config.py:host\\:(\\d+):host\\:{nonce}');
    expect(edit['match']).toBe('host:(\\d+)');
    expect(edit['with']).toBe('host:{nonce}');
  });

  it('reads touch:GLOB with the glob kept as written', () => {
    expect(parse('touch:src/**/*.py')).toMatchObject({ kind: 'touch', file: 'src/**/*.py' });
    expect(Object.keys(parse('touch:src/**/*.py')).sort()).toEqual(['file', 'kind', 'name']);
  });

  it('reads add-requirement:FILE:PKG,PKG into a list of packages, spaces and empty items dropped', () => {
    expect(parse('add-requirement:requirements.txt:six==1.17.0, toolz,')).toStrictEqual({
      name: 'add-requirement-requirements.txt',
      kind: 'add-requirement',
      file: 'requirements.txt',
      packages: ['six==1.17.0', 'toolz'],
    });
  });

  it('keeps npm and Go package specs whole (@scope/name@version, module@version)', () => {
    expect(parse('add-requirement:package.json:@scope/pkg@1.0.0,ms@2.1.3')['packages']).toEqual(['@scope/pkg@1.0.0', 'ms@2.1.3']);
    expect(parse('add-requirement:go.mod:golang.org/x/text@v0.14.0')['packages']).toEqual(['golang.org/x/text@v0.14.0']);
  });

  it('reads replace-file:FILE:FROM, FROM taking the rest of the rule with its colons', () => {
    expect(parse('replace-file:app.py:variants/app-v2.py')).toStrictEqual({ name: 'replace-file-app.py', kind: 'replace-file', file: 'app.py', from: 'variants/app-v2.py' });
    expect(parse('replace-file:app.py:C:/other/app.py')['from']).toBe('C:/other/app.py');
  });

  it('takes random-bytes as the generator of swap-asset:FILE, and the one named otherwise', () => {
    expect(parse('swap-asset:model.bin')).toStrictEqual({ name: 'swap-asset-model.bin', kind: 'swap-asset', file: 'model.bin', generator: 'random-bytes' });
    expect(parse('swap-asset:model.json:refit-numbers')['generator']).toBe('refit-numbers');
  });
});

describe('parseEditRule: names', () => {
  it('takes the name from a name= prefix', () => {
    expect(parse('code=append-line:app.py')).toMatchObject({ name: 'code', kind: 'append-line', file: 'app.py' });
    expect(parse('deps.v2=add-requirement:requirements.txt:six')).toMatchObject({ name: 'deps.v2', kind: 'add-requirement' });
  });

  it('does not read an = inside the file or the arguments as a name', () => {
    expect(parse('append-line:a=b.txt')).toMatchObject({ name: 'append-line-a-b.txt', kind: 'append-line', file: 'a=b.txt' });
    expect(parse('replace:settings.py:DEBUG=.*:DEBUG={nonce}')).toMatchObject({ kind: 'replace', match: 'DEBUG=.*', with: 'DEBUG={nonce}' });
  });

  it('names an edit <kind>-<basename> by default, lower-cased', () => {
    expect(parse('append-line:src/pkg/App.py')['name']).toBe('append-line-app.py');
  });

  it('names a touch after the last path component of its glob that is not a wildcard', () => {
    expect(parse('touch:src/**')['name']).toBe('touch-src');
    expect(parse('touch:**/*')['name']).toBe('touch-files');
  });

  it('gives default names the scenario schema accepts, whatever the glob', () => {
    for (const rule of ['touch:src/**/*.py', 'touch:*', 'append-line:My File.txt', 'append-line:_private.py']) {
      expect(parse(rule)['name']).toMatch(EDIT_NAME);
    }
  });

  it('makes a default name unique against the names already taken', () => {
    expect(parse('append-line:app.py', ['append-line-app.py'])['name']).toBe('append-line-app.py-2');
    expect(parse('append-line:app.py', ['append-line-app.py', 'append-line-app.py-2'])['name']).toBe('append-line-app.py-3');
    expect(parse('append-line:app.py', ['code'])['name']).toBe('append-line-app.py');
  });
});

describe('parseEditRule: rules it refuses with a UsageError that quotes the rule', () => {
  it('refuses an unknown kind, naming it and every kind there is', () => {
    const error = rejectionOf('rewrite:app.py');
    expect(error.message).toContain('"rewrite" is not an edit kind');
    for (const kind of EDIT_KINDS) expect(error.message).toContain(kind);
  });

  it('refuses a name= prefix that is not a valid name (the rest is not read as a kind)', () => {
    expect(rejectionOf('Code=append-line:app.py').message).toContain('is not an edit kind');
  });

  it('refuses a rule without a file', () => {
    expect(rejectionOf('append-line').message).toContain('the file is missing');
    expect(rejectionOf('append-line:').message).toContain('the file is missing');
    expect(rejectionOf('code=swap-asset:').message).toContain('the file is missing');
  });

  it('refuses a touch without a glob, calling it the glob', () => {
    expect(rejectionOf('touch:').message).toContain('the glob is missing');
  });

  it('refuses a touch with anything after the glob', () => {
    expect(rejectionOf('touch:*.py:now').message).toContain('touch takes nothing after the glob');
  });

  it('refuses a replace whose unescaped colon makes three parts, and says how to write a colon', () => {
    const error = rejectionOf('replace:app.py:a:b:c{nonce}');
    expect(error.message).toContain('needs a pattern and its replacement');
    expect(error.hint).toContain('\\:');
  });

  it('refuses a replace or replace-line with a pattern but no replacement', () => {
    expect(rejectionOf('replace:app.py:VERSION').message).toContain('needs a pattern and its replacement');
    expect(rejectionOf('replace-line:app.py:^VERSION').message).toContain('replace-line:FILE:REGEX:REPLACEMENT');
  });

  it('refuses an add-requirement without packages', () => {
    expect(rejectionOf('add-requirement:requirements.txt').message).toContain('needs the packages');
  });

  it('refuses a replace-file without the file to put in place', () => {
    expect(rejectionOf('replace-file:app.py').message).toContain('the file to put in place');
  });
});

describe('parseEditRule: a named rule without its file', () => {
  it('says the file is missing, as the unnamed rule does', () => {
    expect(rejectionOf('code=swap-asset').message).toMatch(/the file is missing/);
  });
});
