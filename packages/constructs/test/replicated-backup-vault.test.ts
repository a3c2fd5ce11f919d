import { describe, expect, it } from "vitest";
import { Provider } from "@pulumi/aws/provider";
import { ReplicatedBackupVault } from "@lifeboat/constructs/pulumi/aws";
import { join } from "node:path";
import { runExamples } from "@lifeboat/preview";
import { policyOf, record } from "./support";

const programs = join(__dirname, "programs");

const T = {
  bucket: "aws:s3/bucket:Bucket",
  key: "aws:kms/key:Key",
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  provider: "pulumi:providers:aws",
};

describe("ReplicatedBackupVault", () => {
  it("puts the replica, its bucket and its own key in the replica region through a provider", async () => {
    const rec = await record(() => new ReplicatedBackupVault("backups", { replica: { region: "us-west-2" } }));
    const provider = rec.get(T.provider, "backups-replica-provider");
    const replicaBucket = rec.get(T.bucket, "backups-replica-bucket");
    const replicaKey = rec.get(T.key, "backups-replica-key-key");
    const primaryKey = rec.get(T.key, "backups-primary-key-key");

    expect(provider.inputs.region).toBe("us-west-2");
    expect(replicaBucket.provider).toBe(provider.urn);
    expect(replicaKey.provider).toBe(provider.urn);
    expect(replicaKey.outputs.arn).toMatch(/^arn:aws:kms:us-west-2:/);
    expect(primaryKey.outputs.arn).toMatch(/^arn:aws:kms:us-east-1:/);
    expect(rec.get(T.bucket, "backups-primary-bucket").provider).toBeUndefined();
  });

  it("replicates every object, KMS-encrypted ones with the replica key, with time control and metrics at 15 minutes", async () => {
    const rec = await record(() => new ReplicatedBackupVault("backups", { replica: { region: "us-west-2" } }));
    const replication = rec.get(T.replication, "backups-replication");
    const replicaBucket = rec.get(T.bucket, "backups-replica-bucket");

    expect(replication.inputs).toEqual({
      bucket: rec.get(T.bucket, "backups-primary-bucket").id,
      role: rec.get(T.role, "backups-replication-role").outputs.arn,
      rules: [
        {
          id: "replicate-everything",
          status: "Enabled",
          priority: 0,
          filter: { prefix: "" },
          deleteMarkerReplication: { status: "Disabled" },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
          destination: {
            bucket: replicaBucket.outputs.arn,
            storageClass: "STANDARD",
            encryptionConfiguration: { replicaKmsKeyId: rec.get(T.key, "backups-replica-key-key").outputs.arn },
            replicationTime: { status: "Enabled", time: { minutes: 15 } },
            metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
          },
        },
      ],
    });
    expect(replication.dependencies).toEqual(
      expect.arrayContaining([
        rec.get("aws:s3/bucketVersioning:BucketVersioning", "backups-primary-versioning").urn,
        rec.get("aws:s3/bucketVersioning:BucketVersioning", "backups-replica-versioning").urn,
      ]),
    );
  });

  it("scopes the replication role to exactly the two buckets and the two keys, with no wildcard action", async () => {
    const rec = await record(() => new ReplicatedBackupVault("backups", { replica: { region: "us-west-2" } }), { cloud: { account: "111122223333" } });
    const source = rec.get(T.bucket, "backups-primary-bucket").outputs.arn as string;
    const replica = rec.get(T.bucket, "backups-replica-bucket").outputs.arn as string;
    const sourceKey = rec.get(T.key, "backups-primary-key-key").outputs.arn as string;
    const replicaKey = rec.get(T.key, "backups-replica-key-key").outputs.arn as string;
    const policy = policyOf(rec.get(T.rolePolicy, "backups-replication-policy"));

    expect(policy.Statement.map((s) => [s.Action, s.Resource])).toEqual([
      [["s3:GetReplicationConfiguration", "s3:ListBucket"], [source]],
      [["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], [`${source}/*`]],
      [["s3:ReplicateObject", "s3:ReplicateTags"], [`${replica}/*`]],
      [["kms:Decrypt"], [sourceKey]],
      [["kms:Encrypt", "kms:GenerateDataKey"], [replicaKey]],
    ]);
    expect(policy.Statement.flatMap((s) => s.Action).filter((a) => a.includes("*"))).toEqual([]);
    expect(policyOf(rec.get(T.role, "backups-replication-role"), "assumeRolePolicy").Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
      },
    ]);
  });

  it("replicates delete markers, with the permission to, only when asked", async () => {
    const rec = await record(() => new ReplicatedBackupVault("backups", { replica: { region: "us-west-2" }, replicateDeleteMarkers: true }));

    expect((rec.get(T.replication, "backups-replication").inputs.rules as any)[0].deleteMarkerReplication).toEqual({ status: "Enabled" });
    expect(policyOf(rec.get(T.rolePolicy, "backups-replication-policy")).Statement[2]!.Action).toContain("s3:ReplicateDelete");
  });

  it("gives the replica the primary's lifecycle and Object Lock unless told otherwise", async () => {
    const rec = await record(
      () => new ReplicatedBackupVault("backups", { retention: { daily: "10d", weekly: "30d", monthly: "200d" }, objectLock: { mode: "GOVERNANCE" }, replica: { region: "eu-west-1" } }),
    );

    expect(rec.get(T.lifecycle, "backups-replica-lifecycle").inputs.rules).toEqual(rec.get(T.lifecycle, "backups-primary-lifecycle").inputs.rules);
    expect(rec.get(T.objectLock, "backups-replica-object-lock").inputs.rule).toEqual({ defaultRetention: { mode: "GOVERNANCE", days: 10 } });
    expect(policyOf(rec.get(T.rolePolicy, "backups-replication-policy")).Statement[1]!.Action).toEqual(
      expect.arrayContaining(["s3:GetObjectRetention", "s3:GetObjectLegalHold"]),
    );
  });

  it("keeps the replica longer when asked", async () => {
    const rec = await record(
      () => new ReplicatedBackupVault("backups", { retention: { daily: "35d" }, replica: { region: "us-west-2", retention: { daily: "60d", weekly: "120d", monthly: "2y" } } }),
    );
    const rules = rec.get(T.lifecycle, "backups-replica-lifecycle").inputs.rules as Array<{ id: string; expiration?: { days?: number } }>;

    expect(rules.slice(0, 3).map((r) => r.expiration?.days)).toEqual([60, 120, 730]);
  });

  it("uses a replica provider it is given instead of creating one", async () => {
    const rec = await record(() => {
      const west = new Provider("west", { region: "us-west-2" });
      new ReplicatedBackupVault("backups", { replica: { region: "us-west-2", provider: west } });
    });

    expect(rec.ofType(T.provider).map((p) => p.name)).toEqual(["west"]);
    expect(rec.get(T.bucket, "backups-replica-bucket").provider).toBe(rec.get(T.provider, "west").urn);
  });

  it("fails the deployment when the replica provider deploys to the primary's region", async () => {
    // Run as a program in its own process: the failure surfaces the way `pulumi up` reports it.
    const [run] = await runExamples([
      { name: "same-region-replica", dir: programs, entry: join(programs, "same-region-replica.ts"), project: "p", stack: "s", config: { "aws:region": "us-east-1" } },
    ]);

    expect(run!.stack).toBeUndefined();
    expect(run!.error).toContain('ReplicatedBackupVault "backups": ');
    expect(run!.error).toContain("the primary and the replica are both in us-east-1, and a copy in the same region does not survive a regional outage");
  });
});
