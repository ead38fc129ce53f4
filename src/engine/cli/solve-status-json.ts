/**
 * Reads `docker buildx build --progress=rawjson`: BuildKit's SolveStatus as JSON
 * (buildkit's client package: vertexes, statuses, logs, warnings; byte fields in base64,
 * times in RFC 3339 with nanoseconds). It is the same solve status the Engine API streams as
 * protobuf, so it becomes the same TraceStatus and goes through the same decoder.
 */
import type { TraceStatus, TraceVertex, TraceVertexLog, TraceVertexStatus, TraceVertexWarning } from '../buildkit-trace.js';

type Json = Record<string, unknown>;

/**
 * Splits buildx's output into its JSON objects (it prints each solve status indented over many
 * lines) and the plain lines between them (its own errors, e.g. `ERROR: failed to solve: …`).
 */
export class SolveStatusReader {
  private pending = '';
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(
    private readonly onStatus: (status: TraceStatus) => void,
    private readonly onPlainLine: (line: string) => void,
  ) {}

  /** One line of output, without its newline. */
  push(line: string): void {
    if (this.depth === 0 && !line.trimStart().startsWith('{')) {
      if (line.trim() !== '') this.onPlainLine(line);
      return;
    }
    for (const char of line) this.track(char);
    this.pending += `${line}\n`;
    if (this.depth > 0) return;
    const text = this.pending;
    this.pending = '';
    const status = parseSolveStatus(text);
    if (status !== undefined) this.onStatus(status);
    else this.onPlainLine(text.trimEnd());
  }

  /** What is left when the output ends (a cut object is shown as it is). */
  end(): void {
    if (this.pending.trim() !== '') this.onPlainLine(this.pending.trimEnd());
    this.pending = '';
    this.depth = 0;
  }

  private track(char: string): void {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (char === '\\') this.escaped = true;
      else if (char === '"') this.inString = false;
      return;
    }
    if (char === '"') this.inString = true;
    else if (char === '{') this.depth += 1;
    else if (char === '}') this.depth = Math.max(0, this.depth - 1);
  }
}

/** Parses one JSON object; undefined when it is not a solve status. */
export function parseSolveStatus(json: string): TraceStatus | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const status = value;
  if (!['vertexes', 'statuses', 'logs', 'warnings'].some((key) => Array.isArray(field(status, key)))) return undefined;
  return {
    vertexes: list(status, 'vertexes').map(vertexOf),
    statuses: list(status, 'statuses').map(vertexStatusOf),
    logs: list(status, 'logs').map(logOf),
    warnings: list(status, 'warnings').map(warningOf),
  };
}

function vertexOf(v: Json): TraceVertex {
  return {
    digest: text(v, 'digest'),
    inputs: (field(v, 'inputs') as unknown[] | undefined)?.filter((i): i is string => typeof i === 'string') ?? [],
    name: text(v, 'name'),
    cached: field(v, 'cached') === true,
    startedMs: instantMs(field(v, 'started')),
    completedMs: instantMs(field(v, 'completed')),
    error: text(v, 'error'),
  };
}

function vertexStatusOf(s: Json): TraceVertexStatus {
  return {
    id: text(s, 'id'),
    vertex: text(s, 'vertex'),
    name: text(s, 'name'),
    current: number(s, 'current'),
    total: number(s, 'total'),
    timestampMs: instantMs(field(s, 'timestamp')),
    startedMs: instantMs(field(s, 'started')),
    completedMs: instantMs(field(s, 'completed')),
  };
}

function logOf(l: Json): TraceVertexLog {
  return { vertex: text(l, 'vertex'), timestampMs: instantMs(field(l, 'timestamp')), stream: number(l, 'stream'), msg: bytes(field(l, 'data')) };
}

function warningOf(w: Json): TraceVertexWarning {
  const detail = field(w, 'detail');
  return {
    vertex: text(w, 'vertex'),
    level: number(w, 'level'),
    short: Buffer.from(bytes(field(w, 'short'))).toString('utf8'),
    detail: Array.isArray(detail) ? detail.map((d) => Buffer.from(bytes(d)).toString('utf8')) : [],
    url: text(w, 'url'),
  };
}

/** Go's encoding/json writes the struct's json tags (lower case); older builds wrote field names. */
function field(object: Json, key: string): unknown {
  return object[key] ?? object[key.charAt(0).toUpperCase() + key.slice(1)];
}

function list(object: Json, key: string): Json[] {
  const value = field(object, key);
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(object: Json, key: string): string {
  const value = field(object, key);
  return typeof value === 'string' ? value : '';
}

function number(object: Json, key: string): number {
  const value = field(object, key);
  return typeof value === 'number' ? value : 0;
}

function bytes(value: unknown): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : new Uint8Array();
}

/**
 * Epoch milliseconds with the sub-millisecond part kept (Date.parse drops it); Go's zero time
 * (`0001-01-01T00:00:00Z`, an unset timestamp) is undefined.
 */
export function instantMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (match === null) return undefined;
  const whole = Date.parse(`${match[1] ?? ''}${match[3] ?? 'Z'}`);
  if (Number.isNaN(whole) || whole < 0) return undefined;
  const fraction = match[2] === undefined ? 0 : Number(`0.${match[2]}`) * 1000;
  return whole + fraction;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
