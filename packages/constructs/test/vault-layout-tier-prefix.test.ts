import { describe, expect, it } from "vitest";
import { artifactKey, manifestProblems, parseBackupKey, placeKey, sourcePrefixes } from "@lifeboat/constructs/core";

const at = new Date("2026-11-02T01:00:00Z");

describe("the vault layout with tiers in key prefixes (Spaces)", () => {
  it("puts the tier first in the key only when the vault carries tiers in prefixes", () => {
    expect(placeKey(artifactKey("pg", at, "dump.zst"), "weekly", "prefix")).toBe("weekly/pg/2026/11/02/pg-20261102T010000Z.dump.zst");
    expect(placeKey(artifactKey("pg", at, "dump.zst"), "weekly", "tag")).toBe("pg/2026/11/02/pg-20261102T010000Z.dump.zst");
  });

  it("lists a source under every tier prefix, or under its own name in a tag-tiered vault", () => {
    expect(sourcePrefixes("pg", "prefix")).toEqual(["daily/pg/", "weekly/pg/", "monthly/pg/"]);
    expect(sourcePrefixes("pg", "tag")).toEqual(["pg/"]);
  });

  it("parses a prefixed key with its tier, pairing artifact and manifest by a stem that keeps the prefix", () => {
    const artifact = parseBackupKey("daily/pg/2026/11/02/pg-20261102T010000Z.dump.zst");
    const manifest = parseBackupKey("daily/pg/2026/11/02/pg-20261102T010000Z.manifest.json");

    expect(artifact).toMatchObject({ source: "pg", tier: "daily", extension: "dump.zst", stem: "daily/pg/2026/11/02/pg-20261102T010000Z" });
    expect(manifest?.stem).toBe(artifact?.stem);
    expect(parseBackupKey("hourly/pg/2026/11/02/pg-20261102T010000Z.dump.zst")).toBeUndefined();
  });

  it("accepts a manifest whose artifact key carries a tier prefix", () => {
    const manifest = {
      schemaVersion: 1, source: "pg", kind: "postgres", artifactKey: "monthly/pg/2026/11/02/pg-20261102T010000Z.dump.zst", format: "pg_dump-custom", compression: "zstd",
      startedAt: "2026-11-02T01:00:00.000Z", finishedAt: "2026-11-02T01:02:00.000Z", sizeBytes: 10, sha256: "a".repeat(64), tier: "monthly", tool: { name: "pg_dump", version: "17.2" },
    };

    expect(manifestProblems(manifest)).toEqual([]);
  });
});
