// Valkey 9 (`VALKEY` magic, RDB 80+), built from Debian sid's source package and cached by version.
import { ensureRedisFamily } from "../lib/redis-family-build.mjs";

export const name = "valkey-9";

export async function ensure(ctx) {
  await ensureRedisFamily(ctx, "valkey", "sid", "9");
}
