/**
 * The classic builder's unlabelled by-products of this run's builds: the intermediate image
 * of every step, the last image of each earlier stage of a multi-stage build, and what an
 * interrupted build committed. Only images a build of this run *committed* are removed (a
 * cache hit names an image another run may be using), each only once nothing uses it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ReportedImage } from '../engine/build-trace.js';
import type { DockerEngine } from '../engine/docker-engine.js';

export class BuildLeftovers {
  /** images this run's builds committed, oldest first, short or full IDs as reported */
  private created: string[] = [];
  /** the build under way: when it started, and the last image its stream named */
  private current: { startedAt: Date; tip: string | undefined } | undefined;
  /** builds that ended without the daemon saying how far they got */
  private readonly unfinished: { startedAt: Date; tip: string }[] = [];

  /**
   * @param onCreated told of each committed image as it is reported (the run's journal, so
   *   that `clean` can remove them if this process dies)
   */
  constructor(
    private readonly engine: DockerEngine,
    private readonly onCreated: (id: string) => void = () => {},
  ) {}

  buildStarted(at: Date): void {
    this.current = { startedAt: at, tip: undefined };
  }

  imageReported(image: ReportedImage): void {
    if (image.how === 'created') {
      this.created.push(image.id);
      this.onCreated(image.id);
    }
    if (this.current !== undefined) this.current.tip = image.id;
  }

  /** The stream was read to its end: it named every image the build made. */
  buildFinished(): void {
    this.current = undefined;
  }

  /**
   * The build was interrupted: a step may have committed its image after the stream was cut,
   * on top of the last image the stream named.
   */
  buildCut(): void {
    if (this.current?.tip !== undefined) this.unfinished.push({ startedAt: this.current.startedAt, tip: this.current.tip });
    this.current = undefined;
  }

  /**
   * Between builds: removes what this run committed that nothing uses any more, except `keep`
   * (the earlier stages' images, the cache of the next build).
   */
  async sweep(keep: readonly string[] = []): Promise<void> {
    const kept = this.created.filter((id) => keep.some((k) => sameImage(k, id)));
    const candidates = this.created.filter((id) => !kept.includes(id));
    // newest first: a child goes before the parent it holds
    const stillThere = await this.engine.images.removeUntagged([...candidates].reverse(), { prune: false });
    this.created = [...kept, ...candidates.filter((id) => stillThere.includes(id))];
  }

  /** At the end of the run: everything, including what interrupted builds left unreported. */
  async sweepAll(): Promise<void> {
    this.buildCut();
    for (const build of this.unfinished.splice(0)) {
      for (const orphan of await this.settledDescendants(build)) if (!this.created.some((id) => sameImage(id, orphan))) this.created.push(orphan);
    }
    // a chain is removed leaf by leaf: repeat while each pass removes something
    let before = Number.POSITIVE_INFINITY;
    while (this.created.length > 0 && this.created.length < before) {
      before = this.created.length;
      await this.sweep();
    }
  }

  /**
   * The steps after a cut can still commit (a metadata step takes milliseconds, and the daemon
   * does not stop at once): scan what was built on the last reported image until two scans agree.
   */
  private async settledDescendants(build: { startedAt: Date; tip: string }): Promise<string[]> {
    let seen = await this.engine.images.findUntaggedDescendants(build.tip, build.startedAt);
    for (let scan = 0; scan < 10; scan += 1) {
      await delay(SETTLE_MS);
      const now = await this.engine.images.findUntaggedDescendants(build.tip, build.startedAt);
      if (now.length === seen.length && now.every((id) => seen.includes(id))) return now;
      seen = now;
    }
    return seen;
  }
}

const SETTLE_MS = 300;

/** A short ID as the stream prints it (`1a2b3c4d5e6f`) and a full one (`sha256:1a2b…`) name the same image. */
function sameImage(a: string, b: string): boolean {
  const bare = (id: string): string => id.replace(/^sha256:/, '');
  const [x, y] = [bare(a), bare(b)];
  return x.startsWith(y) || y.startsWith(x);
}
