import { S3Client } from "@aws-sdk/client-s3";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Transform } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";
import { stopOnFailure } from "./servers";

/** A request the proxy saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  /** The status the client got. */
  status?: number;
}

/** A fault to inject: answer requests that match with `status` (no forwarding), `times` times. */
interface Fault {
  readonly match: (r: SeenRequest) => boolean;
  times: number;
  readonly status: number;
}

/**
 * An S3-protocol server for the tests: s3rver in a child process on 127.0.0.1, behind a proxy that
 * records requests, injects faults (5xx answers, a server that stops) and implements what s3rver
 * lacks for multipart uploads: AbortMultipartUpload and a count of unfinished uploads.
 */
export class TestS3 {
  readonly requests: SeenRequest[] = [];
  /** Bytes per second each request and each answer is held to (0: unlimited): a slow, distant S3. */
  bytesPerSecond = 0;
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Socket>();
  private proxy?: Server;

  private constructor(
    readonly directory: string,
    readonly port: number,
    private readonly upstreamPort: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(buckets: readonly string[]): Promise<TestS3> {
    const directory = mkdtempSync(join(tmpdir(), "lifeboat-s3-"));
    const upstreamPort = await freePort();
    const child = spawn(process.execPath, ["--openssl-legacy-provider", join(__dirname, "s3rver-main.cjs"), directory, String(upstreamPort), ...buckets], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    return stopOnFailure(
      async () => {
        await new Promise<void>((resolve, reject) => {
          child.stdout!.once("data", () => resolve());
          child.once("error", reject);
          child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
        });
        const s3 = new TestS3(directory, await freePort(), upstreamPort, child);
        await s3.listen();
        return s3;
      },
      () => {
        child.kill("SIGKILL");
        rmSync(directory, { recursive: true, force: true });
      },
    );
  }

  /** The endpoint the jobs use: the proxy. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** s3rver itself, without the proxy (benchmarks). */
  get directEndpoint(): string {
    return `http://127.0.0.1:${this.upstreamPort}`;
  }

  /** A client that talks to s3rver directly, bypassing faults: what is really stored. */
  directClient(): S3Client {
    return new S3Client({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${this.upstreamPort}`,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  /** Answers the next `times` requests matching `match` with `status` instead of forwarding them. */
  failNext(match: (r: SeenRequest) => boolean, times: number, status = 503): void {
    this.faults.push({ match, times, status });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Multipart uploads begun and neither completed nor aborted, in `bucket`. */
  unfinishedUploads(bucket: string): string[] {
    const dir = join(this.directory, bucket, "._S3rver_uploads");
    return existsSync(dir) ? readdirSync(dir) : [];
  }

  /** Stops answering: closes the listener and drops every connection, like a server that died. */
  async stopProxy(): Promise<void> {
    const proxy = this.proxy;
    this.proxy = undefined;
    if (!proxy) return;
    const closed = new Promise<void>((resolve) => proxy.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Starts answering again on the same port. */
  async restartProxy(): Promise<void> {
    if (!this.proxy) await this.listen();
  }

  async stop(): Promise<void> {
    await this.stopProxy();
    this.child.kill("SIGKILL");
    rmSync(this.directory, { recursive: true, force: true });
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.proxy = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const seen: SeenRequest = { method: req.method ?? "GET", path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers };
    this.requests.push(seen);
    const fault = this.faults.find((f) => f.times > 0 && f.match(seen));
    if (fault) {
      fault.times--;
      seen.status = fault.status;
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.status === 503 ? "SlowDown" : "InternalError"}</Code><Message>injected by the test</Message></Error>`);
      return;
    }
    if (seen.method === "DELETE" && url.searchParams.has("uploadId")) return this.abortUpload(seen, url, req, res);
    const upstream = request({ host: "127.0.0.1", port: this.upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      seen.status = answer.statusCode;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(this.throttle()).pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(this.throttle()).pipe(upstream);
  }

  /** A pass-through held to {@link bytesPerSecond}. */
  private throttle(): Transform {
    const rate = this.bytesPerSecond;
    const started = Date.now();
    let bytes = 0;
    return new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        const due = rate > 0 ? started + (bytes / rate) * 1000 - Date.now() : 0;
        if (due > 0) setTimeout(() => callback(null, chunk), due);
        else callback(null, chunk);
      },
    });
  }

  /** AbortMultipartUpload, which s3rver does not implement: drop the upload's parts. */
  private abortUpload(seen: SeenRequest, url: URL, req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const bucket = url.pathname.split("/")[1]!;
    const uploadId = url.searchParams.get("uploadId")!;
    const dir = join(this.directory, bucket, "._S3rver_uploads", uploadId);
    if (!/^[\w-]+$/.test(uploadId) || !existsSync(dir)) {
      seen.status = 404;
      res.writeHead(404, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>no such upload</Message></Error>`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
    seen.status = 204;
    res.writeHead(204);
    res.end();
  }
}

/** Whether a request is an UploadPart. */
export const isUploadPart = (r: SeenRequest) => r.method === "PUT" && r.query.has("partNumber") && r.query.has("uploadId");
