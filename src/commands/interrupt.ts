import { InterruptedError } from '../errors.js';
import { RunEndedEarly } from '../run/run-session.js';

/**
 * Ctrl-C and SIGTERM take the same path as an error: the signal aborts the work, whose
 * `finally` blocks clean up. A second Ctrl-C gives up on cleaning and says what is left.
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>, onAbort: (line: string) => void): Promise<T> {
  const controller = new AbortController();
  let presses = 0;
  const handler = (): void => {
    presses += 1;
    if (presses === 1) {
      onAbort('interrupted: stopping the build and removing what this run created (Ctrl-C again to leave it)');
      controller.abort();
    } else {
      onAbort('left without cleaning up; `layerbench clean` removes what this run created');
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await work(controller.signal);
  } catch (err) {
    // Ctrl-C also reaches child processes (debootstrap, tar): whatever they fail with, it was the interrupt.
    // (A run session has done so already, and carries its partial result: it passes as it is.)
    if (controller.signal.aborted && !(err instanceof InterruptedError) && !(err instanceof RunEndedEarly)) throw new InterruptedError();
    throw err;
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
