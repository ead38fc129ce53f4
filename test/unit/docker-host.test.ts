import { describe, expect, it } from 'vitest';
import { remoteDaemonReason } from '../../src/engine/docker-host.js';

describe('remoteDaemonReason', () => {
  it.each([
    'unix:///var/run/docker.sock',
    'unix:///home/me/.docker/run/docker.sock',
    'npipe:////./pipe/docker_engine',
    'tcp://127.0.0.1:2375',
    'tcp://127.0.0.2:2376',
    'tcp://localhost:2375',
    'tcp://[::1]:2375',
    'http://localhost:2375',
    'https://127.0.0.1:2376',
  ])('takes %s for this machine (undefined)', (endpoint) => {
    expect(remoteDaemonReason(endpoint)).toBeUndefined();
  });

  it.each([
    ['tcp://10.1.2.3:2375', '10.1.2.3'],
    ['https://docker.example:2376', 'docker.example'],
    ['tcp://[2001:db8::1]:2375', '2001:db8::1'],
    ['tcp://localhost.example.com:2375', 'localhost.example.com'],
    ['tcp://128.0.0.1:2375', '128.0.0.1'],
  ])('gives %s a reason that names its host', (endpoint, host) => {
    expect(remoteDaemonReason(endpoint)).toContain(host);
  });

  it.each(['ssh://user@host', 'ssh://user@build-box:2222', 'ssh://localhost', 'ssh://127.0.0.1'])('counts %s as remote: SSH always is, whatever its host', (endpoint) => {
    expect(remoteDaemonReason(endpoint)).toMatch(/SSH/);
  });
});

describe('remoteDaemonReason: host names as DNS compares them', () => {
  it.each(['tcp://LOCALHOST:2375', 'tcp://127.1:2375', 'tcp://0.0.0.0:2375'])('%s is this machine', (endpoint) => {
    expect(remoteDaemonReason(endpoint)).toBeUndefined();
  });
});
