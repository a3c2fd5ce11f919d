import { type App, Stack, Token } from "aws-cdk-lib";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as s3 from "aws-cdk-lib/aws-s3";
import { describe, expect, it } from "vitest";
import {
  AlertTopic,
  AwsBackupPlan,
  BackupAlarms,
  BackupJob,
  BackupVault,
  DisasterRecoveryEstate,
  rdsInstanceBackupProps,
  ReplicatedBackupVault,
  ServiceMonitor,
  VaultKey,
  VerifyJob,
} from "@lifeboat/constructs/cdk";
import { errorOf } from "../support";
import { newStack } from "./support";

const vault = { bucketName: "vault", bucketArn: "arn:aws:s3:::vault", keyArn: "arn:aws:kms:us-east-1:123456789012:key/1" };
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const postgres = { name: "postgres-main", kind: "postgres" as const, rpoMinutes: 60, host: "db.internal", database: "app" };

/** Each case: what is built, and what the error must say. */
const cases: { readonly name: string; readonly build: (stack: Stack) => unknown; readonly says: readonly string[] }[] = [
  { name: "a key deletion window longer than KMS allows", build: (s) => new VaultKey(s, "K", { deletionWindow: "45d" }), says: ["deletionWindow", "45 days"] },
  { name: "a key rotation period shorter than 90 days", build: (s) => new VaultKey(s, "K", { rotationPeriod: "30d" }), says: ["rotationPeriod"] },
  { name: "a key alias outside alias/", build: (s) => new VaultKey(s, "K", { alias: "lifeboat/key" }), says: ["alias", "lifeboat/key"] },
  { name: "a bucket name with capitals", build: (s) => new BackupVault(s, "V", { bucketName: "My_Vault" }), says: ["bucketName", "My_Vault"] },
  { name: "a monthly tier shorter than the weekly tier", build: (s) => new BackupVault(s, "V", { retention: { daily: "35d", weekly: "90d", monthly: "60d" } }), says: ["retention.monthly"] },
  { name: "an archive before Glacier's 90-day minimum ends the tier", build: (s) => new BackupVault(s, "V", { retention: { daily: "35d", weekly: "90d", monthly: "100d", archiveAfter: "30d" } }), says: ["retention"] },
  { name: "a key ARN that is not a KMS key", build: (s) => new BackupVault(s, "V", { key: "arn:aws:s3:::not-a-key" }), says: ["key", "arn:aws:s3:::not-a-key"] },
  { name: "a replica in the primary's region", build: (s) => new ReplicatedBackupVault(s, "R", { replica: { region: "us-east-1" } }), says: ["replica.region", "us-east-1"] },
  { name: "a replica region that does not exist", build: (s) => new ReplicatedBackupVault(s, "R", { replica: { region: "mars-1" } }), says: ["replica.region", "mars-1"] },
  { name: "a locked primary with an unlocked replica", build: (s) => new ReplicatedBackupVault(s, "R", { objectLock: { mode: "GOVERNANCE" }, replica: { region: "us-west-2", objectLock: false } }), says: ["replica.objectLock"] },
  { name: "a replica that keeps less than the primary", build: (s) => new ReplicatedBackupVault(s, "R", { retention: { daily: "35d", weekly: "90d", monthly: "1y" }, replica: { region: "us-west-2", retention: { daily: "7d", weekly: "30d", monthly: "90d" } } }), says: ["replica.retention"] },
  { name: "an alert email that is not an address", build: (s) => new AlertTopic(s, "A", { emails: ["oncall"] }), says: ["emails[0]", "oncall"] },
  { name: "an alert endpoint over plain HTTP", build: (s) => new AlertTopic(s, "A", { httpsEndpoints: ["http://pager.example.com"] }), says: ["httpsEndpoints[0]"] },
  { name: "a schedule EventBridge Scheduler rejects", build: (s) => new BackupJob(s, "J", { source: postgres, vault, schedule: "every hour", code: { repository: ecr.Repository.fromRepositoryName(s, "R", "jobs"), tag: "1" } }), says: ["schedule", "every hour"] },
  { name: "a job memory beyond Lambda's 10,240 MB", build: (s) => new BackupJob(s, "J", { source: postgres, vault, schedule: "rate(1 hour)", memoryMb: 20_000, code: { repository: ecr.Repository.fromRepositoryName(s, "R", "jobs"), tag: "1" } }), says: ["memoryMb", "20000"] },
  { name: "a PostgreSQL backup from the bundled handler", build: (s) => new BackupJob(s, "J", { source: postgres, vault, schedule: "rate(1 hour)", code: { bundle: true, directory: "/nowhere" } }), says: ["code", "pg_dump"] },
  { name: "a source name with capitals", build: (s) => new BackupJob(s, "J", { source: { ...postgres, name: "Postgres" }, vault, schedule: "rate(1 hour)", code: { repository: ecr.Repository.fromRepositoryName(s, "R", "jobs"), tag: "1" } }), says: ["source.name", "Postgres"] },
  { name: "an image for an architecture Lambda does not run", build: (s) => new BackupJob(s, "J", { source: postgres, vault, schedule: "rate(1 hour)", code: { repository: ecr.Repository.fromRepositoryName(s, "R", "jobs"), tag: "1", architecture: "ppc64le" as never } }), says: ["code.architecture", "ppc64le"] },
  { name: "a verification of no sources", build: (s) => new VerifyJob(s, "V", { sources: [], vault, schedule: "rate(1 hour)", code: { repository: ecr.Repository.fromRepositoryName(s, "R", "jobs"), tag: "1" } }), says: ["sources"] },
  { name: "two watched jobs with one id", build: (s) => new BackupAlarms(s, "A", { topic: "arn:aws:sns:us-east-1:123456789012:t", jobs: [{ id: "a", functionName: "f", deadLetterQueueName: "q" }, { id: "a", functionName: "g", deadLetterQueueName: "r" }] }), says: ["jobs[1].id"] },
  { name: "a verify period that is not whole minutes", build: (s) => new BackupAlarms(s, "A", { topic: "arn:aws:sns:us-east-1:123456789012:t", verifyPeriodSeconds: 90 }), says: ["verifyPeriodSeconds", "90"] },
  {
    name: "an RDS key given as an ARN, which rds.DatabaseInstance cannot take and would replace with the AWS managed key",
    build: () => rdsInstanceBackupProps("db", { key: "arn:aws:kms:us-east-1:123456789012:key/1" }),
    says: ["key", "arn:aws:kms:us-east-1:123456789012:key/1", "kms.Key.fromKeyArn", "AWS managed key"],
  },
  { name: "AWS Backup copying into its own region", build: (s) => new AwsBackupPlan(s, "B", { selection: { resources: ["arn:aws:rds:us-east-1:123456789012:db:app"] }, dr: { region: "us-east-1" }, topic: "arn:aws:sns:us-east-1:123456789012:t" }), says: ["dr.region"] },
  {
    name: "an estate whose DR region is its own",
    build: (s) =>
      new DisasterRecoveryEstate(s, "E", {
        objectives: { rpo: "1h", rto: "4h", drRegion: "us-east-1" },
        sources: [{ name: "uploads", kind: "objects", engine: "s3", bucket: s3.Bucket.fromBucketName(s, "U", "uploads") }],
        alerts: {},
        jobs: { code: { repository: ecr.Repository.fromRepositoryName(s, "R", "jobs"), tag: "1" } },
      }),
    says: ["objectives.drRegion", "us-east-1"],
  },
  {
    name: "an estate with an RPO of zero and no sources",
    build: (s) => new DisasterRecoveryEstate(s, "E", { objectives: { rpo: "0m", rto: "4h", drRegion: "us-west-2" }, sources: [], alerts: {}, jobs: { code: { repository: ecr.Repository.fromRepositoryName(s, "R", "jobs"), tag: "1" } } }),
    says: ["objectives.rpo", "sources"],
  },
  { name: "a health check of a URL instead of a host name", build: (s) => new ServiceMonitor(s, "M", { topic: TOPIC, healthCheck: { fqdn: "https://app.example.com/" } }), says: ["healthCheck.fqdn", '"https://app.example.com/"', "without scheme"] },
  { name: "health checkers in two regions", build: (s) => new ServiceMonitor(s, "M", { topic: TOPIC, healthCheck: { fqdn: "app.example.com", regions: ["us-east-1", "eu-west-1"] } }), says: ["healthCheck.regions", "at least three"] },
  {
    name: "a health check alarm topic in a stack outside us-east-1",
    build: (s) => new ServiceMonitor(s, "M", { topic: new AlertTopic(new Stack(s.node.root as App, "West", { env: { account: "123456789012", region: "eu-west-1" } }), "T"), healthCheck: { fqdn: "app.example.com" } }),
    says: ["`topic`", "eu-west-1", "healthCheckTopic"],
  },
  {
    name: "a storage alarm sized from a deploy-time value CloudFormation cannot compute with",
    build: (s) => new ServiceMonitor(s, "M", { topic: TOPIC, healthCheck: { fqdn: "app.example.com" }, database: { instance: "orders", maxConnections: 100, allocatedStorageGiB: Token.asNumber({ Ref: "Size" }) } }),
    says: ["database.allocatedStorageGiB", "deploy-time", "as a number"],
  },
  {
    name: "an estate whose monitor checks a URL and allows no database connections",
    build: (s) =>
      new DisasterRecoveryEstate(s, "E", {
        objectives: { rpo: "1h", rto: "4h", drRegion: "us-west-2" },
        sources: [{ name: "uploads", kind: "objects", engine: "s3", bucket: s3.Bucket.fromBucketName(s, "U", "uploads") }],
        alerts: {},
        jobs: { code: { repository: ecr.Repository.fromRepositoryName(s, "R", "jobs"), tag: "1" } },
        monitor: { healthCheck: { fqdn: "https://app.example.com" }, database: { instance: "orders", maxConnections: 0, allocatedStorageGiB: 50 } },
      }),
    says: ["monitor.healthCheck.fqdn", "monitor.database.maxConnections", "2 problems"],
  },
];

describe("invalid CDK props stop before anything is created", () => {
  for (const c of cases) {
    it(`refuses ${c.name}, naming the argument and the value`, () => {
      const { stack } = newStack();
      const before = stack.node.findAll().length;

      const error = errorOf(() => c.build(stack));

      for (const text of c.says) expect(error.message).toContain(text);
      // Nothing of the construct was added (imports the case needs, like a repository reference, may be).
      const added = stack.node.findAll().slice(before).filter((n) => !["R", "U"].includes(n.node.id));
      expect(added.map((n) => n.node.path)).toEqual([]);
    });
  }
});
