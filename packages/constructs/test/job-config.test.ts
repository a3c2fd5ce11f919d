import { describe, expect, it } from "vitest";
import { LifeboatValidationError, parseJobConfig } from "@lifeboat/constructs/core";
import { errorOf } from "./support";

const valid = {
  vault: { bucket: "vault" },
  sources: [{ name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: "db", database: "app" }],
};

describe("parseJobConfig", () => {
  it("accepts a configuration with the job settings filled in", () => {
    const config = parseJobConfig({
      ...valid,
      vault: { bucket: "vault", checksums: "when-required", maxAttempts: 3, partSizeMiB: 8, queueSize: 2, endpoint: "http://127.0.0.1:9000", forcePathStyle: true },
      tools: { pgDump: "/usr/lib/postgresql/15/bin/pg_dump", zstd: "zstd" },
      verify: { checksumBackups: 2, replicaLagMinutes: 0, scratch: { host: "scratch", port: 5433, credentials: { env: { password: "SCRATCH_PASSWORD" } } } },
    });

    expect(config.vault.partSizeMiB).toBe(8);
    expect(config.tools?.pgDump).toBe("/usr/lib/postgresql/15/bin/pg_dump");
  });

  it("names every bad job setting in one error", () => {
    const error = errorOf(() =>
      parseJobConfig({
        vault: { bucket: "vault", checksums: "never", maxAttempts: 0, partSizeMiB: 4, queueSize: 40 },
        sources: [{ ...valid.sources[0], intervalMinutes: -5, port: 70000 }],
        tools: { pgDump: "", mysqldump: "/usr/bin/mysqldump" },
        verify: { checksumBackups: 1.5, replicaLagMinutes: -1, scratch: { port: 5432 } },
      }),
    ) as LifeboatValidationError;

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.problems.map((p) => p.argument)).toEqual([
      "vault.checksums",
      "vault.maxAttempts",
      "vault.partSizeMiB",
      "vault.queueSize",
      "tools.pgDump",
      "tools.mysqldump",
      "verify.checksumBackups",
      "verify.replicaLagMinutes",
      "verify.scratch.host",
      "sources[0].intervalMinutes",
      "sources[0].port",
    ]);
    expect(error.message).toContain("S3 parts are at least 5 MiB");
  });

  it("accepts client tool directories per PostgreSQL major", () => {
    const config = parseJobConfig({ ...valid, tools: { postgres: { "17": "/usr/lib/postgresql/17/bin", "18": "/opt/postgresql/18/bin" } } });

    expect(config.tools?.postgres?.["18"]).toBe("/opt/postgresql/18/bin");
  });

  it("names each tool directory of an unsupported major or a relative path, with the supported majors", () => {
    const error = errorOf(() => parseJobConfig({ ...valid, tools: { postgres: { "12": "/usr/lib/postgresql/12/bin", "17": "bin", latest: "/opt/pg" } } })) as LifeboatValidationError;

    expect(error.problems.map((p) => p.argument)).toEqual(['tools.postgres["12"]', 'tools.postgres["17"]', 'tools.postgres["latest"]']);
    expect(error.message).toContain("the majors are 13, 14, 15, 16, 17, 18");
    expect(error.message).toContain('such as "/usr/lib/postgresql/17/bin"');
  });

  it("refuses credentials that are not a secret ARN or variable names, without echoing them", () => {
    const error = errorOf(() => parseJobConfig({ ...valid, sources: [{ ...valid.sources[0], credentials: { password: "hunter2" } }] }));

    expect(error.message).toContain("sources[0].credentials");
    expect(error.message).not.toContain("hunter2");
  });
});

