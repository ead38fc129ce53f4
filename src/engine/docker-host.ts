/**
 * Where the daemon is: DOCKER_HOST, checked before anything talks to it (dockerode would
 * otherwise throw from its constructor, or quietly treat garbage as a host name).
 */
import { UsageError } from '../errors.js';
import type { EndpointKind } from './docker-engine.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface DockerHost {
  /** as the user gave it, or the default socket */
  endpoint: string;
  kind: EndpointKind;
}

export function dockerHostFrom(env: NodeJS.ProcessEnv): DockerHost {
  const value = env['DOCKER_HOST'];
  if (value === undefined || value === '') return { endpoint: `unix://${DEFAULT_SOCKET}`, kind: 'unix' };
  const problem = hostProblem(value);
  if (problem !== undefined) {
    throw new UsageError(
      `DOCKER_HOST=${value} is not a Docker endpoint: ${problem}.`,
      'Use unix:///path/to/docker.sock, tcp://host:2375, or ssh://user@host — or unset DOCKER_HOST for the local daemon.',
    );
  }
  const scheme = value.slice(0, value.indexOf(':'));
  const kind: EndpointKind = scheme === 'unix' || scheme === 'ssh' || scheme === 'npipe' ? scheme : 'tcp';
  return { endpoint: value, kind };
}

function hostProblem(value: string): string | undefined {
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1];
  if (scheme === undefined) return 'it names no scheme (unix://, tcp://, ssh://)';
  if (!['unix', 'tcp', 'http', 'https', 'ssh', 'npipe'].includes(scheme)) return `${scheme}:// is not a scheme Docker uses`;
  if (scheme === 'unix' || scheme === 'npipe') return value.length > `${scheme}://`.length ? undefined : 'the socket path is missing';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'it is not a valid address';
  }
  if (url.hostname === '') return 'the host is missing';
  if (url.port !== '' && !/^\d+$/.test(url.port)) return 'the port is not a number';
  return undefined;
}

/**
 * Why a daemon endpoint is on another machine, or undefined when it is this one's: a socket,
 * or TCP to a loopback address. An `ssh://` daemon is another machine's, whatever its host.
 */
export function remoteDaemonReason(endpoint: string): string | undefined {
  const scheme = /^([a-z]+):\/\//.exec(endpoint)?.[1];
  if (scheme === undefined || scheme === 'unix' || scheme === 'npipe') return undefined;
  if (scheme === 'ssh') return 'a daemon reached over SSH, on another machine';
  let host: string;
  try {
    host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
  // 0.0.0.0 as a destination is this machine too
  const loopback = host === 'localhost' || /^127(\.\d+){1,3}$/.test(host) || host === '::1' || host === '0.0.0.0';
  return loopback ? undefined : `a daemon at ${host}, not on this machine's loopback`;
}
