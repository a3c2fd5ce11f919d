import type { S3Client } from "@aws-sdk/client-s3";
import type { JobConfig, ToolPaths } from "@lifeboat/constructs/core";
import { s3Client } from "./s3/client";
import { InputError } from "./support/errors";
import type { Output } from "./support/output";

/** Everything a job needs from its surroundings, so Lambda, the command line and tests differ only here. */
export interface JobContext {
  readonly config: JobConfig;
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
  /** The vault's S3 client. */
  readonly vault: S3Client;
}

/** Builds a job context with the vault client the configuration describes. */
export function jobContext(config: JobConfig, output: Output, options: { env?: NodeJS.ProcessEnv; now?: () => Date } = {}): JobContext {
  return { config, output, env: options.env ?? process.env, now: options.now ?? (() => new Date()), vault: s3Client(config.vault) };
}

/** The tool paths with their defaults. */
export function toolPaths(config: JobConfig): Required<Omit<ToolPaths, "postgres">> & Pick<ToolPaths, "postgres"> {
  return { pgDump: "pg_dump", pgRestore: "pg_restore", psql: "psql", zstd: "zstd", ...config.tools };
}

/** The configured source named `name`, or an error listing the sources there are. */
export function findSource(config: JobConfig, name: unknown) {
  return findSources(config, [name])[0]!;
}

/** The configured sources named in `names`, or one error naming every unknown one and the sources there are. */
export function findSources(config: JobConfig, names: readonly unknown[]) {
  const unknown = names.filter((name) => !config.sources.some((s) => s.name === name));
  if (unknown.length) {
    const list = unknown.map((name) => JSON.stringify(name)).join(", ");
    throw new InputError(`${unknown.length > 1 ? "There are no sources" : "There is no source"} named ${list} in the configuration.`, { hint: `The sources are: ${config.sources.map((s) => s.name).join(", ")}.` });
  }
  return names.map((name) => config.sources.find((s) => s.name === name)!);
}
