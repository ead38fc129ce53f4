/**
 * Why a build's first missed step missed: what layerbench changed since the variant's previous
 * build, held against the step that missed. The COPY and ADD sources come from real
 * Dockerfile text (contextCopies), the steps are shaped as the builders report them (index =
 * position of the instruction in the Dockerfile).
 */
import { describe, expect, it } from 'vitest';
import { contextCopies } from '../../src/dockerfile/context-copies.js';
import { explainCacheMiss, type CacheMissFacts } from '../../src/measure/cache-miss.js';
import type { StepRecord } from '../../src/result/types.js';

/** One instruction per line, no comments: the n-th line is step n. */
const APP = [
  'FROM python:3.11-slim',
  'WORKDIR /app',
  'COPY requirements.txt .',
  'RUN pip install -r requirements.txt',
  'COPY *.cfg ./',
  'COPY app/ app/',
  'COPY . .',
  'CMD ["python", "app/main.py"]',
].join('\n');

const MULTISTAGE = [
  'FROM python:3.11-slim AS build',
  'WORKDIR /src',
  'COPY . .',
  'RUN python -m build',
  'FROM python:3.11-slim',
  'COPY --from=build /src/dist /dist',
  'CMD ["python", "-m", "app"]',
].join('\n');

/** Where each instruction of APP is, by what it does. */
const AT = { requirements: 3, pip: 4, cfg: 5, app: 6, all: 7, cmd: 8 } as const;

/**
 * The steps of a Dockerfile's text: cached before `firstMiss`, rebuilt from it on (unless
 * `cachedAfter` names a later step the builder still found), each taking `durations[index]` ms
 * (100 ms when rebuilt, 2 ms when cached, unless given).
 */
function stepsOf(text: string, firstMiss: number, options: { cachedAfter?: number[]; durations?: Record<number, number> } = {}): StepRecord[] {
  return text.split('\n').map((instruction, i) => {
    const index = i + 1;
    const cached = index < firstMiss || (options.cachedAfter ?? []).includes(index);
    return { index, instruction, cached, durationMs: options.durations?.[index] ?? (cached ? 2 : 100), stage: '0', line: index + 10 };
  });
}

/** Facts for a warm build of APP that first missed at `firstMiss`; nothing changed unless said. */
function facts(firstMiss: number, more: Partial<CacheMissFacts> = {}, text = APP): CacheMissFacts {
  return {
    steps: stepsOf(text, firstMiss),
    firstMissStep: firstMiss,
    noCache: false,
    copies: contextCopies(text),
    changedPaths: [],
    edit: undefined,
    changedBuildArgs: [],
    changedBases: [],
    ...more,
  };
}

const codeEdit = { name: 'code', paths: ['app/main.py'] };
const UNEXPLAINED = /^nothing layerbench changed reaches it/;

describe('explainCacheMiss: a context file the missed COPY brings in changed', () => {
  it('COPY . .: names the file and the edit that wrote it, with the missed step, its instruction and line', () => {
    const miss = explainCacheMiss(facts(AT.all, { changedPaths: ['app/main.py'], edit: codeEdit }));
    expect(miss).toMatchObject({
      step: 7,
      instruction: 'COPY . .',
      line: 17,
      reason: 'context-changed',
      changedFiles: ['app/main.py'],
      because: 'app/main.py changed (edit "code")',
    });
  });

  it('COPY app/ app/: only the changed files under app/, not the other changed files of the context', () => {
    const miss = explainCacheMiss(facts(AT.app, { changedPaths: ['README.md', 'app.py', 'app/main.py', 'app2/x.py', 'application.txt'], edit: codeEdit }));
    expect(miss?.reason).toBe('context-changed');
    expect(miss?.changedFiles).toEqual(['app/main.py']);
    expect(miss?.because).toBe('app/main.py changed (edit "code")');
  });

  it('COPY app/ app/: a file deeper under app/ counts too', () => {
    const miss = explainCacheMiss(facts(AT.app, { changedPaths: ['app/models/linear/weights.json'] }));
    expect(miss?.reason).toBe('context-changed');
    expect(miss?.changedFiles).toEqual(['app/models/linear/weights.json']);
  });

  it('COPY requirements.txt .: the requirements file alone, named with its edit', () => {
    const miss = explainCacheMiss(
      facts(AT.requirements, { changedPaths: ['app/main.py', 'requirements.txt', 'requirements.txt.bak'], edit: { name: 'requirements', paths: ['requirements.txt'] } }),
    );
    expect(miss).toMatchObject({
      step: 3,
      instruction: 'COPY requirements.txt .',
      reason: 'context-changed',
      changedFiles: ['requirements.txt'],
      because: 'requirements.txt changed (edit "requirements")',
    });
  });

  it('COPY *.cfg ./: the files the glob matches at the top of the context, not a .cfg file in a subdirectory', () => {
    const miss = explainCacheMiss(facts(AT.cfg, { changedPaths: ['conf/other.cfg', 'setup.cfg', 'setup.py'] }));
    expect(miss?.reason).toBe('context-changed');
    expect(miss?.changedFiles).toEqual(['setup.cfg']);
    expect(miss?.because).toBe('setup.cfg changed');
  });

  it('a JSON-form COPY and a ./-prefixed source are read as the context paths they name', () => {
    const text = ['FROM python:3.11-slim', 'COPY ["./app/", "/srv/app/"]', 'CMD ["python"]'].join('\n');
    const miss = explainCacheMiss(facts(2, { changedPaths: ['app/main.py', 'other.py'] }, text));
    expect(miss?.changedFiles).toEqual(['app/main.py']);
  });

  it('names every changed file, without the edit, when a file the edit did not write changed too', () => {
    const miss = explainCacheMiss(facts(AT.all, { changedPaths: ['app/main.py', 'notes.txt'], edit: codeEdit }));
    expect(miss?.changedFiles).toEqual(['app/main.py', 'notes.txt']);
    expect(miss?.because).toBe('app/main.py, notes.txt changed');
  });

  it('does not name an edit when the build followed none', () => {
    expect(explainCacheMiss(facts(AT.all, { changedPaths: ['app/main.py'] }))?.because).toBe('app/main.py changed');
  });

  it('names the first three files and counts the rest ("… and N more"); changedFiles keeps them all', () => {
    const changed = ['a.py', 'b.py', 'c.py', 'd.py', 'e.py'];
    const miss = explainCacheMiss(facts(AT.all, { changedPaths: changed, edit: { name: 'many', paths: changed } }));
    expect(miss?.because).toBe('a.py, b.py, c.py and 2 more changed (edit "many")');
    expect(miss?.changedFiles).toEqual(changed);
  });

  it('names exactly three files without counting more', () => {
    expect(explainCacheMiss(facts(AT.all, { changedPaths: ['a.py', 'b.py', 'c.py'] }))?.because).toBe('a.py, b.py, c.py changed');
  });

  it('a file whose mode alone changed (chmod) is a change of the context too', () => {
    const miss = explainCacheMiss(facts(AT.app, { changedPaths: ['app/run.sh'] }));
    expect(miss).toMatchObject({ reason: 'context-changed', changedFiles: ['app/run.sh'], because: 'app/run.sh changed' });
  });
});

