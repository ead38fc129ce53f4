/**
 * The resources a run holds — the run lock, scratch directories, the package-index server,
 * containers, images — each registered the moment it exists, and released in reverse order
 * on success, on error and on interrupt alike. (AsyncDisposableStack's shape; Node 20 does
 * not have it yet.)
 */
export interface DisposalFailure {
  name: string;
  error: unknown;
}

export class DisposerStack {
  private readonly disposers: { name: string; dispose: (failedSoFar: readonly DisposalFailure[]) => Promise<void> | void }[] = [];
  private disposed = false;

  /**
   * `dispose` runs at `disposeAll`, after everything registered later; it is told which of
   * those failed (a record of the run is kept, for instance, while something of it remains).
   */
  defer(name: string, dispose: (failedSoFar: readonly DisposalFailure[]) => Promise<void> | void): void {
    if (this.disposed) throw new Error(`cannot register "${name}": the stack was already disposed`);
    this.disposers.push({ name, dispose });
  }

  /**
   * Runs every disposer, newest first. One that fails does not stop the others; the failures
   * are returned (with the resource's name) for the caller to report.
   */
  async disposeAll(): Promise<DisposalFailure[]> {
    this.disposed = true;
    const failures: DisposalFailure[] = [];
    for (const { name, dispose } of this.disposers.splice(0).reverse()) {
      try {
        await dispose(failures);
      } catch (error) {
        failures.push({ name, error });
      }
    }
    return failures;
  }
}
