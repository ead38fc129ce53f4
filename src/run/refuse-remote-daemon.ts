/**
 * Runs measure against a daemon on this machine only: the package index and the health probe
 * are served on this machine's loopback. A daemon elsewhere is refused before anything starts.
 */
import type { DockerEngine } from '../engine/docker-engine.js';
import { remoteDaemonReason } from '../engine/docker-host.js';
import { RemoteDaemonError } from '../errors.js';

export function refuseRemoteDaemon(engine: Pick<DockerEngine, 'endpoint'>): void {
  const reason = remoteDaemonReason(engine.endpoint);
  if (reason !== undefined) throw new RemoteDaemonError(engine.endpoint, reason);
}
