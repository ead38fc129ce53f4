/**
 * A fresh host with a fake engine: a Docker-in-Docker helper on the run's network, with a volume
 * of its own, reached as a daemon of its own (system.peer); started privileged where that works,
 * else with the capabilities Docker-in-Docker needs; its byte counter read, or a FreshHostError.
 */
import { createServer } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HelperSpec, StartedHelper } from '../../src/engine/areas/container-area.js';
import { DockerodeEngine } from '../../src/engine/dockerode-engine.js';
import { FreshHostError, HelperContainerError } from '../../src/errors.js';
import { APP_PORT, FreshHost, startFreshHost } from '../../src/pull/fresh-host.js';
import { FakeEngine } from '../support/fake-engine.js';

const IMAGE = 'layerbench/pull-fresh-host:2';
const spec = { image: IMAGE, network: 'layerbench-run-net', registry: 'layerbench-registry-x', labels: { 'layerbench.run': 'x' }, name: 'layerbench-x-host-1' };

let engine: FakeEngine;
let started: HelperSpec[];

beforeEach(async () => {
  engine = new FakeEngine();
  engine.addImage(IMAGE, ['sha256:dind'], [1]);
  await engine.networks.createNetwork(spec.network, spec.labels);
  started = [];
});

afterEach(async () => {
  await engine.close();
});

/** Privileged containers fail here (as where root lacks CAP_SYS_RESOURCE); the rest start. */
function refusePrivileged(): void {
  const startHelper = engine.containers.startHelper.bind(engine.containers);
  engine.containers.startHelper = async (helper): Promise<StartedHelper> => {
    started.push(helper);
    if (helper.mode === 'privileged') throw new HelperContainerError(helper.name, helper.image, 'did not start', 'failed to create shim task: OCI runtime create failed: setrlimit: operation not permitted');
    return startHelper(helper);
  };
}

