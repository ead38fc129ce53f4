import { describe, expect, it } from 'vitest';
import { fromLines, mappedTo, rewriteDockerfile, type RewriteOptions } from '../../src/dockerfile/rewrite.js';

const INDEX_ARGS = ['PIP_INDEX_URL', 'PIP_TRUSTED_HOST'];

function rewrite(text: string, options: Partial<RewriteOptions> = {}): ReturnType<typeof rewriteDockerfile> {
  return rewriteDockerfile(text, { baseMap: {}, buildArgs: {}, indexArgs: [], ...options });
}

function lines(text: string): string[] {
  return text.split('\n');
}

describe('rewriteDockerfile: --base-map on literal FROM lines', () => {
  it('rewrites a FROM that names a mapped image and leaves every other line as it was', () => {
    const text = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n';
    const result = rewrite(text, { baseMap: { 'python:3.11-slim': 'mirror.local/python:3.11-slim' } });
    expect(result.text).toBe('FROM mirror.local/python:3.11-slim\nWORKDIR /app\nCOPY . .\n');
    expect(result.buildArgs).toEqual({});
  });

  it('leaves the text alone, with no notes, when no FROM names a mapped image', () => {
    const text = 'FROM python:3.11-slim\nRUN echo python:3.12\n';
    const result = rewrite(text, { baseMap: { 'python:3.12': 'mirror/python:3.12' } });
    expect(result.text).toBe(text);
    expect(result.notes).toEqual([]);
  });

  it('keeps --platform and the stage name when it rewrites the image', () => {
    const result = rewrite('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build\n', { baseMap: { 'golang:1.22': 'mirror/golang:1.22' } });
    expect(lines(result.text)[0]).toBe('FROM --platform=$BUILDPLATFORM mirror/golang:1.22 AS build');
  });

  it('maps every stage that names the image in a multi-stage file, but not a FROM naming an earlier stage', () => {
    const text = 'FROM ubuntu:22.04 AS build\nRUN make\nFROM build AS test\nRUN make test\nFROM ubuntu:22.04\nCOPY --from=build /out /out\n';
    const result = rewrite(text, { baseMap: { 'ubuntu:22.04': 'mirror/ubuntu:22.04', build: 'mirror/build:1' } });
    expect(lines(result.text)).toEqual(['FROM mirror/ubuntu:22.04 AS build', 'RUN make', 'FROM build AS test', 'RUN make test', 'FROM mirror/ubuntu:22.04', 'COPY --from=build /out /out', '']);
  });

  it('leaves FROM scratch untouched, even when scratch is in the map', () => {
    const text = 'FROM scratch\nCOPY app /app\n';
    expect(rewrite(text, { baseMap: { scratch: 'busybox' } }).text).toBe(text);
  });

  it('writes a note naming the line, the image as written and what it builds on', () => {
    const result = rewrite('# syntax\nFROM alpine:3.20 AS base\n', { baseMap: { 'alpine:3.20': 'mirror/alpine:3.20' } });
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain('line 2');
    expect(result.notes[0]).toContain('alpine:3.20');
    expect(result.notes[0]).toContain('mirror/alpine:3.20');
  });

  it('keeps the line count: a base mapping adds no line', () => {
    const text = 'FROM alpine:3.20\nRUN true\n';
    const result = rewrite(text, { baseMap: { 'alpine:3.20': 'mirror/alpine:3.20' } });
    expect(lines(result.text)).toHaveLength(lines(text).length);
    expect(result.originalLine(1)).toBe(1);
    expect(result.originalLine(2)).toBe(2);
  });
});

describe('rewriteDockerfile: bases given by an ARG', () => {
  const text = 'ARG BASE=ubuntu:22.04\nFROM ${BASE}\nRUN true\n';

  it('keeps FROM ${BASE} as written and returns the mapped image as the build arg BASE', () => {
    const result = rewrite(text, { baseMap: { 'ubuntu:22.04': 'mirror/ubuntu:22.04' } });
    expect(result.text).toBe(text);
    expect(result.buildArgs).toEqual({ BASE: 'mirror/ubuntu:22.04' });
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain('line 2');
    expect(result.notes[0]).toContain('mirror/ubuntu:22.04');
    expect(result.notes[0]).toContain('BASE');
  });

  it('does the same for the bare $BASE form', () => {
    expect(rewrite('ARG BASE=ubuntu:22.04\nFROM $BASE\n', { baseMap: { 'ubuntu:22.04': 'mirror/ubuntu:22.04' } }).buildArgs).toEqual({ BASE: 'mirror/ubuntu:22.04' });
  });

  it('maps what a build arg given for BASE resolves to, not the ARG default', () => {
    const baseMap = { 'ubuntu:22.04': 'mirror/ubuntu:22.04', 'ubuntu:24.04': 'mirror/ubuntu:24.04' };
    expect(rewrite(text, { baseMap, buildArgs: { BASE: 'ubuntu:24.04' } }).buildArgs).toEqual({ BASE: 'mirror/ubuntu:24.04' });
    expect(rewrite(text, { baseMap: { 'ubuntu:22.04': 'mirror/ubuntu:22.04' }, buildArgs: { BASE: 'debian:12' } }).buildArgs).toEqual({});
  });

  it('builds on the mapped image for the ${VAR:-default} form, with the default or with the build arg given', () => {
    const withDefault = 'FROM ${BASE:-ubuntu:22.04}\nRUN true\n';
    const baseMap = { 'ubuntu:22.04': 'mirror/ubuntu:22.04' };
    for (const buildArgs of [{}, { BASE: 'ubuntu:22.04' }]) {
      const result = rewrite(withDefault, { baseMap, buildArgs });
      expect(fromLines(result.text, { ...buildArgs, ...result.buildArgs }).map((f) => f.image)).toEqual(['mirror/ubuntu:22.04']);
    }
    expect(rewrite(withDefault, { baseMap, buildArgs: { BASE: 'debian:12' } }).text).toBe(withDefault);
  });
});

