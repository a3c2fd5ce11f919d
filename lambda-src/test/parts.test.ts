import { LifeboatValidationError } from "@lifeboat/constructs/core";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { emfDocument, JobError, loadJobConfig, main, redact, registerSecret } from "../src";
import { CustomArchiveInspector } from "../src/postgres/custom-format";
import { ByteReader } from "../src/redis/byte-reader";
import { Crc64 } from "../src/redis/crc64";
import { RdbError, readRdb } from "../src/redis/rdb";
import { parseAt } from "../src/restore/restore";

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe("redaction", () => {
  it("removes registered secrets and URL passwords from any text", () => {
    registerSecret("s3cr3t-value");

    expect(redact("connecting with s3cr3t-value to postgres://app:hunter2@db:5432/app")).toBe("connecting with *** to postgres://app:***@db:5432/app");
  });

  it("applies to job errors when they are built", () => {
    registerSecret("another-s3cret");

    expect(new JobError("auth with another-s3cret failed").message).toBe("auth with *** failed");
  });
});

describe("metrics", () => {
  it("are Embedded Metric Format documents in namespace Lifeboat with dimension Source", () => {
    const doc = emfDocument("app-db", { BackupBytes: 42, BackupSucceeded: 1 }, new Date(1_700_000_000_000));

    expect(doc).toEqual({
      _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: "Lifeboat", Dimensions: [["Source"]], Metrics: [{ Name: "BackupBytes", Unit: "Bytes" }, { Name: "BackupSucceeded", Unit: "Count" }] }] },
      Source: "app-db",
      BackupBytes: 42,
      BackupSucceeded: 1,
    });
  });
});

describe("the configuration", () => {
  const valid = { vault: { bucket: "vault" }, sources: [{ name: "db", kind: "postgres", rpoMinutes: 60, host: "h", database: "d" }] };

  it("comes from --config before LIFEBOAT_CONFIG_FILE before LIFEBOAT_CONFIG", () => {
    const dir = mkdtempSync(join(tmpdir(), "lifeboat-config-"));
    const file = join(dir, "a.json");
    writeFileSync(file, JSON.stringify({ ...valid, vault: { bucket: "from-file" } }));

    expect(loadJobConfig({ LIFEBOAT_CONFIG: JSON.stringify(valid) }, file).vault.bucket).toBe("from-file");
    expect(loadJobConfig({ LIFEBOAT_CONFIG_FILE: file, LIFEBOAT_CONFIG: JSON.stringify(valid) }).vault.bucket).toBe("from-file");
    expect(loadJobConfig({ LIFEBOAT_CONFIG: JSON.stringify(valid) }).vault.bucket).toBe("vault");
  });

  it("names every bad field and where the configuration came from", () => {
    const error = (() => {
      try {
        loadJobConfig({ LIFEBOAT_CONFIG: JSON.stringify({ vault: {}, sources: [] }) });
      } catch (e) {
        return e as LifeboatValidationError;
      }
      throw new Error("no error");
    })();

    expect(error.message).toMatch(/^Lifeboat job configuration \(LIFEBOAT_CONFIG\): 2 problems/);
    expect(error.problems.map((p) => p.argument)).toEqual(["vault.bucket", "sources"]);
  });

  it("is required, and the command line says how to give it, with status 2", async () => {
    const err: string[] = [];

    const code = await main(["list"], { stdout: () => undefined, stderr: (t) => err.push(t), env: {} });

    expect(code).toBe(2);
    expect(err.join("")).toContain("pass --config <file>, or set LIFEBOAT_CONFIG_FILE");
  });
});

describe("the command line", () => {
  it("rejects an unknown command with the usage and status 2", async () => {
    const err: string[] = [];

    const code = await main(["backpu"], { stdout: () => undefined, stderr: (t) => err.push(t), env: {} });

    expect(code).toBe(2);
    expect(err.join("")).toContain('Unknown command "backpu"; the commands are backup, verify, restore, drill, list, records, health-server.');
  });

  it("requires --at and --target for restore", async () => {
    const err: string[] = [];

    const code = await main(["restore", "--source", "db", "--target", "postgres://h/d"], { stdout: () => undefined, stderr: (t) => err.push(t), env: {} });

    expect(code).toBe(2);
    expect(err.join("")).toContain("restore needs --at.");
  });
});

describe("--at", () => {
  const now = new Date("2026-11-21T10:00:00Z");

  it("accepts latest, ISO times with a zone and backup stamps", () => {
    expect(parseAt("latest", now)).toEqual(now);
    expect(parseAt("2026-11-20T08:30:00Z", now).toISOString()).toBe("2026-11-20T08:30:00.000Z");
    expect(parseAt("2026-11-20T08:30:00+02:00", now).toISOString()).toBe("2026-11-20T06:30:00.000Z");
    expect(parseAt("20261120T083000Z", now).toISOString()).toBe("2026-11-20T08:30:00.000Z");
  });

  it("refuses anything else, saying what is accepted", () => {
    expect(() => parseAt("yesterday", now)).toThrow(/`--at` \("yesterday"\) is not a time\. Write "latest", an ISO 8601 time/);
  });
});

describe("the pg_dump archive reader", () => {
  it("refuses bytes that are not a custom-format archive", async () => {
    await expect(pipeline(Readable.from([Buffer.from("PGDMX-not-a-dump")]), new CustomArchiveInspector(), sink())).rejects.toThrow(/does not start with PGDMP/);
  });

  it("refuses an archive that ends before its table of contents", async () => {
    await expect(pipeline(Readable.from([Buffer.from("PGDMP")]), new CustomArchiveInspector(), sink())).rejects.toThrow(/ended before its table of contents/);
  });
});

describe("the RDB reader", () => {
  it("computes Redis's CRC-64 (check value of 123456789)", () => {
    expect(new Crc64().update(Buffer.from("123456789")).digest().readBigUInt64LE()).toBe(0xe9c6d914c4b8d9can);
  });

  async function read(bytes: Buffer) {
    const reader = new ByteReader();
    const done = readRdb(reader);
    await reader.feed(bytes);
    reader.end();
    return done;
  }

  // REDIS0010, SELECTDB 0, one string key "a" = "b", EOF, then the CRC-64 of all that.
  const body = Buffer.concat([Buffer.from("REDIS0010"), Buffer.from([0xfe, 0x00, 0x00, 0x01, 0x61, 0x01, 0x62, 0xff])]);
  const good = Buffer.concat([body, new Crc64().update(body).digest()]);

  it("reads a well-formed file and counts its keys", async () => {
    const summary = await read(good);

    expect(summary.keys.get(0)).toBe(1);
    expect(summary.checksummed).toBe(true);
  });

  it("refuses a damaged file by its checksum", async () => {
    const bad = Buffer.from(good);
    bad[15] = 0x63; // the value "b" becomes "c"

    await expect(read(bad)).rejects.toThrow(new RdbError("its CRC-64 checksum does not match its contents: the file is damaged"));
  });

  it("refuses a truncated file", async () => {
    await expect(read(good.subarray(0, 12))).rejects.toThrow(/truncated/);
  });
});
