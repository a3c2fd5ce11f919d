import { execFile } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

describe("npm run drill", () => {
  it("backs up, verifies, catches a corruption and drills every source on real servers, exits 1 when an objective is missed, and leaves nothing running", async () => {
    const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile("npm", ["run", "--silent", "drill", "--", "--scale", "1", "--keys", "2000", "--objects", "5", "--rto", "0s", "--json"], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, out, err) =>
        resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout: out, stderr: err }),
      );
    });

    expect(stderr).toContain("Loading pgbench scale 1");
    const result = JSON.parse(stdout);
    expect(status).toBe(1);
    expect(result).toMatchObject({ ok: false, verified: true, corruptionCaught: true });
    expect(result.sources.map((s: any) => [s.source, s.drill.outcome, s.meets, s.objective.rtoMinutes])).toEqual([
      ["postgres-main", "succeeded", false, 0],
      ["cache", "succeeded", false, 0],
      ["uploads", "succeeded", false, 0],
    ]);
    // The example's RPO objectives (1 hour for the database, 24 hours for the cache).
    expect(result.sources.map((s: any) => s.objective.rpoMinutes)).toEqual([60, 1440, 60]);
    const postgres = result.sources[0].drill;
    expect(postgres.checks.map((c: any) => [c.check, c.name, c.status])).toEqual([
      ["restore", undefined, "pass"],
      ["row-counts", undefined, "pass"],
      ["smoke", "accounts", "pass"],
      ["smoke", "balances add up", "pass"],
      ["smoke", "busy invoices", "pass"],
      ["cleanup", undefined, "pass"],
    ]);
    expect(postgres.restoreSeconds).toBeGreaterThan(0);
    for (const port of Object.values(result.ports) as number[]) expect(await listening(port)).toBe(false);
  }, 300_000);
});
