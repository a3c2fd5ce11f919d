import { type JobConfig } from "@lifeboat/constructs/core";
import { rename, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { runBackup } from "./backup/backup";
import { loadJobConfig } from "./config";
import { findSources, jobContext, type JobContext } from "./context";
import { DrillFailedError, runDrill } from "./drill/drill";
import { estateRecords } from "./drill/records";
import { healthServerOptions, serveHealthUntilStopped } from "./health/command";
import { runRestore } from "./restore/restore";
import { catalogSource, sizeMismatch } from "./s3/catalog";
import { meterClient, type ByteMeter } from "./s3/metered";
import { describeError, isInputError } from "./support/errors";
import { lineOutput, teeOutput, type Output } from "./support/output";
import { MIN_PROGRESS_SECONDS, ProgressReporter, type ProgressMode } from "./support/progress";
import { redact } from "./support/redact";
import { verifySources } from "./verify/verify";

/** Where the command line reads and writes; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Receives logs and metrics too (tests observe a running job through it). */
  readonly observe?: Output;
  /** Replaces the job context (tests). */
  readonly context?: (config: JobConfig, output: Output) => JobContext;
  /** Resolves when `health-server` should stop (tests). @default - on SIGTERM or SIGINT */
  readonly stopped?: Promise<unknown>;
  /** stderr is a terminal `columns` wide: progress is one line rewritten in place. @default - not a terminal */
  readonly terminal?: { readonly columns?: number };
}

export const USAGE = `Usage: lifeboat <command> [options]

Commands:
  backup  --source <name>                 Back up one source into the vault.
  verify  [--source <name>]... [--report-file <file>]
                                          Verify every source (or the named ones); prints a JSON report,
                                          and writes it to --report-file too (the runner's health endpoint reads it).
  restore --source <name> --at <time|latest> --target <url> [--dry-run]
          [--create-roles] [--no-owner] [--no-privileges] [--jobs <n>]
                                          Restore the newest complete backup at or before --at: latest, an
                                          ISO 8601 time with a zone (2026-11-21T09:00:00Z), a date (the end of
                                          that UTC day) or a backup stamp (20261121T090000Z); never in the future.
                                          Targets: postgres://user@host:port/db (password in PGPASSWORD),
                                          redis://host:port, s3://bucket/prefix, a directory (files).
                                          PostgreSQL: owners and privileges are restored; --create-roles
                                          recreates the backup's roles the server lacks (no passwords);
                                          --jobs sets pg_restore -j (default: the machine's cores).
  drill   --source <name>                 Restore the newest complete backup into a scratch target, check it,
                                          measure restore time and data loss, clean up, record the drill.
  list    [--source <name>]...            List complete, broken (stored size differs from the manifest) and
                                          incomplete backups.
  records [--source <name>]...            Print JSON { drills, backups }: each source's newest drill record (and
                                          newest successful one) and newest complete backup's manifest, for the
                                          estate's \`records\` argument (measured restore times, job placement).
  health-server [--host <address>] [--port <port>] [--report-file <file> [--report-max-age <minutes>]]
          [--cache-seconds <seconds>]     Serve GET /healthz until SIGTERM: 200 when every source's newest complete
          [--drills-file <file>]          backup is within its RPO, the last verify (--report-file) passed and, with
                                          --drills-file (the runner's /etc/lifeboat/drills.json), each watched
                                          source's newest drill neither failed nor restored slower than the RTO
                                          within a day, and one succeeded within its period; 503 with a JSON
                                          reason per failing source. Defaults: 0.0.0.0, port 8080, vault read at
                                          most every 60 seconds.

Options:
  --config <file>   Job configuration (JSON). Default: $LIFEBOAT_CONFIG_FILE, else $LIFEBOAT_CONFIG.
  --json            Print the result as JSON (verify always does); stderr carries JSON lines only.
  --quiet           No progress and no info logs on stderr (warnings, errors and metrics stay).
  --progress-every <seconds>
                    Progress of backup, verify, restore and drill (bytes, rate, elapsed time) on stderr:
                    one line rewritten in place on a terminal, else a JSON "progress" line when bytes
                    moved. Default: 1 on a terminal, else 10; at least 1.
  --identity-file <file>
                    The age identity that decrypts an encrypted vault (restore, drill, and verify of
                    contents). Default: $LIFEBOAT_AGE_IDENTITY, else the file $LIFEBOAT_AGE_IDENTITY_FILE names.
  --help            Show this help.

Logs and metrics (CloudWatch Embedded Metric Format) are JSON lines on stderr; results on stdout.

Exit status:
  0  success.
  1  the job failed: a backup, restore or drill did not succeed, a verify check failed, or the vault,
     a server or a tool failed. The error says what and why.
  2  wrong usage or input, found before anything was done: an unknown command or option, a missing
     or bad argument (--source, --at, --target, --jobs), or a missing or invalid configuration.`;

class UsageError extends Error {}

