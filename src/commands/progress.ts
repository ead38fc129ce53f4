/**
 * Progress on stderr: a live status line on a terminal (which build, which step, elapsed),
 * plain lines otherwise. Results go to stdout; this never does.
 */
import { formatElapsed } from '../format.js';

export interface Progress {
  /** a line that stays */
  note(line: string): void;
  /** the live status (replaced by the next one) */
  status(text: string): void;
  done(): void;
}

/** Where progress goes: stderr, or a stand-in for it. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export function createProgress(stream: ProgressStream = process.stderr, startedAt = Date.now(), env: NodeJS.ProcessEnv = process.env): Progress {
  const live = stream.isTTY === true && env['CI'] === undefined;
  let current = '';
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    if (!live || current === '') return;
    const text = `[${formatElapsed(Date.now() - startedAt)}] ${current}`;
    const width = stream.columns ?? 100;
    stream.write(`\r\x1b[2K${text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text}`);
  };
  if (live) {
    timer = setInterval(draw, 1000);
    timer.unref();
  }
  return {
    note(line) {
      if (live) stream.write('\r\x1b[2K');
      stream.write(`${line}\n`);
      draw();
    },
    status(text) {
      current = text;
      draw();
    },
    done() {
      if (timer !== undefined) clearInterval(timer);
      if (live && current !== '') stream.write('\r\x1b[2K');
      current = '';
    },
  };
}