describe("parseJobConfig's per-source verification", () => {
  it("accepts a source verified in the replica only when the configuration names the replica vault", () => {
    const config = parseJobConfig({ vault: { bucket: "vault", replica: { bucket: "replica", region: "us-west-2" } }, sources: [{ ...valid.sources[0], verify: { checks: "replica-only" } }] });

    expect(config.sources[0]?.verify).toEqual({ checks: "replica-only" });
  });

  it("refuses replica-only checks without a replica vault, an unknown value and an unknown key, naming each", () => {
    const error = errorOf(() =>
      parseJobConfig({
        vault: { bucket: "vault" },
        sources: [
          { ...valid.sources[0], verify: { checks: "replica-only" } },
          { ...valid.sources[0], name: "other", verify: { checks: "some", check: "all" } },
        ],
      }),
    ) as LifeboatValidationError;

    expect(error.problems.map((p) => [p.argument, p.message.split(":")[0]])).toEqual([
      ["sources[0].verify.checks", "checks only the replica, but `vault.replica` is not set"],
      ["sources[1].verify.checks", 'must be one of "all", "replica-only"; leave it unset for every check.'],
      ["sources[1].verify.check", "is not a setting"],
    ]);
  });
});

describe("parseJobConfig's unknown keys", () => {
  it("rejects a misspelt key at any depth and suggests the one meant", () => {
    const error = errorOf(() =>
      parseJobConfig({
        vault: { bucket: "vault", regoin: "eu-west-1" },
        sources: [{ ...valid.sources[0], prot: 5433 }, { name: "cache", kind: "redis", rpoMinutes: 5, host: "cache", mdoe: "scan" }],
        verfy: {},
      }),
    );

    expect(error.message).toContain("`vault.regoin` (a string) is not a setting: did you mean `region`?");
    expect(error.message).toContain("`sources[0].prot` (a number) is not a setting: did you mean `port`?");
    expect(error.message).toContain("`sources[1].mdoe` (a string) is not a setting: did you mean `mode`?");
    expect(error.message).toContain("`verfy` (an object) is not a setting: did you mean `verify`?");
  });

  it("names the keys there are when nothing is close, without echoing the value", () => {
    const error = errorOf(() => parseJobConfig({ ...valid, sources: [{ ...valid.sources[0], credentials: { env: { password: "PGPASSWORD" } }, apiToken: "s3cr3t-value" }] }));

    expect(error.message).toMatch(/`sources\[0\]\.apiToken` \(a string\) is not a setting; the keys here are name, kind, rpoMinutes, .*host, port, database, credentials, sslMode\./);
    expect(error.message).not.toContain("s3cr3t-value");
  });
});

describe("parseJobConfig's files and Redis sources", () => {
  it("accepts a files source with excludes and a Redis source in scan mode with a timeout", () => {
    const config = parseJobConfig({
      vault: { bucket: "vault" },
      sources: [
        { name: "uploads", kind: "files", rpoMinutes: 1440, path: "/srv/app/uploads", exclude: ["*.tmp", "cache/**"] },
        { name: "cache", kind: "redis", rpoMinutes: 60, host: "cache", mode: "scan", timeoutSeconds: 30 },
      ],
    });

    expect(config.sources.map((s) => s.kind)).toEqual(["files", "redis"]);
  });

  it("names a relative path, an exclude that climbs out, an unknown mode and a zero timeout in one error", () => {
    const error = errorOf(() =>
      parseJobConfig({
        vault: { bucket: "vault" },
        sources: [
          { name: "uploads", kind: "files", rpoMinutes: 1440, path: "srv/uploads", exclude: ["../etc/**", 5] },
          { name: "cache", kind: "redis", rpoMinutes: 60, host: "cache", mode: "replica", timeoutSeconds: 0 },
        ],
      }),
    );

    expect(error.message).toContain('`sources[0].path` ("srv/uploads") must be the absolute path of the directory to back up');
    expect(error.message).toContain('`sources[0].exclude[0]` ("../etc/**") must be a glob pattern relative to the source\'s path');
    expect(error.message).toContain("`sources[0].exclude[1]` (5) must be a glob pattern");
    expect(error.message).toContain('`sources[1].mode` ("replica") must be one of "auto", "sync", "scan"');
    expect(error.message).toContain("`sources[1].timeoutSeconds` (0) must be a number of seconds above 0");
  });
});
