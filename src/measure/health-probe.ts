/**
 * Starts a built image and asks it whether it is healthy: poll the health path until it
 * answers 200, then call the predict path once. The container is always removed.
 */
import type { DockerEngine } from '../engine/docker-engine.js';
import { DaemonUnavailableError, DiskFullError } from '../errors.js';
import type { HealthRecord } from '../result/types.js';
import type { HealthSpec } from '../scenario/scenario-types.js';

const POLL_INTERVAL_MS = 100;
const REQUEST_TIMEOUT_MS = 2_000;

export async function probeHealth(
  engine: DockerEngine,
  image: string,
  spec: HealthSpec,
  labels: Record<string, string>,
  now: () => number,
  signal?: AbortSignal,
): Promise<HealthRecord> {
  const startedAt = now();
  let containerId: string | undefined;
  try {
    const service = await engine.startService(image, spec.port, labels);
    containerId = service.id;
    const base = `http://127.0.0.1:${service.hostPort}`;
    const deadline = startedAt + spec.timeoutMs;
    let lastProblem = 'no answer yet';
    while (now() < deadline) {
      if (signal?.aborted) return { ok: false, timeToHealthyMs: null, reason: 'interrupted' };
      const answer = await ask(`${base}${spec.path}`, undefined);
      if (answer.ok) {
        const timeToHealthyMs = Math.round(now() - startedAt);
        if (spec.predict === undefined) return { ok: true, timeToHealthyMs, predict: null };
        const predicted = await ask(`${base}${spec.predict.path}`, spec.predict.body);
        return predicted.ok
          ? { ok: true, timeToHealthyMs, predict: predicted.body }
          : { ok: false, timeToHealthyMs: null, reason: `${spec.predict.path} answered ${predicted.problem}` };
      }
      lastProblem = answer.problem;
      if (!(await engine.isRunning(service.id))) {
        const logs = (await engine.containerLogs(service.id)).trim().split('\n').slice(-5).join(' | ');
        return { ok: false, timeToHealthyMs: null, reason: `the container exited before it was healthy: ${logs}` };
      }
      await sleep(POLL_INTERVAL_MS);
    }
    return { ok: false, timeToHealthyMs: null, reason: `${spec.path} did not answer 200 within ${Math.round(spec.timeoutMs / 1000)} s (${lastProblem})` };
  } catch (err) {
    // The environment failing is not the image's fault.
    if (err instanceof DaemonUnavailableError || err instanceof DiskFullError) throw err;
    return { ok: false, timeToHealthyMs: null, reason: `could not start the image: ${(err as Error).message}` };
  } finally {
    if (containerId !== undefined) await engine.removeContainer(containerId);
  }
}

type Answer = { ok: true; body: unknown } | { ok: false; problem: string };

async function ask(url: string, body: unknown): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    if (response.status !== 200) return { ok: false, problem: `HTTP ${response.status}: ${text.slice(0, 200)}` };
    try {
      return { ok: true, body: JSON.parse(text) as unknown };
    } catch {
      return { ok: true, body: text };
    }
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