const COMMANDS = ["backup", "verify", "restore", "drill", "list", "records", "health-server"] as const;

/** The commands that move artifacts, and so report progress. */
const LONG_COMMANDS = new Set(["backup", "verify", "restore", "drill"]);

/** Runs the `lifeboat` command line; resolves to the exit status (0 success, 1 failed, 2 wrong usage or input). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // Known before parsing, so that even a parse error is a JSON line in JSON mode.
  const json = argv.includes("--json");
  let command: string | undefined;
  /** Tells the user why the command stopped, as text or, in JSON mode, as one JSON line. */
  const report = (message: string, code: 1 | 2, usage: boolean) => {
    const text = redact(message);
    if (json) io.stderr(`${JSON.stringify({ time: new Date().toISOString(), level: "error", event: code === 2 ? "cli.usage-error" : "cli.failed", message: text, ...(command ? { command } : {}), exitCode: code })}\n`);
    else io.stderr(`lifeboat${command ? ` ${command}` : ""}: ${text}\n${usage ? `\n${USAGE}\n` : code === 2 ? "Run `lifeboat --help` for usage.\n" : ""}`);
    return code;
  };
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: "string" },
        source: { type: "string", multiple: true },
        at: { type: "string" },
        target: { type: "string" },
        "dry-run": { type: "boolean" },
        "create-roles": { type: "boolean" },
        "no-owner": { type: "boolean" },
        "no-privileges": { type: "boolean" },
        jobs: { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        "progress-every": { type: "string" },
        "report-file": { type: "string" },
        "report-max-age": { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        "cache-seconds": { type: "string" },
        "drills-file": { type: "string" },
        "identity-file": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    values = parsed.values;
    command = parsed.positionals[0];
    if (values.help || command === "help") {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (!command) throw new UsageError("Name a command.");
    if (!(COMMANDS as readonly string[]).includes(command)) {
      const unknown = command;
      command = undefined;
      throw new UsageError(`Unknown command ${JSON.stringify(unknown)}; the commands are ${COMMANDS.join(", ")}.`);
    }
    if (parsed.positionals.length > 1) throw new UsageError(`Unexpected argument ${JSON.stringify(parsed.positionals[1])}.`);
  } catch (error) {
    return report((error as Error).message, 2, true);
  }
  const sources = (values.source as string[] | undefined) ?? [];
  const required = (name: string, value: unknown): string => {
    if (typeof value !== "string" || value === "") throw new UsageError(`${command} needs --${name}.`);
    return value;
  };
  const quiet = values.quiet === true;
  let progress: ProgressReporter | undefined;
  const toStderr = (text: string) => (progress ? progress.print(text, io.stderr) : io.stderr(text));
  const lines = lineOutput((line) => toStderr(`${line}\n`));
  const shown: Output = quiet ? { log: (event) => event.level !== "info" && lines.log(event), metrics: (source, values) => lines.metrics(source, values) } : lines;
  const output = io.observe ? teeOutput(shown, io.observe) : shown;
  const print = (value: unknown) => {
    const text = `${redact(JSON.stringify(value, null, 2))}\n`;
    if (progress) progress.print(text, io.stdout);
    else io.stdout(text);
  };
  try {
    if ((command === "backup" || command === "drill") && sources.length !== 1) throw new UsageError(`${command} needs exactly one --source.`);
    if (command === "restore") {
      required("source", sources[0]);
      required("at", values.at);
      required("target", values.target);
      if (sources.length !== 1) throw new UsageError("restore needs exactly one --source.");
      if (values.jobs !== undefined && !/^([1-9]|[12][0-9]|3[0-2])$/.test(values.jobs as string)) throw new UsageError(`--jobs (${JSON.stringify(values.jobs)}) must be a whole number from 1 to 32 (1 streams in one transaction).`);
    }
    const health = command === "health-server" ? healthServerOptions(values, (message) => new UsageError(message)) : undefined;
    const every = values["progress-every"];
    if (every !== undefined && !(/^\d+(\.\d+)?$/.test(every as string) && Number(every) >= MIN_PROGRESS_SECONDS && Number(every) <= 3600)) {
      throw new UsageError(`--progress-every (${JSON.stringify(every)}) must be a number of seconds from ${MIN_PROGRESS_SECONDS} to 3600.`);
    }
    const config = loadJobConfig(io.env, values.config as string | undefined);
    const identityFile = values["identity-file"];
    const env = typeof identityFile === "string" ? { ...io.env, LIFEBOAT_AGE_IDENTITY: undefined, LIFEBOAT_AGE_IDENTITY_FILE: identityFile } : io.env;
    const job = io.context ? io.context(config, output) : jobContext(config, output, { env });
    if (LONG_COMMANDS.has(command) && !quiet && !(command === "restore" && values["dry-run"] === true)) {
      const meter: ByteMeter = { read: 0, written: 0 };
      meterClient(job.vault, meter);
      const terminal = io.terminal && !json;
      const mode: ProgressMode = terminal ? { kind: "terminal", write: io.stderr, ...(io.terminal?.columns ? { columns: io.terminal.columns } : {}) } : { kind: "lines", output };
      const seconds = every !== undefined ? Number(every) : io.terminal ? 1 : 10;
      const label = `${command}${sources.length ? ` ${sources.join(", ")}` : ""}`;
      progress = new ProgressReporter(label, meter, mode, seconds, { command, ...(sources.length === 1 ? { source: sources[0] } : {}) }).start();
    }
    try {
      if (command === "health-server") {
        await serveHealthUntilStopped(job, health!, io.stopped);
        return 0;
      }
      return await run(command, job, values, sources, io, print, (message) => report(message, 1, false) as 1);
    } finally {
      progress?.stop();
      progress = undefined;
    }
  } catch (error) {
    if (error instanceof UsageError) return report(error.message, 2, true);
    return report(describeError(error), isInputError(error) ? 2 : 1, false);
  }
}

/** Runs one command whose arguments were checked; resolves to the exit status. */
async function run(
  command: string,
  job: JobContext,
  values: Record<string, string | boolean | string[] | undefined>,
  sources: string[],
  io: CliIo,
  print: (value: unknown) => void,
  fail: (message: string) => 1,
): Promise<number> {
  switch (command) {
    case "backup": {
      const result = await runBackup(job, sources[0]!);
      print(values.json ? result : { source: result.source, artifactKey: result.artifactKey, sizeBytes: result.manifest.sizeBytes, sha256: result.manifest.sha256, tier: result.manifest.tier, durationSeconds: result.durationSeconds });
      return 0;
    }
    case "verify": {
      const report = await verifySources(job, sources);
      if (typeof values["report-file"] === "string") {
        // Written whole, then renamed: a reader never sees half a report.
        const file = values["report-file"];
        await writeFile(`${file}.tmp`, `${JSON.stringify({ ...report, writtenAt: new Date().toISOString() }, null, 2)}\n`);
        await rename(`${file}.tmp`, file);
      }
      print(report);
      return report.ok ? 0 : 1;
    }
    case "restore": {
      const result = await runRestore(job, {
        source: sources[0]!,
        at: values.at as string,
        target: values.target as string,
        dryRun: values["dry-run"] === true,
        grants: { owners: values["no-owner"] !== true, privileges: values["no-privileges"] !== true, createRoles: values["create-roles"] === true },
        ...(values.jobs !== undefined ? { jobs: Number(values.jobs) } : {}),
      });
      print(result);
      return 0;
    }
    case "drill": {
      try {
        print((await runDrill(job, sources[0]!)).record);
        return 0;
      } catch (error) {
        if (!(error instanceof DrillFailedError)) throw error;
        print(error.result.record);
        return fail(error.message);
      }
    }
    case "records": {
      print(await estateRecords(job, sources));
      return 0;
    }
    default: {
      await list(job, sources, values.json === true, io);
      return 0;
    }
  }
}

/**
 * Lists each source's backups: complete ones, broken ones (a manifest and its artifact, but the
 * stored size differs from the manifest's: verify fails them, restore refuses them) and incomplete ones.
 */
async function list(job: JobContext, names: readonly string[], json: boolean, io: CliIo): Promise<void> {
  const sources = (names.length ? findSources(job.config, names) : job.config.sources).map((s) => s.name);
  const result = [];
  for (const source of sources) {
    const catalog = await catalogSource(job.vault, job.config.vault.bucket, source, job.config.vault.tiers);
    const describe = (b: (typeof catalog.complete)[number]) => ({ startedAt: b.manifest.startedAt, tier: b.manifest.tier, sizeBytes: b.manifest.sizeBytes, artifactKey: b.artifact.key });
    result.push({
      source,
      complete: catalog.complete.filter((b) => !sizeMismatch(b)).map(describe),
      broken: catalog.complete.filter((b) => sizeMismatch(b)).map((b) => ({ ...describe(b), storedBytes: b.artifact.size, reason: sizeMismatch(b)! })),
      incomplete: catalog.incomplete.map((i) => ({ key: i.entry.artifact?.key ?? i.entry.manifestObject?.key, reason: i.reason })),
    });
  }
  if (json) {
    io.stdout(`${JSON.stringify({ sources: result }, null, 2)}\n`);
    return;
  }
  for (const s of result) {
    io.stdout(`${s.source}: ${s.complete.length} complete, ${s.broken.length} broken, ${s.incomplete.length} incomplete\n`);
    for (const b of s.complete) io.stdout(`  ${b.startedAt}  ${b.tier.padEnd(7)}  ${String(b.sizeBytes).padStart(14)} B  ${b.artifactKey}\n`);
    for (const b of s.broken) io.stdout(`  BROKEN      ${b.artifactKey}: ${b.reason}\n`);
    for (const i of s.incomplete) io.stdout(`  INCOMPLETE  ${i.key}: ${i.reason}\n`);
  }
}
