import type { Builder } from '../report/result-types.js';

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
  /** absolute path of the build context */
  context: string;
  builder: Builder;
  reps: number;
  warmup: number;
  cold: boolean;
  variants: VariantSpec[];
  edits: EditSpec[];
  health: HealthSpec;
}
