/**
 * Makes a base image from Debian's mirror: debootstrap into a scratch directory, then
 * `docker import` of its tar. About a minute and 100–300 MB per base.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerEngine } from '../engine/docker-engine.js';
import { BaseImageError } from '../errors.js';
import { BASE_LABEL, type LogicalBase } from './base-catalog.js';

export interface BootstrapProgress {
  (line: string): void;
}

/** @param scratchParent where the root file system is made (LAYERBENCH_SCRATCH, else the system's temporary directory) */
export async function bootstrapBase(engine: DockerEngine, base: LogicalBase, say: BootstrapProgress, scratchParent: string = tmpdir()): Promise<string> {
  const recipe = base.bootstrap;
  ensureDebootstrap(say);
  const scratch = mkdtempSync(join(scratchParent, 'layerbench-rootfs-'));
  const root = join(scratch, 'root');
  try {
    const args = ['--variant=minbase', ...(recipe.include.length > 0 ? [`--include=${recipe.include.join(',')}`] : []), recipe.suite, root];
    const mirror = hostDebianMirror();
    if (mirror !== undefined) args.push(mirror);
    say(`bootstrapping ${recipe.image} (${base.description}) with debootstrap ${recipe.suite}; about a minute`);
    await run('debootstrap', args, `debootstrap of ${recipe.image}`);
    if (recipe.allowSystemPip) {
      for (const dir of readdirSync(join(root, 'usr/lib')).filter((d) => /^python3\.\d+$/.test(d))) {
        rmSync(join(root, 'usr/lib', dir, 'EXTERNALLY-MANAGED'), { force: true });
      }
    }
    rmSync(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
    rmSync(join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
    const tar = spawn('tar', ['--numeric-owner', '-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const imported = engine.images.import(tar.stdout, recipe.image, [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'ENV LANG=C.UTF-8',
      `LABEL ${BASE_LABEL}=${base.name}`,
      `LABEL layerbench.recipe="debootstrap --variant=minbase ${recipe.suite} +${recipe.include.join(',') || 'nothing'}"`,
      `CMD ${JSON.stringify(recipe.cmd)}`,
    ]);
    const [id] = await Promise.all([imported, exited(tar, 'tar of the bootstrapped root')]);
    say(`made ${recipe.image}`);
    return id;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function ensureDebootstrap(say: BootstrapProgress): void {
  if (spawnSync('debootstrap', ['--version'], { stdio: 'ignore' }).status === 0 || existsSync('/usr/sbin/debootstrap')) return;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new BaseImageError(
      'No base image can be pulled here, and debootstrap (to make one) is not installed.',
      'Install debootstrap (`sudo apt-get install debootstrap`) and run `sudo layerbench bootstrap`, or make the public images available (`docker pull ubuntu:24.04 python:3.11-slim-bookworm`).',
    );
  }
  say('installing debootstrap with apt-get');
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'debootstrap'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'ignore' });
    const again = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'debootstrap'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (again.status !== 0) throw new BaseImageError('Could not install debootstrap with apt-get.', 'Run `apt-get install debootstrap` yourself and try again.');
  }
}

/** The Debian mirror the host's apt uses, so the bootstrap goes where apt already goes. */
export function hostDebianMirror(): string | undefined {
  const files = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const uri = mirrorFromSources(readFileSync(file, 'utf8'));
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/** The first main-archive URI in a deb822 `.sources` or one-line `sources.list` text. */
export function mirrorFromSources(text: string): string | undefined {
  const deb822 = /^URIs:\s*(\S+)/m.exec(text);
  const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/m.exec(text);
  const uri = deb822?.[1] ?? oneLine?.[1];
  return uri !== undefined && !/security/.test(uri) ? uri : undefined;
}

function run(command: string, args: string[], what: string): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 15));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return exited(child, what, tail);
}

function exited(child: ReturnType<typeof spawn>, what: string, tail: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new BaseImageError(`${what} could not start: ${err.message}`)));
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new BaseImageError(`${what} failed (exit ${code}).`, tail.length > 0 ? tail.join('\n') : undefined)),
    );
  });
}