describe('a fresh host', () => {
  it('runs dockerd on the run\'s network, trusting the registry over plain HTTP, on a volume of its own, its API and app port published', async () => {
    const startHelper = engine.containers.startHelper.bind(engine.containers);
    engine.containers.startHelper = async (helper) => {
      started.push(helper);
      return startHelper(helper);
    };
    const host = await FreshHost.start(engine, { ...spec, mode: 'privileged' });
    expect(started[0]).toMatchObject({
      image: IMAGE,
      name: spec.name,
      network: spec.network,
      labels: spec.labels,
      ports: [2375, APP_PORT],
      mode: 'privileged',
      privateCgroupNamespace: true,
      volumes: [{ volume: `${spec.name}-docker`, target: '/var/lib/docker' }],
    });
    expect(started[0]?.command).toEqual(expect.arrayContaining(['--insecure-registry', 'layerbench-registry-x:5000', '--tls=false']));
    expect(engine.volumesLeft()).toEqual([`${spec.name}-docker`]);
    expect(host.mode).toBe('privileged');
    expect(host.id).toMatch(/^container-/);
    expect(host.appUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.inner.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(host.inner.endpoint).not.toBe(host.appUrl.replace('http', 'tcp'));
    expect(engine.peers).toHaveLength(1);
    await host.stop();
    expect(engine.containersLeft()).toEqual([]);
    expect(engine.volumesLeft()).toEqual([]);
  });

  it('counts the bytes its interface received: what its daemon pulled', async () => {
    const host = await FreshHost.start(engine, { ...spec, mode: 'privileged' });
    await engine.images.tag('base:1', '127.0.0.1:5000/lb/base:x');
    await engine.images.push('127.0.0.1:5000/lb/base:x');
    const before = await host.receivedBytes();
    const trace = await host.inner.images.pullTimed('layerbench-registry-x:5000/lb/base:x');
    expect(trace.layers.map((l) => l.status)).toEqual(['downloaded']);
    expect((await host.receivedBytes()) - before).toBe(100);
    await host.stop();
  });

  it('a byte counter that is not a number, or not there, is a FreshHostError naming the host and the counter', async () => {
    const host = await FreshHost.start(engine, { ...spec, mode: 'privileged' });
    engine.containers.exec = async () => ({ exitCode: 0, output: 'cat: write error\n' });
    const garbled = await host.receivedBytes().catch((err: unknown) => err);
    expect(garbled).toBeInstanceOf(FreshHostError);
    expect((garbled as FreshHostError).message).toBe(`Could not read the byte counter of the fresh host ${host.id.slice(0, 12)} (/sys/class/net/eth0/statistics/rx_bytes): cat: write error.`);
    engine.containers.exec = async () => ({ exitCode: 1, output: '' });
    const missing = await host.receivedBytes().catch((err: unknown) => err);
    expect((missing as FreshHostError).message).toMatch(/rx_bytes\): cat exited 1\.$/);
    engine.containers.exec = async () => ({ exitCode: 1, output: '1234' });
    await expect(host.receivedBytes()).rejects.toThrow(FreshHostError);
    await host.stop();
  });

  it('that does not start leaves neither its container nor its volume', async () => {
    refusePrivileged();
    const failure = await FreshHost.start(engine, { ...spec, mode: 'privileged' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(HelperContainerError);
    expect(engine.log.slice(-2)).toEqual([`containers.remove ${spec.name}`, `networks.removeVolume ${spec.name}-docker`]);
    expect(engine.volumesLeft()).toEqual([]);
    expect(engine.containersLeft()).toEqual([]);
  });
});

describe('startFreshHost', () => {
  it('auto: privileged where that works', async () => {
    const host = await startFreshHost(engine, spec, 'auto');
    expect(host.mode).toBe('privileged');
    await host.stop();
  });

  it('auto: falls back to the capabilities Docker-in-Docker needs where privileged containers fail', async () => {
    refusePrivileged();
    const host = await startFreshHost(engine, spec, 'auto');
    expect(started.map((s) => s.mode)).toEqual(['privileged', 'capabilities']);
    expect(host.mode).toBe('capabilities');
    expect(engine.volumesLeft()).toEqual([`${spec.name}-docker`]);
    await host.stop();
    expect(engine.containersLeft()).toEqual([]);
  });

  it('a mode given is the only one tried', async () => {
    refusePrivileged();
    await expect(startFreshHost(engine, spec, 'privileged')).rejects.toThrow(HelperContainerError);
    expect(started.map((s) => s.mode)).toEqual(['privileged']);
    const host = await startFreshHost(engine, spec, 'capabilities');
    expect(host.mode).toBe('capabilities');
    await host.stop();
  });

  it('auto: where neither way starts, the second way\'s error', async () => {
    engine.containers.startHelper = async (helper) => {
      throw new HelperContainerError(helper.name, helper.image, 'did not start', `refused ${helper.mode ?? 'plain'}`);
    };
    const failure = await startFreshHost(engine, spec, 'auto').catch((err: unknown) => err);
    expect((failure as HelperContainerError).message).toMatch(/refused capabilities/);
    expect(engine.volumesLeft()).toEqual([]);
  });
});

describe('the real engine\'s way to a fresh host\'s daemon (system.peer)', () => {
  it('asks the daemon at the published port, over plain HTTP, whatever TLS the outer daemon uses', async () => {
    const asked: string[] = [];
    const daemon = createServer((request, response) => {
      asked.push(`${request.method ?? '?'} ${request.url ?? '?'}`);
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'No such image: x:1' }));
    });
    await new Promise<void>((listening) => daemon.listen(0, '127.0.0.1', listening));
    try {
      const outer = new DockerodeEngine({ DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nowhere' });
      const dockerHost = `tcp://127.0.0.1:${(daemon.address() as { port: number }).port}`;
      const inner = outer.system.peer(dockerHost);
      expect(inner.endpoint).toBe(dockerHost);
      expect(asked).toEqual([]);
      expect(await inner.images.inspect('x:1')).toBeUndefined();
      expect(asked.map((line) => line.replace(/^GET \/(v[\d.]+\/)?/, 'GET /'))).toEqual(['GET /images/x:1/json']);
    } finally {
      await new Promise((closed) => daemon.close(closed));
    }
  });
});
