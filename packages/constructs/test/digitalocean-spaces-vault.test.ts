import { describe, expect, it } from "vitest";
import { SpacesVault } from "@lifeboat/constructs/pulumi/digitalocean";
import { errorOf, record } from "./support";

const BUCKET = "digitalocean:index/spacesBucket:SpacesBucket";
const KEY = "digitalocean:index/spacesKey:SpacesKey";

describe("SpacesVault", () => {
  it("creates a private, versioned bucket that outlives the stack", async () => {
    const rec = await record(() => new SpacesVault("backups", { region: "nyc3" }));

    expect(rec.get(BUCKET, "backups-bucket").inputs).toMatchObject({ region: "nyc3", acl: "private", versioning: { enabled: true }, forceDestroy: false });
  });

  it("expires each tier under its own key prefix, since Spaces filters lifecycle rules by prefix only", async () => {
    const rec = await record(() => new SpacesVault("backups", { region: "fra1", retention: { daily: "30d", weekly: "90d", monthly: "1y", noncurrentVersions: "30d", abortIncompleteUploadsAfter: "3d" } }));
    const rules = rec.get(BUCKET, "backups-bucket").inputs.lifecycleRules as any[];

    expect(rules).toEqual([
      { id: "tier-daily", enabled: true, prefix: "daily/", expiration: { days: 30 }, noncurrentVersionExpiration: { days: 30 }, abortIncompleteMultipartUploadDays: 3 },
      { id: "tier-weekly", enabled: true, prefix: "weekly/", expiration: { days: 90 }, noncurrentVersionExpiration: { days: 30 }, abortIncompleteMultipartUploadDays: 3 },
      { id: "tier-monthly", enabled: true, prefix: "monthly/", expiration: { days: 365 }, noncurrentVersionExpiration: { days: 30 }, abortIncompleteMultipartUploadDays: 3 },
      { id: "delete-markers-and-uploads", enabled: true, expiration: { expiredObjectDeleteMarker: true }, noncurrentVersionExpiration: { days: 30 }, abortIncompleteMultipartUploadDays: 3 },
    ]);
  });

  it("adds a rule over every key that deletes everything by maxRetention, noncurrent versions included", async () => {
    const rec = await record(() => new SpacesVault("backups", { region: "nyc3", retention: { daily: "30d", weekly: "90d", monthly: "1y", maxRetention: "400d" } }));
    const rules = rec.get(BUCKET, "backups-bucket").inputs.lifecycleRules as any[];

    expect(rules.at(-1)).toEqual({ id: "max-retention", enabled: true, expiration: { days: 370 } });
  });

  it("grants keys scoped to the one bucket: readwrite for the runner, read for restores", async () => {
    const rec = await record(() => {
      const vault = new SpacesVault("backups", { region: "nyc3", bucketName: "acme-backups" });
      vault.grant("runner", "readwrite");
      vault.grant("restore", "read");
    });

    expect(rec.get(KEY, "backups-runner-key").inputs).toEqual({ name: "acme-backups-runner", grants: [{ bucket: "acme-backups", permission: "readwrite" }] });
    expect(rec.get(KEY, "backups-restore-key").inputs).toEqual({ name: "acme-backups-restore", grants: [{ bucket: "acme-backups", permission: "read" }] });
  });

  it("refuses a full-access key, which would reach every bucket of the team", () => {
    const error = errorOf(() => new SpacesVault("backups", { region: "nyc3" }).grant("admin", "fullaccess" as never));

    expect(error.message).toContain('`access` ("fullaccess") "read" (verification, restore) or "readwrite" (backup) are allowed');
  });
});
