/**
 * Decodes the Engine's pull progress stream (`POST /images/create`) into what each layer cost:
 * already present, or downloaded (when, how long, how many bytes) and extracted (how long).
 *
 * Per layer (`id` is the first 12 hex digits of its blob digest) the daemon sends
 * `Already exists`, or `Pulling fs layer` → `Waiting` → `Downloading {current,total}` →
 * `Verifying Checksum` → `Download complete` → `Extracting {current,total}` → `Pull complete`.
 * Downloads run three at a time: waiting is not downloading, so a download is timed from its
 * first `Downloading` message to `Download complete`. Each layer's timeline is kept as offsets
 * from the pull's start, so overlapping downloads can be shown as intervals rather than summed.
 */

export interface PullStreamMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export interface PulledLayer {
  /** the first 12 hex digits of the layer's blob digest, as the stream names it */
  id: string;
  status: 'already-present' | 'downloaded';
  /** compressed bytes, as the download reported them (null when the layer was not downloaded) */
  downloadBytes: number | null;
  downloadMs: number | null;
  extractMs: number | null;
  /** offsets from the pull's start, in ms; null where the stream did not say (or the layer was not downloaded) */
  downloadStartMs: number | null;
  downloadEndMs: number | null;
  extractStartMs: number | null;
  extractEndMs: number | null;
}

export interface DecodedPull {
  layers: PulledLayer[];
  /** the manifest digest the daemon pulled */
  digest: string | undefined;
  failure: string | undefined;
}

interface LayerState {
  id: string;
  alreadyExists: boolean;
  downloadStarted: number | undefined;
  downloadDone: number | undefined;
  total: number | undefined;
  extractStarted: number | undefined;
  extractDone: number | undefined;
}

export class PullProgressDecoder {
  private readonly layers = new Map<string, LayerState>();
  private digest: string | undefined;
  private failure: string | undefined;

  /** @param startedAtMs when the pull was requested, on the clock `push` is given times by: the layers' offsets count from it */
  constructor(private readonly startedAtMs = 0) {}

  push(message: PullStreamMessage, atMs: number): void {
    if (message.error !== undefined || message.errorDetail !== undefined) {
      this.failure = (message.errorDetail?.message ?? message.error ?? 'the pull failed').trim();
      return;
    }
    const status = message.status ?? '';
    const digest = /^Digest: (sha256:[0-9a-f]{64})$/.exec(status);
    if (digest !== null) this.digest = digest[1];
    const id = message.id;
    if (id === undefined || !/^[0-9a-f]{12}$/.test(id)) return;
    const layer = this.layer(id);
    switch (status) {
      case 'Already exists':
        layer.alreadyExists = true;
        break;
      case 'Downloading':
        layer.downloadStarted ??= atMs;
        if (message.progressDetail?.total !== undefined) layer.total = message.progressDetail.total;
        break;
      case 'Download complete':
        layer.downloadStarted ??= atMs;
        layer.downloadDone = atMs;
        break;
      case 'Extracting':
        layer.extractStarted ??= atMs;
        break;
      case 'Pull complete':
        layer.extractStarted ??= atMs;
        layer.extractDone = atMs;
        break;
      default:
        break;
    }
  }

  finish(): DecodedPull {
    const layers = [...this.layers.values()].map(
      (layer): PulledLayer =>
        layer.alreadyExists
          ? { id: layer.id, status: 'already-present', downloadBytes: null, downloadMs: null, extractMs: null, ...NO_TIMELINE }
          : {
              id: layer.id,
              status: 'downloaded',
              downloadBytes: layer.total ?? null,
              downloadMs: span(layer.downloadStarted, layer.downloadDone),
              extractMs: span(layer.extractStarted, layer.extractDone),
              downloadStartMs: this.offset(layer.downloadStarted),
              downloadEndMs: this.offset(layer.downloadDone),
              extractStartMs: this.offset(layer.extractStarted),
              extractEndMs: this.offset(layer.extractDone),
            },
    );
    return { layers, digest: this.digest, failure: this.failure };
  }

  private offset(atMs: number | undefined): number | null {
    return atMs === undefined ? null : Math.max(0, atMs - this.startedAtMs);
  }

  private layer(id: string): LayerState {
    let layer = this.layers.get(id);
    if (layer === undefined) {
      layer = { id, alreadyExists: false, downloadStarted: undefined, downloadDone: undefined, total: undefined, extractStarted: undefined, extractDone: undefined };
      this.layers.set(id, layer);
    }
    return layer;
  }
}

const NO_TIMELINE = { downloadStartMs: null, downloadEndMs: null, extractStartMs: null, extractEndMs: null } as const;

function span(start: number | undefined, end: number | undefined): number | null {
  return start === undefined || end === undefined ? null : Math.max(0, end - start);
}
