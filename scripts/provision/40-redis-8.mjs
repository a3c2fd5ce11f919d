// Redis 8 (RDB 12), built from Debian sid's source package and cached by version.
import { ensureRedisFamily } from "../lib/redis-family-build.mjs";

export const name = "redis-8";

export async function ensure(ctx) {
  await ensureRedisFamily(ctx, "redis", "sid", "8");
}
