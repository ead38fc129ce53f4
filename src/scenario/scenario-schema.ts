/**
 * JSON Schema of a scenario file (scenarios/*.yaml). Defaults and limits live here, once:
 * command-line overrides are held to the same limits (see `scenario-overrides.ts`).
 */

/**
 * A variant's name is a path component of its image name (`layerbench-run/<name>:<run>`), so
 * it follows Docker's reference grammar: lower-case letters and digits, separated by `.`,
 * `_`, `__` or dashes, neither first nor last.
 */
export const IMAGE_NAME_COMPONENT = '^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$';

import { BANDWIDTH } from './bandwidth.js';

export const BUILDERS = ['classic', 'buildkit'] as const;

export const EDIT_KINDS = ['replace-line', 'replace', 'append-line', 'touch', 'add-requirement', 'replace-file', 'swap-asset'] as const;

/** A pattern and what replaces it, which must carry `{nonce}` so that every application is a new change. */
const MATCH_AND_REPLACEMENT = {
  required: ['match', 'with'],
  additionalProperties: false,
  properties: {
    name: true, kind: true, file: true,
    match: { type: 'string', minLength: 1 },
    with: { type: 'string', pattern: '\\{nonce\\}' },
  },
} as const;

export const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'context', 'variants'],
  properties: {
    name: { type: 'string', minLength: 1, description: 'a short name for reports' },
    description: { type: 'string' },
    context: { type: 'string', minLength: 1, description: 'build context, relative to the scenario file' },
    builder: { enum: BUILDERS, description: "the builder, when the scenario uses one (see builders); default: the one the daemon itself uses (BuildKit on Engine 23 and later, classic before)" },
    builders: {
      type: 'array',
      items: { enum: BUILDERS },
      minItems: 1,
      uniqueItems: true,
      description: 'every variant is measured under each of these builders, one after the other (overrides builder)',
    },
    reps: { type: 'integer', minimum: 1, maximum: 100, default: 5, description: 'measured warm repetitions per edit' },
    warmup: { type: 'integer', minimum: 0, maximum: 20, default: 1, description: 'unmeasured edits before the measured ones' },
    cold: { type: 'boolean', default: true, description: 'measure a build without cache first' },
    baseline: { type: 'string', minLength: 1, description: 'the variant speed-ups are measured against (default: the first)' },
    variants: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'dockerfile'],
        properties: {
          name: { type: 'string', maxLength: 64, pattern: IMAGE_NAME_COMPONENT },
          dockerfile: { type: 'string', minLength: 1 },
          bases: { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, default: {} },
          buildArgs: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
          target: { type: 'string', minLength: 1, description: 'the stage to build (default: the last)' },
          builders: {
            type: 'array',
            items: { enum: BUILDERS },
            minItems: 1,
            uniqueItems: true,
            description: 'the builders this variant can be built with (e.g. [buildkit] for RUN --mount); skipped under the others, with a note',
          },
        },
      },
    },
    headlines: {
      type: 'array',
      description: 'the ratios a run ends with: the slow variant over the fast one after an edit, per builder (default: the baseline over the next variant after the first edit)',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['edit', 'slow', 'fast'],
        properties: { edit: { type: 'string', minLength: 1 }, slow: { type: 'string', minLength: 1 }, fast: { type: 'string', minLength: 1 } },
      },
    },
    indexBandwidth: {
      type: 'string',
      pattern: BANDWIDTH,
      default: 'unlimited',
      description: 'hold downloads from the local package index to this rate (e.g. 50mbit), as a line to PyPI would; `unlimited` by default',
    },
    baseMap: {
      type: 'object',
      additionalProperties: { type: 'string', minLength: 1 },
      default: {},
      description: 'image → image to build on instead, in every FROM (for bases that cannot be pulled here)',
    },
    edits: {
      type: 'array',
      default: [],
      description: 'none: layerbench picks a code edit and a dependency edit from what the Dockerfiles copy in, and says which',
      items: {
        type: 'object',
        required: ['name', 'kind', 'file'],
        properties: {
          name: { type: 'string', maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' },
          kind: { enum: EDIT_KINDS },
          file: { type: 'string', minLength: 1 },
        },
        allOf: [
          // replace-line: the whole first matching line; replace: the first match
          { if: { properties: { kind: { enum: ['replace-line', 'replace'] } } }, then: MATCH_AND_REPLACEMENT },
          {
            if: { properties: { kind: { const: 'append-line' } } },
            then: {
              additionalProperties: false,
              properties: { name: true, kind: true, file: true, line: { type: 'string', pattern: '\\{nonce\\}' } },
            },
          },
          {
            if: { properties: { kind: { const: 'touch' } } },
            then: { additionalProperties: false, properties: { name: true, kind: true, file: { description: 'a glob' } } },
          },
          {
            if: { properties: { kind: { const: 'replace-file' } } },
            then: {
              required: ['from'],
              additionalProperties: false,
              properties: { name: true, kind: true, file: true, from: { type: 'string', minLength: 1, description: 'relative to the scenario file' } },
            },
          },
          {
            if: { properties: { kind: { const: 'add-requirement' } } },
            then: {
              required: ['packages'],
              additionalProperties: false,
              properties: {
                name: true, kind: true, file: true,
                // pip's `name==1.0`, npm's `@scope/name@1.0`, Go's `example.com/m@v1.0.0`
                packages: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[@A-Za-z0-9][^\\s#]*$' } },
              },
            },
          },
          {
            if: { properties: { kind: { const: 'swap-asset' } } },
            then: {
              required: ['generator'],
              additionalProperties: false,
              properties: { name: true, kind: true, file: true, generator: { enum: ['refit-numbers', 'random-bytes'] } },
            },
          },
        ],
      },
    },
    health: {
      type: 'object',
      additionalProperties: false,
      description: 'start each built image and probe it over HTTP; without this section images are not started',
      properties: {
        port: { type: 'integer', minimum: 1, maximum: 65535, default: 8000, description: 'the port the app listens on inside the container' },
        path: { type: 'string', pattern: '^/', default: '/health' },
        timeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: 60 },
        predict: {
          type: 'object',
          additionalProperties: false,
          required: ['path', 'body'],
          properties: { path: { type: 'string', pattern: '^/' }, body: {} },
        },
      },
    },
  },
} as const;
