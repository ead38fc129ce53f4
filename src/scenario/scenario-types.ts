import type { Builder } from '../result/types.js';

/** How an edit changes the workspace. Each application writes a new, unique change. */
export type EditSpec =
  | {
      name: string;
      /** replace the first line matching `match` (a regular expression) with `with` */
      kind: 'replace-line';
      file: string;
      match: string;
      /** the new line; `{nonce}` becomes a value unique to this run and repetition */
      with: string;
    }
  | {
      name: string;
      /** replace the first match of `match` (a regular expression; `$1` … in `with` refer to its groups) */
      kind: 'replace';
      file: string;
      match: string;
      with: string;
    }
  | {
      name: string;
      kind: 'append-line';
      file: string;
      /** the line to append (with `{nonce}`); unset: a comment in the file's own syntax */
      line?: string | undefined;
    }
  | {
      name: string;
      /**
       * `file` is a glob: the first file it matches (in path order) among those the build
       * receives gets a comment appended. A new timestamp alone would not bust a build cache.
       */
      kind: 'touch';
      file: string;
    }
  | {
      name: string;
      /** put the content of `from` in place of `file` (plus a unique trailer, so that each repetition is a change) */
      kind: 'replace-file';
      file: string;
      /** absolute once loaded; in a scenario file, relative to it */
      from: string;
    }
  | {
      name: string;
      /**
       * add one dependency (cycling through `packages`), so that the line is unique: a
       * requirements file, `package.json` (`name@version` into dependencies) or `go.mod`
       * (`module@version`), by the file's name
       */
      kind: 'add-requirement';
      file: string;
      packages: string[];
    }
  | {
      name: string;
      /** write a new version of an asset file */
      kind: 'swap-asset';
      file: string;
      /**
       * `refit-numbers`: every decimal number in the (text) file is nudged by a tiny seeded
       * factor: a stand-in for a retrained model of the same shape and size.
       * `random-bytes`: the same number of fresh random bytes (for assets nobody parses).
       */
      generator: 'refit-numbers' | 'random-bytes';
    };

export interface VariantSpec {
  name: string;
  /** absolute path of the Dockerfile */
  dockerfile: string;
  /** build args that name a base image: ARG name → logical base or image reference */
  bases: Record<string, string>;
  buildArgs: Record<string, string>;
  /** the stage to build (`--target`); null: the last */
  target: string | null;
  /** the builders it can be built with; null: any */
  builders: Builder[] | null;
  /** absolute path of its build context where it is not the scenario's (the base side of `run --against`) */
  context?: string;
}

/** `slow`/`fast` after `edit`: a ratio the run ends with, under each builder that has both. */
export interface HeadlineSpec {
  edit: string;
  slow: string;
  fast: string;
}

export interface HealthSpec {
  port: number;
  path: string;
  timeoutMs: number;
  predict: { path: string; body: unknown } | undefined;
}

export interface Scenario {
  name: string;
  /** absolute path of the scenario file; null for a scenario made from command-line options */
  file: string | null;
  /** sha256 of the scenario file's bytes (provenance); null for a scenario not read from a file */
  sha256: string | null;
  /** absolute path of the build context */
  context: string;
  /**
   * Each variant is measured under each, in this order (all of one builder before the next).
   * Empty: the scenario named none, so a run uses the builder the daemon itself defaults to.
   */
  builders: Builder[];
  reps: number;
  warmup: number;
  cold: boolean;
  /** the variant speed-ups are measured against */
  baseline: string;
  variants: VariantSpec[];
  edits: EditSpec[];
  /** image reference → the image to build on instead, in every variant's FROM lines */
  baseMap: Record<string, string>;
  /** the rate downloads from the local package index are held to: `50mbit`, or `unlimited` */
  indexBandwidth: string;
  /** the ratios the run ends with; empty: the baseline over the next variant after the first edit */
  headlines: HeadlineSpec[];
  /** null: images are not started (health is `null`, "not checked", in every sample) */
  health: HealthSpec | null;
  /**
   * The names in the scenario file's order, before any filter: errors name `edits[i]` as the
   * file counts. For a scenario made from options, each item's option as typed.
   */
  declared: { variants: string[]; edits: string[]; options?: { variants: string[]; edits: string[] } };
}

/** A scenario file as the schema validated it (defaults filled), before paths are resolved. */
export interface RawScenario {
  name: string;
  context: string;
  builder?: Builder;
  builders?: Builder[];
  reps: number;
  warmup: number;
  cold: boolean;
  baseline?: string;
  variants: { name: string; dockerfile: string; bases: Record<string, string>; buildArgs: Record<string, string>; target?: string; builders?: Builder[] }[];
  edits: EditSpec[];
  baseMap: Record<string, string>;
  indexBandwidth: string;
  headlines?: HeadlineSpec[];
  health?: { port: number; path: string; timeoutSeconds: number; predict?: { path: string; body: unknown } };
}
