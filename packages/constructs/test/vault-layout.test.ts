import { describe, expect, it } from "vitest";
import {
  artifactKey,
  backupStamp,
  MANIFEST_SCHEMA_VERSION,
  manifestKey,
  manifestProblems,
  objectCopiesPrefix,
  objectCopyKey,
  parseBackupKey,
  parseJobConfig,
  tierFor,
} from "@lifeboat/constructs/core";
import { errorOf } from "./support";

const at = new Date("2026-11-21T09:05:03.456Z");

describe("vault layout", () => {
  it("places an artifact and its manifest under the source and UTC day, stamped to the second", () => {
    expect(backupStamp(at)).toBe("20261121T090503Z");
    expect(artifactKey("postgres-main", at, "dump.zst")).toBe("postgres-main/2026/11/21/postgres-main-20261121T090503Z.dump.zst");
    expect(manifestKey("postgres-main", at)).toBe("postgres-main/2026/11/21/postgres-main-20261121T090503Z.manifest.json");
  });

  it("takes keys of the layout apart and ignores every other key", () => {
    expect(parseBackupKey("postgres-main/2026/11/21/postgres-main-20261121T090503Z.dump.zst")).toEqual({
      source: "postgres-main",
      startedAt: new Date("2026-11-21T09:05:03Z"),
      stamp: "20261121T090503Z",
      stem: "postgres-main/2026/11/21/postgres-main-20261121T090503Z",
      isManifest: false,
      extension: "dump.zst",
    });
    expect(parseBackupKey("postgres-main/2026/11/21/postgres-main-20261121T090503Z.manifest.json")?.isManifest).toBe(true);
    expect(parseBackupKey("postgres-main/2026/11/22/postgres-main-20261121T090503Z.dump.zst")).toBeUndefined(); // day folder disagrees
    expect(parseBackupKey("redis/2026/11/21/postgres-main-20261121T090503Z.rdb")).toBeUndefined(); // source disagrees
    expect(parseBackupKey("postgres-main/2026/13/01/postgres-main-20261301T000000Z.dump")).toBeUndefined(); // no month 13
    expect(parseBackupKey("notes.txt")).toBeUndefined();
  });
});

describe("tierFor", () => {
  it("makes the first backup of a UTC month monthly, even mid-week", () => {
    expect(tierFor(new Date("2026-12-01T00:30:00Z"), [new Date("2026-11-30T23:30:00Z")])).toBe("monthly");
  });

  it("makes the first backup of an ISO week weekly, the rest daily", () => {
    const sunday = new Date("2026-11-22T12:00:00Z");
    const monday = new Date("2026-11-23T01:00:00Z");

    expect(tierFor(monday, [sunday])).toBe("weekly");
    expect(tierFor(new Date("2026-11-23T02:00:00Z"), [sunday, monday])).toBe("daily");
    expect(tierFor(new Date("2026-11-29T23:59:59Z"), [monday])).toBe("daily"); // Sunday closes the ISO week
  });

  it("ignores later backups, so re-reading never changes an earlier backup's tier", () => {
    expect(tierFor(new Date("2026-11-05T00:00:00Z"), [new Date("2026-11-01T00:00:00Z"), new Date("2026-11-02T00:00:00Z"), new Date("2026-11-20T00:00:00Z")])).toBe("daily");
    expect(tierFor(new Date("2026-11-01T00:00:00Z"), [new Date("2026-11-20T00:00:00Z")])).toBe("monthly");
  });
});

describe("manifestProblems", () => {
  const good = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    source: "postgres-main",
    kind: "postgres",
    artifactKey: "postgres-main/2026/11/21/postgres-main-20261121T090503Z.dump.zst",
    format: "pg_dump-custom",
    compression: "zstd",
    startedAt: "2026-11-21T09:05:03.000Z",
    finishedAt: "2026-11-21T09:07:00.000Z",
    sizeBytes: 1234,
    sha256: "a".repeat(64),
    tier: "daily",
    tool: { name: "pg_dump", version: "15.18" },
    tables: [{ schema: "public", name: "orders", rows: 100000 }],
  };

  it("accepts a consistent manifest", () => {
    expect(manifestProblems(good)).toEqual([]);
  });

  it("accepts a manifest whose contents were not inspected, with the reason", () => {
    const { tables: _tables, ...rest } = good;
    expect(manifestProblems({ ...rest, contentsNotInspected: { reason: "archive version 1.17 is newer than this reader knows" } })).toEqual([]);
  });

  it.each([
    ["a time that disagrees with the key", { startedAt: "2026-11-21T09:06:00.000Z" }, "startedAt"],
    ["a checksum that is not SHA-256", { sha256: "abc" }, "sha256"],
    ["an unknown tier", { tier: "yearly" }, "tier"],
    ["an artifact of another source", { artifactKey: "redis/2026/11/21/redis-20261121T090503Z.rdb" }, "artifactKey"],
    ["a newer schema", { schemaVersion: 2 }, "schemaVersion"],
    ["a negative size", { sizeBytes: -1 }, "sizeBytes"],
    ["a note of uninspected contents without its reason", { contentsNotInspected: {} }, "contentsNotInspected"],
  ])("names %s", (_what, change, field) => {
    expect(manifestProblems({ ...good, ...change }).join("\n")).toContain(`\`${field}\``);
  });
});

describe("parseJobConfig", () => {
  it("accepts a vault and its sources", () => {
    const config = parseJobConfig({
      vault: { bucket: "vault", region: "us-east-1" },
      sources: [{ name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: "db", database: "app" }],
    });

    expect(config.sources[0]?.name).toBe("postgres-main");
  });

  it("names every bad field at once", () => {
    const error = errorOf(() =>
      parseJobConfig({
        vault: { region: "moon-1" },
        sources: [
          { name: "Main DB", kind: "mysql", rpoMinutes: 0 },
          { name: "cache", kind: "redis", rpoMinutes: 60 },
          { name: "cache", kind: "objects", rpoMinutes: 60, bucket: "b" },
        ],
      }),
    );

    for (const field of ["vault.bucket", "vault.region", "sources[0].name", "sources[0].kind", "sources[0].rpoMinutes", "sources[1].host", "sources[2].name"]) {
      expect(error.message).toContain(`\`${field}\``);
    }
  });
});

describe("the vault layout, as the jobs use it", () => {
  it("keeps copied objects under the source's objects/ folder, outside the backup keys", () => {
    const digest = "ab".repeat(32);

    const key = objectCopyKey("files", digest);

    expect(key).toBe(`files/objects/ab/${digest}`);
    expect(key.startsWith(objectCopiesPrefix("files"))).toBe(true);
    expect(parseBackupKey(key)).toBeUndefined();
  });

  it("takes apart the artifact and manifest keys it builds", () => {
    const at = new Date("2026-03-02T04:05:06.789Z");

    expect(parseBackupKey(artifactKey("pg", at, "dump.zst"))).toMatchObject({ source: "pg", stamp: "20260302T040506Z", isManifest: false, extension: "dump.zst" });
    expect(parseBackupKey(manifestKey("pg", at))).toMatchObject({ isManifest: true });
  });

  it("makes the first backup of a month monthly, of an ISO week weekly, the rest daily", () => {
    const sunday = new Date("2026-03-01T00:00:00Z");
    const monday = new Date("2026-03-02T00:00:00Z");

    expect(tierFor(sunday, [])).toBe("monthly");
    expect(tierFor(monday, [sunday])).toBe("weekly");
    expect(tierFor(new Date("2026-03-02T06:00:00Z"), [sunday, monday])).toBe("daily");
  });
});
