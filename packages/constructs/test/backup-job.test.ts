import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BackupJob, BackupVault, VerifyJob } from "@lifeboat/constructs/pulumi/aws";
import type { LifeboatValidationError } from "@lifeboat/constructs/core";
import { Recorder } from "@lifeboat/constructs/testing";
import { errorOf, policyOf, record } from "./support";

const imageUri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/lifeboat-jobs:0.1.0";
const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db-AbCdEf";
const postgres = { name: "postgres-main", kind: "postgres", rpoMinutes: 60, host: "db.internal", database: "app", credentials: { secretArn } } as const;

function estate(extra: Partial<ConstructorParameters<typeof BackupJob>[1]> = {}) {
  const vault = new BackupVault("vault");
  const job = new BackupJob("pg-backup", { source: postgres, vault, schedule: "rate(30 minutes)", code: { imageUri }, ...extra });
  return { vault, job };
}

describe("BackupJob", () => {
  it("runs the jobs image with its configuration in an encrypted environment", async () => {
    const rec = await record(() => estate());
    const fn = rec.get("aws:lambda/function:Function", "pg-backup-function");
    const key = rec.get("aws:kms/key:Key", "pg-backup-key-key");
    const bucket = rec.get("aws:s3/bucket:Bucket", "vault-bucket");
    const config = JSON.parse((fn.inputs.environment as any).variables.LIFEBOAT_CONFIG);

    expect(fn.inputs).toMatchObject({ packageType: "Image", imageUri, memorySize: 1024, timeout: 900, kmsKeyArn: key.outputs.arn });
    expect(config).toEqual({
      vault: { bucket: bucket.outputs.bucket, kmsKeyArn: rec.get("aws:kms/key:Key", "vault-key-key").outputs.arn },
      sources: [{ ...postgres, intervalMinutes: 30 }],
    });
    expect(JSON.stringify(config)).not.toMatch(/password/i);
  });

  it("lets the role write its own prefix, read its secret and logs, and nothing else: no delete, no wildcard action", async () => {
    const rec = await record(() => estate());
    const bucketArn = rec.get("aws:s3/bucket:Bucket", "vault-bucket").outputs.arn;
    const logGroupArn = rec.get("aws:cloudwatch/logGroup:LogGroup", "pg-backup-logs").outputs.arn;
    const queueArn = rec.get("aws:sqs/queue:Queue", "pg-backup-dlq").outputs.arn;
    const policy = policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "pg-backup-policy"));

    expect(policy.Statement.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ["WriteBackups", ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"], [`${bucketArn}/postgres-main/*`]],
      ["ListBackups", ["s3:ListBucket"], [bucketArn]],
      ["UseVaultKeyThroughS3", ["kms:GenerateDataKey", "kms:Decrypt"], [rec.get("aws:kms/key:Key", "vault-key-key").outputs.arn]],
      ["WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [`${logGroupArn}:*`]],
      ["ReportFailedRuns", ["sqs:SendMessage"], [queueArn]],
      ["UseJobKey", ["kms:Decrypt", "kms:GenerateDataKey"], [rec.get("aws:kms/key:Key", "pg-backup-key-key").outputs.arn]],
      ["ReadCredentials", ["secretsmanager:GetSecretValue"], [secretArn]],
    ]);
    expect(policy.Statement.flatMap((s) => s.Action).filter((a) => a.includes("*") || /Delete/.test(a))).toEqual([]);
    expect(policyOf(rec.get("aws:iam/role:Role", "pg-backup-role"), "assumeRolePolicy").Statement[0]!.Principal).toEqual({ Service: "lambda.amazonaws.com" });
  });

  it("runs on an EventBridge Scheduler schedule with retries and an encrypted dead-letter queue", async () => {
    const rec = await record(() => estate());
    const fn = rec.get("aws:lambda/function:Function", "pg-backup-function");
    const queue = rec.get("aws:sqs/queue:Queue", "pg-backup-dlq");
    const schedule = rec.get("aws:scheduler/schedule:Schedule", "pg-backup-schedule");

    expect(queue.inputs).toMatchObject({ kmsMasterKeyId: rec.get("aws:kms/key:Key", "pg-backup-key-key").outputs.arn, messageRetentionSeconds: 1_209_600 });
    expect(schedule.inputs).toMatchObject({
      scheduleExpression: "rate(30 minutes)",
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: fn.outputs.arn,
        roleArn: rec.get("aws:iam/role:Role", "pg-backup-scheduler-role").outputs.arn,
        input: JSON.stringify({ source: "postgres-main" }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 1800 },
        deadLetterConfig: { arn: queue.outputs.arn },
      },
    });
    expect(rec.get("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "pg-backup-retries").inputs).toMatchObject({
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 1800,
      destinationConfig: { onFailure: { destination: queue.outputs.arn } },
    });
    expect(policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "pg-backup-scheduler-policy")).Statement.map((s) => s.Resource)).toEqual([
      [fn.outputs.arn, `${fn.outputs.arn}:*`],
      [queue.outputs.arn],
      [rec.get("aws:kms/key:Key", "pg-backup-key-key").outputs.arn],
    ]);
  });

  it("keeps its logs for the retention asked, 90 days by default, in its own log group", async () => {
    const rec = await record(() => estate({ logRetention: "30d" }));
    const logGroup = rec.get("aws:cloudwatch/logGroup:LogGroup", "pg-backup-logs");

    expect(logGroup.inputs).toMatchObject({ name: "/lifeboat/lifeboat/dev/pg-backup", retentionInDays: 30 });
    expect((rec.get("aws:lambda/function:Function", "pg-backup-function").inputs.loggingConfig as any).logGroup).toBe(logGroup.outputs.name);
    expect((await record(() => estate())).get("aws:cloudwatch/logGroup:LogGroup", "pg-backup-logs").inputs.retentionInDays).toBe(90);
  });

  it("joins a VPC to reach a private database, with the network-interface permissions that needs", async () => {
    const rec = await record(() => estate({ vpc: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"] } }));
    const policy = policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "pg-backup-policy"));

    expect(rec.get("aws:lambda/function:Function", "pg-backup-function").inputs.vpcConfig).toEqual({ subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"] });
    expect(policy.Statement.find((s) => s.Sid === "ManageNetworkInterfaces")?.Action).toContain("ec2:CreateNetworkInterface");
  });

  it("reads the source bucket of an objects job, and only it", async () => {
    const rec = await record(() => {
      const vault = new BackupVault("vault");
      new BackupJob("uploads-backup", {
        source: { name: "uploads", kind: "objects", rpoMinutes: 60, bucket: "acme-uploads" },
        sourceBucketArn: "arn:aws:s3:::acme-uploads",
        vault,
        schedule: "rate(30 minutes)",
        code: { imageUri },
      });
    });
    const policy = policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "uploads-backup-policy"));

    expect(policy.Statement.find((s) => s.Sid === "ReadSourceObjects")?.Resource).toEqual(["arn:aws:s3:::acme-uploads/*"]);
    expect(policy.Statement.find((s) => s.Sid === "ListSourceObjects")?.Resource).toEqual(["arn:aws:s3:::acme-uploads"]);
    expect(rec.get("aws:lambda/function:Function", "uploads-backup-function").inputs.memorySize).toBe(512);
  });
});

