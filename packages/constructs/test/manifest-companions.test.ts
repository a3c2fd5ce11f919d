import { describe, expect, it } from "vitest";
import { companionKey, manifestProblems, parseBackupKey } from "../src/core";

const at = new Date("2026-11-21T09:05:03Z");
const manifest = {
  schemaVersion: 1,
  source: "pg",
  kind: "postgres",
  artifactKey: "pg/2026/11/21/pg-20261121T090503Z.dump.zst",
  format: "pg_dump-custom",
  compression: "zstd",
  startedAt: "2026-11-21T09:05:03.000Z",
  finishedAt: "2026-11-21T09:06:03.000Z",
  sizeBytes: 10,
  sha256: "a".repeat(64),
  tier: "daily",
  tool: { name: "pg_dump", version: "15.8" },
  contentBytes: 40,
  companions: [{ role: "roles", key: companionKey("pg", at, "roles"), format: "pg_dumpall-roles", sizeBytes: 5, sha256: "b".repeat(64) }],
  roles: { owners: ["app_owner"], grantees: [], policies: [], captured: ["app_owner"] },
};

describe("a manifest's companions", () => {
  it("sit next to the artifact under the same stem", () => {
    expect(companionKey("pg", at, "roles")).toBe("pg/2026/11/21/pg-20261121T090503Z.roles.sql");
    expect(parseBackupKey(companionKey("pg", at, "roles"))).toMatchObject({ stem: "pg/2026/11/21/pg-20261121T090503Z", isManifest: false, companion: "roles" });
  });

  it("are accepted with their size and SHA-256, and manifests without them stay valid", () => {
    expect(manifestProblems(manifest)).toEqual([]);
    const { companions: _c, roles: _r, contentBytes: _b, ...older } = manifest;
    expect(manifestProblems(older)).toEqual([]);
  });

  it("are refused when they belong to another backup or lack a checksum", () => {
    const other = { ...manifest, companions: [{ ...manifest.companions[0]!, key: companionKey("pg", new Date("2026-11-22T00:00:00Z"), "roles"), sha256: "nope" }], roles: { owners: "app_owner" } };
    expect(manifestProblems(other)).toEqual([
      '`companions[0].key` ("pg/2026/11/22/pg-20261122T000000Z.roles.sql") must be the roles key next to the artifact.',
      '`companions[0].sha256` ("nope") must be 64 lowercase hex digits.',
      '`roles.owners` ("app_owner") must be a list of role names.',
      "`roles.grantees` (not set) must be a list of role names.",
      "`roles.policies` (not set) must be a list of role names.",
      "`roles.captured` (not set) must be a list of role names.",
    ]);
  });
});
