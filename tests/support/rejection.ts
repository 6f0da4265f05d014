import { expect } from 'bun:test';

/** The error `promise` rejects with, checked to be a `cls`; fails the test when it resolves instead. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, cls: abstract new (...args: never[]) => E): Promise<E> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => ({ err }),
  );
  if (!outcome) throw new Error(`expected a rejection with ${cls.name}, but the promise resolved`);
  expect(outcome.err).toBeInstanceOf(cls);
  return outcome.err as E;
}
