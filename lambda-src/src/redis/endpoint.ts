import type { RedisSourceConfig } from "@lifeboat/constructs/core";
import { resolveCredentials } from "../credentials";
import { InputError } from "../support/errors";
import { redact, registerSecret } from "../support/redact";
import type { RedisEndpoint } from "./resp";

/** The endpoint of a configured Redis source. */
export async function sourceEndpoint(source: RedisSourceConfig, index: number, env: NodeJS.ProcessEnv): Promise<RedisEndpoint> {
  const credentials = await resolveCredentials(source.credentials, `sources[${index}].credentials`, env);
  return {
    host: source.host,
    port: source.port ?? 6379,
    ...(source.tls ? { tls: true } : {}),
    ...(credentials?.username ? { username: credentials.username } : {}),
    ...(credentials?.password !== undefined ? { password: credentials.password } : {}),
  };
}

/** Parses `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
export function parseRedisUrl(url: string, argument = "--target"): RedisEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${argument} (${redact(JSON.stringify(url))}) is not a URL.`, { hint: "Write it like redis://host:6379/0." });
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") throw new InputError(`${argument} (${redact(url)}) must be a redis:// or rediss:// URL.`);
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  registerSecret(password);
  const db = parsed.pathname.replace(/^\//, "");
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.protocol === "rediss:" ? { tls: true } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(db ? { db: Number(db) } : {}),
  };
}
