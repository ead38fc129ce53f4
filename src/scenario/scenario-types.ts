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
  | { name: string; kind: 'append-line'; file: string; line: string }
  | {
      name: string;
      /** add one requirement (cycling through `packages`), tagged so the line is unique */
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
}

export interface HealthSpec {
  port: number;
  path: string;
  timeoutMs: number;
  predict: { path: string; body: unknown } | undefined;
}

export interface Scenario {
  name: string;
  /** absolute path of the scenario file */
  file: string;
  /** sha256 of the scenario file's bytes (provenance); null for a scenario not read from a file */
  sha256: string | null;
  /** absolute path of the build context */
  context: string;
  builder: Builder;
  reps: number;
  warmup: number;
  cold: boolean;
  /** the variant speed-ups are measured against */
  baseline: string;
  variants: VariantSpec[];
  edits: EditSpec[];
  health: HealthSpec;
  /** the names in the scenario file's order, before any filter: errors name `edits[i]` as the file counts */
  declared: { variants: string[]; edits: string[] };
}

/** A scenario file as the schema validated it (defaults filled), before paths are resolved. */
export interface RawScenario {
  name: string;
  context: string;
  builder: Scenario['builder'];
  reps: number;
  warmup: number;
  cold: boolean;
  baseline?: string;
  variants: { name: string; dockerfile: string; bases: Record<string, string>; buildArgs: Record<string, string> }[];
  edits: EditSpec[];
  health: { port: number; path: string; timeoutSeconds: number; predict?: { path: string; body: unknown } };
}
