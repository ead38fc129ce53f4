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
    const service = await engine.containers.startService(image, spec.port, labels);
    containerId = service.id;
    const base = `http://127.0.0.1:${service.hostPort}`;
    const polled = await pollUntilHealthy(`${base}${spec.path}`, {
      now,
      deadline: startedAt + spec.timeoutMs,
      signal,
      exited: async () => ((await engine.containers.isRunning(service.id)) ? undefined : (await engine.containers.logs(service.id)).trim().split('\n').slice(-5).join(' | ')),
    });
    if (!polled.ok) return { ok: false, timeToHealthyMs: null, reason: polled.reason };
    const timeToHealthyMs = Math.round(polled.atMs - startedAt);
    if (spec.predict === undefined) return { ok: true, timeToHealthyMs, predict: null };
    const predicted = await ask(`${base}${spec.predict.path}`, spec.predict.body);
    return predicted.ok
      ? { ok: true, timeToHealthyMs, predict: predicted.body }
      : { ok: false, timeToHealthyMs: null, reason: `${spec.predict.path} answered ${predicted.problem}` };
  } catch (err) {
    // The environment failing is not the image's fault.
    if (err instanceof DaemonUnavailableError || err instanceof DiskFullError) throw err;
    return { ok: false, timeToHealthyMs: null, reason: `could not start the image: ${(err as Error).message}` };
  } finally {
    if (containerId !== undefined) await engine.containers.remove(containerId);
  }
}

export type PollOutcome = { ok: true; atMs: number } | { ok: false; reason: string };

/**
 * Asks `url` until it answers 200, the deadline passes, or the service is gone (`exited` says
 * why, e.g. its last log lines).
 */
export async function pollUntilHealthy(
  url: string,
  options: { now: () => number; deadline: number; signal: AbortSignal | undefined; exited: () => Promise<string | undefined> },
): Promise<PollOutcome> {
  let lastProblem = 'no answer yet';
  while (options.now() < options.deadline) {
    if (options.signal?.aborted) return { ok: false, reason: 'interrupted' };
    const answer = await ask(url, undefined);
    if (answer.ok) return { ok: true, atMs: options.now() };
    lastProblem = answer.problem;
    const exited = await options.exited();
    if (exited !== undefined) return { ok: false, reason: `the container exited before it was healthy: ${exited}` };
    await sleep(POLL_INTERVAL_MS);
  }
  return { ok: false, reason: `${new URL(url).pathname} did not answer 200 in time (${lastProblem})` };
}

type Answer = { ok: true; body: unknown } | { ok: false; problem: string };

export async function ask(url: string, body: unknown): Promise<Answer> {
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
