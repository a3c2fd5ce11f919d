import { type JobConfig } from "@lifeboat/constructs/core";
import { rename, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { runBackup } from "./backup/backup";
import { loadJobConfig } from "./config";
import { jobContext, type JobContext } from "./context";
import { DrillFailedError, runDrill } from "./drill/drill";
import { healthServerOptions, serveHealthUntilStopped } from "./health/command";
import { runRestore } from "./restore/restore";
import { catalogSource } from "./s3/catalog";
import { describeError } from "./support/errors";
import { lineOutput, teeOutput, type Output } from "./support/output";
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
}

export const USAGE = `Usage: lifeboat <command> [options]

Commands:
  backup  --source <name>                 Back up one source into the vault.
  verify  [--source <name>]... [--report-file <file>]
                                          Verify every source (or the named ones); prints a JSON report,
                                          and writes it to --report-file too (the runner's health endpoint reads it).
  restore --source <name> --at <timestamp|latest> --target <url> [--dry-run]
          [--create-roles] [--no-owner] [--no-privileges] [--jobs <n>]
                                          Restore the newest complete backup at or before --at.
                                          Targets: postgres://user@host:port/db (password in PGPASSWORD),
                                          redis://host:port, s3://bucket/prefix.
                                          PostgreSQL: owners and privileges are restored; --create-roles
                                          recreates the backup's roles the server lacks (no passwords);
                                          --jobs sets pg_restore -j (default: the machine's cores).
  drill   --source <name>                 Restore the newest complete backup into a scratch target, check it,
                                          measure restore time and data loss, clean up, record the drill.
  list    [--source <name>]...            List complete and incomplete backups.
  health-server [--host <address>] [--port <port>] [--report-file <file> [--report-max-age <minutes>]]
          [--cache-seconds <seconds>]     Serve GET /healthz until SIGTERM: 200 when every source's newest complete
                                          backup is within its RPO and the last verify (--report-file) passed,
                                          503 with a JSON reason per failing source. Defaults: 0.0.0.0, port 8080,
                                          vault read at most every 60 seconds.

Options:
  --config <file>   Job configuration (JSON). Default: $LIFEBOAT_CONFIG_FILE, else $LIFEBOAT_CONFIG.
  --json            Print the result as JSON (verify always does).
  --identity-file <file>
                    The age identity that decrypts an encrypted vault (restore, drill, and verify of
                    contents). Default: $LIFEBOAT_AGE_IDENTITY, else the file $LIFEBOAT_AGE_IDENTITY_FILE names.
  --help            Show this help.

Logs and metrics (CloudWatch Embedded Metric Format) are JSON lines on stderr; results on stdout.
Exit status: 0 success, 1 the job failed, 2 wrong usage.`;

class UsageError extends Error {}

const COMMANDS = ["backup", "verify", "restore", "drill", "list", "health-server"] as const;

/** Runs the `lifeboat` command line; resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let command: string | undefined;
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
        "report-file": { type: "string" },
        "report-max-age": { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        "cache-seconds": { type: "string" },
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
    if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`Unknown command ${JSON.stringify(command)}; the commands are ${COMMANDS.join(", ")}.`);
    if (parsed.positionals.length > 1) throw new UsageError(`Unexpected argument ${JSON.stringify(parsed.positionals[1])}.`);
  } catch (error) {
    io.stderr(`lifeboat: ${redact((error as Error).message)}\n\n${USAGE}\n`);
    return 2;
  }
  const sources = (values.source as string[] | undefined) ?? [];
  const required = (name: string, value: unknown): string => {
    if (typeof value !== "string" || value === "") throw new UsageError(`${command} needs --${name}.`);
    return value;
  };
  const lines = lineOutput((line) => io.stderr(`${line}\n`));
  const output = io.observe ? teeOutput(lines, io.observe) : lines;
  const print = (value: unknown) => io.stdout(`${redact(JSON.stringify(value, null, 2))}\n`);
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
    const config = loadJobConfig(io.env, values.config as string | undefined);
    const identityFile = values["identity-file"];
    const env = typeof identityFile === "string" ? { ...io.env, LIFEBOAT_AGE_IDENTITY: undefined, LIFEBOAT_AGE_IDENTITY_FILE: identityFile } : io.env;
    const job = io.context ? io.context(config, output) : jobContext(config, output, { env });
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
          io.stderr(`lifeboat drill: ${error.message}\n`);
          return 1;
        }
      }
      case "list": {
        await list(job, sources, values.json === true, io);
        return 0;
      }
      case "health-server": {
        await serveHealthUntilStopped(job, health!, io.stopped);
        return 0;
      }
    }
    return 2;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`lifeboat: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`lifeboat ${command}: ${describeError(error)}\n`);
    return 1;
  }
}

async function list(job: JobContext, names: readonly string[], json: boolean, io: CliIo): Promise<void> {
  const sources = names.length ? names : job.config.sources.map((s) => s.name);
  const result = [];
  for (const source of sources) {
    const catalog = await catalogSource(job.vault, job.config.vault.bucket, source, job.config.vault.tiers);
    result.push({
      source,
      complete: catalog.complete.map((b) => ({ startedAt: b.manifest.startedAt, tier: b.manifest.tier, sizeBytes: b.manifest.sizeBytes, artifactKey: b.artifact.key })),
      incomplete: catalog.incomplete.map((i) => ({ key: i.entry.artifact?.key ?? i.entry.manifestObject?.key, reason: i.reason })),
    });
  }
  if (json) {
    io.stdout(`${JSON.stringify({ sources: result }, null, 2)}\n`);
    return;
  }
  for (const s of result) {
    io.stdout(`${s.source}: ${s.complete.length} complete, ${s.incomplete.length} incomplete\n`);
    for (const b of s.complete) io.stdout(`  ${b.startedAt}  ${b.tier.padEnd(7)}  ${String(b.sizeBytes).padStart(14)} B  ${b.artifactKey}\n`);
    for (const i of s.incomplete) io.stdout(`  INCOMPLETE  ${i.key}: ${i.reason}\n`);
  }
}
