/**
 * Shaping you can check: before the first measured pull at each link rate, a blob of known
 * size (one layer of random bytes, which gzip cannot shrink) goes the measured pulls' way —
 * from the registry over the shaped link into a fresh host's daemon — and the rate it arrived
 * at is set beside the rate asked for. A link that runs more than 10 % off is said.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import type { DockerEngine } from '../engine/docker-engine.js';
import { runImageTag } from '../engine/labels.js';
import type { LinkCalibration } from '../result/types.js';
import type { HeldRun } from '../run/run-session.js';
import { formatBytes } from '../format.js';
import { bitsPerSecond } from '../scenario/bandwidth.js';
import { startFreshHost, type FreshHostMode } from './fresh-host.js';
import type { CaseInputs } from './measure-case.js';
import { REGISTRY_PORT, type PublishedTiers } from './publish-tiers.js';
import { manifestLayers } from './registry-manifest.js';

/** 25 MB: 10 s at 20 Mbit/s, long enough that the token bucket's burst does not flatter the rate. */
export const CALIBRATION_BYTES = 25_000_000;
/** Off by more than this, the link is said to run off its rate. */
export const CALIBRATION_TOLERANCE = 0.1;
const REPOSITORY = 'lb/calibration';

/** The blob in the registry: where fresh hosts pull it from, and its compressed size there. */
export interface CalibrationBlob {
  reference: string;
  compressedBytes: number;
}

/** Imports an image of one random file and pushes it to the experiment's registry. */
export async function publishCalibrationBlob(engine: DockerEngine, published: PublishedTiers, session: HeldRun): Promise<CalibrationBlob> {
  const { runId } = session;
  const dir = join(session.scratch, 'calibration');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'blob.bin'), randomBytes(CALIBRATION_BYTES));
  const local = runImageTag('pull-calibration', runId);
  // tar-fs's pack is a stream.Readable; its typings say otherwise
  await engine.images.import(pack(dir) as unknown as Readable, local, []);
  const registryPort = published.registry.hostPort(REGISTRY_PORT);
  const pushed = `127.0.0.1:${registryPort}/${REPOSITORY}:${runId}`;
  await engine.images.tag(local, pushed);
  try {
    await engine.images.push(pushed);
  } finally {
    await engine.images.remove(pushed);
  }
  const layers = await manifestLayers(registryPort, REPOSITORY, runId);
  return { reference: `${published.registryName}:${REGISTRY_PORT}/${REPOSITORY}:${runId}`, compressedBytes: layers.reduce((sum, layer) => sum + layer.size, 0) };
}

/** What a measured pull is given (the same fresh hosts, registry and shaped link), and the blob. */
export type CalibrationInputs = Pick<CaseInputs, 'engine' | 'runId' | 'freshHostImage' | 'published' | 'linkAt' | 'labels' | 'signal'> & { blob: CalibrationBlob };

/** One transfer of the blob at `shaper`'s rate, on a fresh host of its own; the host's mode as it started. */
export async function calibrateLink(inputs: CalibrationInputs, bandwidth: string, at: { host: number; mode: 'auto' | FreshHostMode }): Promise<{ calibration: LinkCalibration; mode: FreshHostMode }> {
  const { published } = inputs;
  const name = `layerbench-${inputs.runId}-calibration-${at.host}`;
  const host = await startFreshHost(inputs.engine, { image: inputs.freshHostImage, network: published.network, registry: published.registryName, labels: inputs.labels, name }, at.mode);
  try {
    const shaper = inputs.linkAt(bandwidth, host.id);
    await shaper.on();
    const trace = await host.inner.images.pullTimed(inputs.blob.reference, inputs.signal);
    await shaper.off();
    const downloadMs = trace.layers.reduce((sum, layer) => sum + (layer.downloadMs ?? 0), 0);
    return { calibration: calibrationOf(bandwidth, inputs.blob.compressedBytes, downloadMs), mode: host.mode };
  } finally {
    await host.stop();
  }
}

/** The rate the blob arrived at beside the rate asked for. Pure. */
export function calibrationOf(bandwidth: string, bytes: number, downloadMs: number): LinkCalibration {
  const set = bitsPerSecond(bandwidth);
  const measured = downloadMs > 0 ? (bytes * 8) / (downloadMs / 1000) : null;
  return {
    bandwidth,
    bitsPerSecond: set,
    bytes,
    downloadMs: Math.round(downloadMs),
    measuredBitsPerSecond: measured === null ? null : Math.round(measured),
    offBy: set === null || measured === null ? null : measured / set - 1,
  };
}

/** `link 20mbit: the calibration blob (25 MB) arrived at 19.6 Mbit/s (−2.0 %)`; a warning where it is off by more than 10 %. */
export function calibrationLine(calibration: LinkCalibration): string {
  const what = `link ${calibration.bandwidth}: the calibration blob (${formatBytes(calibration.bytes)}) arrived`;
  if (calibration.measuredBitsPerSecond === null || calibration.offBy === null) return `${what}, but its download could not be timed: the link's rate is not checked`;
  const percent = `${calibration.offBy >= 0 ? '+' : '−'}${Math.abs(calibration.offBy * 100).toFixed(1)} %`;
  const line = `${what} at ${(calibration.measuredBitsPerSecond / 1e6).toFixed(1)} Mbit/s (${percent})`;
  return Math.abs(calibration.offBy) > CALIBRATION_TOLERANCE ? `warning: ${line} — more than ${CALIBRATION_TOLERANCE * 100} % off the rate asked for: the pulls at this rate ran over a different link` : line;
}
