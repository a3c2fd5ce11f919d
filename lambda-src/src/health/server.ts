import { DEFAULT_HEALTH_CACHE_SECONDS, HEALTH_PATH, type HealthResponse } from "@lifeboat/constructs/core";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { JobContext } from "../context";
import { describeError } from "../support/errors";
import { judgeHealth, readReportState, readVaultState, type HealthJudgement, type VaultState } from "./health";

/** Where and how the health endpoint serves. */
export interface HealthServerOptions extends HealthJudgement {
  /** The address to bind: `0.0.0.0` on a runner (probed from outside), `127.0.0.1` in tests. */
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** How long what was read from the vault is reused. @default {@link DEFAULT_HEALTH_CACHE_SECONDS} */
  readonly cacheSeconds?: number;
}

/** A running health endpoint. */
export interface HealthServer {
  /** `http://<host>:<port>/healthz`. */
  readonly url: string;
  readonly port: number;
  /** Judges now, as a request would (the vault read from the cache when fresh enough). */
  check(): Promise<HealthResponse>;
  /** Stops listening, ends open connections and resolves when the server is closed. */
  close(): Promise<void>;
}

/**
 * Starts the backup-health endpoint: `GET /healthz` answers 200 with a JSON body when every source
 * is healthy and 503 with every failing source's reasons otherwise (see {@link judgeHealth}). The
 * vault is read at most once per `cacheSeconds` however many probes arrive (concurrent probes share
 * one read); the verification report, a local file, is read on every probe.
 */
export async function startHealthServer(job: JobContext, options: HealthServerOptions): Promise<HealthServer> {
  // A watch of a source the configuration lacks would never be judged: refuse it rather than pass silently.
  const unknown = (options.drillWatches ?? []).filter((w) => !job.config.sources.some((s) => s.name === w.source)).map((w) => w.source);
  if (unknown.length > 0) throw new Error(`The drill watches name ${unknown.join(", ")}, not in the job configuration (sources: ${job.config.sources.map((s) => s.name).join(", ")}); redeploy the runner so its drills file and configuration agree.`);
  const ttlMs = (options.cacheSeconds ?? DEFAULT_HEALTH_CACHE_SECONDS) * 1000;
  let cached: { at: number; state: Promise<VaultState> } | undefined;
  const vaultState = () => {
    const now = Date.now();
    if (!cached || now - cached.at >= ttlMs) cached = { at: now, state: readVaultState(job, options.drillWatches) };
    return cached.state;
  };
  const watchingSince = job.now();
  let wasHealthy: boolean | undefined;
  const check = async (): Promise<HealthResponse> => {
    const [vault, report] = await Promise.all([vaultState(), options.reportFile !== undefined ? readReportState(options.reportFile) : undefined]);
    const response = judgeHealth(job.config.sources, vault, report, job.now(), { ...options, watchingSince });
    if (response.healthy !== wasHealthy) {
      job.output.log(
        response.healthy
          ? { level: "info", event: "health.healthy", message: `Every source's newest backup is within its RPO and the last verification passed${options.drillWatches?.length ? "; every watched drill is sound" : ""}.` }
          : { level: "error", event: "health.failing", message: `Backup health is failing:\n  - ${response.failing!.join("\n  - ")}` },
      );
      wasHealthy = response.healthy;
    }
    return response;
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = `${JSON.stringify(body, null, 2)}\n`;
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(text), ...headers });
      response.end(request.method === "HEAD" ? undefined : text);
    };
    const path = (request.url ?? "/").split("?")[0];
    if (path !== HEALTH_PATH) return send(404, { error: `Nothing here; the backup health is at ${HEALTH_PATH}.` });
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, { error: `${request.method} is not allowed; use GET.` }, { allow: "GET, HEAD" });
    check().then(
      (result) => send(result.healthy ? 200 : 503, result),
      (error: unknown) => send(503, { healthy: false, checkedAt: job.now().toISOString(), failing: [`the health check itself failed: ${describeError(error)}`] }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}${HEALTH_PATH}`;
  job.output.log({ level: "info", event: "health.listening", message: `Serving backup health on ${url}.`, url });
  return {
    url,
    port,
    check,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
