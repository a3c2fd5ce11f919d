import { parseJobConfig, type JobConfig, type ObjectsSourceConfig } from "@lifeboat/constructs/core";
import { jobContext, lineOutput, type JobContext, type LogEvent, type Output } from "../../src";
import { postgresBin } from "./postgres";
import { postgresClientDir, postgresClientMajors } from "./tools";
import type { TestS3 } from "./s3";

/** The SDK reads these: s3rver's fixed keys and a region. Loopback only. */
export function useTestAwsEnvironment(): void {
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  process.env.AWS_REGION = "us-east-1";
  delete process.env.AWS_PROFILE;
}

/** A vault on the test S3 server, with the settings s3rver needs. */
export function testVault(s3: TestS3, bucket = "vault") {
  return {
    bucket,
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    checksums: "when-required" as const,
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    partSizeMiB: 5,
    queueSize: 2,
    maxAttempts: 3,
  };
}

/** The environment variables that hold the test S3 server's keys for a bucket source (`uploadsSource`'s credentials). */
export const BUCKET_SOURCE_KEYS = { SPACES_KEY: "S3RVER", SPACES_SECRET: "S3RVER" } as const;

/**
 * An objects source `uploads`: the test S3 server's bucket `uploads` under `media/`, read with the
 * keys in `BUCKET_SOURCE_KEYS` and the settings s3rver needs; `extra` adds or replaces settings.
 */
export function uploadsSource(s3: TestS3, extra: Partial<ObjectsSourceConfig> = {}): ObjectsSourceConfig {
  return {
    name: "uploads",
    kind: "objects",
    rpoMinutes: 1440,
    bucket: "uploads",
    prefix: "media/",
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    checksums: "when-required",
    credentials: { env: { username: "SPACES_KEY", password: "SPACES_SECRET" } },
    ...extra,
  };
}

/**
 * A validated configuration with the tests' PostgreSQL client tools: Debian's 15 (also as the
 * single-tool settings) and the provisioned builds of newer majors in `tools.postgres`.
 */
export function testConfig(config: Omit<JobConfig, "tools"> & { tools?: JobConfig["tools"] }): JobConfig {
  const postgres = Object.fromEntries(postgresClientMajors.map((major) => [String(major), postgresClientDir(major)]));
  return parseJobConfig({
    ...config,
    tools: { pgDump: postgresBin("pg_dump"), pgRestore: postgresBin("pg_restore"), psql: postgresBin("psql"), postgres, ...config.tools },
  });
}

/** Everything a job wrote, parsed. */
export class CapturedOutput implements Output {
  readonly lines: string[] = [];
  private readonly inner = lineOutput((line) => this.lines.push(line));
  private readonly listeners: ((e: LogEvent) => void)[] = [];

  log(event: LogEvent): void {
    this.inner.log(event);
    this.listeners.forEach((l) => l(event));
  }

  metrics(source: string, values: Parameters<Output["metrics"]>[1]): void {
    this.inner.metrics(source, values);
  }

  onLog(listener: (e: LogEvent) => void): void {
    this.listeners.push(listener);
  }

  get documents(): Record<string, any>[] {
    return this.lines.map((l) => JSON.parse(l));
  }

  /** The EMF documents, as { source, metric values }. */
  get metricDocuments(): Record<string, any>[] {
    return this.documents.filter((d) => d._aws);
  }

  get text(): string {
    return this.lines.join("\n");
  }
}

/** A job context on `config` whose output is captured. */
export function testJob(config: JobConfig, env: NodeJS.ProcessEnv = process.env, now?: () => Date): { job: JobContext; output: CapturedOutput } {
  const output = new CapturedOutput();
  return { job: jobContext(config, output, { env, ...(now ? { now } : {}) }), output };
}
