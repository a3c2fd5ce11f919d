import type { S3Client } from "@aws-sdk/client-s3";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream";

/** Bytes a client moved to and from S3 so far. */
export interface ByteMeter {
  /** Response bytes of GetObject, counted as they are read. */
  read: number;
  /** Request bytes of PutObject and UploadPart, counted once S3 stored them. */
  written: number;
}

const READS = new Set(["GetObjectCommand"]);
const WRITES = new Set(["PutObjectCommand", "UploadPartCommand"]);

/**
 * Counts in `meter` the object bytes `client` reads and writes: a middleware under the SDK's
 * deserializer swaps each GetObject response body for a counting pass-through (the SDK then adds its
 * stream helpers to it as usual), and adds a PutObject or UploadPart body's length when S3 answered
 * it with success. Every command of the client, whoever sends it, is counted: progress needs no
 * hook in the jobs.
 */
export function meterClient(client: S3Client, meter: ByteMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? "";
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      if (READS.has(command) && response.body instanceof Readable) {
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            meter.read += chunk.length;
            callback(null, chunk);
          },
        });
        pipeline(response.body, counter, () => undefined);
        response.body = counter;
      } else if (WRITES.has(command) && (response.statusCode ?? 0) < 300) {
        const body = (args.request as { body?: unknown }).body;
        if (Buffer.isBuffer(body) || body instanceof Uint8Array) meter.written += body.byteLength;
        else if (typeof body === "string") meter.written += Buffer.byteLength(body);
      }
      return result;
    },
    { step: "deserialize", priority: "low", name: "lifeboatByteMeter", override: true },
  );
}
