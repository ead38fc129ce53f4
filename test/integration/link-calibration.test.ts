/**
 * Shaping you can trust, on the real daemon: the pull experiment's registry shaped to 20 Mbit/s
 * with tc, a 25 MB blob of random bytes pushed to it and pulled by a fresh host (Docker in
 * Docker) over that link; the rate it arrived at is within 10 % of 20 Mbit/s, and so it is
 * with the rate set on the fresh host's ingress instead (`--shape client`, through ifb).
 * Unshaped, the same blob arrives far faster — the shaping, not the machine, sets the rate.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { resolveBase } from '../../src/bases/resolve-bases.js';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { runLabels } from '../../src/engine/labels.js';
import { newRunId } from '../../src/run/run-id.js';
import { sessionSpec, withRunSession } from '../../src/run/run-session.js';
import { calibrateLink, publishCalibrationBlob } from '../../src/pull/calibrate-link.js';
import { ensureHelperImages } from '../../src/pull/helper-images.js';
import { LinkShaper } from '../../src/pull/link-shaper.js';
import { shapedLinks } from '../../src/pull/shaped-link.js';
import { REGISTRY_PORT } from '../../src/pull/publish-tiers.js';
import type { LinkCalibration } from '../../src/result/types.js';

const engine = new DockerodeEngine();

describe('a shaped link, calibrated', () => {
  it('carries a 25 MB blob at 20 Mbit/s within 10 %, shaped at the registry or at the fresh host (ifb), and far faster unshaped; nothing of it is left', async () => {
    const runId = newRunId();
    const labels = runLabels(runId);
    const facts = await engine.system.facts();
    const measured: LinkCalibration[] = [];
    const spec = sessionSpec(process.env, { engine, runId, startedAt: new Date(), facts, indexPort: null, exclusive: true, keepImages: false, signal: new AbortController().signal, emit: () => {} });
    await withRunSession(spec, async (session) => {
      const os = await resolveBase(engine, 'general-os', () => {});
      const helpers = await ensureHelperImages(engine, os.image, session.scratch, () => {});
      const network = `layerbench-${runId}`;
      await engine.networks.createNetwork(network, labels);
      const registryName = `layerbench-registry-${runId}`;
      const registry = await engine.containers.startHelper({ image: helpers.registry, name: registryName, network, labels, ports: [REGISTRY_PORT], capabilities: ['NET_ADMIN'], readyWhenLogs: /listening on/ });
      session.defer('the registry', () => registry.stop());
      const published = { network, registryName, registry, manifests: new Map(), tiers: new Map() };
      const blob = await publishCalibrationBlob(engine, published, session);
      expect(blob.compressedBytes).toBeGreaterThan(25e6);
      const shaper = await LinkShaper.forContainer(engine, registry.id, { bandwidth: '20mbit', latency: 'none' });
      const inputs = { engine, runId, freshHostImage: helpers.freshHost, published, blob, labels, signal: new AbortController().signal };
      const shaped = await calibrateLink({ ...inputs, linkAt: shapedLinks(engine, shaper, 'registry') }, '20mbit', { host: 1, mode: 'auto' });
      measured.push(shaped.calibration);
      measured.push((await calibrateLink({ ...inputs, linkAt: shapedLinks(engine, shaper, 'registry') }, 'unlimited', { host: 2, mode: shaped.mode })).calibration);
      measured.push((await calibrateLink({ ...inputs, linkAt: shapedLinks(engine, shaper, 'client') }, '20mbit', { host: 3, mode: shaped.mode })).calibration);
    });
    const [shaped, unshaped, atTheHost] = measured;
    expect(shaped?.bitsPerSecond).toBe(2e7);
    expect(Math.abs(shaped?.offBy ?? 1), `measured ${shaped?.measuredBitsPerSecond} bit/s`).toBeLessThan(0.1);
    expect(unshaped?.measuredBitsPerSecond ?? 0).toBeGreaterThan(3 * (shaped?.measuredBitsPerSecond ?? 0));
    // --shape client: the same rate, set on the fresh host's ingress (ifb) instead
    expect(Math.abs(atTheHost?.offBy ?? 1), `measured ${atTheHost?.measuredBitsPerSecond} bit/s at the host`).toBeLessThan(0.1);
    for (const kind of ['container', 'network', 'volume']) {
      expect(spawnSync('docker', [kind, 'ls', '-aq', '--filter', `label=layerbench.run=${runId}`].filter((arg) => kind === 'container' || arg !== '-aq').concat(kind === 'container' ? [] : ['-q']), { encoding: 'utf8' }).stdout.trim(), kind).toBe('');
    }
  });
});
