import { DEFAULT_REDIS_TIMEOUT_SECONDS, type RedisSourceConfig } from "@lifeboat/constructs/core";
import { pipeline, type Readable } from "node:stream";
import { toolPaths, type JobContext } from "../context";
import { sourceEndpoint } from "../redis/endpoint";
import { RdbInspector, redisTables } from "../redis/inspector";
import { describeRedis, type RedisEndpoint } from "../redis/resp";
import { SCAN_CAPTURE, streamKeysAsRdb } from "../redis/scan";
import { streamRdb, SyncRefusedError } from "../redis/sync";
import { chooseCompression, startCompressor } from "../support/compression";
import { GateStream } from "../support/streams";
import { compressedArtifact, type ArtifactProducer } from "./producer";

/** The data of a Redis backup as an RDB stream, however it was read. */
interface RdbSource {
  readonly stream: Readable;
  /** Settles when the transfer is complete (or failed). */
  readonly done: Promise<void>;
  readonly stop: () => void;
  readonly capture: { readonly method: string; readonly pointInTime: boolean; readonly note?: string };
}

/** The RDB snapshot over `SYNC`; with `mode: "auto"`, a key-by-key copy when the server refuses SYNC. */
async function openRdbSource(job: JobContext, source: RedisSourceConfig, endpoint: RedisEndpoint, timeoutMs: number): Promise<RdbSource> {
  const mode = source.mode ?? "auto";
  if (mode !== "scan") {
    const transfer = await streamRdb(endpoint, timeoutMs);
    try {
      await transfer.started;
      return { stream: transfer.stream, done: transfer.done, stop: () => transfer.stream.destroy(), capture: { method: "sync", pointInTime: true } };
    } catch (error) {
      if (!(mode === "auto" && error instanceof SyncRefusedError)) throw error;
      job.output.log({ level: "warn", event: "backup.sync-refused", message: `${error.message.split(". ")[0]}; copying ${source.name} key by key (SCAN + DUMP) instead: not a point-in-time snapshot.`, source: source.name });
    }
  }
  const scan = streamKeysAsRdb(endpoint, timeoutMs);
  const done = new Promise<void>((resolve, reject) => {
    scan.stream.once("end", resolve);
    scan.stream.once("error", reject);
  });
  done.catch(() => undefined);
  return { stream: scan.stream, done, stop: scan.stop, capture: SCAN_CAPTURE };
}

/**
 * Streams a Redis or Valkey server's data as an RDB file (the replication transfer `redis-cli --rdb`
 * uses, or a key-by-key copy for servers that refuse it) through the RDB reader (keys per database,
 * checksum) into zstd or gzip.
 */
export async function redisProducer(job: JobContext, source: RedisSourceConfig): Promise<ArtifactProducer> {
  const endpoint = await sourceEndpoint(source, job.config.sources.indexOf(source), job.env);
  const timeoutMs = (source.timeoutSeconds ?? DEFAULT_REDIS_TIMEOUT_SECONDS) * 1000;
  const zstd = toolPaths(job.config).zstd;
  const compression = await chooseCompression(zstd);
  const transfer = await openRdbSource(job, source, endpoint, timeoutMs);
  const inspector = new RdbInspector(`The data of ${describeRedis(endpoint)}`);
  const compressor = startCompressor(compression, zstd);
  const gate = new GateStream(() => Promise.all([transfer.done, compressor.done()]).then(() => undefined));
  let failed = false;
  const fail = (error: Error | null | undefined) => {
    if (!error || failed) return;
    failed = true;
    transfer.stop();
    transfer.stream.destroy();
    compressor.stop();
    gate.destroy(error);
  };
  pipeline(transfer.stream, inspector, compressor.input, fail);
  pipeline(compressor.output, gate, fail);
  return compressedArtifact("rdb", "redis-rdb", compression, gate, fail, async () => {
    const summary = inspector.summary;
    return {
      tool: { name: "lifeboat-redis", version: `${summary.magic} rdb ${summary.rdbVersion}` },
      ...(summary.redisVersion ? { server: { version: summary.redisVersion } } : {}),
      ...(summary.notInspected ? { contentsNotInspected: { reason: summary.notInspected } } : { tables: redisTables(summary) }),
      capture: transfer.capture,
    };
  });
}
