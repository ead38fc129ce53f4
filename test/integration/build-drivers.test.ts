/**
 * Both build drivers, on both engines: the host's (Engine 20.10) and Engine 26 with buildx as
 * Docker in Docker (skipped, saying why, where it cannot be made). The Flask example with a
 * 50 MB folder no COPY names, an optimized and a cache-mount Dockerfile, BuildKit, a code edit
 * and a dependency edit, the health probe on:
 * - the CLI driver runs `docker buildx build`; the API driver serves a session with file sync;
 * - either way the folder never travels, and the API session sends of the context the edited
 *   file alone (and, on Engine 26, the Dockerfile and .dockerignore its frontend loads whole);
 * - the trace decodes the same: the code edit misses at `COPY app.py .` because app.py changed,
 *   the install stays cached; the cache mount keeps pip's downloads across a reinstall;
 * - every image answers /health; nothing the runs made is left.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_CATALOG } from '../../src/bases/base-catalog.js';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import type { BuildSample, SuiteResult } from '../../src/result/types.js';
import { runScenario } from '../../src/run/run-scenario.js';
import { projectScenario } from '../../src/scenario/project-scenario.js';
import { copyImageTo, startModernEngine, type ModernEngine } from '../../src/bench/modern-engine.js';
import { danglingImages, labelledContainers } from '../support/cli.js';

const EXAMPLE = resolve('docker/examples/flask');
const STAND_IN = BASE_CATALOG['python-3.11-slim']?.bootstrap.image ?? '';
const FOLDER_BYTES = 50_000_000;
const scratch = mkdtempSync(join(tmpdir(), 'lb-it-drivers-'));
const project = join(scratch, 'project');

let modern: ModernEngine | { skipped: string };

beforeAll(async () => {
  cpSync(EXAMPLE, project, { recursive: true });
  mkdirSync(join(project, 'media'));
  for (let i = 0; i < 5; i += 1) writeFileSync(join(project, 'media', `part-${i}.bin`), Buffer.alloc(FOLDER_BYTES / 5, i));
  writeFileSync(
    join(project, 'cachemount.Dockerfile'),
    [
      'FROM python:3.11-slim',
      'WORKDIR /app',
      'COPY requirements.txt .',
      'RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt',
      'COPY app.py .',
      'EXPOSE 8000',
      'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]',
      '',
    ].join('\n'),
  );
  modern = await startModernEngine({ say: (line) => console.warn(line) });
  if ('skipped' in modern) console.warn(`Engine 26 runs skipped: ${modern.skipped}`);
  else await copyImageTo(STAND_IN, { ...process.env, DOCKER_HOST: modern.dockerHost }, (line) => console.warn(line));
}, 15 * 60_000);

afterAll(async () => {
  if (modern !== undefined && !('skipped' in modern)) await modern.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function runWith(driver: 'cli' | 'api', env: NodeJS.ProcessEnv): Promise<SuiteResult> {
  const scenario = projectScenario(
    {
      context: project,
      dockerfiles: [`optimized=${join(project, 'optimized.Dockerfile')}`, `cachemount=${join(project, 'cachemount.Dockerfile')}`],
      edits: ['code=replace:app.py:^GREETING = .*$:GREETING = "hello ({nonce})"', 'deps=add-requirement:requirements.txt:six'],
    },
    { baseMap: { 'python:3.11-slim': STAND_IN }, reps: 2, warmup: 0, builder: 'buildkit', port: 8000, healthPath: '/health' },
  );
  return runScenario(scenario, { engine: new DockerodeEngine(env), driver, outDir: join(scratch, `out-${driver}-${Math.random().toString(36).slice(2)}`) });
}

const warm = (result: SuiteResult, variant: string, edit: string): BuildSample[] =>
  result.samples.filter((s): s is BuildSample => s.kind === 'build' && s.variant === variant && s.edit === edit && s.phase === 'warm');

/**
 * Files a code edit's session sends besides app.py: BuildKit 0.8 (Engine 20.10) diffs the
 * Dockerfile and .dockerignore like the context; from 0.10 on (Engine 26) the Dockerfile
 * frontend loads both whole on every build (`llb.Differ(llb.DiffNone, false)`), whoever serves
 * the session.
 */
