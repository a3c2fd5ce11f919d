import { describe, expect, it } from "vitest";
import { crossRegionMismatch, replicaRegionMismatch } from "@lifeboat/constructs/core";

describe("crossRegionMismatch", () => {
  it("accepts a copy deployed where it was declared, away from the original", () => {
    expect(crossRegionMismatch({ subject: 'AwsBackupPlan "dbs"', originalAt: "us-east-1", copyAt: "us-west-2", copyRegion: "us-west-2", argument: "dr", pair: "the vault and the DR vault" })).toBeUndefined();
  });

  it("names the provider argument and both regions when the copy's provider deploys elsewhere than declared", () => {
    const message = crossRegionMismatch({ subject: 'DatabaseBackups "orders"', originalAt: "us-east-1", copyAt: "eu-west-1", copyRegion: "us-west-2", argument: "dr", pair: "the database and its replicated backups" });

    expect(message).toBe('DatabaseBackups "orders": `dr.provider` deploys to eu-west-1 but `dr.region` says us-west-2; make them agree.');
  });

  it("reports a provider in the original's region and the disagreement with the declared region in one message", () => {
    const message = replicaRegionMismatch('ReplicatedBackupVault "backups"', "us-east-1", "us-east-1", "us-west-2");

    expect(message).toBe(
      'ReplicatedBackupVault "backups": `replica.provider` deploys to us-east-1 but `replica.region` says us-west-2; make them agree; and the primary and the replica are both in us-east-1, and a copy in the same region does not survive a regional outage; pass a `replica.provider` for another region and set `replica.region` to it.',
    );
  });

  it("cannot compare with the original when its region is unknown, and still checks the declared region", () => {
    expect(crossRegionMismatch({ subject: "x", originalAt: undefined, copyAt: "us-west-2", copyRegion: "us-west-2", argument: "dr", pair: "p" })).toBeUndefined();
    expect(crossRegionMismatch({ subject: "x", originalAt: undefined, copyAt: "us-east-1", copyRegion: "us-west-2", argument: "dr", pair: "p" })).toContain("`dr.provider` deploys to us-east-1");
  });
});
