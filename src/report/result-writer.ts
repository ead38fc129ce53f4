/**
 * Writes a run's output as it goes: each sample is appended to `samples.jsonl` when it
 * completes (an interrupted run keeps what it measured), and `result.json` at the end.
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sample, SuiteResult } from './result-types.js';

export class ResultWriter {
  readonly samples: Sample[] = [];

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'samples.jsonl'), '');
  }

  add(sample: Sample): void {
    this.samples.push(sample);
    appendFileSync(join(this.dir, 'samples.jsonl'), `${JSON.stringify(sample)}\n`);
  }

  /** Writes result.json atomically (a reader never sees half a file). */
  finish(result: SuiteResult): string {
    const path = join(this.dir, 'result.json');
    writeFileSync(`${path}.partial`, `${JSON.stringify(result, null, 2)}\n`);
    renameSync(`${path}.partial`, path);
    return path;
  }
}
