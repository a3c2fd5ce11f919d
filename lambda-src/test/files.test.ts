import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import type { JobConfig } from "@lifeboat/constructs/core";
import { appendFileSync, chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, runRestore, verifySources } from "../src";
import { packDirectory } from "../src/files/pack";
import { testConfig, testJob, testVault, useTestAwsEnvironment } from "./support/jobs";
import { TestS3 } from "./support/s3";
import { listKeys, readObject } from "./support/vault";

let s3: TestS3;
let work: string;
let source: string;
let config: JobConfig;

/** Every entry under `dir`: type, mode, mtime (s), content or link target. */
function describeTree(dir: string, relative = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, relative)).sort()) {
    const path = relative ? `${relative}/${name}` : name;
    const at = join(dir, path);
    const s = lstatSync(at);
    const common = `mode ${(s.mode & 0o7777).toString(8)} mtime ${Math.floor(s.mtimeMs / 1000)}`;
    if (s.isSymbolicLink()) out[path] = `symlink -> ${readlinkSync(at)}`;
    else if (s.isDirectory()) {
      out[path] = `directory ${common}`;
      Object.assign(out, describeTree(dir, path));
    } else out[path] = `file ${common} ${readFileSync(at).toString("base64")}`;
  }
  return out;
}

beforeAll(async () => {
  useTestAwsEnvironment();
  s3 = await TestS3.start(["vault"]);
  work = mkdtempSync(join(tmpdir(), "lifeboat-files-"));
  source = join(work, "source");
  mkdirSync(join(source, "uploads/2026/11"), { recursive: true });
  mkdirSync(join(source, "empty"));
  mkdirSync(join(source, "cache/thumbs"), { recursive: true });
  writeFileSync(join(source, "config.yml"), "port: 8080\n");
  writeFileSync(join(source, "uploads/2026/11/photo.bin"), Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256)));
  writeFileSync(join(source, "uploads/empty-file"), "");
  writeFileSync(join(source, "scratch.tmp"), "left out");
  writeFileSync(join(source, "uploads/also.tmp"), "left out too");
  writeFileSync(join(source, "cache/thumbs/t.png"), "left out with its directory");
  writeFileSync(join(source, `${"long-name-".repeat(12)}.txt`), "a name longer than ustar's 100 bytes");
  symlinkSync("uploads/2026/11/photo.bin", join(source, "latest-photo"));
  symlinkSync("/nonexistent/elsewhere", join(source, "dangling"));
  chmodSync(join(source, "config.yml"), 0o640);
  chmodSync(join(source, "uploads"), 0o750);
  utimesSync(join(source, "config.yml"), new Date("2024-01-02T03:04:05Z"), new Date("2024-01-02T03:04:05Z"));
  utimesSync(join(source, "empty"), new Date("2023-06-07T08:09:10Z"), new Date("2023-06-07T08:09:10Z"));
  config = testConfig({ vault: testVault(s3), sources: [{ name: "uploads", kind: "files", rpoMinutes: 60, path: source, exclude: ["*.tmp", "cache"] }] });
}, 60_000);

