import type { FakeProvider, FakeResource } from "./fake-cloud";

/**
 * How a fake resource of one type gets its physical name and ARN. `arn` receives the physical name
 * and returns the part after `arn:aws:<service>:<region>:<account>:`.
 */
interface TypeShape {
  /** The input that holds the physical name, when the user may set it. */
  readonly nameInput?: string;
  /** The output the physical name is reported as (besides the input). */
  readonly nameOutput?: string;
  readonly service: string;
  /** S3 and IAM ARNs have no region; IAM and S3 bucket ARNs have no account either. */
  readonly regional?: boolean;
  readonly global?: boolean;
  /** Route 53 ARNs have no account either. */
  readonly noAccount?: boolean;
  readonly arn: (physicalName: string, hash: string) => string;
  readonly lowercase?: boolean;
  /** The id the engine would report, when it is not the physical name. */
  readonly id?: (physicalName: string, arn: string, hash: string) => string;
  /** Other outputs computed by the provider. */
  readonly extra?: (physicalName: string, ctx: { region: string; account: string; hash: string; inputs: Record<string, unknown> }) => Record<string, unknown>;
}

/** The master user secret RDS creates when asked to manage the password (`manageMasterUserPassword`). */
const managedSecret = (inputs: Record<string, unknown>, region: string, account: string, hash: string) =>
  inputs.manageMasterUserPassword === true
    ? {
        masterUserSecrets: [
          {
            secretArn: `arn:aws:secretsmanager:${region}:${account}:secret:rds!db-${hash.slice(0, 8)}-${hash.slice(8, 12)}-AbCdEf`,
            secretStatus: "active",
            kmsKeyId: typeof inputs.masterUserSecretKmsKeyId === "string" ? inputs.masterUserSecretKmsKeyId : `arn:aws:kms:${region}:${account}:alias/aws/secretsmanager`,
          },
        ],
      }
    : {};