describe('explainCacheMiss: the change came in at an earlier COPY that was found cached', () => {
  const CACHED_EARLIER = (step: number): string => `, brought in by step ${step}, which the builder found cached from an identical earlier build`;

  it('names the files and the earlier step that brought them in', () => {
    // setup.cfg comes in at step 5 (COPY *.cfg ./), which was cached; the miss is at step 6
    const miss = explainCacheMiss(facts(AT.app, { changedPaths: ['README.md', 'setup.cfg'], edit: { name: 'cfg', paths: ['setup.cfg'] } }));
    expect(miss).toMatchObject({ step: 6, reason: 'context-changed', changedFiles: ['setup.cfg'], because: `setup.cfg changed (edit "cfg")${CACHED_EARLIER(5)}` });
  });

  it('names the nearest earlier COPY that brings the files in', () => {
    // both step 5 (COPY *.cfg ./) and step 7 (COPY . .) bring setup.cfg in; the miss is at step 8
    const miss = explainCacheMiss(facts(AT.cmd, { changedPaths: ['setup.cfg'] }));
    expect(miss?.because).toBe(`setup.cfg changed${CACHED_EARLIER(7)}`);
  });

  it("prefers the missed COPY's own files to an earlier COPY's", () => {
    const miss = explainCacheMiss(facts(AT.app, { changedPaths: ['app/main.py', 'setup.cfg'] }));
    expect(miss).toMatchObject({ changedFiles: ['app/main.py'], because: 'app/main.py changed' });
  });

  it('does not look at COPY steps after the miss', () => {
    // requirements.txt comes in at step 3 only; the miss is at step 1
    expect(explainCacheMiss(facts(1, { changedPaths: ['requirements.txt'] }))?.reason).toBe('unexplained');
  });

  it("a COPY --from whose stage's COPY was found cached with the changed file: the stage was not rebuilt, the change came in cached", () => {
    const miss = explainCacheMiss(facts(6, { changedPaths: ['app/main.py'], edit: codeEdit }, MULTISTAGE));
    expect(miss).toMatchObject({ reason: 'context-changed', changedFiles: ['app/main.py'], because: `app/main.py changed (edit "code")${CACHED_EARLIER(3)}` });
  });
});

