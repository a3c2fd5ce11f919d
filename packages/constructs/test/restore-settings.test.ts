import { describe, expect, it } from "vitest";
import { chooseRestorePath, isCapturableRole, parseJobConfig, restoreJobs, SCRATCH_HEADROOM_BYTES } from "../src/core";

const fits = { format: "pg_dump-custom", contentBytes: 1_000_000_000, jobs: 4, scratchDirectory: "/tmp", freeBytes: 10_000_000_000 };

describe("the path of a PostgreSQL restore", () => {
  it("is parallel when the archive and the headroom fit in the scratch space", () => {
    expect(chooseRestorePath(fits)).toEqual({ path: "parallel", reason: "the archive (1000.0 MB) fits in /tmp (10000.0 MB free): pg_restore -j 4 from a file whose SHA-256 was checked first" });
  });

  it("streams when the scratch space lacks the headroom beyond the archive", () => {
    expect(chooseRestorePath({ ...fits, freeBytes: fits.contentBytes + SCRATCH_HEADROOM_BYTES - 1 }).path).toBe("stream");
    expect(chooseRestorePath({ ...fits, freeBytes: fits.contentBytes + SCRATCH_HEADROOM_BYTES }).path).toBe("parallel");
  });

  it.each([
    ["one job", { jobs: 1 }, /parallelJobs is 1/],
    ["another format", { format: "redis-rdb" }, /format \(redis-rdb\) cannot be restored in parallel/],
    ["an unknown archive size", { contentBytes: undefined }, /does not record the archive's size/],
    ["an unusable scratch directory", { freeBytes: undefined }, /scratch directory \/tmp cannot be used/],
  ])("streams with %s, saying why", (_name, change, reason) => {
    const choice = chooseRestorePath({ ...fits, ...change });
    expect(choice.path).toBe("stream");
    expect(choice.reason).toMatch(reason);
    expect(choice.reason).toMatch(/streaming the archive into pg_restore in one transaction$/);
  });

  it("runs as many jobs as cores unless configured, at most 32", () => {
    expect(restoreJobs(undefined, 2)).toBe(2);
    expect(restoreJobs(undefined, 96)).toBe(32);
    expect(restoreJobs({ parallelJobs: 3 }, 96)).toBe(3);
  });
});

describe("restore settings in the job configuration", () => {
  const base = { vault: { bucket: "vault" }, sources: [{ name: "db", kind: "postgres", rpoMinutes: 60, host: "db", database: "app" }] };

  it("names every bad field at once", () => {
    expect(() => parseJobConfig({ ...base, restore: { scratchDirectory: "tmp", parallelJobs: 0, scratch: "/tmp" } })).toThrow(
      /`restore.scratch` \("\/tmp"\) is not a restore setting[\s\S]*`restore.scratchDirectory` \("tmp"\) must be an absolute directory path[\s\S]*`restore.parallelJobs` \(0\) must be a whole number from 1 to 32/,
    );
  });

  it("accepts a scratch directory and a number of jobs", () => {
    expect(parseJobConfig({ ...base, restore: { scratchDirectory: "/mnt/scratch", parallelJobs: 4 } }).restore).toEqual({ scratchDirectory: "/mnt/scratch", parallelJobs: 4 });
  });
});

describe("roles a backup may capture", () => {
  it("leaves out superusers, system and managed-service roles and the connecting user", () => {
    const role = { name: "app", superuser: false, oid: 16500, connecting: false };
    expect(isCapturableRole(role)).toBe(true);
    expect(isCapturableRole({ ...role, superuser: true })).toBe(false);
    expect(isCapturableRole({ ...role, connecting: true })).toBe(false);
    expect(isCapturableRole({ ...role, oid: 10 })).toBe(false);
    for (const name of ["pg_read_all_data", "rds_superuser", "rdsadmin", "_dodb"]) expect(isCapturableRole({ ...role, name })).toBe(false);
  });
});
