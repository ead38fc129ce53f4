/** Networks and named volumes layerbench makes for a run (the pull experiment's), labelled. */

export interface NetworkArea {
  /** A network of its own (bridge), labelled; resolves with its id. */
  createNetwork(name: string, labels: Record<string, string>): Promise<string>;
  removeNetwork(id: string): Promise<void>;
  /** A named volume, labelled. */
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  removeVolume(name: string): Promise<void>;
}
