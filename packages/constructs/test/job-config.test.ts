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