describe('fromLines', () => {
  it('gives each FROM its 1-based line, the image as written, and the image with ARGs resolved', () => {
    const text = 'ARG BASE=ubuntu:22.04\nARG TAG=3.20\n\nFROM ${BASE} AS one\nFROM alpine:$TAG\nFROM ${MISSING:-debian:12}\n';
    expect(fromLines(text, {})).toEqual([
      { line: 4, at: { line: 4, start: 5, end: 12 }, written: '${BASE}', image: 'ubuntu:22.04' },
      { line: 5, at: { line: 5, start: 5, end: 16 }, written: 'alpine:$TAG', image: 'alpine:3.20' },
      { line: 6, at: { line: 6, start: 5, end: 26 }, written: '${MISSING:-debian:12}', image: 'debian:12' },
    ]);
  });

  it('lets the build args win over the ARG defaults', () => {
    expect(fromLines('ARG BASE=ubuntu:22.04\nFROM ${BASE}\n', { BASE: 'ubuntu:24.04' })[0]?.image).toBe('ubuntu:24.04');
  });

  it('takes the :- default when the value is empty', () => {
    expect(fromLines('ARG BASE=\nFROM ${BASE:-alpine}\n', {})[0]?.image).toBe('alpine');
  });

  it('resolves nothing from an ARG declared after the first FROM', () => {
    expect(fromLines('FROM alpine\nARG LATER=ubuntu\nFROM ${LATER:-debian}\n', {})[1]?.image).toBe('debian');
  });

  it('gives no image for a FROM naming an earlier stage (in any case) or scratch', () => {
    const text = 'FROM golang:1.22 AS Build\nFROM build\nFROM scratch\n';
    expect(fromLines(text, {}).map((f) => f.image)).toEqual(['golang:1.22', undefined, undefined]);
  });
});

describe('mappedTo', () => {
  it('finds an exact key', () => {
    expect(mappedTo('python:3.11-slim', { 'python:3.11-slim': 'mirror/python' })).toBe('mirror/python');
  });

  it('compares references as Docker does: ubuntu is docker.io/library/ubuntu:latest, both ways', () => {
    expect(mappedTo('docker.io/library/ubuntu:latest', { ubuntu: 'mirror/ubuntu' })).toBe('mirror/ubuntu');
    expect(mappedTo('ubuntu', { 'docker.io/library/ubuntu:latest': 'mirror/ubuntu' })).toBe('mirror/ubuntu');
    expect(mappedTo('library/ubuntu', { 'ubuntu:latest': 'mirror/ubuntu' })).toBe('mirror/ubuntu');
  });

  it('does not take one tag for another, nor a registry for Docker Hub', () => {
    expect(mappedTo('ubuntu:24.04', { 'ubuntu:22.04': 'mirror/ubuntu' })).toBeUndefined();
    expect(mappedTo('ubuntu', { 'ubuntu:22.04': 'mirror/ubuntu' })).toBeUndefined();
    expect(mappedTo('ghcr.io/library/ubuntu:22.04', { 'ubuntu:22.04': 'mirror/ubuntu' })).toBeUndefined();
  });

  it('gives undefined for a text that is no image reference and matches no key', () => {
    expect(mappedTo('${BASE}', { ubuntu: 'mirror/ubuntu' })).toBeUndefined();
  });

  it('maps FROM docker.io/library/ubuntu:latest through a map naming plain ubuntu', () => {
    const result = rewrite('FROM docker.io/library/ubuntu:latest\n', { baseMap: { ubuntu: 'mirror/ubuntu:noble' } });
    expect(result.text).toBe('FROM mirror/ubuntu:noble\n');
  });
});

