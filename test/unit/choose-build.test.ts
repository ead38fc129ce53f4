import { describe, expect, it } from 'vitest';
import type { DockerCli } from '../../src/engine/cli/docker-cli.js';
import { BuildDriverError } from '../../src/errors.js';
import { chooseBuild } from '../../src/run/choose-build.js';

const modern = { defaultBuilder: { builder: 'buildkit' as const, why: 'its /_ping answers Builder-Version: 2' } };
const old = { defaultBuilder: { builder: 'classic' as const, why: 'its /_ping names no Builder-Version' } };
const withBuildx: DockerCli = { command: 'docker', clientVersion: '28.2.2', buildxVersion: 'v0.13.1', endpoint: 'unix:///var/run/docker.sock' };
const withoutBuildx: DockerCli = { command: 'docker', clientVersion: '28.2.2', buildxVersion: null, endpoint: 'unix:///var/run/docker.sock' };

describe('chooseBuild: the builder', () => {
  it("takes the daemon's default when the scenario names none, and says why", () => {
    const choice = chooseBuild([], modern, withBuildx, 'auto');
    expect(choice.builders).toEqual(['buildkit']);
    expect(choice.notes[0]).toContain('Builder-Version: 2');
    expect(chooseBuild([], old, withBuildx, 'auto').builders).toEqual(['classic']);
  });

  it('keeps the builders the scenario or --builder named, whatever the daemon prefers', () => {
    expect(chooseBuild(['classic'], modern, withBuildx, 'auto').builders).toEqual(['classic']);
    expect(chooseBuild(['classic', 'buildkit'], old, withBuildx, 'auto').builders).toEqual(['classic', 'buildkit']);
  });
});

describe('chooseBuild: the driver', () => {
  it('auto: the CLI for every builder it can build with, recording its version with buildx', () => {
    const choice = chooseBuild(['classic', 'buildkit'], modern, withBuildx, 'auto');
    expect(choice.driverFor).toEqual({ classic: 'cli', buildkit: 'cli' });
    expect(choice.dockerCli).toBe('docker 28.2.2, buildx v0.13.1');
  });

  it('auto: the API for BuildKit where the CLI has no buildx, the CLI for classic', () => {
    const choice = chooseBuild(['classic', 'buildkit'], modern, withoutBuildx, 'auto');
    expect(choice.driverFor).toEqual({ classic: 'cli', buildkit: 'api' });
    expect(choice.notes.join('\n')).toMatch(/buildkit: api .*no buildx/);
  });

  it('auto: the API everywhere when no docker CLI runs here, and records none', () => {
    const choice = chooseBuild(['buildkit'], modern, undefined, 'auto');
    expect(choice.driverFor.buildkit).toBe('api');
    expect(choice.dockerCli).toBeNull();
  });

  it('api: the API even where a CLI could build', () => {
    expect(chooseBuild(['buildkit'], modern, withBuildx, 'api').driverFor.buildkit).toBe('api');
  });

  it('cli: refuses a builder the CLI cannot build with, naming what is missing (exit 3)', () => {
    const attempt = (): unknown => chooseBuild(['buildkit'], modern, withoutBuildx, 'cli');
    expect(attempt).toThrow(BuildDriverError);
    expect(attempt).toThrow(/no buildx plugin/);
    expect(() => chooseBuild(['classic'], old, undefined, 'cli')).toThrow(/no docker CLI/);
  });
});
