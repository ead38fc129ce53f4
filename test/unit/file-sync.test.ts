/**
 * The file-sync sender (fsutil's DiffCopy packet protocol) driven by a scripted receiver over a
 * temporary directory: every packet goes through the protobuf encoding both ways, as on the wire.
 */
import { appendFileSync, chmodSync, linkSync, mkdirSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendSyncedDir, type PacketChannel, type SendTally } from '../../src/engine/session/file-sender.js';
import { goFileMode, resolveFollowPaths, type WalkFilter } from '../../src/engine/session/synced-dir-walk.js';
import { decodePacket, encodePacket, FileModeBits, PacketType, type WirePacket, type WireStat } from '../../src/engine/session/wire.js';
import { makeTempDir, removeTempDirs, writeTree } from './support/temp-dir.js';

const lstatCalls = vi.hoisted(() => [] as string[]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    lstat: ((path: string, options?: unknown) => {
      lstatCalls.push(String(path));
      return (actual.lstat as (p: string, o?: unknown) => Promise<unknown>)(path, options);
    }) as typeof actual.lstat,
  };
});

afterEach(() => {
  removeTempDirs();
  lstatCalls.length = 0;
});

/** A queue the receiver writes to and the sender reads from. */
function packetQueue(): { push(p: WirePacket): void; end(): void; iterable: AsyncIterable<WirePacket> } {
  const items: WirePacket[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  return {
    push(p) {
      items.push(decodePacket(encodePacket(p)));
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    iterable: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = items.shift();
          if (next !== undefined) yield next;
          else if (ended) return;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    },
  };
}

interface Exchange {
  stats: WireStat[];
  /** file content received, by path */
  data: Map<string, Buffer>;
  fin: boolean;
  errors: string[];
  tally: SendTally;
  outcome: 'resolved' | 'rejected';
}

interface Script {
  filter?: Partial<WalkFilter>;
  /** which files the receiver asks for once the walk has ended (default: all) */
  want?: (stat: WireStat) => boolean;
  /** extra REQ IDs sent as they are, e.g. unknown ones */
  rawRequests?: number[];
  /** runs after the walk, before the first REQ */
  betweenStatAndRead?: () => void;
  resetOwner?: boolean;
}

/** Plays fsutil's receiver: reads the walk, REQs the files it wants, waits for their data, FIN. */
async function exchange(root: string, script: Script = {}): Promise<Exchange> {
  const incoming = packetQueue();
  const result: Exchange = { stats: [], data: new Map(), fin: false, errors: [], tally: { bytes: 0, files: 0 }, outcome: 'resolved' };
  const idToPath = new Map<number, string>();
  let pending = 0;
  let walkEnded = false;
  const maybeFin = (): void => {
    if (walkEnded && pending === 0) incoming.push({ type: PacketType.FIN, id: 0, data: new Uint8Array(0) });
  };
  const channel: PacketChannel = {
    async send(raw) {
      const p = decodePacket(encodePacket(raw));
      switch (p.type) {
        case PacketType.STAT:
          if (p.stat === undefined) {
            walkEnded = true;
            script.betweenStatAndRead?.();
            for (const [id, path] of idToPath) {
              const stat = result.stats[id];
              if (stat === undefined || !(script.want ?? (() => true))(stat)) continue;
              pending++;
              result.data.set(path, Buffer.alloc(0));
              incoming.push({ type: PacketType.REQ, id, data: new Uint8Array(0) });
            }
            for (const id of script.rawRequests ?? []) {
              pending++;
              incoming.push({ type: PacketType.REQ, id, data: new Uint8Array(0) });
            }
            maybeFin();
          } else {
            if ((p.stat.mode & 0x8f28_0000) === 0) idToPath.set(result.stats.length, p.stat.path);
            result.stats.push(p.stat);
          }
          break;
        case PacketType.DATA: {
          const path = idToPath.get(p.id) ?? `#${p.id}`;
          if (p.data.length === 0) {
            pending--;
            maybeFin();
          } else result.data.set(path, Buffer.concat([result.data.get(path) ?? Buffer.alloc(0), Buffer.from(p.data)]));
          break;
        }
        case PacketType.FIN:
          result.fin = true;
          incoming.end();
          break;
        case PacketType.ERR:
          result.errors.push(Buffer.from(p.data).toString());
          incoming.end();
          break;
        default:
          break;
      }
    },
    received: incoming.iterable,
  };
  const filter: WalkFilter = { includePatterns: [], excludePatterns: [], followPaths: [], ...script.filter };
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the exchange hung')), 5_000));
  await Promise.race([sendSyncedDir(channel, root, { filter, resetOwner: script.resetOwner ?? false, tally: result.tally }), timeout]).catch((error: unknown) => {
    if (error instanceof Error && error.message === 'the exchange hung') throw error;
    result.outcome = 'rejected';
  });
  return result;
}

const paths = (e: Exchange): string[] => e.stats.map((s) => s.path);

describe('the walk a file-sync sender sends', () => {
  it('is depth first, each folder sorted by the bytes of its names, IDs being the walk index', async () => {
    const root = makeTempDir();
    writeTree(root, { 'b.txt': 'b', 'a/z.txt': 'z', 'a.txt': 'a', 'a/B.txt': 'B', 'C/x': 'x' });
    const e = await exchange(root);
    expect(paths(e)).toEqual(['C', 'C/x', 'a', 'a/B.txt', 'a/z.txt', 'a.txt', 'b.txt']);
    expect(e.fin).toBe(true);
    expect(e.outcome).toBe('resolved');
  });

  it('carries Go file-mode bits, the size, the owner, and the modification time in nanoseconds', async () => {
    const root = makeTempDir();
    writeTree(root, { 'bin/run': '#!/bin/sh\n', 'notes.txt': 'hello' });
    chmodSync(join(root, 'bin/run'), 0o755);
    chmodSync(join(root, 'notes.txt'), 0o640);
    utimesSync(join(root, 'notes.txt'), 1_700_000_000.5, 1_700_000_000.5);
    const e = await exchange(root, { resetOwner: true });
    const byPath = new Map(e.stats.map((s) => [s.path, s]));
    expect(byPath.get('bin')?.mode).toBe((FileModeBits.dir | 0o755) >>> 0);
    expect(byPath.get('bin')?.size).toBe(0);
    expect(byPath.get('bin/run')?.mode).toBe(0o755);
    expect(byPath.get('notes.txt')).toMatchObject({ mode: 0o640, size: 5, uid: 0, gid: 0, modTimeNs: '1700000000500000000', linkname: '' });
  });

  it('maps POSIX file types and special bits to os.FileMode as fsutil does', () => {
    expect(goFileMode(0o040755)).toBe((0x8000_0000 | 0o755) >>> 0);
    expect(goFileMode(0o120777)).toBe(0x0800_0000 | 0o777);
    expect(goFileMode(0o020666)).toBe(0x0400_0000 | 0x0020_0000 | 0o666);
    expect(goFileMode(0o010644)).toBe(0x0200_0000 | 0o644);
    expect(goFileMode(0o140755)).toBe(0o755); // the socket bit is cleared
    expect(goFileMode(0o104755)).toBe(0x0080_0000 | 0o755);
    expect(goFileMode(0o041777)).toBe((0x8000_0000 | 0x0010_0000 | 0o777) >>> 0);
  });

  it('sends a symlink as a link, with its target as linkname, never what it points to', async () => {
    const root = makeTempDir();
    writeTree(root, { 'real/file.txt': 'content' });
    symlinkSync('real', join(root, 'link'));
    const e = await exchange(root);
    const link = e.stats.find((s) => s.path === 'link');
    expect(link).toMatchObject({ linkname: 'real', mode: 0x0800_0000 | 0o777 });
    expect(paths(e)).not.toContain('link/file.txt');
    expect([...e.data.keys()]).toEqual(['real/file.txt']);
  });

  it('sends a second hard link to a file as a link to the first, without content', async () => {
    const root = makeTempDir();
    writeTree(root, { 'a.txt': 'same' });
    linkSync(join(root, 'a.txt'), join(root, 'b.txt'));
    const e = await exchange(root);
    expect(e.stats.find((s) => s.path === 'b.txt')).toMatchObject({ linkname: 'a.txt', size: 0 });
  });
});

describe('what the receiver asks for', () => {
  it('only the requested files travel, and only they are counted', async () => {
    const root = makeTempDir();
    writeTree(root, { 'app.py': 'print(1)\n', 'big/blob.bin': Buffer.alloc(200_000, 7), 'req.txt': 'flask\n' });
    const e = await exchange(root, { want: (s) => s.path === 'app.py' });
    expect([...e.data.keys()]).toEqual(['app.py']);
    expect(e.data.get('app.py')?.toString()).toBe('print(1)\n');
    expect(e.tally).toEqual({ bytes: 9, files: 1 });
    expect(e.fin).toBe(true);
  });

  it('a large file travels in chunks, all of it', async () => {
    const root = makeTempDir();
    const content = Buffer.alloc(100_000);
    for (let i = 0; i < content.length; i++) content[i] = i % 251;
    writeTree(root, { 'data.bin': content });
    const e = await exchange(root);
    expect(e.data.get('data.bin')?.equals(content)).toBe(true);
    expect(e.tally).toEqual({ bytes: 100_000, files: 1 });
  });

  it('a request for an ID the walk did not give a file (an excluded path, a directory) is answered with ERR, not a hang', async () => {
    const root = makeTempDir();
    writeTree(root, { 'keep.txt': 'k', 'secret/key.pem': 'k' });
    const e = await exchange(root, { filter: { excludePatterns: ['secret'] }, want: () => false, rawRequests: [0, 999] });
    expect(e.errors).toEqual(['invalid file id 999']);
    expect(e.outcome).toBe('rejected');
    const dirOnly = makeTempDir();
    writeTree(dirOnly, { 'sub/file': 'f' });
    const d = await exchange(dirOnly, { want: () => false, rawRequests: [0] });
    expect(d.errors).toEqual(['invalid file id 0']);
  });

  it('a file that grew between its stat and its read is sent as it is now, and the exchange ends', async () => {
    const root = makeTempDir();
    writeTree(root, { 'log.txt': 'one\n' });
    const e = await exchange(root, { betweenStatAndRead: () => appendFileSync(join(root, 'log.txt'), 'two\n') });
    expect(e.stats[0]?.size).toBe(4);
    expect(e.data.get('log.txt')?.toString()).toBe('one\ntwo\n');
    expect(e.fin).toBe(true);
  });

  it('a file removed between its stat and its read ends with empty data, and the exchange ends', async () => {
    const root = makeTempDir();
    writeTree(root, { 'gone.txt': 'soon gone' });
    const e = await exchange(root, { betweenStatAndRead: () => rmSync(join(root, 'gone.txt')) });
    expect(e.data.get('gone.txt')?.length).toBe(0);
    expect(e.fin).toBe(true);
    expect(e.outcome).toBe('resolved');
  });

  it('an ERR from the receiver ends the exchange with an error', async () => {
    const root = makeTempDir();
    writeTree(root, { 'a.txt': 'a' });
    const incoming = packetQueue();
    const channel: PacketChannel = {
      send: async (p) => {
        if (p.type === PacketType.STAT && p.stat === undefined) incoming.push({ type: PacketType.ERR, id: 0, data: Buffer.from('disk full') });
      },
      received: incoming.iterable,
    };
    const filter = { includePatterns: [], excludePatterns: [], followPaths: [] };
    await expect(sendSyncedDir(channel, root, { filter, resetOwner: false, tally: { bytes: 0, files: 0 } })).rejects.toThrow('error from receiver: disk full');
  });
});

describe('filters from the request metadata', () => {
  it('an excluded folder is neither sent nor entered (nothing inside it is statted)', async () => {
    const root = makeTempDir();
    writeTree(root, { 'app.py': 'a', 'node_modules/x/index.js': 'x', 'logs/a.log': 'l', 'logs/keep.log': 'k', 'Dockerfile': 'FROM x' });
    const e = await exchange(root, { filter: { excludePatterns: ['node_modules', 'logs/*.log', '!logs/keep.log'] } });
    expect(paths(e)).toEqual(['Dockerfile', 'app.py', 'logs', 'logs/keep.log']);
    expect(lstatCalls.filter((p) => p.includes('node_modules/'))).toEqual([]);
  });

  it('include patterns keep the named paths and send their parent folders before them', async () => {
    const root = makeTempDir();
    writeTree(root, { 'src/app/main.py': 'm', 'src/app/util.py': 'u', 'src/other.py': 'o', 'big/blob': 'b', 'Dockerfile': 'd' });
    const e = await exchange(root, { filter: { includePatterns: ['src/app/main.py', 'Dockerfile'] } });
    expect(paths(e)).toEqual(['Dockerfile', 'src', 'src/app', 'src/app/main.py']);
    expect(lstatCalls.filter((p) => p.includes('/big/'))).toEqual([]);
  });

  it('follow paths (what the Dockerfile frontend sends for COPY sources) restrict the walk like include patterns', async () => {
    const root = makeTempDir();
    writeTree(root, { 'app.txt': 'a', 'sub/a': 'a', 'big/blob': Buffer.alloc(50_000), '.dockerignore': '' });
    const e = await exchange(root, { filter: { followPaths: ['app.txt', 'sub'] } });
    expect(paths(e)).toEqual(['app.txt', 'sub', 'sub/a']);
    expect(e.tally).toEqual({ bytes: 2, files: 2 });
  });

  it('a follow path through a symlink includes the link and its target', async () => {
    const root = makeTempDir();
    writeTree(root, { 'versions/v2/config.yaml': 'c', 'versions/v1/config.yaml': 'old' });
    symlinkSync('versions/v2', join(root, 'current'));
    expect(await resolveFollowPaths(root, ['current/config.yaml'])).toEqual(['current', 'versions/v2/config.yaml']);
    const e = await exchange(root, { filter: { followPaths: ['current/config.yaml'] } });
    expect(paths(e)).toEqual(['current', 'versions', 'versions/v2', 'versions/v2/config.yaml']);
    expect(e.stats[0]?.linkname).toBe('versions/v2');
  });

  it('an absolute symlink target is taken inside the synced folder', async () => {
    const root = makeTempDir();
    writeTree(root, { 'data/file': 'f' });
    symlinkSync('/data', join(root, 'abs'));
    expect(await resolveFollowPaths(root, ['abs'])).toEqual(['abs', 'data']);
  });

  it('.dockerignore-style patterns with ** and exceptions', async () => {
    const root = makeTempDir();
    writeTree(root, { 'a/b/c.pyc': 'x', 'a/d.py': 'y', 'e.pyc': 'z', 'keep.pyc': 'k' });
    mkdirSync(join(root, 'empty'));
    const e = await exchange(root, { filter: { excludePatterns: ['**/*.pyc', '!keep.pyc'] } });
    expect(paths(e)).toEqual(['a', 'a/b', 'a/d.py', 'empty', 'keep.pyc']);
  });
});
