import type { RedisSourceConfig } from "@lifeboat/constructs/core";
import { pipeline } from "node:stream";
import { toolPaths, type JobContext } from "../context";
import { sourceEndpoint } from "../redis/endpoint";
import { RdbInspector, redisTables } from "../redis/inspector";
import { describeRedis } from "../redis/resp";
import { streamRdb } from "../redis/sync";
import { chooseCompression, startCompressor } from "../support/compression";
import { GateStream } from "../support/streams";
import { compressedArtifact, type ArtifactProducer } from "./producer";

/**
 * Streams a Redis server's RDB snapshot (the replication transfer `redis-cli --rdb` uses) through
 * the RDB reader (keys per database, checksum) into zstd or gzip.
 */
export async function redisProducer(job: JobContext, source: RedisSourceConfig): Promise<ArtifactProducer> {
  const endpoint = await sourceEndpoint(source, job.config.sources.indexOf(source), job.env);
  const zstd = toolPaths(job.config).zstd;
  const compression = await chooseCompression(zstd);
  const transfer = await streamRdb(endpoint);
  const inspector = new RdbInspector(`The snapshot of ${describeRedis(endpoint)}`);
  const compressor = startCompressor(compression, zstd);
  const gate = new GateStream(() => Promise.all([transfer.done, compressor.done()]).then(() => undefined));
  let failed = false;
  const fail = (error: Error | null | undefined) => {
    if (!error || failed) return;
    failed = true;
    transfer.stream.destroy();
    compressor.stop();
    gate.destroy(error);
  };
  pipeline(transfer.stream, inspector, compressor.input, fail);
  pipeline(compressor.output, gate, fail);
  return compressedArtifact("rdb", "redis-rdb", compression, gate, fail, async () => {
    const summary = inspector.summary;
    return {
      tool: { name: "lifeboat-redis-sync", version: `rdb ${summary.rdbVersion}` },
      ...(summary.redisVersion ? { server: { version: summary.redisVersion } } : {}),
      tables: redisTables(summary),
    };
  });
}
