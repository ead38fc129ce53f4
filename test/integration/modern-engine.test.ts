/**
 * The modern engine the specs can build on (test/support/modern-engine.ts): Engine 26 in Docker,
 * its socket reachable from the host, BuildKit its default builder as `/_ping` says, a container's
 * published port answering on 127.0.0.1, a build with the host network reaching a server on the
 * host's 127.0.0.1; stopped, it leaves no container, volume, bridge or folder. Skips, saying why,
 * where its image cannot be made.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { docker, engineRequest, hostEnv, importTinyImage, startModernEngine, TINY_HTTP_SERVER, type ModernEngine } from '../support/modern-engine.js';

let engine: ModernEngine | { skipped: string };
const scratch = mkdtempSync(join(tmpdir(), 'lb-it-modern-engine-'));

beforeAll(async () => {
  engine = await startModernEngine({ say: (line) => console.warn(line) });
  if ('skipped' in engine) console.warn(`modern-engine spec skipped: ${engine.skipped}`);
});
afterAll(async () => {
  if (engine !== undefined && !('skipped' in engine)) await engine.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function running(ctx: TestContext): ModernEngine {
  if ('skipped' in engine) ctx.skip(engine.skipped);
  return engine as ModernEngine;
}
const inner = (e: ModernEngine, args: string[]): Promise<string> => docker(args, hostEnv(e.dockerHost));
function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}
const apiAtLeast = (version: string, major: number, minor: number): boolean => {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
};

describe('the modern engine (Engine 26 as Docker in Docker)', () => {
  it('answers at its unix socket with API 1.45 or later', async (ctx) => {
    const e = running(ctx);
    expect(e.dockerHost).toBe(`unix://${e.folder}/docker.sock`);
    expect(apiAtLeast(e.apiVersion, 1, 45)).toBe(true);
    expect(e.version).toMatch(/^2[6-9]\.|^[3-9]\d\./);
    const version = await inner(e, ['version', '--format', '{{.Server.APIVersion}}']);
    expect(version.trim()).toBe(e.apiVersion);
  });

  it('says in its /_ping headers that BuildKit is its default builder', async (ctx) => {
    const e = running(ctx);
    const ping = await engineRequest(e.socketPath, 'GET', '/_ping');
    expect(ping.status).toBe(200);
    expect(ping.headers['builder-version']).toBe('2');
    expect(apiAtLeast(String(ping.headers['api-version']), 1, 45)).toBe(true);
  });

  it('runs a container whose published port answers on 127.0.0.1', async (ctx) => {
    const e = running(ctx);
    await importTinyImage(e, 'lbme-tiny:1');
    const id = (await inner(e, ['run', '--detach', '--publish', '127.0.0.1::8000', 'lbme-tiny:1', ...TINY_HTTP_SERVER])).trim();
    const port = (await inner(e, ['port', id, '8000'])).trim().split('\n')[0] ?? '';
    expect(port).toMatch(/^127\.0\.0\.1:\d+$/);
    let answer = '';
    for (let attempt = 0; attempt < 50 && answer === ''; attempt += 1) {
      answer = await fetch(`http://${port}/`).then((r) => r.text(), () => '');
      if (answer === '') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer).toBe('ok\n');
  });

  it('builds with BuildKit (docker buildx) and the host network, reaching a server on the host\'s 127.0.0.1', async (ctx) => {
    const e = running(ctx);
    if (spawnSync('docker', ['buildx', 'version'], { stdio: 'ignore' }).status !== 0) ctx.skip('no buildx plugin for the docker CLI (scripts/setup-modern-engine.sh installs it)');
    const server: Server = createServer((_req, res) => res.end('served by the host\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const context = join(scratch, 'context');
      rmSync(context, { recursive: true, force: true });
      spawnSync('mkdir', ['-p', context]);
      writeFileSync(
        join(context, 'Dockerfile'),
        [
          'FROM lbme-tiny:1',
          'ARG PORT',
          // perl's own HTTP client: the tiny image holds nothing else
          `RUN ["/usr/bin/perl", "-MIO::Socket::INET", "-e", "$c = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $ENV{PORT}) or die qq(connect: $!); print $c qq(GET / HTTP/1.0\\\\r\\\\n\\\\r\\\\n); open my $f, '>', '/answer' or die; print $f $_ while <$c>;"]`,
          '',
        ].join('\n'),
      );
      // asynchronously: the server answering the build lives in this process
      const built = await runProcess('docker', ['buildx', 'build', '--progress=rawjson', '--network', 'host', '--build-arg', `PORT=${port}`, '--tag', 'lbme-built:1', context], hostEnv(e.dockerHost));
      expect(built.status, built.stderr.slice(-2_000)).toBe(0);
      // the SolveStatus stream of --progress=rawjson names the vertexes
      expect(built.stderr).toMatch(/"vertexes"/);
      const answer = await inner(e, ['run', '--rm', '--entrypoint', '/usr/bin/perl', 'lbme-built:1', '-ne', 'print', '/answer']);
      expect(answer).toMatch(/served by the host/);
    } finally {
      server.close();
    }
  });

  it('stops leaving no container, volume, bridge or folder behind', async (ctx) => {
    const e = running(ctx);
    await e.stop();
    expect((await docker(['ps', '-aq', '--filter', `label=layerbench.run=${e.runId}`])).trim()).toBe('');
    expect((await docker(['volume', 'ls', '-q', '--filter', `label=layerbench.run=${e.runId}`])).trim()).toBe('');
    expect(existsSync(`/sys/class/net/${e.bridge}`)).toBe(false);
    expect(existsSync(e.folder)).toBe(false);
  });
});
