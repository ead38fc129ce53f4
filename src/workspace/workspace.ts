/**
 * A private copy of a build context, where edits are applied. The user's tree is only read.
 *
 * The copy holds what the build would send (ignored paths are not copied), plus the
 * Dockerfile. A Dockerfile that lives outside the context is added under a fixed name and
 * listed in the sent `.dockerignore`, so that the daemon reads it and then drops it from the
 * context, as `docker build -f` does (a fixed name keeps the cache key stable between runs).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import { asDiskFull, writingInto } from '../disk-space.js';
import { WorkspaceError } from '../errors.js';
import { pathInside } from '../path-inside.js';
import type { EditSpec } from '../scenario/scenario-types.js';
import { ContextManifest } from './context-manifest.js';
import { applyEdit } from './edits.js';
import { ignoreRulesFor, type IgnoreRules } from './ignore-rules.js';
import { OUTSIDE_DOCKERFILE_NAME, touchTarget } from './sent-files.js';

export { OUTSIDE_DOCKERFILE_NAME } from './sent-files.js';

/** What one application of an edit wrote. */
export interface AppliedEdit {
  /** one line for progress and logs, e.g. `app/main.py: line 12 replaced` */
  summary: string;
  /** context paths the edit wrote */
  paths: string[];
  /** sha256 over the written paths and their new content */
  sha256: string;
}

/**
 * tar-fs reads each file in fs's default 64 kB chunks; 1 MB chunks pack a 1 GB context about
 * three times faster (0.25 s against 0.8 s here), which brings the API driver's classic upload
 * of a large context near the docker CLI's (1.07 of its time on a 1 GB context, from 1.14).
 */
const LARGE_READS = {
  ...fs,
  createReadStream: (path: fs.PathLike, options?: { start?: number; end?: number }) => fs.createReadStream(path, { ...options, highWaterMark: 1 << 20 }),
};

export class Workspace {
  private readonly originals = new Map<string, Buffer>();
  private readonly replacements = new Map<string, Buffer>();

  private constructor(
    readonly dir: string,
    readonly dockerfileInContext: string,
    readonly rules: IgnoreRules,
    /** the context as it will be sent, file by file (kept up to date as edits are applied) */
    readonly manifest: ContextManifest,
  ) {}

  /** Copies `context` into `dir` (which must not exist yet). */
  static create(dir: string, context: string, dockerfile: string): Workspace {
    if (!existsSync(context)) throw new WorkspaceError(`The build context ${context} does not exist.`, context);
    if (!existsSync(dockerfile)) throw new WorkspaceError(`The Dockerfile ${dockerfile} does not exist.`, dockerfile);
    const rules = ignoreRulesFor(context, dockerfile);
    const dockerfileInside = pathInside(context, dockerfile);
    // Docker always sends the Dockerfile and the .dockerignore, whatever the patterns say.
    const alwaysSent = new Set(['.dockerignore', ...(dockerfileInside === undefined ? [] : [dockerfileInside])]);
    mkdirSync(dirname(dir), { recursive: true });
    try {
      cpSync(context, dir, {
        recursive: true,
        dereference: false,
        // Links are copied as written: rewritten to absolute paths they would point back into the user's tree.
        verbatimSymlinks: true,
        preserveTimestamps: true,
        filter: (source) => {
          const path = pathInside(context, source) ?? '';
          if (path === '' || alwaysSent.has(path) || !rules.ignores(path)) return true;
          // An exception (`!pattern`) may re-include something below an ignored directory.
          return rules.hasExceptions && lstatSync(source).isDirectory();
        },
      });
    } catch (err) {
      throw asDiskFull(err, dirname(dir)) ?? new WorkspaceError(`Could not copy the build context ${context}: ${(err as Error).message}`, context);
    }
    const dockerfileInContext = dockerfileInside ?? OUTSIDE_DOCKERFILE_NAME;
    if (dockerfileInContext === OUTSIDE_DOCKERFILE_NAME) {
      writingInto(dirname(dir), () => {
        writeFileSync(join(dir, OUTSIDE_DOCKERFILE_NAME), readFileSync(dockerfile));
        // The daemon drops the files that the sent .dockerignore names; our rules were applied already.
        writeFileSync(join(dir, '.dockerignore'), `${OUTSIDE_DOCKERFILE_NAME}\n.dockerignore\n`);
      });
    }
    return new Workspace(dir, dockerfileInContext, rules, ContextManifest.scan(dir));
  }

  /** Writes a new version of the edited file; every call starts from the original content. */
  apply(edit: EditSpec, nonce: string, sequence: number): AppliedEdit {
    const path = edit.kind === 'touch' ? this.touchTarget(edit) : edit.file;
    const replacement = edit.kind === 'replace-file' ? this.replacementFor(edit.from) : undefined;
    const application = applyEdit(edit, { path, original: this.original(edit, path) }, nonce, sequence, replacement);
    this.write(path, application.content);
    const sha256 = createHash('sha256').update(`${path}\n`).update(application.content).digest('hex');
    return { summary: application.summary, paths: [path], sha256 };
  }

  /**
   * Puts layerbench's version of the Dockerfile in the copy (mapped bases, the index's build
   * args); the user's file is never written.
   */
  writeDockerfile(text: string): void {
    this.write(this.dockerfileInContext, Buffer.from(text));
  }

  private write(path: string, content: Buffer): void {
    const target = join(this.dir, path);
    writingInto(dirname(this.dir), () => {
      // A link in the copy may point anywhere (the user's tree too): replace it, never write through it.
      if (existsSync(target) && lstatSync(target).isSymbolicLink()) unlinkSync(target);
      writeFileSync(target, content);
    });
    this.manifest.refresh(path);
  }

  private original(edit: EditSpec, path: string): Buffer {
    let original = this.originals.get(path);
    if (original === undefined) {
      const target = join(this.dir, path);
      if (!existsSync(target)) {
        throw new WorkspaceError(`The edit "${edit.name}" names ${path}, which the build context does not send (is it ignored?).`, path);
      }
      original = readFileSync(target);
      this.originals.set(path, original);
    }
    return original;
  }

  private touchTarget(edit: EditSpec & { kind: 'touch' }): string {
    const path = touchTarget(edit.file, this.manifest.files());
    if (path === undefined) throw new WorkspaceError(`The edit "${edit.name}" touches ${edit.file}, which matches no file the build receives.`, edit.file);
    return path;
  }

  /** The replacement's content, read once from the user's tree (only read). */
  private replacementFor(from: string): Buffer {
    let content = this.replacements.get(from);
    if (content === undefined) {
      content = readFileSync(from);
      this.replacements.set(from, content);
    }
    return content;
  }

  /** sha256 of the context as it will be sent now. */
  contextSha256(): string {
    return this.manifest.digest();
  }

  /** A tar stream of the context as the daemon should receive it (the copy holds nothing else). */
  pack(): Readable {
    // tar-fs takes an `fs` of its own (its types do not say so)
    return pack(this.dir, { fs: LARGE_READS } as Parameters<typeof pack>[1]) as unknown as Readable;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
