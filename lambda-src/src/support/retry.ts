/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` up to `attempts` times with exponential backoff and full jitter between tries
 * (base `baseMs`, doubling, capped at `maxMs`), while `retryable(error)` says so. Throws the last error.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: { attempts: number; baseMs?: number; maxMs?: number; retryable?: (error: unknown) => boolean },
): Promise<T> {
  const { attempts, baseMs = 500, maxMs = 8_000, retryable = () => true } = options;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= attempts || !retryable(error)) throw error;
      await sleep(Math.random() * Math.min(maxMs, baseMs * 2 ** (i - 1)));
    }
  }
}
