/**
 * Client-side encryption's cost: `lifeboat backup` and `restore` of one large file (a `files`
 * source) into s3rver on 127.0.0.1, plain against encrypted to an age recipient, in the same run.
 * Each variant runs in its own process, so its peak RSS is its own. Prints the median wall time and
 * the highest peak RSS of each, and the ratios encrypted / plain. Not a test: nothing is asserted.
 *
 *   node --conditions=lifeboat-source --import tsx bench/backup/encryption.bench.ts [--mb 512] [--runs 3]
 *
 * The file is one 4 MiB random block repeated (zstd -1's window is smaller, so the stream stays
 * about as large as the file and the encryption sees every byte).
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseJobConfig } from "@lifeboat/constructs/core";
import { jobContext, lineOutput, runBackup, runRestore } from "@lifeboat/jobs";
import { TestS3 } from "../../lambda-src/test/support/s3";
import { median } from "../support";

const { values } = parseArgs({ options: { mb: { type: "string", default: "512" }, runs: { type: "string", default: "3" }, child: { type: "string" }, spec: { type: "string" } } });

interface Spec {
  readonly endpoint: string;
  readonly dir: string;
  readonly recipient?: string;
  readonly identity?: string;
  readonly restoreTo: string;
}

interface Measured {
  readonly backupSeconds: number;
  readonly restoreSeconds: number;
  readonly storedBytes: number;
  readonly peakRssMiB: number;
}

/** One variant, in this (child) process: a backup, then a restore of it. */
async function child(spec: Spec): Promise<Measured> {
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  process.env.AWS_REGION = "us-east-1";
  const config = parseJobConfig({
    vault: { bucket: "vault", region: "us-east-1", endpoint: spec.endpoint, forcePathStyle: true, checksums: "when-required", tiers: "prefix", ...(spec.recipient ? { encryption: { ageRecipients: [spec.recipient] } } : {}) },
    sources: [{ name: "big", kind: "files", rpoMinutes: 1440, path: spec.dir }],
  });
  const env = { ...process.env, ...(spec.identity ? { LIFEBOAT_AGE_IDENTITY: spec.identity } : {}) };
  const job = jobContext(config, lineOutput(() => undefined), { env });
  let t = process.hrtime.bigint();
  const backup = await runBackup(job, "big");
  const backupSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  await runRestore(job, { source: "big", at: backup.manifest.startedAt, target: spec.restoreTo });
  const restoreSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  return { backupSeconds, restoreSeconds, storedBytes: backup.manifest.sizeBytes, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}


async function parent(): Promise<void> {
  const { generateX25519Identity, identityToRecipient } = await import("age-encryption");
  const mb = Number(values.mb);
  const runs = Number(values.runs);
  const work = mkdtempSync(join(tmpdir(), "lifeboat-encryption-bench-"));
  const dir = join(work, "source");
  execFileSync("mkdir", ["-p", dir]);
  const block = randomBytes(4 * 1024 * 1024);
  const fd = openSync(join(dir, "big.bin"), "w");
  for (let written = 0; written < mb * 1024 * 1024; written += block.length) writeSync(fd, block);
  closeSync(fd);
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const s3 = await TestS3.start(["vault"]);
  const results: Record<"plain" | "age", Measured[]> = { plain: [], age: [] };
  try {
    for (let run = 0; run < runs; run++) {
      for (const variant of ["plain", "age"] as const) {
        const restoreTo = join(work, `restored-${variant}-${run}`);
        const spec: Spec = { endpoint: s3.endpoint, dir, restoreTo, ...(variant === "age" ? { recipient, identity } : {}) };
        // Not execFileSync: the S3 endpoint is a proxy served by this process.
        const { stdout: out } = await promisify(execFile)(process.execPath, ["--conditions=lifeboat-source", "--import", "tsx", __filename, "--child", variant, "--spec", JSON.stringify(spec)], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
        results[variant].push(JSON.parse(out.trim().split("\n").pop()!) as Measured);
        rmSync(restoreTo, { recursive: true, force: true });
        // Keys are exact to the second: the next backup must not share one.
        await new Promise((r) => setTimeout(r, 1100));
      }
    }
  } finally {
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const summary = (variant: "plain" | "age") => ({
    backup: median(results[variant].map((r) => r.backupSeconds)),
    restore: median(results[variant].map((r) => r.restoreSeconds)),
    peak: Math.max(...results[variant].map((r) => r.peakRssMiB)),
    stored: results[variant][0]!.storedBytes,
  });
  const plain = summary("plain");
  const age = summary("age");
  console.log(`${mb} MiB file, median of ${runs} runs (backup then restore, each variant in its own process):`);
  console.log(`  plain     backup ${plain.backup.toFixed(2)} s, restore ${plain.restore.toFixed(2)} s, stored ${plain.stored} bytes, peak RSS ${plain.peak.toFixed(0)} MiB`);
  console.log(`  encrypted backup ${age.backup.toFixed(2)} s, restore ${age.restore.toFixed(2)} s, stored ${age.stored} bytes, peak RSS ${age.peak.toFixed(0)} MiB`);
  console.log(`  ratios encrypted / plain: backup ${(age.backup / plain.backup).toFixed(2)}x, restore ${(age.restore / plain.restore).toFixed(2)}x, peak RSS ${(age.peak / plain.peak).toFixed(2)}x, stored ${(age.stored / plain.stored).toFixed(4)}x`);
}

if (values.child) {
  child(JSON.parse(values.spec!) as Spec).then(
    (m) => {
      console.log(JSON.stringify(m));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  parent().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
