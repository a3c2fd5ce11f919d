import type { JobConfig } from "@lifeboat/constructs/core";
import { loadJobConfig } from "../config";
import { jobContext, type JobContext } from "../context";
import { lineOutput } from "../support/output";

let cached: { config: JobConfig; job: JobContext } | undefined;

/**
 * The job context of a Lambda container, built once: configuration from `LIFEBOAT_CONFIG`, logs and
 * Embedded Metric Format lines written straight to stdout (not through `console`, whose prefix would
 * stop CloudWatch from reading the metrics).
 */
export function lambdaJob(): JobContext {
  if (!cached) {
    const config = loadJobConfig(process.env);
    const output = lineOutput((line) => process.stdout.write(`${line}\n`));
    cached = { config, job: jobContext(config, output) };
  }
  return cached.job;
}