const uuidFrom = (hash: string) => `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;

/** What the fake cloud knows of each AWS resource type Lifeboat creates. Other types get a generic ARN. */
const SHAPES: Record<string, TypeShape> = {
  "aws:s3/bucket:Bucket": {
    nameInput: "bucket",
    nameOutput: "bucket",
    service: "s3",
    global: true,
    lowercase: true,
    arn: (n) => n,
    extra: (n, { region }) => ({ bucketDomainName: `${n}.s3.amazonaws.com`, bucketRegionalDomainName: `${n}.s3.${region}.amazonaws.com`, region }),
  },
  "aws:kms/key:Key": {
    service: "kms",
    arn: (_n, hash) => `key/${uuidFrom(hash)}`,
    id: (_n, _a, hash) => uuidFrom(hash),
    extra: (_n, { hash }) => ({ keyId: uuidFrom(hash) }),
  },
  "aws:kms/alias:Alias": { nameInput: "name", nameOutput: "name", service: "kms", arn: (n) => n },
  "aws:iam/accessKey:AccessKey": { service: "iam", global: true, arn: (_n, hash) => `access-key/AKIA${hash.slice(0, 16).toUpperCase()}`, id: (_n, _a, hash) => `AKIA${hash.slice(0, 16).toUpperCase()}`, extra: (_n, { hash }) => ({ secret: `fake-secret-${hash.slice(16, 56)}`, status: "Active" }) },
  "aws:iam/role:Role": { nameInput: "name", nameOutput: "name", service: "iam", global: true, arn: (n) => `role/${n}`, extra: (_n, { hash }) => ({ uniqueId: `AROA${hash.slice(0, 17).toUpperCase()}` }) },
  "aws:iam/policy:Policy": { nameInput: "name", nameOutput: "name", service: "iam", global: true, arn: (n) => `policy/${n}`, id: (_n, arn) => arn },
  "aws:sns/topic:Topic": { nameInput: "name", nameOutput: "name", service: "sns", arn: (n) => n, id: (_n, arn) => arn },
  "aws:sns/topicSubscription:TopicSubscription": { service: "sns", arn: (n) => `subscription/${n}`, id: (_n, arn) => arn },
  "aws:sqs/queue:Queue": {
    nameInput: "name",
    nameOutput: "name",
    service: "sqs",
    arn: (n) => n,
    id: (n, arn) => `https://sqs.${arn.split(":")[3]}.amazonaws.com/${arn.split(":")[4]}/${n}`,
    extra: (n, { region, account }) => ({ url: `https://sqs.${region}.amazonaws.com/${account}/${n}` }),
  },
  "aws:lambda/function:Function": { nameInput: "name", nameOutput: "name", service: "lambda", arn: (n) => `function:${n}`, extra: (n, { region, account }) => ({ invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:${account}:function:${n}/invocations`, version: "$LATEST" }) },
  "aws:cloudwatch/logGroup:LogGroup": { nameInput: "name", nameOutput: "name", service: "logs", arn: (n) => `log-group:${n}` },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { nameInput: "name", nameOutput: "name", service: "cloudwatch", arn: (n) => `alarm:${n}` },
  "aws:cloudwatch/eventRule:EventRule": { nameInput: "name", nameOutput: "name", service: "events", arn: (n) => `rule/${n}` },
  "aws:scheduler/schedule:Schedule": { nameInput: "name", nameOutput: "name", service: "scheduler", arn: (n) => `schedule/default/${n}` },
  "aws:backup/vault:Vault": { nameInput: "name", nameOutput: "name", service: "backup", arn: (n) => `backup-vault:${n}` },
  "aws:backup/plan:Plan": { service: "backup", arn: (_n, hash) => `backup-plan:${uuidFrom(hash)}`, id: (_n, _a, hash) => uuidFrom(hash), extra: (_n, { hash }) => ({ version: hash.slice(0, 16) }) },
  "aws:backup/restoreTestingPlan:RestoreTestingPlan": { nameInput: "name", nameOutput: "name", service: "backup", arn: (n) => `restore-testing-plan:${n}` },
  "aws:rds/instance:Instance": {
    nameInput: "identifier",
    nameOutput: "identifier",
    service: "rds",
    lowercase: true,
    arn: (n) => `db:${n}`,
    extra: (n, { region, account, hash, inputs }) => ({
      address: `${n}.abcdefghijkl.${region}.rds.amazonaws.com`,
      endpoint: `${n}.abcdefghijkl.${region}.rds.amazonaws.com:${inputs.port ?? 5432}`,
      port: inputs.port ?? 5432,
      resourceId: `db-${hash.slice(0, 26).toUpperCase()}`,
      ...managedSecret(inputs, region, account, hash),
    }),
  },
  "aws:rds/cluster:Cluster": {
    nameInput: "clusterIdentifier",
    nameOutput: "clusterIdentifier",
    service: "rds",
    lowercase: true,
    arn: (n) => `cluster:${n}`,
    extra: (n, { region, account, hash, inputs }) => ({ endpoint: `${n}.cluster-abcdefghijkl.${region}.rds.amazonaws.com`, port: inputs.port ?? 5432, ...managedSecret(inputs, region, account, hash) }),
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": { nameInput: "replicationGroupId", nameOutput: "replicationGroupId", service: "elasticache", lowercase: true, arn: (n) => `replicationgroup:${n}`, extra: (n, { region }) => ({ primaryEndpointAddress: `master.${n}.abcdef.${region === "us-east-1" ? "use1" : region}.cache.amazonaws.com` }) },
  "aws:dynamodb/table:Table": { nameInput: "name", nameOutput: "name", service: "dynamodb", arn: (n) => `table/${n}` },
  "aws:ec2/vpc:Vpc": {
    service: "ec2",
    arn: (_n, hash) => `vpc/vpc-${hash.slice(0, 17)}`,
    id: (_n, _a, hash) => `vpc-${hash.slice(0, 17)}`,
    extra: (_n, { hash }) => ({ mainRouteTableId: `rtb-${hash.slice(17, 34)}`, defaultSecurityGroupId: `sg-${hash.slice(17, 34)}` }),
  },
  "aws:ec2/subnet:Subnet": { service: "ec2", arn: (_n, hash) => `subnet/subnet-${hash.slice(0, 17)}`, id: (_n, _a, hash) => `subnet-${hash.slice(0, 17)}` },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    service: "ec2",
    arn: (_n, hash) => `vpc-endpoint/vpce-${hash.slice(0, 17)}`,
    id: (_n, _a, hash) => `vpce-${hash.slice(0, 17)}`,
    extra: (_n, { hash, inputs }) => (inputs.vpcEndpointType === "Gateway" ? { prefixListId: `pl-${hash.slice(0, 8)}` } : {}),
  },
  "aws:ecr/repository:Repository": {
    nameInput: "name",
    nameOutput: "name",
    service: "ecr",
    lowercase: true,
    arn: (n) => `repository/${n}`,
    extra: (n, { region, account }) => ({ repositoryUrl: `${account}.dkr.ecr.${region}.amazonaws.com/${n}`, registryId: account }),
  },
  "aws:rds/subnetGroup:SubnetGroup": { nameInput: "name", nameOutput: "name", service: "rds", lowercase: true, arn: (n) => `subgrp:${n}` },
  "aws:elasticache/subnetGroup:SubnetGroup": { nameInput: "name", nameOutput: "name", service: "elasticache", lowercase: true, arn: (n) => `subnetgroup:${n}` },
  "aws:ec2/securityGroup:SecurityGroup": { nameInput: "name", nameOutput: "name", service: "ec2", arn: (_n, hash) => `security-group/sg-${hash.slice(0, 17)}`, id: (_n, _a, hash) => `sg-${hash.slice(0, 17)}` },
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": { service: "rds", arn: (_n, hash) => `auto-backup:ab-${hash.slice(0, 38)}`, id: (_n, arn) => arn },
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": { service: "backup", arn: (n) => `backup-vault:${n}`, extra: (_n, { region, account, inputs }) => ({ backupVaultArn: `arn:aws:backup:${region}:${account}:backup-vault:${inputs.backupVaultName}` }) },
  "aws:backup/vaultNotifications:VaultNotifications": { service: "backup", arn: (n) => `backup-vault:${n}`, extra: (_n, { region, account, inputs }) => ({ backupVaultArn: `arn:aws:backup:${region}:${account}:backup-vault:${inputs.backupVaultName}` }) },
  "aws:backup/selection:Selection": { service: "backup", arn: (_n, hash) => `backup-selection:${uuidFrom(hash)}`, id: (_n, _a, hash) => uuidFrom(hash) },
  "aws:backup/restoreTestingSelection:RestoreTestingSelection": { nameInput: "name", nameOutput: "name", service: "backup", arn: (n) => `restore-testing-selection:${n}` },
  "aws:route53/healthCheck:HealthCheck": { service: "route53", global: true, noAccount: true, arn: (_n, hash) => `healthcheck/${uuidFrom(hash)}`, id: (_n, _a, hash) => uuidFrom(hash) },
};

/** Turns the shape of a type (or none: the generic ARN) into a fake resource. */
function shaped(type: string, shape: TypeShape | undefined): FakeResource {
  return ({ name, inputs, region, account, hash }) => {
    const given = shape?.nameInput ? inputs[shape.nameInput] : undefined;
    const prefix = typeof inputs.namePrefix === "string" ? inputs.namePrefix : typeof inputs.bucketPrefix === "string" ? inputs.bucketPrefix : undefined;
    let physical = typeof given === "string" ? given : prefix !== undefined ? `${prefix}${hash.slice(0, 12)}` : `${name}-${hash.slice(0, 7)}`;
    if (shape?.lowercase) physical = physical.toLowerCase();

    const [, modulePath = "unknown"] = type.split(":");
    const service = shape?.service ?? modulePath.split("/")[0] ?? "unknown";
    const resourcePart = shape ? shape.arn(physical, hash) : `${(modulePath.split("/")[1] ?? "resource").toLowerCase()}/${physical}`;
    const arn = shape?.global
      ? `arn:aws:${service}::${service === "s3" || shape?.noAccount ? "" : account}:${resourcePart}`
      : `arn:aws:${service}:${region}:${account}:${resourcePart}`;
    const id = shape?.id ? shape.id(physical, arn, hash) : physical;

    const state: Record<string, unknown> = { ...inputs, arn, id };
    if (shape?.nameOutput) state[shape.nameOutput] = physical;
    else if (!shape && state.name === undefined) state.name = physical;
    if (state.region === undefined) state.region = region;
    Object.assign(state, shape?.extra?.(physical, { region, account, hash, inputs }) ?? {});
    return { id, state };
  };
}

/**
 * AWS under the fake cloud: every resource gets the physical name, id and ARN the provider would give
 * it (names from `name`/`bucket`/prefix inputs, ARNs in the resource's region and the fake account,
 * RDS master user secrets, bucket regions), and the caller-identity, partition and region data sources
 * answer for the fake account.
 */
export const awsFakes: FakeProvider = {
  package: "aws",
  resources: Object.fromEntries(Object.entries(SHAPES).map(([type, shape]) => [type, shaped(type, shape)])),
  otherResource: (args) => shaped(args.type, undefined)(args),
  calls: {
    "aws:index/getCallerIdentity:getCallerIdentity": ({ account }) => ({ accountId: account, arn: `arn:aws:iam::${account}:user/lifeboat-preview`, userId: "AIDAPREVIEW", id: account }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" }),
    "aws:index/getRegion:getRegion": ({ region }) => ({ name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region, id: region }),
  },
};
