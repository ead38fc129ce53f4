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
  /** every image this run's builds named, committed or found in the cache */
  private readonly named: string[] = [];
  /** the build under way: when it started, and the last image its stream named */
  private current: { startedAt: Date; tip: string | undefined } | undefined;
  /** builds that ended without the daemon saying how far they got, and what they built on */
  private readonly unsettled: { startedAt: Date; roots: string[] }[] = [];

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
    if (!this.named.some((id) => sameImage(id, image.id))) this.named.push(image.id);
    if (this.current !== undefined) this.current.tip = image.id;
  }

  /** The stream was read to its end: it named every image the build made. */
  buildFinished(): void {
    this.current = undefined;
  }

  /**
   * The build was interrupted: a step may commit its image after the stream was cut, on top of
   * the last image the stream named — or, when it named none yet, on an image an earlier build
   * of this run named (its cache).
   */
  buildCut(): void {
    if (this.current !== undefined) {
      const { startedAt, tip } = this.current;
      this.unsettled.push({ startedAt, roots: tip !== undefined ? [tip] : [...this.named] });
    }
    this.current = undefined;
  }

  /**
   * Waits until the daemon has stopped committing for the builds an interrupt cut, and takes
   * what they committed as this run's. Before anything of the run is removed: an image the
   * daemon commits on a parent removed meanwhile has no parent any more, and no search finds it.
   */
  async settleCutBuilds(): Promise<void> {
    this.buildCut();
    for (const build of this.unsettled.splice(0)) {
      for (const orphan of await this.settledDescendants(build)) {
        if (this.created.some((id) => sameImage(id, orphan))) continue;
        this.created.push(orphan);
        this.onCreated(orphan);
      }
    }
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
    await this.settleCutBuilds();
    // a chain is removed leaf by leaf: repeat while each pass removes something
    let before = Number.POSITIVE_INFINITY;
    while (this.created.length > 0 && this.created.length < before) {
      before = this.created.length;
      await this.sweep();
    }
  }

  /**
   * The steps after a cut can still commit (the daemon notices the closed connection late, and
   * finishes the step under way): scan what was built on the build's roots until it has stayed
   * the same for QUIET_SCANS scans in a row.
   */
  private async settledDescendants(build: { startedAt: Date; roots: string[] }): Promise<string[]> {
    if (build.roots.length === 0) return [];
    const scan = (): Promise<string[]> => this.engine.images.findUntaggedDescendants(build.roots, build.startedAt);
    let seen = await scan();
    for (let scans = 1, alike = 1; scans < MAX_SCANS && alike < QUIET_SCANS; scans += 1) {
      await delay(SCAN_INTERVAL_MS);
      const now = await scan();
      alike = now.length === seen.length && now.every((id) => seen.includes(id)) ? alike + 1 : 1;
      seen = now;
    }
    return seen;
  }
}

const SCAN_INTERVAL_MS = 300;
/** three scans alike: 600 ms in which the daemon committed nothing more */
const QUIET_SCANS = 3;
const MAX_SCANS = 30;

/** A short ID as the stream prints it (`1a2b3c4d5e6f`) and a full one (`sha256:1a2b…`) name the same image. */
function sameImage(a: string, b: string): boolean {
  const bare = (id: string): string => id.replace(/^sha256:/, '');
  const [x, y] = [bare(a), bare(b)];
  return x.startsWith(y) || y.startsWith(x);
}
