import { describe, expect, it } from "vitest";
import { startTogether } from "./support/servers";
import { TestS3 } from "./support/s3";

/** Whether anything answers HTTP at `endpoint`. */
async function answers(endpoint: string): Promise<boolean> {
  return fetch(endpoint, { signal: AbortSignal.timeout(5000) }).then(
    () => true,
    () => false,
  );
}

describe("a test setup that starts several servers", () => {
  it("stops the servers that started when another fails, and reports the failure", async () => {
    const s3Started = TestS3.start(["vault"]);
    const failing = Promise.reject(new Error("redis-server could not start"));

    await expect(startTogether([s3Started, failing])).rejects.toThrow("redis-server could not start");

    const s3 = await s3Started;
    expect(await answers(s3.directEndpoint)).toBe(false);
    expect(await answers(s3.endpoint)).toBe(false);
  });

  it("reports every failure when more than one server fails", async () => {
    const first = Promise.reject(new Error("postgres failed"));
    const second = Promise.reject(new Error("redis failed"));

    await expect(startTogether([first, second])).rejects.toThrow("2 servers failed to start: postgres failed; redis failed");
  });

  it("gives back every server when all start", async () => {
    const [s3] = await startTogether([TestS3.start(["vault"])]);
    try {
      expect(await answers(s3.endpoint)).toBe(true);
    } finally {
      await s3.stop();
    }
  });
});
