/** Latency asked for needs the kernel's netem: where there is none, the pull is refused (exit 2) before anything is built. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { kernelHasNetem } from '../../src/pull/kernel-netem.js';
import { refuseLatencyWithoutNetem } from '../../src/pull/prepare-pull.js';
import { loadPullScenario } from '../../src/scenario/pull-scenario.js';
import { makeTempDir } from './support/temp-dir.js';

function kernelWith(config: string | undefined, moduleLoaded = false): ReturnType<typeof kernelHasNetem> {
  const dir = makeTempDir();
  if (config !== undefined) writeFileSync(join(dir, 'config.gz'), gzipSync(config));
  if (moduleLoaded) writeFileSync(join(dir, 'sch_netem'), '');
  return kernelHasNetem({ config: join(dir, 'config.gz'), module: join(dir, 'sch_netem') });
}

describe("the kernel's netem", () => {
  it('is there when built in or as a module, or loaded; not when the configuration leaves it out; unknown without a configuration', () => {
    expect(kernelWith('CONFIG_NET_SCH_NETEM=y\n')).toEqual({ has: true });
    expect(kernelWith('CONFIG_NET_SCH_NETEM=m\n')).toEqual({ has: true });
    expect(kernelWith('# CONFIG_NET_SCH_NETEM is not set\n', true)).toEqual({ has: true });
    expect(kernelWith('# CONFIG_NET_SCH_NETEM is not set\nCONFIG_NET_SCH_TBF=y\n')).toMatchObject({ has: false, why: expect.stringMatching(/CONFIG_NET_SCH_NETEM is not set/) });
    expect(kernelWith(undefined)).toEqual({ has: 'unknown' });
  });
});

describe('--latency', () => {
  const none = { has: false as const, why: 'its build configuration says CONFIG_NET_SCH_NETEM is not set' };

  it('asked for where the kernel has no netem: a usage error (exit 2) saying why and what to do', () => {
    let thrown: unknown;
    try {
      refuseLatencyWithoutNetem('20ms', none);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).exitCode).toBe(2);
    expect((thrown as UsageError).message).toBe("--latency 20ms needs the kernel's netem qdisc, and this kernel has none: its build configuration says CONFIG_NET_SCH_NETEM is not set.");
    expect((thrown as UsageError).hint).toMatch(/--latency none/);
  });

  it('none, not asked for, or a kernel with netem (or one that does not say): no refusal', () => {
    expect(() => refuseLatencyWithoutNetem('none', none)).not.toThrow();
    expect(() => refuseLatencyWithoutNetem(undefined, none)).not.toThrow();
    expect(() => refuseLatencyWithoutNetem('20ms', { has: true })).not.toThrow();
    expect(() => refuseLatencyWithoutNetem('20ms', { has: 'unknown' })).not.toThrow();
  });

  it('overrides the scenario, and takes milliseconds or none only', () => {
    const file = 'scenarios/pull.yaml';
    expect(loadPullScenario(file, { latency: '50ms' }).latency).toBe('50ms');
    expect(loadPullScenario(file, { latency: 'none' }).latency).toBe('none');
    expect(() => loadPullScenario(file, { latency: '50' })).toThrow(/--latency takes milliseconds such as 20ms/);
  });
});
