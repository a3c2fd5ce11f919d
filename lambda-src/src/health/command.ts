import { DEFAULT_HEALTH_CACHE_SECONDS, DEFAULT_HEALTH_HOST, DEFAULT_HEALTH_PORT, drillWatchProblems, type DrillWatch } from "@lifeboat/constructs/core";
import { readFileSync } from "node:fs";
import type { JobContext } from "../context";
import { startHealthServer, type HealthServerOptions } from "./server";

/** The options of `lifeboat health-server` from its flags; `usage` makes the error for a bad flag (exit 2). */
export function healthServerOptions(values: Record<string, unknown>, usage: (message: string) => Error): HealthServerOptions {
  const problems: string[] = [];
  const number = (flag: string, min: number, max: number, integer: boolean, what: string): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      problems.push(`--${flag} (${JSON.stringify(raw)}) must be ${what}.`);
      return undefined;
    }
    return n;
  };
  const host = values.host ?? DEFAULT_HEALTH_HOST;
  if (typeof host !== "string" || host.trim() === "") problems.push(`--host (${JSON.stringify(host)}) must be an address to bind, such as 0.0.0.0 or 127.0.0.1.`);
  const port = number("port", 1, 65535, true, "a port from 1 to 65535") ?? DEFAULT_HEALTH_PORT;
  const cacheSeconds = number("cache-seconds", 0, 3600, false, "a number of seconds from 0 to 3600 (how long a vault read is reused)") ?? DEFAULT_HEALTH_CACHE_SECONDS;
  const reportMaxAgeMinutes = number("report-max-age", 1, 100_000, false, "a positive number of minutes (the oldest a verification report may be)");
  const reportFile = values["report-file"];
  if (reportFile !== undefined && (typeof reportFile !== "string" || reportFile === "")) problems.push("--report-file must name the file `lifeboat verify --report-file` writes.");
  if (values["report-max-age"] !== undefined && reportFile === undefined) problems.push("--report-max-age needs --report-file: it is the oldest the report in that file may be.");
  const drillWatches = readDrillWatches(values["drills-file"], problems);
  if (problems.length) throw usage(problems.join("\n"));
  return { host: host as string, port, cacheSeconds, ...(typeof reportFile === "string" ? { reportFile } : {}), ...(reportMaxAgeMinutes !== undefined ? { reportMaxAgeMinutes } : {}), ...(drillWatches ? { drillWatches } : {}) };
}

/** The drill watches in `--drills-file` (written by the runner's cloud-init); a problem for each way it is unusable. */
function readDrillWatches(file: unknown, problems: string[]): DrillWatch[] | undefined {
  if (file === undefined) return undefined;
  if (typeof file !== "string" || file === "") {
    problems.push("--drills-file must name the drill watches file (the runner's /etc/lifeboat/drills.json).");
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    problems.push(`--drills-file (${JSON.stringify(file)}) cannot be read as JSON: ${(error as Error).message}. Redeploy the runner, or drop the flag to stop judging drills.`);
    return undefined;
  }
  const found = drillWatchProblems(value);
  if (found.length) problems.push(...found.map((p) => `--drills-file (${JSON.stringify(file)}) ${p}`));
  return found.length ? undefined : (value as DrillWatch[]);
}

/** Serves the health endpoint until `stopped` resolves (by default SIGTERM or SIGINT), then closes it cleanly. */
export async function serveHealthUntilStopped(job: JobContext, options: HealthServerOptions, stopped?: Promise<unknown>): Promise<void> {
  const server = await startHealthServer(job, options);
  let onSignal: (() => void) | undefined;
  await (stopped ??
    new Promise<void>((resolve) => {
      onSignal = resolve;
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
    }));
  if (onSignal) {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
  await server.close();
  job.output.log({ level: "info", event: "health.stopped", message: `Stopped serving backup health on ${server.url}.` });
}
