/**
 * Writes a run's output as it goes: each sample is appended to `samples.jsonl` when it
 * completes, and `result.json` is rewritten (atomically) after each sample and at the end,
 * so that a run stopped at any moment leaves a readable, partial result.
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writingInto } from '../disk-space.js';
import type { Sample, SuiteResult } from './types.js';

export class ResultWriter {
  private constructor(readonly dir: string) {}

  /** Creates the directory (and an empty samples.jsonl). */
  static open(dir: string): ResultWriter {
    writingInto(dir, () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'samples.jsonl'), '');
    });
    return new ResultWriter(dir);
  }

  get resultFile(): string {
    return join(this.dir, 'result.json');
  }

  addSample(sample: Sample): void {
    writingInto(this.dir, () => appendFileSync(join(this.dir, 'samples.jsonl'), `${JSON.stringify(sample)}\n`));
  }

  /** A reader never sees half a file: write beside it, then rename over it. */
  writeResult(result: SuiteResult): string {
    const path = this.resultFile;
    writingInto(this.dir, () => {
      writeFileSync(`${path}.partial`, `${JSON.stringify(result, null, 2)}\n`);
      renameSync(`${path}.partial`, path);
    });
    return path;
  }
}
