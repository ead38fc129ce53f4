/**
 * The protobuf messages a build session carries, declared with protobufjs's reflection API
 * (as buildkit-trace.ts does): fsutil's `Packet` and `Stat` (tonistiigi/fsutil types/wire.proto,
 * types/stat.proto), the two auth messages layerbench answers (moby/buildkit session/auth),
 * and gRPC health's check messages.
 */
import protobuf from 'protobufjs';
import { protobufNumber } from '../protobuf-number.js';

/** fsutil's `Packet.PacketType` */
export const PacketType = { STAT: 0, REQ: 1, DATA: 2, FIN: 3, ERR: 4 } as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** Go's os.FileMode bits, as fsutil puts them in `Stat.mode` (the low 9 bits are the permissions) */
export const FileModeBits = {
  dir: 0x8000_0000,
  symlink: 0x0800_0000,
  device: 0x0400_0000,
  namedPipe: 0x0200_0000,
  socket: 0x0100_0000,
  setuid: 0x0080_0000,
  setgid: 0x0040_0000,
  charDevice: 0x0020_0000,
  sticky: 0x0010_0000,
  irregular: 0x0008_0000,
} as const;

/** os.ModeType: the bits that make an entry anything but a regular file */
export const FILE_MODE_TYPE =
  FileModeBits.dir | FileModeBits.symlink | FileModeBits.namedPipe | FileModeBits.socket | FileModeBits.device | FileModeBits.charDevice | FileModeBits.irregular;

export interface WireStat {
  /** relative, `/`-separated, no leading slash */
  path: string;
  /** Go os.FileMode bits (unsigned) */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** nanoseconds since the epoch, as a decimal string (int64 does not fit a JS number) */
  modTimeNs: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

export interface WirePacket {
  type: PacketType;
  /** absent on the empty STAT that ends the walk */
  stat?: WireStat;
  id: number;
  data: Uint8Array;
}

interface Types {
  packet: protobuf.Type;
  credentialsRequest: protobuf.Type;
  credentialsResponse: protobuf.Type;
  healthRequest: protobuf.Type;
  healthResponse: protobuf.Type;
}

function buildTypes(): Types {
  const root = new protobuf.Root();
  const fsutil = root.define('fsutil.types');
  const stat = new protobuf.Type('Stat')
    .add(new protobuf.Field('path', 1, 'string'))
    .add(new protobuf.Field('mode', 2, 'uint32'))
    .add(new protobuf.Field('uid', 3, 'uint32'))
    .add(new protobuf.Field('gid', 4, 'uint32'))
    .add(new protobuf.Field('size', 5, 'int64'))
    .add(new protobuf.Field('modTime', 6, 'int64'))
    .add(new protobuf.Field('linkname', 7, 'string'))
    .add(new protobuf.Field('devmajor', 8, 'int64'))
    .add(new protobuf.Field('devminor', 9, 'int64'))
    .add(new protobuf.MapField('xattrs', 10, 'string', 'bytes'));
  const packet = new protobuf.Type('Packet')
    .add(new protobuf.Field('type', 1, 'int32'))
    .add(new protobuf.Field('stat', 2, 'Stat'))
    .add(new protobuf.Field('ID', 3, 'uint32'))
    .add(new protobuf.Field('data', 4, 'bytes'));
  fsutil.add(stat).add(packet);

  const auth = root.define('moby.filesync.v1');
  const credentialsRequest = new protobuf.Type('CredentialsRequest').add(new protobuf.Field('Host', 1, 'string'));
  const credentialsResponse = new protobuf.Type('CredentialsResponse')
    .add(new protobuf.Field('Username', 1, 'string'))
    .add(new protobuf.Field('Secret', 2, 'string'));
  auth.add(credentialsRequest).add(credentialsResponse);

  const health = root.define('grpc.health.v1');
  const healthRequest = new protobuf.Type('HealthCheckRequest').add(new protobuf.Field('service', 1, 'string'));
  // ServingStatus: UNKNOWN = 0, SERVING = 1, NOT_SERVING = 2
  const healthResponse = new protobuf.Type('HealthCheckResponse').add(new protobuf.Field('status', 1, 'int32'));
  health.add(healthRequest).add(healthResponse);

  root.resolveAll();
  return { packet, credentialsRequest, credentialsResponse, healthRequest, healthResponse };
}

let types: Types | undefined;
function typesOf(): Types {
  types ??= buildTypes();
  return types;
}

type Decoded = Record<string, unknown>;


function longString(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const { low, high } = value as { low: number; high: number };
    return ((BigInt(high | 0) << 32n) | BigInt(low >>> 0)).toString();
  }
  return String(protobufNumber(value));
}

export function encodePacket(packet: WirePacket): Buffer {
  const message: Decoded = { type: packet.type, ID: packet.id };
  if (packet.data.length > 0) message.data = packet.data;
  if (packet.stat !== undefined) {
    const s = packet.stat;
    message.stat = {
      path: s.path,
      mode: s.mode >>> 0,
      uid: s.uid,
      gid: s.gid,
      size: s.size,
      modTime: s.modTimeNs,
      linkname: s.linkname,
      devmajor: s.devmajor,
      devminor: s.devminor,
    };
  }
  return Buffer.from(typesOf().packet.encode(message).finish());
}

export function decodePacket(bytes: Uint8Array): WirePacket {
  const m = typesOf().packet.decode(bytes) as unknown as Decoded;
  const packet: WirePacket = {
    type: protobufNumber(m.type) as PacketType,
    id: protobufNumber(m.ID),
    data: m.data instanceof Uint8Array ? m.data : new Uint8Array(0),
  };
  if (typeof m.stat === 'object' && m.stat !== null) {
    const s = m.stat as Decoded;
    packet.stat = {
      path: typeof s.path === 'string' ? s.path : '',
      mode: protobufNumber(s.mode) >>> 0,
      uid: protobufNumber(s.uid),
      gid: protobufNumber(s.gid),
      size: protobufNumber(s.size),
      modTimeNs: longString(s.modTime),
      linkname: typeof s.linkname === 'string' ? s.linkname : '',
      devmajor: protobufNumber(s.devmajor),
      devminor: protobufNumber(s.devminor),
    };
  }
  return packet;
}

/** Decodes a `CredentialsRequest`'s host. */
export function decodeCredentialsRequest(bytes: Uint8Array): { host: string } {
  const m = typesOf().credentialsRequest.decode(bytes) as unknown as Decoded;
  return { host: typeof m.Host === 'string' ? m.Host : '' };
}

/** An anonymous client's answer: no user name, no secret (what the CLI answers for a host it holds no login for). */
export function encodeAnonymousCredentials(): Buffer {
  return Buffer.from(typesOf().credentialsResponse.encode({}).finish());
}

export function decodeHealthRequest(bytes: Uint8Array): { service: string } {
  const m = typesOf().healthRequest.decode(bytes) as unknown as Decoded;
  return { service: typeof m.service === 'string' ? m.service : '' };
}

export const HEALTH_SERVING = 1;

export function encodeHealthResponse(status: number): Buffer {
  return Buffer.from(typesOf().healthResponse.encode({ status }).finish());
}
