import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dockerfileProblem } from '../../src/dockerfile/validate-dockerfile.js';

const DOCKER_DIR = fileURLToPath(new URL('../../docker/', import.meta.url));

/** Every Dockerfile shipped under docker/: docker/**\/*.Dockerfile and docker/**\/Dockerfile. */
const SHIPPED = (readdirSync(DOCKER_DIR, { recursive: true, encoding: 'utf8' }) as string[])
  .map((path) => path.split('\\').join('/'))
  .filter((path) => /(^|\/)Dockerfile$|\.Dockerfile$/.test(path))
  .sort();

describe('dockerfileProblem: the first error a builder would stop at', () => {
  it('names an unknown instruction (RUNN) and its line', () => {
    const problem = dockerfileProblem('FROM alpine:3.20\nWORKDIR /app\nRUNN echo hello\n');
    expect(problem?.line).toBe(3);
    expect(problem?.message).toContain('RUNN');
  });

  it('finds a FROM without an argument', () => {
    expect(dockerfileProblem('FROM\nRUN echo hello\n')).toMatchObject({ line: 1, message: expect.stringMatching(/argument/i) });
  });

  it('finds a COPY with one argument only', () => {
    expect(dockerfileProblem('FROM alpine:3.20\nCOPY app.py\n')).toMatchObject({ line: 2, message: expect.stringContaining('COPY') });
  });

  it('finds a file without any FROM, also one with only ARGs and comments before its first instruction', () => {
    expect(dockerfileProblem('RUN echo hello\n')?.message).toContain('FROM');
    expect(dockerfileProblem('# a comment\nARG X=1\nRUN echo $X\n')).toMatchObject({ line: 3, message: expect.stringContaining('FROM') });
    expect(dockerfileProblem('')?.message).toContain('FROM');
  });

  it('gives the message without a final period (the caller writes the sentence)', () => {
    expect(dockerfileProblem('FROM alpine:3.20\nCOPY app.py\n')?.message).not.toMatch(/\.$/);
  });

  it('reports the first problem when there are several', () => {
    expect(dockerfileProblem('FROM alpine:3.20\nCOPY app.py\nRUNN x\n')?.line).toBe(2);
  });
});

describe('dockerfileProblem: valid Dockerfiles', () => {
  it.each([
    ['a plain file', 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n'],
    ['a heredoc RUN', 'FROM alpine:3.20\nRUN <<EOF\nset -e\necho hello\nEOF\n'],
    ['a heredoc COPY', 'FROM alpine:3.20\nCOPY <<EOF /etc/motd\nhello\nEOF\n'],
    ['RUN --mount=type=cache', 'FROM python:3.11\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n'],
    ['COPY --link --chmod=755', 'FROM alpine:3.20\nCOPY --link --chmod=755 run.sh /usr/local/bin/\n'],
    ['ARG before FROM and a multi-stage build', 'ARG BASE=alpine:3.20\nFROM ${BASE} AS build\nRUN echo built > /out\nFROM scratch\nCOPY --from=build /out /out\n'],
    ['style problems only (lower-case instruction)', 'from alpine:3.20\nrun echo hello\n'],
  ])('finds nothing wrong with %s', (_label, text) => {
    expect(dockerfileProblem(text)).toBeUndefined();
  });

  it('finds the Dockerfiles shipped under docker/', () => {
    expect(SHIPPED.length).toBeGreaterThanOrEqual(10);
    expect(SHIPPED).toEqual(expect.arrayContaining(['variants/naive.Dockerfile', 'registry/Dockerfile', 'examples/flask/optimized.Dockerfile']));
  });

  it.each(SHIPPED)('finds nothing wrong with docker/%s', (path) => {
    expect(dockerfileProblem(readFileSync(`${DOCKER_DIR}${path}`, 'utf8'))).toBeUndefined();
  });
});
