import { PutObjectCommand } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeProgress, ProgressReporter } from "../src/support/progress";
import { testVault } from "./support/jobs";
import { TestS3 } from "./support/s3";
import { listKeys } from "./support/vault";

/** The command a user runs: the package's bin, in this checkout (it runs the TypeScript sources). */
const BIN = join(__dirname, "..", "bin", "lifeboat.cjs");

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let s3: TestS3;
let work: string;
let configFile: string;
let env: NodeJS.ProcessEnv;

/** Runs `lifeboat` as a user would, stdin closed, stdout and stderr captured (neither is a terminal). */
function lifeboat(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return run(process.execPath, [BIN, ...args], extraEnv);
}

function run(file: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/** Runs `body` against an S3 held to 8 MiB/s, so that a job runs for seconds and reports progress. */
async function slowly(body: () => Promise<void>): Promise<void> {
  s3.bytesPerSecond = 8 * 1024 * 1024;
  try {
    await body();
  } finally {
    s3.bytesPerSecond = 0;
  }
}

/** Every stderr line parsed as JSON; a line that is not JSON fails the test, naming it. */
function jsonLines(stderr: string): Record<string, any>[] {
  return stderr
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`stderr line is not JSON: ${line}`);
      }
    });
}

beforeAll(async () => {
  s3 = await TestS3.start(["vault"]);
  work = mkdtempSync(join(tmpdir(), "lifeboat-cli-"));
  const data = join(work, "data");
  mkdirSync(data);
  // Incompressible, so the stored artifact is as large as the files: 16 MiB at 8 MiB/s takes 2 s each way.
  writeFileSync(join(data, "a.bin"), randomBytes(8 * 1024 * 1024));
  writeFileSync(join(data, "b.bin"), randomBytes(8 * 1024 * 1024));
  configFile = join(work, "lifeboat.json");
  writeFileSync(configFile, JSON.stringify({ vault: testVault(s3), sources: [{ name: "uploads", kind: "files", rpoMinutes: 60, path: data, drill: { scratch: { directory: join(work, "scratch") } } }, { name: "configs", kind: "files", rpoMinutes: 60, path: data }] }));
  const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _ignored, LIFEBOAT_CONFIG: _config, LIFEBOAT_CONFIG_FILE: _file, ...rest } = process.env;
  // Without the variable the SDK warns on Node.js below 22 (this machine's Node 20): the CLI must silence it itself.
  env = { ...rest, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1", NODE_OPTIONS: "" };
}, 60_000);

afterAll(async () => {
  await s3?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the lifeboat command line's exit status", () => {
  it("is 2 for an unknown command, with the usage and no internal class name", async () => {
    const ran = await lifeboat(["backpu"]);

    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('lifeboat: Unknown command "backpu"; the commands are backup, verify, restore, drill, list, records, health-server.');
    expect(ran.stderr).toContain("Exit status:");
  });

  it("is 2 for an invalid configuration, naming every problem without the error's class name", async () => {
    const ran = await lifeboat(["list"], { LIFEBOAT_CONFIG: JSON.stringify({ vault: { bucket: "vault", prot: 1 }, sources: [] }) });

    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^lifeboat list: Lifeboat job configuration \(LIFEBOAT_CONFIG\): 2 problems/);
    expect(ran.stderr).toContain("`vault.prot`");
    expect(ran.stderr).not.toMatch(/ValidationError|JobError|InputError|ConfigError/);
  });

  it("is 2 without any configuration, saying how to give one", async () => {
    const ran = await lifeboat(["verify"]);

    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("lifeboat verify: No job configuration: pass --config <file>");
    expect(ran.stderr).not.toContain("Error:");
  });

  it("is documented in --help: 0 success, 1 the job failed, 2 wrong usage or input", async () => {
    const ran = await lifeboat(["--help"]);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/Exit status:\n {2}0 {2}success\.\n {2}1 {2}the job failed/);
    expect(ran.stdout).toMatch(/ {2}2 {2}wrong usage or input, found before anything was done/);
  });
});