afterAll(async () => {
  await s3?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("a files backup", () => {
  it("round-trips a directory: symlinks, empty directories and files, modes and mtimes kept, excludes left out, every file's SHA-256 listed", async () => {
    const { job } = testJob(config);
    const target = join(work, "restored");

    const backup = await runBackup(job, "uploads");
    const report = await verifySources(job, ["uploads"]);
    const restored = await runRestore(job, { source: "uploads", at: "latest", target });

    expect(backup.artifactKey).toMatch(/\.tar\.zst$/);
    const listed = backup.manifest.files!;
    expect(listed.entries.map((e) => e.path).sort()).toEqual(["config.yml", "dangling", "empty", "latest-photo", `${"long-name-".repeat(12)}.txt`, "uploads", "uploads/2026", "uploads/2026/11", "uploads/2026/11/photo.bin", "uploads/empty-file"]);
    expect(listed.entries.find((e) => e.path === "config.yml")).toMatchObject({ type: "file", size: 11, mode: 0o640, mtime: "2024-01-02T03:04:05.000Z", sha256: createHash("sha256").update("port: 8080\n").digest("hex") });
    expect(listed.exclude).toEqual(["*.tmp", "cache"]);
    expect(backup.manifest.capture).toMatchObject({ method: "tar", pointInTime: false });
    expect(report.ok).toBe(true);
    expect(report.sources[0]!.checks.find((c) => c.check === "restorability")?.detail).toMatch(/10 entries match the manifest's list, and all 4 files/);
    expect(restored.detail).toMatch(/restored 10 entries \(4 files, 300047 bytes, every SHA-256 checked\)/);
    const expected = describeTree(source);
    for (const excluded of ["scratch.tmp", "uploads/also.tmp", "cache", "cache/thumbs", "cache/thumbs/t.png"]) delete expected[excluded];
    expect(describeTree(target)).toEqual(expected);
  });

  it("refuses to restore into a directory that is not empty, and leaves it as it was", async () => {
    const { job } = testJob(config);
    const target = join(work, "occupied");
    mkdirSync(target);
    writeFileSync(join(target, "keep.txt"), "mine");

    await expect(runRestore(job, { source: "uploads", at: "latest", target })).rejects.toThrow(/The target directory .*occupied is not empty/);
    expect(readdirSync(target)).toEqual(["keep.txt"]);
  });

  it("verify fails naming the file when the archive and the manifest's list disagree", async () => {
    const { job } = testJob(config);
    const backup = await runBackup(job, "uploads");
    const manifestKey = backup.manifestKey;
    const manifest = JSON.parse((await readObject(s3.directClient(), "vault", manifestKey)).toString("utf8"));
    const photo = manifest.files.entries.find((e: { path: string }) => e.path === "uploads/2026/11/photo.bin");
    photo.sha256 = "0".repeat(64);
    await s3.directClient().send(new PutObjectCommand({ Bucket: "vault", Key: manifestKey, Body: JSON.stringify(manifest) }));

    const report = await verifySources(job, ["uploads"]);

    expect(report.ok).toBe(false);
    expect(report.sources[0]!.checks.find((c) => c.check === "restorability")?.detail).toMatch(/uploads\/2026\/11\/photo\.bin in the archive has 300000 bytes with SHA-256 [0-9a-f]{64}; the manifest says 300000 bytes with 0{64}/);
  });

  it("fails with a clear error for a path that is not a directory, and stores nothing", async () => {
    const missing = testConfig({ vault: testVault(s3), sources: [{ name: "gone", kind: "files", rpoMinutes: 60, path: join(work, "does-not-exist") }] });
    const { job } = testJob(missing);

    await expect(runBackup(job, "gone")).rejects.toThrow(/The files source's path .*does-not-exist cannot be read: ENOENT/);
    expect(await listKeys(s3.directClient(), "vault", "gone/")).toEqual([]);
  });
});

describe("packing a directory", () => {
  it("reports a file that changes while it is read", async () => {
    const dir = join(work, "changing");
    mkdirSync(dir);
    writeFileSync(join(dir, "growing.log"), Buffer.alloc(8 * 1024 * 1024, 1));
    writeFileSync(join(dir, "steady.txt"), "steady");

    const packed = packDirectory(dir, []);
    const reader = packed.stream[Symbol.asyncIterator]();
    await reader.next(); // the packer now waits, part way into growing.log, for this reader
    appendFileSync(join(dir, "growing.log"), "more");
    for (let r = await reader.next(); !r.done; r = await reader.next());
    const result = await packed.result;

    expect(result.changedDuringBackup).toEqual(["growing.log"]);
    expect(result.entries.find((e) => e.path === "growing.log")?.size).toBe(8 * 1024 * 1024);
  });
});
