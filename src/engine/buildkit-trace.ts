/**
 * Decodes the payload of BuildKit's progress messages.
 *
 * With `version=2`, the Engine API streams BuildKit's solve status as
 * `{"id":"moby.buildkit.trace","aux":"<base64>"}`, where the base64 is a protobuf
 * `moby.buildkit.v1.StatusResponse` (moby/buildkit, api/services/control). The message types
 * are declared here with protobufjs's reflection API, only the fields layerbench reads;
 * protobuf skips the others (e.g. a vertex's progress group, a warning's source ranges).
 */
import protobuf from 'protobufjs';
import { protobufNumber } from './protobuf-number.js';

export interface TraceVertex {
  digest: string;
  inputs: string[];
  /** e.g. `[internal] load metadata for …`, `[2/6] WORKDIR /app`, `[build 1/3] FROM …` */
  name: string;
  cached: boolean;
  /** epoch milliseconds (daemon clock), when BuildKit set it */
  startedMs: number | undefined;
  completedMs: number | undefined;
  /** empty when the vertex did not fail */
  error: string;
}

export interface TraceVertexStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  timestampMs: number | undefined;
  startedMs: number | undefined;
  completedMs: number | undefined;
}

export interface TraceVertexLog {
  vertex: string;
  timestampMs: number | undefined;
  /** 1 = stdout, 2 = stderr */
  stream: number;
  /** raw bytes: a chunk may end inside a line (or inside a multi-byte character) */
  msg: Uint8Array;
}

export interface TraceVertexWarning {
  vertex: string;
  level: number;
  short: string;
  detail: string[];
  url: string;
}

export interface TraceStatus {
  vertexes: TraceVertex[];
  statuses: TraceVertexStatus[];
  logs: TraceVertexLog[];
  warnings: TraceVertexWarning[];
}

function buildTypes(): protobuf.Type {
  const root = new protobuf.Root();
  const ns = root.define('moby.buildkit.v1');
  const timestamp = new protobuf.Type('Timestamp')
    .add(new protobuf.Field('seconds', 1, 'int64'))
    .add(new protobuf.Field('nanos', 2, 'int32'));
  const vertex = new protobuf.Type('Vertex')
    .add(new protobuf.Field('digest', 1, 'string'))
    .add(new protobuf.Field('inputs', 2, 'string', 'repeated'))
    .add(new protobuf.Field('name', 3, 'string'))
    .add(new protobuf.Field('cached', 4, 'bool'))
    .add(new protobuf.Field('started', 5, 'Timestamp'))
    .add(new protobuf.Field('completed', 6, 'Timestamp'))
    .add(new protobuf.Field('error', 7, 'string'));
  const vertexStatus = new protobuf.Type('VertexStatus')
    .add(new protobuf.Field('id', 1, 'string'))
    .add(new protobuf.Field('vertex', 2, 'string'))
    .add(new protobuf.Field('name', 3, 'string'))
    .add(new protobuf.Field('current', 4, 'int64'))
    .add(new protobuf.Field('total', 5, 'int64'))
    .add(new protobuf.Field('timestamp', 6, 'Timestamp'))
    .add(new protobuf.Field('started', 7, 'Timestamp'))
    .add(new protobuf.Field('completed', 8, 'Timestamp'));
  const vertexLog = new protobuf.Type('VertexLog')
    .add(new protobuf.Field('vertex', 1, 'string'))
    .add(new protobuf.Field('timestamp', 2, 'Timestamp'))
    .add(new protobuf.Field('stream', 3, 'int64'))
    .add(new protobuf.Field('msg', 4, 'bytes'));
  const vertexWarning = new protobuf.Type('VertexWarning')
    .add(new protobuf.Field('vertex', 1, 'string'))
    .add(new protobuf.Field('level', 2, 'int64'))
    .add(new protobuf.Field('short', 3, 'bytes'))
    .add(new protobuf.Field('detail', 4, 'bytes', 'repeated'))
    .add(new protobuf.Field('url', 5, 'string'));
  const statusResponse = new protobuf.Type('StatusResponse')
    .add(new protobuf.Field('vertexes', 1, 'Vertex', 'repeated'))
    .add(new protobuf.Field('statuses', 2, 'VertexStatus', 'repeated'))
    .add(new protobuf.Field('logs', 3, 'VertexLog', 'repeated'))
    .add(new protobuf.Field('warnings', 4, 'VertexWarning', 'repeated'));
  for (const type of [timestamp, vertex, vertexStatus, vertexLog, vertexWarning, statusResponse]) ns.add(type);
  root.resolveAll();
  return statusResponse;
}

let statusResponseType: protobuf.Type | undefined;

type Decoded = Record<string, unknown>;


function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function bytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(0);
}

const utf8 = new TextDecoder();

function text(value: unknown): string {
  return utf8.decode(bytes(value));
}

function list(value: unknown): Decoded[] {
  return Array.isArray(value) ? (value as Decoded[]) : [];
}

/** A protobuf Timestamp as epoch milliseconds; undefined when the field was not set. */
function epochMs(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ts = value as Decoded;
  return protobufNumber(ts.seconds) * 1000 + protobufNumber(ts.nanos) / 1e6;
}

/** Decodes the `aux` of a `moby.buildkit.trace` message. Throws on malformed input. */
export function decodeStatusResponse(base64: string): TraceStatus {
  statusResponseType ??= buildTypes();
  const message = statusResponseType.decode(Buffer.from(base64, 'base64')) as unknown as Decoded;
  return {
    vertexes: list(message.vertexes).map((v) => ({
      digest: str(v.digest),
      inputs: Array.isArray(v.inputs) ? v.inputs.map(str) : [],
      name: str(v.name),
      cached: v.cached === true,
      startedMs: epochMs(v.started),
      completedMs: epochMs(v.completed),
      error: str(v.error),
    })),
    statuses: list(message.statuses).map((s) => ({
      id: str(s.id),
      vertex: str(s.vertex),
      name: str(s.name),
      current: protobufNumber(s.current),
      total: protobufNumber(s.total),
      timestampMs: epochMs(s.timestamp),
      startedMs: epochMs(s.started),
      completedMs: epochMs(s.completed),
    })),
    logs: list(message.logs).map((l) => ({
      vertex: str(l.vertex),
      timestampMs: epochMs(l.timestamp),
      stream: protobufNumber(l.stream),
      msg: bytes(l.msg),
    })),
    warnings: list(message.warnings).map((w) => ({
      vertex: str(w.vertex),
      level: protobufNumber(w.level),
      short: text(w.short),
      detail: Array.isArray(w.detail) ? w.detail.map(text) : [],
      url: str(w.url),
    })),
  };
}