describe("BackupJob from the bundled handler", () => {
  it("runs an objects backup as a Node.js zip with the bundle's directory as code", async () => {
    const directory = mkdtempSync(join(tmpdir(), "lifeboat-bundle-"));
    writeFileSync(join(directory, "index.js"), "exports.handler = async () => {};");
    const rec = await record(() => {
      const vault = new BackupVault("vault");
      new BackupJob("uploads-backup", { source: { name: "uploads", kind: "objects", rpoMinutes: 60, bucket: "acme-uploads" }, vault, schedule: "rate(1 hour)", code: { bundle: true, directory } });
    });
    const fn = rec.get("aws:lambda/function:Function", "uploads-backup-function");

    expect(fn.inputs).toMatchObject({ packageType: "Zip", runtime: "nodejs22.x", handler: "index.handler", architectures: ["arm64"], code: { asset: directory } });
    expect(fn.inputs.imageUri).toBeUndefined();
  });
});

describe("VerifyJob", () => {
  it("reads the vault and the replica, never writes, and checks every source it is given", async () => {
    const rec = await record(() => {
      const vault = new BackupVault("vault");
      const replica = new BackupVault("replica");
      new VerifyJob("verify", {
        sources: [postgres, { name: "uploads", kind: "objects", rpoMinutes: 60, bucket: "acme-uploads" }],
        vault,
        replica: { bucketName: replica.bucketName, bucketArn: replica.bucketArn, keyArn: replica.keyArn, region: "us-west-2" },
        schedule: "rate(15 minutes)",
        code: { imageUri },
      });
    });
    const policy = policyOf(rec.get("aws:iam/rolePolicy:RolePolicy", "verify-policy"));
    const config = JSON.parse((rec.get("aws:lambda/function:Function", "verify-function").inputs.environment as any).variables.LIFEBOAT_CONFIG);
    const actions = policy.Statement.flatMap((s) => s.Action);

    expect(actions.filter((a) => a.startsWith("s3:")).sort()).toEqual(
      ["s3:GetObject", "s3:GetObjectAttributes", "s3:GetObjectTagging", "s3:GetObjectVersion", "s3:ListBucket"].flatMap((a) => [a, a]).sort(),
    );
    expect(policy.Statement.find((s) => s.Sid === "ReadBackupsInReplica")?.Resource).toEqual([`${rec.get("aws:s3/bucket:Bucket", "replica-bucket").outputs.arn}/*`]);
    expect(config.sources.map((s: { name: string }) => s.name)).toEqual(["postgres-main", "uploads"]);
    expect(config.vault.replica).toEqual({ bucket: rec.get("aws:s3/bucket:Bucket", "replica-bucket").outputs.bucket, region: "us-west-2" });
    expect((rec.get("aws:scheduler/schedule:Schedule", "verify-schedule").inputs.target as { input: string }).input).toBe("{}");
  });
});

