/**
 * A private copy of a build context, where edits are applied. The user's tree is only read.
 *
 * The copy holds what the build would send (ignored paths are not copied), plus the
 * Dockerfile. A Dockerfile that lives outside the context is added under a fixed name and
 * listed in the sent `.dockerignore`, so that the daemon reads it and then drops it from the
 * context, as `docker build -f` does (a fixed name keeps the cache key stable between runs).
 */
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import { WorkspaceError } from '../errors.js';
import { pathInside } from '../path-inside.js';
import type { EditSpec } from '../scenario/scenario-types.js';
import { applyEdit, type EditApplication } from './edits.js';
import { ignoreRulesFor, type IgnoreRules } from './ignore-rules.js';

export const OUTSIDE_DOCKERFILE_NAME = '.layerbench-dockerfile';

export class Workspace {
  private readonly originals = new Map<string, Buffer>();

  private constructor(
    readonly dir: string,
    readonly dockerfileInContext: string,
    readonly rules: IgnoreRules,
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
      throw new WorkspaceError(`Could not copy the build context ${context}: ${(err as Error).message}`, context);
    }
    const dockerfileInContext = dockerfileInside ?? OUTSIDE_DOCKERFILE_NAME;
    if (dockerfileInContext === OUTSIDE_DOCKERFILE_NAME) {
      writeFileSync(join(dir, OUTSIDE_DOCKERFILE_NAME), readFileSync(dockerfile));
      // The daemon drops the files that the sent .dockerignore names; our rules were applied already.
      writeFileSync(join(dir, '.dockerignore'), `${OUTSIDE_DOCKERFILE_NAME}\n.dockerignore\n`);
    }
    return new Workspace(dir, dockerfileInContext, rules);
  }

  /** Writes a new version of the edited file; every call starts from the original content. */
  apply(edit: EditSpec, nonce: string, sequence: number): EditApplication {
    const target = join(this.dir, edit.file);
    let original = this.originals.get(edit.file);
    if (original === undefined) {
      if (!existsSync(target)) {
        throw new WorkspaceError(`The edit "${edit.name}" names ${edit.file}, which the build context does not send (is it ignored?).`, edit.file);
      }
      original = readFileSync(target);
      this.originals.set(edit.file, original);
    }
    const application = applyEdit(edit, original, nonce, sequence);
    // A link in the copy may point anywhere (the user's tree too): replace it, never write through it.
    if (lstatSync(target).isSymbolicLink()) unlinkSync(target);
    writeFileSync(target, application.content);
    return application;
  }

  /** A tar stream of the context as the daemon should receive it (the copy holds nothing else). */
  pack(): Readable {
    return pack(this.dir) as unknown as Readable;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
