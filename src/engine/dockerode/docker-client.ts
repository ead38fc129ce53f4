/**
 * The one place a dockerode client is made for a daemon, from the host layerbench resolved
 * (docker-host.ts). Every area of that daemon's engine is given this client.
 */
import Docker from 'dockerode';
import type { DockerHost } from '../docker-host.js';

export function dockerClient(host: DockerHost, env: NodeJS.ProcessEnv): Docker {
  return new Docker(modemOptions(host, env));
}

function modemOptions(host: DockerHost, env: NodeJS.ProcessEnv): Docker.DockerOptions | undefined {
  const value = host.endpoint;
  if (value.startsWith('unix://')) return { socketPath: value.slice('unix://'.length) };
  if (value.startsWith('npipe://')) return { socketPath: value.slice('npipe://'.length) };
  // TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) are read by docker-modem from the environment.
  if (env['DOCKER_TLS_VERIFY'] !== undefined || env['DOCKER_CERT_PATH'] !== undefined) return undefined;
  const url = new URL(value);
  const protocol = url.protocol === 'ssh:' ? 'ssh' : url.protocol === 'https:' ? 'https' : 'http';
  return {
    protocol,
    host: url.hostname,
    port: url.port === '' ? (protocol === 'ssh' ? 22 : protocol === 'https' ? 2376 : 2375) : Number(url.port),
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
  };
}