describe("invalid job arguments", () => {
  const vaultTarget = { bucketName: "v", bucketArn: "arn:aws:s3:::v", keyArn: "arn:aws:kms:us-east-1:123456789012:key/x" };
  const cases: Array<[string, () => unknown, string, string]> = [
    ["a schedule EventBridge Scheduler cannot read", () => new BackupJob("j", { source: postgres, vault: vaultTarget, schedule: "every hour", code: { imageUri } }), "schedule", '"every hour"'],
    ["a plural rate of one", () => new BackupJob("j", { source: postgres, vault: vaultTarget, schedule: "rate(1 hours)", code: { imageUri } }), "schedule", '"rate(1 hours)"'],
    ["a timeout beyond Lambda's 15 minutes", () => new BackupJob("j", { source: postgres, vault: vaultTarget, schedule: "rate(1 day)", code: { imageUri }, timeout: "30m" }), "timeout", "30 minutes"],
    ["more memory than Lambda has", () => new BackupJob("j", { source: postgres, vault: vaultTarget, schedule: "rate(1 day)", code: { imageUri }, memoryMb: 20_000 }), "memoryMb", "20000"],
    ["a log retention CloudWatch does not offer", () => new BackupJob("j", { source: postgres, vault: vaultTarget, schedule: "rate(1 day)", code: { imageUri }, logRetention: "10d" }), "logRetention", "10 days"],
    ["three retries", () => new BackupJob("j", { source: postgres, vault: vaultTarget, schedule: "rate(1 day)", code: { imageUri }, retryAttempts: 3 }), "retryAttempts", "3"],
    ["PostgreSQL from the bundled handler, which has no pg_dump", () => new BackupJob("j", { source: postgres, vault: vaultTarget, schedule: "rate(1 day)", code: { bundle: true, directory: "/nonexistent" } }), "code", '{"bundle":true,"directory":"/nonexistent"}'],
    ["a bundle that was never built", () => new BackupJob("j", { source: { name: "uploads", kind: "objects", rpoMinutes: 60, bucket: "b" }, vault: vaultTarget, schedule: "rate(1 day)", code: { bundle: true, directory: "/nonexistent" } }), "code.directory", '"/nonexistent"'],
    ["a source name with capitals", () => new BackupJob("j", { source: { ...postgres, name: "Main" }, vault: vaultTarget, schedule: "rate(1 day)", code: { imageUri } }), "source.name", '"Main"'],
    ["a verification of nothing", () => new VerifyJob("v", { sources: [], vault: vaultTarget, schedule: "rate(1 hour)", code: { imageUri } }), "sources", "[]"],
    ["an image for an architecture Lambda does not run", () => new BackupJob("j", { source: postgres, vault: vaultTarget, schedule: "rate(1 day)", code: { imageUri, architecture: "ppc64le" as never } }), "code.architecture", '"ppc64le"'],
  ];

  it.each(cases)("refuses %s before creating anything", async (_what, build, argument, value) => {
    const recorder = new Recorder();

    const error = errorOf(build) as LifeboatValidationError;

    expect(error.problems).toContainEqual(expect.objectContaining({ argument, value }));
    await recorder.settle();
    expect(recorder.resources).toEqual([]);
  });
});
