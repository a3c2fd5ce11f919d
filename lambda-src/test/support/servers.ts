/** Anything a test setup starts: a server it must stop again. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts servers side by side and resolves them all, or, when any fails to start, stops every one
 * that did start and rejects with every failure: a failed setup leaves no process running.
 */
export async function startTogether<T extends readonly Stoppable[]>(starts: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts as readonly Promise<Stoppable>[]);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected").map((s) => s.reason as unknown);
  if (failures.length === 0) return settled.map((s) => (s as PromiseFulfilledResult<Stoppable>).value) as unknown as T;
  await Promise.allSettled(settled.filter((s): s is PromiseFulfilledResult<Stoppable> => s.status === "fulfilled").map((s) => s.value.stop()));
  if (failures.length === 1) throw failures[0];
  throw new AggregateError(failures, `${failures.length} servers failed to start: ${failures.map((f) => (f instanceof Error ? f.message : String(f))).join("; ")}`);
}

/**
 * Runs `start` and, if it throws, `cleanup` before rethrowing: for a start function whose later
 * steps (waiting for readiness) can fail after its process is already running.
 */
export async function stopOnFailure<T>(start: () => Promise<T>, cleanup: () => Promise<void> | void): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await Promise.resolve()
      .then(cleanup)
      .catch(() => undefined);
    throw error;
  }
}
