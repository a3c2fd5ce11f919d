import { PassThrough, type Readable } from "node:stream";
import { JobError } from "../support/errors";
import { encodeCommand, openSocket, type RedisEndpoint, describeRedis } from "./resp";

const EOF_MARK_LENGTH = 40;

/** The server answered `SYNC` with an error: it does not serve replication to this client. */
export class SyncRefusedError extends JobError {}

/**
 * Streams a Redis server's RDB snapshot the way `redis-cli --rdb` obtains it: authenticate, ask for
 * the RDB only (`REPLCONF rdb-only 1`, Redis 7), send `SYNC`, and read the bulk transfer, in either of
 * its shapes: a length (`$<bytes>`), or diskless (`$EOF:<40-byte mark>`, ended by the same mark).
 * The stream carries the RDB file exactly, and fails if the transfer ends early.
 *
 * `started` settles once the server has accepted `SYNC` (resolves) or refused it (rejects with
 * {@link SyncRefusedError}: managed services such as ElastiCache, MemoryDB and DigitalOcean's managed
 * Valkey disable it). Waits at most `timeoutMs` for the connection and for each next byte: a server
 * that stops mid-transfer fails the stream (the wait is suspended while the consumer holds the
 * stream back, so a slow upload is not mistaken for a stalled server).
 */
export async function streamRdb(e: RedisEndpoint, timeoutMs = 60_000): Promise<{ stream: Readable; done: Promise<void>; started: Promise<void> }> {
  const socket = await openSocket(e, timeoutMs);
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  // A refusal can come before anyone reads the stream; `done` and `started` carry the error.
  out.on("error", () => undefined);
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined);
  let accepted!: { resolve: () => void; reject: (e: Error) => void };
  const started = new Promise<void>((resolve, reject) => (accepted = { resolve, reject }));
  started.catch(() => undefined);
  const fail = (error: Error) => {
    socket.destroy();
    out.destroy(error);
    accepted.reject(error);
    settle.reject(error);
  };
  socket.setTimeout(timeoutMs);
  socket.on("timeout", () => {
    if (!finished) fail(new JobError(`${describeRedis(e)} sent nothing for ${timeoutMs / 1000} s during the snapshot transfer.`, { hint: "The server is overloaded, stopped or unreachable; raise the source's `timeoutSeconds` if it is only slow." }));
  });
  const pause = () => {
    socket.pause();
    socket.setTimeout(0);
  };

  // Redis refuses SYNC while replies are pending, so AUTH and REPLCONF each wait for their reply.
  const hello: Buffer[] = [];
  if (e.password !== undefined) hello.push(encodeCommand(e.username ? ["AUTH", e.username, e.password] : ["AUTH", e.password]));
  hello.push(encodeCommand(["REPLCONF", "rdb-only", "1"]));
  let buffer: Buffer = Buffer.alloc(0);
  let mode: "replies" | "preamble" | "length" | "mark" = "replies";
  let remaining = 0;
  let mark: Buffer | undefined;
  let held: Buffer = Buffer.alloc(0);
  let finished = false;

  const finish = () => {
    finished = true;
    accepted.resolve();
    socket.destroy();
    out.end();
    settle.resolve();
  };

  socket.on("data", (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    try {
      while (buffer.length > 0 && !finished) {
        if (mode === "replies" || mode === "preamble") {
          // The master sends bare newlines as keep-alives while it prepares the snapshot.
          if (mode === "preamble" && buffer[0] === 0x0a) {
            buffer = buffer.subarray(1);
            continue;
          }
          const eol = buffer.indexOf("\r\n");
          if (eol === -1) return;
          const line = buffer.toString("latin1", 0, eol);
          buffer = buffer.subarray(eol + 2);
          if (mode === "replies") {
            if (line.startsWith("-") && !/REPLCONF|rdb-only/i.test(line)) throw new JobError(`${describeRedis(e)} refused the snapshot request: ${line.slice(1)}`, { hint: line.includes("NOAUTH") || line.includes("WRONGPASS") ? "Check the source's credentials." : "The user needs permission for SYNC and REPLCONF." });
            if (hello.length > 0) socket.write(hello.shift()!);
            else {
              mode = "preamble";
              socket.write(encodeCommand(["SYNC"]));
            }
            continue;
          }
          if (line.startsWith("-")) throw new SyncRefusedError(`${describeRedis(e)} refused SYNC: ${line.slice(1)}`, { hint: 'Managed services such as ElastiCache, MemoryDB and DigitalOcean\'s Valkey disable SYNC; the source\'s `mode: "scan"` (or "auto") copies them key by key instead.' });
          if (!line.startsWith("$")) throw new JobError(`${describeRedis(e)} answered SYNC with ${JSON.stringify(line.slice(0, 40))} instead of a bulk transfer.`);
          if (line.startsWith("$EOF:")) {
            mark = Buffer.from(line.slice(5), "latin1");
            if (mark.length !== EOF_MARK_LENGTH) throw new JobError(`${describeRedis(e)} sent a diskless transfer mark of ${mark.length} bytes instead of ${EOF_MARK_LENGTH}.`);
            mode = "mark";
            accepted.resolve();
          } else {
            remaining = Number(line.slice(1));
            if (!Number.isSafeInteger(remaining) || remaining < 0) throw new JobError(`${describeRedis(e)} announced a transfer of ${line.slice(1)} bytes.`);
            mode = "length";
            accepted.resolve();
            if (remaining === 0) finish();
          }
          continue;
        }
        if (mode === "length") {
          const take = buffer.subarray(0, Math.min(remaining, buffer.length));
          buffer = buffer.subarray(take.length);
          remaining -= take.length;
          if (!out.write(take)) pause();
          if (remaining === 0) finish();
          continue;
        }
        // Diskless: everything but the last 40 bytes is payload until those 40 bytes are the mark.
        held = Buffer.concat([held, buffer]);
        buffer = Buffer.alloc(0);
        if (held.length >= EOF_MARK_LENGTH && held.subarray(-EOF_MARK_LENGTH).equals(mark!)) {
          const payload = held.subarray(0, held.length - EOF_MARK_LENGTH);
          if (payload.length) out.write(payload);
          finish();
        } else if (held.length > EOF_MARK_LENGTH) {
          if (!out.write(held.subarray(0, held.length - EOF_MARK_LENGTH))) pause();
          held = Buffer.from(held.subarray(held.length - EOF_MARK_LENGTH));
        }
      }
    } catch (error) {
      fail(error as Error);
    }
  });
  out.on("drain", () => {
    socket.setTimeout(timeoutMs);
    socket.resume();
  });
  socket.on("error", (error) => {
    if (!finished) fail(new JobError(`The snapshot transfer from ${describeRedis(e)} failed: ${error.message}.`));
  });
  socket.on("close", () => {
    if (!finished) fail(new JobError(`${describeRedis(e)} closed the connection before the snapshot was complete.`));
  });

  socket.write(hello.shift()!);
  return { stream: out, done, started };
}