describe('explainCacheMiss: no change reaches the missed step', () => {
  it('a changed file that neither the missed COPY nor an earlier one brings in is unexplained: the cache entry was lost, not busted', () => {
    // README.md reaches the build only at step 7 (COPY . .), after the miss at step 6
    const miss = explainCacheMiss(facts(AT.app, { changedPaths: ['README.md'], edit: { name: 'docs', paths: ['README.md'] } }));
    expect(miss?.reason).toBe('unexplained');
    expect(miss?.changedFiles).toEqual([]);
    expect(miss?.because).toMatch(UNEXPLAINED);
  });

  it('nothing changed as sent (an edit of an ignored file never shows in the changed paths) is unexplained', () => {
    const miss = explainCacheMiss(facts(AT.all, { changedPaths: [], edit: { name: 'data', paths: ['data/set.csv'] } }));
    expect(miss?.reason).toBe('unexplained');
    expect(miss?.because).toMatch(UNEXPLAINED);
  });

  it('a miss at a step that reads no context (a RUN) with only context changes is unexplained', () => {
    const miss = explainCacheMiss(facts(AT.pip, { changedPaths: ['app/main.py'], edit: codeEdit }));
    expect(miss?.reason).toBe('unexplained');
  });

  it('without a previous build to compare with (changedPaths undefined), a COPY miss is unexplained even after an edit', () => {
    const miss = explainCacheMiss(facts(AT.all, { changedPaths: undefined, edit: codeEdit }));
    expect(miss?.reason).toBe('unexplained');
    expect(miss?.changedFiles).toEqual([]);
    expect(miss?.because).toMatch(UNEXPLAINED);
  });
});

describe('explainCacheMiss: causes other than the context', () => {
  it('a changed build argument: build-arg-changed, naming it', () => {
    const miss = explainCacheMiss(facts(AT.pip, { changedBuildArgs: ['PIP_INDEX_URL'] }));
    expect(miss).toMatchObject({ reason: 'build-arg-changed', changedFiles: ['PIP_INDEX_URL'], because: 'build arg PIP_INDEX_URL changed' });
  });

  it('several changed build arguments are all named', () => {
    expect(explainCacheMiss(facts(AT.pip, { changedBuildArgs: ['A', 'B'] }))?.because).toBe('build arg A, B changed');
  });

  it('a changed base image: base-changed, with the short ids before and after', () => {
    const before = `sha256:0123456789ab${'c'.repeat(52)}`;
    const after = `sha256:fedcba987654${'d'.repeat(52)}`;
    const miss = explainCacheMiss(facts(1, { changedBases: [{ image: 'python:3.11-slim', before, after }] }));
    expect(miss).toMatchObject({
      step: 1,
      instruction: 'FROM python:3.11-slim',
      reason: 'base-changed',
      changedFiles: ['python:3.11-slim'],
      because: 'the base image python:3.11-slim changed (0123456789ab → fedcba987654)',
    });
  });

  it('COPY --from=build as the first miss, nothing of the context changed: parent-missed, naming the stage', () => {
    const miss = explainCacheMiss(facts(6, { changedPaths: [] }, MULTISTAGE));
    expect(miss).toMatchObject({
      step: 6,
      instruction: 'COPY --from=build /src/dist /dist',
      reason: 'parent-missed',
      changedFiles: [],
      because: 'it copies from stage "build", which was rebuilt',
    });
  });

  it('a cold build (--no-cache) is no-cache, whatever else changed', () => {
    const miss = explainCacheMiss(facts(1, { noCache: true, changedPaths: ['app/main.py'], edit: codeEdit, changedBuildArgs: ['A'] }));
    expect(miss).toMatchObject({ step: 1, reason: 'no-cache', changedFiles: [], because: 'built without cache (--no-cache)' });
  });

  it('no missed step: null', () => {
    expect(explainCacheMiss({ ...facts(AT.all, { changedPaths: ['app/main.py'], edit: codeEdit }), firstMissStep: null })).toBeNull();
  });
});

describe('explainCacheMiss: what the miss cost', () => {
  it('rebuiltSteps counts the uncached steps after the miss only; rebuiltMs is the missed step plus those', () => {
    const steps = stepsOf(APP, AT.pip, { cachedAfter: [AT.cfg], durations: { 1: 40, 2: 30, 3: 20, [AT.pip]: 20_000, [AT.cfg]: 7, [AT.app]: 300, [AT.all]: 200, [AT.cmd]: 50 } });
    const miss = explainCacheMiss({ ...facts(AT.pip), steps });
    expect(miss?.rebuiltSteps).toBe(3);
    expect(miss?.rebuiltMs).toBe(20_000 + 300 + 200 + 50);
  });

  it('a miss at the last step rebuilt nothing after it and cost its own time', () => {
    const miss = explainCacheMiss({ ...facts(AT.cmd), steps: stepsOf(APP, AT.cmd, { durations: { [AT.cmd]: 75 } }) });
    expect(miss?.rebuiltSteps).toBe(0);
    expect(miss?.rebuiltMs).toBe(75);
  });

  it('gives rebuiltMs in whole milliseconds', () => {
    const miss = explainCacheMiss({ ...facts(AT.all), steps: stepsOf(APP, AT.all, { durations: { [AT.all]: 100.4, [AT.cmd]: 200.4 } }) });
    expect(miss?.rebuiltMs).toBe(301);
  });
});

describe('contextCopies: what a Dockerfile takes from the context', () => {
  it('takes nothing from a heredoc COPY, which writes its own content', () => {
    expect(contextCopies('FROM python:3.11-slim\nCOPY <<EOF app/settings.py\nDEBUG = False\nEOF\nCOPY app.py .\n').map((c) => c.sources)).toEqual([['app.py']]);
  });
});
