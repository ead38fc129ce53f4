/**
 * Whether this machine's kernel can add latency (the netem qdisc), asked before anything is
 * built: the daemon is local (a remote one is refused), so its kernel is this one. A loaded
 * module answers yes; else the kernel's build configuration, where it publishes one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type KernelAnswer = { has: true } | { has: false; why: string } | { has: 'unknown' };

export function kernelHasNetem(files: { config: string; module: string } = { config: '/proc/config.gz', module: '/sys/module/sch_netem' }): KernelAnswer {
  if (existsSync(files.module)) return { has: true };
  const config = kernelConfig(files.config);
  if (config === undefined) return { has: 'unknown' };
  if (/^CONFIG_NET_SCH_NETEM=[ym]$/m.test(config)) return { has: true };
  return { has: false, why: `its build configuration (${files.config}) says CONFIG_NET_SCH_NETEM is not set` };
}

function kernelConfig(path: string): string | undefined {
  try {
    return gunzipSync(readFileSync(path)).toString('utf8');
  } catch {
    return undefined;
  }
}
