import { expect } from 'vitest';

/** Runs `action` and returns what it throws, expected to be a `kind`; fails when it throws nothing. */
export function errorOf<E>(kind: abstract new (...args: never[]) => E, action: () => unknown): E {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(kind);
    return err as E;
  }
  throw new Error(`expected a ${kind.name}, but nothing was thrown`);
}

/** What `promise` rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}