describe("lifeboat list", () => {
  it("refuses unknown sources with status 2, naming each and the configured ones", async () => {
    const ran = await lifeboat(["list", "--config", configFile, "--source", "nope", "--source", "uploads", "--source", "gone"]);

    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('lifeboat list: There are no sources named "nope", "gone" in the configuration. The sources are: uploads, configs');
    expect(ran.stdout).toBe("");
  });
});

describe("lifeboat restore --at", () => {
  it.each([
    ["2026-02-30", "February 2026 has no day 30 (it has 28)"],
    ["2026-11-20T25:00:00Z", "hour 25 does not exist (00 to 23)"],
    ["2026-11-20T10:00", "has no zone"],
    ["2999-01-01T00:00:00Z", "is in the future (2999-01-01T00:00:00.000Z; it is now "],
  ])("refuses %s with status 2 before reading the vault", async (at, reason) => {
    s3.requests.length = 0;

    const ran = await lifeboat(["restore", "--config", configFile, "--source", "uploads", "--at", at, "--target", join(work, "never")]);

    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`\`--at\` (${JSON.stringify(at)})`);
    expect(ran.stderr).toContain(reason);
    expect(ran.stderr).not.toMatch(/ValidationError/);
    expect(s3.requests).toEqual([]);
  });
});

describe("a backup, verify and restore on the command line", () => {
  it("report progress (and so does a drill) as JSON lines at most once a second, and stderr holds nothing but JSON lines", async () => {
    await slowly(async () => {
      const backup = await lifeboat(["backup", "--config", configFile, "--source", "uploads", "--json", "--progress-every", "1"]);
      const verify = await lifeboat(["verify", "--config", configFile, "--source", "uploads", "--json", "--progress-every", "1"]);
      const restore = await lifeboat(["restore", "--config", configFile, "--source", "uploads", "--at", "latest", "--target", join(work, "restored"), "--json", "--progress-every", "1"]);
      const drill = await lifeboat(["drill", "--config", configFile, "--source", "uploads", "--json", "--progress-every", "1"]);

      for (const [ran, direction] of [[backup, "bytesWritten"], [verify, "bytesRead"], [restore, "bytesRead"], [drill, "bytesRead"]] as const) {
        expect(ran.code, ran.stderr).toBe(0);
        const lines = jsonLines(ran.stderr);
        const progress = lines.filter((l) => l.event === "progress");
        expect(progress.length, ran.stderr).toBeGreaterThanOrEqual(1);
        expect(progress[progress.length - 1]![direction]).toBeGreaterThan(0);
        for (const p of progress) {
          expect(p).toMatchObject({ level: "info", bytesPerSecond: expect.any(Number), elapsedSeconds: expect.any(Number) });
          expect(p.message).toMatch(/^(backup|verify|restore|drill) uploads: .* (read from|written to) the vault, .*\/s, \d+:\d\d$/);
        }
        const times = progress.map((p) => Date.parse(p.time));
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(900);
        expect(ran.stderr).not.toContain("NodeVersionSupportWarning");
      }
      expect(readFileSync(join(work, "restored", "a.bin")).equals(readFileSync(join(work, "data", "a.bin")))).toBe(true);
    });
  }, 180_000);

  it("reports nothing of its progress and no info logs with --quiet", async () => {
    await slowly(async () => {
      const ran = await lifeboat(["backup", "--config", configFile, "--source", "configs", "--quiet", "--progress-every", "1"]);

      expect(ran.code, ran.stderr).toBe(0);
      expect(jsonLines(ran.stderr).filter((l) => l.event === "progress" || l.level === "info")).toEqual([]);
      expect(JSON.parse(ran.stdout)).toMatchObject({ source: "configs" });
    });
  }, 120_000);

  it("rewrites one progress line in place on a terminal", async () => {
    await slowly(async () => {
      // script(1) runs the command on a pseudo-terminal, as an operator's shell would.
      const command = [process.execPath, BIN, "backup", "--config", configFile, "--source", "configs"].map((a) => `'${a}'`).join(" ");
      const ran = await run("script", ["-qfec", command, "/dev/null"]);

      expect(ran.code, ran.stdout).toBe(0);
      const updates = ran.stdout.split("\r\x1b[2K").filter((part) => part.startsWith("backup configs: "));
      expect(updates.length, ran.stdout).toBeGreaterThanOrEqual(1);
      expect(updates.filter((u) => /^backup configs: [\d.]+ (B|KiB|MiB) written to the vault, [\d.]+ (B|KiB|MiB)\/s, 0:\d\d$/.test(u)), ran.stdout).not.toEqual([]);
      expect(ran.stdout).not.toContain('"event":"progress"');
    });
  }, 120_000);

  it("fails with status 1 when the restore target is not empty, without an internal class name", async () => {
    const target = join(work, "occupied");
    mkdirSync(target);
    writeFileSync(join(target, "keep.txt"), "mine");

    const ran = await lifeboat(["restore", "--config", configFile, "--source", "uploads", "--at", "latest", "--target", target]);

    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`The target directory ${target} is not empty`);
    expect(ran.stderr).not.toMatch(/JobError|InputError/);
    expect(readFileSync(join(target, "keep.txt"), "utf8")).toBe("mine");
  }, 60_000);

  it("lists an artifact whose stored size differs from its manifest as broken, and says why", async () => {
    const direct = s3.directClient();
    const artifact = (await listKeys(direct, "vault", "configs/")).sort().find((k) => k.endsWith(".tar.zst") || k.endsWith(".tar.gz"))!;
    await direct.send(new PutObjectCommand({ Bucket: "vault", Key: artifact, Body: Buffer.from("truncated") }));

    const text = await lifeboat(["list", "--config", configFile, "--source", "configs"]);
    const json = await lifeboat(["list", "--config", configFile, "--source", "configs", "--json"]);

    expect(text.code).toBe(0);
    // The other backups of configs (earlier tests) stay complete.
    expect(text.stdout).toMatch(/^configs: \d+ complete, 1 broken, 0 incomplete$/m);
    expect(text.stdout).toMatch(new RegExp(`BROKEN {6}${artifact.replace(/[.]/g, "\\.")}: stored size is 9 bytes, the manifest says \\d+`));
    const listed = JSON.parse(json.stdout).sources[0];
    expect(listed.complete.map((b: { artifactKey: string }) => b.artifactKey)).not.toContain(artifact);
    expect(listed.broken).toEqual([expect.objectContaining({ artifactKey: artifact, storedBytes: 9, reason: expect.stringMatching(/^stored size is 9 bytes, the manifest says \d+$/) })]);
  }, 60_000);
});

