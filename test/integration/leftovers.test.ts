/**
 * What a run removes of the builder's unlabelled by-products: exactly the untagged images its
 * own builds made. A tagged image made during the run (a base bootstrapped by it) stays.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { Workspace } from '../../src/workspace/workspace.js';
import { danglingImages } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-it-leftovers-'));
const freshBase = `layerbench-test/fresh-base:${Date.now()}`;
afterAll(() => {
  spawnSync('docker', ['rmi', freshBase], { stdio: 'ignore' });
  rmSync(scratch, { recursive: true, force: true });
});

describe('removeBuildLeftovers', () => {
  it('removes the intermediate images of this run\'s builds and keeps a base tagged during the run', async () => {
    const engine = new DockerodeEngine();
    const since = new Date(Date.now() - 2000);
    const danglingBefore = danglingImages();
    const base = (await engine.inspectImage('python:3.11-slim-bookworm')) ? 'python:3.11-slim-bookworm' : 'layerbench/bookworm-python3:1';
    // a base made now, as a bootstrap during a run would make it
    const made = spawnSync('docker', ['build', '-q', '-t', freshBase, '-'], {
      input: `FROM ${base}\nLABEL layerbench.test=${Date.now()}\n`,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    expect(made.status).toBe(0);

    const context = join(scratch, 'context');
    mkdirSync(context);
    writeFileSync(join(context, 'a.txt'), `${Date.now()}\n`);
    writeFileSync(join(scratch, 'Dockerfile'), `FROM ${freshBase}\nCOPY a.txt /a.txt\nRUN cp /a.txt /b.txt\nCMD ["true"]\n`);
    const workspace = Workspace.create(join(scratch, 'ws'), context, join(scratch, 'Dockerfile'));
    const outcome = await engine.build({
      context: workspace.pack(),
      dockerfile: workspace.dockerfileInContext,
      builder: 'classic',
      buildArgs: {},
      labels: { 'layerbench.run': 'integration-leftovers' },
      tag: undefined,
      noCache: true,
      variant: 'leftovers',
      hostNetwork: false,
      signal: undefined,
      onStep: undefined,
    });
    workspace.dispose();
    await engine.removeImage(outcome.imageId);
    await engine.removeBuildLeftovers(since);

    expect(await engine.inspectImage(freshBase)).toBeDefined();
    expect(await engine.inspectImage(outcome.imageId)).toBeUndefined();
    expect(danglingImages().filter((id) => !danglingBefore.includes(id))).toEqual([]);
  });
});
