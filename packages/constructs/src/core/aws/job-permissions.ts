import type { PolicyStatement } from "./iam";
import { type VaultArns, vaultReaderStatements, vaultWriterStatements } from "./vault-policies";

/** What a scheduled job touches besides the vault. Strings may be CDK tokens. */
export interface JobResources {
  /** The job's log group ARN (without the trailing `:*`). */
  readonly logGroupArn: string;
  /** The encrypted queue failed runs land in. */
  readonly deadLetterQueueArn: string;
  /** The key that encrypts the queue and the function's environment. */
  readonly jobKeyArn: string;
  /** Secrets the job reads credentials from. */
  readonly secretArns: readonly string[];
  /** Customer keys those secrets are encrypted with, when not the AWS managed one. */
  readonly secretKeyArns?: readonly string[];
  /** Whether the function runs in a VPC (it then manages its network interfaces). */
  readonly vpc: boolean;
}

/** What a job does in the vault. */
export type VaultAccess =
  | { readonly mode: "write"; readonly vault: VaultArns; readonly prefix: string }
  | { readonly mode: "read"; readonly vault: VaultArns; readonly prefix: string; readonly replica?: VaultArns };

/**
 * The execution role's permissions for a backup or verify job: its vault access (writer or reader of
 * its prefix, never delete), its logs, its secrets, its failure queue and key, and network interfaces
 * when in a VPC. Every action is named; only the VPC actions, which IAM cannot scope, use `*` resources.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
 */
export function jobRoleStatements(access: VaultAccess, job: JobResources, extra: readonly PolicyStatement[] = []): PolicyStatement[] {
  const statements: PolicyStatement[] =
    access.mode === "write" ? vaultWriterStatements(access.vault, access.prefix) : vaultReaderStatements(access.vault, access.prefix);
  if (access.mode === "read" && access.replica) {
    statements.push(...vaultReaderStatements(access.replica, access.prefix).map((s) => ({ ...s, Sid: `${s.Sid}InReplica` })));
  }
  statements.push(
    { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${job.logGroupArn}:*`] },
    { Sid: "ReportFailedRuns", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [job.deadLetterQueueArn] },
    { Sid: "UseJobKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [job.jobKeyArn] },
  );
  if (job.secretArns.length > 0) {
    statements.push({ Sid: "ReadCredentials", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [...job.secretArns] });
  }
  if (job.secretKeyArns && job.secretKeyArns.length > 0) {
    statements.push({
      Sid: "DecryptCredentials",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [...job.secretKeyArns],
      Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
    });
  }
  if (job.vpc) {
    statements.push({
      Sid: "ManageNetworkInterfaces",
      Effect: "Allow",
      Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      Resource: ["*"],
    });
  }
  return [...statements, ...extra];
}

/** Read access to a source bucket the objects job copies from (when it is an AWS bucket). */
export function sourceBucketReadStatements(bucketArn: string, prefix: string): PolicyStatement[] {
  return [
    { Sid: "ReadSourceObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectTagging"], Resource: [`${bucketArn}/${prefix}*`] },
    {
      Sid: "ListSourceObjects",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [bucketArn],
      ...(prefix === "" ? {} : { Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } } }),
    },
    // Source buckets encrypted with a customer key: S3 decrypts on the job's behalf.
    { Sid: "DecryptSourceObjects", Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["*"], Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } } },
  ];
}

/**
 * The scheduler role's permissions: invoke exactly the job's function and put undeliverable runs in
 * its queue.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 */
export function schedulerRoleStatements(args: { functionArn: string; deadLetterQueueArn: string; jobKeyArn: string }): PolicyStatement[] {
  return [
    { Sid: "InvokeJob", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [args.functionArn, `${args.functionArn}:*`] },
    { Sid: "ReportUndeliveredRuns", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [args.deadLetterQueueArn] },
    { Sid: "UseJobKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [args.jobKeyArn] },
  ];
}