describe("the progress renderer", () => {
  it("rewrites one terminal line, prints log lines above it and clears it at the end", () => {
    const written: string[] = [];
    let now = 0;
    const meter = { read: 0, written: 0 };
    const reporter = new ProgressReporter("restore db", meter, { kind: "terminal", write: (t) => written.push(t), columns: 80 }, 1, {}, () => now);

    meter.read = 10 * 1024 * 1024;
    now = 2000;
    reporter.tick();
    reporter.print("{\"event\":\"restore.path\"}\n", (t) => written.push(t));
    reporter.stop();

    expect(written).toEqual([
      "\r\x1b[2Krestore db: 10.0 MiB read from the vault, 5.00 MiB/s, 0:02",
      "\r\x1b[2K",
      "{\"event\":\"restore.path\"}\n",
      "restore db: 10.0 MiB read from the vault, 5.00 MiB/s, 0:02",
      "\r\x1b[2K",
    ]);
  });

  it("describes both directions when a job reads and writes", () => {
    expect(describeProgress("drill db", { bytesRead: 1536, bytesWritten: 3 * 1024 ** 3, bytesPerSecond: 2048, elapsedSeconds: 3725 })).toBe("drill db: 1.50 KiB read from the vault, 3.00 GiB written to the vault, 2.00 KiB/s, 1:02:05");
  });
});
