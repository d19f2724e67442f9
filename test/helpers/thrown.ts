// What a call throws, for tests that look at the error itself (its message, code, stack).

/** The error `fn` throws (fails the test when it throws none). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
