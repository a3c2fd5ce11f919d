import { describe, expect, it } from "vitest";
import { artifactKey, manifestKey, objectCopiesPrefix, objectCopyKey, parseBackupKey, tierFor } from "@lifeboat/constructs/core";

describe("the vault layout", () => {
  it("keeps copied objects under the source's objects/ folder, outside the backup keys", () => {
    const digest = "ab".repeat(32);

    const key = objectCopyKey("files", digest);

    expect(key).toBe(`files/objects/ab/${digest}`);
    expect(key.startsWith(objectCopiesPrefix("files"))).toBe(true);
    expect(parseBackupKey(key)).toBeUndefined();
  });

  it("takes apart the artifact and manifest keys it builds", () => {
    const at = new Date("2026-03-02T04:05:06.789Z");

    expect(parseBackupKey(artifactKey("pg", at, "dump.zst"))).toMatchObject({ source: "pg", stamp: "20260302T040506Z", isManifest: false, extension: "dump.zst" });
    expect(parseBackupKey(manifestKey("pg", at))).toMatchObject({ isManifest: true });
  });

  it("makes the first backup of a month monthly, of an ISO week weekly, the rest daily", () => {
    const sunday = new Date("2026-03-01T00:00:00Z");
    const monday = new Date("2026-03-02T00:00:00Z");

    expect(tierFor(sunday, [])).toBe("monthly");
    expect(tierFor(monday, [sunday])).toBe("weekly");
    expect(tierFor(new Date("2026-03-02T06:00:00Z"), [sunday, monday])).toBe("daily");
  });
});
