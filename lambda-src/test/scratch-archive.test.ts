import type { BackupManifest } from "@lifeboat/constructs/core";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScratchArchive } from "../src/restore/scratch-archive";
import { SAMPLE_DATABASE, startPostgres, tableDigests, type TestPostgres } from "./support/postgres";
import { startTogether } from "./support/servers";
import { postgresClientDir } from "./support/tools";

// The scratch file of a parallel restore is a dump pg_dump wrote to a pipe: its table of contents has
// no data offsets. checkScratchArchive writes them; these tests hold the result to what pg_dump itself
// writes into a file, and to what pg_restore -j makes of it.
let pg15: TestPostgres;
let pg18: TestPostgres;
let dir: string;


beforeAll(async () => {
  [pg15, pg18] = await startTogether([startPostgres(15), startPostgres(18)]);
  await Promise.all([pg15, pg18].map(async (pg) => {
    await pg.sql("postgres", "CREATE DATABASE app");
    await pg.sql("app", SAMPLE_DATABASE);
  }));
  dir = mkdtempSync(join(tmpdir(), "lifeboat-scratch-archive-"));
});

afterAll(async () => {
  await Promise.all([pg15?.stop(), pg18?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `pg_dump -Fc -Z0` of `pg`'s database app by pg_dump of the server's major: through a pipe, and into a file. */
function dumps(pg: TestPostgres): { piped: string; seekable: string } {
  const pgDump = join(postgresClientDir(pg.major), "pg_dump");
  const args = ["-h", "127.0.0.1", "-p", String(pg.port), "-U", pg.user, "-Fc", "-Z0", "app"];
  const env = { ...process.env, PGPASSWORD: pg.password };
  const piped = join(dir, `piped-${pg.major}.dump`);
  const seekable = join(dir, `seekable-${pg.major}.dump`);
  // `| cat`: pg_dump's stdout is a pipe, as in a backup, so it cannot go back to write offsets.
  execFileSync("bash", ["-o", "pipefail", "-c", `"${pgDump}" "$@" | cat > ${piped}`, "pg_dump", ...args], { env });
  execFileSync(pgDump, [...args, "-f", seekable], { env });
  return { piped, seekable };
}

/** The manifest fields checkScratchArchive reads, as a backup of `file` records them. */
function manifestOf(file: string, tables: BackupManifest["tables"]): BackupManifest {
  const bytes = readFileSync(file);
  return { artifactKey: "app/2026/01/01/app-20260101T000000Z.dump.zst", contentBytes: bytes.length, contentSha256: createHash("sha256").update(bytes).digest("hex"), tables } as BackupManifest;
}

/** The tables whose data the dumps hold (checkScratchArchive compares names; rows are not counted again). */
const TABLES = [
  { schema: "billing", name: "invoices", rows: 3000 },
  { schema: "public", name: "events_2025", rows: 1070 },
  { schema: "public", name: "events_2026", rows: 930 },
];

/** The header's creation time (its first 64 bytes) differs between two dumps; everything after must not. */
const HEADER = 64;

describe("the data offsets a restore writes into its scratch archive", () => {
  it.each([15, 18])("turns a PostgreSQL %i dump written to a pipe into the archive pg_dump writes into a file, byte for byte", async (major) => {
    const pg = major === 15 ? pg15 : pg18;
    const { piped, seekable } = dumps(pg);
    const before = readFileSync(piped);

    const result = await checkScratchArchive(piped, manifestOf(piped, TABLES));

    const after = readFileSync(piped);
    const expected = readFileSync(seekable);
    expect(before.subarray(HEADER).equals(expected.subarray(HEADER))).toBe(false);
    expect(after.length).toBe(expected.length);
    expect(after.subarray(HEADER).equals(expected.subarray(HEADER))).toBe(true);
    // Three tables' data and the large object's data are entries with data.
    expect(result.offsetsWritten).toBeGreaterThanOrEqual(4);
  });

  it("leaves an archive that already has its offsets unchanged", async () => {
    const { seekable } = dumps(pg15);
    const before = readFileSync(seekable);

    const result = await checkScratchArchive(seekable, manifestOf(seekable, TABLES));

    expect(result.offsetsWritten).toBe(0);
    expect(readFileSync(seekable).equals(before)).toBe(true);
  });

  it("lets pg_restore -j 2 restore the rewritten archive into a database identical to the original", async () => {
    const { piped } = dumps(pg18);
    await checkScratchArchive(piped, manifestOf(piped, TABLES));
    await pg18.sql("postgres", "CREATE DATABASE parallel_copy");

    execFileSync(join(postgresClientDir(18), "pg_restore"), ["-h", "127.0.0.1", "-p", String(pg18.port), "-U", pg18.user, "--jobs", "2", "--exit-on-error", "-d", "parallel_copy", piped], { env: { ...process.env, PGPASSWORD: pg18.password } });

    expect(await tableDigests(pg18, "parallel_copy")).toEqual(await tableDigests(pg18, "app"));
    expect(await pg18.sql("parallel_copy", "SELECT string_agg(convert_from(lo_get(oid), 'UTF8'), ',' ORDER BY oid) FROM pg_largeobject_metadata")).toEqual(["a large object"]);
  });
});

describe("a scratch archive that is not the one the backup stored", () => {
  /** A piped dump of PostgreSQL 15, its manifest, and a copy changed by `damage`. */
  function damaged(name: string, damage: (bytes: Buffer) => Buffer): { file: string; manifest: BackupManifest; before: Buffer } {
    const { piped } = dumps(pg15);
    const manifest = manifestOf(piped, TABLES);
    const file = join(dir, `${name}.dump`);
    copyFileSync(piped, file);
    writeFileSync(file, damage(readFileSync(file)));
    return { file, manifest, before: readFileSync(file) };
  }

  it("is refused when it is shorter than the manifest says, and left unchanged", async () => {
    const { file, manifest, before } = damaged("short", (b) => b.subarray(0, b.length - 1));

    await expect(checkScratchArchive(file, manifest)).rejects.toThrow(/written to scratch space .* is \d+ bytes, but the manifest says the archive is \d+\. The target was not touched\./);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("is refused when one byte of a row differs from the archive's SHA-256 in the manifest, and left unchanged", async () => {
    const { file, manifest, before } = damaged("flipped", (b) => {
      const at = b.indexOf("invoice 1234\n");
      b[at + 9] = "9".charCodeAt(0);
      return b;
    });

    await expect(checkScratchArchive(file, manifest)).rejects.toThrow(/has SHA-256 [0-9a-f]{64}, but the manifest says the archive has [0-9a-f]{64}\. The target was not touched\./);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("is refused when the disk lost a page of it, even for a backup that recorded no archive checksum", async () => {
    const { file, manifest } = damaged("hole", (b) => {
      b.fill(0, b.length >> 1, (b.length >> 1) + 4096);
      return b;
    });
    const older = { ...manifest, contentSha256: undefined } as BackupManifest;

    await expect(checkScratchArchive(file, older)).rejects.toThrow(/does not read back as a complete archive: .*(block type 0|damaged|truncated)/);
  });

  it("is refused when it lacks the data of a table the manifest lists", async () => {
    const { piped } = dumps(pg15);
    const manifest = { ...manifestOf(piped, [...TABLES, { schema: "billing", name: "refunds", rows: 3 }]), contentSha256: undefined } as BackupManifest;

    await expect(checkScratchArchive(piped, manifest)).rejects.toThrow("does not hold the tables the backup stored: no data for billing.refunds");
  });
});