describe('rewriteDockerfile: the package index ARGs', () => {
  const options = { indexArgs: INDEX_ARGS };

  it.each([
    ['pip install', 'RUN pip install -r requirements.txt'],
    ['pip3 install', 'RUN pip3 install flask'],
    ['python -m pip', 'RUN python -m pip install flask'],
    ['python3 -m pip', 'RUN python3 -m pip install flask'],
  ])('declares every index ARG right after the FROM of a stage that runs %s', (_label, run) => {
    const result = rewrite(`FROM python:3.11-slim\nWORKDIR /app\n${run}\n`, options);
    expect(lines(result.text)).toEqual(['FROM python:3.11-slim', 'ARG PIP_INDEX_URL', 'ARG PIP_TRUSTED_HOST', 'WORKDIR /app', run, '']);
  });

  it('declares them after each stage that runs pip, and only those, in a multi-stage file', () => {
    const text = ['FROM python:3.11 AS deps', 'RUN pip install -r requirements.txt', 'FROM node:20 AS web', 'RUN npm ci', 'FROM python:3.11-slim', 'RUN pip install gunicorn', ''].join('\n');
    const result = rewrite(text, options);
    expect(lines(result.text)).toEqual([
      'FROM python:3.11 AS deps',
      'ARG PIP_INDEX_URL',
      'ARG PIP_TRUSTED_HOST',
      'RUN pip install -r requirements.txt',
      'FROM node:20 AS web',
      'RUN npm ci',
      'FROM python:3.11-slim',
      'ARG PIP_INDEX_URL',
      'ARG PIP_TRUSTED_HOST',
      'RUN pip install gunicorn',
      '',
    ]);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain('PIP_INDEX_URL');
    expect(result.notes[0]).toContain('1, 5');
  });

  it('declares nothing in a stage that already declares PIP_INDEX_URL', () => {
    const text = 'FROM python:3.11\nARG PIP_INDEX_URL\nRUN pip install flask\n';
    const result = rewrite(text, options);
    expect(result.text).toBe(text);
    expect(result.notes).toEqual([]);
  });

  it('counts a declaration with a default value (ARG PIP_INDEX_URL=…) as one', () => {
    const text = 'FROM python:3.11\nARG PIP_INDEX_URL=https://pypi.org/simple\nRUN pip install flask\n';
    expect(rewrite(text, options).text).toBe(text);
  });

  it('does not count a global ARG before the FROM, which the stage does not see', () => {
    const result = rewrite('ARG PIP_INDEX_URL\nFROM python:3.11\nRUN pip install flask\n', options);
    expect(lines(result.text).slice(0, 4)).toEqual(['ARG PIP_INDEX_URL', 'FROM python:3.11', 'ARG PIP_INDEX_URL', 'ARG PIP_TRUSTED_HOST']);
  });

  it('declares nothing in a stage that does not run pip (pipx and words containing pip do not count)', () => {
    const text = 'FROM python:3.11\nRUN pipx install black\nRUN echo pipeline\nCOPY pip.conf /etc/\n';
    const result = rewrite(text, options);
    expect(result.text).toBe(text);
    expect(result.notes).toEqual([]);
  });

  it('declares nothing when there are no index args (the index is not local)', () => {
    const text = 'FROM python:3.11\nRUN pip install flask\n';
    const result = rewrite(text, { indexArgs: [] });
    expect(result.text).toBe(text);
    expect(result.notes).toEqual([]);
  });

  it('maps each new line back to the user\'s line, and an added line to null', () => {
    const result = rewrite('FROM python:3.11\nRUN pip install flask\nCMD ["python"]\n', options);
    expect([1, 2, 3, 4, 5, 6].map(result.originalLine)).toEqual([1, null, null, 2, 3, 4]);
    expect(result.originalLine(7)).toBeNull();
  });

  it('puts the ARGs after the last line of a FROM that spans a line continuation', () => {
    const text = 'FROM --platform=linux/amd64 \\\n    python:3.11-slim \\\n    AS app\nRUN pip install flask\n';
    const result = rewrite(text, options);
    expect(lines(result.text)).toEqual(['FROM --platform=linux/amd64 \\', '    python:3.11-slim \\', '    AS app', 'ARG PIP_INDEX_URL', 'ARG PIP_TRUSTED_HOST', 'RUN pip install flask', '']);
    expect([1, 2, 3, 4, 5, 6].map(result.originalLine)).toEqual([1, 2, 3, null, null, 4]);
  });

  it('maps a base and declares the ARGs in one pass', () => {
    const result = rewrite('FROM python:3.11\nRUN pip install flask\n', { ...options, baseMap: { 'python:3.11': 'mirror/python:3.11' } });
    expect(lines(result.text)).toEqual(['FROM mirror/python:3.11', 'ARG PIP_INDEX_URL', 'ARG PIP_TRUSTED_HOST', 'RUN pip install flask', '']);
    expect(result.notes).toHaveLength(2);
  });
});

describe('rewriteDockerfile: where the image is written', () => {
  it('rewrites an image written on a continuation line of its FROM', () => {
    const { text } = rewrite('FROM --platform=linux/amd64 \\\n    python:3.11-slim AS app\nRUN true\n', { baseMap: { 'python:3.11-slim': 'mirror/python:3.11-slim' } });
    expect(lines(text)[1]).toBe('    mirror/python:3.11-slim AS app');
  });

  it('rewrites the image, not an earlier occurrence of its text in the flags', () => {
    const { text } = rewrite('FROM --platform=linux/amd64 a\n', { baseMap: { a: 'mirror/a' } });
    expect(lines(text)[0]).toBe('FROM --platform=linux/amd64 mirror/a');
  });
});
