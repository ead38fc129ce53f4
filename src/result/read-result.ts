/**
 * Reads a result.json (or the directory holding one): parses, migrates older schema versions,
 * and validates against the shipped schema. Anything else is a ResultFileError naming the
 * file and the field.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { ResultFileError } from '../errors.js';
import { expectationOf, fieldOf } from '../schema-errors.js';
import { migrateV1, validateV1 } from './migrate-v1.js';
import schema from './result.schema.json' with { type: 'json' };
import { RESULT_SCHEMA_VERSION, type SuiteResult } from './types.js';

/** A result file beyond this is not something layerbench wrote. */
const MAX_RESULT_BYTES = 256 * 1024 * 1024;

const ajv = new Ajv({ allErrors: false, strict: false });
const validateV2 = ajv.compile<SuiteResult>(schema);

/** The JSON Schema of result.json (version 2), as shipped. */
export const resultSchema: object = schema;

/** `path` may name result.json or the run directory that holds it. */
export function readResult(path: string): SuiteResult {
  const file = resultFileOf(path);
  let text: string;
  try {
    if (statSync(file).size > MAX_RESULT_BYTES) throw new ResultFileError(path, '', `is larger than ${MAX_RESULT_BYTES / 1024 / 1024} MiB: not a layerbench result`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ResultFileError) throw err;
    throw new ResultFileError(path, '', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseResult(text, path);
}

export function parseResult(text: string, source: string): SuiteResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ResultFileError(source, '', `is not JSON (${(err as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ResultFileError(source, '', 'is not a layerbench result (not a JSON object)');
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (version === 1) {
    const problem = validateV1(data);
    if (problem !== undefined) throw new ResultFileError(source, problem.field, problem.expected);
    data = migrateV1(data as Parameters<typeof migrateV1>[0]);
  } else if (version !== RESULT_SCHEMA_VERSION) {
    throw new ResultFileError(
      source,
      'schemaVersion',
      version === undefined
        ? 'is missing: not a layerbench result'
        : `is ${JSON.stringify(version)}; this layerbench reads versions 1 and ${RESULT_SCHEMA_VERSION} (a newer layerbench wrote it?)`,
    );
  }
  if (!validateV2(data)) {
    const error = validateV2.errors?.[0];
    throw new ResultFileError(source, fieldOf(error), expectationOf(error));
  }
  return data;
}

/** A directory stands for the result.json inside it. */
export function resultFileOf(path: string): string {
  try {
    return statSync(path).isDirectory() ? join(path, 'result.json') : path;
  } catch {
    return path;
  }
}
