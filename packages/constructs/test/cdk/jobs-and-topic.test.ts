import type { Stack } from "aws-cdk-lib";
import * as ecr from "aws-cdk-lib/aws-ecr";
import { describe, expect, it } from "vitest";
import { AlertTopic, BackupJob, DatabaseBackups, DrillJob, VerifyJob } from "@lifeboat/constructs/cdk";
import { all, newStack, only, privateDatabase, templateOf } from "./support";

// The CDK constructs used on their own, outside DisasterRecoveryEstate: each is judged on its synthesized template.

const vault = { bucketName: "vault", bucketArn: "arn:aws:s3:::vault", keyArn: "arn:aws:kms:us-east-1:123456789012:key/1" };
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
const postgres = { name: "postgres-main", kind: "postgres" as const, rpoMinutes: 60, host: "db.internal", database: "app", credentials: { secretArn: SECRET } };
const code = (stack: Stack) => ({ repository: ecr.Repository.fromRepositoryName(stack, "Repo", "jobs"), tag: "1.0.0" });

type Statement = { Sid: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
/** The statements of the only inline policy of the role that `service` assumes. */
function roleStatements(stack: Stack, service: string): Statement[] {
  const role = all(templateOf(stack), "AWS::IAM::Role").find((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes(service))!;
  return role.Properties.Policies[0].PolicyDocument.Statement as Statement[];
}
const actions = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());

describe("CDK AlertTopic", () => {
  it("encrypts the topic with a key of its own that the publishing services may use, lets them publish for this account only, and subscribes every recipient", () => {
    const { stack } = newStack();

    new AlertTopic(stack, "Alerts", { emails: ["oncall@example.com"], httpsEndpoints: ["https://pager.example.com/x"] });

    const template = templateOf(stack);
    const key = only(template, "AWS::KMS::Key");
    expect(key.DeletionPolicy).toBe("Retain");
    const services = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com"];
    expect(key.Properties.KeyPolicy.Statement[1]).toMatchObject({ Sid: "ServicesUseKey", Principal: { Service: services } });
    const keyId = Object.keys(template.findResources("AWS::KMS::Key"))[0];
    expect(only(template, "AWS::SNS::Topic").Properties.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [keyId, "Arn"] });
    const publish = only(template, "AWS::SNS::TopicPolicy").Properties.PolicyDocument.Statement.find((s: Statement) => s.Sid === "ServicesPublishAlerts");
    expect(publish).toMatchObject({ Action: "sns:Publish", Principal: { Service: services }, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } });
    expect(all(template, "AWS::SNS::Subscription").map((s) => [s.Properties.Protocol, s.Properties.Endpoint])).toEqual([
      ["email", "oncall@example.com"],
      ["https", "https://pager.example.com/x"],
    ]);
  });
});

describe("CDK BackupJob", () => {
  it("runs the image's backup handler for 15 minutes on a schedule with retries and a dead-letter queue, its configuration in an encrypted environment", () => {
    const { stack } = newStack();

    new BackupJob(stack, "Backup", { source: postgres, vault, schedule: "rate(30 minutes)", code: code(stack) });

    const template = templateOf(stack);
    const fn = only(template, "AWS::Lambda::Function").Properties;
    expect(fn).toMatchObject({ PackageType: "Image", Timeout: 900, ImageConfig: { Command: ["backup/index.handler"] } });
    expect(fn.KmsKeyArn).toBeDefined();
    const config = JSON.parse(fn.Environment.Variables.LIFEBOAT_CONFIG);
    expect(config.vault).toEqual({ bucket: "vault", kmsKeyArn: vault.keyArn });
    expect(config.sources).toEqual([{ ...postgres, intervalMinutes: 30 }]);
    const schedule = only(template, "AWS::Scheduler::Schedule").Properties;
    expect(schedule).toMatchObject({ ScheduleExpression: "rate(30 minutes)", ScheduleExpressionTimezone: "UTC", FlexibleTimeWindow: { Mode: "OFF" } });
    expect(schedule.Target.Input).toBe('{"source":"postgres-main"}');
    expect(schedule.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(schedule.Target.DeadLetterConfig).toBeDefined();
    expect(only(template, "AWS::Logs::LogGroup").Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it("lets the job write and tag under its source's prefix only, never delete, and read only its own secret", () => {
    const { stack } = newStack();

    new BackupJob(stack, "Backup", { source: postgres, vault, schedule: "rate(30 minutes)", code: code(stack) });

    const statements = roleStatements(stack, "lambda.amazonaws.com");
    expect(statements.find((s) => s.Sid === "WriteBackups")).toMatchObject({ Action: ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"], Resource: "arn:aws:s3:::vault/postgres-main/*" });
    expect(actions(statements).filter((a) => /Delete/.test(a))).toEqual([]);
    expect(statements.find((s) => s.Sid === "ReadCredentials")).toMatchObject({ Action: "secretsmanager:GetSecretValue", Resource: SECRET });
  });
});

describe("CDK VerifyJob", () => {
  it("reads the whole vault and writes nothing to it", () => {
    const { stack } = newStack();

    new VerifyJob(stack, "Verify", { sources: [postgres], vault, schedule: "rate(15 minutes)", code: code(stack) });

    const fn = only(templateOf(stack), "AWS::Lambda::Function").Properties;
    expect(fn.ImageConfig.Command).toEqual(["verify/index.handler"]);
    const statements = roleStatements(stack, "lambda.amazonaws.com");
    expect(statements.find((s) => s.Sid === "ReadBackups")?.Resource).toBe("arn:aws:s3:::vault/*");
    expect(actions(statements).filter((a) => a.startsWith("s3:Put") || a.startsWith("s3:Delete"))).toEqual([]);
  });
});

describe("CDK DrillJob", () => {
  it("runs the drill handler monthly, reading only its source's backups", () => {
    const { stack } = newStack();

    new DrillJob(stack, "Drill", { source: postgres, vault, schedule: "rate(30 days)", code: code(stack) });

    const template = templateOf(stack);
    expect(only(template, "AWS::Lambda::Function").Properties.ImageConfig.Command).toEqual(["drill/index.handler"]);
    expect(only(template, "AWS::Scheduler::Schedule").Properties.ScheduleExpression).toBe("rate(30 days)");
    const statements = roleStatements(stack, "lambda.amazonaws.com");
    expect(statements.find((s) => s.Sid === "ReadBackups")?.Resource).toBe("arn:aws:s3:::vault/postgres-main/*");
    expect(actions(statements).filter((a) => a.startsWith("s3:Delete"))).toEqual([]);
  });
});

describe("CDK DatabaseBackups", () => {
  it("replicates the instance's automated backups to the DR region under a key created there, through CfnDBInstance's properties", () => {
    const { app, stack } = newStack();
    const { db } = privateDatabase(stack);

    new DatabaseBackups(stack, "DbBackups", { rdsInstance: db, dr: { region: "us-west-2" } });

    const instance = only(templateOf(stack), "AWS::RDS::DBInstance").Properties;
    expect(instance.AutomaticBackupReplicationRegion).toBe("us-west-2");
    expect(instance.AutomaticBackupReplicationKmsKeyId).toBeDefined();
    expect(instance.AutomaticBackupReplicationRetentionPeriod).toBeGreaterThan(0);
    const dr = app.synth().stacks.find((s) => s.stackName !== stack.stackName)!;
    expect(dr.environment.region).toBe("us-west-2");
    expect(Object.values(dr.template.Resources as Record<string, { Type: string }>).map((r) => r.Type)).toContain("AWS::KMS::Key");
  });
});