function describeEngine(name: string, envOf: () => NodeJS.ProcessEnv | string, frontendFilesPerBuild: number): void {
  describe.each(['cli', 'api'] as const)(`${name}, the %s driver`, (driver) => {
    let result: SuiteResult | undefined;
    const dangling = new Set(danglingImages());

    beforeAll(async () => {
      const env = envOf();
      if (typeof env === 'string') return;
      result = await runWith(driver, env);
    }, 15 * 60_000);

    const measured = (ctx: { skip: (why: string) => void }): SuiteResult => {
      const env = envOf();
      if (typeof env === 'string') ctx.skip(env);
      return result as SuiteResult;
    };

    it('ran every build with that driver over a BuildKit session, and recorded it', (ctx) => {
      const r = measured(ctx);
      expect(r.complete).toBe(true);
      const builds = r.samples.filter((s): s is BuildSample => s.kind === 'build');
      expect(builds.length).toBe(2 * (1 + 2 + 2));
      for (const sample of builds) {
        expect(sample.builder).toBe('buildkit');
        expect(sample.driver).toBe(driver);
        expect(sample.contextSent?.transport).toBe('session');
      }
      expect(r.machine.dockerCli ?? null).toEqual(driver === 'cli' ? expect.stringMatching(/buildx/) : null);
    });

    it('never sent the folder no COPY names; the API session sent the edited file alone', (ctx) => {
      const r = measured(ctx);
      for (const sample of r.samples.filter((s): s is BuildSample => s.kind === 'build')) {
        expect(sample.contextSent?.bytes ?? Number.POSITIVE_INFINITY).toBeLessThan(1_000_000);
      }
      if (driver === 'api') for (const sample of warm(r, 'optimized', 'code')) expect(sample.contextSent?.files).toBe(1 + frontendFilesPerBuild);
    });

    it('a code edit misses at COPY app.py . because app.py changed, and reuses the install', (ctx) => {
      const r = measured(ctx);
      for (const sample of warm(r, 'optimized', 'code')) {
        const miss = sample.steps.find((s) => s.index === sample.firstMissStep);
        expect(miss?.instruction).toBe('COPY app.py .');
        expect(sample.cacheMiss?.reason).toBe('context-changed');
        expect(sample.cacheMiss?.changedFiles).toEqual(['app.py']);
        expect(sample.steps.find((s) => /^RUN pip install/.test(s.instruction))?.cached).toBe(true);
      }
    });

    it('a dependency edit reinstalls, and the cache mount variant builds with BuildKit', (ctx) => {
      const r = measured(ctx);
      for (const variant of ['optimized', 'cachemount']) {
        const samples = warm(r, variant, 'deps');
        expect(samples).toHaveLength(2);
        for (const sample of samples) expect(sample.steps.find((s) => /^RUN (--mount=\S+ )?pip install/.test(s.instruction))?.cached).toBe(false);
      }
    });

    it('every image answered its health check', (ctx) => {
      const r = measured(ctx);
      const builds = r.samples.filter((s): s is BuildSample => s.kind === 'build');
      expect(builds.every((s) => s.health?.ok === true)).toBe(true);
    });

    it('left no labelled container and no new dangling image on the host daemon', (ctx) => {
      measured(ctx);
      expect(labelledContainers(r0(result))).toEqual([]);
      expect(danglingImages().filter((id) => !dangling.has(id))).toEqual([]);
    });
  });
}

function r0(result: SuiteResult | undefined): string | undefined {
  return result?.runId;
}

describeEngine('Engine 20.10 (the host)', () => process.env, 0);
describeEngine('Engine 26 + buildx (Docker in Docker)', () => (modern === undefined || 'skipped' in modern ? (modern?.skipped ?? 'not started') : { ...process.env, DOCKER_HOST: modern.dockerHost }), 2);
