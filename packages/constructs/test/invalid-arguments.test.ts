import { describe, expect, it } from "vitest";
import { LifeboatValidationError } from "@lifeboat/constructs/core";
import { AlertTopic, BackupVault, ReplicatedBackupVault, VaultKey } from "@lifeboat/constructs/pulumi/aws";
import { Recorder } from "@lifeboat/constructs/testing";
import { errorOf } from "./support";

type Case = [what: string, build: () => unknown, argument: string, value: string];

const AWS_MANAGED_S3 = "arn:aws:kms:us-east-1:123456789012:alias/aws/s3";

const cases: Case[] = [
  ["a vault bucket name with capitals and dots", () => new BackupVault("v", { bucketName: "Acme.Backups" }), "bucketName", '"Acme.Backups"'],
  ["the AWS managed S3 key for a vault", () => new BackupVault("v", { key: AWS_MANAGED_S3 }), "key", JSON.stringify(AWS_MANAGED_S3)],
  ["a bare key id instead of a key ARN", () => new BackupVault("v", { key: "1234abcd-12ab-34cd-56ef-1234567890ab" }), "key", '"1234abcd-12ab-34cd-56ef-1234567890ab"'],
  ["an Object Lock longer than the shortest tier", () => new BackupVault("v", { retention: { daily: "7d", weekly: "30d" }, objectLock: { mode: "COMPLIANCE", retention: "30d" } }), "objectLock.retention", "30 days"],
  ["an Object Lock mode S3 does not have", () => new BackupVault("v", { objectLock: { mode: "LEGAL" as "COMPLIANCE" } }), "objectLock.mode", '"LEGAL"'],
  ["access logs delivered into the vault itself", () => new BackupVault("v", { bucketName: "acme-backups", accessLogs: { bucket: "acme-backups" } }), "accessLogs.bucket", '"acme-backups"'],
  ["an access log prefix with a leading slash", () => new BackupVault("v", { accessLogs: { bucket: "acme-logs", prefix: "/logs" } }), "accessLogs.prefix", '"/logs"'],
  ["weekly backups kept less than dailies", () => new BackupVault("v", { retention: { daily: "35d", weekly: "7d" } }), "retention.weekly", "7 days"],
  ["a replica in the primary's region", () => new ReplicatedBackupVault("r", { primaryRegion: "us-east-1", replica: { region: "us-east-1" } }), "replica.region", '"us-east-1"'],
  ["a replica region that is not a region", () => new ReplicatedBackupVault("r", { replica: { region: "mars-north-1a" } }), "replica.region", '"mars-north-1a"'],
  ["a locked primary with an unlocked replica", () => new ReplicatedBackupVault("r", { objectLock: { mode: "GOVERNANCE" }, replica: { region: "us-west-2", objectLock: false } }), "replica.objectLock", "false"],
  ["a replica that forgets backups before the primary", () => new ReplicatedBackupVault("r", { retention: { daily: "35d" }, replica: { region: "us-west-2", retention: { daily: "7d" } } }), "replica.retention.daily", "7 days"],
  ["a replica without the primary's maximum retention", () => new ReplicatedBackupVault("r", { retention: { daily: "35d", maxRetention: "400d" }, replica: { region: "us-west-2", retention: { daily: "35d" } } }), "replica.retention.maxRetention", "not set"],
  ["a key deletion window shorter than KMS allows", () => new VaultKey("k", { deletionWindow: "3d" }), "deletionWindow", "3 days"],
  ["a key rotation period shorter than KMS allows", () => new VaultKey("k", { rotationPeriod: "30d" }), "rotationPeriod", "30 days"],
  ["an alias in the namespace AWS reserves", () => new VaultKey("k", { alias: "alias/aws/backups" }), "alias", '"alias/aws/backups"'],
  ["a service that is not a service principal", () => new VaultKey("k", { services: ["cloudwatch"] }), "services[0]", '"cloudwatch"'],
  ["an alert email that is not an address", () => new AlertTopic("a", { emails: ["oncall"] }), "emails[0]", '"oncall"'],
  ["an alert endpoint in clear text", () => new AlertTopic("a", { httpsEndpoints: ["http://hooks.example.com/x"] }), "httpsEndpoints[0]", '"http://hooks.example.com/x"'],
  ["a topic nobody may publish to", () => new AlertTopic("a", { publishers: [] }), "publishers", "[]"],
  ["the AWS managed SNS key, which CloudWatch alarms cannot use", () => new AlertTopic("a", { key: "arn:aws:kms:us-east-1:123456789012:alias/aws/sns" }), "key", '"arn:aws:kms:us-east-1:123456789012:alias/aws/sns"'],
];

describe("invalid arguments", () => {
  it.each(cases)("refuses %s before creating anything", async (_what, build, argument, value) => {
    const recorder = new Recorder();

    const error = errorOf(build) as LifeboatValidationError;

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.problems).toContainEqual(expect.objectContaining({ argument, value }));
    expect(error.message).toContain(`\`${argument}\` (${value})`);
    await recorder.settle();
    expect(recorder.resources).toEqual([]);
  });

  it("names the component and lists every problem at once", () => {
    const error = errorOf(() => new ReplicatedBackupVault("backups", { primaryRegion: "us-east-1", retention: { daily: "35d", weekly: "7d" }, replica: { region: "us-east-1" } }));

    expect(error.message).toBe(
      [
        'ReplicatedBackupVault "backups": 2 problems in the arguments:',
        "  - `retention.weekly` (7 days) must be at least `retention.daily` (35 days): a weekly backup is kept at least as long as a daily one. Raise weekly or lower daily.",
        '  - `replica.region` ("us-east-1") must differ from the primary\'s region (us-east-1): a copy in the same region does not survive a regional outage. Choose another region, such as us-west-2.',
      ].join("\n"),
    );
  });
});
