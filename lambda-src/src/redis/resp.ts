import { connect as tcpConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { JobError } from "../support/errors";

/** Where and as whom to connect to Redis. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tls?: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
}

export function describeRedis(e: RedisEndpoint): string {
  return `redis${e.tls ? "s" : ""}://${e.username ? `${encodeURIComponent(e.username)}@` : ""}${e.host}:${e.port}${e.db ? `/${e.db}` : ""}`;
}

/** Encodes a command in RESP. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

export type Reply = string | number | Buffer | null | Reply[] | ReplyError;

/** An error reply (`-ERR ...`). */
export class ReplyError {
  constructor(readonly message: string) {}
}

/** Parses one reply from `buf` at `pos`; `undefined` when more bytes are needed. */
function parseReply(buf: Buffer, pos: number): { reply: Reply; next: number } | undefined {
  const eol = buf.indexOf("\r\n", pos);
  if (eol === -1) return undefined;
  const line = buf.toString("utf8", pos + 1, eol);
  switch (buf[pos]) {
    case 0x2b: // +
      return { reply: line, next: eol + 2 };
    case 0x2d: // -
      return { reply: new ReplyError(line), next: eol + 2 };
    case 0x3a: // :
      return { reply: Number(line), next: eol + 2 };
    case 0x24: {
      // $
      const n = Number(line);
      if (n < 0) return { reply: null, next: eol + 2 };
      if (buf.length < eol + 2 + n + 2) return undefined;
      return { reply: buf.subarray(eol + 2, eol + 2 + n), next: eol + 2 + n + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(line);
      if (n < 0) return { reply: null, next: eol + 2 };
      const items: Reply[] = [];
      let next = eol + 2;
      for (let i = 0; i < n; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.reply);
        next = item.next;
      }
      return { reply: items, next };
    }
    default:
      throw new JobError(`Redis sent a reply this client does not understand (first byte 0x${buf[pos]!.toString(16)}).`);
  }
}

/** Opens a TCP or TLS connection, failing clearly after `timeoutMs`. */
export function openSocket(e: RedisEndpoint, timeoutMs = 10_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = e.tls ? tlsConnect({ host: e.host, port: e.port, servername: e.host }) : tcpConnect({ host: e.host, port: e.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new JobError(`Connecting to ${describeRedis(e)} timed out after ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    socket.once(e.tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new JobError(`Connecting to ${describeRedis(e)} failed: ${error.message}.`, { hint: "Check the host, port, TLS setting and that this machine may connect to it." }));
    });
  });
}

/**
 * A minimal pipelining Redis client: enough for AUTH, SELECT, RESTORE and INFO. Replies come back
 * in order; at most `maxPending` commands wait for replies at once.
 */
export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private failure?: Error;
  private readonly roomWaiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly endpoint: RedisEndpoint,
    private readonly timeoutMs: number,
    private readonly maxPending = 256,
  ) {
    socket.on("data", (chunk: Buffer) => {
      this.onData(chunk);
      this.arm(true);
    });
    socket.on("error", (error) => this.fail(new JobError(`The connection to ${describeRedis(endpoint)} failed: ${error.message}.`)));
    socket.on("close", () => this.fail(new JobError(`${describeRedis(endpoint)} closed the connection.`)));
  }

  /**
   * Connects and authenticates. Every step waits at most `timeoutMs`: the connection, and while
   * replies are outstanding, the next bytes of them; a server that stops answering fails every
   * outstanding and later command.
   */
  static async connect(e: RedisEndpoint, timeoutMs = 10_000): Promise<RespClient> {
    const client = new RespClient(await openSocket(e, timeoutMs), e, timeoutMs);
    if (e.password !== undefined) await client.call(e.username ? ["AUTH", e.username, e.password] : ["AUTH", e.password]);
    if (e.db) await client.call(["SELECT", String(e.db)]);
    return client;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let pos = 0;
    while (this.waiting.length > 0) {
      const parsed = parseReply(this.buffer, pos);
      if (!parsed) break;
      pos = parsed.next;
      this.waiting.shift()!.resolve(parsed.reply);
    }
    this.buffer = this.buffer.subarray(pos);
    if (this.waiting.length < this.maxPending / 2) for (const resume of this.roomWaiters.splice(0)) resume();
  }

  /** Starts (or with `restart`, restarts) the reply timer while replies are outstanding; stops it otherwise. */
  private arm(restart = false): void {
    if (this.waiting.length === 0 || this.failure) {
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer && !restart) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fail(new JobError(`${describeRedis(this.endpoint)} sent nothing for ${this.timeoutMs / 1000} s while a reply was due.`, { hint: "The server is overloaded, stopped or unreachable; raise the source's `timeoutSeconds` if it is only slow." }));
      this.socket.destroy();
    }, this.timeoutMs);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    clearTimeout(this.timer);
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
    for (const resume of this.roomWaiters.splice(0)) resume();
  }

  /** Resolves once fewer than `maxPending` replies are outstanding: await it before each pipelined {@link send}. */
  room(): Promise<void> {
    if (this.failure || this.waiting.length < this.maxPending) return Promise.resolve();
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /** Sends a command at once (commands go out in call order) and returns its reply. */
  send(args: readonly (string | Buffer)[]): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const reply = new Promise<Reply>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.socket.write(encodeCommand(args));
    this.arm();
    return reply;
  }

  /** Sends a command and fails on an error reply, naming the command (never its arguments). */
  async call(args: readonly (string | Buffer)[]): Promise<Reply> {
    const reply = await this.send(args);
    if (reply instanceof ReplyError) throw new JobError(`${describeRedis(this.endpoint)} refused ${String(args[0])}: ${reply.message}`);
    return reply;
  }

  close(): void {
    this.failure ??= new JobError("The connection was closed.");
    clearTimeout(this.timer);
    this.socket.destroy();
  }
}
